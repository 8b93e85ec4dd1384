"""The worker's lists (filters and paging in the database), a reflection's versions and amendments,
withdrawing evidence, and the sign-off form's evidence order; on both backends."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def items(web, at):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    ids = {}
    with at("2024-03-01"):
        ids["grow"] = app.write_reflection(w, "grow", "Goal work", {"G": "Run a group.", "W": "Book a room."},
                                           ["REL-1"])
    with at("2024-05-01T09:00"):
        ids["free"] = app.write_reflection(w, "free", "Hard day", "It was hard.", ["REL-2"])
        ids["ev1"] = app.add_evidence(w, "Group notes", "work_product", "", [("REL-1", "Basic")])
    with at("2024-05-01T10:00"):
        ids["shared"] = app.write_reflection(w, "free", "Shared one", "Told sam.", ["REL-1"])
        app.change_exposure(w, "reflection", ids["shared"], "supervisors")
        ids["ev2"] = app.add_evidence(w, "Course record", "reflection", "", [("REL-2", "Intermediate")])
    with at("2024-05-01T11:00"):
        ids["ev3"] = app.add_evidence(w, "Newest, no claim on REL-1", "reflection", "", [("REL-3", "Basic")])
    return ids


def titles(response) -> list[str]:
    """The titles in the list's table, in order."""
    body = response.get_data(as_text=True)
    rows = re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td>\s*<td>(.*?)</td>", body, re.S)
    return [re.sub(r"<[^>]+>", "", r.split("<br>")[0]).strip() for r in rows]  # less the competences line


def test_reflections_filtered_in_the_database(web, items):
    client = web.client("wendy")
    assert titles(client.get("/me/reflections")) == ["Shared one", "Hard day", "Goal work"]
    assert titles(client.get("/me/reflections?competence=REL-1")) == ["Shared one", "Goal work"]
    assert titles(client.get("/me/reflections?template=grow")) == ["Goal work"]
    assert titles(client.get("/me/reflections?tier=supervisors")) == ["Shared one"]
    assert titles(client.get("/me/reflections?start=2024-04-01&end=2024-12-31")) == ["Shared one", "Hard day"]
    assert titles(client.get("/me/reflections?end=2024-03-31")) == ["Goal work"]


def test_evidence_filtered_by_competence_and_level(web, items):
    client = web.client("wendy")
    assert titles(client.get("/me/evidence?competence=REL-1")) == ["Group notes"]
    assert titles(client.get("/me/evidence?level=Intermediate")) == ["Course record"]
    assert titles(client.get("/me/evidence?competence=REL-2&level=Basic")) == []


@pytest.mark.parametrize("query, field", [("competence=NOPE-9", "competence"), ("level=Expert", "level"),
                                          ("tier=public", "tier"), ("start=2024-13-01", "start"),
                                          ("start=2024-05-01&end=2024-01-01", "end"), ("page=0", "page")])
def test_bad_filters_answer_422_naming_the_field(web, items, query, field):
    response = web.client("wendy").get(f"/me/evidence?{query}")
    assert response.status_code == 422
    assert re.search(rf'class="error" role="alert" id="e-{field}">{field}: ', response.get_data(as_text=True))


def test_a_filter_the_list_does_not_have_is_refused(web, items):
    response = web.client("wendy").get("/me/training?tier=private")
    assert response.status_code == 422 and "tier: is not a filter of my training" in response.get_data(as_text=True)


