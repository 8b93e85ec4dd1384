"""Levels of use coming due: per worker, for the dashboards, the organisation's list and the daily notices.

The rules stay in domain/stages.py (assess) and domain/due.py (what counts as due); this module only
reads the reports for many workers at once and applies the organisation's warning window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from portfolio.domain.due import Due, dues
from portfolio.domain.stages import StageReport


@dataclass(frozen=True)
class WorkerDue:
    worker_id: str
    now: StageReport  # assessed today
    dues: list[Due] = field(default_factory=list)  # overdue first, then coming due within the window

    @property
    def overdue(self) -> Due | None:
        return next((d for d in self.dues if d.overdue), None)

    @property
    def soon(self) -> Due | None:
        return next((d for d in self.dues if not d.overdue), None)

    @property
    def statuses(self) -> set[str]:
        return ({"behind"} if self.overdue else set()) | ({"soon"} if self.soon else set()) \
            | ({"induction"} if self.now.in_induction else set())


def by_worker(read_models, today: date, window_days: int, **filters) -> dict[str, WorkerDue]:
    """filters: worker_ids=[…] or supervisor_id=… (see ReadModels.stage_reports)."""
    reports = read_models.stage_reports([today, today + timedelta(days=window_days)], **filters)
    stages = read_models.policy.stages
    return {w: WorkerDue(w, now, dues(now, ahead, today, window_days, stages)) for w, (now, ahead) in reports.items()}


def for_worker(read_models, worker_id: str, today: date, window_days: int) -> WorkerDue | None:
    return by_worker(read_models, today, window_days, worker_ids=[str(worker_id)]).get(str(worker_id))


def record_notices(app, read_models, today: date) -> tuple[int, int]:
    """One LevelDueNotice per worker, stage and due date; returns (new, already recorded)."""
    window = app.org_settings()["due_warning_days"]
    new = old = 0
    for worker_id, found in by_worker(read_models, today, window).items():
        for due in found.dues:
            if app.notice_level_due(worker_id, due):
                new += 1
            else:
                old += 1
    return new, old
