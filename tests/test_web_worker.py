"""The peer worker's pages, with and without htmx, on both backends."""

from __future__ import annotations

import io
import re

import pytest

MARKER = "MARKERPRIVATEWORDS"


@pytest.fixture
def history(web, at):
    app = web.app.extensions["portfolio"].app
    w, sam = web.ids["wendy"], web.ids["sam"]
    with at("2024-04-01"):
        ev = app.add_evidence(w, "Notes on equality", "reflection", "", [("REL-1", "Basic")])
        app.approve_sign_off(w, app.request_sign_off(w, "REL-1", "Basic", [ev]), sam)
        ev2 = app.add_evidence(w, "Practice record", "work_product", "", [("REL-2", "Basic")])
        returned = app.request_sign_off(w, "REL-2", "Basic", [ev2])
        app.return_sign_off(w, returned, sam, "Please add an example from practice.")
        rid = app.write_reflection(w, "free", f"Title {MARKER}", f"Body {MARKER}", [])
    return {"app": app, "reflection": rid, "evidence": ev2}


def errors_of(response) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)<', response.get_data(as_text=True))


@pytest.mark.parametrize("url, text", [
    ("/me", "Competency matrix"),
    ("/me/timeline", "Timeline"),
    ("/me/training/new", "Record training"),
    ("/me/reflections/new", "Write a reflection"),
    ("/me/reflections/new?template=grow", "What are the outcomes that you wish to achieve?"),
    ("/me/evidence/new", "Add evidence"),
    ("/me/sign-off/new", "Ask for a sign-off"),
])
def test_pages_render_in_full(web, history, url, text):
    response = web.client("wendy").get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith("<!doctype html>") and text in body


