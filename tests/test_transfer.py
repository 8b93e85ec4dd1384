"""events export / import: a lossless round trip into an empty store; a file that was not signed by
this master key, was changed since, or names anything but this project's events changes nothing."""

from __future__ import annotations

import base64
import io
import json
import sys
import uuid

import pytest

from portfolio.demo import build_demo
from portfolio.runtime import open_runtime
from portfolio.transfer import TransferError, _Signer, allowed_topics, export_events, import_events, mac_key
from tests.conftest import make_settings

OTHER_KEY = b"\x07" * 32


@pytest.fixture
def empty(backend, tmp_path, request):
    """A second, empty store on the same backend (migrated, no events), same master key."""
    settings = make_settings(backend, tmp_path / "other", request)
    with open_runtime(settings, create=True) as rt:
        yield rt


@pytest.fixture
def key(settings) -> bytes:
    return settings.master_key()


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    """A module that, if ever imported, leaves a mark: a file naming it must not import it."""
    name = f"sentinel_{uuid.uuid4().hex[:8]}"
    mark = tmp_path / "imported"
    (tmp_path / f"{name}.py").write_text(f"open({str(mark)!r}, 'w').write('ran')\nclass Thing:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    assert name not in sys.modules and not mark.exists(), "a topic in the file imported a module"


def _export(app, master_key) -> str:
    out = io.StringIO()
    export_events(app, out, master_key)
    return out.getvalue()


def _records(text: str) -> list[dict]:
    """The lines' fields without their MACs."""
    return [{k: v for k, v in json.loads(line).items() if k != "mac"} for line in text.splitlines()]


def _resign(records: list[dict], master_key: bytes) -> str:
    """What someone holding the master key could write: every MAC right, the content theirs."""
    signer = _Signer(master_key)
    return "".join(signer.line(r) + "\n" for r in records)


def _state(record: dict) -> dict:
    return json.loads(record["state"])


def _import_refused(app, tmp_path, text: str, message: str, master_key: bytes) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TransferError, match=message):
        import_events(app, path, master_key)
    assert not app.recorder.max_notification_id()  # nothing written


def test_round_trip_is_lossless(app, empty, tmp_path, key):
    build_demo(app, workers=3, supervisors=2, years=1, seed=3)
    first = _export(app, key)
    path = tmp_path / "events.jsonl"
    path.write_text(first, encoding="utf-8")
    count = import_events(empty.app, path, key)
    lines = _records(first)
    assert lines[0]["format"] == "portfolio-events" and lines[0]["version"] == 2
    assert lines[-1] == {"end": True, "events": count, "originators": len({r["originator_id"] for r in lines[1:-1]})}
    assert count == len(lines) - 2 > 100
    assert _records(_export(empty.app, key))[1:] == lines[1:]  # only the header (export time) differs
    # The imported store is a working store: aggregates replay to the same state.
    person = app.people()[-1]
    copy = empty.app.person(person.id)
    assert copy.__dict__ == person.__dict__


def test_every_line_is_chained_to_the_one_before(app, org, key):
    macs = [json.loads(line)["mac"] for line in _export(app, key).splitlines()]
    assert len(set(macs)) == len(macs) and all(len(m) == 64 for m in macs)
    again = [json.loads(line)["mac"] for line in _export(app, key).splitlines()]
    assert again[0] != macs[0] and again[1] != macs[1]  # the same event, a new header: a new chain


def test_export_never_holds_keys(app, runtime, org, key):
    exported = _export(app, key)
    with runtime.engine.connect() as conn:
        from sqlalchemy import select

        from portfolio.db import person_keys

        wrapped = [row.wrapped_key for row in conn.execute(select(person_keys.c.wrapped_key))]
    assert wrapped
    for secret in [*wrapped, key, mac_key(key)]:
        assert secret.hex() not in exported
        assert base64.b64encode(secret).decode() not in exported
        assert base64.urlsafe_b64encode(secret).decode() not in exported


