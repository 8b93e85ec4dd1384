"""Organisation pages: progression, audit trail (and CSV), accounts. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import csv
import io
import uuid
from html.parser import HTMLParser

import pytest

from portfolio.domain.values import LEVELS
from portfolio.projections.queries import AUDIT_COLUMNS
from tests.conftest import PASSWORD

MARKER = "Zebra-lantern-4417"  # planted in private text; must never reach an organisation page
HX = {"HX-Request": "true"}


class Tables(HTMLParser):
    """Every table of a page: {caption: [[cell text, ...] per row]}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows, self._cell, self._caption = None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._name = [], f"table{len(self.tables)}"
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += " "

    def handle_endtag(self, tag):
        if tag == "caption":
            self._name, self._caption = self._caption.strip(), None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name], self._rows = self._rows, None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


def table(html: str, caption_start: str) -> dict[str, list[str]]:
    """The table whose caption starts so, as {first cell: other cells}."""
    found = [rows for name, rows in Tables(html).tables.items() if name.startswith(caption_start)]
    assert found, f"no table captioned {caption_start!r}"
    return {row[0]: row[1:] for row in found[0] if row}


def sign(app, worker, supervisor, competence, levels=("Basic",), description=""):
    ev = app.add_evidence(worker, f"Evidence {competence}", "observation", description,
                          [(competence, lv) for lv in levels])
    rid = app.request_sign_off(worker, competence, list(levels), [ev])
    app.approve_sign_off(worker, rid, supervisor)
    return rid


@pytest.fixture
def history(web, app, at):
    """Wendy: REL-1 Basic signed 2024-05-01, REL-2 Basic 2024-08-01, GOAL-1 returned, PRAC-1 revoked;
    the marker planted in a private reflection, supervision notes, feedback, a description and a reason."""
    w, sam, ada = web.ids["wendy"], web.ids["sam"], web.ids["ada"]
    with at("2024-04-20"):
        app.write_reflection(w, "free", f"Private {MARKER}", f"My private thoughts {MARKER}")
        app.record_supervision(w, sam, "2024-04-20", "task", "one_to_one", "in_person", 60, [],
                               f"Actions {MARKER}", f"Notes {MARKER}")
        app.set_goal(w, f"Goal {MARKER}")
    with at("2024-05-01"):
        rel1 = sign(app, w, sam, "REL-1", description=f"Described {MARKER}")
    with at("2024-08-01"):
        rel2 = sign(app, w, sam, "REL-2")
    with at("2024-08-02"):
        ev = app.add_evidence(w, "Evidence GOAL-1", "testimonial", "", [("GOAL-1", "Basic")])
        returned = app.request_sign_off(w, "GOAL-1", ["Basic"], [ev])
        app.return_sign_off(w, returned, sam, f"Feedback {MARKER}")
    with at("2024-08-02T15:00"):
        revoked = sign(app, w, sam, "PRAC-1")
    with at("2024-08-03"):
        app.revoke_sign_off(w, revoked, ada, f"Reason {MARKER}")
    return {"rel1": rel1, "rel2": rel2, "returned": returned, "revoked": revoked}


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()  # a streamed CSV pops its request context now, not in a later test
    return text


# --- progression -------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["ada", "aud"])
def test_progression_counts_signed_levels_and_stages(web, history, who):
    response = web.client(who).get("/org/progression")
    html = body(response)
    assert response.status_code == 200 and html.startswith("<!doctype html>")
    signed = table(html, "Workers with each competence signed")
    assert signed["REL-1 equality / power"] == ["1", "0", "0", "0"]
    assert signed["REL-2 safe sharing of lived experience"][0] == "1"
    # the returned and the revoked sign-offs do not count
    assert sum(int(n) for key, row in signed.items() if key != "Competence" for n in row) == 2
    stages = table(html, "Number of peer workers holding each level of use")
    assert stages["Essential"] == ["0"] and stages["None held yet"] == ["1"]
    assert "Peer practitioner" in stages
    months = table(html, "Signed levels and workers per level of use")
    assert months["2024-04"][0] == "0" and months["2024-05"][0] == "1" and months["2024-08"][0] == "2"
    assert '<svg viewBox=' in html and '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    assert 'href="/static/org.css"' in html


