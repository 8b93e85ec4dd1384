"""Levels of use on the pages (issue 11): held and expected said apart, leave recorded by an admin or
the supervisor and seen by the worker, a manager who is not a peer worker holding a portfolio."""

from __future__ import annotations

import re

import pytest
from domain_helpers import COMPETENCES, sign_off


@pytest.fixture
def wendy(web, at):
    app = web.app.extensions["portfolio"].app
    w, sam = web.ids["wendy"], web.ids["sam"]

    def sign(competence, levels, when="2024-04-01"):
        with at(when):
            return sign_off(app, w, sam, competence, levels)
    return {"app": app, "w": w, "sam": sam, "sign": sign, "codes": COMPETENCES}


def dd(body: str, term: str) -> str:
    found = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", body, re.S)
    return found.group(1) if found else ""


def test_dashboard_says_what_keeping_the_held_stage_and_reaching_the_expected_one_need(web, wendy, at):
    for code in wendy["codes"]:
        wendy["sign"](code, ["Basic"])
    with at("2025-03-01"):  # two years in: Peer practitioner expected, Essential held
        body = web.client("wendy").get("/me").get_data(as_text=True)
        summary = web.client("sam").get(f"/supervise/workers/{wendy['w']}/summary").get_data(as_text=True)
    assert "Nothing missing" in dd(body, "To keep Essential")
    assert f"{wendy['codes'][0]} at Intermediate" in dd(body, "Still missing")
    assert dd(summary, "Missing to keep the held stage") == "Nothing"
    assert "level" in dd(summary, "Missing for the expected stage")


def test_after_revoking_a_basic_the_worker_holds_no_stage_and_the_pages_agree(web, wendy, at):
    basics = [wendy["sign"](code, ["Basic"]) for code in wendy["codes"]]
    for code in wendy["codes"]:
        wendy["sign"](code, ["Intermediate"])
    with at("2025-03-01"):
        wendy["app"].revoke_sign_off(wendy["w"], basics[0], wendy["sam"], "Signed by mistake.")
        body = web.client("wendy").get("/me").get_data(as_text=True)
        summary = web.client("sam").get(f"/supervise/workers/{wendy['w']}/summary").get_data(as_text=True)
        report = wendy["app"].stage_report(wendy["w"])
    assert report.held is None and report.missing_for_held == []
    assert report.missing_for_expected == [(wendy["codes"][0], "Basic")]
    assert "None yet" in dd(body, "Held") and "To keep" not in body
    assert "None yet" in dd(summary, "Held") and "Missing to keep" not in summary


def test_admin_records_leave_the_worker_sees_it_and_the_due_date_moves(web, wendy, at):
    w = wendy["w"]
    with at("2025-01-10"):
        before = web.client("wendy").get("/me").get_data(as_text=True)
        assert "Peer practitioner" in dd(before, "Expected")
        r = web.client("ada").post(f"/people/{w}/leave", data={"kind": "leave", "starts_on": "2023-06-01",
                                                               "ends_on": "2023-06-30", "back": "org"})
        assert r.status_code == 302 and r.headers["Location"].endswith(f"/org/accounts/{w}")
        account = web.client("ada").get(f"/org/accounts/{w}").get_data(as_text=True)
        assert "2023-06-30" in account and "Leave and career breaks" in account
        body = web.client("wendy").get("/me").get_data(as_text=True)
    assert "Essential" in dd(body, "Expected")  # 30 days away: Peer practitioner from 2025-02-01
    assert "30 days of leave moved two years in the role on to 2025-02-01" in dd(body, "Leave counted")
    assert "Leave from 2023-06-01 to 2023-06-30" in body
    assert "Leave recorded from 2023-06-01" in web.client("wendy").get("/me/timeline").get_data(as_text=True)


def test_the_supervisor_records_and_withdraws_leave_on_the_summary(web, wendy, at):
    w, app = wendy["w"], wendy["app"]
    sam = web.client("sam")
    with at("2025-01-10"):
        r = sam.post(f"/people/{w}/leave", data={"kind": "career break", "starts_on": "2024-01-01",
                                                 "back": "summary"})
        assert r.status_code == 302 and r.headers["Location"].endswith(f"/supervise/workers/{w}/summary")
        leave_id = app.person(w).leave_on_record()[0]["leave_id"]
        page = sam.get(f"/supervise/workers/{w}/summary").get_data(as_text=True)
        assert "No end date yet" in page and "Career break" in page
        assert "of leave moved two years in the role on to" in dd(page, "Leave counted")
        assert app.stage_report(w).expected == "ESSENTIAL"  # still away: the mark keeps moving
        r = sam.post(f"/people/{w}/leave/{leave_id}/withdraw", data={"back": "summary"})
        assert r.status_code == 302
        assert app.person(w).leave_on_record() == []
        assert app.stage_report(w).expected == "PEER-PRACTITIONER"  # withdrawn leave no longer counts
    assert len(app.person(w).leave) == 1  # the correction is a new event: the record stays in the log


