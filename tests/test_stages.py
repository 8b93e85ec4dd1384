"""Levels of use, domain only (portfolio/domain/stages.py): edge cases of held and expected stages."""

from __future__ import annotations

import copy
from datetime import date
from uuid import uuid4

import pytest

from portfolio.domain.people import Person
from portfolio.domain.stages import _add_years, assess
from portfolio.frameworks import catalogue

COMPETENCES = ["REL-1", "REL-2", "GOAL-1"]


@pytest.fixture(scope="module")
def policy() -> dict:
    return next(d for d in catalogue.builtin_documents() if d["id"] == "levels-of-use")["policy"]


def person(*positions: tuple[str, str, int]) -> Person:
    p = Person.register(uuid4(), "kim", "sealed", ["peer_worker"], date(2020, 1, 1))
    for position, starts_on, induction_days in positions:
        p.start_position(position, date.fromisoformat(starts_on), induction_days)
    return p


def report(policy, p, on: str, held=None, competences=COMPETENCES):
    return assess(p.positions, held or {}, competences, policy, date.fromisoformat(on))


def levels(*names: str) -> dict[str, list[str]]:
    return {c: list(names) for c in COMPETENCES}


# --- expected stage ----------------------------------------------------------------------------------
def test_no_position_yet(policy):
    r = report(policy, person(("peer_worker", "2024-03-01", 30)), "2024-02-29", levels("Basic"))
    assert (r.expected, r.expected_due_on, r.in_induction, r.missing) == (None, None, False, [])
    assert r.held == "ESSENTIAL"  # held does not depend on a position


@pytest.mark.parametrize("on, in_induction", [
    ("2023-01-02", True), ("2023-04-01", True), ("2023-04-02", False), ("2024-12-31", False)])
def test_induction_boundary(policy, on, in_induction):
    r = report(policy, person(("peer_worker", "2023-01-02", 90)), on)
    assert r.expected == "ESSENTIAL"
    assert r.expected_due_on == date(2023, 4, 2)
    assert r.in_induction is in_induction


def test_no_induction_period(policy):
    r = report(policy, person(("peer_worker", "2023-01-02", 0)), "2023-01-02")
    assert (r.expected, r.expected_due_on, r.in_induction) == ("ESSENTIAL", date(2023, 1, 2), False)


@pytest.mark.parametrize("on, expected, due", [
    ("2025-01-01", "ESSENTIAL", date(2023, 4, 2)),
    ("2025-01-02", "PEER-PRACTITIONER", date(2025, 1, 2)),  # exactly two years
    ("2030-06-30", "PEER-PRACTITIONER", date(2025, 1, 2)),
])
def test_tenure_of_exactly_two_years(policy, on, expected, due):
    r = report(policy, person(("peer_worker", "2023-01-02", 90)), on)
    assert (r.expected, r.expected_due_on, r.in_induction) == (expected, due, False)


@pytest.mark.parametrize("on, expected", [
    ("2026-02-27", "ESSENTIAL"), ("2026-02-28", "PEER-PRACTITIONER"), ("2026-03-01", "PEER-PRACTITIONER")])
def test_tenure_from_29_february(policy, on, expected):
    """Two years from 29 February 2024 end on 28 February 2026 (there is no 29th)."""
    r = report(policy, person(("peer_worker", "2024-02-29", 0)), on)
    assert r.expected == expected
    if expected == "PEER-PRACTITIONER":
        assert r.expected_due_on == date(2026, 2, 28)


def test_add_years_keeps_29_february_in_leap_years():
    assert _add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert _add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert _add_years(date(2023, 3, 1), 2) == date(2025, 3, 1)


def test_induction_with_29_february_start(policy):
    r = report(policy, person(("peer_worker", "2024-02-29", 1)), "2024-02-29")
    assert (r.expected_due_on, r.in_induction) == (date(2024, 3, 1), True)


def test_tenure_counts_from_the_start_of_the_current_role(policy):
    """002:618 "two years in their role": stepping back to peer work restarts the clock."""
    p = person(("peer_worker", "2022-01-03", 0), ("team_leader", "2023-01-02", 0), ("peer_worker", "2023-06-01", 30))
    during_second_induction = report(policy, p, "2023-06-15")
    assert (during_second_induction.expected, during_second_induction.in_induction) == ("ESSENTIAL", True)
    assert during_second_induction.expected_due_on == date(2023, 7, 1)
    assert (during_second_induction.role, during_second_induction.role_since) == ("peer-worker", date(2023, 6, 1))
    assert report(policy, p, "2024-01-03").expected == "ESSENTIAL"  # two years from the first position
    later = report(policy, p, "2025-06-01")
    assert (later.expected, later.expected_due_on) == ("PEER-PRACTITIONER", date(2025, 6, 1))


