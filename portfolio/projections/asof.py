"""Point-in-time views: the same projections, run over the events up to a moment, into an
in-memory copy of the read-model tables. Nothing here reads the live tables."""

from __future__ import annotations

import heapq
from datetime import datetime
from uuid import UUID

from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from portfolio.application import PortfolioApplication
from portfolio.domain.portfolio import Portfolio
from portfolio.projections.base import Writer
from portfolio.projections.queries import Policy, ReadModels
from portfolio.projections.runner import PROJECTIONS
from portfolio.projections.tables import READ_MODEL_TABLES, metadata

PAGE = 1000
AS_OF_PROJECTIONS = ("people", "portfolio")


def _empty_models():
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    metadata.create_all(engine, tables=list(READ_MODEL_TABLES))
    return engine


def _apply(engine, pairs) -> None:
    # The portfolio as it stood: people and portfolio read models (an inbox has no past to show).
    projections = [cls() for cls in PROJECTIONS if cls.name in AS_OF_PROJECTIONS]
    with engine.begin() as conn:
        writers = [Writer(conn, 1) for _ in projections]
        for topic, event in pairs:
            for projection, w in zip(projections, writers):
                handler = projection.handler_for(topic, -1)
                if handler is not None:
                    handler(event, w)
        for w in writers:
            w.flush()


def worker_as_of(app: PortfolioApplication, policy: Policy, worker_id: UUID, when: datetime) -> ReadModels:
    """A worker's matrix, stage and timeline as they stood at `when`, from that worker's events."""
    streams = []
    for originator in (worker_id, Portfolio.create_id(worker_id)):
        stream = []
        for stored in app.recorder.select_events(originator):
            event = app.mapper.to_domain_event(stored)
            if event.timestamp > when:
                break  # an aggregate's events are in time order
            stream.append((stored.topic, event))
        streams.append(stream)
    engine = _empty_models()
    # Merge the person's and the portfolio's events by time; each keeps its own version order.
    _apply(engine, heapq.merge(*streams, key=lambda pair: pair[1].timestamp))
    return ReadModels(engine, policy, generations={"people": 1, "portfolio": 1})


def organisation_as_of(app: PortfolioApplication, policy: Policy, when: datetime) -> ReadModels:
    """Every projection as it stood at `when`, from the whole log, read a page at a time."""
    engine = _empty_models()
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE)
        pairs = [(n.topic, e) for n in page for e in [app.mapper.to_domain_event(n)] if e.timestamp <= when]
        _apply(engine, pairs)
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    return ReadModels(engine, policy, generations={"people": 1, "portfolio": 1})