@pytest.mark.parametrize("who", ["wendy", "sue", "aud"])
def test_only_an_admin_or_the_current_supervisor_records_leave(web, who):
    w = web.ids["wendy"]
    r = web.client(who).post(f"/people/{w}/leave", data={"kind": "leave", "starts_on": "2024-01-01"})
    assert r.status_code == 404
    assert web.client(who).get(f"/people/{w}/leave").status_code == 404


@pytest.mark.parametrize("data, field, reason", [
    ({"kind": "sick", "starts_on": "2024-01-01"}, "kind", "Must be one of"),
    ({"kind": "leave"}, "starts_on", "required"),
    ({"kind": "leave", "starts_on": "2024-02-01", "ends_on": "2024-01-01"}, "ends_on", "before the first day"),
    ({"kind": "leave", "starts_on": "01/02/2024"}, "starts_on", "Not a valid date"),
])
def test_bad_leave_input_names_the_field(web, data, field, reason):
    r = web.client("ada").post(f"/people/{web.ids['wendy']}/leave", data=data)
    assert r.status_code == 422
    error = re.search(rf'id="leave-e-{field}">(.*?)</p>', r.get_data(as_text=True), re.S)
    assert error and reason in error.group(1)


def test_overlapping_leave_is_refused_on_the_form(web, wendy):
    ada, w = web.client("ada"), wendy["w"]
    assert ada.post(f"/people/{w}/leave", data={"kind": "leave", "starts_on": "2024-01-01",
                                                "ends_on": "2024-01-31"}).status_code == 302
    r = ada.post(f"/people/{w}/leave", data={"kind": "leave", "starts_on": "2024-01-15"})
    assert r.status_code == 422 and "overlaps the leave from 2024-01-01" in r.get_data(as_text=True)


def test_a_line_manager_who_is_not_a_peer_worker_holds_a_portfolio(web, at):
    app = web.app.extensions["portfolio"].app
    from portfolio.passwords import hash_password
    with at("2024-01-02"):
        lena = app.register_person("lena", "Lena Lead", ["supervisor"], "2024-01-02")
        app.set_password_hash(lena, hash_password("correct horse battery"))
        app.start_position(lena, "line_manager", "2024-01-02", 60)
        report = app.stage_report(lena, "2024-01-10")
        assert (report.expected, report.in_induction) == ("PEER-MANAGER", True)
        assert ("REL-1", "Basic") in report.missing_for_expected  # policy.cumulative: the stages below too
        client = web.client("lena")
        body = client.get("/me").get_data(as_text=True)
    assert "Peer manager" in dd(body, "Expected") and "in induction until 2024-03-02" in dd(body, "Expected")
    assert 'href="/me"' in body  # My portfolio in the navigation
    token = app.issue_api_token(lena)
    me = web.app.test_client().get("/api/v1/me?as_of=2024-01-10", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["stage"]["expected"] == "PEER-MANAGER"
    with at("2024-01-10"):
        app.assign_supervisor(lena, web.ids["sam"], "2024-01-02")  # a manager can be supervised too
        assert web.client("sam").get(f"/supervise/workers/{lena}/summary").status_code == 200


def test_a_supervisor_without_a_position_still_has_no_portfolio(web):
    assert web.client("sam").get("/me").status_code == 404


def test_a_reflection_tagged_with_core_competences_shows_them(web, wendy, at):
    client = web.client("wendy")
    form = client.get("/me/reflections/new").get_data(as_text=True)
    assert 'value="C6"' in form and 'value="EMPATHY"' in form
    with at("2024-05-01"):
        r = client.post("/me/reflections/new", data={"template": "free", "title": "Helpers", "body_text": "circles",
                                                     "competences": ["C1", "C2", "C3", "C4", "C5", "ACCEPTANCE"],
                                                     "save": "1"})
        assert r.status_code == 302
        body = client.get("/me").get_data(as_text=True)
    assert dd(body, "Core competences not yet shown").startswith("C6, GENUINENESS, EMPATHY")
    assert wendy["app"].stage_report(wendy["w"], "2024-05-01").core_missing == ["C6", "GENUINENESS", "EMPATHY"]
