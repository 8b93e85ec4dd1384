"""Export and import the event log as JSON lines: a lossless round trip, never any keys.

Format 2 (the only one read): a header line, one line per stored event (originator id, version,
topic, state: personal text in it is already ciphertext) and an end line with the counts. Every
line carries an HMAC-SHA256 chained over the previous line's MAC, with a key derived from the
master key, so a changed, removed, moved or added line, a cut-off file or a file from an instance
with another master key is refused. Import accepts only topics of this project's own event
classes (looked up, never imported), replays every aggregate in memory, and only then writes
everything in one transaction into an empty store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import inspect
import json
import pkgutil
from functools import cache
from pathlib import Path
from typing import IO, Any, Callable, Iterator
from uuid import UUID

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.domain import CanInitAggregate, DomainEvent
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

import portfolio.domain
from portfolio.application import PortfolioApplication
from portfolio.domain import clock
from portfolio.domain.base import PortfolioAggregate

PAGE = 1000
FORMAT = "portfolio-events"
VERSION = 2
MAC_INFO = b"portfolio events export v2: line MACs"
EVENT_KEYS = {"originator_id", "originator_version", "topic"}


class TransferError(Exception):
    """The export file is unusable; the message names the line and the reason."""


# --- what a file may name -----------------------------------------------------------------------
@cache
def allowed_topics() -> tuple[dict[str, type], dict[str, type]]:
    """(event topic -> aggregate class, aggregate topic -> aggregate class), from the aggregates
    defined in portfolio.domain.*: the only classes an import may name. Our own modules are
    imported to find them; a module a file names never is."""
    for module in pkgutil.iter_modules(portfolio.domain.__path__, portfolio.domain.__name__ + "."):
        importlib.import_module(module.name)
    events: dict[str, type] = {}
    aggregates: dict[str, type] = {}
    todo = list(PortfolioAggregate.__subclasses__())
    while todo:
        agg = todo.pop()
        todo.extend(agg.__subclasses__())
        if not agg.__module__.startswith(portfolio.domain.__name__ + "."):
            continue
        aggregates[get_topic(agg)] = agg
        for cls in vars(agg).values():
            if inspect.isclass(cls) and issubclass(cls, DomainEvent) and \
                    cls.__qualname__.startswith(agg.__qualname__ + "."):
                events[get_topic(cls)] = agg
    return events, aggregates


# --- MACs -------------------------------------------------------------------------------------
def mac_key(master_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=MAC_INFO).derive(master_key)


def _mac(key: bytes, previous: str, record: dict) -> str:
    """MAC of one line's fields (canonical JSON, without its own mac), chained to the line before."""
    body = json.dumps(record, sort_keys=True, separators=(",", ":"))  # ASCII: even a lone surrogate encodes
    return hmac.new(key, previous.encode() + b"\n" + body.encode(), hashlib.sha256).hexdigest()


class _Signer:
    def __init__(self, master_key: bytes):
        self.key, self.previous = mac_key(master_key), ""

    def line(self, record: dict) -> str:
        self.previous = _mac(self.key, self.previous, record)
        return json.dumps({**record, "mac": self.previous}, ensure_ascii=False, separators=(",", ":"))


# --- export -----------------------------------------------------------------------------------
def _records(app: PortfolioApplication, stop: int) -> Iterator[dict]:
    start = 1
    while start <= stop:
        page = app.recorder.select_notifications(start=start, limit=PAGE, stop=stop)
        for n in page:
            record: dict[str, Any] = {"originator_id": str(n.originator_id),
                                      "originator_version": n.originator_version, "topic": n.topic}
            try:
                record["state"] = n.state.decode("utf-8")
            except UnicodeDecodeError:  # compressed or enciphered states stay bytes
                record["state_b64"] = base64.b64encode(n.state).decode()
            yield record
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def export_events(app: PortfolioApplication, out: IO[str], master_key: bytes,
                  progress: Callable[[int], None] = lambda n: None) -> int:
    """Write the log as it stood when the export began (later events are left for the next one)."""
    signer = _Signer(master_key)
    stop = app.recorder.max_notification_id() or 0
    out.write(signer.line({"format": FORMAT, "version": VERSION, "exported_at": clock.now().isoformat()}) + "\n")
    count, originators = 0, set()
    for record in _records(app, stop):
        out.write(signer.line(record) + "\n")
        count += 1
        originators.add(record["originator_id"])
        progress(1)
    out.write(signer.line({"end": True, "events": count, "originators": len(originators)}) + "\n")
    return count


