"""The application service: commands take primitives, return ids and raise domain errors.

Personal text is sealed with the owner's data key here, before it reaches the domain, so the
event log only ever holds ciphertext of it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Transcoder, Transcoding

from portfolio.crypto import KeyStore, KeyUnavailable
from portfolio.domain import clock
from portfolio.domain.errors import Conflict, DomainError, Erased, InvalidValue, NotFound, SupervisorNotAssigned
from portfolio.domain.access_log import AccessLog
from portfolio.domain.due import Due, LevelDueNotice
from portfolio.domain.organisation import SETTINGS, Organisation
from portfolio.domain.organisation import defaults as org_defaults
from portfolio.domain.frameworks import Framework
from portfolio.domain.people import ApiToken, Person, Username
from portfolio.domain.portfolio import Portfolio
from portfolio.domain.programmes import Programme
from portfolio.domain.self_assessment import SelfAssessment, rating_changes
from portfolio.domain.stages import StageReport, assess, core_codes
from portfolio.domain.tags import TagCatalogue, tag_key
from portfolio.domain.values import LEGACY_CLEAR, in_range, printable
from portfolio.files import FileStore, check_file
from portfolio.passwords import hash_password, temporary_password, verify_password
from portfolio.sessions import SessionStore
from portfolio.frameworks import catalogue

COMPETENCES = "worker-competences"
CLUSTERS = "core-clusters"
CONCEPTS = "core-concepts"
TAGGABLE = (COMPETENCES, CLUSTERS, CONCEPTS)  # frameworks whose codes records may be tagged with
LEVELS_OF_USE = "levels-of-use"
TRAINING_ELEMENTS = "training-elements"
TRAINING_EVALUATION = "training-evaluation"  # 001 feedback form: self-ratings 1-5
HEE_COMPETENCES = "hee-competences"
SESSION_COMPETENCES = (HEE_COMPETENCES, "worker-competences", "core-clusters")  # what a session may map to
# 001:39, in its words: who made the HEE/NCCMH programme. 001 names no accrediting body.
BUILTIN_PROVIDERS = {"hee-programme": (
    "UCL Partners, Care City and PPL",
    "UCL Partners, Care City and PPL have used The Competence Framework published by Health Education England "
    "and created by the National Collaborating Centre for Mental Health to create a Peer Support Worker Training "
    "programme (001:39). 001 names no accrediting body: no accreditation is recorded. 001 states no session "
    "durations and does not map its sessions to the Tuto3 training elements.")}
# The catalogues reflections and evidence can be tagged with (seeds 004, 002, 001/003), in form order.
TAG_FRAMEWORKS = ("who-roles", "ethical-principles", "core-concepts", "core-clusters", "hee-competences")
SELF_ASSESSMENT = "org-self-assessment"  # 004:942-1012, the seven components
TEMPLATES = {"free": None, "grow": "grow", "learning_cycle": "learning-cycle", "ideal_helper": "ideal-helper",
             "circles_of_helpers": "circles-of-helpers"}
MAX_TEXT = 20_000


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def as_uuid(field: str, value: UUID | str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidValue(field, f"{value!r} is not an id") from None


def as_date(field: str, value: date | str | None, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise InvalidValue(field, "is required")
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise InvalidValue(field, f"{value!r} is not a date (use YYYY-MM-DD)") from None
    return in_range(field, value)


def file_name(name: str) -> str:
    """Refused on the form's "file" field, where the person can act on it (rename the file)."""
    name = (name or "").strip()
    if len(name) > 255:
        raise InvalidValue("file", f"the file name is {len(name)} characters long; rename the file to "
                                   "at most 255 characters")
    return text("file", name, max_len=255)


def text(field: str, value: str | None, required: bool = True, max_len: int = MAX_TEXT) -> str:
    value = printable(field, (value or "").strip())
    if required and not value:
        raise InvalidValue(field, "is required")
    if len(value) > max_len:
        raise InvalidValue(field, f"is longer than {max_len:,} characters")
    return value


RESET_VALID = timedelta(hours=72)  # a set-password link: long enough for a weekend, then it lapses