def test_import_into_a_store_with_events_is_refused(app, org, tmp_path, key):
    path = tmp_path / "events.jsonl"
    path.write_text(_export(app, key), encoding="utf-8")
    with pytest.raises(TransferError, match="not empty"):
        import_events(app, path, key)


def test_allow_list_holds_only_this_projects_events():
    events, aggregates = allowed_topics()
    assert "portfolio.domain.people:Person.Registered" in events
    assert "portfolio.domain.portfolio:Portfolio.SignOffApproved" in events
    assert "portfolio.domain.people:Person" in aggregates
    assert all(t.startswith("portfolio.domain.") for t in [*events, *aggregates])
    assert "portfolio.domain.people:Person" not in events and "portfolio.crypto:KeyStore" not in events


def _crafted(sentinel: str, topic: str) -> dict:
    return {"originator_id": str(uuid.uuid4()), "originator_version": 1, "topic": topic.format(sentinel=sentinel),
            "state": "{}"}


def test_old_unsigned_file_naming_a_module_is_refused_without_importing_it(app, org, empty, tmp_path, key, sentinel):
    """Format 1 (no header, no MACs) cannot be checked, so it is refused as a whole: re-export it."""
    old = _records(_export(app, key))[1:-1]  # the events, as format 1 wrote them
    lines = [json.dumps(r) for r in old[:2] + [_crafted(sentinel, "{sentinel}:Thing")] + old[2:]]
    _import_refused(empty.app, tmp_path, "\n".join(lines) + "\n",
                    "line 1: .*older version \\(format 1\\).*export it again", key)


@pytest.mark.parametrize("topic", ["{sentinel}:Thing", "os:system", "portfolio.crypto:KeyStore",
                                   "portfolio.domain.people:Person", "eventsourcing.domain:Aggregate.Snapshot",
                                   "portfolio.domain.base:PortfolioAggregate.Created"])
def test_topic_outside_the_projects_events_is_refused(app, org, empty, tmp_path, key, sentinel, topic):
    """Even in a file signed with the right key, a topic is looked up among our events, never imported."""
    records = _records(_export(app, key))
    records.insert(3, _crafted(sentinel, topic))
    records[-1]["originators"] += 1
    records[-1]["events"] += 1
    _import_refused(empty.app, tmp_path, _resign(records, key), "line 4: unknown event type", key)


def test_unsigned_crafted_line_is_refused_by_its_mac(app, org, empty, tmp_path, key, sentinel):
    lines = _export(app, key).splitlines()
    lines.insert(3, json.dumps(_crafted(sentinel, "{sentinel}:Thing")))
    _import_refused(empty.app, tmp_path, "\n".join(lines) + "\n", "line 4: the MAC does not match", key)


def test_creation_event_naming_another_aggregate_class_is_refused(app, org, empty, tmp_path, key, sentinel):
    records = _records(_export(app, key))
    first = records[1]
    state = _state(first)
    state["originator_topic"] = f"{sentinel}:Thing"
    first["state"] = json.dumps(state)
    _import_refused(empty.app, tmp_path, _resign(records, key), "line 2: the event names aggregate", key)


def _change_state_byte(lines):
    i = next(n for n, line in enumerate(lines) if "Person.Registered" in line)
    record = json.loads(lines[i])
    record["state"] = record["state"].replace("sam", "sAm", 1)
    assert record["state"] != json.loads(lines[i])["state"]
    return lines[:i] + [json.dumps(record)] + lines[i + 1:]


