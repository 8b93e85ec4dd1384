"""Portfolio projection: training, supervision, reflections, evidence, goals, sign-off requests,
the competency matrix and the timeline of each worker."""

from __future__ import annotations

from uuid import UUID

from portfolio.domain.frameworks import Framework
from portfolio.domain.self_assessment import SelfAssessment
from portfolio.domain.access_log import AccessLog
from portfolio.domain.due import LevelDueNotice
from portfolio.domain.organisation import ORGANISATION_EVENTS
from portfolio.domain.portfolio import BUDDY_EVENTS
from portfolio.domain.people import ACCOUNT_EVENTS, ERASURE_REQUEST_EVENTS, ApiToken, Person, Username
from portfolio.domain.portfolio import Portfolio
from portfolio.domain.programmes import PROGRAMME_EVENTS
from portfolio.domain.tags import tag_key
from portfolio.domain.values import LEGACY_CLEAR, SESSION_HOURS_WARNING
from portfolio.projections.base import Projection, ProjectionError, Writer
from portfolio.projections.tables import (evidence, goals, matrix, portfolios, reflections, requests,
                                          supervisions, timeline, trainings)

P = Portfolio
LABELS = {"free": "free", "grow": "GROW", "learning_cycle": "learning cycle", "ideal_helper": "Ideal Helper",
          "circles_of_helpers": "Circles of helpers"}


def tags(values: list[dict]) -> str:
    return ",".join(tag_key(t) for t in values)


def sealed(value: str | None) -> str | None:
    """Ciphertext only: text an old event held in clear (or none) is not copied to a read model."""
    return value if value and not value.startswith(LEGACY_CLEAR) else None


