"""The training register on the web (admins keep it, auditors read it), attendance by the worker, and
the training audit. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portfolio.domain.programmes import Programme
from portfolio.projections.register_queries import RegisterReads

HX = {"HX-Request": "true"}
HEE = str(Programme.builtin_id("hee-programme"))
MARKER = "Quartz-heron-5521"  # a worker's own words: never on an organisation page


@pytest.fixture
def register(web, at):
    """A programme with a 3-hour and a 6-hour session, accredited for the first half of 2024."""
    admin = web.client("ada")
    with at("2024-05-01"):
        r = admin.post("/org/programmes", data={"title": "Peer basics", "provider": "Local College",
                                                 "admission_criteria": "Lived experience of crisis and recovery"})
        assert r.status_code == 302
        pid = r.headers["Location"].rsplit("/", 1)[-1]
        r = admin.post(f"/org/programmes/{pid}/sessions", data={"code": "D1", "title": "Recovery day", "hours": "3",
                                                                 "elements": ["TE-1", "TE-7"], "competences": ["HEE-01"]})
        assert r.status_code == 302
        r = admin.post(f"/org/programmes/{pid}/sessions", data={"code": "D2", "title": "Long day", "hours": "6",
                                                                 "elements": ["TE-6"]}, follow_redirects=True)
        assert "One training session should not take more than 4 hours (000:388)." in r.get_data(as_text=True)
        r = admin.post(f"/org/programmes/{pid}/accreditations", data={"institution": "City University",
                                                                       "starts_on": "2024-01-01",
                                                                       "ends_on": "2024-03-31"})
        assert r.status_code == 302
    return pid


def test_the_register_lists_the_hee_programme_with_its_sessions_and_no_invented_accreditation(web):
    aud = web.client("aud")
    page = aud.get("/org/programmes").get_data(as_text=True)
    assert "Mental Health Peer Support Worker Training Programme" in page and "None recorded" in page
    assert "portfolio init (hee-programme version 1)" in page
    assert "Register a programme" not in page  # auditors read only
    show = aud.get(f"/org/programmes/{HEE}").get_data(as_text=True)
    codes = re.findall(r"<tr><td>(S[\d-]+)</td>", show)
    assert codes == ["S1", "S2", "S3-4", "S5", "S6", "S7", "S8", "S9", "S10"]
    assert "No accreditation recorded." in show and "names no accrediting body" in show
    assert "Add a session" not in show and "Record an accreditation" not in show


def test_the_admin_form_says_who_sees_the_admission_criteria(web):
    page = web.client("ada").get("/org/programmes").get_data(as_text=True)
    assert "Text the organisation sees" in page and "000:256" in page


def test_an_admin_keeps_the_register_and_bad_input_names_the_field(web, register, at):
    admin = web.client("ada")
    show = admin.get(f"/org/programmes/{register}").get_data(as_text=True)
    assert "Over 4 hours" in show and "City University: from 2024-01-01 to 2024-03-31" in show
    assert "recorded 2024-05-01 by Ada Admin" in show
    with at("2024-05-02"):
        r = admin.post(f"/org/programmes/{register}/accreditations", headers=HX,
                       data={"institution": "Other", "starts_on": "2024-03-01"})
        assert r.status_code == 422 and "overlaps the accreditation by City University" in r.get_data(as_text=True)
        assert 'id="accreditation-form"' in r.get_data(as_text=True)  # the fragment, for htmx
        r = admin.post(f"/org/programmes/{register}/sessions", data={"code": "D3", "title": "x", "hours": "many"})
        assert r.status_code == 422 and "Not a valid number." in r.get_data(as_text=True)
        r = admin.post(f"/org/programmes/{register}/accreditations/end", data={"accreditation": "2024-01-01",
                                                                               "until": "2023-01-01"})
        assert r.status_code == 422 and "is before the start" in r.get_data(as_text=True)
        r = admin.post(f"/org/programmes/{register}/sessions/D1", data={"title": "Recovery day", "hours": "2.5",
                                                                         "elements": ["TE-1"]})
        assert r.status_code == 302
    s = web.app.extensions["portfolio"].app.programme(register).sessions["D1"]
    assert s["hours"] == Decimal("2.50") and s["elements"] == ["TE-1"]
    assert web.client("aud").post(f"/org/programmes/{register}/sessions", data={"code": "D9", "title": "x"}
                                  ).status_code == 404
    assert web.client("wendy").get("/org/programmes").status_code == 404


def test_a_worker_records_attendance_by_choosing_programme_then_session(web, register, at):
    w = web.client("wendy")
    form = w.get("/me/training/attended").get_data(as_text=True)
    assert "Peer basics" in form and "Choose a programme to see its sessions." in form
    fragment = w.get(f"/me/training/attended?programme_id={register}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'value="D1"' in fragment and "City University" in fragment
    assert "Lived experience of crisis and recovery" in fragment  # the admission criteria, as the form said
    with at("2024-05-01"):
        r = w.post("/me/training/attended", data={"programme_id": register, "session": "D9",
                                                  "attended_on": "2024-02-01"})
        assert r.status_code == 422 and "Peer basics has no session &#39;D9&#39;" in r.get_data(as_text=True)
        for code, day in (("D1", "2024-02-01"), ("D2", "2024-04-15")):
            r = w.post("/me/training/attended", data={"programme_id": register, "session": code, "attended_on": day})
            assert r.status_code == 302
        web.app.extensions["portfolio"].app.record_training(web.ids["wendy"], MARKER, "Self", "2024-03-01", 5,
                                                            "online", ["TE-2"])
    mine = w.get("/me/training").get_data(as_text=True)
    assert "Peer basics: D1 Recovery day" in mine and "Yes, by City University" in mine
    assert "Relationship and Roles" in mine  # TE-7, from the register
    assert MARKER in mine and "unregistered" in mine


def test_the_training_audit_counts_accredited_hours_and_over_long_sessions(web, register, at):
    app = web.app.extensions["portfolio"].app
    wendy = web.ids["wendy"]
    with at("2024-05-01"):
        app.record_attendance(wendy, register, "D1", "2024-02-01")  # accredited then
        app.record_attendance(wendy, register, "D2", "2024-04-15")  # after the accreditation ended
        app.record_attendance(wendy, HEE, "S1", "2024-04-20")  # no hours stated
        app.record_training(wendy, MARKER, MARKER, "2024-03-01", 5, "online", ["TE-2"])
    aud = web.client("aud")
    page = aud.get("/org/training").get_data(as_text=True)
    row = re.search(r"Wendy Worker</a></th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[:5] == ["3.00", "6.00", "5.00", "1", '<strong class="flag">2</strong>']
    assert cells[5:7] == ["3 of 12", "1 of 3"]  # TE-1, TE-7, TE-2 basic; TE-6 advanced
    one = aud.get(f"/org/training/{wendy}").get_data(as_text=True)
    assert "Yes, by City University" in one and "Peer basics: D2 Long day" in one
    assert MARKER not in page and MARKER not in one  # the worker's own words stay closed
    assert web.client("sam").get("/org/training").status_code == 404


def test_the_register_read_models_come_from_events_and_rebuild_the_same(web, register, at):
    runtime = web.app.extensions["portfolio"]
    with at("2024-05-01"):
        runtime.app.record_attendance(web.ids["wendy"], register, "D1", "2024-02-01")
    runtime.projector.refresh()
    reads = RegisterReads(runtime.engine)
    before = (reads.programmes(), reads.programme(register), reads.worker_training(str(web.ids["wendy"]))[0])
    runtime.projector.rebuild("register")
    after = (reads.programmes(), reads.programme(register), reads.worker_training(str(web.ids["wendy"]))[0])
    strip = lambda rows: [tuple(v for k, v in r._mapping.items() if k != "gen") for r in rows]  # noqa: E731
    assert strip(before[0]) == strip(after[0]) and before[2] == after[2]
    assert strip(before[1][1]) == strip(after[1][1]) and strip(before[1][2]) == strip(after[1][2])
    assert [r["session_code"] for r in after[2]] == ["D1"] and after[2][0]["accredited_by"] == "City University"


def test_the_api_lists_the_register_records_attendance_and_reports_coverage(web, register, at):
    app = web.app.extensions["portfolio"].app
    client = web.client()
    worker = {"Authorization": f"Bearer {app.issue_api_token(web.ids['wendy'])}"}
    auditor = {"Authorization": f"Bearer {app.issue_api_token(web.ids['aud'])}"}
    listed = client.get("/api/v1/programmes", headers=worker).get_json()["programmes"]
    hee = next(p for p in listed if p["id"] == HEE)
    assert [s["code"] for s in hee["sessions"]][:3] == ["S1", "S2", "S3-4"] and hee["accreditations"] == []
    ours = next(p for p in listed if p["id"] == register)
    assert ours["sessions"][1] | {"competences": None} == {"code": "D2", "title": "Long day", "hours": "6.00",
                                                           "over_four_hours": True, "competences": None,
                                                           "elements": ["TE-6"]}
    with at("2024-05-01"):
        r = client.post("/api/v1/me/attendance", headers=worker,
                        json={"programme_id": register, "session": "D1", "attended_on": "2024-02-01"})
        assert r.status_code == 201
        r = client.post("/api/v1/me/attendance", headers=worker,
                        json={"programme_id": register, "session": "D7", "attended_on": "2024-02-01"})
        assert r.status_code == 422 and "no session 'D7'" in r.get_json()["fields"]["session"][0]
    rows = client.get("/api/v1/training-coverage", headers=auditor).get_json()["rows"]
    mine = next(r for r in rows if r["worker_id"] == str(web.ids["wendy"]))
    assert mine["accredited_hours"] == "3.00" and mine["elements"] == {"TE-1": "registered", "TE-7": "registered"}
    assert client.get("/api/v1/training-coverage", headers=worker).status_code == 404
