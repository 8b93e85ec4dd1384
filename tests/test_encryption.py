"""Personal text never reaches storage in the clear: plant a marker in each kind, scan raw storage."""

from __future__ import annotations

import glob
import io
import uuid

import pytest
from sqlalchemy import inspect, text

from portfolio.transfer import export_events

KINDS = ["display_name", "reflection_title", "reflection_body", "reflection_amended", "supervision_notes",
         "agreed_actions", "supervision_topic", "training_title", "training_provider", "accredited_by",
         "evidence_title", "evidence_description", "file_name", "file_content", "feedback", "goal",
         "goal_review", "revocation_reason"]


@pytest.fixture
def planted(app, org, at):
    """Every kind of personal text, each with its own marker; returns {kind: marker}."""
    m = {k: f"MARKER{k.upper()}{uuid.uuid4().hex[:8]}" for k in KINDS}
    w, sam, ada = org["wendy"], org["sam"], org["ada"]
    with at("2023-06-01"):
        other = app.register_person("pat", f"Pat {m['display_name']}", ["peer_worker"])
        rid = app.write_reflection(w, "grow", f"Title {m['reflection_title']}",
                                   {"G": f"My goal {m['reflection_body']}", "W": "will"}, ["REL-1"])
        app.amend_reflection(w, rid, "Title again", {"R": f"Reality {m['reflection_amended']}"}, [])
        app.record_supervision(w, sam, "2023-05-30", "process", "one_to_one", "video", 60,
                               ["stress", f"Topic {m['supervision_topic']}"],
                               f"Actions {m['agreed_actions']}", f"Notes {m['supervision_notes']}")
        training, _ = app.record_training(w, f"Course {m['training_title']}", f"By {m['training_provider']}",
                                          "2023-05-20", 3, "online", [], True, f"Body {m['accredited_by']}")
        ev = app.add_evidence(w, f"Record {m['evidence_title']}", "work_product",
                              f"Desc {m['evidence_description']}", [("REL-1", "Basic")],
                              (f"{m['file_name']}.txt", "text/plain", f"content {m['file_content']}".encode()),
                              links=[training])
        req = app.request_sign_off(w, "REL-1", "Basic", [ev])
        app.return_sign_off(w, req, sam, f"Feedback {m['feedback']}")
        req = app.request_sign_off(w, "REL-1", "Basic", [ev])
        app.approve_sign_off(w, req, sam)
        app.revoke_sign_off(w, req, ada, f"Reason {m['revocation_reason']}")
        goal = app.set_goal(w, f"Goal {m['goal']}", ["REL-2"], "2023-12-01")
        app.review_goal(w, goal, "open", 7, f"Review {m['goal_review']}")
    return m, {"worker": w, "other": other, "reflection": rid, "evidence": ev}


def _raw_storage(runtime) -> list[bytes]:
    """Every byte the database holds: the SQLite files, or every value of every PostgreSQL table."""
    settings = runtime.settings
    if settings.backend == "sqlite":
        chunks = []
        for path in glob.glob(settings.sqlite_path + "*"):  # main file, -wal and -shm
            with open(path, "rb") as fh:
                chunks.append(fh.read())
        return chunks
    chunks = []
    with runtime.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return chunks


def test_markers_are_readable_by_permitted_reader(app, planted):
    markers, ids = planted
    pf = app.portfolio(ids["worker"])
    refl = pf.reflections[str(ids["reflection"])]
    assert markers["reflection_title"] in app.read_text(ids["worker"], refl["versions"][0]["title_sealed"])
    assert markers["reflection_body"] in app.read_text(ids["worker"], refl["versions"][0]["body_sealed"])
    assert markers["display_name"] in app.display_name(app.person(ids["other"]))
    name, _, data = app.evidence_file(ids["worker"], ids["evidence"])
    assert markers["file_name"] in name and markers["file_content"].encode() in data


def test_no_marker_in_raw_storage(runtime, planted):
    markers, _ = planted
    storage = _raw_storage(runtime)
    assert sum(len(c) for c in storage) > 10_000  # the scan really read the stores
    for kind, marker in markers.items():
        needle = marker.encode()
        assert not any(needle in chunk for chunk in storage), f"{kind} found in clear in the database"


def test_no_marker_in_event_export(app, settings, planted):
    markers, _ = planted
    out = io.StringIO()
    assert export_events(app, out, settings.master_key()) > 20
    for kind, marker in markers.items():
        assert marker not in out.getvalue(), f"{kind} found in clear in the export"


def test_destroying_a_key_makes_that_persons_text_unreadable(runtime, planted):
    app = runtime.app
    markers, ids = planted
    pf = app.portfolio(ids["worker"])
    sealed = pf.reflections[str(ids["reflection"])]["versions"][0]["body_sealed"]
    app.keys.destroy(ids["worker"])
    assert app.read_text(ids["worker"], sealed) is None
    assert app.display_name(app.person(ids["worker"])).startswith("(erased person ")
    # Someone else's text is untouched.
    assert markers["display_name"] in app.display_name(app.person(ids["other"]))
    # A fresh process (no key cache) cannot read it either.
    from portfolio.crypto import KeyStore

    fresh = KeyStore(runtime.engine, runtime.settings.master_key())
    assert not fresh.has_key(ids["worker"])