# --- import -----------------------------------------------------------------------------------
class _Checker:
    """Checks a file line by line; holds the stored events and the replayed aggregates."""

    def __init__(self, app: PortfolioApplication, master_key: bytes):
        self.app, self.key, self.previous = app, mac_key(master_key), None
        self.event_topics, self.aggregate_topics = allowed_topics()
        self.events: list[StoredEvent] = []
        self.aggregates: dict[UUID, Any] = {}
        self.ended = False
        self.lineno = 0

    def line(self, lineno: int, raw: str) -> None:
        self.lineno = lineno
        where = f"line {lineno}"
        if self.ended:
            raise TransferError(f"{where}: text after the end line")
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # also a number too long, or nesting too deep
            raise TransferError(f"{where}: not JSON ({getattr(exc, 'msg', None) or type(exc).__name__})") from None
        if not isinstance(record, dict):
            raise TransferError(f"{where}: expected an object")
        if self.previous is None:
            self._header(where, record)
        mac = record.pop("mac", None)
        expected = _mac(self.key, self.previous or "", record)
        if not isinstance(mac, str) or not mac.isascii() or not hmac.compare_digest(mac, expected):
            if self.previous is None:
                raise TransferError(f"{where}: the header's MAC does not match: the file was changed, or it was "
                                    f"exported by an instance with another master key (PORTFOLIO_MASTER_KEY)")
            raise TransferError(f"{where}: the MAC does not match: this line was changed or moved, "
                                f"or a line before it was removed")
        if self.previous is not None:
            if "end" in record:
                self._end(where, record)
            else:
                self._event(where, record)
        self.previous = expected

    @staticmethod
    def _header(where: str, record: dict) -> None:
        if "format" not in record and "mac" in record:
            raise TransferError(f"{where}: the header line is missing: the file was cut or changed")
        if "format" not in record and EVENT_KEYS <= set(record):
            raise TransferError(f"{where}: this is an unsigned export of an older version (format 1), which "
                                f"cannot be checked: export it again from the source instance")
        if record.get("format") != FORMAT:
            raise TransferError(f"{where}: not a portfolio events export (no header)")
        if record.get("version") != VERSION:
            raise TransferError(f"{where}: export format version {record.get('version')!r} is not supported "
                                f"(this version reads {VERSION})")

    def _end(self, where: str, record: dict) -> None:
        counts = (len(self.events), len(self.aggregates))
        if (record.get("events"), record.get("originators")) != counts:
            raise TransferError(f"{where}: the end line counts {record.get('events')} events of "
                                f"{record.get('originators')} originators, the file holds {counts[0]} of {counts[1]}")
        self.ended = True

    def _event(self, where: str, record: dict) -> None:
        keys = set(record)
        if not EVENT_KEYS <= keys or len(keys & {"state", "state_b64"}) != 1 or len(keys) != 4:
            raise TransferError(f"{where}: expected exactly {', '.join(sorted(EVENT_KEYS))} and state")
        try:
            originator_id = UUID(record["originator_id"])
        except (ValueError, TypeError, AttributeError):
            raise TransferError(f"{where}: originator_id is not a UUID") from None
        version = record["originator_version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise TransferError(f"{where}: originator_version must be a positive integer")
        aggregate = self.aggregates.get(originator_id)
        expected = aggregate.version + 1 if aggregate is not None else 1
        if version != expected:
            raise TransferError(f"{where}: version {version} of {originator_id} out of order (expected {expected})")
        topic = record["topic"]
        agg_cls = self.event_topics.get(topic) if isinstance(topic, str) else None
        if agg_cls is None:  # looked up, never resolved: naming a module must not import it
            raise TransferError(f"{where}: unknown event type {topic!r} (not one of this project's events)")
        try:
            state = (record["state"].encode("utf-8") if "state" in record
                     else base64.b64decode(record["state_b64"], validate=True))
        except (AttributeError, ValueError, TypeError):
            raise TransferError(f"{where}: the state is not text or base64") from None
        stored = StoredEvent(originator_id=originator_id, originator_version=version, topic=topic, state=state)
        try:
            event = self.app.mapper.to_domain_event(stored)
        except Exception as exc:  # noqa: BLE001
            raise TransferError(f"{where}: the event does not decode ({type(exc).__name__}: {exc})") from None
        self._apply(where, event, agg_cls, aggregate)
        self.events.append(stored)

    def _apply(self, where: str, event: Any, agg_cls: type, aggregate: Any) -> None:
        """Replay the event onto its aggregate: its state must fit the class it names."""
        creates = isinstance(event, CanInitAggregate)
        if creates != (aggregate is None):
            raise TransferError(f"{where}: {type(event).__qualname__} cannot be version "
                                f"{event.originator_version} of an aggregate")
        if creates:
            named = getattr(event, "originator_topic", None)
            if not isinstance(named, str) or self.aggregate_topics.get(named) is not agg_cls:
                raise TransferError(f"{where}: the event names aggregate {named!r}, not {agg_cls.__qualname__}")
        elif type(aggregate) is not agg_cls:
            raise TransferError(f"{where}: a {agg_cls.__qualname__} event on a {type(aggregate).__qualname__}")
        try:
            self.aggregates[event.originator_id] = event.mutate(aggregate)
        except Exception as exc:  # noqa: BLE001 - any failure means the state does not fit
            raise TransferError(f"{where}: the event does not apply to its {agg_cls.__qualname__} "
                                f"({type(exc).__name__}: {exc})") from None

    def finish(self, path: Path) -> list[StoredEvent]:
        if self.previous is None:
            raise TransferError(f"{path} is empty")
        if not self.ended:
            raise TransferError(f"the file ends at line {self.lineno} without its end line: it was cut short")
        if not self.events:
            raise TransferError(f"{path} holds no events")
        return self.events


def import_events(app: PortfolioApplication, path: Path, master_key: bytes) -> int:
    """Check every line (MACs, topics, versions, replay) first, then insert all in one transaction."""
    if app.recorder.max_notification_id():
        raise TransferError("the event store is not empty: import only into a new, empty store")
    checker = _Checker(app, master_key)
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if raw.strip():
                    checker.line(lineno, raw)
    except (OSError, UnicodeDecodeError) as exc:
        raise TransferError(f"cannot read {path}: {exc}") from None
    events = checker.finish(path)
    app.recorder.insert_events(events)
    return len(events)
