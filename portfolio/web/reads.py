"""Reads of a worker's shared content during one request, recorded once as it ends.

Views note what they show (`note_reads`); after the view, one ContentsRead event per worker's access
log is saved for the whole request, instead of one event per item. If recording fails the response
becomes an error: nothing is shown unrecorded.
"""

from __future__ import annotations

from uuid import UUID

from flask import Flask, g

from portfolio.web.access import app_service


def note_reads(worker_id: UUID | str, items: list[tuple[str, UUID | str]], where: str) -> None:
    """(item kind, item id) pairs shown to the signed-in user on this request."""
    pending = g.setdefault("pending_reads", [])
    pending.extend((worker_id, kind, item_id, where) for kind, item_id in items)


def note_read(worker_id: UUID | str, item_kind: str, item_id: UUID | str, where: str) -> None:
    note_reads(worker_id, [(item_kind, item_id)], where)


def flush() -> None:
    pending = g.pop("pending_reads", None)  # popped first: the error page must not try again
    if pending and g.get("user") is not None:
        app_service().record_request_reads(g.user, pending)


def init_app(app: Flask) -> None:
    @app.after_request
    def record_reads(response):
        flush()  # raising here makes Flask answer with the 500 page instead of this response
        return response
