"""Sign-off rules, through the application service, on SQLite and PostgreSQL.

Every refusal is checked for its specific error class and for a message a person can act on.
People, training, supervision, reflections, evidence, goals and levels of use have their own
files (test_domain_rules_*.py); levels-of-use edge cases are in test_stages.py.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain_helpers import COMPETENCES, DAY, evidence, new_worker, request, sign_off
from portfolio.domain.errors import (
    AlreadySignedOff,
    AssignmentConflict,
    DomainError,
    EvidenceRequired,
    InvalidValue,
    LevelBelowMissing,
    NotFound,
    OpenRequestExists,
    RequestNotOpen,
    SelfSignOff,
    SupervisorNotAssigned,
)


@pytest.fixture
def today(at):
    with at(DAY):
        yield


# --- requesting ----------------------------------------------------------------------------------
def test_request_records_an_open_request_with_its_evidence(app, org, today):
    w = org["wendy"]
    ev = evidence(app, w)
    rid = app.request_sign_off(w, "REL-1", "Basic", [ev])
    req = app.portfolio(w).requests[str(rid)]
    assert req["status"] == "open"
    assert req["levels"] == ["Basic"]
    assert req["evidence_ids"] == [ev]
    assert (req["framework_id"], req["framework_version"]) == ("worker-competences", "1")


def test_request_needs_evidence(app, org, today):
    with pytest.raises(EvidenceRequired, match="at least one evidence"):
        app.request_sign_off(org["wendy"], "REL-1", ["Basic"], [])
    assert app.portfolio(org["wendy"]).requests == {}


def test_request_with_unknown_evidence_is_not_found(app, org, today):
    missing = uuid4()
    with pytest.raises(NotFound, match=f"no evidence {missing}"):
        app.request_sign_off(org["wendy"], "REL-1", ["Basic"], [missing])


def test_request_with_withdrawn_evidence_is_refused(app, org, today):
    w = org["wendy"]
    good, gone = evidence(app, w), evidence(app, w)
    app.withdraw_evidence(w, gone)
    with pytest.raises(InvalidValue, match=f"evidence: evidence {gone} has been withdrawn") as exc:
        app.request_sign_off(w, "REL-1", ["Basic"], [good, gone])
    assert exc.value.field == "evidence"
    assert app.portfolio(w).requests == {}


def test_evidence_cannot_be_withdrawn_twice(app, org, today):
    w = org["wendy"]
    ev = evidence(app, w)
    app.withdraw_evidence(w, ev)
    with pytest.raises(DomainError, match="already withdrawn"):
        app.withdraw_evidence(w, ev)


def test_unknown_competence_is_refused(app, org, today):
    w = org["wendy"]
    with pytest.raises(InvalidValue, match="competence: unknown competence 'REL-9'"):
        app.request_sign_off(w, "REL-9", ["Basic"], [evidence(app, w)])


@pytest.mark.parametrize("levels, message", [
    ([], "levels: choose the level"),
    (["Expert"], "level: must be one of Basic, Intermediate, Advanced, Leader"),
    (["Basic", "Advanced"], "levels: levels asked for in one request must be next to each other"),
    (["Basic", "Leader"], "next to each other"),
])
def test_request_levels_must_be_known_and_adjacent(app, org, today, levels, message):
    w = org["wendy"]
    with pytest.raises(InvalidValue, match=message):
        app.request_sign_off(w, "REL-1", levels, [evidence(app, w)])
    assert app.portfolio(w).requests == {}


def test_level_needs_the_level_below(app, org, today):
    w = org["wendy"]
    with pytest.raises(LevelBelowMissing, match="REL-1 at Intermediate needs Basic signed off first"):
        request(app, w, "REL-1", ["Intermediate"])
    with pytest.raises(LevelBelowMissing, match="REL-1 at Leader needs Advanced"):
        request(app, w, "REL-1", ["Leader"])


def test_an_open_request_for_the_level_below_is_not_enough(app, org, today):
    w = org["wendy"]
    request(app, w, "REL-1", ["Basic"])
    with pytest.raises(LevelBelowMissing, match="needs Basic signed off first"):
        request(app, w, "REL-1", ["Intermediate"])


def test_basic_and_intermediate_in_one_request(app, org, today):
    w = org["wendy"]
    sign_off(app, w, org["sam"], "REL-1", ["Intermediate", "Basic"])  # order does not matter
    assert app.portfolio(w).held_levels("REL-1") == ["Basic", "Intermediate"]
    sign_off(app, w, org["sam"], "REL-1", ["Advanced"])  # and the next level builds on them
    assert app.portfolio(w).held_levels("REL-1") == ["Basic", "Intermediate", "Advanced"]


def test_one_open_request_per_competence(app, org, today):
    w = org["wendy"]
    request(app, w, "REL-1", ["Basic"])
    with pytest.raises(OpenRequestExists, match="REL-1 already has an open sign-off request"):
        request(app, w, "REL-1", ["Basic"])
    request(app, w, "REL-2", ["Basic"])  # another competence is fine
    assert len(app.portfolio(w).requests) == 2


def test_already_signed_off(app, org, today):
    w = org["wendy"]
    sign_off(app, w, org["sam"], "REL-1", ["Basic"])
    with pytest.raises(AlreadySignedOff, match="REL-1 is already signed off at Basic"):
        request(app, w, "REL-1", ["Basic"])
    with pytest.raises(AlreadySignedOff, match="at Basic"):
        request(app, w, "REL-1", ["Basic", "Intermediate"])


# --- deciding --------------------------------------------------------------------------------------
def test_approval_records_who_decided_and_when(app, org, today):
    w, sam = org["wendy"], org["sam"]
    rid = sign_off(app, w, sam)
    req = app.portfolio(w).requests[str(rid)]
    assert req["status"] == "approved"
    assert req["decided_by"] == sam
    assert req["decided_role"] == "supervisor"
    assert req["decided_at"].date().isoformat() == DAY


def test_no_self_sign_off(app, org, today):
    """A worker who is also a supervisor cannot decide their own request."""
    wes = new_worker(app, "wes", roles=("peer_worker", "supervisor"), supervisor=org["sam"])
    with pytest.raises(AssignmentConflict, match="cannot be assigned as their own supervisor"):
        app.assign_supervisor(wes, wes, "2023-01-02")
    rid = request(app, wes)
    with pytest.raises(SelfSignOff, match="cannot sign off their own competence"):
        app.approve_sign_off(wes, rid, wes)
    with pytest.raises(SelfSignOff, match="cannot sign off their own"):
        app.return_sign_off(wes, rid, wes, "not good enough")
    assert app.portfolio(wes).requests[str(rid)]["status"] == "open"


def test_decider_must_have_the_supervisor_role(app, org, today):
    w = org["wendy"]
    rid = request(app, w)
    with pytest.raises(InvalidValue, match="supervisor: ada does not have the supervisor role"):
        app.approve_sign_off(w, rid, org["ada"])


def test_unassigned_supervisor_cannot_decide(app, org, today):
    w = org["wendy"]
    rid = request(app, w)
    with pytest.raises(SupervisorNotAssigned, match="only a supervisor assigned to this worker today"):
        app.approve_sign_off(w, rid, org["sue"])
    with pytest.raises(SupervisorNotAssigned, match="assigned to this worker today"):
        app.return_sign_off(w, rid, org["sue"], "no")
    assert app.portfolio(w).requests[str(rid)]["status"] == "open"


def test_assignment_that_ended_before_the_decision(app, org, at):
    w, sue = org["wendy"], org["sue"]
    app.assign_supervisor(w, sue, "2023-06-01", "2024-03-31")
    with at("2024-03-01"):
        rid = request(app, w)
    with at("2024-04-01"):
        with pytest.raises(SupervisorNotAssigned, match="assigned to this worker today"):
            app.approve_sign_off(w, rid, sue)
    with at("2024-03-31"):  # the last day of the assignment still counts
        app.approve_sign_off(w, rid, sue)
    assert app.portfolio(w).requests[str(rid)]["decided_by"] == sue


def test_assignment_that_starts_after_the_decision(app, org, at):
    w, sue = org["wendy"], org["sue"]
    app.assign_supervisor(w, sue, "2024-06-01")
    with at("2024-05-01"):
        rid = request(app, w)
        with pytest.raises(SupervisorNotAssigned, match="assigned to this worker today"):
            app.approve_sign_off(w, rid, sue)
    with at("2024-06-01"):
        app.approve_sign_off(w, rid, sue)
    assert app.portfolio(w).held_levels("REL-1") == ["Basic"]


def test_ended_supervision_stops_decisions(app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2024-04-15"):
        rid = request(app, w)
    app.end_supervision(w, sam, "2024-04-30")
    with at("2024-05-01"):
        with pytest.raises(SupervisorNotAssigned, match="assigned to this worker today"):
            app.approve_sign_off(w, rid, sam)
    with at("2024-04-30"):
        app.approve_sign_off(w, rid, sam)


def _decide(app, org, how: str, rid) -> None:
    w = org["wendy"]
    if how == "approve":
        app.approve_sign_off(w, rid, org["sam"])
    elif how == "return":
        app.return_sign_off(w, rid, org["sam"], "please add a testimonial")
    else:
        app.withdraw_sign_off(w, rid)


@pytest.mark.parametrize("first, expected_status", [
    ("approve", "approved"), ("return", "returned"), ("withdraw", "withdrawn")])
@pytest.mark.parametrize("then", ["approve", "return", "withdraw"])
def test_decisions_only_on_open_requests(app, org, today, first, expected_status, then):
    rid = request(app, org["wendy"])
    _decide(app, org, first, rid)
    with pytest.raises(RequestNotOpen, match=f"this sign-off request is {expected_status}, not open"):
        _decide(app, org, then, rid)
    assert app.portfolio(org["wendy"]).requests[str(rid)]["status"] == expected_status


def test_deciding_an_unknown_request_is_not_found(app, org, today):
    with pytest.raises(NotFound, match="no sign-off request"):
        app.approve_sign_off(org["wendy"], uuid4(), org["sam"])
    with pytest.raises(NotFound, match="no sign-off request"):
        app.withdraw_sign_off(org["wendy"], uuid4())


def test_returned_request_keeps_feedback_and_can_be_asked_again(app, org, today):
    w = org["wendy"]
    first = request(app, w)
    app.return_sign_off(w, first, org["sam"], "please add a testimonial")
    pf = app.portfolio(w)
    returned = pf.requests[str(first)]
    assert returned["status"] == "returned" and returned["decided_by"] == org["sam"]
    assert "testimonial" not in returned["feedback_sealed"]
    assert app.read_text(w, returned["feedback_sealed"]) == "please add a testimonial"
    assert pf.held_levels("REL-1") == []
    second = sign_off(app, w, org["sam"])
    pf = app.portfolio(w)
    assert pf.requests[str(first)]["status"] == "returned"
    assert pf.requests[str(second)]["status"] == "approved"


def test_withdrawn_request_stays_in_history(app, org, today):
    w = org["wendy"]
    rid = request(app, w)
    app.withdraw_sign_off(w, rid)
    pf = app.portfolio(w)
    assert pf.requests[str(rid)]["status"] == "withdrawn"
    assert pf.requests[str(rid)]["withdrawn_at"].date().isoformat() == DAY
    assert pf.open_request("REL-1") is None
    again = request(app, w)
    assert set(app.portfolio(w).requests) == {str(rid), str(again)}


# --- revoking --------------------------------------------------------------------------------------
def test_revoke_by_assigned_supervisor(app, org, today):
    w, sam = org["wendy"], org["sam"]
    rid = sign_off(app, w, sam, "REL-1", ["Basic", "Intermediate"])
    sign_off(app, w, sam, "REL-2", ["Basic"])
    app.revoke_sign_off(w, rid, sam, "evidence turned out to be someone else's")
    pf = app.portfolio(w)
    assert pf.held_levels("REL-1") == []
    assert pf.held_levels("REL-2") == ["Basic"]
    req = pf.requests[str(rid)]
    assert req["status"] == "revoked"
    assert (req["revoked_by"], req["revoked_role"]) == (sam, "supervisor")
    assert req["decided_by"] == sam  # the approval stays on record
    assert app.read_text(w, req["reason_sealed"]) == "evidence turned out to be someone else's"
    missing = app.stage_report(w, on=DAY).missing
    assert "REL-1" in missing and "REL-2" not in missing


def test_revoked_competence_can_be_requested_again(app, org, today):
    w, sam = org["wendy"], org["sam"]
    rid = sign_off(app, w, sam)
    app.revoke_sign_off(w, rid, sam, "recheck")
    again = sign_off(app, w, sam)
    pf = app.portfolio(w)
    assert pf.held_levels("REL-1") == ["Basic"]
    assert [pf.requests[str(r)]["status"] for r in (rid, again)] == ["revoked", "approved"]


def test_revoke_by_org_admin(app, org, today):
    w = org["wendy"]
    rid = sign_off(app, w, org["sam"])
    app.revoke_sign_off(w, rid, org["ada"], "audit finding")
    req = app.portfolio(w).requests[str(rid)]
    assert (req["status"], req["revoked_by"], req["revoked_role"]) == ("revoked", org["ada"], "org_admin")


@pytest.mark.parametrize("who", ["wendy", "sue", "aud"])
def test_revoke_refused_for_worker_unassigned_supervisor_and_auditor(app, org, today, who):
    w = org["wendy"]
    rid = sign_off(app, w, org["sam"])
    with pytest.raises(DomainError, match="only an organisation admin or a supervisor assigned"):
        app.revoke_sign_off(w, rid, org[who], "no")
    assert app.portfolio(w).held_levels("REL-1") == ["Basic"]


def test_revoke_refused_for_supervisor_whose_assignment_ended(app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2024-04-01"):
        rid = sign_off(app, w, sam)
    app.end_supervision(w, sam, "2024-04-30")
    with at("2024-05-01"), pytest.raises(DomainError, match="supervisor assigned to this worker"):
        app.revoke_sign_off(w, rid, sam, "too late")


def test_worker_who_is_also_admin_cannot_revoke_own_sign_off(app, org, today):
    wes = new_worker(app, "wes", roles=("peer_worker", "org_admin"), supervisor=org["sam"])
    rid = sign_off(app, wes, org["sam"])
    with pytest.raises(SelfSignOff, match="cannot revoke their own sign-off"):
        app.revoke_sign_off(wes, rid, wes, "mine")
    assert app.portfolio(wes).held_levels("REL-1") == ["Basic"]


@pytest.mark.parametrize("state", ["open", "return", "withdraw", "revoked"])
def test_only_approved_sign_off_can_be_revoked(app, org, today, state):
    w = org["wendy"]
    rid = request(app, w)
    if state == "revoked":
        app.approve_sign_off(w, rid, org["sam"])
        app.revoke_sign_off(w, rid, org["sam"], "first")
    elif state != "open":
        _decide(app, org, state, rid)
    status = app.portfolio(w).requests[str(rid)]["status"]
    with pytest.raises(RequestNotOpen, match=f"only an approved sign-off can be revoked; this one is {status}"):
        app.revoke_sign_off(w, rid, org["ada"], "no")


# --- levels of use (stage_report) ------------------------------------------------------------------
def test_stage_in_induction(app, org):
    w = org["wendy"]  # peer worker from 2023-01-02 with 90 days' induction
    r = app.stage_report(w, on="2023-02-01")
    assert (r.expected, r.in_induction, r.held) == ("ESSENTIAL", True, None)
    assert r.expected_due_on == date(2023, 4, 2)  # start + 90 days
    assert r.missing == COMPETENCES
    assert app.stage_report(w, on="2023-04-01").in_induction is True
    after = app.stage_report(w, on="2023-04-02")
    assert (after.expected, after.in_induction, after.expected_due_on) == ("ESSENTIAL", False, date(2023, 4, 2))


def test_stage_after_two_years(app, org):
    w = org["wendy"]
    assert app.stage_report(w, on="2025-01-01").expected == "ESSENTIAL"
    r = app.stage_report(w, on="2025-01-02")
    assert (r.expected, r.expected_due_on, r.in_induction) == ("PEER-PRACTITIONER", date(2025, 1, 2), False)


@pytest.mark.parametrize("position, expected", [
    ("team_leader", "PEER-MANAGER"), ("line_manager", "PEER-MANAGER"), ("organisational_leader", "PEER-LEADER")])
def test_stage_for_positions(app, org, position, expected):
    w = org["wendy"]
    app.start_position(w, position, "2024-01-01", 30)
    assert app.stage_report(w, on="2023-12-31").expected == "ESSENTIAL"
    r = app.stage_report(w, on="2024-01-01")
    # The position's own agreed induction counts for managers and leaders too (issue 11).
    assert (r.expected, r.expected_due_on, r.in_induction) == (expected, date(2024, 1, 31), True)
    assert r.missing == COMPETENCES


def test_stage_without_a_position(app, today):
    kim = app.register_person("kim", "Kim", ["peer_worker"])
    r = app.stage_report(kim, on=DAY)
    assert (r.held, r.expected, r.expected_due_on, r.in_induction, r.missing) == (None, None, None, False, [])


def test_stage_held_once_every_competence_is_signed_at_basic(app, org, today):
    w, sam = org["wendy"], org["sam"]
    ev = evidence(app, w)
    for code in COMPETENCES[:-1]:
        sign_off(app, w, sam, code, ["Basic"], [ev])
    r = app.stage_report(w, on=DAY)
    assert (r.held, r.expected, r.missing) == (None, "ESSENTIAL", ["PRAC-4"])
    sign_off(app, w, sam, "PRAC-4", ["Basic"], [ev])
    r = app.stage_report(w, on=DAY)
    assert (r.held, r.missing) == ("ESSENTIAL", [])
    sign_off(app, w, sam, "REL-2", ["Intermediate"], [ev])
    later = app.stage_report(w, on="2025-06-01")  # two years in: Intermediate is expected
    assert (later.held, later.expected) == ("ESSENTIAL", "PEER-PRACTITIONER")
    assert later.missing == [c for c in COMPETENCES if c != "REL-2"]


# --- withdrawn evidence and past stages ----------------------------------------------------------
def test_approval_refused_when_all_evidence_was_withdrawn(app, org, today):
    w, sam = org["wendy"], org["sam"]
    ev = evidence(app, w)
    rid = request(app, w, evidence_ids=[ev])
    app.withdraw_evidence(w, ev)
    with pytest.raises(EvidenceRequired, match="all the evidence behind this request has been withdrawn"):
        app.approve_sign_off(w, rid, sam)
    app.return_sign_off(w, rid, sam, "Please add new evidence.")  # returning it is still possible
    assert app.portfolio(w).requests[str(rid)]["status"] == "returned"


def test_stage_report_for_a_past_date_counts_only_sign_offs_made_by_then(app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2024-03-01"):
        for code in COMPETENCES:
            sign_off(app, w, sam, competence=code)
    with at("2024-06-01"):
        app.revoke_sign_off(w, app.portfolio(w).open_request("REL-1") or next(
            rid for rid, r in app.portfolio(w).requests.items() if r["competence"] == "REL-1"), sam, "Recheck")
        assert app.stage_report(w, on="2024-02-28").held is None  # before any sign-off
        assert app.stage_report(w, on="2024-03-01").held == "ESSENTIAL"  # the day of the sign-offs
        assert app.stage_report(w, on="2024-05-31").held == "ESSENTIAL"  # before the revocation
        assert app.stage_report(w).held is None  # today: REL-1 Basic is revoked
        assert app.stage_report(w).missing == ["REL-1"]
