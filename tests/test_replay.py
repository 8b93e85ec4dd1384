"""Every event type is written and read back: a second application over the same database replays
each aggregate to exactly the state the commands left in memory, with and without snapshots, and
at earlier versions. Runs on SQLite and PostgreSQL.

The list of event types is taken from the domain classes, so a new event type that no step here
triggers makes `test_history_triggers_every_event_type` fail.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
from datetime import date
from decimal import Decimal

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import AggregateCreated, BaseAggregate, CanMutateAggregate
from eventsourcing.utils import get_topic

import portfolio.domain
from portfolio.domain.due import Due
from portfolio.domain.frameworks import Framework
from portfolio.domain.portfolio import Portfolio
from portfolio.frameworks import catalogue
from portfolio.runtime import open_runtime

PDF = b"%PDF-1.4\n% replay test\n%%EOF\n"
EXTRA_TRAININGS = 40  # takes the worker's portfolio from 27 to 67 events: past the snapshot at 50


def domain_event_classes() -> set[type]:
    """Concrete event classes of every aggregate defined in portfolio.domain (bases left out)."""
    found: set[type] = set()
    for info in pkgutil.iter_modules(portfolio.domain.__path__):
        module = importlib.import_module(f"portfolio.domain.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, BaseAggregate):
                continue
            events = {v for v in vars(cls).values() if inspect.isclass(v) and issubclass(v, CanMutateAggregate)}
            # The library gives every aggregate class a default `Created`; it is only used when the
            # aggregate names no creation event of its own (e.g. @event("Registered") on __init__).
            if any(issubclass(e, AggregateCreated) and e.__name__ != "Created" for e in events):
                events = {e for e in events if e.__name__ != "Created"}
            found |= events
    return {c for c in found if not any(d is not c and issubclass(d, c) for d in found)}


def test_event_class_discovery_sees_the_domain():
    topics = {get_topic(c) for c in domain_event_classes()}
    for known in ("Person.Registered", "Person.SupervisionEnded", "Username.Reserved", "Framework.Registered",
                  "Portfolio.Opened", "Portfolio.SignOffRevoked", "Portfolio.ExposureChanged"):
        assert any(t.endswith(":" + known) for t in topics), known
    assert not any(t.endswith((".Event", ".Created")) for t in topics)  # only the concrete ones
    assert len(topics) >= 24


def _tag_framework(version: str, title: str) -> dict:
    doc = copy.deepcopy(next(d for d in catalogue.builtin_documents() if d["id"] == "who-roles"))
    doc.update(id="replay-tags", version=version, title=title)
    return doc


def _legacy_read(app, worker, reader, item) -> None:
    """One read as logs written before AccessLog.ContentsRead hold it: a ContentRead per item."""
    from datetime import datetime, timezone

    from portfolio.domain.access_log import AccessLog

    log = app.repository.get(AccessLog.create_id(worker))
    log._read(reader_id=reader, reader_role="supervisor", item_kind="reflection", item_id=item, where="old",
              read_at=datetime.now(timezone.utc))
    app.save(log)


def build_history(app, at) -> dict:
    """Commands that between them raise every event type; returns the ids used."""
    with at("2023-01-02"):
        sam = app.register_person("sam", "Sam Supervisor", ["supervisor"])
        sue = app.register_person("sue", "Sue Other", ["supervisor"])
        ada = app.register_person("ada", "Ada Admin", ["org_admin"])
        w = app.register_person("wendy", "Wendy Worker", ["peer_worker"])
        app.change_roles(ada, ["org_admin", "auditor"])
        app.set_password_hash(w, "$argon2id$v=19$fake")
        app.issue_api_token(w)
        app.start_position(w, "peer_worker", "2023-01-02", 90)
        app.assign_supervisor(w, sam, "2023-01-02")
        app.assign_supervisor(w, sue, "2023-01-02")
        app.end_supervision(w, sue, "2023-12-31")
    with at("2024-03-01"):
        app.start_position(w, "team_leader", "2024-03-01", 30)
        wrong = app.record_leave(w, "leave", "2023-05-01", "2023-05-31", by=ada)
        app.withdraw_leave(w, wrong, by=ada)
        app.record_leave(w, "career break", "2023-06-01", "2023-06-30", by=sam)
    with at("2024-05-01"):
        app.record_training(w, "Boundaries", "Recovery College", "2024-04-10", "5.25", "face_to_face",
                            ["TE-1", "TE-3"], True, "Open College", {"RELEVANCE": 5, "SAFETY": 4})
        sup = app.record_supervision(w, sam, "2024-04-30", "process", "one_to_one", "video", 55,
                                     ["boundaries"], "read the policy", "talked about boundaries")
        ref = app.write_reflection(w, "grow", "My goal", {"G": "g", "R": "r"}, ["REL-1"])
        app.amend_reflection(w, ref, "My goal (2)", {"G": "g2", "O": "o", "W": "w"}, ["REL-1", "C1.1"])
        app.change_exposure(w, "reflection", ref, "supervisors")
        app.change_tags(w, "reflection", ref, ["who-roles:ROLE-1", "core-clusters:C2"])
        ev = app.add_evidence(w, "Certificate", "training_record", "boundaries course",
                              [("REL-1", "Basic"), ("REL-1", "Intermediate")], ("cert.pdf", "application/pdf", PDF))
        gone = app.add_evidence(w, "Draft", "other", "", [("REL-2", "Basic")])
        app.withdraw_evidence(w, gone)
        goal = app.set_goal(w, "Co-facilitate a group", ["GOAL-2"], "2024-09-30")
        app.review_goal(w, goal, "achieved", 8, "done it")
        revoked = app.request_sign_off(w, "REL-1", ["Basic", "Intermediate"], [ev])
        app.approve_sign_off(w, revoked, sam)
        app.revoke_sign_off(w, revoked, ada, "audit finding")
        returned = app.request_sign_off(w, "REL-1", ["Basic"], [ev])
        app.return_sign_off(w, returned, sam, "add a testimonial")
        withdrawn = app.request_sign_off(w, "REL-1", ["Basic"], [ev])
        app.withdraw_sign_off(w, withdrawn)
        approved = app.request_sign_off(w, "REL-1", ["Basic"], [ev])
        app.approve_sign_off(w, approved, sam)
        story = app.write_reflection(w, "free", "A friend's story", "told with permission", [], others_story=True)
        app.confirm_story_permission(w, "reflection", story)
        bob = app.register_person("bob", "Bob Buddy", ["peer_worker"])
        app.assign_buddy(w, bob, "2024-04-01")
        app.record_buddy_meeting(w, bob, "2024-04-15", 40, "what we shared")
        app.end_buddy(w, bob, "2024-04-30")
        app.record_read(w, app.person(sam), "reflection", ref, "summary")
        _legacy_read(app, w, sam, ref)
        gone_worker = app.register_person("gwen", "Gwen Gone", ["peer_worker"])
        app.erase_worker(gone_worker, ada, "request 2024-05-01 by email")
        app.issue_password_reset(sue, ada)
        app.set_temporary_password(sue, ada)
        app.deactivate_person(sue, ada, "left in May")
        app.reactivate_person(sue, ada)
        app.record_supervisor_background(sue, ada, "peer")  # 004:696
        app.request_erasure(sue)
        app.withdraw_erasure_request(sue)
        app.request_erasure(sue)
        app.decline_erasure_request(sue, ada, "sign-offs are still being audited")
        app.load_framework(_tag_framework("1", "Replay tags"))
        app.load_framework(_tag_framework("2", "Replay tags, revised"))
        app.change_org_settings(ada, due_warning_days=45)
        checklist = app.framework_document("org-self-assessment")["items"]
        app.complete_self_assessment(ada, {i["code"]: "partly" for i in checklist}, {checklist[0]["code"]: "a note"})
        app.notice_level_due(w, Due("PEER-PRACTITIONER", "Intermediate", date(2025, 1, 2), 22, False))
        course = app.register_programme(ada, "Peer basics", "Local College", "", "Lived experience")
        app.add_programme_session(course, ada, "D1", "Day one", "6", ["HEE-01"], ["TE-1"])
        app.change_programme_session(course, ada, "D1", "Day one", "3.5", ["HEE-01", "REL-1"], ["TE-1"])
        app.record_accreditation(course, ada, "City University", "2024-01-01")
        app.end_accreditation(course, ada, "2024-01-01", "2024-12-31")
        app.record_attendance(w, course, "D1", "2024-04-20")
    for n in range(EXTRA_TRAININGS):
        with at(f"2024-06-{n % 28 + 1:02d}"):
            app.record_training(w, f"Session {n}", "Provider", f"2024-06-{n % 28 + 1:02d}", Decimal("1.5"),
                                "online")
    return dict(sam=sam, sue=sue, ada=ada, wendy=w, supervision=sup, reflection=ref, evidence=ev,
                approved=approved)


@pytest.fixture
def recorded(app, at, monkeypatch):
    """Run the history, keeping the in-memory aggregates each command saved and a copy of their
    state at every version."""
    latest: dict = {}
    states: dict = {}
    real_save = app.save

    def spy(*aggregates, **kwargs):
        result = real_save(*aggregates, **kwargs)
        for agg in aggregates:
            latest[agg.id] = agg
            states[(agg.id, agg.version)] = copy.deepcopy(agg.__dict__)
        return result

    monkeypatch.setattr(app, "save", spy)
    ids = build_history(app, at)
    monkeypatch.undo()
    return ids, latest, states


@pytest.fixture
def second_app(settings, recorded):
    runtime = open_runtime(settings)
    try:
        yield runtime.app
    finally:
        runtime.close()


def test_history_triggers_every_event_type(app, recorded):
    seen = {n.topic for n in app.recorder.select_notifications(start=1, limit=10000)}
    expected = {get_topic(c) for c in domain_event_classes()}
    assert expected - seen == set(), "event types no step of build_history triggers"


def test_second_application_replays_every_aggregate_exactly(app, recorded, second_app):
    _, latest, _ = recorded
    notified = {n.originator_id for n in app.recorder.select_notifications(start=1, limit=10000)}
    assert set(latest) <= notified
    for agg_id, original in latest.items():
        replayed = second_app.repository.get(agg_id)
        assert type(replayed) is type(original)
        assert replayed.version == original.version
        assert replayed.__dict__ == original.__dict__, f"{type(original).__name__} {agg_id}"
    for agg_id in notified - set(latest):  # built-in frameworks, recorded before the spy
        assert second_app.repository.get(agg_id).__dict__ == app.repository.get(agg_id).__dict__


def test_replayed_values_keep_their_types(recorded, second_app):
    ids, _, _ = recorded
    w = ids["wendy"]
    pf = second_app.portfolio(w)
    training = next(t for t in pf.trainings.values() if second_app.read_text(w, t["title_sealed"]) == "Boundaries")
    assert training["hours"] == Decimal("5.25") and isinstance(training["hours"], Decimal)
    assert training["held_on"].isoformat() == "2024-04-10" and type(training["held_on"]).__name__ == "date"
    assert pf.requests[str(ids["approved"])]["decided_by"] == ids["sam"]
    assert second_app.read_text(w, pf.supervisions[str(ids["supervision"])]["notes_sealed"]) == \
        "talked about boundaries"
    assert second_app.evidence_file(w, ids["evidence"]) == ("cert.pdf", "application/pdf", PDF)
    assert pf.held_levels("REL-1") == ["Basic"]
    assert second_app.person(ids["sue"]).username == "sue"
    assert second_app.find_username("WENDY") == w


def test_builtin_frameworks_replay_to_their_files(second_app):
    for doc in catalogue.builtin_documents():
        fw = second_app.repository.get(Framework.create_id(doc["id"]))
        assert fw.document(str(doc["version"])) == doc
        assert fw.digests[str(doc["version"])] == catalogue.digest(doc)


def test_custom_framework_keeps_both_versions(recorded, second_app):
    fw = second_app.repository.get(Framework.create_id("replay-tags"))
    assert list(fw.versions) == ["1", "2"] and fw.current == "2"
    assert fw.document("1")["title"] == "Replay tags"
    assert fw.document()["title"] == "Replay tags, revised"


def test_portfolio_snapshot_and_replay_without_it(recorded, second_app):
    ids, latest, states = recorded
    pf_id = Portfolio.create_id(ids["wendy"])
    original = latest[pf_id]
    assert original.version == 27 + EXTRA_TRAININGS
    snapshots = list(second_app.snapshots.get(pf_id))
    assert [s.originator_version for s in snapshots] == [50]
    assert snapshots[0].mutate(None).__dict__ == states[(pf_id, 50)]
    # with the snapshot (the repository starts from it) and from the events alone
    assert second_app.repository.get(pf_id).__dict__ == original.__dict__
    from_events = project_aggregate(None, second_app.events.get(pf_id))
    assert from_events.__dict__ == original.__dict__
    # people have fewer than 50 events each: no snapshot, replayed from events
    assert list(second_app.snapshots.get(ids["wendy"])) == []


@pytest.mark.parametrize("version", [1, 2, 6, 14, 20, 49, 50, 51, 60])
def test_earlier_versions_match_what_they_were_then(recorded, second_app, version):
    ids, _, states = recorded
    pf_id = Portfolio.create_id(ids["wendy"])
    then = second_app.repository.get(pf_id, version=version)
    assert then.version == version
    assert then.__dict__ == states[(pf_id, version)]


def test_earlier_person_version(recorded, second_app):
    ids, _, states = recorded
    w = ids["wendy"]
    versions = sorted(v for (agg_id, v) in states if agg_id == w)
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 6
    for version in versions:
        assert second_app.repository.get(w, version=version).__dict__ == states[(w, version)]
    before_end = second_app.repository.get(w, version=versions[-8])  # before the end, team leader, leave, buddy
    assert before_end.assignments[1]["ends_on"] is None
    assert second_app.person(w).assignments[1]["ends_on"].isoformat() == "2023-12-31"
