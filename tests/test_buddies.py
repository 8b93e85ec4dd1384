"""The buddy scheme of 001 and the 70:20:10 learning mix, through the application service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain_helpers import DAY, new_worker
from portfolio.domain.errors import AssignmentConflict, BuddyNotAssigned, InvalidValue
from portfolio.domain.learning_mix import learning_mix


@pytest.fixture
def pair(app, org, at):
    with at(DAY):
        bob = new_worker(app, "bob")
        app.assign_buddy(org["wendy"], bob, "2024-03-01", "2024-04-30")
    return org["wendy"], bob


def test_a_buddy_is_assigned_with_dates_and_ended(app, org, pair, at):
    wendy, bob = pair
    with at(DAY):
        app.assign_buddy(wendy, bob, "2024-05-01")
        app.end_buddy(wendy, bob, "2024-06-30")
    w = app.person(wendy)
    assert [(b["buddy_id"], b["starts_on"], b["ends_on"]) for b in w.buddies] == [
        (bob, date(2024, 3, 1), date(2024, 4, 30)), (bob, date(2024, 5, 1), date(2024, 6, 30))]
    assert w.buddies_on(date(2024, 4, 15)) == [bob] and w.buddies_on(date(2024, 7, 1)) == []


def test_overlapping_assignments_of_the_same_pair_are_refused(app, pair, at):
    wendy, bob = pair
    with at(DAY), pytest.raises(AssignmentConflict, match="already assigned from 2024-03-01 to 2024-04-30"):
        app.assign_buddy(wendy, bob, "2024-04-30")


def test_a_buddy_must_be_another_peer_worker(app, org, at):
    with at(DAY):
        with pytest.raises(InvalidValue, match="buddy: sam is not a peer worker"):
            app.assign_buddy(org["wendy"], org["sam"], DAY)
        with pytest.raises(AssignmentConflict, match="their own buddy"):
            app.assign_buddy(org["wendy"], org["wendy"], DAY)
        with pytest.raises(InvalidValue, match="ends_on"):
            app.assign_buddy(org["wendy"], new_worker(app, "cat"), DAY, "2024-04-01")


def test_a_buddy_meeting_is_recorded_with_sealed_notes(app, pair, at):
    wendy, bob = pair
    with at(DAY):
        mid = app.record_buddy_meeting(wendy, bob, "2024-04-02", 45, "Talked about my first group")
    m = app.portfolio(wendy).buddy_meetings[str(mid)]
    assert (m["held_on"], m["buddy_id"], m["minutes"]) == (date(2024, 4, 2), bob, 45)
    assert "group" not in m["notes_sealed"] and app.read_text(wendy, m["notes_sealed"]) == "Talked about my first group"


def test_a_buddy_meeting_needs_a_buddy_on_that_date(app, pair, at):
    wendy, bob = pair
    with at(DAY), pytest.raises(BuddyNotAssigned) as caught:
        app.record_buddy_meeting(wendy, bob, "2024-05-01", 30)
    assert caught.value.field == "held_on" and "not assigned as your buddy on 2024-05-01" in str(caught.value)
    assert app.portfolio(wendy).buddy_meetings == {}


@pytest.mark.parametrize("minutes", [0, 4, 481])
def test_buddy_meeting_minutes_are_bounded(app, pair, at, minutes):
    with at(DAY), pytest.raises(InvalidValue, match="minutes"):
        app.record_buddy_meeting(*pair, "2024-04-02", minutes)


def test_learning_mix_adds_training_hours_minutes_with_others_and_evidence(app, org, pair, at):
    wendy, bob = pair
    with at(DAY):
        app.record_training(wendy, "Listening", "HEE", "2024-04-01", "3", "face_to_face")
        app.record_supervision(wendy, org["sam"], "2024-04-03", "process", "one_to_one", "in_person", 60,
                               ["caseload"])
        app.record_buddy_meeting(wendy, bob, "2024-04-02", 30)
        app.add_evidence(wendy, "Observed practice", "observation", "", claims=[])
        withdrawn = app.add_evidence(wendy, "Old", "observation", "", claims=[])
        app.withdraw_evidence(wendy, withdrawn)
    mix = learning_mix(app.portfolio(wendy), date.fromisoformat(DAY))
    assert mix["formal_hours"] == Decimal("3.0") and mix["others_hours"] == Decimal("1.5")
    assert (mix["supervision_minutes"], mix["buddy_minutes"], mix["evidence_items"]) == (60, 30, 1)
    assert (mix["formal_share"], mix["others_share"]) == (67, 33)
    before = learning_mix(app.portfolio(wendy), date(2024, 4, 1))
    assert (before["others_hours"], before["evidence_items"], before["formal_share"]) == (0, 0, 100)