def test_progression_stage_held_and_htmx_fragment(web, app, at):
    w, sam = web.ids["wendy"], web.ids["sam"]
    with at("2024-06-01"):
        for code in ("REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "GOAL-4",
                     "PRAC-1", "PRAC-2", "PRAC-3", "PRAC-4"):
            sign(app, w, sam, code)
    response = web.client("aud").get("/org/progression", headers=HX)
    html = body(response)
    assert response.status_code == 200 and "<html" not in html and "<h2" in html
    assert table(html, "Number of peer workers holding each level of use")["Essential"] == ["1"]
    assert table(html, "Signed levels and workers per level of use")["2024-06"][:1] == ["11"]


def test_progression_as_of_shows_the_earlier_state(web, history):
    client = web.client("ada")
    html = body(client.get("/org/progression?as_of=2024-06-01"))
    assert "As it stood at the end of <strong>2024-06-01</strong>" in html
    signed = table(html, "Workers with each competence signed")
    assert signed["REL-1 equality / power"][0] == "1" and signed["REL-2 safe sharing of lived experience"][0] == "0"
    assert "2024-07" not in table(html, "Signed levels and workers per level of use")
    before = body(client.get("/org/progression?as_of=2022-12-31", headers=HX))
    assert "0 peer workers had joined" in before and "<html" not in before


@pytest.mark.parametrize("headers", [{}, HX])
def test_progression_bad_date_is_422_naming_the_field(web, headers):
    response = web.client("ada").get("/org/progression?as_of=31/12/2024", headers=headers)
    assert response.status_code == 422 and "as_of: Not a valid date." in body(response)


@pytest.mark.parametrize("count", [1, 2, 12, 13, 24, 36, 37, 48])
def test_chart_month_labels_never_overlap(count):
    from portfolio.web.org import _chart
    months = [{"month": f"{2020 + i // 12}-{i % 12 + 1:02d}", "signed": {lv: i for lv in LEVELS}, "stages": {}}
              for i in range(count)]
    ticks = _chart(months)["xticks"]
    assert 1 <= len(ticks) <= 12 and ticks[-1][1] == months[-1]["month"]  # the latest month is labelled
    width = 7 * 7.5  # "2024-05" at 12px, generously
    assert all(b[0] - a[0] >= width + 4 for a, b in zip(ticks, ticks[1:])), ticks


# --- audit ---------------------------------------------------------------------------------------
def audit_rows(html: str) -> dict[str, list[str]]:
    return table(html, "Sign-off decisions")


@pytest.mark.parametrize("who", ["ada", "aud"])
def test_audit_lists_decisions_with_names_and_flags(web, history, who):
    response = web.client(who).get("/org/audit")
    html = body(response)
    assert response.status_code == 200
    rows = Tables(html).tables["Sign-off decisions, oldest first"][1:]
    assert [r[1] for r in rows] == ["REL-1", "REL-2", "GOAL-1", "PRAC-1"]
    first = rows[0]
    assert first[0] == "Wendy Worker" and first[2] == "Basic" and first[3] == "Approved"
    assert first[4] == "Sam Supervisor Supervisor" and first[5] == "Yes"
    assert first[6].startswith("2024-05-01 ") and first[8] == "worker-competences version 1"
    assert first[9] == "Observation (added 2024-05-01)" and first[10] == "None"  # kind and date, no title
    assert "Evidence REL-1" not in html
    assert rows[2][3] == "Returned to the worker"
    assert rows[3][3].startswith("Approved, later revoked") and "by Ada Admin (Organisation admin)" in rows[3][3]
    assert "Flag: revoked" in rows[3][10]  # in words, not only colour
    assert "Flag: no supervision in the 90 days before" in rows[1][10]


