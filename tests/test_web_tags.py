"""Tags on the pages and over the API: the grouped checkboxes on the forms, the tags page, the filter
on My reflections and My evidence, the counts on the dashboard and on the supervision summary (what
is shared only); on both backends."""

from __future__ import annotations

import re

from test_api import api, ok  # noqa: F401 - `api` is the fixture

ROLE_1 = "Peer supporters engage peers in collaborative and caring relationships"  # 004, verbatim


def _body(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_forms_offer_every_catalogue_folded_with_verbatim_titles(web):
    client = web.client("wendy")
    for path in ("/me/reflections/new", "/me/evidence/new"):
        body = _body(client.get(path))
        assert body.count("<details") >= 5 and body.count("<legend") >= 5
        for title in ("WHO QualityRights: the 12 roles of peer supporters", "Six core competency clusters",
                      "Three core concepts (printout)", ROLE_1, "Peer support is voluntary"):
            assert title in body
        assert 'name="tags" value="who-roles:ROLE-12"' in body and 'value="core-clusters:C6"' in body


def test_writing_with_tags_and_refusing_an_unknown_one(web):
    client = web.client("wendy")
    app = web.app.extensions["portfolio"].app
    response = client.post("/me/reflections/new", data={"save": "1", "template": "free", "title": "Listening",
                                                        "body_text": "I listened.",
                                                        "tags": ["who-roles:ROLE-1", "core-concepts:EMPATHY"]})
    assert response.status_code == 302
    rid = response.headers["Location"].rsplit("/", 1)[-1]
    page = _body(client.get(f"/me/reflections/{rid}"))
    assert ROLE_1 in page and "EMPATHY" in page
    bad = client.post("/me/evidence/new", data={"title": "Notes", "kind": "observation", "tags": "who-roles:ROLE-13"})
    assert bad.status_code == 422 and "ROLE-13" in _body(bad, 422) and 'id="e-tags"' in _body(bad, 422)
    bad = client.post("/me/evidence/new", data={"title": "Notes", "kind": "observation", "tags": "not a tag"})
    assert bad.status_code == 422 and "is not a tag" in _body(bad, 422)
    assert not app.portfolio(web.ids["wendy"]).evidence
    ok_ = client.post("/me/evidence/new", data={"title": "Notes", "kind": "observation", "tags": "core-clusters:C3"})
    assert ok_.status_code == 302
    [ev] = app.portfolio(web.ids["wendy"]).evidence.values()
    assert [t["code"] for t in ev["tags"]] == ["C3"]


def test_amend_form_keeps_the_tags_and_the_tags_page_changes_them(web):
    client = web.client("wendy")
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    rid = app.write_reflection(w, "free", "Listening", "I listened.", tags=["who-roles:ROLE-1"])
    form = _body(client.get(f"/me/reflections/{rid}/amend"))
    assert re.search(r'value="who-roles:ROLE-1" checked', form)
    assert client.post(f"/me/reflections/{rid}/amend", data={"title": "Again", "body_text": "More.",
                                                             "tags": "who-roles:ROLE-1"}).status_code == 302
    version = app.portfolio(w).version
    assert client.post(f"/me/reflections/{rid}/tags", data={"tags": ["who-roles:ROLE-3"]}).status_code == 302
    pf = app.portfolio(w)
    assert [t["code"] for t in pf.reflections[str(rid)]["tags"]] == ["ROLE-3"]
    assert len(pf.reflections[str(rid)]["versions"]) == 2 and pf.version == version + 1  # no new version
    refused = client.post(f"/me/reflections/{rid}/tags", data={"tags": "who-roles:ROLE-99"})
    assert refused.status_code == 422 and "ROLE-99" in _body(refused, 422)
    assert client.get("/me/evidence/00000000-0000-4000-8000-000000000000/tags").status_code == 404


def test_filter_by_tag_on_the_lists_and_the_api(web, api):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    tagged = app.write_reflection(w, "free", "Tagged", "x", tags=["who-roles:ROLE-1"])
    app.write_reflection(w, "free", "Other", "x", tags=["who-roles:ROLE-10"])
    app.add_evidence(w, "Tagged evidence", "observation", tags=["who-roles:ROLE-1"])
    app.add_evidence(w, "Plain evidence", "observation")
    client = web.client("wendy")
    page = _body(client.get("/me/reflections?tag=who-roles:ROLE-1"))
    assert "Tagged" in page and "Other" not in page and "1 item," in page
    assert "Tagged evidence" in _body(client.get("/me/evidence?tag=who-roles:ROLE-1"))
    assert "Plain evidence" not in _body(client.get("/me/evidence?tag=who-roles:ROLE-1"))
    bad = client.get("/me/evidence?tag=who-roles:ROLE-99")
    assert bad.status_code == 422 and "tag: is not a tag of the catalogues" in _body(bad, 422)
    assert client.get("/me/training?tag=who-roles:ROLE-1").status_code == 422
    items = ok(api.get("wendy", "/me/reflections?tag=who-roles:ROLE-1"))["items"]
    assert [(i["id"], i["tags"]) for i in items] == [(str(tagged), ["who-roles:ROLE-1"])]
    assert [i["title"] for i in ok(api.get("wendy", "/me/evidence?tag=who-roles:ROLE-1"))["items"]] == ["Tagged evidence"]
    refused = api.get("wendy", "/me/evidence?tag=who-roles:ROLE-99")
    assert refused.status_code == 422 and "tag" in refused.get_json()["fields"]


def test_api_writes_changes_and_keeps_tags(web, api):
    rid = ok(api.post("wendy", "/me/reflections", {"template": "free", "title": "T", "body": {"text": "b"},
                                                   "tags": ["core-clusters:C1"]}), 201)["id"]
    eid = ok(api.post("wendy", "/me/evidence", {"title": "E", "kind": "observation",
                                                "tags": ["hee-competences:HEE-01"]}), 201)["id"]
    amended = ok(api.post("wendy", f"/me/reflections/{rid}/amend", {"title": "T2", "body": {"text": "b2"}}))
    assert amended["tags"] == ["core-clusters:C1"]  # no "tags": kept
    changed = ok(api.post("wendy", f"/me/evidence/{eid}/tags", {"tags": ["who-roles:ROLE-2"]}))
    assert changed == {"id": eid, "kind": "evidence", "tags": ["who-roles:ROLE-2"], "changed": True}
    again = ok(api.post("wendy", f"/me/evidence/{eid}/tags", {"tags": ["who-roles:ROLE-2"]}))
    assert again["changed"] is False
    refused = api.post("wendy", f"/me/reflections/{rid}/tags", {"tags": ["who-roles:nope"]})
    assert refused.status_code == 422 and "tags" in refused.get_json()["fields"]
    assert api.post("sam", f"/me/reflections/{rid}/tags", {"tags": []}).status_code == 404


def test_counts_for_the_worker_and_for_the_supervisor_only_what_is_shared(web):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    shared = app.write_reflection(w, "free", "Shared", "x", tags=["who-roles:ROLE-1", "core-clusters:C4"])
    app.change_exposure(w, "reflection", shared, "supervisors")
    app.write_reflection(w, "free", "Private", "x", tags=["who-roles:ROLE-1", "ethical-principles:E7"])
    app.add_evidence(w, "Private evidence", "observation", tags=["ethical-principles:E7"])
    dashboard = _body(web.client("wendy").get("/me"))
    assert "Tags in your portfolio" in dashboard
    assert 'href="/me/reflections?tag=who-roles:ROLE-1">2<' in dashboard
    assert 'href="/me/evidence?tag=ethical-principles:E7">1<' in dashboard
    summary = _body(web.client("sam").get(f"/supervise/workers/{w}/summary"))
    section = summary[summary.index('id="sum-tags"'):summary.index('id="sum-signoffs"')]
    assert ROLE_1 in section and "Second cluster" not in section
    assert re.search(r"caring relationships</th>\s*<td>1</td>\s*<td>0</td>", section)  # the shared one only
    e7 = app.tag_catalogues()["ethical-principles"]
    assert "E7" in e7.codes
    titles = {i["code"]: i["title"] for i in app.framework_document("ethical-principles")["items"]}
    assert titles["E7"] not in section  # tagged only on private items: not counted, not named
    shared_page = _body(web.client("sam").get(f"/supervise/workers/{w}/reflections/{shared}"))
    assert ROLE_1 in shared_page