@pytest.mark.parametrize("url, text", [
    ("/me", 'id="matrix-h"'),
    ("/me/timeline?page=1", "Reflection written"),
    ("/me/reflections/new?template=learning_cycle", "Planning"),
])
def test_htmx_gets_fragments(web, history, url, text):
    response = web.client("wendy").get(url, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and text in body


def test_dashboard_shows_matrix_stage_and_feedback(web, history, at):
    with at("2024-04-02"):
        body = web.client("wendy").get("/me").get_data(as_text=True)
    cell = re.search(r'<td class="state-signed"[^>]*>\s*<strong>Signed</strong>', body)
    assert cell, "REL-1 Basic shows as signed, in words"
    assert body.count('class="state-returned"') == 1 and "Please add an example from practice." in body
    assert "Essential" in body  # expected level of use


def test_as_of_shows_the_past(web, history, at):
    with at("2024-04-02"):
        past = web.client("wendy").get("/me?as_of=2024-03-01").get_data(as_text=True)
        bad = web.client("wendy").get("/me?as_of=yesterday")
    assert "as it stood on 2024-03-01" in past and 'class="state-signed"' not in past
    assert bad.status_code == 422 and "as_of: Not a valid date." in bad.get_data(as_text=True)


def test_write_reflection_private_by_default(web, history):
    client = web.client("wendy")
    response = client.post("/me/reflections/new", data={"template": "grow", "title": "Goal work", "body_G": "g",
                                                         "save": "1"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only you" in page and "Change who can read it" in page
    shared = client.post("/me/reflections/new", data={"template": "free", "title": "Shared one", "body_text": "t",
                                                       "save": "1", "share": "supervisors"})
    assert "you and your current supervisor" in client.get(shared.headers["Location"]).get_data(as_text=True)


def test_reflection_form_errors_sit_next_to_fields(web, history):
    response = web.client("wendy").post("/me/reflections/new", data={"template": "grow", "save": "1"})
    assert response.status_code == 422
    assert errors_of(response) == ["Missing data for required field.", "write something in at least one section"]


def test_training_form(web, history):
    client = web.client("wendy")
    ok = client.post("/me/training/new", data={"title": "Stigma", "provider": "College", "held_on": "2024-03-01",
                                               "hours": "6", "delivery": "online", "elements": ["TE-9"],
                                               "rating_RELEVANCE": "5"}, follow_redirects=True)
    assert "should not take more than 4 hours" in ok.get_data(as_text=True)
    bad = client.post("/me/training/new", data={"title": "X", "provider": "Y", "held_on": "2024-03-01",
                                                "hours": "2", "delivery": "online", "accredited": "yes"})
    assert bad.status_code == 422 and "name the body that accredited the programme" in errors_of(bad)


def test_evidence_upload_and_download(web, history):
    client = web.client("wendy")
    response = client.post("/me/evidence/new", data={
        "title": "Certificate", "kind": "training_record", "claims": ["REL-3:Basic"],
        "file": (io.BytesIO(b"%PDF-1.4 certificate"), "cert.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    app = history["app"]
    eid = next(k for k, e in app.portfolio(web.ids["wendy"]).evidence.items()
               if app.read_text(web.ids["wendy"], e["title_sealed"]) == "Certificate")
    download = client.get(f"/me/evidence/{eid}/file")
    assert download.data == b"%PDF-1.4 certificate" and "cert.pdf" in download.headers["Content-Disposition"]
    bad = client.post("/me/evidence/new", data={
        "title": "Fake", "kind": "other", "file": (io.BytesIO(b"not a pdf"), "x.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "content does not look like application/pdf" in errors_of(bad)


def test_request_and_withdraw_sign_off(web, history):
    client = web.client("wendy")
    ev = str(history["evidence"])
    refused = client.post("/me/sign-off/new", data={"competence": "REL-1", "levels": ["Advanced"],
                                                     "evidence_ids": [ev]})
    assert refused.status_code == 422 and any("needs Intermediate signed off first" in e for e in errors_of(refused))
    ok = client.post("/me/sign-off/new", data={"competence": "REL-2", "levels": ["Basic"], "evidence_ids": [ev]})
    assert ok.status_code == 302
    app = history["app"]
    pf = app.portfolio(web.ids["wendy"])
    rid = next(k for k, r in pf.requests.items() if r["status"] == "open")
    assert pf.evidence[ev]["exposure"] == "supervisors"  # choosing evidence for a request shares it
    assert client.post(f"/me/sign-off/{rid}/withdraw").status_code == 302
    assert client.post(f"/me/sign-off/{rid}/withdraw").status_code == 409  # already withdrawn


def test_other_people_get_404_or_login(web, history):
    rid = history["reflection"]
    for name in ("sam", "ada", "aud"):
        client = web.client(name)
        assert client.get("/me").status_code == 404
        assert client.get(f"/me/reflections/{rid}").status_code == 404
    anonymous = web.client().get("/me")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_login_logout_and_bad_password(web):
    client = web.client()
    bad = client.post("/login", data={"username": "wendy", "password": "wrong password"})
    assert bad.status_code == 422 and "do not match an account" in bad.get_data(as_text=True)
    nobody = client.post("/login", data={"username": "nobody", "password": "wrong password"})
    assert nobody.status_code == 422
    client = web.client("wendy")
    assert client.get("/me").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/me").status_code == 302


def test_session_cookie_flags(web):
    response = web.client().post("/login", data={"username": "wendy", "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_privacy_pages(web, history, at):
    app, w, sam = history["app"], web.ids["wendy"], web.ids["sam"]
    rid = history["reflection"]
    with at("2024-04-05"):
        app.change_exposure(w, "reflection", rid, "supervisors")
        app.record_read(w, app.person(sam), "reflection", rid, "supervision summary")
        story = app.write_reflection(w, "free", "A friend's story", "told", [], others_story=True)
    client = web.client("wendy")
    page = client.get("/me/privacy").get_data(as_text=True)
    assert "Sam Supervisor" in page and "supervision summary" in page and "permission not yet recorded" in page
    assert client.post(f"/me/reflection/{story}/exposure", data={"tier": "supervisors"}).status_code == 422
    assert client.post(f"/me/reflection/{story}/permission").status_code == 302
    assert client.post(f"/me/reflection/{story}/exposure", data={"tier": "supervisors"}).status_code == 302
    history_page = client.get(f"/me/reflection/{rid}/exposure?as_of=2024-04-02").get_data(as_text=True)
    assert "private from" in history_page and "supervisors from" in history_page and "On 2024-04-02" in history_page
    fragment = client.get(f"/me/reflection/{rid}/exposure?as_of=2024-04-06", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "Sam Supervisor" in fragment.get_data(as_text=True)
    data = client.get("/me/subject-access.json").get_json()
    assert data["person"]["name"] == "Wendy Worker" and data["access_log"]
    assert MARKER in client.get("/me/subject-access.html").get_data(as_text=True)
    for name in ("sam", "ada", "aud"):
        assert web.client(name).get("/me/subject-access.json").status_code == 404
