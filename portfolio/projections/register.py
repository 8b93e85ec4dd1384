"""Register projection: the training programmes, their sessions and accreditations, and each
worker's attendance at registered sessions. From events only; it keeps its own portfolio -> worker
map so it rebuilds on its own generation."""

from __future__ import annotations

from portfolio.domain.portfolio import Portfolio
from portfolio.domain.programmes import Programme
from portfolio.projections.base import Projection, Writer, portfolio_owner
from portfolio.projections.people import PeopleProjection
from portfolio.projections.register_tables import (REGISTER_TABLES, accreditations, attendances, programme_sessions,
                                                   programmes, register_portfolios)

HANDLERS = {
    Programme.Registered: "registered", Programme.SessionAdded: "session_added",
    Programme.SessionChanged: "session_changed", Programme.AccreditationRecorded: "accreditation_recorded",
    Programme.AccreditationEnded: "accreditation_ended", Portfolio.Opened: "opened",
    Portfolio.SessionAttended: "attended",
}


def _codes(values) -> str:
    return ",".join(values)


class RegisterProjection(Projection):
    name = "register"
    tables = REGISTER_TABLES
    handlers = HANDLERS
    # Everything else the people projection knows of (it declares every event type).
    ignored = tuple(sorted(set(PeopleProjection.handlers) | set(PeopleProjection.ignored) - set(HANDLERS),
                           key=lambda cls: cls.__qualname__))

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self._workers: dict[str, str] = {}

    def registered(self, e, w: Writer) -> None:
        w.insert(programmes, programme_id=str(e.originator_id), title=e.title, provider=e.provider, note=e.note,
                 admission_criteria=e.admission_criteria, source=e.source,
                 registered_by=str(e.by) if e.by else None, registered_at=e.timestamp)

    def _session(self, e) -> dict:
        return dict(title=e.title, hours=e.hours, competences=_codes(e.competences), elements=_codes(e.elements),
                    over_four_hours=e.over_long, changed_by=str(e.by) if e.by else None, changed_at=e.timestamp)

    def session_added(self, e, w: Writer) -> None:
        w.insert(programme_sessions, programme_id=str(e.originator_id), code=e.code,
                 position=f"{e.originator_version:06d}", **self._session(e))

    def session_changed(self, e, w: Writer) -> None:
        w.update(programme_sessions, {"programme_id": str(e.originator_id), "code": e.code}, **self._session(e))

    def accreditation_recorded(self, e, w: Writer) -> None:
        w.insert(accreditations, programme_id=str(e.originator_id), starts_on=e.starts_on,
                 institution=e.institution, ends_on=e.ends_on, recorded_by=str(e.by) if e.by else None,
                 recorded_at=e.timestamp, ended_by=None, ended_at=None)

    def accreditation_ended(self, e, w: Writer) -> None:
        w.update(accreditations, {"programme_id": str(e.originator_id), "starts_on": e.starts_on},
                 ends_on=e.ends_on, ended_by=str(e.by) if e.by else None, ended_at=e.timestamp)

    def opened(self, e, w: Writer) -> None:
        self._workers[str(e.originator_id)] = str(e.worker_id)
        w.insert(register_portfolios, portfolio_id=str(e.originator_id), worker_id=str(e.worker_id))

    def attended(self, e, w: Writer) -> None:
        w.insert(attendances, attendance_id=str(e.attendance_id),
                 worker_id=portfolio_owner(self._workers, register_portfolios, e, w),
                 programme_id=str(e.programme_id), session_code=e.session, attended_on=e.attended_on,
                 recorded_at=e.timestamp)