class PortfolioProjection(Projection):
    name = "portfolio"
    tables = (portfolios, trainings, supervisions, reflections, evidence, goals, requests, matrix, timeline)
    handlers = {
        P.Opened: "opened", P.TrainingRecorded: "training", P.SupervisionRecorded: "supervision",
        P.ReflectionWritten: "reflection_written", P.ReflectionAmended: "reflection_amended",
        P.ExposureChanged: "exposure_changed", P.EvidenceAdded: "evidence_added",
        P.EvidenceWithdrawn: "evidence_withdrawn", P.TagsChanged: "tags_changed", P.GoalSet: "goal_set",
        P.GoalReviewed: "goal_reviewed",
        P.SignOffRequested: "requested", P.SignOffApproved: "approved", P.SignOffReturned: "returned",
        P.SignOffWithdrawn: "withdrawn", P.SignOffRevoked: "revoked",
        Person.PositionStarted: "position_started", Person.SupervisorAssigned: "supervisor_assigned",
        Person.LeaveRecorded: "leave_recorded", Person.LeaveWithdrawn: "leave_withdrawn",
        P.SessionAttended: "attended",
    }
    ignored = (Person.Registered, Person.RolesChanged, Person.SupervisionEnded, Person.PasswordSet, *ACCOUNT_EVENTS,
               *ERASURE_REQUEST_EVENTS, Person.ApiTokenIssued, ApiToken.Issued, Person.Erased, AccessLog.Opened,
               AccessLog.ContentRead, AccessLog.ContentsRead,
               P.OthersStoryNoted, P.StoryPermissionConfirmed,
               Username.Reserved, Framework.Registered, Framework.VersionPublished,
               *ORGANISATION_EVENTS, LevelDueNotice.Noticed, SelfAssessment.Opened,
               SelfAssessment.AssessmentCompleted, *PROGRAMME_EVENTS)
    ignored += BUDDY_EVENTS  # the buddy scheme of 001: no read model follows it yet

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self._workers: dict[UUID, str] = {}
        self._requests: dict[str, tuple[str, str]] = {}

    # --- lookups (cached; the database answers for what an earlier run wrote) ---------------
    def worker(self, e, w: Writer) -> str:
        pid = e.originator_id
        if pid not in self._workers:
            rows = w.select(portfolios, "worker_id", portfolio_id=str(pid))
            if not rows:
                raise ProjectionError(f"portfolio {pid} has no Opened event before version {e.originator_version}")
            self._workers[pid] = rows[0].worker_id
        return self._workers[pid]

    def request(self, rid: str, w: Writer) -> tuple[str, str]:
        if rid not in self._requests:
            rows = w.select(requests, "competence", "levels", request_id=rid)
            if not rows:
                raise ProjectionError(f"sign-off request {rid} was decided before it was requested")
            self._requests[rid] = (rows[0].competence, rows[0].levels)
        return self._requests[rid]

    def line(self, e, w: Writer, worker_id: str, kind: str, item_id, label: str,
             title_sealed: str | None = None) -> None:
        w.insert(timeline, originator_id=str(e.originator_id), originator_version=e.originator_version,
                 worker_id=worker_id, at=e.timestamp, kind=kind, item_id=str(item_id) if item_id else None,
                 label=label[:300], title_sealed=sealed(title_sealed))

    # --- handlers ----------------------------------------------------------------------------
    def opened(self, e, w: Writer) -> None:
        self._workers[e.originator_id] = str(e.worker_id)
        w.insert(portfolios, portfolio_id=str(e.originator_id), worker_id=str(e.worker_id))

    def position_started(self, e, w: Writer) -> None:
        self.line(e, w, str(e.originator_id), "position", None,
                  f"Started as {e.position.replace('_', ' ')} on {e.starts_on}"
                  + (f" (induction {e.induction_days} days)" if e.induction_days else ""))

    def leave_recorded(self, e, w: Writer) -> None:
        self.line(e, w, str(e.originator_id), "leave", e.leave_id,
                  f"{e.kind.capitalize()} recorded from {e.starts_on}" + (f" to {e.ends_on}" if e.ends_on else ""))

    def leave_withdrawn(self, e, w: Writer) -> None:
        self.line(e, w, str(e.originator_id), "leave", e.leave_id, "Leave record withdrawn (a correction)")

    def supervisor_assigned(self, e, w: Writer) -> None:
        self.line(e, w, str(e.originator_id), "assignment", e.supervisor_id,
                  f"Supervisor assigned from {e.starts_on}" + (f" to {e.ends_on}" if e.ends_on else ""))

    def training(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        w.insert(trainings, training_id=str(e.training_id), worker_id=wid, title_sealed=sealed(e.title_sealed),
                 provider_sealed=sealed(e.provider_sealed), held_on=e.held_on, hours=e.hours, delivery=e.delivery,
                 elements=",".join(e.elements), accredited=e.accredited,
                 accredited_by_sealed=sealed(e.accredited_by_sealed), over_four_hours=e.hours > SESSION_HOURS_WARNING)
        self.line(e, w, wid, "training", e.training_id,
                  f"Training on {e.held_on} ({e.hours} h, {e.delivery.replace('_', ' ')})", e.title_sealed)

    def attended(self, e, w: Writer) -> None:
        self.line(e, w, self.worker(e, w), "attendance", e.attendance_id,
                  f"Attended session {e.session} of a registered programme on {e.attended_on}")

    def supervision(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        w.insert(supervisions, supervision_id=str(e.supervision_id), worker_id=wid,
                 supervisor_id=str(e.supervisor_id), held_on=e.held_on, orientation=e.orientation,
                 format=e.format, mode=e.mode, minutes=e.minutes, topics_sealed=sealed(e.topics_sealed),
                 actions_sealed=e.actions_sealed, notes_sealed=e.notes_sealed, exposure="private")
        self.line(e, w, wid, "supervision", e.supervision_id,
                  f"Supervision on {e.held_on}: {e.orientation}-oriented, {e.format.replace('_', '-')}, "
                  f"{e.minutes} min")

    def reflection_written(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        w.insert(reflections, reflection_id=str(e.reflection_id), worker_id=wid, template=e.template,
                 title_sealed=e.title_sealed, competences=",".join(e.competences), tags=tags(e.tags), versions=1,
                 exposure="private", written_at=e.written_at, amended_at=None, exposure_changed_at=None)
        self.line(e, w, wid, "reflection", e.reflection_id, f"Reflection written ({LABELS[e.template]})",
                  e.title_sealed)

    def reflection_amended(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        rid = str(e.reflection_id)
        (row,) = w.select(reflections, "versions", reflection_id=rid)
        w.update(reflections, {"reflection_id": rid}, title_sealed=e.title_sealed,
                 competences=",".join(e.competences), versions=row.versions + 1, amended_at=e.written_at)
        self.line(e, w, wid, "reflection", e.reflection_id, f"Reflection amended (version {row.versions + 1})",
                  e.title_sealed)

    def exposure_changed(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        table, key = {"reflection": (reflections, "reflection_id"), "supervision": (supervisions, "supervision_id"),
                      "evidence": (evidence, "evidence_id"), "goal": (goals, "goal_id")}[e.item_kind]
        values = {"exposure": e.tier}
        if table in (reflections, goals):
            values["exposure_changed_at"] = e.timestamp
        w.update(table, {key: str(e.item_id)}, **values)
        self.line(e, w, wid, "exposure", e.item_id, f"{e.item_kind.capitalize()} now {e.tier.replace('_', ' ')}")

    def evidence_added(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        claims = ",".join(f"{c['competence']}:{c['level']}" for c in e.claims)
        w.insert(evidence, evidence_id=str(e.evidence_id), worker_id=wid, title_sealed=sealed(e.title_sealed),
                 kind=e.kind,
                 claims=claims, framework_version=e.framework_version, has_file=e.file is not None,
                 links=",".join(str(x) for x in e.links), tags=tags(e.tags),
                 exposure="private", withdrawn=False, added_at=e.added_at)
        self.line(e, w, wid, "evidence", e.evidence_id, f"Evidence added ({e.kind.replace('_', ' ')})",
                  e.title_sealed)

    def evidence_withdrawn(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        w.update(evidence, {"evidence_id": str(e.evidence_id)}, withdrawn=True)
        self.line(e, w, wid, "evidence", e.evidence_id, "Evidence withdrawn")

    def tags_changed(self, e, w: Writer) -> None:
        table, key = {"reflection": (reflections, "reflection_id"), "evidence": (evidence, "evidence_id")}[e.item_kind]
        w.update(table, {key: str(e.item_id)}, tags=tags(e.tags))  # structure only: no timeline line

    def goal_set(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        w.insert(goals, goal_id=str(e.goal_id), worker_id=wid, text_sealed=e.text_sealed,
                 competences=",".join(e.competences), due_on=e.due_on, status="open", commitment=None,
                 set_at=e.timestamp, reviewed_at=None, exposure="private", exposure_changed_at=None,
                 note_sealed=None)
        self.line(e, w, wid, "goal", e.goal_id, "Development goal set" + (f", due {e.due_on}" if e.due_on else ""))

    def goal_reviewed(self, e, w: Writer) -> None:
        wid = self.worker(e, w)
        w.update(goals, {"goal_id": str(e.goal_id)}, status=e.status, commitment=e.commitment, due_on=e.due_on,
                 reviewed_at=e.reviewed_at, note_sealed=sealed(e.note_sealed))
        self.line(e, w, wid, "goal", e.goal_id, f"Development goal reviewed: {e.status}")

    # --- sign-off ----------------------------------------------------------------------------
    def requested(self, e, w: Writer) -> None:
        wid, rid = self.worker(e, w), str(e.request_id)
        levels = ",".join(e.levels)
        self._requests[rid] = (e.competence, levels)
        w.insert(requests, request_id=rid, worker_id=wid, competence=e.competence, levels=levels,
                 evidence_ids=",".join(str(x) for x in e.evidence_ids), evidence_count=len(e.evidence_ids),
                 framework_id=e.framework_id, framework_version=e.framework_version, status="open",
                 requested_at=e.requested_at, decided_at=None, decided_by=None, decided_role=None,
                 feedback_sealed=None, closed_at=None, revoked_by=None, revoked_role=None, reason_sealed=None)
        for level in e.levels:  # a cell shows the latest request for that competence and level
            w.upsert(matrix, worker_id=wid, competence=e.competence, level=level, state="requested",
                     request_id=rid, since=e.requested_at, signed_by=None, evidence_count=len(e.evidence_ids),
                     framework_version=e.framework_version)
        self.line(e, w, wid, "sign-off", rid, f"Sign-off requested: {e.competence} {levels.replace(',', ' + ')}")

    def _decided(self, e, w: Writer, status: str, verb: str, **values) -> None:
        wid, rid = self.worker(e, w), str(e.request_id)
        competence, levels = self.request(rid, w)
        w.update(requests, {"request_id": rid}, status=status, **values)
        self.line(e, w, wid, "sign-off", rid, f"Sign-off {verb}: {competence} {levels.replace(',', ' + ')}")

    def approved(self, e, w: Writer) -> None:
        self._decided(e, w, "approved", "approved", decided_at=e.decided_at, decided_by=str(e.supervisor_id),
                      decided_role=e.role)
        w.update(matrix, {"request_id": str(e.request_id)}, state="signed", since=e.decided_at,
                 signed_by=str(e.supervisor_id))

    def returned(self, e, w: Writer) -> None:
        self._decided(e, w, "returned", "returned with feedback", decided_at=e.decided_at,
                      decided_by=str(e.supervisor_id), decided_role=e.role, feedback_sealed=e.feedback_sealed)
        w.update(matrix, {"request_id": str(e.request_id)}, state="returned", since=e.decided_at)

    def withdrawn(self, e, w: Writer) -> None:
        self._decided(e, w, "withdrawn", "withdrawn", closed_at=e.withdrawn_at)
        w.update(matrix, {"request_id": str(e.request_id)}, state="withdrawn", since=e.withdrawn_at)

    def revoked(self, e, w: Writer) -> None:
        self._decided(e, w, "revoked", "revoked", closed_at=e.revoked_at, revoked_by=str(e.revoked_by),
                      revoked_role=e.role, reason_sealed=e.reason_sealed)
        w.update(matrix, {"request_id": str(e.request_id)}, state="revoked", since=e.revoked_at)
