"""People and supervision rules, through the application service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain_helpers import DAY
from portfolio.domain.errors import AssignmentConflict, InvalidValue, NotFound, SupervisorNotAssigned
from portfolio.domain.people import Username


@pytest.fixture
def today(at):
    with at(DAY):
        yield


# --- accounts ----------------------------------------------------------------------------------------
def test_registration_stores_lowercase_username_sorted_roles_and_sealed_name(app, today):
    pid = app.register_person("Kim.O-Neil_2", "Kim O'Neil", ["supervisor", "peer_worker", "supervisor"])
    person = app.person(pid)
    assert person.username == "kim.o-neil_2"
    assert person.roles == ["peer_worker", "supervisor"]
    assert person.joined_on == date.fromisoformat(DAY)
    assert "Kim" not in person.name_sealed and app.display_name(person) == "Kim O'Neil"
    assert app.find_username("KIM.O-NEIL_2") == pid
    assert app.portfolio(pid).worker_id == pid  # a peer worker gets a portfolio


@pytest.mark.parametrize("taken", ["sam", "SAM", "Sam", " sam "])
def test_usernames_are_unique_case_insensitively(app, org, today, taken):
    with pytest.raises(InvalidValue, match="username: 'sam' is already taken"):
        app.register_person(taken, "Another Sam", ["peer_worker"])
    assert app.find_username("sam") == org["sam"]
    assert len(app.people()) == 5


@pytest.mark.parametrize("username, message", [
    ("", "username: is required"),
    ("   ", "username: is required"),
    ("bad name", "username: may hold only letters, digits"),
    ("x@y", "may hold only letters, digits, '.', '-' and '_'"),
    ("a" * 81, "username: is longer than 80 characters"),
])
def test_invalid_username_is_refused(app, today, username, message):
    with pytest.raises(InvalidValue, match=message):
        app.register_person(username, "Some One", ["peer_worker"])
    assert app.people() == []


def test_refused_registration_leaves_the_username_free(app, today):
    with pytest.raises(InvalidValue, match="roles"):
        app.register_person("kim", "Kim", ["wizard"])
    assert Username.create_id("kim") not in app.repository
    with pytest.raises(NotFound, match="no account named 'kim'"):
        app.find_username("kim")
    pid = app.register_person("kim", "Kim", ["peer_worker"])
    assert app.find_username("kim") == pid


@pytest.mark.parametrize("roles, message", [
    ([], "roles: at least one role is required"),
    (["wizard"], "roles: must be one of peer_worker, supervisor, org_admin, auditor \\(got 'wizard'\\)"),
    (["peer_worker", "boss"], "got 'boss'"),
])
def test_roles_must_be_known(app, today, roles, message):
    with pytest.raises(InvalidValue, match=message):
        app.register_person("kim", "Kim", roles)


def test_change_roles_checks_roles_and_opens_a_portfolio(app, org, today):
    sue = org["sue"]
    with pytest.raises(InvalidValue, match="got 'wizard'"):
        app.change_roles(sue, ["supervisor", "wizard"])
    with pytest.raises(InvalidValue, match="at least one role"):
        app.change_roles(sue, [])
    with pytest.raises(NotFound, match="no portfolio"):
        app.portfolio(sue)
    app.change_roles(sue, ["supervisor", "peer_worker"])
    assert app.person(sue).roles == ["peer_worker", "supervisor"]
    assert app.portfolio(sue).worker_id == sue


# --- supervisor assignments ------------------------------------------------------------------------
def test_assignment_is_recorded(app, org):
    assert app.person(org["wendy"]).assignments == [
        {"supervisor_id": org["sam"], "starts_on": date(2023, 1, 2), "ends_on": None}]


@pytest.mark.parametrize("starts_on, ends_on", [
    ("2024-01-01", None), ("2022-01-01", "2023-01-02"), ("2022-01-01", None)])
def test_overlapping_assignment_is_refused(app, org, starts_on, ends_on):
    with pytest.raises(AssignmentConflict, match="this supervisor is already assigned from 2023-01-02 "
                                                 "with no end date"):
        app.assign_supervisor(org["wendy"], org["sam"], starts_on, ends_on)
    assert len(app.person(org["wendy"]).assignments) == 1


def test_non_overlapping_assignments_of_the_same_supervisor(app, org):
    w, sue = org["wendy"], org["sue"]
    app.assign_supervisor(w, sue, "2023-01-02", "2023-06-30")
    with pytest.raises(AssignmentConflict, match="already assigned from 2023-01-02 to 2023-06-30"):
        app.assign_supervisor(w, sue, "2023-06-30")
    app.assign_supervisor(w, sue, "2023-07-01")
    person = app.person(w)
    assert person.supervisors_on(date(2023, 7, 1)) == [org["sam"], sue]
    assert person.supervisors_on(date(2023, 6, 30)) == [org["sam"], sue]


def test_assigning_a_non_supervisor_is_refused(app, org):
    for who in ("ada", "aud"):
        with pytest.raises(InvalidValue, match=f"supervisor: {who} does not have the supervisor role"):
            app.assign_supervisor(org["wendy"], org[who], "2024-01-01")


def test_assigning_to_someone_without_a_portfolio_is_refused(app, org):
    with pytest.raises(NotFound, match="sue has no portfolio"):
        app.assign_supervisor(org["sue"], org["sam"], "2024-01-01")


def test_assignment_end_before_start_is_refused(app, org):
    with pytest.raises(InvalidValue, match="ends_on: 2024-01-01 is before the start 2024-02-01"):
        app.assign_supervisor(org["wendy"], org["sue"], "2024-02-01", "2024-01-01")


def test_end_supervision_sets_the_end(app, org):
    w, sam = org["wendy"], org["sam"]
    app.end_supervision(w, sam, "2024-04-30")
    person = app.person(w)
    assert person.assignments[0]["ends_on"] == date(2024, 4, 30)
    assert person.was_supervised_by(sam, date(2024, 4, 30))
    assert not person.was_supervised_by(sam, date(2024, 5, 1))
    with pytest.raises(AssignmentConflict, match="no open-ended assignment to end"):
        app.end_supervision(w, sam, "2024-06-30")


def test_end_supervision_checks_dates_and_supervisor(app, org):
    with pytest.raises(InvalidValue, match="ends_on: 2022-12-31 is before the start 2023-01-02"):
        app.end_supervision(org["wendy"], org["sam"], "2022-12-31")
    with pytest.raises(AssignmentConflict, match="no open-ended assignment"):
        app.end_supervision(org["wendy"], org["sue"], "2024-01-01")
    with pytest.raises(InvalidValue, match="ends_on: 'soon' is not a date"):
        app.end_supervision(org["wendy"], org["sam"], "soon")


# --- positions ---------------------------------------------------------------------------------------
def test_position_must_start_after_the_previous(app, org):
    w = org["wendy"]
    for day in ("2023-01-02", "2022-12-01"):
        with pytest.raises(InvalidValue, match="starts_on: must be after the start of the current position "
                                               "\\(2023-01-02\\)"):
            app.start_position(w, "team_leader", day)
    app.start_position(w, "team_leader", "2023-01-03")
    assert [p["position"] for p in app.person(w).positions] == ["peer_worker", "team_leader"]


def test_unknown_position_is_refused(app, org):
    with pytest.raises(InvalidValue, match="position: must be one of peer_worker, team_leader"):
        app.start_position(org["wendy"], "captain", "2024-01-01")


@pytest.mark.parametrize("days", [-1, 731])
def test_induction_days_out_of_range(app, org, days):
    with pytest.raises(InvalidValue, match="induction_days: must be between 0 and 730"):
        app.start_position(org["wendy"], "team_leader", "2024-01-01", days)
    assert len(app.person(org["wendy"]).positions) == 1


@pytest.mark.parametrize("days", [0, 730])
def test_induction_days_bounds_accepted(app, org, days):
    app.start_position(org["wendy"], "team_leader", "2024-01-01", days)
    assert app.person(org["wendy"]).positions[-1] == {
        "position": "team_leader", "starts_on": date(2024, 1, 1), "induction_days": days}


# --- supervision sessions ----------------------------------------------------------------------------
def _supervision(app, org, supervisor="sam", held_on="2024-04-30", format="one_to_one", minutes=60,
                 notes="talked about boundaries"):
    return app.record_supervision(org["wendy"], org[supervisor], held_on, "process", format, "video",
                                  minutes, ["boundaries", "  "], "read the policy", notes)


def test_supervision_is_recorded_with_sealed_notes(app, org, today):
    w = org["wendy"]
    sid = _supervision(app, org)
    s = app.portfolio(w).supervisions[str(sid)]
    assert (s["held_on"], s["supervisor_id"], s["minutes"]) == (date(2024, 4, 30), org["sam"], 60)
    assert app.topics(w, s["topics_sealed"]) == ["boundaries"] and s["exposure"] == "private"
    assert "boundaries" not in s["topics_sealed"]
    assert "boundaries" not in s["notes_sealed"] and "policy" not in s["actions_sealed"]
    assert app.read_text(w, s["notes_sealed"]) == "talked about boundaries"
    assert app.read_text(w, s["actions_sealed"]) == "read the policy"
    stored = b"".join(n.state for n in app.recorder.select_notifications(start=1, limit=10000))
    assert b"talked about boundaries" not in stored and b"read the policy" not in stored


def test_one_to_one_with_unassigned_supervisor_is_refused(app, org, today):
    with pytest.raises(SupervisorNotAssigned, match="that supervisor was not assigned to this worker on 2024-04-30"):
        _supervision(app, org, supervisor="sue")
    assert app.portfolio(org["wendy"]).supervisions == {}
    _supervision(app, org, supervisor="sue", format="group")  # group supervision needs no assignment


def test_one_to_one_before_the_assignment_started_is_refused(app, org, today):
    with pytest.raises(SupervisorNotAssigned, match="not assigned to this worker on 2023-01-01"):
        _supervision(app, org, held_on="2023-01-01")
    _supervision(app, org, held_on="2023-01-02")


def test_supervision_in_the_future_is_refused(app, org, today):
    with pytest.raises(InvalidValue, match="held_on: a supervision session cannot be recorded in the future"):
        _supervision(app, org, held_on="2024-05-03")
    _supervision(app, org, held_on="2024-05-02")  # a day's grace: ahead of UTC it is already tomorrow
    _supervision(app, org, held_on=DAY)  # today is fine


@pytest.mark.parametrize("minutes, ok", [(4, False), (5, True), (480, True), (481, False)])
def test_supervision_minutes_range(app, org, today, minutes, ok):
    if ok:
        sid = _supervision(app, org, minutes=minutes)
        assert app.portfolio(org["wendy"]).supervisions[str(sid)]["minutes"] == minutes
    else:
        with pytest.raises(InvalidValue, match="minutes: must be between 5 and 480"):
            _supervision(app, org, minutes=minutes)


def test_worker_cannot_be_their_own_supervisor_in_a_session(app, org, today):
    with pytest.raises(InvalidValue, match="supervisor: a worker cannot record themselves"):
        _supervision(app, org, supervisor="wendy", format="peer")


@pytest.mark.parametrize("field, args", [
    ("orientation", dict(orientation="chat")), ("format", dict(format="solo")), ("mode", dict(mode="fax"))])
def test_supervision_vocabularies(app, org, today, field, args):
    values = dict(orientation="task", format="one_to_one", mode="phone") | args
    with pytest.raises(InvalidValue, match=f"{field}: must be one of"):
        app.record_supervision(org["wendy"], org["sam"], "2024-04-30", values["orientation"], values["format"],
                               values["mode"], 60)


def test_supervision_of_unknown_people(app, org, today):
    with pytest.raises(NotFound, match="no person"):
        app.record_supervision(org["wendy"], uuid4(), "2024-04-30", "task", "group", "phone", 60)
    with pytest.raises(NotFound, match="sam has no portfolio"):
        app.record_supervision(org["sam"], org["sue"], "2024-04-30", "task", "group", "phone", 60)

