"""The training register and attendance against it, through the application service."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain_helpers import DAY
from portfolio.domain.errors import DomainError, InvalidValue, NotFound
from portfolio.domain.programmes import Programme

HEE = Programme.builtin_id("hee-programme")


@pytest.fixture
def today(at):
    with at(DAY):
        yield


@pytest.fixture
def prog(app, org, today):
    return app.register_programme(org["ada"], "Peer basics", "Local College", admission_criteria="Lived experience")


def test_the_hee_programme_is_registered_by_init_with_its_sessions_and_competences(app):
    p = app.programme(HEE)
    assert list(p.sessions) == ["S1", "S2", "S3-4", "S5", "S6", "S7", "S8", "S9", "S10"]
    assert p.sessions["S1"]["title"] == "Working as a peer"
    assert p.sessions["S1"]["competences"][:3] == ["HEE-01", "HEE-02", "HEE-04"]
    assert all(s["hours"] is None and s["elements"] == [] for s in p.sessions.values())  # 001 states neither
    assert p.source == "hee-programme version 1" and p.registered_by is None
    assert p.accreditations == [] and "names no accrediting body" in p.note
    assert p.provider == "UCL Partners, Care City and PPL"


def test_loading_the_builtin_programmes_twice_changes_nothing(app):
    version = app.programme(HEE).version
    assert app.load_builtin_programmes() == []
    assert app.programme(HEE).version == version
    assert [p.id for p in app.programmes()] == [HEE]


def test_a_session_over_four_hours_is_flagged_not_refused(app, org, prog):
    warnings = app.add_programme_session(prog, org["ada"], "D1", "Day one", "6", ["HEE-01"], ["TE-1", "TE-6"])
    assert warnings == ["One training session should not take more than 4 hours (000:388)."]
    s = app.programme(prog).sessions["D1"]
    assert s["over_long"] is True and s["hours"] == Decimal("6.00") and s["elements"] == ["TE-1", "TE-6"]
    assert app.add_programme_session(prog, org["ada"], "D2", "Day two", "4", [], []) == []
    assert app.programme(prog).sessions["D2"]["over_long"] is False


def test_session_codes_and_mappings_are_checked(app, org, prog):
    app.add_programme_session(prog, org["ada"], "D1", "Day one", "3", [], [])
    with pytest.raises(InvalidValue, match="already has a session D1"):
        app.add_programme_session(prog, org["ada"], "D1", "Again", "3", [], [])
    with pytest.raises(InvalidValue, match="elements: unknown code"):
        app.add_programme_session(prog, org["ada"], "D2", "Day two", "3", [], ["TE-99"])
    with pytest.raises(InvalidValue, match="competences: unknown code"):
        app.add_programme_session(prog, org["ada"], "D2", "Day two", "3", ["NOPE-1"], [])
    with pytest.raises(InvalidValue, match="hours"):
        app.add_programme_session(prog, org["ada"], "D2", "Day two", "0", [], [])


def test_changing_a_session_is_a_new_event_and_keeps_the_flag_rule(app, org, prog):
    app.add_programme_session(prog, org["ada"], "D1", "Day one", "3", [], [])
    assert app.change_programme_session(prog, org["ada"], "D1", "Day one", "5", ["REL-1"], ["TE-2"]) == [
        "One training session should not take more than 4 hours (000:388)."]
    assert app.programme(prog).sessions["D1"]["competences"] == ["REL-1"]
    with pytest.raises(DomainError, match="nothing to change"):
        app.change_programme_session(prog, org["ada"], "D1", "Day one", "5", ["REL-1"], ["TE-2"])
    with pytest.raises(NotFound, match="no session 'D9'"):
        app.change_programme_session(prog, org["ada"], "D9", "x", "1", [], [])


def test_only_an_admin_keeps_the_register(app, org, prog):
    with pytest.raises(DomainError, match="only an organisation admin"):
        app.register_programme(org["aud"], "X", "Y")
    with pytest.raises(DomainError, match="only an organisation admin"):
        app.record_accreditation(prog, org["wendy"], "Uni", "2024-01-01")


def test_accreditation_dates(app, org, prog):
    app.record_accreditation(prog, org["ada"], "City University", "2023-01-01", "2023-12-31")
    with pytest.raises(InvalidValue, match="ends_on: 2022-01-01 is before the start"):
        app.record_accreditation(prog, org["ada"], "Other", "2023-01-01", "2022-01-01")
    with pytest.raises(InvalidValue, match="starts_on: overlaps the accreditation by City University"):
        app.record_accreditation(prog, org["ada"], "Other", "2023-06-01")
    app.record_accreditation(prog, org["ada"], "Open University", "2024-01-01")  # open-ended, after the first
    p = app.programme(prog)
    assert p.accreditation_on(p.accreditations[0]["starts_on"].replace(month=6))["institution"] == "City University"
    from datetime import date
    assert p.accreditation_on(date(2023, 12, 31))["institution"] == "City University"
    assert p.accreditation_on(date(2022, 12, 31)) is None
    assert p.accreditation_on(date(2030, 1, 1))["institution"] == "Open University"
    app.end_accreditation(prog, org["ada"], "2024-01-01", "2024-03-31")
    p = app.programme(prog)
    assert p.accreditation_on(date(2024, 4, 1)) is None and p.accreditations[1]["ended_by"] == org["ada"]
    with pytest.raises(InvalidValue, match="already ends on 2024-03-31"):
        app.end_accreditation(prog, org["ada"], "2024-01-01", "2024-05-01")
    with pytest.raises(InvalidValue, match="is before the start"):
        app.end_accreditation(prog, org["ada"], "2024-01-01", "2023-05-01")
    with pytest.raises(NotFound, match="no accreditation starting on 2025-01-01"):
        app.end_accreditation(prog, org["ada"], "2025-01-01", "2025-05-01")


def test_attendance_names_a_registered_session(app, org, prog):
    app.add_programme_session(prog, org["ada"], "D1", "Day one", "3", [], ["TE-1"])
    aid = app.record_attendance(org["wendy"], prog, "D1", "2024-04-01")
    a = app.portfolio(org["wendy"]).attendances[str(aid)]
    assert (a["programme_id"], a["session"], str(a["attended_on"])) == (prog, "D1", "2024-04-01")
    with pytest.raises(InvalidValue, match="session: Peer basics has no session 'D7'"):
        app.record_attendance(org["wendy"], prog, "D7", "2024-04-01")
    with pytest.raises(InvalidValue, match="programme_id: there is no such programme"):
        app.record_attendance(org["wendy"], "6f1c3c1e-0000-4000-8000-000000000000", "D1", "2024-04-01")
    with pytest.raises(InvalidValue, match="already recorded"):
        app.record_attendance(org["wendy"], prog, "D1", "2024-04-01")
    with pytest.raises(InvalidValue, match="attended_on: attendance cannot be recorded in the future"):
        app.record_attendance(org["wendy"], prog, "D1", "2024-06-01")
    with pytest.raises(NotFound):
        app.record_attendance(org["sam"], prog, "D1", "2024-04-01")  # not a peer worker
