"""The supervisor reads what was shared, decides in place with the count kept right, and sees when
supervision is due (issue 10). Page and API, on both backends."""

from __future__ import annotations

import re

import pytest

HX = {"HX-Request": "true"}
BODY = "BODYMARKER what happened on the ward"


@pytest.fixture
def h(web, at):
    """A session with sam on 2024-04-05; a reflection shared before it and one shared after; one private."""
    app = web.app.extensions["portfolio"].app
    w, sam = web.ids["wendy"], web.ids["sam"]
    with at("2024-04-01"):
        before = app.write_reflection(w, "free", "EARLYTITLE", BODY, [])
        app.change_exposure(w, "reflection", before, "supervisors")
    with at("2024-04-05"):
        app.record_supervision(w, sam, "2024-04-05", "task", "one_to_one", "in_person", 60, [], "ACTIONMARKER", "n")
    with at("2024-04-10"):
        after = app.write_reflection(w, "free", "LATETITLE", "later", [])
        app.change_exposure(w, "reflection", after, "accreditation")
        private = app.write_reflection(w, "free", "PRIVATETITLE", "mine", [])
    tokens = {name: app.issue_api_token(pid) for name, pid in web.ids.items()}
    return {"app": app, "w": w, "sam": sam, "before": before, "after": after, "private": private, "tokens": tokens}


def page(h, rid):
    return f"/supervise/workers/{h['w']}/reflections/{rid}"


def api_get(web, h, who, rid):
    return web.app.test_client().get(f"/api/v1/workers/{h['w']}/reflections/{rid}",
                                     headers={"Authorization": f"Bearer {h['tokens'][who]}"})


def reads(h):
    return [(r["item_kind"], str(r["item_id"]), r["where"]) for r in h["app"].access_log(h["w"])]


def test_supervisor_reads_a_shared_reflection_in_full_and_it_is_logged(web, h, at):
    with at("2024-05-01"):
        response = web.client("sam").get(page(h, h["before"]))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "EARLYTITLE" in body and BODY in body
    assert ("reflection", str(h["before"]), "shared reflection") in reads(h)


def test_api_reads_a_shared_reflection_and_it_is_logged(web, h, at):
    with at("2024-05-01"):
        response = api_get(web, h, "sam", h["after"])
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["title"] == "LATETITLE" and data["body"] == {"text": "later"} and data["exposure"] == "accreditation"
    assert ("reflection", str(h["after"]), "API shared reflection") in reads(h)


@pytest.mark.parametrize("who", ["sue", "wendy", "ada", "aud"])
def test_nobody_else_reads_it(web, h, at, who):
    with at("2024-05-01"):
        assert web.client(who).get(page(h, h["before"])).status_code == 404
        assert api_get(web, h, who, h["before"]).status_code == 404
    assert reads(h) == []


def test_private_or_unshared_or_unassigned_is_404(web, h, at):
    with at("2024-05-01"):
        sam = web.client("sam")
        assert sam.get(page(h, h["private"])).status_code == 404
        assert api_get(web, h, "sam", h["private"]).status_code == 404
        h["app"].change_exposure(h["w"], "reflection", h["before"], "private")
        assert sam.get(page(h, h["before"])).status_code == 404
        h["app"].end_supervision(h["w"], h["sam"], "2024-04-30")
        assert sam.get(page(h, h["after"])).status_code == 404
        assert api_get(web, h, "sam", h["after"]).status_code == 404
    assert reads(h) == []


def test_summary_lists_what_is_shared_even_before_the_last_session_with_links(web, h, at):
    with at("2024-05-01"):
        body = web.client("sam").get(f"/supervise/workers/{h['w']}/summary").get_data(as_text=True)
        api = web.app.test_client().get(f"/api/v1/workers/{h['w']}/summary",
                                        headers={"Authorization": f"Bearer {h['tokens']['sam']}"}).get_json()
    assert f'href="{page(h, h["before"])}">EARLYTITLE</a>' in body
    assert f'href="{page(h, h["after"])}">LATETITLE</a>' in body
    assert body.index("LATETITLE") < body.index("EARLYTITLE")  # newest first
    assert "PRIVATETITLE" not in body and "ACTIONMARKER" in body
    assert {r["title"] for r in api["shared_reflections"]} == {"EARLYTITLE", "LATETITLE"}


def test_summary_names_missing_levels_per_competence(web, h, at):
    with at("2024-05-01"):
        body = web.client("sam").get(f"/supervise/workers/{h['w']}/summary").get_data(as_text=True)
    table = re.search(r'<table class="missing">.*?</table>', body, re.S).group(0)
    assert re.search(r'<th scope="row">REL-1 [^<]+</th><td>Basic</td>', table)
    assert "11 levels in 11 competences" in body


def test_decision_in_place_sends_the_new_queue_count_out_of_band(web, h, at):
    app, w = h["app"], h["w"]
    with at("2024-04-20"):
        ids = []
        for competence in ("REL-1", "REL-2"):
            ev = app.add_evidence(w, "Notes", "reflection", "", [(competence, "Basic")])
            ids.append(app.request_sign_off(w, competence, ["Basic"], [ev]))
    with at("2024-05-01"):
        sam = web.client("sam")
        assert '<p id="queue-count" role="status">2 open requests.</p>' in sam.get("/supervise").get_data(as_text=True)
        url = f"/supervise/workers/{w}/requests/{ids[0]}/decision"
        body = sam.post(url, data={"decision": "approve"}, headers=HX).get_data(as_text=True)
        plain = sam.post(f"/supervise/workers/{w}/requests/{ids[1]}/decision", data={"decision": "approve"})
    assert '<p id="queue-count" hx-swap-oob="true" role="status">1 open request.</p>' in body
    assert body.count('id="queue-count"') == 1
    assert plain.status_code == 302  # without htmx: the redirect, nothing out of band


@pytest.mark.parametrize("today, text", [
    ("2024-05-01", 'Due on <time datetime="2024-05-03">2024-05-03</time>'),
    ("2024-05-04", 'Overdue since <time datetime="2024-05-03">2024-05-03</time>'),
])
def test_supervisees_page_says_when_supervision_is_due(web, h, at, today, text):
    with at(today):
        people = web.client("sam").get("/supervise/supervisees").get_data(as_text=True)
        summary = web.client("sam").get(f"/supervise/workers/{h['w']}/summary").get_data(as_text=True)
    assert text in people and text in summary and "every 28 days" in people


def test_supervisee_without_a_session_is_due_now(web, at):
    with at("2024-05-01"):
        people = web.client("sam").get("/supervise/supervisees").get_data(as_text=True)
    assert "Due now (none recorded)" in people