def test_lists_page_by_25_with_previous_and_next(web, at):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    with at("2024-06-01"):
        for n in range(27):
            app.set_goal(w, f"Goal number {n:02d}", [], None)
    client = web.client("wendy")
    first = client.get("/me/goals")
    body = first.get_data(as_text=True)
    assert len(titles(first)) == 25 and "page 1 of 2" in body and 'rel="next"' in body and 'rel="prev"' not in body
    second = client.get("/me/goals?page=2")
    assert len(titles(second)) == 2 and 'rel="prev"' in second.get_data(as_text=True)
    assert set(titles(first)) | set(titles(second)) == {f"Goal number {n:02d}" for n in range(27)}
    fragment = client.get("/me/goals?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Goal number" in fragment


@pytest.mark.parametrize("kind, text", [("training", "My training"), ("supervision", "My supervision"),
                                        ("goals", "My goals"), ("evidence", "My evidence")])
def test_every_list_renders(web, items, kind, text):
    response = web.client("wendy").get(f"/me/{kind}")
    assert response.status_code == 200 and f"<h1>{text}</h1>" in response.get_data(as_text=True)


def test_grow_sections_show_their_names(web, items):
    body = web.client("wendy").get(f"/me/reflections/{items['grow']}").get_data(as_text=True)
    assert "<h3>Goal</h3>" in body and "<h3>Will</h3>" in body and "<h3>G</h3>" not in body


def test_amend_keeps_every_version_viewable(web, items, at):
    client = web.client("wendy")
    rid = items["grow"]
    form = client.get(f"/me/reflections/{rid}/amend").get_data(as_text=True)
    assert "Run a group." in form and 'value="Goal work"' in form
    with at("2024-07-01"):
        response = client.post(f"/me/reflections/{rid}/amend", data={"title": "Goal work, later",
                                                                      "body_G": "Run two groups.",
                                                                      "competences": ["REL-1"]})
    assert response.status_code == 302
    latest = client.get(f"/me/reflections/{rid}").get_data(as_text=True)
    assert "Goal work, later" in latest and "Run two groups." in latest
    assert "Version 2, 2024-07-01" in latest and "Version 1, 2024-03-01" in latest
    first = client.get(f"/me/reflections/{rid}?version=1").get_data(as_text=True)
    assert "Run a group." in first and "Run two groups." not in first and "version 1 of 2" in first
    assert client.get(f"/me/reflections/{rid}?version=3").status_code == 404
    assert "2 versions" in client.get("/me/reflections").get_data(as_text=True)


def test_amend_refuses_an_empty_body(web, items):
    response = web.client("wendy").post(f"/me/reflections/{items['grow']}/amend", data={"title": "T"})
    assert response.status_code == 422 and "write something in at least one section" in response.get_data(as_text=True)
    versions = web.app.extensions["portfolio"].app.portfolio(web.ids["wendy"]).reflections[str(items["grow"])]
    assert len(versions["versions"]) == 1


def test_change_who_can_read_it_from_the_reflection_page(web, items):
    client = web.client("wendy")
    url = f"/me/reflections/{items['free']}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="tier" value="private" checked' in page
    client.post(f"/me/reflection/{items['free']}/exposure", data={"tier": "supervisors"}, headers={"Referer": url})
    assert 'name="tier" value="supervisors" checked' in client.get(url).get_data(as_text=True)
    assert titles(client.get("/me/reflections?tier=supervisors")) == ["Shared one", "Hard day"]


def test_withdraw_evidence_with_a_confirm_step(web, items):
    client = web.client("wendy")
    url = f"/me/evidence/{items['ev1']}/withdraw"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Yes, withdraw it" in confirm.get_data(as_text=True)
    assert not web.app.extensions["portfolio"].app.portfolio(web.ids["wendy"]).evidence[str(items["ev1"])]["withdrawn"]
    assert client.post(url).status_code == 302
    listing = client.get("/me/evidence?competence=REL-1").get_data(as_text=True)
    assert "<strong>Withdrawn</strong>" in listing
    again = client.post(url)
    assert again.status_code == 422 and "already withdrawn" in again.get_data(as_text=True)


def test_sign_off_form_offers_the_competence_evidence_first(web, items):
    body = web.client("wendy").get("/me/sign-off/new?competence=REL-1").get_data(as_text=True)
    claiming, others = body.split('id="claiming"')[1].split('id="others"')
    assert "Group notes" in claiming and "Course record" not in claiming
    assert "Course record" in others and "Newest, no claim on REL-1" in others
    body2 = web.client("wendy").get("/me/sign-off/new?competence=REL-2").get_data(as_text=True)
    assert "Course record" in body2.split('id="claiming"')[1].split('id="others"')[0]
