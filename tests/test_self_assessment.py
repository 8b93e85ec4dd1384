"""The organisation's self-assessment on the seven components of 004 (942-1012): an admin fills it
in and revisits it, every visit is kept with who and when, the page shows the latest visit and the
history with what changed. Admins write, auditors read, workers and supervisors get 404. Domain,
application and web, on both backends."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from portfolio.domain.errors import DomainError, InvalidValue
from portfolio.domain.self_assessment import SelfAssessment, rating_changes

CODES = ["TIMING", "POWER", "COMPENSATION", "NUMBERS", "WELLNESS", "INVESTMENT", "CULTURE"]
SCALE = ["not-started", "partly", "mostly", "fully"]
NOTE = "NOTEMARKER two peers sit on the steering group"
PAGE, NEW = "/org/self-assessment", "/org/self-assessment/new"


def ratings(rating="not-started", **overrides) -> dict[str, str]:
    return {code: overrides.get(code, rating) for code in CODES}


def form(rating="not-started", notes=None, **overrides) -> dict[str, str]:
    out = {f"rating_{c}": r for c, r in ratings(rating, **overrides).items()}
    out.update({f"notes_{c}": n for c, n in (notes or {}).items()})
    return out


# --- domain --------------------------------------------------------------------------------------
def test_each_visit_is_kept_and_every_component_must_be_rated():
    sa = SelfAssessment(framework_id="org-self-assessment")
    by = uuid4()
    assert sa.complete(by, "1", CODES, SCALE, {c: {"rating": "partly"} for c in CODES}) == 1
    with pytest.raises(InvalidValue, match="rating_POWER: choose one of not-started, partly, mostly, fully"):
        sa.complete(by, "1", CODES, SCALE, {c: {"rating": "partly"} for c in CODES if c != "POWER"})
    with pytest.raises(InvalidValue, match="rating_TIMING: .*got 'great'"):
        sa.complete(by, "1", CODES, SCALE, {**{c: {"rating": "partly"} for c in CODES}, "TIMING": {"rating": "great"}})
    with pytest.raises(InvalidValue, match="answers: unknown component\\(s\\) PAY"):
        sa.complete(by, "1", CODES, SCALE, {**{c: {"rating": "partly"} for c in CODES}, "PAY": {"rating": "partly"}})
    assert sa.complete(by, "1", CODES, SCALE, {**{c: {"rating": "partly"} for c in CODES},
                                               "POWER": {"rating": "fully"}}) == 2
    first, second = sa.visits
    assert first["answers"]["POWER"]["rating"] == "partly" and second["answers"]["POWER"]["rating"] == "fully"
    assert [e.__class__.__name__ for e in sa.collect_events()] == ["Opened", "AssessmentCompleted",
                                                                  "AssessmentCompleted"]
    assert rating_changes(first, second) == [{"code": "POWER", "before": "partly", "after": "fully"}]
    assert rating_changes(None, first) == []


# --- application ---------------------------------------------------------------------------------
def test_an_admin_records_visits_with_who_and_when_and_the_notes_are_sealed(app, org, at):
    with at("2024-03-01"):
        assert app.complete_self_assessment(org["ada"], ratings(), {"POWER": NOTE}) == 1
    with at("2024-09-01"):
        assert app.complete_self_assessment(org["ada"], ratings(POWER="partly", WELLNESS="mostly"),
                                            {"POWER": NOTE + " and chair it"}) == 2
    first, second = app.self_assessment_visits()
    assert first["by"] == org["ada"] and first["completed_at"].date().isoformat() == "2024-03-01"
    assert second["completed_at"].date().isoformat() == "2024-09-01" and second["framework_version"] == "1"
    assert second["notes"]["POWER"] == NOTE + " and chair it" and second["notes"]["TIMING"] == ""
    assert [(c["code"], c["before"], c["after"]) for c in second["changes"]] == [
        ("POWER", "not-started", "partly"), ("WELLNESS", "not-started", "mostly")]
    assert second["notes_changed"] == ["POWER"] and first["changes"] == [] and first["notes_changed"] == []
    stored = [n.state for n in app.recorder.select_notifications(start=1, limit=10_000)]
    assert not any(b"NOTEMARKER" in s for s in stored), "notes never reach the log in clear"


def test_only_an_admin_records_a_visit_and_bad_answers_name_the_field(app, org):
    for who in ("wendy", "sam", "aud"):
        with pytest.raises(DomainError, match="only an organisation admin"):
            app.complete_self_assessment(org[who], ratings())
    with pytest.raises(InvalidValue, match="rating_NUMBERS"):
        app.complete_self_assessment(org["ada"], {c: r for c, r in ratings().items() if c != "NUMBERS"})
    with pytest.raises(InvalidValue, match="notes_TIMING: is longer than 5,000 characters"):
        app.complete_self_assessment(org["ada"], ratings(), {"TIMING": "x" * 5001})
    with pytest.raises(InvalidValue, match="notes: unknown component"):
        app.complete_self_assessment(org["ada"], ratings(), {"PAY": "x"})
    assert app.self_assessment_visits() == []


def test_the_notes_stay_the_organisations_when_the_admin_who_wrote_them_is_erased(app, org):
    other = app.register_person("ada2", "Second Admin", ["org_admin"])
    app.complete_self_assessment(other, ratings(), {"TIMING": NOTE})
    app.erase_worker(other, org["ada"], "REQ-7")
    (visit,) = app.self_assessment_visits()
    assert visit["notes"]["TIMING"] == NOTE and visit["by"] == other


# --- web -----------------------------------------------------------------------------------------
def test_admin_fills_in_revisits_and_sees_the_history_with_changes(web, at):
    ada = web.client("ada")
    with at("2024-03-01"):
        empty = ada.get(PAGE).get_data(as_text=True)
        assert "Not filled in yet" in empty and "Fill in the self-assessment" in empty
        first = ada.post(NEW, data=form(notes={"POWER": NOTE}))
    assert first.status_code == 302 and first.headers["Location"].endswith(PAGE)
    with at("2024-09-01"):
        again = ada.get(NEW).get_data(as_text=True)  # a revisit starts from the latest answers
        assert NOTE in again and 'name="rating_POWER" value="not-started" checked' in again
        blank = ada.get(NEW + "?blank=1").get_data(as_text=True)
        assert NOTE not in blank and "checked" not in blank and "Start from blank answers" not in blank
        assert ada.post(NEW, data=form(POWER="mostly", notes={"POWER": "now chaired by a peer"})).status_code == 302
        page = ada.get(PAGE, follow_redirects=True).get_data(as_text=True)
    assert "Latest visit" in page and "now chaired by a peer" in page and "by Ada Admin" in page
    assert "POWER: Not started → Mostly" in page and "POWER: notes changed" in page
    assert re.search(r"Visit 1</a>,\s*<time datetime=\"2024-03-01\"", page) and "The first visit." in page
    old = ada.get(PAGE + "?visit=1").get_data(as_text=True)
    assert "Visit 1 of 2" in old and NOTE in old and "now chaired by a peer" not in old
    assert ada.get(PAGE + "?visit=3").status_code == 404


def test_an_empty_or_bad_visit_answers_422_naming_each_field(web):
    ada = web.client("ada")
    empty = ada.post(NEW, data={})
    body = empty.get_data(as_text=True)
    assert empty.status_code == 422
    for code in CODES:
        assert f'id="e-rating_{code}">choose one of: Not started, Partly, Mostly, Fully' in body
    long = ada.post(NEW, data=form(notes={"WELLNESS": "x" * 5001}))
    assert long.status_code == 422 and 'id="e-notes_WELLNESS">is longer than 5,000 characters' in long.get_data(
        as_text=True)
    assert web.app.extensions["portfolio"].app.self_assessment_visits() == []


def test_auditor_reads_workers_and_supervisors_are_refused(web):
    assert web.client("ada").post(NEW, data=form(notes={"TIMING": NOTE})).status_code == 302
    aud = web.client("aud")
    page = aud.get(PAGE)
    assert page.status_code == 200 and NOTE in page.get_data(as_text=True)
    assert "Revisit the self-assessment" not in page.get_data(as_text=True)
    assert aud.get(NEW).status_code == 404 and aud.post(NEW, data=form()).status_code == 404
    for who in ("wendy", "sam"):
        client = web.client(who)
        assert client.get(PAGE).status_code == 404 and client.post(NEW, data=form()).status_code == 404
    assert web.client().get(PAGE).status_code == 302  # anonymous: to the login page
    assert len(web.app.extensions["portfolio"].app.self_assessment_visits()) == 1


def test_htmx_gets_the_history_fragment_and_the_nav_links_it(web):
    web.client("ada").post(NEW, data=form())
    fragment = web.client("aud").get(PAGE + "?visit=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Every visit, newest first" in fragment
    assert 'href="/org/self-assessment"' in web.client("aud").get("/org/progression").get_data(as_text=True)
    assert 'href="/org/self-assessment"' not in web.client("wendy").get("/me").get_data(as_text=True)


def test_the_checklist_and_its_scale_are_on_the_frameworks_pages(web):
    body = web.client().get("/frameworks/org-self-assessment").get_data(as_text=True)
    assert "ORGANIZATIONAL OR PROJECT CULTURE" in body and "Rating scale (our policy, not seed text)" in body
    assert "Have attempts been made to include peers as early as possible in planning" in body
    for fid, words in [("core-values", "Recovery in first place"), ("peer-support-types", "Clinical peer-support"),
                       ("support-types", "Affiliational"), ("supportive-communication", "Help underlying issues"),
                       ("peer-support-values", "Mutuality and equality"), ("ideal-helper", "The IDEAL HELPER"),
                       ("circles-of-helpers", "You will not have to share this.")]:
        assert words in web.client().get(f"/frameworks/{fid}").get_data(as_text=True), fid


# --- API -----------------------------------------------------------------------------------------
def test_the_api_records_and_reads_visits_with_the_same_permissions(web):
    app = web.app.extensions["portfolio"].app
    tokens = {who: app.issue_api_token(web.ids[who]) for who in ("ada", "aud", "wendy", "sam")}
    client = web.app.test_client()

    def call(who, method, json=None):
        return client.open("/api/v1/self-assessment", method=method, json=json,
                           headers={"Authorization": f"Bearer {tokens[who]}"})

    made = call("ada", "POST", {"ratings": ratings("partly"), "notes": {"NUMBERS": NOTE}})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["number"] == 1 and made.get_json()["by_name"] == "Ada Admin"
    again = call("ada", "POST", {"ratings": ratings("partly", NUMBERS="fully")})
    assert again.get_json()["changes"] == [{"component": "NUMBERS", "before": "partly", "after": "fully"}]
    assert again.get_json()["notes_changed"] == ["NUMBERS"]  # the notes were emptied
    bad = call("ada", "POST", {"ratings": ratings(TIMING="great")})
    assert bad.status_code == 422 and "rating_TIMING" in bad.get_data(as_text=True)
    read = call("aud", "GET")
    assert read.status_code == 200 and [v["number"] for v in read.get_json()["visits"]] == [1, 2]
    assert {"component": "NUMBERS", "rating": "partly", "notes": NOTE} in read.get_json()["visits"][0]["answers"]
    assert call("aud", "POST", {"ratings": ratings()}).status_code == 404
    for who in ("wendy", "sam"):
        assert call(who, "GET").status_code == 404 and call(who, "POST", {"ratings": ratings()}).status_code == 404
    assert len(app.self_assessment_visits()) == 2
