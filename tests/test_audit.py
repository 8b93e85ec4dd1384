"""The accreditation audit trail: each flag from a history built to trigger it, absent otherwise."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from eventsourcing.persistence import StoredEvent

from portfolio.projections.queries import audit_csv

FLAGS = {"decided by someone not assigned then", "level held without the level below", "revoked",
         "no supervision in the 90 days before", "training from a programme not accredited",
         "evidence withdrawn after the request", "evidence made private after the request",
         "decided after the decider's account was erased"}


def sign(app, w, sam, competence, levels, *, links=None, kind="reflection"):
    ev = app.add_evidence(w, f"Evidence {competence}", kind, "", [(competence, lv) for lv in levels], links=links)
    rid = app.request_sign_off(w, competence, levels, [ev])
    app.approve_sign_off(w, rid, sam)
    return rid, ev


@pytest.fixture
def supervised(app, org, at):
    """Wendy had a supervision session on 2024-04-01, so decisions in April are not flagged for it."""
    with at("2024-04-01"):
        app.record_supervision(org["wendy"], org["sam"], "2024-04-01", "task", "one_to_one", "in_person", 60, [],
                               "", "")
    return org


def audit(runtime, **filters):
    return {r["request_id"]: r for r in runtime.read_models().audit(**filters)}


def test_clean_decision_has_no_flags(app, runtime, supervised, at):
    w, sam = supervised["wendy"], supervised["sam"]
    with at("2024-04-10"):
        tid, _ = app.record_training(w, "Accredited course", "College", "2024-04-10", 3, "online", [], True, "Uni")
        rid, _ = sign(app, w, sam, "REL-1", ["Basic"], links=[tid], kind="training_record")
    row = audit(runtime)[str(rid)]
    assert row["flags"] == [] and row["assigned_then"] is True
    assert (row["decided_by"], row["decided_role"]) == (str(sam), "supervisor")
    assert (row["framework_id"], row["framework_version"]) == ("worker-competences", "1")
    assert [e.kind for e in row["evidence"]] == ["training_record"]  # structure only: no title
    assert not hasattr(row["evidence"][0], "title")


def test_revoked_sign_off_is_flagged(app, runtime, supervised, at):
    w, sam, ada = supervised["wendy"], supervised["sam"], supervised["ada"]
    with at("2024-04-10"):
        rid, _ = sign(app, w, sam, "REL-1", ["Basic"])
    with at("2024-04-20"):
        app.revoke_sign_off(w, rid, ada, "Wrong person's evidence")
    row = audit(runtime)[str(rid)]
    assert row["flags"] == ["revoked"] and row["revoked_role"] == "org_admin"


def test_level_held_without_the_level_below(app, runtime, supervised, at):
    w, sam, ada = supervised["wendy"], supervised["sam"], supervised["ada"]
    with at("2024-04-10"):
        basic, _ = sign(app, w, sam, "REL-2", ["Basic"])
        inter, _ = sign(app, w, sam, "REL-2", ["Intermediate"])
        both, _ = sign(app, w, sam, "REL-3", ["Basic", "Intermediate"])
    assert audit(runtime)[str(inter)]["flags"] == []
    with at("2024-04-12"):
        app.revoke_sign_off(w, basic, ada, "Recheck")
    rows = audit(runtime)
    assert rows[str(inter)]["flags"] == ["level held without the level below"]
    assert rows[str(both)]["flags"] == []  # Basic and Intermediate signed together


def test_no_supervision_in_the_90_days_before(app, runtime, supervised, at):
    w, sam = supervised["wendy"], supervised["sam"]
    with at("2024-06-29"):  # 89 days after the session
        inside, _ = sign(app, w, sam, "GOAL-1", ["Basic"])
    with at("2024-07-01"):  # 91 days after
        outside, _ = sign(app, w, sam, "GOAL-2", ["Basic"])
    rows = audit(runtime)
    assert rows[str(inside)]["flags"] == []
    assert rows[str(outside)]["flags"] == ["no supervision in the 90 days before"]


def test_training_from_a_programme_not_accredited(app, runtime, supervised, at):
    w, sam = supervised["wendy"], supervised["sam"]
    with at("2024-04-10"):
        tid, _ = app.record_training(w, "In-house session", "Team", "2024-04-10", 2, "face_to_face", [], False, "")
        flagged, _ = sign(app, w, sam, "PRAC-1", ["Basic"], links=[tid], kind="training_record")
        plain, _ = sign(app, w, sam, "PRAC-2", ["Basic"])  # same worker, evidence not from that training
    rows = audit(runtime)
    assert rows[str(flagged)]["flags"] == ["training from a programme not accredited"]
    assert rows[str(plain)]["flags"] == []


def test_evidence_withdrawn_after_approval(app, runtime, supervised, at):
    w, sam = supervised["wendy"], supervised["sam"]
    with at("2024-04-10"):
        rid, ev = sign(app, w, sam, "PRAC-3", ["Basic"])
        app.withdraw_evidence(w, ev)
    assert audit(runtime)[str(rid)]["flags"] == ["evidence withdrawn after the request"]


def test_evidence_made_private_after_approval(app, runtime, supervised, at):
    w, sam = supervised["wendy"], supervised["sam"]
    with at("2024-04-10"):
        rid, ev = sign(app, w, sam, "PRAC-3", ["Basic"])
    assert audit(runtime)[str(rid)]["flags"] == []  # requesting shared it with the supervisor
    with at("2024-04-11"):
        app.change_exposure(w, "evidence", ev, "private")
    assert audit(runtime)[str(rid)]["flags"] == ["evidence made private after the request"]


def test_decision_by_someone_not_assigned_then(app, runtime, supervised, at):
    """The domain refuses such decisions; an imported log can still hold one, and the audit shows it."""
    w, sue = supervised["wendy"], supervised["sue"]
    with at("2024-04-10"):
        ev = app.add_evidence(w, "Evidence", "reflection", "", [("PRAC-4", "Basic")])
        rid = app.request_sign_off(w, "PRAC-4", "Basic", [ev])
    pf = app.portfolio(w)
    event = app.mapper.to_stored_event(
        type(pf).SignOffApproved(originator_id=pf.id, originator_version=pf.version + 1,
                                 timestamp=pf.modified_on, request_id=rid, supervisor_id=sue, role="supervisor",
                                 decided_at=pf.modified_on))
    app.recorder.insert_events([StoredEvent(event.originator_id, event.originator_version, event.topic,
                                            event.state)])
    row = audit(runtime)[str(rid)]
    assert row["assigned_then"] is False and row["flags"] == ["decided by someone not assigned then"]


def test_filters_and_csv(app, runtime, supervised, at):
    w, sam = supervised["wendy"], supervised["sam"]
    with at("2024-04-10"):
        april, _ = sign(app, w, sam, "REL-1", ["Basic"])
    with at("2024-05-10"):
        may, _ = sign(app, w, sam, "GOAL-4", ["Basic"])
    rm = runtime.read_models()
    assert [r["request_id"] for r in rm.audit(start=date(2024, 5, 1))] == [str(may)]
    assert [r["request_id"] for r in rm.audit(end=date(2024, 4, 30))] == [str(april)]
    assert [r["request_id"] for r in rm.audit(competence="REL-1")] == [str(april)]
    assert rm.audit(supervisor_id=str(supervised["sue"])) == []
    assert len(rm.audit(supervisor_id=str(sam))) == 2
    text = audit_csv(rm.audit(), {str(w): "Wendy Worker", str(sam): "Sam Supervisor"})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["worker"], r["competence"], r["decided_by"], r["assigned_then"]) for r in rows] == [
        ("Wendy Worker", "REL-1", "Sam Supervisor", "yes"), ("Wendy Worker", "GOAL-4", "Sam Supervisor", "yes")]
    assert all(flag in FLAGS for r in rm.audit() for flag in r["flags"])


def test_decision_recorded_after_the_deciders_erasure_is_flagged(app, runtime, supervised, at):
    """The application refuses such a decision now; a log written before that rule may hold one."""
    w, sam, ada = supervised["wendy"], supervised["sam"], supervised["ada"]
    with at("2024-04-05"):
        ev = app.add_evidence(w, "Evidence REL-1", "reflection", "", [("REL-1", "Basic")])
        rid = app.request_sign_off(w, "REL-1", ["Basic"], [ev])
    with at("2024-04-08"):
        app.erase_worker(sam, ada, "REQ-3")
    with at("2024-04-10"):  # as the old code allowed: straight through the domain
        pf = app.portfolio(w)
        pf.approve(rid, sam, app.person(w), "supervisor")
        app.save(pf)
    assert "decided after the decider's account was erased" in audit(runtime)[str(rid)]["flags"]