def test_moving_between_positions_of_one_role_keeps_the_clock(policy):
    p = person(("team_leader", "2022-01-03", 0), ("line_manager", "2023-01-02", 0))
    r = report(policy, p, "2023-02-01")
    assert (r.role, r.role_since) == ("manager", date(2022, 1, 3))


@pytest.mark.parametrize("position, expected", [
    ("team_leader", "PEER-MANAGER"), ("line_manager", "PEER-MANAGER"), ("organisational_leader", "PEER-LEADER")])
def test_position_beats_tenure_and_has_its_own_induction(policy, position, expected):
    p = person(("peer_worker", "2020-01-01", 0), (position, "2024-01-01", 90))
    assert report(policy, p, "2023-12-31").expected == "PEER-PRACTITIONER"
    r = report(policy, p, "2024-01-01")
    assert (r.expected, r.expected_due_on, r.in_induction) == (expected, date(2024, 3, 31), True)
    after = report(policy, p, "2024-03-31")
    assert (after.expected, after.in_induction) == (expected, False)


def test_a_manager_without_induction_is_due_on_the_first_day(policy):
    r = report(policy, person(("line_manager", "2024-01-01", 0)), "2024-01-01")
    assert (r.expected, r.expected_due_on, r.in_induction) == ("PEER-MANAGER", date(2024, 1, 1), False)


def test_stepping_down_returns_to_tenure_in_the_new_role(policy):
    p = person(("team_leader", "2023-01-02", 0), ("peer_worker", "2023-06-01", 0))
    assert report(policy, p, "2023-03-01").expected == "PEER-MANAGER"
    assert report(policy, p, "2023-07-01").expected == "ESSENTIAL"
    assert report(policy, p, "2025-01-02").expected == "ESSENTIAL"
    assert report(policy, p, "2025-06-01").expected == "PEER-PRACTITIONER"


def test_tenure_years_come_from_the_policy(policy):
    longer = copy.deepcopy(policy)
    next(s for s in longer["stages"] if s["trigger"] == "tenure")["min_years"] = 3
    p = person(("peer_worker", "2023-01-02", 0))
    assert report(longer, p, "2025-01-02").expected == "ESSENTIAL"
    assert report(longer, p, "2026-01-02").expected == "PEER-PRACTITIONER"


# --- held stage and what is missing ------------------------------------------------------------------
@pytest.mark.parametrize("held, stage", [
    ({}, None),
    (levels("Basic"), "ESSENTIAL"),
    (levels("Basic", "Intermediate"), "PEER-PRACTITIONER"),
    (levels("Basic", "Intermediate", "Advanced"), "PEER-MANAGER"),
    (levels("Basic", "Intermediate", "Advanced", "Leader"), "PEER-LEADER"),
    (levels("Intermediate", "Advanced", "Leader"), None),  # a gap below: nothing counts
    (levels("Basic", "Advanced"), "ESSENTIAL"),  # a stage counts only if every one before it does
    ({"REL-1": ["Basic"], "REL-2": ["Basic"]}, None),  # one competence short
])
def test_held_stage(policy, held, stage):
    assert report(policy, person(("peer_worker", "2023-01-02", 0)), "2023-06-01", held).held == stage


