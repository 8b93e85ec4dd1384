"""Levels of use coming due: the window's edges, overdue, and the notices recorded once each.

wendy (tests/conftest.py `org`) started on 2023-01-02 with 90 days of induction: Essential (Basic) is
due on 2023-04-02, Peer practitioner (Intermediate) at two years, on 2025-01-02.
"""

from __future__ import annotations

from datetime import date

import pytest

from portfolio import levels_due


def worker_due(runtime, org, today: str, window: int = 60):
    return levels_due.for_worker(runtime.read_models(), str(org["wendy"]), date.fromisoformat(today), window)


@pytest.mark.parametrize("today, window, soon, overdue", [
    ("2023-01-31", 60, None, None),  # due 61 days ahead: outside the window
    ("2023-02-01", 60, "2023-04-02", None),  # the window's last day is inside it
    ("2023-03-25", 7, None, None),
    ("2023-03-26", 7, "2023-04-02", None),
    ("2023-04-02", 60, "2023-04-02", None),  # due today: coming due, not yet overdue
    ("2023-04-03", 60, None, "2023-04-02"),
])
def test_the_window_edges(runtime, org, today, window, soon, overdue):
    found = worker_due(runtime, org, today, window)
    assert (found.soon.due_on.isoformat() if found.soon else None) == soon
    assert (found.overdue.due_on.isoformat() if found.overdue else None) == overdue
    assert len(found.dues) == (soon is not None) + (overdue is not None)
    for due in found.dues:
        assert (due.stage, due.level, due.missing) == ("ESSENTIAL", "Basic", 11)


def test_in_induction_until_the_due_day(runtime, org):
    assert "induction" in worker_due(runtime, org, "2023-04-01").statuses
    assert worker_due(runtime, org, "2023-04-02").statuses == {"soon"}


def test_the_next_stage_comes_due_while_the_first_is_overdue(runtime, org):
    found = worker_due(runtime, org, "2024-11-03")
    assert [(d.stage, d.due_on.isoformat(), d.overdue, d.missing) for d in found.dues] == [
        ("ESSENTIAL", "2023-04-02", True, 11), ("PEER-PRACTITIONER", "2025-01-02", False, 22)]
    assert found.statuses == {"behind", "soon"}


def test_signed_levels_are_not_due(runtime, app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2023-02-01"):
        for code in runtime.policy().competences:
            ev = app.add_evidence(w, "title", "reflection", "", [(code, "Basic")])
            app.approve_sign_off(w, app.request_sign_off(w, code, "Basic", [ev]), sam)
    assert worker_due(runtime, org, "2023-03-01").dues == []
    assert worker_due(runtime, org, "2024-11-03").soon.missing == 11  # Intermediate only now


def test_notices_are_recorded_once_per_worker_stage_and_due_date(runtime, app, org, at):
    with at("2023-02-01"):
        assert levels_due.record_notices(app, runtime.read_models(), date(2023, 2, 1)) == (1, 0)
        assert levels_due.record_notices(app, runtime.read_models(), date(2023, 2, 1)) == (0, 1)
    with at("2023-04-05"):  # now overdue: the same stage and due date, so no second notice
        assert levels_due.record_notices(app, runtime.read_models(), date(2023, 4, 5)) == (0, 1)


def test_the_window_follows_the_setting(runtime, app, org, at):
    with at("2023-01-20"):
        app.change_org_settings(org["ada"], due_warning_days=90)
        assert levels_due.record_notices(app, runtime.read_models(), date(2023, 1, 20)) == (1, 0)
