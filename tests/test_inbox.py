"""The inbox: who hears of what, unread counts in the navigation, read marks; no private text."""

from __future__ import annotations

import re
from datetime import date

import pytest

TITLE = "TITLEMARKER my evidence"
DESCRIPTION = "DESCMARKER what I did"
FEEDBACK = "FEEDBACKMARKER please add more"
REASON = "REASONMARKER it was wrong"
REFLECTION = "REFLECTIONMARKER private thoughts"


def badge(html: str) -> int:
    m = re.search(r'id="nav-inbox">Inbox(?: <span class="badge">(\d+))?', html)
    assert m, "no inbox link in the navigation"
    return int(m.group(1) or 0)


@pytest.fixture
def story(web, at):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    with at("2024-04-01"):
        app.write_reflection(w, "free", REFLECTION, "body", [])
        ev = app.add_evidence(w, TITLE, "reflection", DESCRIPTION, [("REL-1", "Basic")])
        req = app.request_sign_off(w, "REL-1", "Basic", [ev])
    return {"app": app, "w": w, "ev": ev, "req": req}


def test_a_request_reaches_the_assigned_supervisor_only(web, story, at):
    with at("2024-04-02"):
        sam, sue = web.client("sam"), web.client("sue")
        assert badge(sam.get("/supervise").get_data(as_text=True)) == 1
        assert badge(sue.get("/supervise").get_data(as_text=True)) == 0
        page = sam.get("/inbox").get_data(as_text=True)
        assert "Wendy Worker asked for sign-off of REL-1 (Basic)" in page, re.search(r"<ul class=\"inbox\">.*?</ul>", page, re.S).group(0)
        assert f'href="/supervise#req-{story["req"]}"' in page
        assert "Nothing yet." in sue.get("/inbox").get_data(as_text=True)


def test_decisions_reach_the_worker_and_marks_hold(web, story, at):
    app, w, sam = story["app"], story["w"], web.ids["sam"]
    with at("2024-04-03"):
        app.return_sign_off(w, story["req"], sam, FEEDBACK)
        req2 = app.request_sign_off(w, "REL-1", "Basic", [story["ev"]])
        app.approve_sign_off(w, req2, sam)
        app.revoke_sign_off(w, req2, web.ids["ada"], REASON)
        wendy = web.client("wendy")
        assert badge(wendy.get("/me").get_data(as_text=True)) == 3
        page = wendy.get("/inbox").get_data(as_text=True)
        for text in ("returned your sign-off request for REL-1", "approved your sign-off of REL-1",
                     "revoked your sign-off of REL-1"):
            assert text in page
        one = re.search(r'name="notification_id" value="([^"]+)"', page).group(1)
        assert wendy.post("/inbox/read", data={"notification_id": one}).status_code == 303
        assert badge(wendy.get("/inbox").get_data(as_text=True)) == 2
        fragment = wendy.post("/inbox/read", data={"all": "1"}, headers={"HX-Request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
        assert "0 unread" in fragment.get_data(as_text=True)
        assert badge(wendy.get("/inbox").get_data(as_text=True)) == 0
        # someone else's notification cannot be marked by another person
        sam_client = web.client("sam")
        sam_page = sam_client.get("/inbox").get_data(as_text=True)
        theirs = re.search(r'name="notification_id" value="([^"]+)"', sam_page).group(1)
        wendy.post("/inbox/read", data={"notification_id": theirs})
        assert badge(sam_client.get("/inbox").get_data(as_text=True)) == 2  # two requests, both unread


def test_rebuild_keeps_read_marks(web, story, at):
    runtime = web.app.extensions["portfolio"]
    with at("2024-04-02"):
        sam = web.client("sam")
        sam.post("/inbox/read", data={"all": "1"})
        runtime.projector.rebuild("notifications")
        assert badge(sam.get("/inbox").get_data(as_text=True)) == 0
        assert "asked for sign-off of REL-1" in sam.get("/inbox").get_data(as_text=True)


def test_a_level_of_use_coming_due_reaches_the_worker_and_supervisor_once(web, at):
    # wendy started on 2023-01-02 with 90 days of induction: Essential is due on 2023-04-02. Nothing says
    # so until the daily step records the notice; then the worker and sam (not sue) hear of it, once.
    from portfolio.levels_due import record_notices

    runtime = web.app.extensions["portfolio"]
    with at("2023-02-01"):
        assert badge(web.client("wendy").get("/me").get_data(as_text=True)) == 0
        assert record_notices(runtime.app, runtime.read_models(), date(2023, 2, 1)) == (1, 0)
        assert record_notices(runtime.app, runtime.read_models(), date(2023, 2, 1)) == (0, 1)
        wendy, sam = web.client("wendy"), web.client("sam")
        page = wendy.get("/inbox").get_data(as_text=True)
        assert "Essential (Basic) due on 2 April 2023: 11 levels still missing" in page and badge(page) == 1
        sam_page = sam.get("/inbox").get_data(as_text=True)
        assert "Wendy Worker: Essential (Basic) due on 2 April 2023: 11 levels still missing" in sam_page
        assert f'href="/supervise/workers/{web.ids["wendy"]}/summary"' in sam_page and badge(sam_page) == 1
        assert badge(web.client("sue").get("/inbox").get_data(as_text=True)) == 0
        wendy.post("/inbox/read", data={"all": "1"})
        assert badge(wendy.get("/inbox").get_data(as_text=True)) == 0
    with at("2023-04-05"):  # overdue now, but the same stage and due date: no second notice
        record_notices(runtime.app, runtime.read_models(), date(2023, 4, 5))
        assert badge(web.client("wendy").get("/inbox").get_data(as_text=True)) == 0
        runtime.projector.rebuild("notifications")  # the inbox is a projection of the log
        assert badge(web.client("sam").get("/inbox").get_data(as_text=True)) == 1


def test_no_private_text_in_any_inbox(web, story, at):
    app, w, sam = story["app"], story["w"], web.ids["sam"]
    with at("2024-04-03"):
        app.return_sign_off(w, story["req"], sam, FEEDBACK)
        for who in ("wendy", "sam", "sue", "ada", "aud"):
            client = web.client(who)
            for page in (client.get("/inbox"), client.get("/inbox", headers={"HX-Request": "true"})):
                body = page.get_data(as_text=True)
                for marker in ("TITLEMARKER", "DESCMARKER", "FEEDBACKMARKER", "REFLECTIONMARKER"):
                    assert marker not in body, (who, marker)


def test_bad_mark_read_is_422_and_anonymous_goes_to_login(web):
    assert web.client("wendy").post("/inbox/read", data={}).status_code == 422
    assert web.client(None).get("/inbox").status_code == 302