def test_missing_lists_competences_lacking_the_expected_level_in_order(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    held = {"REL-1": ["Basic", "Intermediate"], "REL-2": ["Basic"], "GOAL-1": ["Basic"]}
    essential = report(policy, p, "2023-06-01", held)
    assert (essential.held, essential.missing) == ("ESSENTIAL", [])
    practitioner = report(policy, p, "2025-06-01", held)
    assert (practitioner.held, practitioner.missing) == ("ESSENTIAL", ["REL-2", "GOAL-1"])
    reversed_order = report(policy, p, "2025-06-01", held, competences=["GOAL-1", "REL-2", "REL-1"])
    assert reversed_order.missing == ["GOAL-1", "REL-2"]


# --- honest "still missing" (issue 10) ---------------------------------------------------------------
def test_missing_levels_name_competence_and_level_up_to_the_expected_stage(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    held = {"REL-1": ["Basic", "Intermediate"], "REL-2": ["Basic"], "GOAL-1": []}
    r = report(policy, p, "2025-06-01", held)  # two years in: Intermediate expected
    assert r.missing_levels == [("REL-2", "Intermediate"), ("GOAL-1", "Basic"), ("GOAL-1", "Intermediate")]


def test_a_revoked_lower_level_is_missing_even_when_the_expected_level_is_held(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    held = {"REL-1": ["Intermediate"], "REL-2": ["Basic", "Intermediate"], "GOAL-1": ["Basic", "Intermediate"]}
    r = report(policy, p, "2025-06-01", held)  # REL-1 Basic was revoked
    assert r.held is None
    assert r.missing == ["REL-1"] and r.missing_levels == [("REL-1", "Basic")]


# --- issue 11: revocation consistency, held vs expected ----------------------------------------------
def test_a_revoked_basic_drops_every_stage_that_needs_it(policy):
    """REL-1 Basic revoked while Intermediate, Advanced and Leader stay signed: no stage is held,
    and keeping the (empty) held stage lacks nothing, while the expected stage lacks REL-1 Basic."""
    held = levels("Basic", "Intermediate", "Advanced", "Leader")
    held["REL-1"] = ["Intermediate", "Advanced", "Leader"]
    p = person(("organisational_leader", "2023-01-02", 0))
    r = report(policy, p, "2024-01-02", held)
    assert r.held is None and r.missing_for_held == []
    assert r.expected == "PEER-LEADER" and r.missing_for_expected == [("REL-1", "Basic")]


def test_missing_for_held_and_for_expected_are_separate(policy):
    held = levels("Basic")
    held["REL-2"] = ["Basic", "Intermediate"]
    r = report(policy, person(("peer_worker", "2022-01-03", 0)), "2024-06-01", held)
    assert (r.held, r.expected) == ("ESSENTIAL", "PEER-PRACTITIONER")
    assert r.missing_for_held == []
    assert r.missing_for_expected == [("REL-1", "Intermediate"), ("GOAL-1", "Intermediate")] == r.missing_levels


def test_held_above_expected_lacks_nothing_to_keep_it(policy):
    r = report(policy, person(("peer_worker", "2024-01-02", 0)), "2024-06-01", levels("Basic", "Intermediate"))
    assert (r.held, r.expected, r.missing_for_held, r.missing_for_expected) == (
        "PEER-PRACTITIONER", "ESSENTIAL", [], [])


def test_a_manager_who_was_never_a_peer_worker_needs_the_stages_below(policy):
    """policy.cumulative (002:799-801): Peer manager needs Basic and Intermediate as well as Advanced."""
    p = person(("line_manager", "2024-01-01", 30))
    r = report(policy, p, "2024-03-01", levels("Advanced"))
    assert (r.held, r.expected) == (None, "PEER-MANAGER")
    assert [lv for c, lv in r.missing_for_expected if c == "REL-1"] == ["Basic", "Intermediate"]
    assert report(policy, p, "2024-03-01", levels("Basic", "Intermediate", "Advanced")).held == "PEER-MANAGER"


def test_a_non_cumulative_policy_asks_only_the_stage_own_level(policy):
    flat = copy.deepcopy(policy)
    flat["cumulative"] = False
    r = report(flat, person(("line_manager", "2024-01-01", 0)), "2024-03-01", levels("Advanced"))
    assert (r.held, r.missing_for_expected) == ("PEER-MANAGER", [])


# --- leave extends the due date ----------------------------------------------------------------------
def leave(starts_on: str, ends_on: str | None) -> dict:
    return {"starts_on": date.fromisoformat(starts_on), "ends_on": ends_on and date.fromisoformat(ends_on)}


def test_leave_inside_the_two_years_moves_the_mark(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    away = [leave("2023-06-01", "2023-06-30")]  # 30 days
    assert assess(p.positions, {}, COMPETENCES, policy, date(2025, 1, 2), leave=away).expected == "ESSENTIAL"
    r = assess(p.positions, {}, COMPETENCES, policy, date(2025, 2, 1), leave=away)
    assert (r.expected, r.expected_due_on, r.leave_days) == ("PEER-PRACTITIONER", date(2025, 2, 1), 30)


def test_leave_partly_before_the_role_counts_only_its_overlap(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    r = assess(p.positions, {}, COMPETENCES, policy, date(2026, 1, 1), leave=[leave("2022-12-23", "2023-01-11")])
    assert (r.expected_due_on, r.leave_days) == (date(2025, 1, 12), 10)


def test_leave_straddling_the_mark_counts_until_the_moved_mark(policy):
    """Leave that begins before the mark and runs past it: every day of it before the (moving) mark."""
    p = person(("peer_worker", "2023-01-02", 0))
    r = assess(p.positions, {}, COMPETENCES, policy, date(2026, 1, 1), leave=[leave("2024-12-23", "2025-01-31")])
    assert (r.expected_due_on, r.leave_days) == (date(2025, 2, 11), 40)  # all 40 days fell before it


def test_leave_after_the_mark_changes_nothing(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    r = assess(p.positions, {}, COMPETENCES, policy, date(2026, 1, 1), leave=[leave("2025-03-01", "2025-05-31")])
    assert (r.expected_due_on, r.leave_days) == (date(2025, 1, 2), 0)


def test_leave_in_an_earlier_role_does_not_count(policy):
    p = person(("team_leader", "2022-01-03", 0), ("peer_worker", "2023-01-02", 0))
    r = assess(p.positions, {}, COMPETENCES, policy, date(2026, 1, 1), leave=[leave("2022-06-01", "2022-06-30")])
    assert r.expected_due_on == date(2025, 1, 2)


def test_leave_during_induction_moves_its_end(policy):
    p = person(("peer_worker", "2024-01-01", 30))
    r = assess(p.positions, {}, COMPETENCES, policy, date(2024, 2, 5), leave=[leave("2024-01-10", "2024-01-19")])
    assert (r.expected_due_on, r.in_induction, r.leave_days) == (date(2024, 2, 10), True, 10)


def test_open_leave_runs_to_the_day_assessed(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    for on in (date(2025, 1, 10), date(2025, 6, 1)):  # still away: the mark keeps moving
        assert assess(p.positions, {}, COMPETENCES, policy, on, leave=[leave("2024-12-01", None)]).expected == "ESSENTIAL"


def test_career_break_and_leave_add_up(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    away = [leave("2023-03-01", "2023-03-10"), leave("2024-03-01", "2024-03-10")]
    assert assess(p.positions, {}, COMPETENCES, policy, date(2026, 1, 1), leave=away).leave_days == 20


# --- core clusters and concepts (002:629) ------------------------------------------------------------
def test_core_competences_not_shown_are_listed_without_taking_the_stage(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    shown = {"C1", "C2", "C3", "C4", "C5", "ACCEPTANCE", "EMPATHY"}
    r = assess(p.positions, levels("Basic"), COMPETENCES, policy, date(2023, 6, 1), core_shown=shown)
    assert r.held == "ESSENTIAL" and r.core_missing == ["C6", "GENUINENESS"]
    assert report(policy, p, "2023-06-01", levels("Basic")).core_missing == []  # not known: not reported


def test_core_competences_can_gate_the_stage_by_policy(policy):
    strict = copy.deepcopy(policy)
    strict["core"]["gates_held"] = True
    p = person(("peer_worker", "2023-01-02", 0))
    all_core = set(policy["core"]["codes"])
    assert assess(p.positions, levels("Basic"), COMPETENCES, strict, date(2023, 6, 1),
                  core_shown=all_core - {"C6"}).held is None
    assert assess(p.positions, levels("Basic"), COMPETENCES, strict, date(2023, 6, 1),
                  core_shown=all_core).held == "ESSENTIAL"


def test_core_codes_are_the_clusters_and_concepts(policy):
    docs = {d["id"]: d for d in catalogue.builtin_documents()}
    codes = [i["code"] for f in policy["core"]["frameworks"] for i in docs[f]["items"]]
    assert codes == policy["core"]["codes"]


def test_the_tenure_mark_is_reported_before_it_is_reached(policy):
    p = person(("peer_worker", "2023-01-02", 0))
    r = assess(p.positions, {}, COMPETENCES, policy, date(2024, 1, 1), leave=[leave("2023-06-01", "2023-06-30")])
    assert (r.expected, r.leave_days, r.tenure_due_on, r.tenure_leave_days) == (
        "ESSENTIAL", 0, date(2025, 2, 1), 30)
    manager = report(policy, person(("line_manager", "2023-01-02", 0)), "2023-02-01")
    assert manager.tenure_due_on == date(2025, 1, 2)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(cumulative="yes"), "policy.cumulative"),
    (lambda p: p.update(roles={"manager": "team_leader"}), "policy.roles"),
    (lambda p: p["core"].update(stages=["NOT-A-STAGE"]), "policy.core.stages"),
    (lambda p: p["core"].update(codes="C1"), "policy.core"),
])
def test_a_levels_of_use_file_with_a_bad_policy_is_refused(change, message):
    doc = copy.deepcopy(next(d for d in catalogue.builtin_documents() if d["id"] == "levels-of-use"))
    change(doc["policy"])
    with pytest.raises(Exception, match=message.replace(".", r"\.")):
        catalogue.validate_document(doc)


def test_core_tags_show_their_cluster_or_concept_like_competence_codes():
    from portfolio.domain.stages import core_codes

    assert core_codes(["C1.2", "core-clusters:C2", "core-concepts:EMPATHY", "who-roles:ROLE-1",
                       "hee-competences:KEY-1", "REL-1"]) == {"C1", "C2", "EMPATHY", "REL-1"}
