"""The supervisor's pages, with and without htmx, on both backends."""

from __future__ import annotations

import re

import pytest

DESCRIPTION = "DESCMARKER what I did"
ACTIONS = "ACTIONMARKER call the crisis team"
SHARED = "SHAREDMARKER title"
PRIVATE = "PRIVATEMARKER title"
GOAL = "GOALMARKER text"
HX = {"HX-Request": "true"}
TODAY = "2024-05-01"


@pytest.fixture
def h(web, at):
    """Wendy asks for two sign-offs, has a session with sam, one shared and one private reflection, a goal."""
    app = web.app.extensions["portfolio"].app
    w, sam = web.ids["wendy"], web.ids["sam"]
    with at("2024-04-01"):
        ev1 = app.add_evidence(w, "Equality notes", "reflection", DESCRIPTION, [("REL-1", "Basic")],
                               ("notes.txt", "text/plain", b"the file body"))
        req1 = app.request_sign_off(w, "REL-1", "Basic", [ev1])
    with at("2024-04-10"):
        ev2 = app.add_evidence(w, "Practice record", "work_product", "", [("REL-2", "Basic")])
        req2 = app.request_sign_off(w, "REL-2", ["Basic"], [ev2])
        loose = app.add_evidence(w, "Not attached", "work_product", "", [],
                                 ("mine.txt", "text/plain", b"private file"))
        app.record_supervision(w, sam, "2024-04-05", "task", "one_to_one", "in_person", 60, ["boundaries"],
                               ACTIONS, "notes")
        shared = app.write_reflection(w, "free", SHARED, "body", [])
        app.change_exposure(w, "reflection", shared, "supervisors")
        app.write_reflection(w, "free", PRIVATE, "body", [])
        app.set_goal(w, GOAL, ["REL-1"], "2024-05-10")
    return {"app": app, "w": w, "sam": sam, "ev1": ev1, "req1": req1, "req2": req2, "loose": loose}


def decision_url(h, rid=None):
    return f"/supervise/workers/{h['w']}/requests/{rid or h['req1']}/decision"


def status_of(h, rid=None):
    return h["app"].portfolio(h["w"]).requests[str(rid or h["req1"])]["status"]


def pages(h):
    w = h["w"]
    return {"queue": "/supervise", "supervisees": "/supervise/supervisees",
            "summary": f"/supervise/workers/{w}/summary", "new": f"/supervise/workers/{w}/supervision/new"}


@pytest.mark.parametrize("page, text", [
    ("queue", "Can describe the concept of equality and its importance in peer support relationships."),
    ("supervisees", "Wendy Worker"),
    ("summary", "Supervision summary: Wendy Worker"),
    ("new", "Record a supervision session with Wendy Worker"),
])
def test_pages_render_in_full(web, h, at, page, text):
    with at(TODAY):
        response = web.client("sam").get(pages(h)[page])
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith("<!doctype html>") and text in body
    assert "supervisor.css" in body and 'name="htmx-config"' in body
    assert "<script>" not in body and " style=" not in body