class PortfolioApplication(Application):
    name = "portfolio"  # pinned: table names must not move with a class rename
    snapshotting_intervals = {Portfolio: 50, Person: 50, AccessLog: 100, Organisation: 50}

    def __init__(self, env: dict[str, str] | None = None, *, keys: KeyStore, files: FileStore,
                 sessions: SessionStore | None = None):
        super().__init__(env=env)
        self.keys = keys
        self.files = files
        self.sessions = sessions or SessionStore(keys.engine)
        self._documents: dict[tuple[str, str], dict] = {}
        self._current: dict[tuple[str, int], dict] = {}  # (framework id, aggregate version) -> document

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # --- plumbing -----------------------------------------------------------------------------
    def _save(self, *aggregates: Any) -> int:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise Conflict("someone else changed this at the same moment; reload and try again") from None
        return recordings[-1].notification.id if recordings and recordings[-1].notification else 0

    def _get(self, cls: type, aggregate_id: UUID, what: str) -> Any:
        try:
            agg = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} {aggregate_id}") from None
        if not isinstance(agg, cls):
            raise NotFound(f"no {what} {aggregate_id}")
        return agg

    def person(self, person_id: UUID | str) -> Person:
        return self._get(Person, as_uuid("person", person_id), "person")

    def portfolio(self, worker_id: UUID | str) -> Portfolio:
        return self._get(Portfolio, Portfolio.create_id(as_uuid("worker", worker_id)), "portfolio for worker")

    def _worker(self, worker_id: UUID | str, *, deactivated_ok: bool = False) -> tuple[Person, Portfolio]:
        worker = self.person(worker_id)
        if not worker.holds_portfolio:
            raise NotFound(f"{worker.username} has no portfolio (not a peer worker, no position recorded)")
        if worker.erased_at is not None:
            raise Erased(f"{worker.username}'s portfolio was erased on {worker.erased_at.date()}")
        if not deactivated_ok:
            worker.refuse_if_inactive()
        return worker, self.portfolio(worker.id)

    def _actor(self, person_id: UUID | str) -> Person:
        """Whoever carries out a command must hold an active account (not erased, not deactivated)."""
        person = self.person(person_id)
        person.refuse_if_inactive("they")
        return person

    def _seal(self, owner_id: UUID, value: str) -> str:
        return self.keys.seal(owner_id, value)

    def read_text(self, owner_id: UUID | str, sealed: str | None) -> str | None:
        """Decrypt one personal text for a permitted reader; None if it was erased. Text that old
        events held in clear (LEGACY_CLEAR) is shown on the same terms: only while the key exists."""
        if not sealed:
            return sealed
        owner = as_uuid("owner", owner_id)
        try:
            if sealed.startswith(LEGACY_CLEAR):
                return sealed[len(LEGACY_CLEAR):] if self.keys.has_key(owner) else None
            return self.keys.open(owner, sealed)
        except KeyUnavailable:
            return None

    def display_name(self, person: Person) -> str:
        return self.read_text(person.id, person.name_sealed) or f"(erased person {str(person.id)[:8]})"

    # --- frameworks ---------------------------------------------------------------------------
    def load_framework(self, document: dict) -> tuple[str, str]:
        """Validate and record a framework version; returns (id, version)."""
        doc = catalogue.validate_document(document)
        fid, version = doc["id"], str(doc["version"])
        framework_id = Framework.create_id(fid)
        try:
            fw = self.repository.get(framework_id)
        except AggregateNotFoundError:
            fw = Framework(framework_id=fid)
        fw.publish(version, doc, catalogue.digest(doc))
        self._save(fw)
        return fid, version

    def load_builtin_frameworks(self) -> list[tuple[str, str]]:
        """Record each built-in framework version not yet recorded (idempotent)."""
        loaded = []
        for doc in catalogue.builtin_documents():
            try:
                fw = self.repository.get(Framework.create_id(doc["id"]))
                if str(doc["version"]) in fw.versions:
                    continue
            except AggregateNotFoundError:
                pass
            loaded.append(self.load_framework(doc))
        return loaded

    def frameworks(self) -> list[Framework]:
        return [self.repository.get(n.originator_id) for n in self._select(Framework.Registered)]

    def framework_document(self, framework_id: str, version: str | None = None) -> dict:
        """A framework version's document (the current one by default). Versions never change, so
        documents are cached; the current one is found from the aggregate's last stored version
        number alone, without decoding its events on every request."""
        if version is not None and (framework_id, version) in self._documents:
            return self._documents[(framework_id, version)]
        fw_id = Framework.create_id(framework_id)
        if version is None:
            latest = self.recorder.select_events(fw_id, desc=True, limit=1)
            if latest and (framework_id, latest[0].originator_version) in self._current:
                return self._current[(framework_id, latest[0].originator_version)]
        try:
            fw = self.repository.get(fw_id)
        except AggregateNotFoundError:
            raise NotFound(f"framework {framework_id!r} is not loaded (run `portfolio init`)") from None
        doc = fw.document(version)
        self._documents[(framework_id, str(doc["version"]))] = doc
        if version is None:
            self._current[(framework_id, fw.version)] = doc
        return doc

    def _codes(self, field: str, codes: list[str], framework_ids: tuple[str, ...]) -> list[str]:
        known: set[str] = set()
        for fid in framework_ids:
            try:
                known |= catalogue.item_codes(self.framework_document(fid))
            except NotFound:
                continue
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise InvalidValue(field, f"unknown code(s) {', '.join(unknown)}")
        return list(codes)

    def tag_catalogues(self) -> dict[str, TagCatalogue]:
        """Each tag catalogue's current version and item codes (a catalogue not loaded offers none)."""
        out = {}
        for fid in TAG_FRAMEWORKS:
            try:
                doc = self.framework_document(fid)
            except NotFound:
                continue
            out[fid] = TagCatalogue(fid, str(doc["version"]), frozenset(catalogue.competence_codes(doc)))
        return out

    # --- people -------------------------------------------------------------------------------
    def register_person(self, username: str, display_name: str, roles: list[str],
                        joined_on: date | str | None = None) -> UUID:
        display_name = text("display_name", display_name, max_len=120)
        joined = as_date("joined_on", joined_on, required=False) or clock.today()
        username = (username or "").strip().lower()
        if username and Username.create_id(username) in self.repository:
            raise InvalidValue("username", f"{username!r} is already taken")
        person_id = uuid4()
        self.keys.create(person_id)  # the key exists before the first event that needs it
        try:
            person = Person.register(person_id, username, self._seal(person_id, display_name), roles, joined)
            aggregates: list[Any] = [person, Username(username=person.username, person_id=person.id)]
            if person.holds_portfolio:
                aggregates.append(Portfolio(worker_id=person.id))
            self._save(*aggregates)
        except DomainError:
            self.keys.destroy(person_id)  # no half-made person: drop the unused key
            raise
        return person.id

    def find_username(self, username: str) -> UUID:
        try:
            return self.repository.get(Username.create_id(username)).person_id
        except AggregateNotFoundError:
            raise NotFound(f"no account named {username!r}") from None

    def has_people(self) -> bool:
        return next(iter(self._select(Person.Registered)), None) is not None

    def people(self) -> list[Person]:
        return [self.repository.get(n.originator_id) for n in self._select(Person.Registered)]

    def change_roles(self, person_id: UUID | str, roles: list[str]) -> None:
        person = self.person(person_id)
        person.change_roles(roles)
        self._save(*self._with_portfolio(person))

    def _with_portfolio(self, person: Person) -> list[Any]:
        """The person, and a new portfolio if they now hold one and had none."""
        if person.holds_portfolio and Portfolio.create_id(person.id) not in self.repository:
            return [person, Portfolio(worker_id=person.id)]
        return [person]

    def start_position(self, person_id: UUID | str, position: str, starts_on: date | str,
                       induction_days: int = 0) -> None:
        person = self.person(person_id)
        person.start_position(position, as_date("starts_on", starts_on), int(induction_days))
        self._save(*self._with_portfolio(person))  # a line manager who is not a peer worker gets one too

    # --- leave and career breaks --------------------------------------------------------------
    def _leave_actor(self, worker: Person, by: UUID | str) -> Person:
        actor = self._actor(by)
        if not (actor.has_role("org_admin") or (actor.has_role("supervisor")
                                                 and worker.was_supervised_by(actor.id, clock.today()))):
            raise SupervisorNotAssigned("only an organisation admin or a supervisor assigned to this worker "
                                        "can record or withdraw leave")
        return actor

    def record_leave(self, worker_id: UUID | str, kind: str, starts_on: date | str,
                     ends_on: date | str | None = None, *, by: UUID | str) -> UUID:
        """A period of leave or a career break: it moves due dates on (004:718). A kind and dates only."""
        worker, _ = self._worker(worker_id, deactivated_ok=True)
        actor = self._leave_actor(worker, by)
        leave_id = uuid4()
        worker.record_leave(leave_id, kind, as_date("starts_on", starts_on),
                            as_date("ends_on", ends_on, required=False), actor.id)
        self._save(worker)
        return leave_id

    def withdraw_leave(self, worker_id: UUID | str, leave_id: UUID | str, *, by: UUID | str) -> None:
        worker, _ = self._worker(worker_id, deactivated_ok=True)
        actor = self._leave_actor(worker, by)
        worker.withdraw_leave(as_uuid("leave", leave_id), actor.id)
        self._save(worker)

    def assign_supervisor(self, worker_id: UUID | str, supervisor_id: UUID | str, starts_on: date | str,
                          ends_on: date | str | None = None) -> None:
        worker, _ = self._worker(worker_id)
        supervisor = self._actor(supervisor_id)
        if not supervisor.has_role("supervisor"):
            raise InvalidValue("supervisor", f"{supervisor.username} does not have the supervisor role")
        worker.assign_supervisor(supervisor.id, as_date("starts_on", starts_on),
                                 as_date("ends_on", ends_on, required=False))
        self._save(worker)

    def end_supervision(self, worker_id: UUID | str, supervisor_id: UUID | str, ends_on: date | str) -> None:
        worker = self.person(worker_id)
        worker.end_supervision(as_uuid("supervisor", supervisor_id), as_date("ends_on", ends_on))
        self._save(worker)

    def assign_buddy(self, worker_id: UUID | str, buddy_id: UUID | str, starts_on: date | str,
                     ends_on: date | str | None = None) -> None:
        """A buddy is another peer worker (001's buddy scheme pairs participants)."""
        worker, _ = self._worker(worker_id)
        buddy = self._actor(buddy_id)
        if not buddy.has_role("peer_worker"):
            raise InvalidValue("buddy", f"{buddy.username} is not a peer worker")
        worker.assign_buddy(buddy.id, as_date("starts_on", starts_on), as_date("ends_on", ends_on, required=False))
        self._save(worker)

    def end_buddy(self, worker_id: UUID | str, buddy_id: UUID | str, ends_on: date | str) -> None:
        worker = self.person(worker_id)
        worker.end_buddy(as_uuid("buddy", buddy_id), as_date("ends_on", ends_on))
        self._save(worker)

    def set_password_hash(self, person_id: UUID | str, password_hash: str) -> None:
        """A password the person chose (CLI, demo); signs out every session of theirs."""
        person = self.person(person_id)
        person.set_password_hash(password_hash)
        self._save(person)
        self.sessions.end_all(person.id, "password set")

    # --- accounts: passwords and lifecycle ----------------------------------------------------
    def change_password(self, person_id: UUID | str, current: str, new: str) -> None:
        """The person changes their own password; every session of theirs ends."""
        person = self._actor(person_id)
        if not verify_password(person.password_hash, current):
            raise InvalidValue("current_password", "is not your current password")
        if current == new:
            raise InvalidValue("new_password", "must differ from the current password")
        self.set_password_hash(person.id, hash_password(new, person.username, "new_password"))

    def issue_password_reset(self, person_id: UUID | str, by: UUID | str) -> str:
        """A one-time set-password token for the person, valid RESET_VALID; the admin who asks for it
        passes the link on but never learns the password chosen with it."""
        admin = self._actor(by)
        if not admin.has_role("org_admin"):
            raise DomainError("only an organisation admin can issue a set-password link")
        person = self.person(person_id)
        token = secrets.token_urlsafe(32)
        person.issue_password_reset(hashlib.sha256(token.encode()).hexdigest(), clock.now() + RESET_VALID,
                                    admin.id)
        self._save(person)
        return token

    def reset_link_valid(self, person_id: UUID | str, token: str) -> bool:
        try:
            person = self.person(person_id)
        except (NotFound, InvalidValue):
            return False
        return person.reset_link_valid(hashlib.sha256((token or "").encode()).hexdigest(), clock.now())

    def set_password_from_link(self, person_id: UUID | str, token: str, new: str) -> Person:
        if not self.reset_link_valid(person_id, token):
            raise DomainError("this set-password link has expired or was already used; ask an admin for a new one")
        person = self.person(person_id)
        self.set_password_hash(person.id, hash_password(new, person.username, "new_password"))
        return self.person(person.id)

    def set_temporary_password(self, person_id: UUID | str, by: UUID | str | None = None) -> str:
        """A random password to hand over once (e.g. by the operator, from the CLI); it must be changed
        at first sign-in. `by` None means the operator of the instance."""
        person = self.person(person_id)
        password = temporary_password()
        person.set_temporary_password_hash(hash_password(password), as_uuid("by", by) if by else person.id)
        self._save(person)
        self.sessions.end_all(person.id, "password set")
        return password

    def deactivate_person(self, person_id: UUID | str, by: UUID | str, reason: str) -> None:
        admin = self._admin(by)
        person = self.person(person_id)
        person.refuse_if_erased()  # before sealing: an erased person has no key to seal with
        # The reason is about the person: sealed with their key, so their erasure erases it too.
        person.deactivate(admin.id, self._seal(person.id, text("reason", reason, max_len=500)))
        self._save(person)
        self.sessions.end_all(person.id, "deactivated")

    def record_supervisor_background(self, person_id: UUID | str, by: UUID | str, background: str) -> None:
        """Whether a supervisor has worked in peer roles (004:696), as an admin records it."""
        admin = self._admin(by)
        person = self.person(person_id)
        person.record_supervisor_background(background, admin.id)
        self._save(person)

    def reactivate_person(self, person_id: UUID | str, by: UUID | str) -> None:
        admin = self._admin(by)
        person = self.person(person_id)
        person.reactivate(admin.id)
        self._save(person)

    # --- a person's own erasure request (erase_worker carries it out) ----------------------------
    def request_erasure(self, person_id: UUID | str) -> None:
        person = self.person(person_id)
        person.request_erasure()
        self._save(person)

    def withdraw_erasure_request(self, person_id: UUID | str) -> None:
        person = self.person(person_id)
        person.withdraw_erasure_request()
        self._save(person)

    def decline_erasure_request(self, person_id: UUID | str, by: UUID | str, reason: str) -> None:
        admin = self._admin(by)
        person = self.person(person_id)
        person.refuse_if_erased()  # before sealing: an erased person has no key to seal with
        # Sealed with the person's key, like a deactivation reason: their erasure erases it too.
        person.decline_erasure_request(admin.id, self._seal(person.id, text("reason", reason, max_len=500)))
        self._save(person)

    def _admin(self, person_id: UUID | str) -> Person:
        admin = self._actor(person_id)
        if not admin.has_role("org_admin"):
            raise DomainError("only an organisation admin can do this")
        return admin

    def issue_api_token(self, person_id: UUID | str) -> str:
        """A new API token for the person (replacing any earlier one); shown once, stored as a hash."""
        person = self.person(person_id)
        token = secrets.token_urlsafe(32)
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        person.issue_api_token(token_hash)
        self._save(person, ApiToken(token_hash=token_hash, person_id=person.id))
        return token

    def person_for_token(self, token: str) -> Person | None:
        token_hash = hashlib.sha256((token or "").encode()).hexdigest()
        try:
            person = self.person(self.repository.get(ApiToken.create_id(token_hash)).person_id)
        except (AggregateNotFoundError, NotFound):
            return None
        return person if person.active and not person.must_change_password and person.api_token_hash == token_hash \
            else None

    # --- the portfolio ------------------------------------------------------------------------
    def record_training(self, worker_id: UUID | str, title: str, provider: str, held_on: date | str,
                        hours: Decimal | float | str, delivery: str, elements: list[str] | None = None,
                        accredited: bool = False, accredited_by: str = "",
                        ratings: dict[str, int] | None = None) -> tuple[UUID, list[str]]:
        """Title, provider and accrediting body are the worker's words: sealed with their key."""
        worker, pf = self._worker(worker_id)
        try:
            hours_d = Decimal(str(hours)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise InvalidValue("hours", f"{hours!r} is not a number") from None
        title = text("title", title, max_len=200)
        provider = text("provider", provider, max_len=200)
        accredited_by = text("accredited_by", accredited_by, required=False, max_len=200)
        training_id = uuid4()
        warnings = pf.record_training(
            training_id, self._seal(worker.id, title), self._seal(worker.id, provider),
            as_date("held_on", held_on), hours_d, delivery,
            self._codes("elements", list(elements or []), (TRAINING_ELEMENTS,)), accredited,
            self._seal(worker.id, accredited_by) if accredited_by else "",
            dict(zip(self._codes("ratings", list(ratings or {}), (TRAINING_EVALUATION,)),
                     (ratings or {}).values())))
        self._save(pf)
        return training_id, warnings

    def record_supervision(self, worker_id: UUID | str, supervisor_id: UUID | str, held_on: date | str,
                           orientation: str, format: str, mode: str, minutes: int,
                           topics: list[str] | None = None, agreed_actions: str = "", notes: str = "") -> UUID:
        """Topics, actions and notes are about the worker: sealed with the worker's key."""
        worker, pf = self._worker(worker_id)
        supervisor = self.person(supervisor_id)
        supervisor.refuse_if_erased()  # a deactivated supervisor's past sessions may still be recorded
        clean_topics = [text("topics", t, max_len=60) for t in topics or [] if (t or "").strip()]
        if len(clean_topics) > 8:
            raise InvalidValue("topics", "name at most 8 topics")
        supervision_id = uuid4()
        pf.record_supervision(
            supervision_id, as_date("held_on", held_on), supervisor.id, orientation, format, mode, int(minutes),
            self._seal(worker.id, json.dumps(clean_topics, ensure_ascii=False)),
            self._seal(worker.id, text("agreed_actions", agreed_actions, required=False)),
            self._seal(worker.id, text("notes", notes, required=False)), worker)
        self._save(pf)
        return supervision_id

    def record_buddy_meeting(self, worker_id: UUID | str, buddy_id: UUID | str, held_on: date | str,
                             minutes: int, notes: str = "") -> UUID:
        """Notes are the worker's words: sealed with the worker's key, like supervision notes."""
        worker, pf = self._worker(worker_id)
        notes = text("notes", notes, required=False)
        meeting_id = uuid4()
        pf.record_buddy_meeting(meeting_id, as_date("held_on", held_on), as_uuid("buddy", buddy_id), int(minutes),
                                self._seal(worker.id, notes) if notes else "", worker)
        self._save(pf)
        return meeting_id

    def topics(self, worker_id: UUID | str, topics_sealed: str | None) -> list[str] | None:
        """A supervision's topics for a permitted reader; None once erased."""
        opened = self.read_text(worker_id, topics_sealed)
        return None if opened is None else json.loads(opened or "[]")

    def reflection_template(self, template: str) -> tuple[dict | None, list[dict]]:
        """(guidance, sections) of a reflection template: its item INTRO is guidance shown above the
        sections, not a section to write. Free writing has one section, "text"."""
        if template not in TEMPLATES:
            raise InvalidValue("template", f"must be one of {', '.join(TEMPLATES)}")
        if not TEMPLATES[template]:
            return None, [{"code": "text", "title": "Reflection", "bullets": []}]
        items = self.framework_document(TEMPLATES[template])["items"]
        return (next((i for i in items if i["code"] == "INTRO"), None), [i for i in items if i["code"] != "INTRO"])

    def _reflection_body(self, template: str, body: dict[str, str] | str) -> str:
        _, sections = self.reflection_template(template)
        if isinstance(body, str):
            body = {"text": body}
        allowed = {s["code"] for s in sections}
        unknown = set(body) - allowed
        if unknown:
            raise InvalidValue("body", f"section(s) {', '.join(sorted(unknown))} are not part of the "
                                       f"{template} template ({', '.join(sorted(allowed))})")
        body = {k: text(f"body.{k}", v, required=False) for k, v in body.items()}
        if not any(body.values()):
            raise InvalidValue("body", "write something in at least one section")
        return json.dumps(body, ensure_ascii=False)

    def write_reflection(self, worker_id: UUID | str, template: str, title: str, body: dict[str, str] | str,
                         competences: list[str] | None = None, others_story: bool = False,
                         tags: list[str] | None = None) -> UUID:
        """`tags` are 'catalogue:code' strings of TAG_FRAMEWORKS."""
        worker, pf = self._worker(worker_id)
        body_json = self._reflection_body(template, body)
        reflection_id = uuid4()
        pf.write_reflection(reflection_id, template, self._seal(worker.id, text("title", title, max_len=200)),
                            self._seal(worker.id, body_json),
                            self._codes("competences", list(competences or []), TAGGABLE),
                            tags or [], self.tag_catalogues())
        if others_story:
            pf.note_others_story("reflection", reflection_id)
        self._save(pf)
        return reflection_id

    def amend_reflection(self, worker_id: UUID | str, reflection_id: UUID | str, title: str,
                         body: dict[str, str] | str, competences: list[str] | None = None,
                         tags: list[str] | None = None) -> None:
        """`tags` None keeps the reflection's tags; a list replaces them (a TagsChanged event)."""
        worker, pf = self._worker(worker_id)
        rid = as_uuid("reflection", reflection_id)
        template = pf._get("reflection", pf.reflections, rid)["template"]
        pf.amend_reflection(rid, self._seal(worker.id, text("title", title, max_len=200)),
                            self._seal(worker.id, self._reflection_body(template, body)),
                            self._codes("competences", list(competences or []), TAGGABLE))
        if tags is not None:
            pf.change_tags("reflection", rid, tags, self.tag_catalogues())
        self._save(pf)

    def change_tags(self, worker_id: UUID | str, item_kind: str, item_id: UUID | str, tags: list[str]) -> bool:
        """Replace the tags of a reflection or evidence; False when they were already these."""
        _, pf = self._worker(worker_id)
        changed = pf.change_tags(item_kind, as_uuid("item", item_id), list(tags), self.tag_catalogues())
        if changed:
            self._save(pf)
        return changed

    def change_exposure(self, worker_id: UUID | str, item_kind: str, item_id: UUID | str, tier: str) -> None:
        _, pf = self._worker(worker_id)
        pf.change_exposure(item_kind, as_uuid("item", item_id), tier)
        self._save(pf)

    def note_others_story(self, worker_id: UUID | str, item_kind: str, item_id: UUID | str) -> None:
        _, pf = self._worker(worker_id)
        pf.note_others_story(item_kind, as_uuid("item", item_id))
        self._save(pf)

    def confirm_story_permission(self, worker_id: UUID | str, item_kind: str, item_id: UUID | str) -> None:
        """The worker records that the other person's story was told with permission (002:548-549)."""
        _, pf = self._worker(worker_id)
        pf.confirm_story_permission(item_kind, as_uuid("item", item_id))
        self._save(pf)

    def add_evidence(self, worker_id: UUID | str, title: str, kind: str, description: str = "",
                     claims: list[tuple[str, str]] | None = None,
                     file: tuple[str, str, bytes] | None = None, links: list[UUID | str] | None = None,
                     others_story: bool = False, tags: list[str] | None = None) -> UUID:
        """`claims` are (competence code, level); `file` is (file name, media type, bytes); `links` are
        the ids of training, supervision or reflection records the evidence documents."""
        worker, pf = self._worker(worker_id)
        fw = self.framework_document(COMPETENCES)
        codes, levels = set(catalogue.competence_codes(fw)), fw["levels"]
        claim_dicts = []
        for competence, level in claims or []:
            if competence not in codes:
                raise InvalidValue("claims", f"unknown competence {competence!r}")
            if level not in levels:
                raise InvalidValue("claims", f"unknown level {level!r}")
            claim_dicts.append({"competence": competence, "level": level})
        file_meta = None
        if file is not None:
            name, media_type, data = file
            check_file(data, media_type)
            file_meta = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "media_type": media_type,
                         "name_sealed": self._seal(worker.id, file_name(name))}
        evidence_id = uuid4()
        title_sealed = self._seal(worker.id, text("title", title, max_len=200))
        description_sealed = self._seal(worker.id, text("description", description, required=False))
        pf.add_evidence(evidence_id, title_sealed, kind, description_sealed, claim_dicts, fw["id"], str(fw["version"]),
                        file_meta, [as_uuid("links", x) for x in links or []], tags or [], self.tag_catalogues())
        if others_story:
            pf.note_others_story("evidence", evidence_id)
        if file is not None:  # stored only once the domain has accepted the evidence
            self.files.put(worker.id, file[2], file[1])
        self._save(pf)
        return evidence_id

    def evidence_file(self, worker_id: UUID | str, evidence_id: UUID | str) -> tuple[str, str, bytes]:
        worker, pf = self._worker(worker_id)
        ev = pf._get("evidence", pf.evidence, as_uuid("evidence", evidence_id))
        if not ev["file"]:
            raise NotFound("this evidence has no file")
        data, media_type = self.files.get(worker.id, ev["file"]["sha256"])
        return self.read_text(worker.id, ev["file"]["name_sealed"]) or "file", media_type, data

    def withdraw_evidence(self, worker_id: UUID | str, evidence_id: UUID | str) -> None:
        _, pf = self._worker(worker_id)
        pf.withdraw_evidence(as_uuid("evidence", evidence_id))
        self._save(pf)

    def set_goal(self, worker_id: UUID | str, goal: str, competences: list[str] | None = None,
                 due_on: date | str | None = None) -> UUID:
        worker, pf = self._worker(worker_id)
        goal_id = uuid4()
        pf.set_goal(goal_id, self._seal(worker.id, text("goal", goal, max_len=2000)),
                    self._codes("competences", list(competences or []), TAGGABLE),
                    as_date("due_on", due_on, required=False))
        self._save(pf)
        return goal_id

    def review_goal(self, worker_id: UUID | str, goal_id: UUID | str, status: str = "open",
                    commitment: int | None = None, note: str = "", due_on: date | str | None = None) -> None:
        worker, pf = self._worker(worker_id)
        pf.review_goal(as_uuid("goal", goal_id), status, commitment,
                       self._seal(worker.id, text("note", note, required=False)),
                       as_date("due_on", due_on, required=False))
        self._save(pf)

    # --- sign-off -----------------------------------------------------------------------------
    def request_sign_off(self, worker_id: UUID | str, competence: str, levels: list[str] | str,
                         evidence_ids: list[UUID | str]) -> UUID:
        _, pf = self._worker(worker_id)
        fw = self.framework_document(COMPETENCES)
        if competence not in catalogue.competence_codes(fw):
            raise InvalidValue("competence", f"unknown competence {competence!r}")
        request_id = uuid4()
        evidence = [as_uuid("evidence", e) for e in evidence_ids]
        pf.request_sign_off(request_id, competence, [levels] if isinstance(levels, str) else list(levels),
                            evidence, fw["id"], str(fw["version"]))
        for eid in evidence:  # asking for a sign-off shows the chosen evidence to the supervisor: recorded
            if pf.evidence[str(eid)]["exposure"] == "private":
                pf.change_exposure("evidence", eid, "supervisors")
        self._save(pf)
        return request_id

    def _decider(self, supervisor_id: UUID | str) -> Person:
        supervisor = self._actor(supervisor_id)
        if not supervisor.has_role("supervisor"):
            raise InvalidValue("supervisor", f"{supervisor.username} does not have the supervisor role")
        return supervisor

    def approve_sign_off(self, worker_id: UUID | str, request_id: UUID | str, supervisor_id: UUID | str) -> None:
        worker, pf = self._worker(worker_id)
        supervisor = self._decider(supervisor_id)
        pf.approve(as_uuid("request", request_id), supervisor.id, worker, "supervisor")
        self._save(pf)

    def return_sign_off(self, worker_id: UUID | str, request_id: UUID | str, supervisor_id: UUID | str,
                        feedback: str) -> None:
        worker, pf = self._worker(worker_id)
        supervisor = self._decider(supervisor_id)
        pf.return_request(as_uuid("request", request_id), supervisor.id, worker, "supervisor",
                          self._seal(worker.id, text("feedback", feedback, max_len=5000)))
        self._save(pf)

    def withdraw_sign_off(self, worker_id: UUID | str, request_id: UUID | str) -> None:
        _, pf = self._worker(worker_id)
        pf.withdraw_request(as_uuid("request", request_id))
        self._save(pf)

    def revoke_sign_off(self, worker_id: UUID | str, request_id: UUID | str, revoked_by: UUID | str,
                        reason: str) -> None:
        """A supervisor assigned today, or an organisation admin, may revoke an approved sign-off."""
        worker, pf = self._worker(worker_id, deactivated_ok=True)
        by = self._actor(revoked_by)
        if by.has_role("org_admin"):
            role = "org_admin"
        elif by.has_role("supervisor") and worker.was_supervised_by(by.id, clock.today()):
            role = "supervisor"
        else:
            raise SupervisorNotAssigned("only an organisation admin or a supervisor assigned to this worker "
                                        "can revoke")
        pf.revoke(as_uuid("request", request_id), by.id, role,
                  self._seal(worker.id, text("reason", reason, max_len=5000)))
        self._save(pf)

    # --- privacy ------------------------------------------------------------------------------
    def record_read(self, worker_id: UUID | str, reader: Person, item_kind: str, item_id: UUID | str,
                    where: str) -> None:
        self.record_reads(worker_id, reader, [(item_kind, item_id)], where)

    def record_reads(self, worker_id: UUID | str, reader: Person, items: list[tuple[str, UUID | str]],
                     where: str) -> None:
        """Log reads of a worker's shared content by someone else (the worker's own are not logged)."""
        self.record_request_reads(reader, [(worker_id, kind, item_id, where) for kind, item_id in items])

    def record_request_reads(self, reader: Person,
                             reads: list[tuple[UUID | str, str, UUID | str, str]]) -> None:
        """Everything `reader` was shown in one request, (worker, item kind, item id, where): one
        ContentsRead event per worker's log, saved together, so a page view appends a few events
        however many items it shows. Reads of one's own content are not logged."""
        by_worker: dict[UUID, list[tuple[str, UUID, str]]] = {}
        for worker_id, kind, item_id, where in reads:
            wid = as_uuid("worker", worker_id)
            if wid != reader.id:
                by_worker.setdefault(wid, []).append((kind, as_uuid("item", item_id), where))
        if not by_worker:
            return
        role = next((r for r in ("supervisor", "auditor", "org_admin") if reader.has_role(r)), reader.roles[0])
        for attempt in range(3):  # two readers at the same moment: record on the fresh logs
            logs = []
            for wid, items in by_worker.items():
                try:
                    log = self.repository.get(AccessLog.create_id(wid))
                except AggregateNotFoundError:
                    log = AccessLog(worker_id=wid)
                log.record_reads(reader.id, role, items)
                logs.append(log)
            try:
                self._save(*logs)
                return
            except Conflict:
                if attempt == 2:
                    raise

    def access_log(self, worker_id: UUID | str) -> list[dict]:
        try:
            return list(self.repository.get(AccessLog.create_id(as_uuid("worker", worker_id))).reads)
        except AggregateNotFoundError:
            return []

    def erase_worker(self, worker_id: UUID | str, requested_by: UUID | str, reference: str) -> None:
        """Erase on a recorded request: record it, then destroy the person's data key and files.
        Every sealed text of theirs, in the log, read models and any export, becomes unreadable;
        the structure (levels, dates, who signed) stays for accreditation."""
        admin = self._actor(requested_by)
        if not admin.has_role("org_admin"):
            raise DomainError("only an organisation admin can erase a person's data")
        person = self.person(worker_id)
        if person.erased_at is None:
            person.erase(admin.id, text("reference", reference, max_len=200))
            self._save(person)
        elif not self.keys.has_key(person.id):
            person.erase(admin.id, reference)  # refuses: already erased
        # else: the erasure was recorded but the shredding below did not finish (a crash): finish it now
        self.sessions.forget(person.id)
        self.keys.destroy(person.id)
        self.files.delete_all(person.id)

    # --- the organisation's self-assessment ---------------------------------------------------
    def complete_self_assessment(self, by: UUID | str, ratings: dict[str, str], notes: dict[str, str] | None = None,
                                 ) -> int:
        """An organisation admin records a visit of the seven-component self-assessment (a rating
        and notes per component); returns the visit's number. Notes are the organisation's, sealed
        with the assessment's own key: they stay readable to it when the admin who wrote them leaves."""
        admin = self._admin(by)
        doc = self.framework_document(SELF_ASSESSMENT)
        assessment_id = SelfAssessment.create_id(SELF_ASSESSMENT)
        try:
            assessment = self.repository.get(assessment_id)
        except AggregateNotFoundError:
            assessment = SelfAssessment(framework_id=doc["id"])
        if not self.keys.has_key(assessment_id):
            self.keys.create(assessment_id)
        codes = [i["code"] for i in doc["items"]]
        unknown = sorted(set(notes or {}) - set(codes))
        if unknown:
            raise InvalidValue("notes", f"unknown component(s) {', '.join(unknown)}")
        answers = {code: {"rating": rating, "notes_sealed": ""} for code, rating in ratings.items()}
        for code, note in (notes or {}).items():
            note = text(f"notes_{code}", note, required=False, max_len=5000)
            answers.setdefault(code, {"rating": None})["notes_sealed"] = self._seal(assessment_id, note) if note else ""
        number = assessment.complete(admin.id, str(doc["version"]), codes,
                                     [s["code"] for s in doc["policy"]["scale"]], answers)
        self._save(assessment)
        return number

    def self_assessment_visits(self) -> list[dict]:
        """Every visit, oldest first, with its notes opened and what changed since the visit before
        (ratings that moved, components whose notes changed). For admins and auditors."""
        try:
            assessment = self.repository.get(SelfAssessment.create_id(SELF_ASSESSMENT))
        except AggregateNotFoundError:
            return []
        visits, previous = [], None
        for visit in assessment.visits:
            notes = {code: self.read_text(assessment.id, a["notes_sealed"]) or "" for code, a in visit["answers"].items()}
            notes_changed = [] if previous is None else [c for c, n in notes.items() if n != previous["notes"].get(c, "")]
            visits.append({**visit, "notes": notes, "changes": rating_changes(previous, visit),
                           "notes_changed": notes_changed})
            previous = visits[-1]
        return visits

    # --- levels of use ------------------------------------------------------------------------
    def stage_report(self, worker_id: UUID | str, on: date | str | None = None) -> StageReport:
        worker, pf = self._worker(worker_id)
        day = as_date("on", on, required=False) or clock.today()
        codes = catalogue.competence_codes(self.framework_document(COMPETENCES))
        end_of_day = datetime.combine(day, time.max, tzinfo=timezone.utc)
        held = {c: pf.held_levels(c, as_of=None if day >= clock.today() else end_of_day) for c in codes}
        policy = self.framework_document(LEVELS_OF_USE)["policy"]
        # as the read side does: only reflections written by the end of that day show a core code
        written = [r for r in pf.reflections.values() if r["versions"][0]["written_at"] <= end_of_day]
        shown = core_codes([*(c for r in written for c in r["competences"]),
                            *(tag_key(t) for r in written for t in r.get("tags", []))])
        return assess(worker.positions, held, codes, policy, day, leave=worker.leave_on_record(), core_shown=shown)

    def notice_level_due(self, worker_id: UUID | str, due: Due) -> bool:
        """Record that this level falls due (or is overdue) for the worker, once per worker, stage and due
        date; returns whether the notice is new. A second run, or another process, records nothing."""
        notice = LevelDueNotice.notice(as_uuid("worker", worker_id), due)
        if notice.id in self.repository:
            return False
        try:
            self._save(notice)
        except Conflict:  # recorded by another run at the same moment
            return False
        return True

    # --- the organisation's settings ----------------------------------------------------------
    def organisation(self) -> Organisation | None:
        """The settings aggregate, or None while nothing was ever changed (the defaults apply)."""
        try:
            return self.repository.get(Organisation.create_id())
        except AggregateNotFoundError:
            return None

    def org_settings(self) -> dict[str, int]:
        org = self.organisation()
        return {name: org.setting(name) for name in SETTINGS} if org else org_defaults()

    def change_org_settings(self, by: UUID | str | None, **values) -> dict[str, list[int]]:
        """Change some settings (by an admin; None: the operator at the command line). Returns what changed."""
        by_id = str(self._admin(by).id) if by is not None else None
        org = self.organisation() or Organisation.found()
        changes = org.change_settings(by_id, values)
        if changes:
            self._save(org)
        return changes

    # --- the register of training programmes (organisation data: nothing sealed) -------------
    def programme(self, programme_id: UUID | str) -> Programme:
        return self._get(Programme, as_uuid("programme", programme_id), "programme")

    def programmes(self) -> list[Programme]:
        return [self.repository.get(n.originator_id) for n in self._select(Programme.Registered)]

    def register_programme(self, by: UUID | str, title: str, provider: str, note: str = "",
                           admission_criteria: str = "") -> UUID:
        admin = self._admin(by)
        programme = Programme.register(uuid4(), text("title", title, max_len=200),
                                       text("provider", provider, max_len=200), note, admission_criteria, admin.id)
        self._save(programme)
        return programme.id

    def _session_args(self, hours, competences, elements) -> tuple:
        try:
            hours_d = None if hours in (None, "") else Decimal(str(hours)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise InvalidValue("hours", f"{hours!r} is not a number") from None
        return (hours_d, self._codes("competences", list(competences or []), SESSION_COMPETENCES),
                self._codes("elements", list(elements or []), (TRAINING_ELEMENTS,)))

    def add_programme_session(self, programme_id: UUID | str, by: UUID | str | None, code: str, title: str,
                              hours: Decimal | float | str | None, competences: list[str] | None = None,
                              elements: list[str] | None = None) -> list[str]:
        """Returns warnings (a session over 4 hours, 000:388). `by` None: the built-in load."""
        who = self._admin(by).id if by is not None else None
        programme = self.programme(programme_id)
        warnings = programme.add_session(code, text("title", title, max_len=200),
                                         *self._session_args(hours, competences, elements), by=who)
        self._save(programme)
        return warnings

    def change_programme_session(self, programme_id: UUID | str, by: UUID | str, code: str, title: str,
                                 hours: Decimal | float | str | None, competences: list[str] | None = None,
                                 elements: list[str] | None = None) -> list[str]:
        admin = self._admin(by)
        programme = self.programme(programme_id)
        warnings = programme.change_session(code, text("title", title, max_len=200),
                                            *self._session_args(hours, competences, elements), by=admin.id)
        self._save(programme)
        return warnings

    def record_accreditation(self, programme_id: UUID | str, by: UUID | str, institution: str,
                             starts_on: date | str, ends_on: date | str | None = None) -> None:
        admin = self._admin(by)
        programme = self.programme(programme_id)
        programme.record_accreditation(text("institution", institution, max_len=200), as_date("starts_on", starts_on),
                                       as_date("ends_on", ends_on, required=False), admin.id)
        self._save(programme)

    def end_accreditation(self, programme_id: UUID | str, by: UUID | str, starts_on: date | str,
                          ends_on: date | str) -> None:
        admin = self._admin(by)
        programme = self.programme(programme_id)
        programme.end_accreditation(as_date("starts_on", starts_on), as_date("ends_on", ends_on), admin.id)
        self._save(programme)

    def load_builtin_programmes(self) -> list[str]:
        """Register each programme shipped as framework data, once (idempotent); the programme
        records the framework id and version it was loaded from."""
        loaded = []
        for fid, (provider, note) in BUILTIN_PROVIDERS.items():
            programme_id = Programme.builtin_id(fid)
            if programme_id in self.repository:
                continue
            doc = self.framework_document(fid)
            programme = Programme(programme_id=programme_id, title=doc["title"], provider=provider, note=note,
                                  admission_criteria="", by=None, source=f"{fid} version {doc['version']}")
            for item in doc["items"]:
                codes = [c for m in item.get("maps_to", []) if m["framework"] == HEE_COMPETENCES for c in m["codes"]]
                programme.add_session(item["code"], item["title"], None, codes, [], by=None)
            self._save(programme)
            loaded.append(doc["title"])
        return loaded

    def record_attendance(self, worker_id: UUID | str, programme_id: UUID | str, session: str,
                          attended_on: date | str) -> UUID:
        """The worker attended a registered programme's session; what it covers follows from the register."""
        _, pf = self._worker(worker_id)
        try:
            programme = self.programme(programme_id)
        except NotFound:
            raise InvalidValue("programme_id", "there is no such programme in the register") from None
        attendance_id = uuid4()
        pf.attend_session(attendance_id, programme, text("session", session, max_len=20),
                          as_date("attended_on", attended_on))
        self._save(pf)
        return attendance_id

    # --- the log ------------------------------------------------------------------------------
    def _select(self, event_class: type) -> Iterator[Any]:
        from eventsourcing.utils import get_topic

        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=500, topics=[get_topic(event_class)])
            yield from page
            if len(page) < 500:
                return
            start = page[-1].id + 1
