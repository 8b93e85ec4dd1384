"""Notifications projection: who should hear of what, derived from the log.

A notification is metadata only: its kind, the competence code and levels, who acted (an id), when,
and the request it is about. It never copies sealed text (feedback, reasons, titles), so neither
the inbox nor an e-mail can show any. The projection keeps its own small copy of portfolio owners,
supervisor assignments and requests, so it rebuilds on its own generation like every other projection.

A sign-off request notifies each supervisor assigned to the worker on the day it was asked; a
decision (approved, returned) or a revocation notifies the worker. A person's erasure request
notifies every organisation admin of that moment (the projection follows who holds the role); an
admin declining it notifies the person. Those rows name the person in `worker_id` and `request_id`
and have no competence or levels. A level of use coming due (LevelDueNotice, recorded by
`portfolio notifications due`) notifies the worker and each supervisor assigned to them on the day
it was noticed.
"""

from __future__ import annotations

from portfolio.domain.access_log import AccessLog
from portfolio.domain.due import LevelDueNotice
from portfolio.domain.frameworks import Framework
from portfolio.domain.organisation import ORGANISATION_EVENTS
from portfolio.domain.self_assessment import SelfAssessment
from portfolio.domain.portfolio import BUDDY_EVENTS
from portfolio.domain.people import ACCOUNT_EVENTS, ApiToken, Person, Username
from portfolio.domain.portfolio import Portfolio
from portfolio.domain.programmes import PROGRAMME_EVENTS
from portfolio.projections.base import Projection, ProjectionError, Writer, portfolio_owner
from portfolio.projections.notification_tables import (notifications, notify_admins, notify_assignments,
                                                        notify_portfolios, notify_requests)

P = Portfolio


