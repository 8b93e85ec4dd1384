"""Levels of use falling due: what to warn about, and the record that a warning was given.

"Coming due" is a matter of time, not of any event, so a daily step (`portfolio notifications due`)
looks at each worker's stage report and records a `LevelDueNotice` the first time a level falls
inside the warning window (or is found overdue). Its id is derived from worker, stage and due date,
so there is at most one notice for each: running the step again records nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain.base import PortfolioAggregate
from portfolio.domain.stages import StageReport


@dataclass(frozen=True)
class Due:
    stage: str  # level-of-use code, e.g. PEER-PRACTITIONER
    level: str  # the competence level it needs, e.g. Intermediate
    due_on: date
    missing: int  # (competence, level) pairs still to be signed for it
    overdue: bool


def dues(now: StageReport, ahead: StageReport, today: date, window_days: int, stages: dict) -> list[Due]:
    """What is overdue today (from `now`, assessed on today) and what falls due within the window
    (from `ahead`, assessed on today + window_days): at most one of each, overdue first.
    Due today counts as coming due, not overdue; the window's last day is inside it."""
    levels = {s["code"]: s["level"] for s in stages["stages"]}
    out = []
    if now.expected and now.expected_due_on and now.expected_due_on < today and now.missing_levels:
        out.append(Due(now.expected, levels[now.expected], now.expected_due_on, len(now.missing_levels), True))
    if (ahead.expected and ahead.expected_due_on and ahead.missing_levels
            and today <= ahead.expected_due_on <= today + timedelta(days=window_days)):
        out.append(Due(ahead.expected, levels[ahead.expected], ahead.expected_due_on, len(ahead.missing_levels),
                       False))
    return out


class LevelDueNotice(PortfolioAggregate):
    """Metadata only: whose, which stage and level, the due date, how many levels were missing."""

    @staticmethod
    def create_id(worker_id: UUID | str, stage: str, due_on: date) -> UUID:
        return uuid5(NAMESPACE_URL, f"portfolio:level-due:{worker_id}:{stage}:{due_on.isoformat()}")

    @event("Noticed")
    def __init__(self, id: UUID, worker_id: str, stage: str, level: str, due_on: date,  # noqa: A002
                 missing: int, overdue: bool) -> None:
        self.worker_id, self.stage, self.level, self.due_on = worker_id, stage, level, due_on
        self.missing, self.overdue = missing, overdue

    @classmethod
    def notice(cls, worker_id: UUID | str, due: Due) -> "LevelDueNotice":
        return cls(id=cls.create_id(worker_id, due.stage, due.due_on), worker_id=str(worker_id), stage=due.stage,
                   level=due.level, due_on=due.due_on, missing=due.missing, overdue=due.overdue)