@pytest.mark.parametrize("page, text", [
    ("queue", 'id="req-'), ("supervisees", '<th scope="row">'), ("summary", "Sessions in the last 90 days"),
    ("new", 'id="supervision-form"'),
])
def test_htmx_gets_fragments(web, h, at, page, text):
    with at(TODAY):
        response = web.client("sam").get(pages(h)[page], headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and text in body


def test_queue_oldest_first_with_evidence_inline(web, h, at):
    with at(TODAY):
        body = web.client("sam").get("/supervise").get_data(as_text=True)
    assert body.index(f'id="req-{h["req1"]}"') < body.index(f'id="req-{h["req2"]}"')
    assert "2 open requests" in body and "30 days ago" in body and "21 days ago" in body
    assert "Equality notes" in body and DESCRIPTION in body and "(reflection)" in body
    assert f"/supervise/workers/{h['w']}/evidence/{h['ev1']}/file" in body
    assert f'hx-post="{decision_url(h)}"' in body and f'hx-target="#req-{h["req1"]}"' in body
    assert 'hx-swap="outerHTML"' in body


def test_evidence_download_only_attached_and_only_to_current_supervisor(web, h, at):
    url = f"/supervise/workers/{h['w']}/evidence/{h['ev1']}/file"
    with at(TODAY):
        response = web.client("sam").get(url)
        assert response.status_code == 200 and response.data == b"the file body"
        assert "notes.txt" in response.headers["Content-Disposition"]
        assert web.client("sam").get(f"/supervise/workers/{h['w']}/evidence/{h['loose']}/file").status_code == 404
        assert web.client("sue").get(url).status_code == 404
        assert web.client("wendy").get(url).status_code == 404


@pytest.mark.parametrize("decision, feedback, label, state", [
    ("approve", "", "Approved", "approved"),
    ("return", "Add an example from practice.", "Returned with feedback", "returned"),
])
def test_decide_in_place_with_htmx(web, h, at, decision, feedback, label, state):
    with at(TODAY):
        client = web.client("sam")
        response = client.post(decision_url(h), data={"decision": decision, "feedback": feedback}, headers=HX)
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in body
        assert body.lstrip().startswith(f'<article class="request-card status-{state}" id="req-{h["req1"]}"')
        assert f"<strong>{label}</strong> by you on 2024-05-01" in body and "<form" not in body
        assert status_of(h) == state
        queue = client.get("/supervise").get_data(as_text=True)
    assert f'id="req-{h["req1"]}"' not in queue and "1 open request." in queue


@pytest.mark.parametrize("decision, feedback, flashed, state", [
    ("approve", "", "Approved.", "approved"),
    ("return", "Add an example from practice.", "Returned with feedback.", "returned"),
])
def test_decide_with_plain_form_redirects_with_a_message(web, h, at, decision, feedback, flashed, state):
    with at(TODAY):
        client = web.client("sam")
        response = client.post(decision_url(h), data={"decision": decision, "feedback": feedback})
        assert response.status_code == 302 and response.headers["Location"].endswith("/supervise")
        body = client.get("/supervise").get_data(as_text=True)
    assert f"REL-1 at Basic for Wendy Worker: {flashed}" in body and status_of(h) == state


@pytest.mark.parametrize("headers", [HX, {}])
def test_return_without_feedback_shows_the_error_at_the_field(web, h, at, headers):
    with at(TODAY):
        response = web.client("sam").post(decision_url(h), data={"decision": "return", "feedback": "  "},
                                          headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == (200 if headers else 422)  # htmx: the refusal is the card's new state
    assert re.search(rf'<p class="error" id="fbe-{h["req1"]}">Feedback: say what the worker should add or change',
                     body)
    assert f'aria-describedby="fbe-{h["req1"]} fbh-{h["req1"]}" aria-invalid="true"' in body
    assert ("<html" in body) == (not headers) and status_of(h) == "open"


def test_unknown_decision_is_refused(web, h, at):
    with at(TODAY):
        response = web.client("sam").post(decision_url(h), data={"decision": "maybe"}, headers=HX)
    assert response.status_code == 200 and "Decision: Must be one of" in response.get_data(as_text=True)
    with at(TODAY):
        response = web.client("sam").post(decision_url(h), data={"decision": "maybe"})
    assert response.status_code == 422 and status_of(h) == "open"


@pytest.mark.parametrize("headers", [HX, {}])
def test_second_decision_meets_a_conflict(web, h, at, headers):
    app = h["app"]
    with at("2024-04-20"):
        sol = app.register_person("sol", "Sol Second", ["supervisor"], "2024-04-20")
        app.assign_supervisor(h["w"], sol, "2024-04-20")
        app.return_sign_off(h["w"], h["req1"], sol, "Needs more.")
    with at(TODAY):
        response = web.client("sam").post(decision_url(h), data={"decision": "approve"}, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == (200 if headers else 409) and ("<html" in body) == (not headers)
    assert "already decided by Sol Second on 2024-04-20: Returned with feedback." in body
    assert "Your decision was not recorded." in body and status_of(h) == "returned"


def test_deciding_twice_shows_the_conflict(web, h, at):
    with at(TODAY):
        client = web.client("sam")
        assert client.post(decision_url(h), data={"decision": "approve"}, headers=HX).status_code == 200
        in_place = client.post(decision_url(h), data={"decision": "return", "feedback": "x"}, headers=HX)
        plain = client.post(decision_url(h), data={"decision": "return", "feedback": "x"})
    for response, status in ((in_place, 200), (plain, 409)):
        body = response.get_data(as_text=True)
        assert response.status_code == status and "already decided by you" in body and 'role="alert"' in body
    assert status_of(h) == "approved"


def test_unassigned_supervisor_sees_nothing_of_wendy(web, h, at):
    w = h["w"]
    with at(TODAY):
        sue = web.client("sue")
        for url in (f"/supervise/workers/{w}/summary", f"/supervise/workers/{w}/supervision/new",
                    f"/supervise/workers/{w}/evidence/{h['ev1']}/file"):
            assert sue.get(url).status_code == 404, url
        assert sue.post(decision_url(h), data={"decision": "approve"}).status_code == 404
        assert sue.post(decision_url(h), data={"decision": "approve"}, headers=HX).status_code == 404
        assert sue.post(f"/supervise/workers/{w}/requests/{h['req1']}/revoke", data={"reason": "x"}).status_code == 404
        queue = sue.get("/supervise").get_data(as_text=True)
        people = sue.get("/supervise/supervisees").get_data(as_text=True)
    assert "Equality notes" not in queue and "No open sign-off requests" in queue
    assert "Wendy" not in people.replace("wendy", "") and status_of(h) == "open"


@pytest.mark.parametrize("who", ["wendy", "ada", "aud"])
def test_other_roles_get_404(web, h, at, who):
    with at(TODAY):
        client = web.client(who)
        for url in pages(h).values():
            assert client.get(url).status_code == 404, url
        assert client.post(decision_url(h), data={"decision": "approve"}).status_code == 404
    assert status_of(h) == "open"


def test_anonymous_is_sent_to_log_in(web, h):
    response = web.client().get("/supervise")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ended_assignment_hides_the_worker(web, h, at):
    with at("2024-04-20"):
        h["app"].end_supervision(h["w"], h["sam"], "2024-04-30")
    with at(TODAY):
        sam = web.client("sam")
        assert sam.get(f"/supervise/workers/{h['w']}/summary").status_code == 404
        assert sam.post(decision_url(h), data={"decision": "approve"}).status_code == 404
        assert "Equality notes" not in sam.get("/supervise").get_data(as_text=True)


def test_unknown_or_foreign_request_is_404(web, h, at):
    with at(TODAY):
        sam = web.client("sam")
        url = f"/supervise/workers/{h['w']}/requests/{h['ev1']}/decision"
        assert sam.post(url, data={"decision": "approve"}).status_code == 404
        assert sam.post(f"/supervise/workers/{h['sam']}/requests/{h['req1']}/decision",
                        data={"decision": "approve"}).status_code == 404


def test_private_reflection_never_shown_shared_one_is(web, h, at):
    with at(TODAY):
        sam = web.client("sam")
        bodies = [sam.get(url, headers=hd).get_data(as_text=True) for url in pages(h).values() for hd in (HX, {})]
    assert not any("PRIVATEMARKER" in b for b in bodies)
    assert any(SHARED in b for b in bodies)


def test_summary_shows_sessions_actions_goals_and_stage(web, h, at):
    with at(TODAY):
        body = web.client("sam").get(f"/supervise/workers/{h['w']}/summary").get_data(as_text=True)
    assert '<time datetime="2024-04-05">2024-04-05</time>\n      (26 days ago)' in body
    assert "<dt>Sessions in the last 90 days</dt><dd>1</dd>" in body and ACTIONS in body
    assert SHARED in body and "Waiting for a decision" in body
    assert "2024-05-10" in body and "REL-1" in body and "GOALMARKER" not in body
    assert "Missing for the expected stage" in body and "Print" in body and "@media" not in body


def test_record_supervision(web, h, at):
    url = f"/supervise/workers/{h['w']}/supervision/new"
    form = {"held_on": "2024-04-30", "orientation": "process", "format": "one_to_one", "mode": "video",
            "minutes": "45", "topics": "self-care, boundaries", "agreed_actions": "NEWACTION", "notes": "n"}
    with at(TODAY):
        sam = web.client("sam")
        response = sam.post(url, data=form)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/workers/{h['w']}/summary")
        body = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "Supervision session of 2024-04-30 recorded." in body and "NEWACTION" in body
    sessions = h["app"].portfolio(h["w"]).supervisions.values()
    assert any(h["app"].topics(h["w"], s["topics_sealed"]) == ["self-care", "boundaries"] and s["minutes"] == 45
               for s in sessions)


@pytest.mark.parametrize("change, field, message", [
    ({"minutes": ""}, "minutes", "Missing data for required field."),
    ({"minutes": "2"}, "minutes", "Must be greater than or equal to 5"),
    ({"held_on": "2024-06-01"}, "held_on", "cannot be recorded in the future"),
    ({"topics": "x" * 61}, "topics", "each topic can be at most 60 characters"),
    ({"mode": "carrier pigeon"}, "mode", "Must be one of"),
])
def test_supervision_form_errors_next_to_fields(web, h, at, change, field, message):
    form = {"held_on": "2024-04-30", "orientation": "task", "format": "one_to_one", "mode": "phone",
            "minutes": "30", **change}
    with at(TODAY):
        response = web.client("sam").post(f"/supervise/workers/{h['w']}/supervision/new", data=form, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert re.search(rf'<p class="error" id="e-{field}">[^<]*{re.escape(message)}', body), body


def test_revoke_an_approved_sign_off(web, h, at):
    url = f"/supervise/workers/{h['w']}/requests/{h['req1']}/revoke"
    with at("2024-04-20"):
        h["app"].approve_sign_off(h["w"], h["req1"], h["sam"])
    with at(TODAY):
        sam = web.client("sam")
        assert "Revoke this sign-off" in sam.get(f"/supervise/workers/{h['w']}/summary").get_data(as_text=True)
        response = sam.post(url, data={"reason": ""})
        assert response.status_code == 422 and f'id="rve-{h["req1"]}"' in response.get_data(as_text=True)
        response = sam.post(url, data={"reason": "Approved by mistake."})
        assert response.status_code == 302 and status_of(h) == "revoked"
        assert sam.post(url, data={"reason": "again"}).status_code == 409


def test_print_stylesheet_and_htmx_config(web, h, at):
    import html
    import json

    css = web.client().get("/static/supervisor.css").get_data(as_text=True)
    assert "@media print" in css and "form" in css.split("@media print")[1]
    with at(TODAY):
        body = web.client("sam").get("/supervise").get_data(as_text=True)
    config = json.loads(html.unescape(re.search(r'name="htmx-config" content=\'([^\']+)\'', body).group(1)))
    swapped = {rule["code"] for rule in config["responseHandling"] if rule["swap"]}
    assert "4.." in swapped and "style" not in config["attributesToSettle"]


def test_reads_by_the_supervisor_go_into_the_workers_access_log(web, at):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    with at("2024-05-01"):
        rid = app.write_reflection(w, "free", "Shared thoughts", "body", [])
        app.change_exposure(w, "reflection", rid, "supervisors")
        ev = app.add_evidence(w, "Practice notes", "work_product", "what I did", [("REL-1", "Basic")])
        app.request_sign_off(w, "REL-1", "Basic", [ev])
        sam = web.client("sam")
        assert sam.get("/supervise").status_code == 200
        assert sam.get(f"/supervise/workers/{w}/summary").status_code == 200
    log = [(r["item_kind"], str(r["item_id"]), r["where"]) for r in app.access_log(w)]
    assert ("evidence", str(ev), "sign-off queue") in log
    assert ("reflection", str(rid), "supervision summary") in log
    assert {r["reader_id"] for r in app.access_log(w)} == {web.ids["sam"]}
