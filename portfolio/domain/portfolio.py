"""A peer worker's portfolio: training, supervision, reflections, evidence, goals and sign-offs.

Personal text (training titles, providers and accrediting bodies, supervision topics, notes and
agreed actions, reflection titles and bodies, evidence titles, descriptions and file names,
feedback, goal text, revocation reasons) arrives here already sealed: the domain stores the
ciphertext string and never sees the plain words.

Events recorded before training, supervision and evidence text was sealed (class version 1) held
some of it in clear; their upcasters turn it into LEGACY_CLEAR-marked strings, which the
application shows only while the person's key exists and the projections never copy.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain import clock
from portfolio.domain.base import PortfolioAggregate
from portfolio.domain.errors import (
    AlreadySignedOff,
    AlreadyWithdrawn,
    BuddyNotAssigned,
    DomainError,
    EvidenceRequired,
    InvalidValue,
    LevelBelowMissing,
    NotFound,
    OpenRequestExists,
    PermissionRequired,
    RequestNotOpen,
    SelfSignOff,
    SupervisorNotAssigned,
)
from portfolio.domain.people import Person
from portfolio.domain.programmes import Programme
from portfolio.domain.tags import TagCatalogue, clean_tags, same_tags
from portfolio.domain.values import (
    LEGACY_CLEAR,
    EVIDENCE_KINDS,
    EXPOSURE_TIERS,
    GOAL_STATUSES,
    LEVELS,
    REFLECTION_TEMPLATES,
    SESSION_HOURS_WARNING,
    SUPERVISION_FORMAT,
    SUPERVISION_MODE,
    SUPERVISION_ORIENTATION,
    TRAINING_DELIVERY,
    level_index,
    one_of,
)
from portfolio.domain.values import happened  # dates of occurrences: kept apart for easy merges

PORTFOLIO_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/portfolio")


def _clean_ratings(ratings: dict) -> dict[str, int]:
    """Scale name -> whole number 1-5. A name must start with a letter or digit: the event store
    reads a mapping of exactly '_type_' and '_data_' as one of its own encoded values, so such
    names would make the whole portfolio unreadable."""
    clean = {}
    for scale, value in ratings.items():
        name = str(scale).strip()
        if not name[:1].isalnum() or len(name) > 80:
            raise InvalidValue("ratings", f"{scale!r} is not a rating scale name (start with a letter or "
                                          f"digit, at most 80 characters)")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise InvalidValue(f"ratings.{name}", "must be a whole number between 1 and 5") from None
        if not 1 <= number <= 5:
            raise InvalidValue(f"ratings.{name}", "must be a whole number between 1 and 5")
        clean[name] = number
    return clean


def legacy_clear(text: str) -> str:
    """A v1 event's clear text, marked so that no layer mistakes it for ciphertext ("" stays "")."""
    return LEGACY_CLEAR + text if text else ""


def _sealed(field: str, value: str) -> str:
    """Text arrives sealed by the application (which has checked the plain words first)."""
    if not value:
        raise InvalidValue(field, "is required")
    return value


