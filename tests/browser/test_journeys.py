"""The main journey of each role, end to end in Chromium, through real forms with real CSRF tokens.

A worker reflects (GROW), adds evidence and asks for the next level of a competence; her supervisor
returns it with feedback from the queue in place (htmx, no page load); the worker reads the feedback,
adds evidence and asks again; the supervisor approves in place; an auditor finds the decision in the
audit trail and downloads it as CSV; an admin creates an account and assigns it to the supervisor.
"""

from __future__ import annotations

import csv
import io
import re
from uuid import uuid4

from .conftest import axe_violations, describe_violations, login

MARKER = "window.__sameDocument"


def _stay_in_place(page) -> list[str]:
    """Mark the document and record main-frame navigations: an in-place update keeps both as they are."""
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.evaluate(f"{MARKER} = 'still here'")
    return navigations


def _assert_same_document(page, navigations: list[str]) -> None:
    assert page.evaluate(MARKER) == "still here", "the page was reloaded: the decision did not happen in place"
    assert navigations == [], f"the main frame navigated: {navigations}"


def _no_wcag_violations(page, state: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{state}: " + describe_violations(page.url, violations)


def _add_evidence(page, title: str, claim: str, description: str, file: dict | None = None) -> None:
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My portfolio").click()
    page.get_by_role("link", name="Add evidence", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    page.get_by_role("textbox", name="Title", exact=True).fill(title)
    page.get_by_label("Kind of evidence").select_option("work_product")
    page.get_by_label("Description").fill(description)
    page.get_by_role("checkbox", name=claim, exact=True).check()
    if file:
        page.get_by_label("File (optional)").set_input_files(file)
    page.get_by_role("button", name="Add evidence", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Evidence added")
    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")


def _ask_for_sign_off(page, competence: str, levels: list[str], evidence_titles: list[str], shoot=None) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a sign-off")
    page.get_by_label("Competence").select_option(competence)
    for level in levels:
        page.get_by_role("checkbox", name=level, exact=True).check()
    for title in evidence_titles:
        page.get_by_role("checkbox", name=re.compile(re.escape(title))).check()
    if shoot:
        shoot(page, "sign-off-form")
    page.get_by_role("button", name="Ask for sign-off").click()
    expect(page.get_by_role("status")).to_contain_text(f"Sign-off of {competence} at {' + '.join(levels)} requested")


def test_sign_off_journey(new_context, live_server, scenario, shoot):
    from playwright.sync_api import expect

    s = scenario
    run = uuid4().hex[:4]  # the new account's username, unique on a server that lives for the session
    asked = " + ".join(s.levels)
    reflection_title = "GROW: confidence in groups"
    first_evidence = "Group session notes"
    second_evidence = "Co-facilitation record"
    feedback = "Please add an example of co-facilitating a group."

    # --- the worker logs in, reflects with GROW, adds evidence and asks for the next level -------------
    worker = new_context()
    wp = worker.new_page()
    login(wp, s.worker, s.password)
    expect(wp).to_have_url(re.compile(r"/me$"))
    expect(wp.get_by_role("heading", level=1)).to_have_text("My portfolio")
    expect(wp.get_by_role("table", name=re.compile("^Competences by level"))).to_contain_text(s.competence)
    shoot(wp, "worker-dashboard")

    wp.get_by_role("link", name="Write a reflection").click()
    expect(wp.get_by_role("heading", level=1)).to_have_text("Write a reflection")
    expect(wp.get_by_label("Goal", exact=True)).to_have_count(0)
    wp.get_by_label("Template").select_option("grow")  # htmx swaps in the GROW sections
    expect(wp.get_by_label("Goal", exact=True)).to_be_visible()
    wp.get_by_role("textbox", name="Title", exact=True).fill(reflection_title)
    wp.get_by_label("Goal", exact=True).fill("Feel confident sharing my recovery story in groups.")
    wp.get_by_label("Reality", exact=True).fill("I share one-to-one but hold back in groups.")
    wp.get_by_label("Options", exact=True).fill("Co-facilitate with an experienced peer; plan what to share.")
    wp.get_by_label("Will", exact=True).fill("Co-facilitate the Thursday group twice this month.")
    wp.get_by_role("group", name="Competences this reflection relates to") \
        .get_by_role("checkbox", name=re.compile(rf"^{re.escape(s.competence)}\b")).check()
    wp.get_by_label("Me and my current supervisor").check()
    shoot(wp, "reflection-form")
    wp.get_by_role("button", name="Save reflection").click()
    expect(wp.get_by_role("heading", level=1)).to_have_text(reflection_title)
    expect(wp.get_by_role("status")).to_contain_text("Your supervisor can read it")
    expect(wp.get_by_role("main")).to_contain_text("Co-facilitate the Thursday group twice this month.")

    claim = f"{s.competence} {s.levels[-1]}"
    _add_evidence(wp, first_evidence, claim, "Notes from two group sessions, without details of the people there.",
                  file={"name": "group-notes.txt", "mimeType": "text/plain",
                        "buffer": b"Two group sessions: what I shared and why.\n"})
    wp.get_by_role("link", name="Ask for a sign-off", exact=True).click()
    _ask_for_sign_off(wp, s.competence, s.levels, [first_evidence], shoot=shoot)
    waiting = wp.locator("section").filter(has=wp.get_by_role("heading", name="Waiting for my supervisor"))
    expect(waiting).to_contain_text(f"{s.competence} at {asked}")

    # --- the supervisor returns it with feedback, in place --------------------------------------------
    supervisor = new_context(axe=True)
    sp = supervisor.new_page()
    login(sp, s.supervisor, s.password)
    expect(sp).to_have_url(re.compile(r"/supervise$"))
    expect(sp.get_by_role("heading", level=1)).to_have_text("Sign-off queue")
    card = sp.get_by_role("article", name=re.compile(rf"^{re.escape(s.worker_name)}: {re.escape(s.competence)}\b"
                                                     rf".* at {re.escape(asked)}$"))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(first_evidence)
    expect(card).to_contain_text("Notes from two group sessions")  # shared with the request
    expect(card.get_by_role("link", name=re.compile("^Download the file"))).to_be_visible()
    shoot(sp, "supervisor-queue")

    navigations = _stay_in_place(sp)
    card.get_by_role("button", name=re.compile("^Return with feedback")).click()  # no feedback yet: refused
    expect(card.get_by_role("alert").or_(card.locator(".error")).first).to_be_visible()
    expect(card.get_by_label(re.compile("^Feedback for"))).to_have_attribute("aria-invalid", "true")
    _no_wcag_violations(sp, "the queue with a refused decision swapped in")
    card.get_by_label(re.compile("^Feedback for")).fill(feedback)
    card.get_by_role("button", name=re.compile("^Return with feedback")).click()
    expect(card.get_by_role("status")).to_contain_text("Returned with feedback")
    _assert_same_document(sp, navigations)

    # --- the worker reads the feedback, adds evidence and asks again -----------------------------------
    wp.get_by_role("navigation", name="Main").get_by_role("link", name="My portfolio").click()
    returned = wp.get_by_role("article").filter(has_text=feedback)
    expect(returned).to_have_count(1)
    expect(returned.get_by_role("heading")).to_contain_text(f"{s.competence} at {asked}")
    expect(waiting).to_have_count(0)
    _add_evidence(wp, second_evidence, claim, "Record of co-facilitating the Thursday group twice.")
    wp.get_by_role("article").filter(has_text=feedback).get_by_role("link", name="Add evidence and ask again").click()
    expect(wp.get_by_label("Competence")).to_have_value(s.competence)  # chosen by the link
    _ask_for_sign_off(wp, s.competence, s.levels, [first_evidence, second_evidence])

    # --- the supervisor approves, in place -------------------------------------------------------------
    sp.reload()
    expect(card).to_have_count(1)
    expect(card).to_contain_text(second_evidence)
    navigations = _stay_in_place(sp)
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(card.get_by_role("status")).to_contain_text("Approved by you")
    _assert_same_document(sp, navigations)

    card.get_by_role("link", name=re.compile("^Supervision summary")).click()
    expect(sp.get_by_role("heading", level=1)).to_have_text(f"Supervision summary: {s.worker_name}")
    shared = sp.get_by_role("region", name="Reflections shared with you")
    expect(shared).to_contain_text(reflection_title)  # the worker shared it; its body stays hers
    expect(sp.get_by_role("main")).not_to_contain_text("hold back in groups")
    shoot(sp, "supervision-summary")

    wp.reload()
    expect(wp.get_by_role("table", name=re.compile("^Competences by level"))).to_contain_text("Signed")
    pf = live_server.runtime.app.portfolio(live_server.runtime.app.find_username(s.worker))
    approved = [rid for rid, r in pf.requests.items()
                if r["status"] == "approved" and r["competence"] == s.competence and r["levels"] == s.levels]
    assert len(approved) == 1

    # --- an auditor finds the decision and downloads it ------------------------------------------------
    auditor = new_context(axe=True)
    ap = auditor.new_page()
    login(ap, s.auditor, s.password)
    expect(ap.get_by_role("heading", level=1)).to_have_text("Organisation progression")
    shoot(ap, "progression")
    ap.get_by_role("navigation", name="Main").get_by_role("link", name="Audit", exact=True).click()
    expect(ap.get_by_role("heading", level=1)).to_have_text("Accreditation audit trail")
    ap.get_by_label("Competence").select_option(s.competence)
    ap.get_by_role("button", name="Show decisions").click()
    expect(ap).to_have_url(re.compile(rf"competence={re.escape(s.competence)}"))
    rows = ap.locator("#audit-results tbody tr")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert s.competence in text, f"the filter let through a row of another competence: {text!r}"
    mine = rows.filter(has_text=s.worker_name).filter(has_text=asked)
    expect(mine.last).to_contain_text("Approved")  # oldest first: the decision just made is the last
    expect(mine.filter(has_text="Returned")).not_to_have_count(0)
    for title in (first_evidence, second_evidence):  # evidence titles are the worker's words: kind and date only
        expect(ap.get_by_role("main")).not_to_contain_text(title)
    expect(ap.get_by_role("main")).not_to_contain_text(feedback)  # metadata only
    _no_wcag_violations(ap, "the audit trail with filtered results swapped in")
    shoot(ap, "audit-report")

    with ap.expect_download() as download_info:
        ap.get_by_role("link", name="Download these as CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    table = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    header, body = table[0], table[1:]
    row = next((r for r in body if r[0] == approved[0]), None)
    assert row is not None, f"request {approved[0]} not in the CSV:\n{table}"
    record = dict(zip(header, row))
    assert s.competence in row and s.worker_name in row and "approved" in row, record
    assert all(s.competence in r for r in body), "the CSV ignored the competence filter"
    assert not any(feedback in cell for r in body for cell in r)

    # --- an admin creates a peer worker's account and assigns the supervisor ---------------------------
    admin = new_context()
    dp = admin.new_page()
    login(dp, s.admin, s.password)
    dp.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    expect(dp.get_by_role("heading", level=1)).to_have_text("Accounts")
    shoot(dp, "accounts")
    username = f"new.worker.{run}"
    create = dp.locator("#create-account")
    create.get_by_label("Username").fill(username)
    create.get_by_label("Display name").fill("Nia Newcomer")
    create.get_by_role("checkbox", name="Peer worker").check()
    create.get_by_label("Position", exact=True).select_option("peer_worker")
    create.get_by_role("button", name="Create the account").click()
    expect(dp.get_by_role("heading", level=1)).to_contain_text("Nia Newcomer")
    expect(dp.get_by_role("status")).to_contain_text(f"Account {username} created")
    link = re.search(r"https?://\S+/set-password/\S+", dp.get_by_role("status").inner_text()).group(0)
    assign = dp.locator("#assign-form")
    supervisor_id = str(live_server.runtime.app.find_username(s.supervisor))
    assign.get_by_label("Supervisor").select_option(supervisor_id)
    assign.get_by_role("button", name="Assign").click()
    expect(dp.get_by_role("status")).to_contain_text(f"supervises {username}")

    sp.get_by_role("navigation", name="Main").get_by_role("link", name="Supervisees").click()
    expect(sp.get_by_role("table")).to_contain_text("Nia Newcomer")

    # --- the newcomer follows the one-time link and chooses a password the admin never sees ----------
    newcomer = new_context()
    np_ = newcomer.new_page()
    np_.goto(link)
    expect(np_.get_by_role("heading", level=1)).to_have_text("Choose your password")
    np_.locator("#f-new_password").fill("lantern orchard pebble")
    np_.locator("#f-confirm_password").fill("lantern orchard pebble")
    np_.get_by_role("button", name="Set password").click()
    expect(np_.get_by_role("button", name=f"Log out {username}")).to_be_visible()

    problems = [item for context in (worker, supervisor, auditor, admin, newcomer) for item in context.problems.items]
    assert problems == [], "JavaScript or console errors on the way:\n" + "\n".join(problems)


def test_forms_need_their_csrf_token(new_context, scenario):
    """The journeys pass through CSRF protection, not around it: without the token a form is refused."""
    from playwright.sync_api import expect

    page = new_context(scenario.worker).new_page()
    page.goto("/me/evidence/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    token = page.locator("input[name=csrf_token]").first.input_value()
    form = {"title": "Without a token", "kind": "work_product", "claims": f"{scenario.competence}:Basic"}
    refused = page.request.post("/me/evidence/new", form=form, max_redirects=0)
    assert refused.status == 400 and "Form expired" in refused.text()
    htmx = page.request.post("/me/evidence/new", form=form, headers={"HX-Request": "true"}, max_redirects=0)
    assert htmx.status == 400
    accepted = page.request.post("/me/evidence/new", form=dict(form, csrf_token=token), max_redirects=0)
    assert accepted.status == 302, accepted.status


def test_a_wrong_password_is_refused_in_words(new_context, scenario):
    from playwright.sync_api import expect

    page = new_context().new_page()
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/login\?next=/me$"))
    page.get_by_role("textbox", name="Username").fill(scenario.worker)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("That username and password do not match an account.")
    expect(page.get_by_role("button", name=re.compile("^Log out"))).to_have_count(0)


def test_a_decision_works_as_a_plain_form_without_htmx(new_context, live_server, scenario):
    """With htmx blocked, the queue's forms still post and answer whole pages: a refused decision shows
    the card page with its error (checked by axe), an accepted one goes back to the queue."""
    from playwright.sync_api import expect

    from portfolio.domain import clock

    app = live_server.runtime.app  # a worker of the journey's supervisor, with a request of her own
    name = "Pat Plainform"
    worker = app.register_person(f"pat.plainform.{uuid4().hex[:4]}", name, ["peer_worker"])
    app.start_position(worker, "peer_worker", clock.today(), 0)
    app.assign_supervisor(worker, app.find_username(scenario.supervisor), clock.today())
    evidence = app.add_evidence(worker, "Peer group notes", "work_product", "Notes.", [("PRAC-1", "Basic")])
    app.request_sign_off(worker, "PRAC-1", "Basic", [evidence])

    context = new_context(scenario.supervisor, axe=True)
    context.route(re.compile(r".*/htmx-[0-9.]+\.min\.js$"), lambda route: route.abort())
    page = context.new_page()
    page.goto("/supervise")
    assert page.evaluate("typeof window.htmx") == "undefined"
    card = page.get_by_role("article", name=re.compile(rf"^{re.escape(name)}: PRAC-1\b"))
    with page.expect_navigation():
        card.get_by_role("button", name=re.compile("^Return with feedback")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-off decision")
    feedback = page.get_by_label(re.compile("^Feedback for"))
    expect(feedback).to_have_attribute("aria-invalid", "true")
    _no_wcag_violations(page, "the card page with a refused decision")
    feedback.fill("Please add what you did in the group, in your own words.")
    page.get_by_role("button", name=re.compile("^Return with feedback")).click()
    expect(page).to_have_url(re.compile(r"/supervise$"))
    expect(page.locator(".flash")).to_contain_text(f"PRAC-1 at Basic for {name}: Returned with feedback")
    context.unroute(re.compile(r".*/htmx-[0-9.]+\.min\.js$"))


def test_auditor_pages_through_the_audit_and_admin_filters_accounts(new_context, live_server, scenario, monkeypatch):
    """Two decisions a page: the auditor follows Next and Previous in place (htmx) and the filter stays;
    the admin finds accounts by role and by part of a name."""
    from playwright.sync_api import expect

    monkeypatch.setattr("portfolio.web.org.AUDIT_PER_PAGE", 2)
    total = live_server.runtime.read_models().audit_count(status="approved")
    assert total > 2, "the demo history has too few approved decisions to page through"
    ap = new_context(scenario.auditor, axe=True).new_page()
    ap.goto(f"{live_server.url}/org/audit")
    ap.get_by_label("Decision", exact=True).select_option("approved")
    ap.get_by_role("button", name="Show decisions").click()
    expect(ap.locator("#audit-results")).to_contain_text(f"{total} decisions; showing 1–2")
    nav = ap.get_by_role("navigation", name="Pages of decisions (top)")
    nav.get_by_role("link", name="Next page").click()
    expect(ap).to_have_url(re.compile(r"status=approved.*page=2|page=2.*status=approved"))
    expect(ap.locator("#audit-results")).to_contain_text(f"{total} decisions; showing 3–")
    for text in ap.locator("#audit-results tbody tr").all_inner_texts():
        assert "Approved" in text, text
    _no_wcag_violations(ap, "the audit's second page")
    nav.get_by_role("link", name="Previous page").click()
    expect(ap.locator("#audit-results")).to_contain_text("showing 1–2")

    dp = new_context(scenario.admin, axe=True).new_page()
    dp.goto(f"{live_server.url}/org/accounts")
    dp.get_by_label("Role").select_option("supervisor")
    dp.get_by_role("button", name="Find").click()
    expect(dp).to_have_url(re.compile(r"role=supervisor"))
    rows = dp.locator("#accounts-list tbody tr")
    expect(rows.filter(has_text=scenario.supervisor)).to_have_count(1)
    for text in rows.all_inner_texts():
        assert "Supervisor" in text, text
    dp.get_by_label("Username or name contains").fill(scenario.worker_name.split()[0])
    dp.get_by_label("Role").select_option("")
    dp.get_by_role("button", name="Find").click()
    expect(rows.filter(has_text=scenario.worker_name)).not_to_have_count(0)
    expect(dp.locator("#accounts-list")).to_contain_text("Active")
    _no_wcag_violations(dp, "the accounts list, searched")
