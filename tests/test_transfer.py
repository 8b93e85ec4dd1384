"""events export / import: a lossless round trip into an empty store; bad files change nothing."""

from __future__ import annotations

import io
import json

import pytest

from portfolio.demo import build_demo
from portfolio.runtime import open_runtime
from portfolio.transfer import TransferError, export_events, import_events
from tests.conftest import make_settings


@pytest.fixture
def empty(backend, tmp_path, request):
    """A second, empty store on the same backend (migrated, no events)."""
    settings = make_settings(backend, tmp_path / "other", request)
    with open_runtime(settings, create=True) as rt:
        yield rt


def _export(app) -> str:
    out = io.StringIO()
    export_events(app, out)
    return out.getvalue()


def test_round_trip_is_lossless(app, empty, tmp_path):
    build_demo(app, workers=3, supervisors=2, years=1, seed=3)
    first = _export(app)
    path = tmp_path / "events.jsonl"
    path.write_text(first, encoding="utf-8")
    count = import_events(empty.app, path)
    assert count == len(first.splitlines()) > 100
    assert _export(empty.app) == first
    # The imported store is a working store: aggregates replay to the same state.
    person = app.people()[-1]
    copy = empty.app.person(person.id)
    assert copy.__dict__ == person.__dict__


def test_export_never_holds_keys(app, runtime, org):
    exported = _export(app)
    with runtime.engine.connect() as conn:
        from sqlalchemy import select

        from portfolio.db import person_keys

        wrapped = [row.wrapped_key for row in conn.execute(select(person_keys.c.wrapped_key))]
    assert wrapped
    for key in wrapped:
        assert key.hex() not in exported
        import base64

        assert base64.b64encode(key).decode() not in exported


def test_import_into_a_store_with_events_is_refused(app, org, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(_export(app), encoding="utf-8")
    with pytest.raises(TransferError, match="not empty"):
        import_events(app, path)


@pytest.mark.parametrize("mangle, message", [
    (lambda lines: lines[:3] + ["{not json"] + lines[3:], "line 4: not JSON"),
    (lambda lines: lines[:2] + [json.dumps({"originator_id": "x"})] + lines[2:], "line 3: missing"),
    (lambda lines: [lines[0].replace("Framework.Registered", "Framework.Nonsense")] + lines[1:],
     "line 1: unknown event type"),
    (lambda lines: lines[1:], "line 1: version 2 .* out of order"),
])
def test_bad_file_names_the_line_and_writes_nothing(app, empty, tmp_path, mangle, message):
    lines = _export(app).splitlines()
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(mangle(lines)) + "\n", encoding="utf-8")
    with pytest.raises(TransferError, match=message):
        import_events(empty.app, path)
    assert not empty.app.recorder.max_notification_id()
