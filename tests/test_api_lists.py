"""The worker's lists over the JSON API (/api/v1/me/reflections, evidence, training, supervision, goals):
the web's filters and paging, bad queries as 422 naming the field, one reflection with every version,
amending (the earlier versions kept), withdrawing evidence (twice: 409). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from test_api import MARKER, api, evidence, ok, reflection  # noqa: F401 - `api` is the fixture

LISTS = ("reflections", "evidence", "training", "supervision", "goals")


def _items(api, path, who="wendy"):
    return ok(api.get(who, path))["items"]


def test_each_list_shows_the_owners_items_with_their_text(api, at):
    with at("2024-01-10"):
        rid = reflection(api, title="Listening well")
        eid = evidence(api, competence="REL-2", level="Intermediate")
        tid = ok(api.post("wendy", "/me/training", {"title": "Boundaries", "provider": "Trust",
                                                    "held_on": "2024-01-09", "hours": "2.5",
                                                    "delivery": "online"}), 201)["id"]
        gid = ok(api.post("wendy", "/me/goals", {"goal": "Co-facilitate a group", "competences": ["GOAL-1"]}), 201)["id"]
        sid = ok(api.post("sam", f"/workers/{api.ids['wendy']}/supervisions", {
            "held_on": "2024-01-08", "orientation": "task", "format": "one_to_one", "mode": "phone",
            "minutes": 45}), 201)["id"]
    [r] = _items(api, "/me/reflections")
    assert (r["id"], r["title"], r["template"], r["competences"], r["versions"], r["exposure"]) == (
        rid, "Listening well", "free", ["REL-1"], 1, "private")
    [e] = _items(api, "/me/evidence")
    assert (e["id"], e["title"], e["claims"], e["withdrawn"]) == (
        eid, "Observed practice", [{"competence": "REL-2", "level": "Intermediate"}], False)
    [t] = _items(api, "/me/training")
    assert (t["id"], t["title"], t["held_on"], t["hours"], t["delivery"]) == (tid, "Boundaries", "2024-01-09", 2.5,
                                                                               "online")
    [goal] = _items(api, "/me/goals")
    assert (goal["id"], goal["goal"], goal["competences"], goal["status"]) == (gid, "Co-facilitate a group",
                                                                              ["GOAL-1"], "open")
    [s] = _items(api, "/me/supervision")
    assert (s["id"], s["supervisor_id"], s["minutes"], s["held_on"]) == (sid, str(api.ids["sam"]), 45, "2024-01-08")
    for kind in LISTS:  # walt has his own, empty lists
        assert ok(api.get("walt", f"/me/{kind}")) == {"items": [], "total": 0, "page": 1, "per_page": 25,
                                                       "pages": 1, "next": None, "prev": None}


def test_filters_match_the_web_pages(api, at):
    with at("2024-01-10"):
        free = reflection(api, title="Free one")
        grow = ok(api.post("wendy", "/me/reflections", {"template": "grow", "title": "Grow one", "body": {"G": "g"},
                                                        "competences": ["REL-2"]}), 201)["id"]
    with at("2024-03-10"):
        late = reflection(api, title="Late one")
        ok(api.post("wendy", f"/me/reflection/{late}/exposure", {"tier": "supervisors"}))
        basic = evidence(api, competence="REL-1", level="Basic")
        inter = evidence(api, competence="REL-1", level="Intermediate")

    def ids(path):
        return {i["id"] for i in _items(api, path)}

    assert ids("/me/reflections?template=grow") == {grow}
    assert ids("/me/reflections?competence=REL-1") == {free, late}
    assert ids("/me/reflections?tier=supervisors") == {late}
    assert ids("/me/reflections?start=2024-01-01&end=2024-01-31") == {free, grow}
    assert ids("/me/reflections?start=2024-03-10") == {late}
    assert ids("/me/evidence?level=Intermediate") == {inter}
    assert ids("/me/evidence?competence=REL-1&level=Basic") == {basic}
    assert ids("/me/reflections?tier=") == {free, grow, late}  # an empty filter is no filter, as on the web
    # The web page agrees with the API on the same query.
    page = api.app.test_client()
    with page.session_transaction() as session:
        session["sid"] = api.app.extensions["portfolio"].app.sessions.start(api.ids["wendy"])
    html = page.get("/me/reflections?template=grow").get_data(as_text=True)
    assert grow in html and free not in html and late not in html


def test_paging_with_links_that_keep_the_filters(api, at):
    with at("2024-01-10"):
        for n in range(27):
            reflection(api, title=f"Reflection {n:02}")
        ok(api.post("wendy", "/me/reflections", {"template": "grow", "title": "Grow", "body": {"G": "g"}}), 201)
    first = ok(api.get("wendy", "/me/reflections?template=free"))
    assert (first["total"], first["page"], first["pages"], first["per_page"], len(first["items"])) == (27, 1, 2, 25, 25)
    assert first["prev"] is None and first["next"] == "/api/v1/me/reflections?page=2&template=free"
    second = ok(api.get("wendy", first["next"].removeprefix("/api/v1")))
    assert (second["page"], len(second["items"]), second["next"]) == (2, 2, None)
    assert second["prev"] == "/api/v1/me/reflections?page=1&template=free"
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    beyond = ok(api.get("wendy", "/me/reflections?page=9"))
    assert beyond["items"] == [] and beyond["next"] is None and beyond["prev"] == "/api/v1/me/reflections?page=2"


@pytest.mark.parametrize("kind, query, field, reason", [
    ("reflections", "page=0", "page", "greater than or equal to 1"),
    ("evidence", "page=abc", "page", "Not a valid integer"),
    ("goals", "page=-3", "page", "greater than or equal to 1"),
    ("reflections", "tier=everyone", "tier", "Must be one of"),
    ("reflections", "template=diary", "template", "Must be one of"),
    ("evidence", "level=Expert", "level", "Must be one of"),
    ("evidence", "template=free", "template", "is not a filter of my evidence"),
    ("training", "tier=private", "tier", "is not a filter of my training"),
    ("goals", "competence=NOPE-9", "competence", "is not a competence of the framework"),
    ("reflections", "competence=bad code!", "competence", "is not a framework code"),
    ("supervision", "start=yesterday", "start", "Not a valid date"),
    ("training", "start=2024-02-01&end=2024-01-01", "end", "must not be before the start date"),
    ("goals", "end=3000-01-01", "end", "must be between"),
])
def test_bad_queries_answer_422_naming_the_field(api, kind, query, field, reason):
    response = api.get("wendy", f"/me/{kind}?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "invalid" and list(body["fields"]) == [field]
    assert any(reason in r for r in body["fields"][field]), body


def test_amend_keeps_every_version_readable(api, at):
    with at("2024-01-10"):
        rid = reflection(api, title=f"First {MARKER}", text="What I first thought")
    with at("2024-02-10"):
        amended = ok(api.post("wendy", f"/me/reflections/{rid}/amend", {
            "title": "Second", "body": {"text": "What I think now"}, "competences": ["REL-2"]}))
    assert [(v["number"], v["title"], v["body"]) for v in amended["versions"]] == [
        (1, f"First {MARKER}", {"text": "What I first thought"}), (2, "Second", {"text": "What I think now"})]
    assert amended["current"]["title"] == "Second" and amended["current"]["written_at"].startswith("2024-02-10")
    assert amended["competences"] == ["REL-2"] and amended["template"] == "free"
    assert ok(api.get("wendy", f"/me/reflections/{rid}")) == amended
    assert ok(api.get("wendy", f"/me/reflections/{rid}/versions")) == {"id": rid, "versions": amended["versions"]}
    [row] = _items(api, "/me/reflections")
    assert (row["title"], row["versions"], row["amended_at"][:10]) == ("Second", 2, "2024-02-10")
    # Staff never read the worker's private text, in any version.
    for who in ("sam", "sue", "ada", "aud", "walt"):
        for path in (f"/me/reflections/{rid}", f"/me/reflections/{rid}/versions", "/me/reflections"):
            response = api.get(who, path)
            assert MARKER not in response.get_data(as_text=True), (who, path)
            assert response.status_code == (200 if who == "walt" and path == "/me/reflections" else 404), (who, path)


def test_amend_bad_input(api):
    rid = reflection(api)
    grow = ok(api.post("wendy", "/me/reflections", {"template": "grow", "title": "Grow", "body": {"G": "g"}}),
              201)["id"]
    no_body = api.post("wendy", f"/me/reflections/{rid}/amend")
    assert no_body.status_code == 400 and set(no_body.get_json()) == {"error", "message"}
    empty = api.post("wendy", f"/me/reflections/{rid}/amend", {})
    assert empty.status_code == 422 and set(empty.get_json()["fields"]) == {"title", "body"}
    blank = api.post("wendy", f"/me/reflections/{rid}/amend", {"title": "T", "body": {"text": "  "}})
    assert blank.get_json()["fields"] == {"body": ["write something in at least one section"]}
    wrong_section = api.post("wendy", f"/me/reflections/{grow}/amend", {"title": "T", "body": {"text": "x"}})
    assert wrong_section.status_code == 422 and "body" in wrong_section.get_json()["fields"]
    unknown_code = api.post("wendy", f"/me/reflections/{rid}/amend", {"title": "T", "body": {"text": "x"},
                                                                     "competences": ["NOPE-9"]})
    assert unknown_code.status_code == 422 and "competences" in unknown_code.get_json()["fields"]
    for who, target in (("walt", rid), ("sam", rid), ("wendy", "00000000-0000-4000-8000-000000000000")):
        response = api.post(who, f"/me/reflections/{target}/amend", {"title": "Mine now", "body": {"text": "x"}})
        assert response.status_code == 404, (who, response.get_data(as_text=True))
    assert len(ok(api.get("wendy", f"/me/reflections/{rid}"))["versions"]) == 1  # nothing was amended


def test_withdraw_evidence_once(api):
    eid = evidence(api)
    assert api.post("walt", f"/me/evidence/{eid}/withdraw").status_code == 404  # not his
    assert api.post("sam", f"/me/evidence/{eid}/withdraw").status_code == 404
    assert ok(api.post("wendy", f"/me/evidence/{eid}/withdraw")) == {"id": eid, "status": "withdrawn"}
    [row] = _items(api, "/me/evidence")
    assert row["withdrawn"] is True  # kept in the record, marked
    again = api.post("wendy", f"/me/evidence/{eid}/withdraw")
    assert again.status_code == 409
    assert again.get_json() == {"error": "Conflict", "message": "this evidence is already withdrawn"}
    assert api.post("wendy", "/me/evidence/00000000-0000-4000-8000-000000000000/withdraw").status_code == 404


def test_the_document_describes_the_lists(api):
    doc = ok(api.get(None, "/openapi.json"))
    for kind in LISTS:
        op = doc["paths"][f"/api/v1/me/{kind}"]["get"]
        assert {"200", "401", "404", "422"} <= set(op["responses"]), kind
        params = {p["name"] for p in op["parameters"] if p["in"] == "query"}
        assert params == {"page", "start", "end", *{"reflections": ("competence", "tier", "template", "tag"),
                                                     "evidence": ("competence", "level", "tier", "tag"),
                                                     "supervision": ("tier", "format"), "goals": ("competence", "tier")}.get(kind, ())}
    amend = doc["paths"]["/api/v1/me/reflections/{reflection_id}/amend"]["post"]
    assert amend["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReflectionAmend"}
    assert "409" in doc["paths"]["/api/v1/me/evidence/{evidence_id}/withdraw"]["post"]["responses"]
    assert "/api/v1/me/reflections/{reflection_id}/versions" in doc["paths"]
