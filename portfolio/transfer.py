"""Export and import the event log as JSON lines: a lossless round trip, never any keys.

Each line is one stored event: originator id, version, topic and the stored state (already
holding personal text only as ciphertext). Import goes into an empty store, all or nothing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import IO, Callable, Iterator
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from portfolio.application import PortfolioApplication

PAGE = 1000


class TransferError(Exception):
    """The export file is unusable; the message names the line and the reason."""


def _lines(app: PortfolioApplication) -> Iterator[str]:
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE)
        for n in page:
            record = {"originator_id": str(n.originator_id), "originator_version": n.originator_version,
                      "topic": n.topic}
            try:
                record["state"] = n.state.decode("utf-8")
            except UnicodeDecodeError:  # compressed or enciphered states stay bytes
                record["state_b64"] = base64.b64encode(n.state).decode()
            yield json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def export_events(app: PortfolioApplication, out: IO[str], progress: Callable[[int], None] = lambda n: None) -> int:
    count = 0
    for line in _lines(app):
        out.write(line + "\n")
        count += 1
        progress(1)
    return count


def _parse(lineno: int, raw: str, app: PortfolioApplication, versions: dict) -> StoredEvent:
    where = f"line {lineno}"
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TransferError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise TransferError(f"{where}: expected an object")
    missing = {"originator_id", "originator_version", "topic"} - set(record)
    if missing or not ({"state", "state_b64"} & set(record)):
        raise TransferError(f"{where}: missing {', '.join(sorted(missing)) or 'state'}")
    try:
        originator_id = UUID(record["originator_id"])
    except (ValueError, TypeError, AttributeError):
        raise TransferError(f"{where}: originator_id is not a UUID") from None
    version = record["originator_version"]
    if not isinstance(version, int) or version < 1:
        raise TransferError(f"{where}: originator_version must be a positive integer")
    expected = versions.get(originator_id, 0) + 1
    if version != expected:
        raise TransferError(f"{where}: version {version} of {originator_id} out of order (expected {expected})")
    versions[originator_id] = version
    try:
        resolve_topic(record["topic"])
    except Exception:  # noqa: BLE001 - any failure to resolve is the same problem to the user
        raise TransferError(f"{where}: unknown event type {record['topic']!r}") from None
    state = (record["state"].encode("utf-8") if "state" in record
             else base64.b64decode(record["state_b64"]))
    stored = StoredEvent(originator_id=originator_id, originator_version=version, topic=record["topic"],
                         state=state)
    try:
        app.mapper.to_domain_event(stored)
    except Exception as exc:  # noqa: BLE001
        raise TransferError(f"{where}: the event does not decode ({type(exc).__name__}: {exc})") from None
    return stored


def import_events(app: PortfolioApplication, path: Path) -> int:
    """Validate every line first, then insert all events in one transaction."""
    if app.recorder.max_notification_id():
        raise TransferError("the event store is not empty: import only into a new, empty store")
    versions: dict[UUID, int] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            events = [_parse(n, raw, app, versions) for n, raw in enumerate(fh, start=1) if raw.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise TransferError(f"cannot read {path}: {exc}") from None
    if not events:
        raise TransferError(f"{path} holds no events")
    app.recorder.insert_events(events)
    return len(events)