class Portfolio(PortfolioAggregate):
    # Snapshots: v1 held training, supervision and evidence text in clear; v2 goals had no tier;
    # v3 had no attendances; v4 no buddy meetings.
    class_version = 5

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        for t in state.get("trainings", {}).values():
            for name in ("title", "provider", "accredited_by"):
                if name in t:
                    t[f"{name}_sealed"] = legacy_clear(t.pop(name))
        for s in state.get("supervisions", {}).values():
            if "topics" in s:
                s["topics_sealed"] = legacy_clear(json.dumps(s.pop("topics"), ensure_ascii=False))
        for e in state.get("evidence", {}).values():
            if "title" in e:
                e["title_sealed"] = legacy_clear(e.pop("title"))

    @staticmethod
    def upcast_v2_v3(state: dict) -> None:
        for goal in state.get("goals", {}).values():
            goal.setdefault("exposure", "private")  # goals could not be shared before
            goal.setdefault("set_at", None)  # not kept in a v2 snapshot

    @staticmethod
    def upcast_v3_v4(state: dict) -> None:
        state.setdefault("attendances", {})

    @staticmethod
    def upcast_v4_v5(state: dict) -> None:
        state.setdefault("buddy_meetings", {})

    @staticmethod
    def create_id(worker_id: UUID) -> UUID:
        return uuid5(PORTFOLIO_NS, str(worker_id))

    @event("Opened")
    def __init__(self, worker_id: UUID):
        self.worker_id = worker_id
        self.trainings: dict[str, dict] = {}
        self.supervisions: dict[str, dict] = {}
        self.reflections: dict[str, dict] = {}
        self.evidence: dict[str, dict] = {}
        self.goals: dict[str, dict] = {}
        self.requests: dict[str, dict] = {}
        self.attendances: dict[str, dict] = {}
        self.buddy_meetings: dict[str, dict] = {}

    # --- training ---------------------------------------------------------------------------
    class TrainingRecorded(PortfolioAggregate.Event):
        """v2: title, provider and accrediting body sealed (v1 held them in clear)."""
        class_version = 2
        training_id: UUID
        title_sealed: str
        provider_sealed: str
        held_on: date
        hours: Decimal
        delivery: str
        elements: list[str]
        accredited: bool
        accredited_by_sealed: str
        ratings: dict
        warnings: list[str]

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            for name in ("title", "provider", "accredited_by"):
                state[f"{name}_sealed"] = legacy_clear(state.pop(name, ""))

    def record_training(self, training_id: UUID, title_sealed: str, provider_sealed: str, held_on: date,
                        hours: Decimal, delivery: str, elements: list[str], accredited: bool,
                        accredited_by_sealed: str, ratings: dict[str, int]) -> list[str]:
        """Returns warnings (e.g. a session over 4 hours, 000:388): advice, not refusal.
        `accredited_by_sealed` is "" when no accrediting body was named."""
        happened("held_on", held_on, "a training")
        _sealed("title", title_sealed)
        _sealed("provider", provider_sealed)
        one_of("delivery", delivery, TRAINING_DELIVERY)
        if hours <= 0 or hours > 200:
            raise InvalidValue("hours", "must be more than 0 and at most 200")
        if accredited and not accredited_by_sealed:
            raise InvalidValue("accredited_by", "name who accredited the programme")
        ratings = _clean_ratings(ratings)
        warnings = []
        if hours > SESSION_HOURS_WARNING:
            warnings.append("One training session should not take more than 4 hours (000:388).")
        self._training_recorded(
            training_id=training_id, title_sealed=title_sealed, provider_sealed=provider_sealed, held_on=held_on,
            hours=hours, delivery=delivery, elements=sorted(set(elements)), accredited=bool(accredited),
            accredited_by_sealed=accredited_by_sealed, ratings=ratings, warnings=warnings)
        return warnings

    @event(TrainingRecorded)
    def _training_recorded(self, training_id: UUID, title_sealed: str, provider_sealed: str, held_on: date,
                           hours: Decimal, delivery: str, elements: list[str], accredited: bool,
                           accredited_by_sealed: str, ratings: dict, warnings: list[str]) -> None:
        self.trainings[str(training_id)] = {
            "title_sealed": title_sealed, "provider_sealed": provider_sealed, "held_on": held_on, "hours": hours,
            "delivery": delivery, "elements": elements, "accredited": accredited,
            "accredited_by_sealed": accredited_by_sealed, "ratings": ratings, "warnings": warnings}

    # --- attendance at a registered programme's session ---------------------------------------
    def attend_session(self, attendance_id: UUID, programme: Programme, session_code: str, attended_on: date) -> None:
        """What the session covers follows from the register; the event names only which one."""
        happened("attended_on", attended_on, "attendance")
        if session_code not in programme.sessions:
            raise InvalidValue("session", f"{programme.title} has no session {session_code!r}")
        if any(a["programme_id"] == programme.id and a["session"] == session_code and a["attended_on"] == attended_on
               for a in self.attendances.values()):
            raise InvalidValue("session", f"attendance at {session_code} on {attended_on} is already recorded")
        self._session_attended(attendance_id=attendance_id, programme_id=programme.id, session=session_code,
                               attended_on=attended_on)

    @event("SessionAttended")
    def _session_attended(self, attendance_id: UUID, programme_id: UUID, session: str, attended_on: date) -> None:
        self.attendances[str(attendance_id)] = {"programme_id": programme_id, "session": session,
                                                "attended_on": attended_on}

    # --- supervision ------------------------------------------------------------------------
    class SupervisionRecorded(PortfolioAggregate.Event):
        """v2: the topics sealed together, as one JSON list (v1 held them in clear)."""
        class_version = 2
        supervision_id: UUID
        held_on: date
        supervisor_id: UUID
        orientation: str
        format: str
        mode: str
        minutes: int
        topics_sealed: str
        actions_sealed: str
        notes_sealed: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["topics_sealed"] = legacy_clear(json.dumps(state.pop("topics", []), ensure_ascii=False))

    def record_supervision(self, supervision_id: UUID, held_on: date, supervisor_id: UUID, orientation: str,
                           format: str, mode: str, minutes: int, topics_sealed: str, actions_sealed: str,
                           notes_sealed: str, worker: Person) -> None:
        happened("held_on", held_on, "a supervision session")
        one_of("orientation", orientation, SUPERVISION_ORIENTATION)
        one_of("format", format, SUPERVISION_FORMAT)
        one_of("mode", mode, SUPERVISION_MODE)
        if not 5 <= minutes <= 480:
            raise InvalidValue("minutes", "must be between 5 and 480")
        if supervisor_id == self.worker_id:
            raise InvalidValue("supervisor", "a worker cannot record themselves as their supervisor")
        _sealed("topics", topics_sealed)
        if held_on > clock.today() + timedelta(days=1):  # a day's grace for time zones ahead of UTC
            raise InvalidValue("held_on", "a supervision session cannot be recorded in the future")
        if format == "one_to_one" and not worker.was_supervised_by(supervisor_id, held_on):
            raise SupervisorNotAssigned(
                f"that supervisor was not assigned to this worker on {held_on.isoformat()}")
        self._supervision_recorded(
            supervision_id=supervision_id, held_on=held_on, supervisor_id=supervisor_id,
            orientation=orientation, format=format, mode=mode, minutes=minutes, topics_sealed=topics_sealed,
            actions_sealed=actions_sealed, notes_sealed=notes_sealed)

    @event(SupervisionRecorded)
    def _supervision_recorded(self, supervision_id: UUID, held_on: date, supervisor_id: UUID, orientation: str,
                              format: str, mode: str, minutes: int, topics_sealed: str, actions_sealed: str,
                              notes_sealed: str) -> None:
        self.supervisions[str(supervision_id)] = {
            "held_on": held_on, "supervisor_id": supervisor_id, "orientation": orientation, "format": format,
            "mode": mode, "minutes": minutes, "topics_sealed": topics_sealed, "actions_sealed": actions_sealed,
            "notes_sealed": notes_sealed, "exposure": "private"}

    # --- buddy meetings (001's buddy scheme) --------------------------------------------------
    def record_buddy_meeting(self, meeting_id: UUID, held_on: date, buddy_id: UUID, minutes: int,
                             notes_sealed: str, worker: Person) -> None:
        """`notes_sealed` is "" when no notes were written."""
        happened("held_on", held_on, "a buddy meeting")
        if not 5 <= minutes <= 480:
            raise InvalidValue("minutes", "must be between 5 and 480")
        if buddy_id not in worker.buddies_on(held_on):
            raise BuddyNotAssigned("held_on",
                                   f"that person was not assigned as your buddy on {held_on.isoformat()}")
        self._buddy_meeting_recorded(meeting_id=meeting_id, held_on=held_on, buddy_id=buddy_id, minutes=minutes,
                                     notes_sealed=notes_sealed)

    @event("BuddyMeetingRecorded")
    def _buddy_meeting_recorded(self, meeting_id: UUID, held_on: date, buddy_id: UUID, minutes: int,
                                notes_sealed: str) -> None:
        self.buddy_meetings[str(meeting_id)] = {"held_on": held_on, "buddy_id": buddy_id, "minutes": minutes,
                                                "notes_sealed": notes_sealed}

    # --- reflections ------------------------------------------------------------------------
    class ReflectionWritten(PortfolioAggregate.Event):
        """v2: with tags (v1 had none)."""
        class_version = 2
        reflection_id: UUID
        template: str
        title_sealed: str
        body_sealed: str
        competences: list[str]
        tags: list[dict]
        written_at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["tags"] = []

    def write_reflection(self, reflection_id: UUID, template: str, title_sealed: str, body_sealed: str,
                         competences: list[str], tags: list | None = None,
                         catalogues: dict[str, TagCatalogue] | None = None) -> None:
        one_of("template", template, REFLECTION_TEMPLATES)
        if str(reflection_id) in self.reflections:
            raise DomainError("this reflection already exists")
        self._reflection_written(reflection_id=reflection_id, template=template, title_sealed=title_sealed,
                                 body_sealed=body_sealed, competences=sorted(set(competences)),
                                 tags=clean_tags("tags", tags, catalogues or {}), written_at=clock.now())

    @event(ReflectionWritten)
    def _reflection_written(self, reflection_id: UUID, template: str, title_sealed: str, body_sealed: str,
                            competences: list[str], tags: list[dict], written_at: datetime) -> None:
        self.reflections[str(reflection_id)] = {
            "template": template, "competences": competences, "tags": tags, "exposure": "private",
            "versions": [{"title_sealed": title_sealed, "body_sealed": body_sealed,
                          "written_at": written_at}]}

    def amend_reflection(self, reflection_id: UUID, title_sealed: str, body_sealed: str,
                         competences: list[str]) -> None:
        self._get("reflection", self.reflections, reflection_id)
        self._reflection_amended(reflection_id=reflection_id, title_sealed=title_sealed,
                                 body_sealed=body_sealed, competences=sorted(set(competences)),
                                 written_at=clock.now())

    @event("ReflectionAmended")
    def _reflection_amended(self, reflection_id: UUID, title_sealed: str, body_sealed: str,
                            competences: list[str], written_at: datetime) -> None:
        r = self.reflections[str(reflection_id)]
        r["competences"] = competences
        # Earlier versions are kept: amending never overwrites what was written.
        r["versions"].append({"title_sealed": title_sealed, "body_sealed": body_sealed,
                              "written_at": written_at})

    def _items(self, item_kind: str) -> dict:
        items = {"reflection": self.reflections, "supervision": self.supervisions,
                 "evidence": self.evidence, "goal": self.goals}.get(item_kind)
        if items is None:
            raise InvalidValue("item_kind", "must be reflection, supervision, evidence or goal")
        return items

    def change_exposure(self, item_kind: str, item_id: UUID, tier: str) -> None:
        """Sharing is an explicit, recorded step (private by default), up or down."""
        one_of("tier", tier, EXPOSURE_TIERS)
        item = self._get(item_kind, self._items(item_kind), item_id)
        if tier != "private" and item.get("others_story") and not item.get("permission_confirmed"):
            raise PermissionRequired("this holds someone else's recovery story: confirm it was told with "
                                     "permission before it leaves the private tier (002: \"with permission\")")
        if item["exposure"] != tier:
            self._exposure_changed(item_kind=item_kind, item_id=item_id, tier=tier, changed_at=clock.now())

    @event("ExposureChanged")
    def _exposure_changed(self, item_kind: str, item_id: UUID, tier: str, changed_at: datetime) -> None:
        item = self._items(item_kind)[str(item_id)]
        item["exposure"] = tier
        item.setdefault("exposure_history", []).append({"tier": tier, "at": changed_at})

    def note_others_story(self, item_kind: str, item_id: UUID) -> None:
        """The item tells someone else's recovery story: it stays private until permission is confirmed."""
        if item_kind not in ("reflection", "evidence"):
            raise InvalidValue("item_kind", "only a reflection or evidence can hold someone else's story")
        item = self._get(item_kind, self._items(item_kind), item_id)
        if item["exposure"] != "private":
            raise PermissionRequired("make it private first, then note that it holds someone else's story")
        if not item.get("others_story"):
            self._others_story_noted(item_kind=item_kind, item_id=item_id)

    @event("OthersStoryNoted")
    def _others_story_noted(self, item_kind: str, item_id: UUID) -> None:
        self._items(item_kind)[str(item_id)]["others_story"] = True

    def confirm_story_permission(self, item_kind: str, item_id: UUID) -> None:
        item = self._get(item_kind, self._items(item_kind), item_id)
        if not item.get("others_story"):
            raise DomainError("this item is not marked as holding someone else's story")
        if item.get("permission_confirmed"):
            raise DomainError("permission is already confirmed for this item")
        self._story_permission_confirmed(item_kind=item_kind, item_id=item_id, confirmed_at=clock.now())

    @event("StoryPermissionConfirmed")
    def _story_permission_confirmed(self, item_kind: str, item_id: UUID, confirmed_at: datetime) -> None:
        item = self._items(item_kind)[str(item_id)]
        item["permission_confirmed"], item["permission_confirmed_at"] = True, confirmed_at

    # --- tags -------------------------------------------------------------------------------
    def change_tags(self, item_kind: str, item_id: UUID, tags: list,
                    catalogues: dict[str, TagCatalogue]) -> bool:
        """Tags of a reflection or evidence, replaced as a whole; False when nothing changes."""
        if item_kind not in ("reflection", "evidence"):
            raise InvalidValue("item_kind", "only a reflection or evidence carries tags")
        item = self._get(item_kind, self._items(item_kind), item_id)
        clean = clean_tags("tags", tags, catalogues)
        if same_tags(clean, item.get("tags", [])):
            return False
        self._tags_changed(item_kind=item_kind, item_id=item_id, tags=clean, changed_at=clock.now())
        return True

    @event("TagsChanged")
    def _tags_changed(self, item_kind: str, item_id: UUID, tags: list[dict], changed_at: datetime) -> None:
        self._items(item_kind)[str(item_id)]["tags"] = tags

    # --- evidence ---------------------------------------------------------------------------
    class EvidenceAdded(PortfolioAggregate.Event):
        """v2: the title sealed (v1 held it in clear); v3: with tags (earlier versions had none)."""
        class_version = 3
        evidence_id: UUID
        title_sealed: str
        kind: str
        description_sealed: str
        claims: list[dict]
        framework_id: str
        framework_version: str
        file: dict | None
        links: list[UUID]
        tags: list[dict]
        added_at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["title_sealed"] = legacy_clear(state.pop("title", ""))

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            state["tags"] = []

    def add_evidence(self, evidence_id: UUID, title_sealed: str, kind: str, description_sealed: str,
                     claims: list[dict], framework_id: str, framework_version: str,
                     file: dict | None, links: list[UUID] | None = None, tags: list | None = None,
                     catalogues: dict[str, TagCatalogue] | None = None) -> None:
        """`links` name the training, supervision or reflection records this evidence documents."""
        _sealed("title", title_sealed)
        one_of("kind", kind, EVIDENCE_KINDS)
        if len(claims) > 20:
            raise InvalidValue("claims", "one evidence item can support at most 20 competence levels")
        clean_claims = []
        for c in claims:
            level_index(c["level"])
            clean_claims.append({"competence": c["competence"], "level": c["level"]})
        for link in links or []:
            if not any(str(link) in items for items in (self.trainings, self.supervisions, self.reflections)):
                raise NotFound(f"no training, supervision or reflection {link} in this portfolio")
        clean_tag_list = clean_tags("tags", tags, catalogues or {})
        self._evidence_added(evidence_id=evidence_id, title_sealed=title_sealed, kind=kind,
                             description_sealed=description_sealed, claims=clean_claims,
                             framework_id=framework_id, framework_version=framework_version, file=file,
                             links=list(dict.fromkeys(links or [])), tags=clean_tag_list, added_at=clock.now())

    @event(EvidenceAdded)
    def _evidence_added(self, evidence_id: UUID, title_sealed: str, kind: str, description_sealed: str,
                        claims: list[dict], framework_id: str, framework_version: str,
                        file: dict | None, links: list[UUID], tags: list[dict], added_at: datetime) -> None:
        self.evidence[str(evidence_id)] = {
            "title_sealed": title_sealed, "kind": kind, "description_sealed": description_sealed,
            "claims": claims, "framework_id": framework_id, "framework_version": framework_version, "file": file,
            "links": links, "tags": tags, "exposure": "private", "withdrawn": False, "added_at": added_at}

    def withdraw_evidence(self, evidence_id: UUID) -> None:
        ev = self._get("evidence", self.evidence, evidence_id)
        if ev["withdrawn"]:
            raise AlreadyWithdrawn("this evidence is already withdrawn")
        self._evidence_withdrawn(evidence_id=evidence_id)

    @event("EvidenceWithdrawn")
    def _evidence_withdrawn(self, evidence_id: UUID) -> None:
        self.evidence[str(evidence_id)]["withdrawn"] = True

    # --- development goals ------------------------------------------------------------------
    class GoalSet(PortfolioAggregate.Event):
        """v2: when it was set (v1 events have only their timestamp). A goal is private until shared."""
        class_version = 2
        goal_id: UUID
        text_sealed: str
        competences: list[str]
        due_on: date | None
        set_at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["set_at"] = state.get("timestamp")  # when it was recorded

    def set_goal(self, goal_id: UUID, text_sealed: str, competences: list[str], due_on: date | None) -> None:
        self._goal_set(goal_id=goal_id, text_sealed=text_sealed, competences=sorted(set(competences)),
                       due_on=due_on, set_at=clock.now())

    @event(GoalSet)
    def _goal_set(self, goal_id: UUID, text_sealed: str, competences: list[str], due_on: date | None,
                  set_at: datetime) -> None:
        self.goals[str(goal_id)] = {"text_sealed": text_sealed, "competences": competences, "due_on": due_on,
                                    "status": "open", "reviews": [], "exposure": "private", "set_at": set_at}

    def review_goal(self, goal_id: UUID, status: str, commitment: int | None, note_sealed: str,
                    due_on: date | None) -> None:
        goal = self._get("goal", self.goals, goal_id)
        one_of("status", status, GOAL_STATUSES)
        if goal["status"] != "open":
            raise DomainError(f"this goal is already {goal['status']}")
        if commitment is not None and not 1 <= commitment <= 10:  # GROW's 1-10 scale (002:477)
            raise InvalidValue("commitment", "must be between 1 and 10")
        self._goal_reviewed(goal_id=goal_id, status=status, commitment=commitment, note_sealed=note_sealed,
                            due_on=due_on if due_on is not None else goal["due_on"], reviewed_at=clock.now())

    @event("GoalReviewed")
    def _goal_reviewed(self, goal_id: UUID, status: str, commitment: int | None, note_sealed: str,
                       due_on: date | None, reviewed_at: datetime) -> None:
        goal = self.goals[str(goal_id)]
        goal["status"], goal["due_on"] = status, due_on
        goal["reviews"].append({"status": status, "commitment": commitment, "note_sealed": note_sealed,
                                "reviewed_at": reviewed_at})

    # --- sign-off ---------------------------------------------------------------------------
    def held_levels(self, competence: str, as_of: datetime | None = None) -> list[str]:
        """Levels signed off for a competence now, or as they stood at `as_of`."""
        def held_then(r: dict) -> bool:
            if as_of is None:
                return r["status"] == "approved"
            return (r["status"] in ("approved", "revoked") and r["decided_at"] <= as_of
                    and (r.get("revoked_at") is None or r["revoked_at"] > as_of))

        held = {lv for r in self.requests.values() if r["competence"] == competence and held_then(r)
                for lv in r["levels"]}
        return [lv for lv in LEVELS if lv in held]

    def open_request(self, competence: str) -> dict | None:
        for rid, r in self.requests.items():
            if r["competence"] == competence and r["status"] == "open":
                return {"id": rid, **r}
        return None

    def request_sign_off(self, request_id: UUID, competence: str, levels: list[str], evidence_ids: list[UUID],
                         framework_id: str, framework_version: str) -> None:
        if not levels:
            raise InvalidValue("levels", "choose the level to be signed off")
        levels = sorted(set(levels), key=level_index)
        idx = [level_index(lv) for lv in levels]
        if idx != list(range(idx[0], idx[0] + len(idx))):
            raise InvalidValue("levels", "levels asked for in one request must be next to each other")
        held = self.held_levels(competence)
        for lv in levels:
            if lv in held:
                raise AlreadySignedOff(f"{competence} is already signed off at {lv}")
        if idx[0] > 0 and LEVELS[idx[0] - 1] not in held:
            raise LevelBelowMissing(
                f"{competence} at {levels[0]} needs {LEVELS[idx[0] - 1]} signed off first "
                f"(or asked for in the same request)")
        if self.open_request(competence):
            raise OpenRequestExists(f"{competence} already has an open sign-off request")
        if not evidence_ids:
            raise EvidenceRequired("a sign-off request needs at least one evidence item")
        for eid in evidence_ids:
            ev = self._get("evidence", self.evidence, eid)
            if ev["withdrawn"]:
                raise InvalidValue("evidence", f"evidence {eid} has been withdrawn")
        self._sign_off_requested(request_id=request_id, competence=competence, levels=levels,
                                 evidence_ids=list(dict.fromkeys(evidence_ids)), framework_id=framework_id,
                                 framework_version=framework_version, requested_at=clock.now())

    @event("SignOffRequested")
    def _sign_off_requested(self, request_id: UUID, competence: str, levels: list[str], evidence_ids: list[UUID],
                            framework_id: str, framework_version: str, requested_at: datetime) -> None:
        self.requests[str(request_id)] = {
            "competence": competence, "levels": levels, "evidence_ids": evidence_ids,
            "framework_id": framework_id, "framework_version": framework_version, "status": "open",
            "requested_at": requested_at, "decided_by": None, "decided_at": None}

    def _check_decider(self, request_id: UUID, supervisor_id: UUID, worker: Person) -> dict:
        req = self._get("sign-off request", self.requests, request_id)
        if req["status"] != "open":
            raise RequestNotOpen(f"this sign-off request is {req['status']}, not open")
        if supervisor_id == self.worker_id:
            raise SelfSignOff("a worker cannot sign off their own competence")
        if not worker.was_supervised_by(supervisor_id, clock.today()):
            raise SupervisorNotAssigned("only a supervisor assigned to this worker today can decide")
        return req

    def approve(self, request_id: UUID, supervisor_id: UUID, worker: Person, role: str) -> None:
        req = self._check_decider(request_id, supervisor_id, worker)
        if all(self.evidence[str(e)]["withdrawn"] for e in req["evidence_ids"]):
            raise EvidenceRequired("all the evidence behind this request has been withdrawn; "
                                   "return it or ask the worker to withdraw the request")
        self._sign_off_approved(request_id=request_id, supervisor_id=supervisor_id, role=role,
                                decided_at=clock.now())

    @event("SignOffApproved")
    def _sign_off_approved(self, request_id: UUID, supervisor_id: UUID, role: str, decided_at: datetime) -> None:
        r = self.requests[str(request_id)]
        r.update(status="approved", decided_by=supervisor_id, decided_at=decided_at, decided_role=role)

    def return_request(self, request_id: UUID, supervisor_id: UUID, worker: Person, role: str,
                       feedback_sealed: str) -> None:
        self._check_decider(request_id, supervisor_id, worker)
        self._sign_off_returned(request_id=request_id, supervisor_id=supervisor_id, role=role,
                                feedback_sealed=feedback_sealed, decided_at=clock.now())

    @event("SignOffReturned")
    def _sign_off_returned(self, request_id: UUID, supervisor_id: UUID, role: str, feedback_sealed: str,
                           decided_at: datetime) -> None:
        r = self.requests[str(request_id)]
        r.update(status="returned", decided_by=supervisor_id, decided_at=decided_at, decided_role=role,
                 feedback_sealed=feedback_sealed)

    def withdraw_request(self, request_id: UUID) -> None:
        req = self._get("sign-off request", self.requests, request_id)
        if req["status"] != "open":
            raise RequestNotOpen(f"this sign-off request is {req['status']}, not open")
        self._sign_off_withdrawn(request_id=request_id, withdrawn_at=clock.now())

    @event("SignOffWithdrawn")
    def _sign_off_withdrawn(self, request_id: UUID, withdrawn_at: datetime) -> None:
        self.requests[str(request_id)].update(status="withdrawn", withdrawn_at=withdrawn_at)

    def revoke(self, request_id: UUID, revoked_by: UUID, role: str, reason_sealed: str) -> None:
        req = self._get("sign-off request", self.requests, request_id)
        if req["status"] != "approved":
            raise RequestNotOpen(f"only an approved sign-off can be revoked; this one is {req['status']}")
        if revoked_by == self.worker_id:
            raise SelfSignOff("a worker cannot revoke their own sign-off")
        self._sign_off_revoked(request_id=request_id, revoked_by=revoked_by, role=role,
                               reason_sealed=reason_sealed, revoked_at=clock.now())

    @event("SignOffRevoked")
    def _sign_off_revoked(self, request_id: UUID, revoked_by: UUID, role: str, reason_sealed: str,
                          revoked_at: datetime) -> None:
        r = self.requests[str(request_id)]
        r.update(status="revoked", revoked_by=revoked_by, revoked_at=revoked_at, revoked_role=role,
                 reason_sealed=reason_sealed)

    # --- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _get(what: str, items: dict, item_id: UUID) -> dict:
        try:
            return items[str(item_id)]
        except KeyError:
            raise NotFound(f"no {what} {item_id} in this portfolio") from None


# The buddy scheme: no read model follows it yet (the aggregates are the source).
BUDDY_EVENTS = (Person.BuddyAssigned, Person.BuddyEnded, Portfolio.BuddyMeetingRecorded)
