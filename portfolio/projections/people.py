"""People projection: accounts, positions held and supervisor assignments."""

from __future__ import annotations

from portfolio.domain.frameworks import Framework
from portfolio.domain.self_assessment import SelfAssessment
from portfolio.domain.access_log import AccessLog
from portfolio.domain.due import LevelDueNotice
from portfolio.domain.organisation import ORGANISATION_EVENTS
from portfolio.domain.portfolio import BUDDY_EVENTS
from portfolio.domain.people import ACCOUNT_EVENTS, ERASURE_REQUEST_EVENTS, ApiToken, Person, Username
from portfolio.domain.portfolio import Portfolio
from portfolio.domain.programmes import PROGRAMME_EVENTS
from portfolio.projections.base import Projection, Writer
from portfolio.projections.tables import assignments, leave, people, positions

PORTFOLIO_EVENTS = tuple(getattr(Portfolio, n) for n in (
    "Opened", "TrainingRecorded", "SupervisionRecorded", "ReflectionWritten", "ReflectionAmended",
    "ExposureChanged", "EvidenceAdded", "EvidenceWithdrawn", "GoalSet", "GoalReviewed", "SignOffRequested",
    "SignOffApproved", "SignOffReturned", "SignOffWithdrawn", "SignOffRevoked", "OthersStoryNoted",
    "StoryPermissionConfirmed", "SessionAttended", "TagsChanged"))


class PeopleProjection(Projection):
    name = "people"
    tables = (people, positions, leave, assignments)
    handlers = {
        Person.Registered: "registered",
        Person.RolesChanged: "roles_changed",
        Person.PositionStarted: "position_started",
        Person.LeaveRecorded: "leave_recorded",
        Person.LeaveWithdrawn: "leave_withdrawn",
        Person.SupervisorAssigned: "supervisor_assigned",
        Person.SupervisionEnded: "supervision_ended",
        Person.Erased: "erased",
    }
    ignored = (Person.PasswordSet, *ACCOUNT_EVENTS, *ERASURE_REQUEST_EVENTS, Person.ApiTokenIssued, ApiToken.Issued,
               Username.Reserved, AccessLog.Opened, AccessLog.ContentRead, AccessLog.ContentsRead, Framework.Registered,
               Framework.VersionPublished,
               *PORTFOLIO_EVENTS, SelfAssessment.Opened, SelfAssessment.AssessmentCompleted,
               *ORGANISATION_EVENTS, LevelDueNotice.Noticed, *PROGRAMME_EVENTS)
    ignored += BUDDY_EVENTS  # the buddy scheme of 001: no read model follows it yet

    def registered(self, e, w: Writer) -> None:
        w.insert(people, person_id=str(e.originator_id), username=e.username, name_sealed=e.name_sealed,
                 roles=",".join(e.roles), joined_on=e.joined_on, registered_at=e.timestamp,
                 erased_at=None)

    def roles_changed(self, e, w: Writer) -> None:
        w.update(people, {"person_id": str(e.originator_id)}, roles=",".join(e.roles))

    def position_started(self, e, w: Writer) -> None:
        w.insert(positions, person_id=str(e.originator_id), starts_on=e.starts_on, position=e.position,
                 induction_days=e.induction_days)

    def leave_recorded(self, e, w: Writer) -> None:
        w.insert(leave, leave_id=str(e.leave_id), person_id=str(e.originator_id), kind=e.kind,
                 starts_on=e.starts_on, ends_on=e.ends_on, recorded_by=str(e.recorded_by), withdrawn=False)

    def leave_withdrawn(self, e, w: Writer) -> None:
        w.update(leave, {"leave_id": str(e.leave_id)}, withdrawn=True)

    def supervisor_assigned(self, e, w: Writer) -> None:
        w.insert(assignments, worker_id=str(e.originator_id), supervisor_id=str(e.supervisor_id),
                 starts_on=e.starts_on, ends_on=e.ends_on)

    def erased(self, e, w: Writer) -> None:
        w.update(people, {"person_id": str(e.originator_id)}, erased_at=e.erased_at)

    def supervision_ended(self, e, w: Writer) -> None:
        rows = w.select(assignments, "starts_on", "ends_on", worker_id=str(e.originator_id),
                        supervisor_id=str(e.supervisor_id))
        for row in rows:
            if row.ends_on is None:
                w.update(assignments, {"worker_id": str(e.originator_id), "supervisor_id": str(e.supervisor_id),
                                       "starts_on": row.starts_on}, ends_on=e.ends_on)
