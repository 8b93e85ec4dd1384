"""Organisation settings: validated, every change an event with who, when, old and new; history kept."""

from __future__ import annotations

import pytest

from portfolio.domain.errors import DomainError, InvalidValue
from portfolio.domain.organisation import Organisation


def test_defaults_until_something_changes(app):
    assert app.organisation() is None
    assert app.org_settings() == {"due_warning_days": 60, "supervision_every_days": 28}


@pytest.mark.parametrize("field, value, reason", [
    ("due_warning_days", 0, "between 1 and 365"), ("due_warning_days", 366, "between 1 and 365"),
    ("supervision_every_days", 6, "between 7 and 182"), ("supervision_every_days", 183, "between 7 and 182"),
    ("supervision_every_days", "soon", "not a whole number"), ("due_warning_days", True, "whole number"),
])
def test_out_of_range_is_refused_naming_the_field(field, value, reason):
    with pytest.raises(InvalidValue) as err:
        Organisation.found().change_settings(None, {field: value})
    assert err.value.field == field and reason in str(err.value)


def test_range_edges_are_accepted():
    org = Organisation.found()
    org.change_settings(None, {"due_warning_days": 1, "supervision_every_days": 182})
    org.change_settings(None, {"due_warning_days": 365, "supervision_every_days": 7})
    assert org.settings == {"due_warning_days": 365, "supervision_every_days": 7}


def test_changes_keep_their_history_and_survive_reloading(app, org, at):
    with at("2024-01-10"):
        assert app.change_org_settings(org["ada"], due_warning_days=30) == {"due_warning_days": [60, 30]}
    with at("2024-02-10"):
        app.change_org_settings(None, due_warning_days="45", supervision_every_days=14)
        assert app.change_org_settings(org["ada"], due_warning_days=45) == {}  # nothing new: no event
    loaded = app.organisation()
    assert app.org_settings() == {"due_warning_days": 45, "supervision_every_days": 14}
    assert [(h["by"], h["at"].date().isoformat(), h["changes"]) for h in loaded.history] == [
        (str(org["ada"]), "2024-01-10", {"due_warning_days": [60, 30]}),
        (None, "2024-02-10", {"due_warning_days": [30, 45], "supervision_every_days": [28, 14]}),
    ]
    assert loaded.version == 3  # founded, then two changes


def test_only_an_admin_changes_settings(app, org):
    with pytest.raises(DomainError):
        app.change_org_settings(org["sam"], due_warning_days=30)
    assert app.organisation() is None
