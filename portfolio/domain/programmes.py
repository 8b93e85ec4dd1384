"""The organisation's register of training programmes: who provides them, who accredited them and
when, and the sessions each one runs (the competences they map to, the Tuto3 elements they train).

This is organisation data, not personal text: nothing here is sealed, and nothing here may say
anything about a person. Every change names who made it (None: the built-in load by
`portfolio init`) and, through its event, when.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain.base import PortfolioAggregate
from portfolio.domain.errors import DomainError, InvalidValue, NotFound
from portfolio.domain.values import SESSION_HOURS_WARNING, date_range_ok, in_range, non_empty, printable

PROGRAMME_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/programme")
OVER_LONG = "One training session should not take more than 4 hours (000:388)."
MAX_NOTE = 4000


def over_long(hours: Decimal | None) -> bool:
    return hours is not None and hours > SESSION_HOURS_WARNING


def _hours(hours: Decimal | None) -> Decimal | None:
    """None: the duration is not stated (001 gives none for its sessions)."""
    if hours is not None and not Decimal(0) < hours <= 24:
        raise InvalidValue("hours", "must be more than 0 and at most 24 (one session)")
    return hours


def _note(field: str, value: str) -> str:
    value = printable(field, (value or "").strip())
    if len(value) > MAX_NOTE:
        raise InvalidValue(field, f"is longer than {MAX_NOTE:,} characters")
    return value


class Programme(PortfolioAggregate):
    @staticmethod
    def create_id(programme_id: UUID) -> UUID:
        return programme_id

    @staticmethod
    def builtin_id(framework_id: str) -> UUID:
        """A programme shipped as framework data has one id, so loading it twice finds it."""
        return uuid5(PROGRAMME_NS, f"framework:{framework_id}")

    @classmethod
    def register(cls, programme_id: UUID, title: str, provider: str, note: str, admission_criteria: str,
                 by: UUID | None, source: str = "") -> "Programme":
        return cls(programme_id=programme_id, title=non_empty("title", title), provider=non_empty("provider", provider),
                   note=_note("note", note), admission_criteria=_note("admission_criteria", admission_criteria),
                   by=by, source=source)

    @event("Registered")
    def __init__(self, programme_id: UUID, title: str, provider: str, note: str, admission_criteria: str,
                 by: UUID | None, source: str):
        self.title, self.provider, self.note = title, provider, note
        self.admission_criteria, self.registered_by, self.source = admission_criteria, by, source
        self.sessions: dict[str, dict] = {}
        self.accreditations: list[dict] = []  # {institution, starts_on, ends_on, by, ended_by}

    # --- sessions ---------------------------------------------------------------------------
    def add_session(self, code: str, title: str, hours: Decimal | None, competences: list[str],
                    elements: list[str], by: UUID | None) -> list[str]:
        """Returns warnings: a session over 4 hours is flagged, not refused (000:388)."""
        code = non_empty("code", code, max_len=20)
        if code in self.sessions:
            raise InvalidValue("code", f"this programme already has a session {code}")
        self._session_added(code=code, **self._session(title, hours, competences, elements), by=by)
        return [OVER_LONG] if self.sessions[code]["over_long"] else []

    def change_session(self, code: str, title: str, hours: Decimal | None, competences: list[str],
                       elements: list[str], by: UUID | None) -> list[str]:
        self.session(code)
        details = self._session(title, hours, competences, elements)
        if all(self.sessions[code][k] == v for k, v in details.items()):
            raise DomainError(f"session {code} already reads like this; nothing to change")
        self._session_changed(code=code, **details, by=by)
        return [OVER_LONG] if self.sessions[code]["over_long"] else []

    @staticmethod
    def _session(title, hours, competences, elements) -> dict:
        hours = _hours(hours)
        return {"title": non_empty("title", title), "hours": hours, "competences": list(dict.fromkeys(competences)),
                "elements": sorted(set(elements)), "over_long": over_long(hours)}

    @event("SessionAdded")
    def _session_added(self, code: str, title: str, hours: Decimal | None, competences: list[str],
                       elements: list[str], over_long: bool, by: UUID | None) -> None:
        self.sessions[code] = {"title": title, "hours": hours, "competences": competences, "elements": elements,
                               "over_long": over_long}

    @event("SessionChanged")
    def _session_changed(self, code: str, title: str, hours: Decimal | None, competences: list[str],
                         elements: list[str], over_long: bool, by: UUID | None) -> None:
        self.sessions[code] = {"title": title, "hours": hours, "competences": competences, "elements": elements,
                               "over_long": over_long}

    def session(self, code: str) -> dict:
        if code not in self.sessions:
            raise NotFound(f"{self.title} has no session {code!r}")
        return self.sessions[code]

    # --- accreditation ----------------------------------------------------------------------
    def record_accreditation(self, institution: str, starts_on: date, ends_on: date | None,
                             by: UUID | None) -> None:
        """000:390-392: programmes "should be officially accredited", by educational institutions.
        Periods may follow each other but not overlap: on any day at most one accreditation holds."""
        institution = non_empty("institution", institution)
        in_range("starts_on", starts_on)
        if ends_on is not None:
            in_range("ends_on", ends_on)
            date_range_ok(starts_on, ends_on)
        for a in self.accreditations:
            if _overlap(a["starts_on"], a["ends_on"], starts_on, ends_on):
                until = a["ends_on"].isoformat() if a["ends_on"] else "open-ended"
                raise InvalidValue("starts_on", f"overlaps the accreditation by {a['institution']} from "
                                                f"{a['starts_on'].isoformat()} ({until})")
        self._accreditation_recorded(institution=institution, starts_on=starts_on, ends_on=ends_on, by=by)

    @event("AccreditationRecorded")
    def _accreditation_recorded(self, institution: str, starts_on: date, ends_on: date | None,
                                by: UUID | None) -> None:
        self.accreditations.append({"institution": institution, "starts_on": starts_on, "ends_on": ends_on,
                                    "by": by, "ended_by": None})
        self.accreditations.sort(key=lambda a: a["starts_on"])

    def end_accreditation(self, starts_on: date, ends_on: date, by: UUID | None) -> None:
        """Ends the open-ended (or later-ending) accreditation that started on `starts_on`."""
        match = next((a for a in self.accreditations if a["starts_on"] == starts_on), None)
        if match is None:
            raise NotFound(f"{self.title} has no accreditation starting on {starts_on.isoformat()}")
        in_range("ends_on", ends_on)
        date_range_ok(starts_on, ends_on)
        if match["ends_on"] is not None and match["ends_on"] <= ends_on:
            raise InvalidValue("ends_on", f"this accreditation already ends on {match['ends_on'].isoformat()}")
        self._accreditation_ended(starts_on=starts_on, ends_on=ends_on, by=by)

    @event("AccreditationEnded")
    def _accreditation_ended(self, starts_on: date, ends_on: date, by: UUID | None) -> None:
        for a in self.accreditations:
            if a["starts_on"] == starts_on:
                a["ends_on"], a["ended_by"] = ends_on, by

    def accreditation_on(self, day: date) -> dict | None:
        return next((a for a in self.accreditations
                     if a["starts_on"] <= day and (a["ends_on"] is None or day <= a["ends_on"])), None)


def _overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


PROGRAMME_EVENTS = (Programme.Registered, Programme.SessionAdded, Programme.SessionChanged,
                    Programme.AccreditationRecorded, Programme.AccreditationEnded)
