"""An erasure request end to end: a worker asks from My privacy; an admin sees it in the inbox and on
the accounts page, declines it with a reason, and the worker sees the decision."""

from __future__ import annotations

import re
from uuid import uuid4

from .test_journeys import _no_wcag_violations


def test_a_worker_asks_and_an_admin_sees_and_declines(new_context, live_server):
    from playwright.sync_api import expect

    from portfolio.domain import clock

    app, tag = live_server.runtime.app, uuid4().hex[:4]
    worker, admin = f"eri.worker.{tag}", f"ada.erase.{tag}"  # new people: the demo's have their own inboxes
    wid = app.register_person(worker, f"Erin Erasure {tag}", ["peer_worker"])
    app.start_position(wid, "peer_worker", clock.today(), 0)
    app.register_person(admin, "Adele Admin", ["org_admin"])

    wp = new_context(worker, axe=True).new_page()
    wp.goto("/me/privacy")
    wp.get_by_role("link", name="Ask for my record to be erased").click()
    expect(wp.get_by_role("heading", level=1)).to_have_text("Ask for your record to be erased")
    expect(wp.get_by_text("It cannot be undone.")).to_be_visible()
    wp.get_by_label(re.compile("I understand that erasure")).check()
    wp.get_by_role("button", name="Ask for my record to be erased").click()
    expect(wp.locator("#erasure-state")).to_contain_text("Open")
    _no_wcag_violations(wp, "the erasure page with an open request")

    ap = new_context(admin, axe=True).new_page()
    ap.goto("/inbox")
    ap.get_by_role("link", name=f"Erin Erasure {tag} asked for their record to be erased").click()
    expect(ap).to_have_url(re.compile(rf"/org/accounts/{wid}$"))
    expect(ap.locator("#erasure-request")).to_contain_text("Erasure requested")
    _no_wcag_violations(ap, "an account with an open erasure request")

    ap.goto("/org/accounts")
    ap.get_by_label("Only those who asked to be erased").check()
    ap.get_by_role("button", name="Find").click()
    row = ap.get_by_role("row", name=re.compile(rf"^{re.escape(worker)} erasure requested"))
    expect(row).to_be_visible()
    expect(ap.get_by_role("row", name=re.compile(rf"^{re.escape(admin)}\b"))).to_have_count(0)

    row.get_by_role("link", name=re.compile("^Manage")).click()
    ap.get_by_label(re.compile("^Why the request is declined")).fill("Accreditation audit in progress until June.")
    ap.get_by_role("button", name="Decline the erasure request").click()
    expect(ap.locator("#erasure-request")).to_contain_text("The last one was declined")

    wp.goto("/me/erasure")
    expect(wp.locator("#erasure-state")).to_contain_text("Accreditation audit in progress until June.")
    wp.goto("/inbox")
    expect(wp.get_by_role("link", name="Adele Admin declined your erasure request")).to_be_visible()