@pytest.mark.parametrize("mangle, message", [
    (_change_state_byte, r"line \d+: the MAC does not match"),
    (lambda lines: lines[:3] + lines[4:], "line 4: the MAC does not match"),  # an event removed
    (lambda lines: lines[:-2] + lines[-1:], r"line \d+: the MAC does not match"),  # the last event removed
    (lambda lines: lines[:3] + [lines[4], lines[3]] + lines[5:], "line 4: the MAC does not match"),  # reordered
    (lambda lines: lines[:-1], r"ends at line \d+ without its end line"),  # trailer removed
    (lambda lines: lines[:-1] + [lines[-1][:30]], r"line \d+: not JSON"),  # trailer cut in half
    (lambda lines: lines + [lines[1]], r"line \d+: text after the end line"),
    (lambda lines: [lines[0].replace('"version":2', '"version":3')] + lines[1:], "line 1: .*version 3"),
    (lambda lines: [lines[0].replace("20", "19", 1)] + lines[1:], "line 1: the header's MAC does not match"),
    (lambda lines: lines[1:], "line 1: the header line is missing"),
    (lambda lines: ['{"hello": 1}'] + lines[1:], "line 1: not a portfolio events export"),
    (lambda lines: lines[:3] + ["{not json"] + lines[3:], "line 4: not JSON"),
    (lambda lines: lines[:3] + ['{"originator_version": 1' + "0" * 5000 + "}"] + lines[3:], "line 4: not JSON"),
    (lambda lines: lines[:3] + ["[" * 100_000 + "]" * 100_000] + lines[3:], "line 4: not JSON"),
    (lambda lines: lines[:3] + ['{"topic": "\\ud800", "mac": "\u00e9"}'] + lines[3:], "line 4: the MAC does not"),
    (lambda lines: lines[:3] + ["[1, 2]"] + lines[3:], "line 4: expected an object"),
])
def test_tampered_file_is_refused_and_writes_nothing(app, org, empty, tmp_path, key, mangle, message):
    lines = _export(app, key).splitlines()
    _import_refused(empty.app, tmp_path, "\n".join(mangle(lines)) + "\n", message, key)


def test_file_from_another_master_key_is_refused(app, org, empty, tmp_path, key):
    _import_refused(empty.app, tmp_path, _export(app, OTHER_KEY), "line 1: .*another master key", key)


def _without_field(records):
    i = next(n for n, r in enumerate(records) if "SupervisorAssigned" in r.get("topic", ""))
    state = _state(records[i])
    state.pop(next(k for k in state if "supervisor" in k))
    records[i]["state"] = json.dumps(state)
    return records


def _on_wrong_aggregate(records):
    person = next(r for r in records if r.get("topic", "").endswith("Person.Registered"))
    records.insert(len(records) - 1, {"originator_id": person["originator_id"], "originator_version": 0,
                                      "topic": "portfolio.domain.portfolio:Portfolio.GoalSet", "state": "{}"})
    records[-1]["events"] += 1
    versions = [r["originator_version"] for r in records[1:-2] if r["originator_id"] == person["originator_id"]]
    records[-2]["originator_version"] = max(versions) + 1
    return records


def _gap(records):
    records[2]["originator_version"] += 1
    return records


def _count(records):
    records[-1]["events"] -= 1
    return records


@pytest.mark.parametrize("change, message", [
    (_without_field, r"line \d+: the event does not apply to its Person"),
    (_on_wrong_aggregate, r"line \d+: a Portfolio event on a Person"),
    (_gap, "line 3: version .* out of order"),
    (_count, r"line \d+: the end line counts"),
])
def test_signed_file_whose_events_do_not_replay_is_refused(app, org, empty, tmp_path, key, change, message):
    """The replay check: even a file signed with the key must hold aggregates that load."""
    _import_refused(empty.app, tmp_path, _resign(change(_records(_export(app, key))), key), message, key)


def test_settings_and_level_due_notices_round_trip(app, org, empty, tmp_path, key, at):
    from datetime import date

    from portfolio.domain.due import Due

    with at("2023-02-01"):
        app.change_org_settings(org["ada"], due_warning_days=30)
        assert app.notice_level_due(org["wendy"], Due("ESSENTIAL", "Basic", date(2023, 4, 2), 11, False))
    path = tmp_path / "events.jsonl"
    path.write_text(_export(app, key), encoding="utf-8")
    import_events(empty.app, path, key)
    assert empty.app.organisation().history == app.organisation().history
    assert empty.app.org_settings()["due_warning_days"] == 30
    assert not empty.app.notice_level_due(org["wendy"], Due("ESSENTIAL", "Basic", date(2023, 4, 2), 11, True))
