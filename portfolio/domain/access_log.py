"""Who read a worker's shared content, and when: a log the worker can see.

Kept apart from the portfolio so that reading never contends with the worker's own changes.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain import clock
from portfolio.domain.base import PortfolioAggregate

ACCESS_LOG_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/access-log")


class AccessLog(PortfolioAggregate):
    @staticmethod
    def create_id(worker_id: UUID) -> UUID:
        return uuid5(ACCESS_LOG_NS, str(worker_id))

    @event("Opened")
    def __init__(self, worker_id: UUID):
        self.worker_id = worker_id
        self.reads: list[dict] = []

    def record_read(self, reader_id: UUID, reader_role: str, item_kind: str, item_id: UUID, where: str) -> None:
        self.record_reads(reader_id, reader_role, [(item_kind, item_id, where)])

    def record_reads(self, reader_id: UUID, reader_role: str, items: list[tuple[str, UUID, str]]) -> None:
        """Everything one reader was shown in one request, as one event: (item kind, item id, where)."""
        listed = list(dict.fromkeys((kind, str(item_id), where[:100]) for kind, item_id, where in items))
        if listed:
            self._contents_read(reader_id=reader_id, reader_role=reader_role, read_at=clock.now(),
                                items=[{"item_kind": k, "item_id": i, "where": w} for k, i, w in listed])

    @event("ContentsRead")
    def _contents_read(self, reader_id: UUID, reader_role: str, items: list[dict], read_at: datetime) -> None:
        for it in items:
            self.reads.append({"reader_id": reader_id, "reader_role": reader_role, "item_kind": it["item_kind"],
                               "item_id": UUID(it["item_id"]), "where": it["where"], "read_at": read_at})

    # One event per item read: what logs written before ContentsRead hold. Kept so they still load.
    @event("ContentRead")
    def _read(self, reader_id: UUID, reader_role: str, item_kind: str, item_id: UUID, where: str,
              read_at: datetime) -> None:
        self.reads.append({"reader_id": reader_id, "reader_role": reader_role, "item_kind": item_kind,
                           "item_id": item_id, "where": where, "read_at": read_at})
