"""The supervisor reads a shared reflection in full, and decides in place with the queue count
following (issue 10)."""

from __future__ import annotations

import re
from uuid import uuid4

from .conftest import axe_violations, describe_violations, login


def _worker(live_server):
    app = live_server.app.extensions["portfolio"].app
    return app, app.find_username(live_server.scenario.worker)


def test_supervisor_reads_a_shared_reflection(new_context, live_server, scenario, shoot):
    from playwright.sync_api import expect

    app, wid = _worker(live_server)
    title = f"Shared for supervision {uuid4().hex[:4]}"
    rid = app.write_reflection(wid, "free", title, "What I noticed about boundaries this week.", [])
    app.change_exposure(wid, "reflection", rid, "supervisors")

    page = new_context(axe=True).new_page()
    login(page, scenario.supervisor, scenario.password)
    page.goto(f"/supervise/workers/{wid}/summary")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text("What I noticed about boundaries this week.")
    shoot(page, "supervisor-reflection")
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
    assert any(str(r["item_id"]) == str(rid) and r["where"] == "shared reflection" for r in app.access_log(wid))


def test_deciding_in_place_updates_the_queue_count(new_context, live_server, scenario):
    from playwright.sync_api import expect

    app, wid = _worker(live_server)
    pf = app.portfolio(wid)
    busy = {r["competence"] for r in pf.requests.values() if r["status"] == "open"} | {scenario.competence}
    competence = next(c["code"] for c in app.framework_document("worker-competences")["items"]
                      if c["code"] not in busy and "Basic" not in pf.held_levels(c["code"]))
    ev = app.add_evidence(wid, "Count test notes", "work_product", "", [(competence, "Basic")])
    app.request_sign_off(wid, competence, ["Basic"], [ev])

    page = new_context(axe=True).new_page()
    login(page, scenario.supervisor, scenario.password)
    count = page.locator("#queue-count")
    before = int(re.match(r"\d+", count.inner_text()).group(0))
    card = page.get_by_role("article").filter(has_text="Count test notes")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(card).to_contain_text("Approved")
    expect(count).to_have_text(re.compile(rf"^{before - 1} open requests?\.$"))
    expect(page).to_have_url(re.compile(r"/supervise$"))  # in place: no reload


def test_worker_shares_a_goal_and_the_supervisor_reads_it_in_the_summary(new_context, live_server, scenario):
    from playwright.sync_api import expect

    app, wid = _worker(live_server)
    text = f"Co-facilitate a recovery group {uuid4().hex[:4]}"
    gid = app.set_goal(wid, text, ["GOAL-1"], None)
    app.review_goal(wid, gid, "open", 7, "Asked the team lead for a slot.")

    worker = new_context(axe=True).new_page()
    login(worker, scenario.worker, scenario.password)
    worker.goto("/me/goals")
    worker.get_by_label(f"Who can read the goal {text}").select_option("supervisors")
    worker.get_by_role("button", name=f"Change who can read the goal {text}").click()
    expect(worker.get_by_role("main")).to_contain_text("Shared: your current supervisor can read it.")

    page = new_context(axe=True).new_page()
    login(page, scenario.supervisor, scenario.password)
    page.goto(f"/supervise/workers/{wid}/summary")
    goals = page.get_by_role("region", name=re.compile(r"^Goals \(scrolls"))
    expect(goals).to_contain_text(text)
    expect(goals).to_contain_text("Asked the team lead for a slot.")
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
    assert any(str(r["item_id"]) == str(gid) and r["where"] == "supervision summary" for r in app.access_log(wid))
