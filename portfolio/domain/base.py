"""Base aggregate whose events take their timestamp from the domain clock."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from portfolio.domain import clock


class PortfolioAggregate(Aggregate):
    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

    class Created(Event, Aggregate.Created):
        pass
