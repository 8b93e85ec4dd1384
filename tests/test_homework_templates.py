"""The course's homework exercises as reflection templates (002:676-689, 763-768): offered in the
reflection form beside GROW and the learning cycle, shown with their section names, private by
default like every reflection. On both backends."""

from __future__ import annotations

import pytest

from portfolio.domain.errors import InvalidValue

HX = {"HX-Request": "true"}
HELPER = "What qualities and behaviors did that person possess?"
CIRCLES = "Put them in circles"


def test_the_form_offers_every_template_by_name(web):
    body = web.client("wendy").get("/me/reflections/new").get_data(as_text=True)
    for value, name in [("grow", "GROW"), ("learning_cycle", "Learning cycle"), ("ideal_helper", "The IDEAL HELPER"),
                        ("circles_of_helpers", "Circles of helpers")]:
        assert f'<option value="{value}" >{name}' in body or f'<option value="{value}" selected>{name}' in body


@pytest.mark.parametrize("template, words", [
    ("ideal_helper", ["The IDEAL HELPER", "Reflect on a past problem and think about the person that you turned to "
                      "for help.", HELPER, "Does our list resemble the 6 clusters?", 'name="body_CONFIDE"']),
    ("circles_of_helpers", ["Homework: Circles of helpers!", "You will not have to share this.", CIRCLES,
                            "The outer rings are for people that are more distant to you.", 'name="body_HELPERS"']),
])
def test_choosing_a_homework_template_swaps_in_its_sections(web, template, words):
    response = web.client("wendy").get(f"/me/reflections/new?template={template}", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    for w in words:
        assert w in body
    assert 'name="body_INTRO"' not in body, "the heading and opening words are guidance, not a section"


def test_a_circles_of_helpers_reflection_is_private_and_shows_its_section_names(web):
    client = web.client("wendy")
    saved = client.post("/me/reflections/new", data={
        "template": "circles_of_helpers", "title": "My circles", "body_HELPERS": "my sister, a neighbour",
        "body_CIRCLES": "sister in the centre", "save": "1"})
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Circles of helpers template" in page and "only you" in page
    assert f"<h3>{CIRCLES}</h3>" in page and "<h3>Write down the helpers you already have</h3>" in page
    app = web.app.extensions["portfolio"].app
    (item,) = app.portfolio(web.ids["wendy"]).reflections.values()
    assert item["template"] == "circles_of_helpers" and item["exposure"] == "private"
    rid = saved.headers["Location"].rsplit("/", 1)[1]
    assert web.client("sam").get(f"/supervise/workers/{web.ids['wendy']}/reflections/{rid}").status_code == 404


def test_a_shared_ideal_helper_reflection_reads_with_its_questions(web):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    rid = app.write_reflection(w, "ideal_helper", "Who helped", {"QUALITIES": "patience", "CHOICE": "she listened"})
    app.change_exposure(w, "reflection", rid, "supervisors")
    body = web.client("sam").get(f"/supervise/workers/{w}/reflections/{rid}").get_data(as_text=True)
    assert "The IDEAL HELPER template" in body and f"<h2>{HELPER}</h2>" in body and "patience" in body
    listed = web.client("wendy").get("/me/reflections?template=ideal_helper").get_data(as_text=True)
    assert "Who helped" in listed


def test_homework_sections_are_checked(app, org):
    w = org["wendy"]
    app.write_reflection(w, "ideal_helper", "t", {"HELPFUL": "h", "CLUSTERS": "yes, clusters 1 and 2"})
    app.write_reflection(w, "circles_of_helpers", "t", {"QUALITIES": "acceptance"})
    with pytest.raises(InvalidValue, match="not part of the circles_of_helpers template"):
        app.write_reflection(w, "circles_of_helpers", "t", {"INTRO": "not a section"})
    with pytest.raises(InvalidValue, match="not part of the ideal_helper template"):
        app.write_reflection(w, "ideal_helper", "t", {"G": "g"})
    assert {r["template"] for r in app.portfolio(w).reflections.values()} == {"ideal_helper", "circles_of_helpers"}
    assert all(r["exposure"] == "private" for r in app.portfolio(w).reflections.values())
