"""The worker finds a reflection through a filtered list, opens it, amends it and reads both versions."""

from __future__ import annotations

import re
from uuid import uuid4

from .conftest import axe_violations, describe_violations, login


def test_find_open_amend_and_read_both_versions(new_context, live_server, scenario, shoot):
    from playwright.sync_api import expect

    from portfolio.domain import clock

    app = live_server.runtime.app
    title = f"GROW: a group of my own {uuid4().hex[:4]}"
    app.write_reflection(app.find_username(scenario.worker), "grow", title,
                         {"G": "Run a peer group.", "R": "I co-facilitate now."}, [scenario.competence])

    context = new_context(axe=True)
    page = context.new_page()
    login(page, scenario.worker, scenario.password)
    page.get_by_role("navigation", name="My lists").get_by_role("link", name="My reflections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reflections")
    page.get_by_label("Template").select_option("grow")
    page.get_by_label("Competence").select_option(scenario.competence)
    page.get_by_label("From").fill(clock.today().isoformat())
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"template=grow"))
    expect(page.get_by_role("table")).to_contain_text(title)
    shoot(page, "my-reflections")
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)

    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Goal", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Reality", exact=True)).to_be_visible()

    page.get_by_role("link", name="Amend this reflection").click()
    expect(page.get_by_label("Goal", exact=True)).to_have_value("Run a peer group.")
    page.get_by_label("Goal", exact=True).fill("Run a peer group every month.")
    page.get_by_role("button", name="Save the new version").click()
    expect(page.get_by_role("status")).to_contain_text("Reflection amended")
    expect(page.get_by_role("main")).to_contain_text("Run a peer group every month.")
    versions = page.locator("ol.versions li")
    expect(versions).to_have_count(2)
    shoot(page, "reflection-versions")

    page.get_by_role("link", name=re.compile(r"^Version 1,")).click()
    expect(page.get_by_role("main")).to_contain_text("You are reading version 1 of 2")
    expect(page.get_by_role("main")).to_contain_text("Run a peer group.")
    expect(page.get_by_role("main")).not_to_contain_text("every month")


def test_the_lists_fit_a_phone(new_context, live_server, scenario):
    """At 390 px wide the list and reflection pages scroll only downwards."""
    context = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, scenario.worker, scenario.password)
    for kind in ("reflections", "evidence", "training", "supervision", "goals"):
        page.goto(f"/me/{kind}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"/me/{kind} is {width}px wide at 390px"
    page.goto("/me/reflections")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
