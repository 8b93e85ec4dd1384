"""The buddy scheme on the web: the admin assigns and ends buddies on the account page, the worker
records buddy meetings, and the dashboard and supervision summary show the 70:20:10 learning mix."""

from __future__ import annotations

import uuid

import pytest

HX = {"HX-Request": "true"}


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def bob(web):
    app = web.app.extensions["portfolio"].app
    pid = app.register_person("bob", "Bob Buddy", ["peer_worker"], "2023-01-02")
    app.start_position(pid, "peer_worker", "2023-01-02", 90)
    return pid


@pytest.mark.parametrize("headers", [{}, HX])
def test_admin_assigns_and_ends_a_buddy(web, bob, headers):
    client, wendy = web.client("ada"), web.ids["wendy"]
    app = web.app.extensions["portfolio"].app
    page = body(client.get(f"/org/accounts/{wendy}"))
    assert "No buddy has been assigned." in page and "Bob Buddy (bob)" in page
    assert "Sam Supervisor (sam)" not in page.split('id="buddy-section"')[1].split("</select>")[0]  # peers only
    base = f"/org/accounts/{wendy}/buddies"
    done = client.post(base, data={"buddy_id": str(bob), "starts_on": "2024-03-01"}, headers=headers)
    assert done.status_code == (200 if headers else 302)
    assert [b["buddy_id"] for b in app.person(wendy).buddies] == [bob]
    for form, field, reason in [
        ({"buddy_id": str(bob), "starts_on": "2025-01-01"}, "starts_on", "already assigned from 2024-03-01"),
        ({"buddy_id": str(web.ids["sam"]), "starts_on": "2024-01-01"}, "buddy_id", "not a peer worker"),
        ({"buddy_id": str(wendy), "starts_on": "2024-01-01"}, "starts_on", "their own buddy"),
        ({"buddy_id": str(uuid.UUID(int=9)), "starts_on": "2024-01-01"}, "buddy_id", "no such account"),
        ({"buddy_id": str(bob), "starts_on": "2030-01-01", "ends_on": "2029-01-01"}, "ends_on", "before"),
        ({"starts_on": "2024-01-01"}, "buddy_id", "Missing data"),
    ]:
        refused = client.post(base, data=form, headers=headers)
        assert refused.status_code == 422 and f'id="buddy-e-{field}"' in body(refused) and reason in body(refused), form
    ended = client.post(f"{base}/end", data={"buddy_id": str(bob), "ends_on": "2024-12-31"}, headers=headers)
    assert ended.status_code == (200 if headers else 302)
    assert str(app.person(wendy).buddies[0]["ends_on"]) == "2024-12-31"
    again = client.post(f"{base}/end", data={"buddy_id": str(bob), "ends_on": "2024-12-31"}, headers=headers)
    assert again.status_code == 422 and "no open-ended assignment" in body(again)
    shown = body(client.get(f"/org/accounts/{wendy}"))
    assert "2024-03-01" in shown and "2024-12-31" in shown and "Not current" in shown


def test_worker_sees_the_buddy_and_records_meetings(web, bob):
    app = web.app.extensions["portfolio"].app
    wendy = web.ids["wendy"]
    app.assign_buddy(wendy, bob, "2024-03-01")
    client = web.client("wendy")
    assert "Bob Buddy" in body(client.get("/me"))
    ok = client.post("/me/buddy-meetings", data={"buddy_id": str(bob), "held_on": "2024-03-05", "minutes": "40",
                                                 "notes": "Shared a worry about the group"})
    assert ok.status_code == 302
    page = body(client.get("/me/buddy-meetings"))
    assert "2024-03-05" in page and "40 minutes" in page and "Shared a worry about the group" in page
    m = next(iter(app.portfolio(wendy).buddy_meetings.values()))
    assert "worry" not in m["notes_sealed"]


@pytest.mark.parametrize("form, field, reason", [
    ({"held_on": "2024-02-01", "minutes": "30"}, "held_on", "not assigned as your buddy on 2024-02-01"),
    ({"held_on": "2024-03-05", "minutes": "3"}, "minutes", "greater than or equal to 5"),
    ({"held_on": "05/03/2024", "minutes": "30"}, "held_on", ""),
    ({"held_on": "2024-03-05", "minutes": "lots"}, "minutes", ""),
])
def test_a_bad_buddy_meeting_is_422_naming_the_field(web, bob, form, field, reason):
    app = web.app.extensions["portfolio"].app
    app.assign_buddy(web.ids["wendy"], bob, "2024-03-01")
    refused = web.client("wendy").post("/me/buddy-meetings", data={"buddy_id": str(bob), **form})
    assert refused.status_code == 422 and f'id="e-{field}"' in body(refused) and reason in body(refused)
    assert app.portfolio(web.ids["wendy"]).buddy_meetings == {}


def test_a_buddy_meeting_with_someone_not_assigned_is_refused(web, bob):
    refused = web.client("wendy").post("/me/buddy-meetings", data={"buddy_id": str(bob), "held_on": "2024-03-05",
                                                                   "minutes": "30"})
    assert refused.status_code == 422 and "not assigned as your buddy" in body(refused)


def test_the_learning_mix_on_the_dashboard_and_the_supervision_summary(web, bob):
    app = web.app.extensions["portfolio"].app
    wendy, sam = web.ids["wendy"], web.ids["sam"]
    app.assign_buddy(wendy, bob, "2024-03-01")
    app.record_training(wendy, "Listening", "HEE", "2024-03-02", "2", "face_to_face")
    app.record_supervision(wendy, sam, "2024-03-03", "process", "one_to_one", "in_person", 60, ["caseload"])
    app.record_buddy_meeting(wendy, bob, "2024-03-04", 60, "private words")
    app.add_evidence(wendy, "Observed practice", "observation", "", claims=[])
    summary = body(web.client("sam").get(f"/supervise/workers/{wendy}/summary"))
    for page in (body(web.client("wendy").get("/me")), summary):
        assert "A guide, not a target." in page
        assert '"20% of learning is gained from other people"' in page
        assert "2.0 hours of training (50% of timed learning)" in page
        assert "2.0 hours: 60 minutes of supervision, 60 minutes with a buddy (50% of timed learning)" in page
        assert "1 evidence item" in page and 'value="50"' in page
        assert "private words" not in page
