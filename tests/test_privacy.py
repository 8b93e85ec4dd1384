"""Privacy a worker can see and control: exposure tiers and history, others' stories, the access
log, erasure by crypto-shredding and the subject-access export. On both backends."""

from __future__ import annotations

import io
import re
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