def test_audit_filters_narrow_the_rows(web, history):
    client = web.client("aud")
    sam, sue = web.ids["sam"], web.ids["sue"]
    assert list(audit_rows(body(client.get("/org/audit?competence=REL-1")))) == ["Worker", "Wendy Worker"]
    rows = Tables(body(client.get("/org/audit?start=2024-06-01&end=2024-08-02", headers=HX))).tables
    assert [r[1] for r in rows["Sign-off decisions, oldest first"][1:]] == ["REL-2", "GOAL-1", "PRAC-1"]
    by_sam = Tables(body(client.get(f"/org/audit?supervisor_id={sam}"))).tables["Sign-off decisions, oldest first"]
    assert len(by_sam) == 5  # the header and four decisions
    html = body(client.get(f"/org/audit?supervisor_id={sue}"))
    assert "No decisions match these filters." in html and "0 decisions." in html
    fragment = body(client.get(f"/org/audit?supervisor_id={sue}", headers=HX))
    assert "<html" not in fragment and "No decisions match" in fragment


@pytest.mark.parametrize("query, field", [
    ("start=2024-13-01", "start"), ("end=yesterday", "end"), ("supervisor_id=nobody", "supervisor_id"),
    ("competence=%3Cscript%3E", "competence"), ("competence=NOPE-9", "competence"),
    (f"supervisor_id={uuid.UUID(int=7)}", "supervisor_id"), ("start=2024-06-01&end=2024-05-01", "end"),
])
@pytest.mark.parametrize("headers", [{}, HX])
def test_audit_bad_filter_is_422_naming_the_field(web, query, field, headers):
    client = web.client("aud")
    response = client.get(f"/org/audit?{query}", headers=headers)
    assert response.status_code == 422 and f"{field}: " in body(response)
    if not headers:
        assert f'id="e-{field}"' in body(response)  # next to the field
    download = client.get(f"/org/audit.csv?{query}", headers=headers)
    assert download.status_code == 422 and f"{field}: " in body(download)


def test_audit_csv_has_the_header_and_the_filtered_rows(web, history):
    client = web.client("ada")
    response = client.get("/org/audit.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0] == AUDIT_COLUMNS and len(rows) == 5
    record = dict(zip(rows[0], rows[1]))
    assert (record["worker"], record["competence"], record["decided_by"]) == ("Wendy Worker", "REL-1", "Sam Supervisor")
    assert record["request_id"] == str(history["rel1"]) and record["assigned_then"] == "yes"
    narrowed = list(csv.reader(io.StringIO(body(client.get("/org/audit.csv?competence=PRAC-1", headers=HX)))))
    assert len(narrowed) == 2 and "revoked" in narrowed[1][-1].split("; ") and narrowed[1][15] == "Ada Admin"
    assert 'href="/org/audit.csv?competence=PRAC-1"' in body(client.get("/org/audit?competence=PRAC-1"))


def competences_shown(html: str) -> list[str]:
    return [r[1] for r in Tables(html).tables["Sign-off decisions, oldest first"][1:]]


def test_audit_pages_keep_the_filters_and_show_the_total(web, history, monkeypatch):
    monkeypatch.setattr("portfolio.web.org.AUDIT_PER_PAGE", 2)
    client = web.client("aud")
    sam = web.ids["sam"]
    first = body(client.get(f"/org/audit?supervisor_id={sam}"))
    assert competences_shown(first) == ["REL-1", "REL-2"]
    assert "4 decisions; showing 1–2" in first and "page 1 of 2" in first and "Download these as CSV (all 4)" in first
    nxt = re.search(r'href="([^"]*page=2[^"]*)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    assert f"supervisor_id={sam}" in nxt and "Previous page" not in first
    second = body(client.get(nxt, headers=HX))
    assert "<html" not in second and competences_shown(second) == ["GOAL-1", "PRAC-1"]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = body(client.get("/org/audit?page=99"))  # past the end: the last page
    assert "page 2 of 2" in beyond
    assert client.get("/org/audit?page=0").status_code == 422


def test_audit_filters_by_decision(web, history):
    client = web.client("aud")
    assert competences_shown(body(client.get("/org/audit?status=returned"))) == ["GOAL-1"]
    bad = client.get("/org/audit?status=maybe")
    assert bad.status_code == 422 and "status: " in body(bad) and 'id="e-status"' in body(bad)
    csv_rows = list(csv.reader(io.StringIO(body(client.get("/org/audit.csv?status=revoked")))))
    assert [r[2] for r in csv_rows[1:]] == ["PRAC-1"]


def test_audit_csv_streams_every_row_in_batches(web, history, monkeypatch):
    from portfolio.projections.queries import ReadModels
    batches = []
    real = ReadModels.audit_batches

    def spy(self, batch=500, **filters):
        for rows in real(self, batch=1, **filters):
            batches.append(len(rows))
            yield rows
    monkeypatch.setattr(ReadModels, "audit_batches", spy)
    response = web.client("ada").get("/org/audit.csv")
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(body(response))))
    assert len(rows) == 5 and batches == [1, 1, 1, 1]


