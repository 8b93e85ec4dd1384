"""The organisation's own settings: one aggregate for the whole instance, every change an event.

The seeds name no warning period and no supervision frequency (004:692-699 asks for supervision,
not how often), so both are organisation policy. Each change records who made it, when, and each
setting's old and new value; the history is the aggregate's events, never overwritten.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain import clock
from portfolio.domain.base import PortfolioAggregate
from portfolio.domain.errors import InvalidValue

# name -> (default, lowest, highest); in days
SETTINGS: dict[str, tuple[int, int, int]] = {
    "due_warning_days": (60, 1, 365),  # warn this long before a level of use falls due
    "supervision_every_days": (28, 7, 182),  # next supervision this long after the last (a week .. 26 weeks)
}


def defaults() -> dict[str, int]:
    return {name: default for name, (default, _, _) in SETTINGS.items()}


def check(name: str, value) -> int:
    """The value as a whole number of days within the setting's range; else InvalidValue naming it."""
    if name not in SETTINGS:
        raise InvalidValue(name, "is not a setting of the organisation")
    _, low, high = SETTINGS[name]
    if isinstance(value, bool):
        raise InvalidValue(name, "must be a whole number of days")
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidValue(name, f"{value!r} is not a whole number of days") from None
    if not low <= days <= high:
        raise InvalidValue(name, f"must be between {low} and {high} days")
    return days


class Organisation(PortfolioAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "portfolio:organisation")  # a singleton: one per instance

    @event("Founded")
    def __init__(self, id: UUID) -> None:  # noqa: A002
        self.settings = defaults()
        self.history: list[dict] = []  # {by, at, changes: {name: [old, new]}}

    @classmethod
    def found(cls) -> "Organisation":
        return cls(id=cls.create_id())

    def setting(self, name: str) -> int:
        return self.settings.get(name, SETTINGS[name][0])  # a setting added later starts at its default

    def change_settings(self, by: str | None, values: dict) -> dict[str, list[int]]:
        """Record the settings that differ from now; returns them (nothing recorded if none differ)."""
        checked = {name: check(name, value) for name, value in values.items()}
        changes = {name: [self.setting(name), new] for name, new in checked.items() if new != self.setting(name)}
        if changes:
            self._settings_changed(by=by, at=clock.now(), changes=changes)
        return changes

    @event("SettingsChanged")
    def _settings_changed(self, by: str | None, at: datetime, changes: dict[str, list[int]]) -> None:
        for name, (_, new) in changes.items():
            self.settings[name] = new
        self.history.append({"by": by, "at": at, "changes": changes})


ORGANISATION_EVENTS = (Organisation.Founded, Organisation.SettingsChanged)
