"""Privacy a worker can see and control: exposure tiers and history, others' stories, the access
log, erasure by crypto-shredding and the subject-access export. On both backends."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from portfolio.crypto import KeyStore
from portfolio.domain.errors import Erased, NotFound, PermissionRequired
from portfolio.privacy import readers_on, subject_access, tier_periods
from portfolio.transfer import export_events

SEALED = re.compile(r"s1\.[A-Za-z0-9_\-=]+")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_someone_elses_story_needs_permission_before_sharing(app, org, at):
    w = org["wendy"]
    with at("2024-01-10"):
        rid = app.write_reflection(w, "free", "My friend's recovery", "What she told me", [], others_story=True)
        with pytest.raises(PermissionRequired, match="told with permission"):
            app.change_exposure(w, "reflection", rid, "supervisors")
        app.confirm_story_permission(w, "reflection", rid)
        app.change_exposure(w, "reflection", rid, "supervisors")
    item = app.portfolio(w).reflections[str(rid)]
    assert item["permission_confirmed"] and item["exposure"] == "supervisors"


def test_tiers_move_up_and_down_and_readers_follow_assignments(app, org, at):
    w, sam, sue = org["wendy"], org["sam"], org["sue"]
    with at("2024-01-10"):
        rid = app.write_reflection(w, "free", "T", "B", [])
    with at("2024-02-01"):
        app.change_exposure(w, "reflection", rid, "supervisors")
    with at("2024-03-01"):
        app.end_supervision(w, sam, "2024-02-29")
        app.assign_supervisor(w, sue, "2024-03-01")
    with at("2024-04-01"):
        app.change_exposure(w, "reflection", rid, "private")
    periods = tier_periods(app.portfolio(w), "reflection", rid)
    assert [p["tier"] for p in periods] == ["private", "supervisors", "private"]
    assert periods[-1]["to"] is None

    def names(when):
        return [r["name"] for r in readers_on(app, w, "reflection", rid, moment(when))["readers"]]

    assert names("2024-01-20") == ["Wendy Worker"]
    assert names("2024-02-15") == ["Wendy Worker", "Sam Supervisor"]
    assert names("2024-03-15") == ["Wendy Worker", "Sue Other"]
    assert names("2024-04-02") == ["Wendy Worker"]
    assert readers_on(app, w, "reflection", rid, moment("2024-01-01"))["tier"] is None


def test_access_log_records_reads_by_others_only(app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2024-01-10"):
        rid = app.write_reflection(w, "free", "T", "B", [])
        app.record_read(w, app.person(w), "reflection", rid, "own page")
        app.record_read(w, app.person(sam), "reflection", rid, "supervision summary")
    log = app.access_log(w)
    assert [(r["reader_id"], r["reader_role"], r["where"]) for r in log] == [(sam, "supervisor",
                                                                             "supervision summary")]


def test_erasure_shreds_text_everywhere_and_keeps_the_structure(runtime, app, org, at, tmp_path):
    w, sam, ada = org["wendy"], org["sam"], org["ada"]
    with at("2024-01-10"):
        rid = app.write_reflection(w, "free", "MARKERTITLE", "MARKERBODY", [])
        app.record_supervision(w, sam, "2024-01-10", "process", "one_to_one", "video", 60, [], "MARKERACT",
                               "MARKERNOTE")
        ev = app.add_evidence(w, "Certificate", "training_record", "MARKERDESC", [("REL-1", "Basic")],
                              ("c.txt", "text/plain", b"MARKERFILE"))
        req = app.request_sign_off(w, "REL-1", "Basic", [ev])
        app.approve_sign_off(w, req, sam)
    before = io.StringIO()
    export_events(app, before, runtime.settings.master_key())  # a backup taken before the erasure
    hers = [s for s in SEALED.findall(before.getvalue()) if app.read_text(w, s) is not None]
    opened = " ".join(app.read_text(w, s) for s in hers)
    assert all(m in opened for m in ("MARKERTITLE", "MARKERBODY", "MARKERACT", "MARKERNOTE", "MARKERDESC"))
    runtime.projector.catch_up_all()
    with at("2024-06-01"):
        app.erase_worker(w, ada, "written request 2024-05-30")
    after = io.StringIO()
    export_events(app, after, runtime.settings.master_key())
    # Every sealed text of hers, in the backup from before and the export after, is now unreadable,
    # also for a fresh process with the same master key.
    fresh = KeyStore(runtime.engine, runtime.settings.master_key())
    assert all(app.read_text(w, s) is None for s in hers)
    assert set(hers) <= set(SEALED.findall(after.getvalue()))
    assert not fresh.has_key(w)
    assert app.read_text(sam, app.person(sam).name_sealed) == "Sam Supervisor"  # others unaffected
    pf = app.portfolio(w)
    assert app.read_text(w, pf.reflections[str(rid)]["versions"][0]["body_sealed"]) is None
    with pytest.raises(NotFound):
        app.files.get(w, pf.evidence[str(ev)]["file"]["sha256"])
    # The structure accreditation needs stays: the level, who signed, when.
    assert pf.held_levels("REL-1") == ["Basic"] and pf.requests[str(req)]["decided_by"] == sam
    # Read models rebuild cleanly and show a placeholder for the name.
    runtime.projector.rebuild()
    rm = runtime.read_models()
    wendy = next(p for p in rm.people() if p.person_id == str(w))
    assert wendy.erased_at is not None and app.read_text(w, wendy.name_sealed) is None
    assert app.display_name(app.person(w)).startswith("(erased person")
    assert rm.matrix(str(w))[("REL-1", "Basic")]["state"] == "signed"
    assert [r["request_id"] for r in rm.audit()] == [str(req)]
    # No more changes, and no second erasure.
    with pytest.raises(Erased):
        app.write_reflection(w, "free", "again", "text", [])
    with pytest.raises(Erased, match="already erased"):
        app.erase_worker(w, ada, "again")


def test_erasure_errors(app, org):
    with pytest.raises(NotFound):
        app.erase_worker("00000000-0000-0000-0000-000000000000", org["ada"], "no one")
    with pytest.raises(Exception, match="only an organisation admin"):
        app.erase_worker(org["wendy"], org["sam"], "not an admin")


def test_subject_access_export_holds_everything_readable(runtime, app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2024-01-10"):
        rid = app.write_reflection(w, "grow", "My goal", {"G": "MARKERGOAL"}, [])
        app.change_exposure(w, "reflection", rid, "supervisors")
        app.record_read(w, app.person(sam), "reflection", rid, "supervision summary")
    data = subject_access(app, runtime.read_models(), w)
    assert data["person"]["name"] == "Wendy Worker"
    texts = [t for e in data["events"] for t in e["text"].values() if t]
    assert any("MARKERGOAL" in t for t in texts) and "My goal" in texts
    assert {e["type"] for e in data["events"]} >= {"Person.Registered", "Portfolio.ReflectionWritten",
                                                   "AccessLog.ContentsRead"}
    assert data["access_log"][0]["reader_id"] == str(sam)
    (item,) = [i for i in data["exposure"] if i["id"] == str(rid)]
    assert [p["tier"] for p in item["exposure"]["periods"]] == ["private", "supervisors"]
    assert data["current_views"]["timeline"]


FORBIDDEN = re.compile(r"diagnos|disab|medicat|treatment|illness|symptom|impairment|icd_?10|dsm",
                       re.IGNORECASE)


def test_no_field_for_diagnosis_treatment_or_disability_anywhere():
    """004:624-625: no diagnosis, treatment history or disability data, in any layer."""
    from marshmallow import Schema

    import portfolio.web.schemas as schemas
    from portfolio.db import metadata
    from portfolio.domain.access_log import AccessLog
    from portfolio.domain.frameworks import Framework
    from portfolio.domain.people import ApiToken, Person, Username
    from portfolio.domain.portfolio import Portfolio

    names: list[str] = []
    for aggregate in (Person, Portfolio, Framework, Username, ApiToken, AccessLog):
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, aggregate.Event):
                names += list(getattr(value, "__annotations__", {}))
                init = getattr(value, "__init__", None)
                names += list(getattr(init, "__code__", None).co_varnames if hasattr(init, "__code__") else [])
    for module in [schemas] + ([__import__("portfolio.web.api", fromlist=["x"])]):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema):
                names += list(value._declared_fields)
    names += [c.name for t in metadata.tables.values() for c in t.c] + list(metadata.tables)
    templates = Path(__file__).parents[1] / "portfolio/web/templates"
    for path in templates.rglob("*.html"):
        names += re.findall(r'name="([^"]+)"', path.read_text())
    assert len(names) > 100
    assert [n for n in names if FORBIDDEN.search(n)] == []


# --- everything a person typed, after erasure -----------------------------------------------------
TYPED = "ZZTYPED"


def _type_everything(app, ids, at) -> dict[str, str]:
    """Every field a person types about the worker, each with its own marker."""
    m = {k: f"{TYPED}{k}" for k in ("rtitle", "rbody", "ramend", "ttitle", "tprovider", "taccredited", "topic",
                                    "actions", "notes", "etitle", "edesc", "ename", "econtent", "goal", "review",
                                    "feedback", "reason", "etitle2")}
    w, sam, ada = ids["wendy"], ids["sam"], ids["ada"]
    with at("2024-03-01"):
        rid = app.write_reflection(w, "free", m["rtitle"], m["rbody"], [])
        app.amend_reflection(w, rid, m["rtitle"], m["ramend"], [])
        app.change_exposure(w, "reflection", rid, "accreditation")
        tid, _ = app.record_training(w, m["ttitle"], m["tprovider"], "2024-02-28", 2, "online", [], True,
                                     m["taccredited"])
        sid = app.record_supervision(w, sam, "2024-03-01", "process", "one_to_one", "video", 50, [m["topic"]],
                                     m["actions"], m["notes"])
        app.change_exposure(w, "supervision", sid, "supervisors")
        ev = app.add_evidence(w, m["etitle"], "observation", m["edesc"], [("GOAL-1", "Basic")],
                              (f"{m['ename']}.txt", "text/plain", m["econtent"].encode()), links=[tid])
        goal = app.set_goal(w, m["goal"], [], "2024-06-01")
        app.review_goal(w, goal, "open", 5, m["review"])
        app.change_exposure(w, "goal", goal, "supervisors")  # on the supervisor's summary until erased
        req = app.request_sign_off(w, "GOAL-1", "Basic", [ev])
        app.return_sign_off(w, req, sam, m["feedback"])
        req = app.request_sign_off(w, "GOAL-1", "Basic", [ev])
        app.approve_sign_off(w, req, sam)
        app.revoke_sign_off(w, req, ada, m["reason"])
        app.change_exposure(w, "evidence", ev, "accreditation")
        ev2 = app.add_evidence(w, m["etitle2"], "testimonial", "", [("GOAL-3", "Basic")])
        app.request_sign_off(w, "GOAL-3", "Basic", [ev2])  # open: in the supervisor's queue
    return m


def _every_get(web, callers, h) -> dict[str, str]:
    """Every GET route × every role, with and without htmx: {who GET url: body}."""
    from flask import url_for

    from test_no_leaks import _get
    from test_permissions import MATRIX, _resolve

    bodies = {}
    gets = [(e, c) for (e, method), cases in MATRIX.items() if method == "GET" for c in cases]
    for endpoint, case in gets:
        with web.app.test_request_context():
            url = url_for(endpoint, **_resolve(case.values, h))
        for who in ("wendy", "sam", "sue", "ada", "aud"):
            for headers in ({}, {"HX-Request": "true"}):
                response = _get(callers, who, url, headers)
                assert response.status_code < 500, f"{who} GET {url}: {response.status_code}"
                bodies[f"{who} GET {url} {headers or ''}"] = response.get_data(as_text=True)
    return bodies


def test_after_erasure_nothing_typed_is_readable_anywhere(web, runtime, at):
    """Pages (worker, supervisor, organisation, audit), the CSV, the API and event exports made before
    and after: nothing the worker typed, or anyone typed about them, is readable once erased; it is
    never in clear in the log, the read models or an export at all."""
    from test_encryption import _raw_storage
    from test_permissions import Callers, _history

    app = web.app.extensions["portfolio"].app  # the web's own (erasure in other processes is another test)
    h = _history(web, at)
    m = _type_everything(app, web.ids, at)
    web.app.extensions["portfolio"].projector.refresh()
    callers = Callers(web)
    before = _every_get(web, callers, h)
    seen = " ".join(before.values())
    # Shown to the permitted readers beforehand (the test really looks where the text would be).
    assert all(m[k] in seen for k in ("rtitle", "ttitle", "etitle", "etitle2", "feedback", "actions", "goal",
                                      "review")), \
        [k for k in m if m[k] not in seen]
    backup = io.StringIO()
    export_events(app, backup, web.app.extensions["portfolio"].settings.master_key())
    with at("2024-06-01"):
        app.erase_worker(web.ids["wendy"], web.ids["ada"], "written request 2024-05-30")
    after = _every_get(web, callers, h)
    leaks = [where for where, body in after.items() if TYPED in body or "Wendy Worker" in body]
    assert not leaks, "readable after erasure: " + "; ".join(leaks)
    for who in ("ada", "aud"):  # the structure stays for accreditation
        csv = callers.call(who, "GET", "/org/audit.csv", None).get_data(as_text=True)
        assert "GOAL-1" in csv and "revoked" in csv and "observation" in csv and TYPED not in csv
    export = io.StringIO()
    export_events(app, export, web.app.extensions["portfolio"].settings.master_key())
    storage = b"".join(_raw_storage(runtime))
    for where, text in (("backup before erasure", backup.getvalue()), ("export after", export.getvalue())):
        assert TYPED not in text, f"typed text in clear in the {where}"
        hers = [s for s in SEALED.findall(text) if app.read_text(web.ids["wendy"], s) is not None]
        assert hers == [], f"{where}: {len(hers)} sealed texts of hers still open"
    assert TYPED.encode() not in storage, "typed text in clear in the database"


# --- events recorded before training, topics and evidence titles were sealed ----------------------
def _as_v1(stored, **clear) -> dict:
    """The state a class-version-1 event of the same type held: the clear fields instead of sealed ones."""
    state = json.loads(stored.state)
    state.pop("class_version")
    for name, value in clear.items():
        state.pop(f"{name}_sealed")
        state[name] = value
    return state


def test_legacy_v1_events_load_show_while_the_key_exists_and_hide_after_erasure(runtime, app, org, at):
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import get_topic
    from sqlalchemy import select

    from portfolio.domain.portfolio import Portfolio
    from portfolio.projections.tables import READ_MODEL_TABLES

    w, sam, ada = org["wendy"], org["sam"], org["ada"]
    with at("2024-03-01"):
        tid, _ = app.record_training(w, "New title", "New provider", "2024-03-01", 2, "online")
        sid = app.record_supervision(w, sam, "2024-03-01", "task", "one_to_one", "video", 30, ["new"])
        eid = app.add_evidence(w, "New evidence", "observation", "", [("REL-1", "Basic")])
    pf_id = Portfolio.create_id(w)
    stored = {e.topic: e for e in app.recorder.select_events(pf_id)}
    version = app.portfolio(w).version
    legacy_ids = [uuid.uuid4() for _ in range(3)]
    states = [
        (Portfolio.TrainingRecorded, dict(_as_v1(stored[get_topic(Portfolio.TrainingRecorded)],
                                                 title="LEGACYTITLE", provider="LEGACYPROVIDER",
                                                 accredited_by="LEGACYBODY"),
                                          training_id={"_type_": "uuid_hex", "_data_": legacy_ids[0].hex})),
        (Portfolio.SupervisionRecorded, dict(_as_v1(stored[get_topic(Portfolio.SupervisionRecorded)],
                                                    topics=["LEGACYTOPIC"]),
                                             supervision_id={"_type_": "uuid_hex", "_data_": legacy_ids[1].hex})),
        (Portfolio.EvidenceAdded, dict(_as_v1(stored[get_topic(Portfolio.EvidenceAdded)], title="LEGACYEVIDENCE"),
                                       evidence_id={"_type_": "uuid_hex", "_data_": legacy_ids[2].hex})),
    ]
    app.recorder.insert_events([
        StoredEvent(originator_id=pf_id, originator_version=version + n, topic=get_topic(cls),
                    state=json.dumps(state).encode()) for n, (cls, state) in enumerate(states, start=1)])
    pf = app.portfolio(w)
    t, s, e = (pf.trainings[str(legacy_ids[0])], pf.supervisions[str(legacy_ids[1])],
               pf.evidence[str(legacy_ids[2])])
    assert [app.read_text(w, t[k]) for k in ("title_sealed", "provider_sealed", "accredited_by_sealed")] == \
        ["LEGACYTITLE", "LEGACYPROVIDER", "LEGACYBODY"]
    assert app.topics(w, s["topics_sealed"]) == ["LEGACYTOPIC"]
    assert app.read_text(w, e["title_sealed"]) == "LEGACYEVIDENCE"
    assert app.read_text(w, pf.evidence[str(eid)]["title_sealed"]) == "New evidence"  # v2 beside v1
    # A snapshot of the aggregate as class version 1 held it also loads (the aggregate's own upcaster).
    snap = app.mapper.to_stored_event(Portfolio.Snapshot.take(pf))
    old = json.loads(snap.state)
    assert old["state"].pop("class_version") == 5  # v3: goals have a tier; v4: attendances; v5: buddy meetings
    assert old["state"].pop("buddy_meetings") == {}
    for item in old["state"]["trainings"].values():
        for name in ("title", "provider", "accredited_by"):
            item[name] = app.read_text(w, item.pop(f"{name}_sealed")) or ""
    for item in old["state"]["supervisions"].values():
        item["topics"] = app.topics(w, item.pop("topics_sealed"))
    for item in old["state"]["evidence"].values():
        item["title"] = app.read_text(w, item.pop("title_sealed"))
    assert not list(app.snapshots.recorder.select_events(pf_id))
    app.snapshots.recorder.insert_events([StoredEvent(originator_id=pf_id, originator_version=snap.originator_version,
                                                      topic=snap.topic, state=json.dumps(old).encode())])
    from_snapshot = app.repository.get(pf_id)
    assert from_snapshot.version == pf.version
    assert from_snapshot.trainings[str(tid)]["title_sealed"] == "p0.New title"  # now a legacy value too
    assert app.read_text(w, from_snapshot.trainings[str(tid)]["title_sealed"]) == "New title"
    assert app.topics(w, from_snapshot.supervisions[str(sid)]["topics_sealed"]) == ["new"]
    assert app.read_text(w, from_snapshot.evidence[str(legacy_ids[2])]["title_sealed"]) == "LEGACYEVIDENCE"
    # Legacy clear text never reaches a read model, rebuilt or caught up.
    runtime.projector.catch_up_all()
    runtime.projector.rebuild()
    with runtime.engine.connect() as conn:
        rows = " ".join(str(tuple(r)) for table in READ_MODEL_TABLES for r in conn.execute(select(table)))
    assert "LEGACY" not in rows and str(legacy_ids[0]) in rows
    with at("2024-06-01"):
        app.erase_worker(w, ada, "request of 2024-05-30")
    pf = app.portfolio(w)
    assert app.read_text(w, pf.evidence[str(legacy_ids[2])]["title_sealed"]) is None
    assert app.read_text(w, pf.trainings[str(legacy_ids[0])]["title_sealed"]) is None
    assert app.topics(w, pf.supervisions[str(legacy_ids[1])]["topics_sealed"]) is None
    data = json.dumps(subject_access(app, runtime.read_models(), w), default=str)
    assert "LEGACY" not in data and "New title" not in data  # the legacy text is not shown once erased
