"""The inbox end to end: a worker asks for sign-off; her supervisor sees one unread in the navigation,
opens the inbox and follows the link to the request's card in the queue."""

from __future__ import annotations

import re
from uuid import uuid4

from .test_journeys import _ask_for_sign_off, _no_wcag_violations


def test_a_request_shows_in_the_supervisors_inbox(new_context, live_server):
    from playwright.sync_api import expect

    from portfolio.domain import clock

    app, tag = live_server.runtime.app, uuid4().hex[:4]
    supervisor = f"ina.super.{tag}"  # new people: the demo's have notifications of their own
    sid = app.register_person(supervisor, "Ina Inbox", ["supervisor"])
    worker = app.register_person(f"nia.worker.{tag}", "Nia Notified", ["peer_worker"])
    app.start_position(worker, "peer_worker", clock.today(), 0)
    app.assign_supervisor(worker, sid, clock.today())
    app.add_evidence(worker, "Group notes", "work_product", "Notes.", [("PRAC-1", "Basic")])

    wp = new_context(f"nia.worker.{tag}").new_page()
    wp.goto("/me/sign-off/new")
    _ask_for_sign_off(wp, "PRAC-1", ["Basic"], ["Group notes"])

    sp = new_context(supervisor, axe=True).new_page()
    sp.goto("/supervise/supervisees")
    inbox = sp.get_by_role("link", name=re.compile(r"^Inbox"))
    expect(inbox).to_have_text(re.compile(r"Inbox\s*1\s*unread"))
    inbox.click()
    expect(sp.get_by_role("heading", level=1)).to_have_text("Inbox")
    _no_wcag_violations(sp, "the inbox with one unread")
    sp.get_by_role("link", name="Nia Notified asked for sign-off of PRAC-1 (Basic)").click()
    expect(sp).to_have_url(re.compile(r"/supervise#req-[0-9a-f-]{36}$"))
    expect(sp.get_by_role("article", name=re.compile(r"^Nia Notified: PRAC-1\b"))).to_be_visible()
    sp.goto("/inbox")
    sp.get_by_role("button", name="Mark all read").click()
    expect(sp.get_by_role("status")).to_have_text("0 unread")
    expect(sp.get_by_role("link", name=re.compile(r"^Inbox"))).to_have_text("Inbox")