class NotificationsProjection(Projection):
    name = "notifications"
    tables = (notifications, notify_portfolios, notify_assignments, notify_requests, notify_admins)
    handlers = {
        P.Opened: "opened", P.SignOffRequested: "requested", P.SignOffApproved: "approved",
        P.SignOffReturned: "returned", P.SignOffRevoked: "revoked",
        Person.SupervisorAssigned: "assigned", Person.SupervisionEnded: "ended", LevelDueNotice.Noticed: "due",
        Person.Registered: "roles", Person.RolesChanged: "roles",
        Person.ErasureRequested: "erasure_requested", Person.ErasureRequestDeclined: "erasure_declined",
    }
    ignored = (Person.ErasureRequestWithdrawn, Person.PositionStarted, Person.LeaveRecorded,
               Person.LeaveWithdrawn, Person.PasswordSet, *ACCOUNT_EVENTS,
               Person.ApiTokenIssued, ApiToken.Issued, Person.Erased, AccessLog.Opened, AccessLog.ContentRead,
               AccessLog.ContentsRead, P.TrainingRecorded, P.SupervisionRecorded, P.ReflectionWritten,
               P.ReflectionAmended, P.ExposureChanged, P.EvidenceAdded, P.EvidenceWithdrawn, P.GoalSet,
               P.GoalReviewed, P.SignOffWithdrawn, P.OthersStoryNoted, P.StoryPermissionConfirmed, P.TagsChanged,
               Username.Reserved, Framework.Registered, Framework.VersionPublished, *ORGANISATION_EVENTS,
               SelfAssessment.Opened, SelfAssessment.AssessmentCompleted, P.SessionAttended, *PROGRAMME_EVENTS)
    ignored += BUDDY_EVENTS  # the buddy scheme of 001: no read model follows it yet

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self._workers: dict[str, str] = {}  # portfolio id -> worker id
        self._requests: dict[str, tuple[str, str]] = {}  # request id -> (competence, levels)

    def _worker(self, e, w: Writer) -> str:
        return portfolio_owner(self._workers, notify_portfolios, e, w)

    def _request(self, rid: str, w: Writer) -> tuple[str, str]:
        if rid not in self._requests:
            rows = w.select(notify_requests, "competence", "levels", request_id=rid)
            if not rows:
                raise ProjectionError(f"sign-off request {rid} was decided before it was requested")
            self._requests[rid] = (rows[0].competence, rows[0].levels)
        return self._requests[rid]

    def _notify(self, e, w: Writer, recipient: str, kind: str, worker_id: str, request_id: str,
                competence: str, levels: str, actor: str | None, **due) -> None:
        w.insert(notifications, notification_id=f"{e.originator_id}:{e.originator_version}:{recipient}",
                 recipient_id=recipient, kind=kind, worker_id=worker_id, request_id=request_id,
                 competence=competence, levels=levels, actor_id=actor, at=e.timestamp,
                 stage=due.get("stage"), due_on=due.get("due_on"), missing=due.get("missing"))

    def _supervisors(self, w: Writer, worker: str, day) -> list[str]:
        return sorted({r.supervisor_id for r in w.select(notify_assignments, worker_id=worker)
                       if r.starts_on <= day and (r.ends_on is None or day <= r.ends_on)})

    # --- handlers ----------------------------------------------------------------------------
    def opened(self, e, w: Writer) -> None:
        self._workers[str(e.originator_id)] = str(e.worker_id)
        w.insert(notify_portfolios, portfolio_id=str(e.originator_id), worker_id=str(e.worker_id))

    def assigned(self, e, w: Writer) -> None:
        w.insert(notify_assignments, worker_id=str(e.originator_id), supervisor_id=str(e.supervisor_id),
                 starts_on=e.starts_on, ends_on=e.ends_on)

    def ended(self, e, w: Writer) -> None:
        key = {"worker_id": str(e.originator_id), "supervisor_id": str(e.supervisor_id)}
        for row in w.select(notify_assignments, "starts_on", "ends_on", **key):
            if row.ends_on is None:
                w.update(notify_assignments, {**key, "starts_on": row.starts_on}, ends_on=e.ends_on)

    def requested(self, e, w: Writer) -> None:
        worker, rid, levels = self._worker(e, w), str(e.request_id), ",".join(e.levels)
        self._requests[rid] = (e.competence, levels)
        w.insert(notify_requests, request_id=rid, competence=e.competence, levels=levels)
        for sid in self._supervisors(w, worker, e.timestamp.date()):
            self._notify(e, w, sid, "requested", worker, rid, e.competence, levels, worker)

    def _to_worker(self, e, w: Writer, kind: str, actor) -> None:
        worker, rid = self._worker(e, w), str(e.request_id)
        competence, levels = self._request(rid, w)
        self._notify(e, w, worker, kind, worker, rid, competence, levels, str(actor))

    def approved(self, e, w: Writer) -> None:
        self._to_worker(e, w, "approved", e.supervisor_id)

    def returned(self, e, w: Writer) -> None:
        self._to_worker(e, w, "returned", e.supervisor_id)

    def revoked(self, e, w: Writer) -> None:
        self._to_worker(e, w, "revoked", e.revoked_by)

    def due(self, e, w: Writer) -> None:
        worker, kind = str(e.worker_id), "overdue" if e.overdue else "due"
        for recipient in [worker, *self._supervisors(w, worker, e.timestamp.date())]:
            self._notify(e, w, recipient, kind, worker, str(e.originator_id), "", e.level, None,
                         stage=e.stage, due_on=e.due_on, missing=e.missing)

    # --- erasure requests ----------------------------------------------------------------------
    def roles(self, e, w: Writer) -> None:
        w.upsert(notify_admins, person_id=str(e.originator_id), admin="org_admin" in e.roles)

    def erasure_requested(self, e, w: Writer) -> None:
        person = str(e.originator_id)
        for row in w.select(notify_admins, "person_id", admin=True):
            if row.person_id != person:  # an admin's own request goes to the other admins
                self._notify(e, w, row.person_id, "erasure_requested", person, person, "", "", person)

    def erasure_declined(self, e, w: Writer) -> None:
        person = str(e.originator_id)
        self._notify(e, w, person, "erasure_declined", person, person, "", "", str(e.by))
