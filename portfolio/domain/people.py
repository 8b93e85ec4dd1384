"""People: accounts with roles, positions held, and who supervised whom, when.

No field for diagnosis, treatment history or disability exists here, by design (004:624-625).
The display name is personal data, so it arrives sealed (ciphertext) like other personal text.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain.base import PortfolioAggregate
from portfolio.domain import clock
from portfolio.domain.errors import (AccountInactive, AssignmentConflict, DomainError, Erased as ErasedError,
                                    InvalidValue, OpenRequestExists, RequestNotOpen)
from portfolio.domain.values import (ACCOUNT_ROLES, LEAVE_KINDS, POSITIONS, SUPERVISOR_BACKGROUNDS, all_of,
                                     date_range_ok, non_empty, one_of)


class Person(PortfolioAggregate):
    # snapshots of v1 lack the account-lifecycle attributes, of v2 the erasure request and leave, of v3
    # buddies and the supervisor's background
    class_version = 4

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state.setdefault("deactivated", None)
        state.setdefault("must_change_password", False)
        state.setdefault("password_reset", None)

    @staticmethod
    def upcast_v2_v3(state: dict) -> None:
        state.setdefault("erasure_request", None)
        state.setdefault("erasure_closed", None)
        state.setdefault("leave", [])

    @staticmethod
    def upcast_v3_v4(state: dict) -> None:
        state.setdefault("buddies", [])
        state.setdefault("supervisor_background", None)

    @event("Registered")
    def __init__(self, id: UUID, username: str, name_sealed: str, roles: list[str], joined_on: date):  # noqa: A002
        self.username = username
        self.name_sealed = name_sealed
        self.roles = list(roles)
        self.joined_on = joined_on
        self.positions: list[dict] = []  # {position, starts_on, induction_days}
        self.assignments: list[dict] = []  # {supervisor_id, starts_on, ends_on}
        self.password_hash: str | None = None
        self.api_token_hash: str | None = None
        self.erased_at: datetime | None = None
        self.deactivated: dict | None = None  # {by, reason_sealed, at} while the account is closed
        self.must_change_password = False
        self.password_reset: dict | None = None  # {token_hash, expires_at, by} until used or replaced
        self.erasure_request: dict | None = None  # {at} while the person's own request is open
        self.erasure_closed: dict | None = None  # the last request's end: {outcome, at, by, reason_sealed}
        self.leave: list[dict] = []  # {leave_id, kind, starts_on, ends_on, recorded_by, withdrawn_by}
        self.buddies: list[dict] = []  # {buddy_id, starts_on, ends_on}: the buddy scheme of 001
        self.supervisor_background: str | None = None  # "peer" | "not_peer" once an admin records it

    @classmethod
    def register(cls, person_id: UUID, username: str, name_sealed: str, roles: list[str],
                 joined_on: date) -> "Person":
        username = non_empty("username", username, 80)
        if not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise InvalidValue("username", "may hold only letters, digits, '.', '-' and '_'")
        if not roles:
            raise InvalidValue("roles", "at least one role is required")
        return cls(id=person_id, username=username.lower(), name_sealed=name_sealed,
                   roles=all_of("roles", sorted(set(roles)), ACCOUNT_ROLES), joined_on=joined_on)

    # --- roles -----------------------------------------------------------------------------
    def has_role(self, role: str) -> bool:
        return role in self.roles

    def change_roles(self, roles: list[str]) -> None:
        self.refuse_if_erased()
        if not roles:
            raise InvalidValue("roles", "at least one role is required")
        roles = all_of("roles", sorted(set(roles)), ACCOUNT_ROLES)
        if roles != self.roles:
            self._roles_changed(roles=roles)

    @event("RolesChanged")
    def _roles_changed(self, roles: list[str]) -> None:
        self.roles = roles

    def record_supervisor_background(self, background: str, by: UUID) -> None:
        """Whether this supervisor has worked in peer roles (004:696); a correction is a new event."""
        self.refuse_if_erased()
        one_of("background", background, SUPERVISOR_BACKGROUNDS)
        if not self.has_role("supervisor"):
            raise InvalidValue("background", "only a supervisor's background is recorded")
        if background != self.supervisor_background:
            self._supervisor_background_recorded(background=background, recorded_by=by)

    @event("SupervisorBackgroundRecorded")
    def _supervisor_background_recorded(self, background: str, recorded_by: UUID) -> None:
        self.supervisor_background = background

    # --- positions (role history) ----------------------------------------------------------
    def start_position(self, position: str, starts_on: date, induction_days: int = 0) -> None:
        self.refuse_if_erased()
        one_of("position", position, POSITIONS)
        if induction_days < 0 or induction_days > 730:
            raise InvalidValue("induction_days", "must be between 0 and 730")
        if self.positions and starts_on <= self.positions[-1]["starts_on"]:
            raise InvalidValue(
                "starts_on",
                f"must be after the start of the current position ({self.positions[-1]['starts_on']})",
            )
        self._position_started(position=position, starts_on=starts_on, induction_days=induction_days)

    @event("PositionStarted")
    def _position_started(self, position: str, starts_on: date, induction_days: int) -> None:
        self.positions.append({"position": position, "starts_on": starts_on, "induction_days": induction_days})

    @property
    def holds_portfolio(self) -> bool:
        """Peer workers, and anyone in a position the levels of use name: team leaders, line managers and
        organisational leaders "need to demonstrate" Peer manager / Peer leader (002:621-625)."""
        return self.has_role("peer_worker") or bool(self.positions)

    def position_on(self, day: date) -> dict | None:
        held = [p for p in self.positions if p["starts_on"] <= day]
        return held[-1] if held else None

    # --- leave and career breaks (move due dates; a kind, never a reason) -------------------
    def record_leave(self, leave_id: UUID, kind: str, starts_on: date, ends_on: date | None, by: UUID) -> None:
        self.refuse_if_erased()
        one_of("kind", kind, LEAVE_KINDS)
        date_range_ok(starts_on, ends_on)
        for lv in self.leave_on_record():
            if _overlaps(lv, starts_on, ends_on):
                raise InvalidValue("starts_on", f"overlaps the {lv['kind']} from {lv['starts_on']}"
                                   + (f" to {lv['ends_on']}" if lv["ends_on"] else " with no end date")
                                   + ": withdraw that one first")
        self._leave_recorded(leave_id=leave_id, kind=kind, starts_on=starts_on, ends_on=ends_on, recorded_by=by)

    @event("LeaveRecorded")
    def _leave_recorded(self, leave_id: UUID, kind: str, starts_on: date, ends_on: date | None,
                        recorded_by: UUID) -> None:
        self.leave.append({"leave_id": leave_id, "kind": kind, "starts_on": starts_on, "ends_on": ends_on,
                           "recorded_by": recorded_by, "withdrawn_by": None})

    def withdraw_leave(self, leave_id: UUID, by: UUID) -> None:
        """A correction: the period no longer counts (record the right one again if needed)."""
        self.refuse_if_erased()
        if not any(lv["leave_id"] == leave_id for lv in self.leave_on_record()):
            raise InvalidValue("leave", f"no leave {leave_id} on record to withdraw")
        self._leave_withdrawn(leave_id=leave_id, withdrawn_by=by)

    @event("LeaveWithdrawn")
    def _leave_withdrawn(self, leave_id: UUID, withdrawn_by: UUID) -> None:
        for lv in self.leave:
            if lv["leave_id"] == leave_id:
                lv["withdrawn_by"] = withdrawn_by

    def leave_on_record(self) -> list[dict]:
        return sorted((lv for lv in self.leave if lv["withdrawn_by"] is None), key=lambda lv: lv["starts_on"])

    # --- supervisor assignments ------------------------------------------------------------
    def assign_supervisor(self, supervisor_id: UUID, starts_on: date, ends_on: date | None = None) -> None:
        if supervisor_id == self.id:
            raise AssignmentConflict("a person cannot be assigned as their own supervisor")
        date_range_ok(starts_on, ends_on)
        for a in self.assignments:
            if a["supervisor_id"] == supervisor_id and _overlaps(a, starts_on, ends_on):
                raise AssignmentConflict(
                    f"this supervisor is already assigned from {a['starts_on']}"
                    + (f" to {a['ends_on']}" if a["ends_on"] else " with no end date")
                )
        self._supervisor_assigned(supervisor_id=supervisor_id, starts_on=starts_on, ends_on=ends_on)

    @event("SupervisorAssigned")
    def _supervisor_assigned(self, supervisor_id: UUID, starts_on: date, ends_on: date | None) -> None:
        self.assignments.append({"supervisor_id": supervisor_id, "starts_on": starts_on, "ends_on": ends_on})

    def end_supervision(self, supervisor_id: UUID, ends_on: date) -> None:
        self.refuse_if_erased()
        current = [a for a in self.assignments if a["supervisor_id"] == supervisor_id and a["ends_on"] is None]
        if not current:
            raise AssignmentConflict("this supervisor has no open-ended assignment to end")
        date_range_ok(current[-1]["starts_on"], ends_on)
        self._supervision_ended(supervisor_id=supervisor_id, ends_on=ends_on)

    @event("SupervisionEnded")
    def _supervision_ended(self, supervisor_id: UUID, ends_on: date) -> None:
        for a in self.assignments:
            if a["supervisor_id"] == supervisor_id and a["ends_on"] is None:
                a["ends_on"] = ends_on

    def supervisors_on(self, day: date) -> list[UUID]:
        return [a["supervisor_id"] for a in self.assignments if _covers(a, day)]

    def was_supervised_by(self, supervisor_id: UUID, day: date) -> bool:
        return supervisor_id in self.supervisors_on(day)

    # --- buddies: "a named person on the course to share learning and challenges with" (001) ----
    def assign_buddy(self, buddy_id: UUID, starts_on: date, ends_on: date | None = None) -> None:
        self.refuse_if_erased()
        if buddy_id == self.id:
            raise AssignmentConflict("a person cannot be their own buddy")
        date_range_ok(starts_on, ends_on)
        for b in self.buddies:
            if b["buddy_id"] == buddy_id and _overlaps(b, starts_on, ends_on):
                raise AssignmentConflict(
                    f"this buddy is already assigned from {b['starts_on']}"
                    + (f" to {b['ends_on']}" if b["ends_on"] else " with no end date"))
        self._buddy_assigned(buddy_id=buddy_id, starts_on=starts_on, ends_on=ends_on)

    @event("BuddyAssigned")
    def _buddy_assigned(self, buddy_id: UUID, starts_on: date, ends_on: date | None) -> None:
        self.buddies.append({"buddy_id": buddy_id, "starts_on": starts_on, "ends_on": ends_on})

    def end_buddy(self, buddy_id: UUID, ends_on: date) -> None:
        self.refuse_if_erased()
        current = [b for b in self.buddies if b["buddy_id"] == buddy_id and b["ends_on"] is None]
        if not current:
            raise AssignmentConflict("this buddy has no open-ended assignment to end")
        date_range_ok(current[-1]["starts_on"], ends_on)
        self._buddy_ended(buddy_id=buddy_id, ends_on=ends_on)

    @event("BuddyEnded")
    def _buddy_ended(self, buddy_id: UUID, ends_on: date) -> None:
        for b in self.buddies:
            if b["buddy_id"] == buddy_id and b["ends_on"] is None:
                b["ends_on"] = ends_on

    def buddies_on(self, day: date) -> list[UUID]:
        return [b["buddy_id"] for b in self.buddies if _covers(b, day)]

    # --- erasure ---------------------------------------------------------------------------
    def erase(self, requested_by: UUID, reference: str) -> None:
        """Recorded before the person's key is destroyed (crypto-shredding happens outside the log)."""
        if self.erased_at is not None:
            raise ErasedError(f"{self.username} was already erased on {self.erased_at.date()}")
        if requested_by == self.id:
            raise DomainError("an erasure is carried out by an organisation admin, not by the person")
        self._erased(requested_by=requested_by, reference=reference, erased_at=clock.now())

    @event("Erased")
    def _erased(self, requested_by: UUID, reference: str, erased_at: datetime) -> None:
        self.erased_at = erased_at
        self.erasure_reference = reference
        if self.erasure_request is not None:  # the erasure answers the person's open request
            self.erasure_request = None
            self.erasure_closed = {"outcome": "erased", "at": erased_at, "by": requested_by, "reason_sealed": None}
        # Erasure closes the account for good: no credential of theirs works again (also on replay
        # of erasures recorded before this rule).
        self.api_token_hash = None
        self.password_hash = None
        self.password_reset = None

    # --- the person's own request for erasure (an admin erases or declines it) ---------------
    def request_erasure(self) -> None:
        """No free text: what the person asks for is fully said by the event."""
        self.refuse_if_inactive("you")
        if self.erasure_request is not None:
            raise OpenRequestExists(f"you already asked for erasure on {self.erasure_request['at'].date()}; "
                                    "withdraw that request or wait for an admin's answer")
        self._erasure_requested(at=clock.now())

    @event("ErasureRequested")
    def _erasure_requested(self, at: datetime) -> None:
        self.erasure_request = {"at": at}

    def _refuse_unless_erasure_requested(self) -> None:
        self.refuse_if_erased()
        if self.erasure_request is None:
            raise RequestNotOpen(f"{self.username} has no open erasure request")

    def withdraw_erasure_request(self) -> None:
        self._refuse_unless_erasure_requested()
        self._erasure_request_withdrawn(at=clock.now())

    @event("ErasureRequestWithdrawn")
    def _erasure_request_withdrawn(self, at: datetime) -> None:
        self.erasure_request = None
        self.erasure_closed = {"outcome": "withdrawn", "at": at, "by": self.id, "reason_sealed": None}

    def decline_erasure_request(self, by: UUID, reason_sealed: str) -> None:
        """The reason is about the person, so it arrives sealed with their key."""
        self._refuse_unless_erasure_requested()
        if by == self.id:
            raise DomainError("an erasure request is answered by an organisation admin, not by the person")
        self._erasure_request_declined(by=by, reason_sealed=reason_sealed, at=clock.now())

    @event("ErasureRequestDeclined")
    def _erasure_request_declined(self, by: UUID, reason_sealed: str, at: datetime) -> None:
        self.erasure_request = None
        self.erasure_closed = {"outcome": "declined", "at": at, "by": by, "reason_sealed": reason_sealed}

    # --- account lifecycle -----------------------------------------------------------------
    def refuse_if_erased(self) -> None:
        if self.erased_at is not None:
            raise ErasedError(f"{self.username} was erased on {self.erased_at.date()}: the account takes no changes")

    @property
    def active(self) -> bool:
        """May sign in, hold a token and act: not erased, not deactivated."""
        return self.erased_at is None and self.deactivated is None

    def refuse_if_inactive(self, acting_as: str = "this person") -> None:
        if self.erased_at is not None:
            raise ErasedError(f"{self.username} was erased on {self.erased_at.date()}: "
                              f"{acting_as} can no longer act or be acted for")
        if self.deactivated is not None:
            raise AccountInactive(f"{self.username}'s account is deactivated (since "
                                  f"{self.deactivated['at'].date()}): reactivate it first")

    def deactivate(self, by: UUID, reason_sealed: str) -> None:
        """Close the account (left the organisation, long leave): reversible, unlike erasure."""
        if self.erased_at is not None:
            raise ErasedError(f"{self.username} was erased; there is no account to deactivate")
        if self.deactivated is not None:
            raise AccountInactive(f"{self.username}'s account is already deactivated")
        if by == self.id:
            raise DomainError("ask another organisation admin to deactivate your own account")
        self._deactivated(by=by, reason_sealed=reason_sealed, at=clock.now())

    @event("Deactivated")
    def _deactivated(self, by: UUID, reason_sealed: str, at: datetime) -> None:
        self.deactivated = {"by": by, "reason_sealed": reason_sealed, "at": at}
        self.api_token_hash = None
        self.password_reset = None  # a link issued before must not work again after reactivation

    def reactivate(self, by: UUID) -> None:
        if self.erased_at is not None:
            raise ErasedError(f"{self.username} was erased; an erased account cannot be reactivated")
        if self.deactivated is None:
            raise DomainError(f"{self.username}'s account is already active")
        self._reactivated(by=by, at=clock.now())

    @event("Reactivated")
    def _reactivated(self, by: UUID, at: datetime) -> None:
        self.deactivated = None

    # --- credentials (hashes only; hashing happens outside the domain) ---------------------
    def set_password_hash(self, password_hash: str) -> None:
        """A password the person chose themselves (or the operator of a demo)."""
        self.refuse_if_inactive()
        if not password_hash:
            raise DomainError("empty password hash")
        self._password_set(password_hash=password_hash)

    @event("PasswordSet")
    def _password_set(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.must_change_password = False
        self.password_reset = None
        self.api_token_hash = None  # a new password retires the old token too

    def set_temporary_password_hash(self, password_hash: str, by: UUID) -> None:
        """A password someone else knows: the person must choose a new one at first sign-in."""
        self.refuse_if_inactive()
        self._temporary_password_set(password_hash=password_hash, by=by)

    @event("TemporaryPasswordSet")
    def _temporary_password_set(self, password_hash: str, by: UUID) -> None:
        self.password_hash = password_hash
        self.must_change_password = True
        self.password_reset = None
        self.api_token_hash = None

    def issue_password_reset(self, token_hash: str, expires_at: datetime, by: UUID) -> None:
        """A one-time set-password link (only its SHA-256 kept); a new one replaces the last."""
        self.refuse_if_inactive()
        self._password_reset_issued(token_hash=token_hash, expires_at=expires_at, by=by)

    @event("PasswordResetIssued")
    def _password_reset_issued(self, token_hash: str, expires_at: datetime, by: UUID) -> None:
        self.password_reset = {"token_hash": token_hash, "expires_at": expires_at, "by": by}

    def reset_link_valid(self, token_hash: str, moment: datetime) -> bool:
        reset = self.password_reset
        return (self.active and reset is not None and hmac.compare_digest(reset["token_hash"], token_hash)
                and moment < reset["expires_at"])

    def issue_api_token(self, token_hash: str) -> None:
        """A new API token replaces the previous one (only its SHA-256 is kept)."""
        self.refuse_if_inactive()
        self._api_token_issued(token_hash=token_hash)

    @event("ApiTokenIssued")
    def _api_token_issued(self, token_hash: str) -> None:
        self.api_token_hash = token_hash


# Account lifecycle and credentials: no read model shows them (the aggregate is the source).
ACCOUNT_EVENTS = (Person.Deactivated, Person.Reactivated, Person.TemporaryPasswordSet, Person.PasswordResetIssued,
                  Person.SupervisorBackgroundRecorded)
# A person's own erasure request: only the notifications projection follows it (the aggregate is the source).
ERASURE_REQUEST_EVENTS = (Person.ErasureRequested, Person.ErasureRequestWithdrawn, Person.ErasureRequestDeclined)


def _covers(a: dict, day: date) -> bool:
    return a["starts_on"] <= day and (a["ends_on"] is None or day <= a["ends_on"])


def _overlaps(a: dict, starts_on: date, ends_on: date | None) -> bool:
    a_end, b_end = a["ends_on"] or date.max, ends_on or date.max
    return a["starts_on"] <= b_end and starts_on <= a_end


USERNAME_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/username")


class Username(PortfolioAggregate):
    """Reserves a username: saved with the Person, so a second claim fails atomically."""

    @staticmethod
    def create_id(username: str) -> UUID:
        return uuid5(USERNAME_NS, username.lower())

    @event("Reserved")
    def __init__(self, username: str, person_id: UUID):
        self.username = username.lower()
        self.person_id = person_id


API_TOKEN_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/api-token")


class ApiToken(PortfolioAggregate):
    """Finds the person behind an API token by the token's hash (the token itself is never stored)."""

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return uuid5(API_TOKEN_NS, token_hash)

    @event("Issued")
    def __init__(self, token_hash: str, person_id: UUID):
        self.token_hash = token_hash
        self.person_id = person_id