def test_audit_page_reads_a_fixed_number_of_queries(web, runtime, history):
    """The facts per row are read for the whole page at once, not per row."""
    from sqlalchemy import event
    views = runtime.read_models()
    statements = []

    def count(*args):
        statements.append(1)
    event.listen(views.engine, "before_cursor_execute", count)
    try:
        counts = []
        for limit in (1, 4):
            statements.clear()
            assert len(views.audit(limit=limit)) == limit
            counts.append(len(statements))
    finally:
        event.remove(views.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]


def test_csv_cells_are_not_formulas(web, app, at):
    w, sam = web.ids["wendy"], web.ids["sam"]
    with at("2024-05-01"):
        eve = app.register_person("eve", "=HYPERLINK(\"y\")", ["supervisor"], "2024-05-01")
        app.assign_supervisor(w, eve, "2024-05-01")
        ev = app.add_evidence(w, "=HYPERLINK(\"x\")", "observation", "", [("REL-1", "Basic")])
        app.approve_sign_off(w, app.request_sign_off(w, "REL-1", ["Basic"], [ev]), eve)
    text = body(web.client("aud").get("/org/audit.csv"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][AUDIT_COLUMNS.index("decided_by")].startswith("'=HYPERLINK")
    assert rows[1][AUDIT_COLUMNS.index("evidence")] == "observation added 2024-05-01"  # the title is not in it
    assert "HYPERLINK(\"x\")" not in text


# --- privacy ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["ada", "aud"])
def test_private_text_never_reaches_organisation_pages(web, history, who):
    client = web.client(who)
    urls = ["/org/progression", "/org/progression?as_of=2024-08-02", "/org/audit", "/org/audit.csv",
            "/org/audit?competence=GOAL-1", "/org/audit.csv?competence=PRAC-1"]
    if who == "ada":
        urls += ["/org/accounts", f"/org/accounts/{web.ids['wendy']}"]
    for url in urls:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            assert MARKER not in body(response), url
            assert "<script>" not in body(response) and " style=" not in body(response)


# --- accounts ------------------------------------------------------------------------------------
def test_accounts_search_by_name_role_and_status(web, app, monkeypatch):
    client = web.client("ada")
    found = table(body(client.get("/org/accounts?q=worker")), "Accounts, their roles")  # a display name
    assert set(found) == {"Username", "wendy"}
    assert set(table(body(client.get("/org/accounts?q=SUE")), "Accounts, their roles")) == {"Username", "sue"}
    supervisors = table(body(client.get("/org/accounts?role=supervisor", headers=HX)), "Accounts, their roles")
    assert {"sam", "sue"} <= set(supervisors) and "wendy" not in supervisors
    app.deactivate_person(web.ids["sue"], web.ids["ada"], "left")
    closed = body(client.get("/org/accounts?status=deactivated"))
    rows = table(closed, "Accounts, their roles")
    assert set(rows) == {"Username", "sue deactivated"}  # the tag beside the username
    assert rows["sue deactivated"][4].startswith("Deactivated Reactivate")
    assert f'href="/org/accounts/{web.ids["sue"]}#lifecycle"' in closed
    active = table(body(client.get("/org/accounts?status=active")), "Accounts, their roles")
    assert "sue deactivated" not in active and active["wendy"][4].startswith("Active Deactivate or send a set-password link")
    nothing = body(client.get("/org/accounts?q=nobody-at-all"))
    assert "No accounts match." in nothing and "0 of " in nothing
    bad = client.get("/org/accounts?status=gone&role=king")
    assert bad.status_code == 422 and 'id="e-status"' in body(bad) and 'id="e-role"' in body(bad)


def test_accounts_list_pages_keep_the_search(web, monkeypatch):
    monkeypatch.setattr("portfolio.web.org.ACCOUNTS_PER_PAGE", 1)
    client = web.client("ada")
    first = body(client.get("/org/accounts?role=supervisor"))
    assert "page 1 of 2" in first
    nxt = re.search(r'href="([^"]*page=2[^"]*)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    assert "role=supervisor" in nxt
    second = table(body(client.get(nxt)), "Accounts, their roles")
    assert set(second) == {"Username", "sue"}


def test_accounts_list_shows_roles_and_current_supervisors(web):
    client = web.client("ada")
    html = body(client.get("/org/accounts"))
    rows = table(html, "Accounts, their roles and current supervisors")
    assert rows["wendy"][:4] == ["Wendy Worker", "Peer worker", "Peer worker", "Sam Supervisor"]
    assert rows["ada"][1] == "Organisation admin" and rows["sam"][3] == "—"
    fragment = body(client.get("/org/accounts", headers=HX))
    assert "<html" not in fragment and "Wendy Worker" in fragment
    page = client.get(f"/org/accounts/{web.ids['wendy']}")
    assert page.status_code == 200 and "Assign a supervisor" in body(page)
    assert "Assign a supervisor" not in body(client.get(f"/org/accounts/{web.ids['sam']}"))
    fragment = body(client.get(f"/org/accounts/{web.ids['wendy']}", headers=HX))
    assert "<html" not in fragment and 'id="assign-form"' in fragment and 'id="roles-form"' in fragment


def new_account(**changes):
    form = {"username": "Newbie", "display_name": "Nia Newbie", "roles": ["peer_worker"],
            "position": "peer_worker", "starts_on": "2024-02-01", "induction_days": "60"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


@pytest.mark.parametrize("headers", [{}, HX])
def test_create_account(web, headers):
    client = web.client("ada")
    response = client.post("/org/accounts", data=new_account(), headers=headers)
    app = web.app.extensions["portfolio"].app
    person = app.person(app.find_username("newbie"))
    target = f"/org/accounts/{person.id}"
    if headers:
        assert response.status_code == 200 and response.headers["HX-Redirect"] == target
    else:
        assert response.status_code == 302 and response.headers["Location"] == target
    assert person.roles == ["peer_worker"] and app.display_name(person) == "Nia Newbie"
    assert person.positions == [{"position": "peer_worker", "starts_on": person.joined_on, "induction_days": 60}]
    assert str(person.joined_on) == "2024-02-01"
    page = body(client.get(target))
    assert "Account newbie created." in page and "Peer worker since 2024-02-01" in page
    assert person.password_hash is None  # the admin typed no password and knows none
    link = re.search(r"http://localhost(/set-password/[^ <\"]+)", page).group(1)
    newbie = web.app.test_client()
    chosen = {"new_password": "lantern orchard pebble", "confirm_password": "lantern orchard pebble"}
    assert newbie.post(link, data=chosen).status_code == 302
    assert newbie.get("/me").status_code == 200  # signed in with the password only they know
    assert newbie.post(link, data=chosen).status_code == 410  # the link worked once


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("changes, field, reason", [
    ({"username": "wendy"}, "username", "already taken"),
    ({"roles": None}, "roles", "choose at least one role"),
    ({"username": "no spaces"}, "username", "use letters, digits"),
    ({"position": "boss"}, "position", "Must be one of"),
    ({"starts_on": "2024-02-30"}, "starts_on", "Not a valid date."),
])
def test_create_account_refusals_sit_next_to_the_field(web, headers, changes, field, reason):
    response = web.client("ada").post("/org/accounts", data=new_account(**changes), headers=headers)
    html = body(response)
    assert response.status_code == 422 and f'id="e-{field}"' in html and reason in html
    assert ("<html" in html) != bool(headers)
    assert PASSWORD not in html  # the password is never sent back


@pytest.mark.parametrize("headers", [{}, HX])
def test_change_roles(web, headers):
    client, sue = web.client("ada"), web.ids["sue"]
    response = client.post(f"/org/accounts/{sue}/roles", data={"roles": ["supervisor", "auditor"]}, headers=headers)
    app = web.app.extensions["portfolio"].app
    assert app.person(sue).roles == ["auditor", "supervisor"]
    if headers:  # changed in place
        assert response.status_code == 200 and "<html" not in body(response)
        assert "Roles of sue: Auditor, Supervisor." in body(response) and 'id="roles-form"' in body(response)
        assert response.headers["HX-Retarget"] == "#account"
    else:
        assert response.status_code == 302
        assert "Roles of sue: Auditor, Supervisor." in body(client.get(response.headers["Location"]))
    refused = client.post(f"/org/accounts/{sue}/roles", data={}, headers=headers)
    assert refused.status_code == 422 and 'id="e-roles"' in body(refused)
    assert "choose at least one role" in body(refused)
    own = client.post(f"/org/accounts/{web.ids['ada']}/roles", data={"roles": ["auditor"]}, headers=headers)
    assert own.status_code == 422 and "your own organisation admin role" in body(own)
    assert app.person(web.ids["ada"]).roles == ["org_admin"]


@pytest.mark.parametrize("headers", [{}, HX])
def test_assign_and_end_a_supervisor(web, headers):
    client, wendy, sam, sue = web.client("ada"), web.ids["wendy"], web.ids["sam"], web.ids["sue"]
    app = web.app.extensions["portfolio"].app
    base = f"/org/accounts/{wendy}/assignments"
    response = client.post(base, data={"supervisor_id": str(sue), "starts_on": "2024-03-01"}, headers=headers)
    assert response.status_code == (200 if headers else 302)
    assert {a["supervisor_id"] for a in app.person(wendy).assignments} == {sam, sue}
    for form, field, reason in [
        ({"supervisor_id": str(sam), "starts_on": "2024-01-01"}, "starts_on", "already assigned"),
        ({"supervisor_id": str(web.ids["ada"]), "starts_on": "2024-01-01"}, "supervisor_id", "supervisor role"),
        ({"supervisor_id": str(wendy), "starts_on": "2024-01-01"}, "supervisor_id", "own supervisor"),
        ({"supervisor_id": str(uuid.UUID(int=9)), "starts_on": "2024-01-01"}, "supervisor_id", "no such account"),
        ({"supervisor_id": str(sue), "starts_on": "2030-01-01", "ends_on": "2029-01-01"}, "ends_on", "before"),
        ({"starts_on": "2024-01-01"}, "supervisor_id", "Missing data"),
    ]:
        refused = client.post(base, data=form, headers=headers)
        assert refused.status_code == 422 and f'id="e-{field}"' in body(refused) and reason in body(refused), form
    ended = client.post(f"{base}/end", data={"supervisor_id": str(sam), "ends_on": "2024-12-31"}, headers=headers)
    assert ended.status_code == (200 if headers else 302)
    if not headers:
        page = body(client.get(ended.headers["Location"]))
        assert "Sam Supervisor supervises wendy until 2024-12-31." in page and "Sue Other" in page
    assert [str(a["ends_on"]) for a in app.person(wendy).assignments if a["supervisor_id"] == sam] == ["2024-12-31"]
    again = client.post(f"{base}/end", data={"supervisor_id": str(sam), "ends_on": "2025-01-31"}, headers=headers)
    assert again.status_code == 422 and 'id="end-e-supervisor_id"' in body(again) and "no open-ended" in body(again)
    early = client.post(f"{base}/end", data={"supervisor_id": str(sue), "ends_on": "2020-01-01"}, headers=headers)
    assert early.status_code == 422 and 'id="end-e-ends_on"' in body(early)


# --- access --------------------------------------------------------------------------------------
def all_urls(ids):
    wendy = ids["wendy"]
    return [("get", "/org/progression"), ("get", "/org/audit"), ("get", "/org/audit.csv"), ("get", "/org/accounts"),
            ("get", f"/org/accounts/{wendy}"), ("post", "/org/accounts"), ("post", f"/org/accounts/{wendy}/roles"),
            ("post", f"/org/accounts/{wendy}/assignments"), ("post", f"/org/accounts/{wendy}/assignments/end")]


@pytest.mark.parametrize("who", ["wendy", "sam", "sue"])
@pytest.mark.parametrize("headers", [{}, HX])
def test_workers_and_supervisors_get_404_everywhere(web, who, headers):
    client = web.client(who)
    for method, url in all_urls(web.ids):
        response = getattr(client, method)(url, headers=headers, data={"roles": ["org_admin"]})
        assert response.status_code == 404, (method, url)
    assert web.app.extensions["portfolio"].app.person(web.ids["wendy"]).roles == ["peer_worker"]


@pytest.mark.parametrize("headers", [{}, HX])
def test_auditor_reads_but_never_administers(web, headers):
    client = web.client("aud")
    for method, url in all_urls(web.ids):
        response = getattr(client, method)(url, headers=headers)
        expected = 200 if url in ("/org/progression", "/org/audit", "/org/audit.csv") else 404
        assert response.status_code == expected, (method, url)
    html = body(client.get("/org/progression"))
    assert 'href="/org/accounts"' not in html


def test_anonymous_is_sent_to_log_in(web):
    client = web.client()
    for method, url in all_urls(web.ids):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url


@pytest.mark.parametrize("headers", [{}, HX])
def test_unknown_ids_are_404(web, headers):
    client, nobody, ada = web.client("ada"), uuid.UUID(int=5), web.ids["ada"]
    for method, url in [("get", f"/org/accounts/{nobody}"), ("post", f"/org/accounts/{nobody}/roles"),
                        ("post", f"/org/accounts/{nobody}/assignments"),
                        ("post", f"/org/accounts/{nobody}/assignments/end"),
                        ("post", f"/org/accounts/{ada}/assignments"),  # not a peer worker
                        ("post", f"/org/accounts/{ada}/assignments/end"),
                        ("get", "/org/accounts/not-an-id"), ("get", "/org/nothing")]:
        response = getattr(client, method)(url, headers=headers, data={"roles": ["auditor"]})
        assert response.status_code == 404, (method, url)


def test_admin_erases_a_worker_on_a_recorded_request(web, at):
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    with at("2024-05-01"):
        app.write_reflection(w, "free", "MARKERERASE", "text", [])
    ada = web.client("ada")
    page = ada.get(f"/org/accounts/{w}").get_data(as_text=True)
    assert "Erase wendy's data for good" in page and 'class="danger"' in page
    missing = ada.post(f"/org/accounts/{w}/erase", data={"reference": "email 2024-05-01"})
    assert missing.status_code == 422 and 'id="e-confirm"' in missing.get_data(as_text=True)
    wrong = ada.post(f"/org/accounts/{w}/erase", data={"reference": "email 2024-05-01", "confirm": "yes"})
    assert wrong.status_code == 422 and "type the username, wendy, to confirm" in wrong.get_data(as_text=True)
    assert app.person(w).erased_at is None
    done = ada.post(f"/org/accounts/{w}/erase", data={"reference": "email 2024-05-01", "confirm": "Wendy "})
    assert done.status_code == 302
    assert "Erased on" in ada.get(f"/org/accounts/{w}").get_data(as_text=True)
    assert app.display_name(app.person(w)).startswith("(erased person")
    assert web.client("aud").post(f"/org/accounts/{w}/erase", data={"reference": "x", "confirm": "wendy"}
                                  ).status_code == 404
