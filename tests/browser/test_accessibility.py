"""axe-core on every main page for each role: zero WCAG 2.x A/AA violations.

Pages are named by endpoint (as in templates/base.html), so a page that moves keeps its check.
Forms are checked as first shown and again showing their validation errors.
"""

from __future__ import annotations

import pytest
from flask import url_for

from .conftest import axe_violations, describe_violations

# (role, endpoint, URL values by name, what to do before the check: None or "submit-empty")
PAGES = [
    (None, "home", {}, None),
    (None, "auth.login", {}, None),
    (None, "auth.login", {}, "submit-empty"),
    (None, "frameworks.index", {}, None),
    (None, "frameworks.show", {"framework_id": "worker-competences"}, None),
    (None, "frameworks.show", {"framework_id": "levels-of-use"}, None),
    ("worker", "worker.dashboard", {}, None),
    ("worker", "worker.timeline", {}, None),
    ("worker", "worker.reflection", {"reflection_id": "worker.reflection"}, None),
    ("worker", "worker.new_reflection", {}, None),
    ("worker", "worker.new_reflection", {"template": "grow"}, "submit-empty"),
    ("worker", "worker.new_evidence", {}, None),
    ("worker", "worker.new_evidence", {}, "submit-empty"),
    ("worker", "worker.new_training", {}, None),
    ("worker", "worker.new_training", {}, "submit-empty"),
    ("worker", "worker.request_sign_off", {}, None),
    ("worker", "worker.request_sign_off", {}, "submit-empty"),
    ("supervisor", "supervisor.queue", {}, None),
    ("supervisor", "supervisor.supervisees", {}, None),
    ("supervisor", "supervisor.summary", {"worker_id": "worker.id"}, None),
    ("supervisor", "supervisor.new_supervision", {"worker_id": "worker.id"}, None),
    ("supervisor", "supervisor.new_supervision", {"worker_id": "worker.id"}, "submit-empty"),
    ("admin", "org.progression", {}, None),
    ("admin", "org.audit", {}, None),
    ("admin", "org.accounts", {}, None),
    ("auditor", "org.progression", {}, None),
    ("auditor", "org.audit", {}, None),
    ("worker", "frameworks.show", {"framework_id": "worker-competences"}, None),
    ("worker", "worker.reflection", {"reflection_id": "nothing"}, None),  # the 404 page
]


# An empty submission: no browser-side validation, every typed-in value cleared.
CLEAR_FORM = """form => {
  form.noValidate = true;
  for (const el of form.querySelectorAll("input, textarea")) {
    if (["text", "date", "number", "password", "email", "search"].includes(el.type) || el.tagName === "TEXTAREA") {
      el.value = "";
    }
  }
}"""


def _username(scenario, role):
    return {None: None, "worker": scenario.worker, "supervisor": scenario.supervisor, "admin": scenario.admin,
            "auditor": scenario.auditor}[role]


def _values(live_server, values: dict) -> dict:
    app = live_server.runtime.app
    worker_id = app.find_username(live_server.scenario.worker)
    known = {"worker.id": str(worker_id), "nothing": "00000000-0000-4000-8000-000000000000"}
    pf = app.portfolio(worker_id)
    if pf.reflections:
        known["worker.reflection"] = next(iter(pf.reflections))
    return {k: known.get(v, v) for k, v in values.items()}


@pytest.mark.parametrize("role, endpoint, values, action", PAGES,
                         ids=[f"{r or 'anonymous'}-{e}{'-' + a if a else ''}" for r, e, _v, a in PAGES])
def test_page_has_no_wcag_violations(new_context, live_server, role, endpoint, values, action):
    context = new_context(_username(live_server.scenario, role), axe=True)
    with live_server.app.test_request_context():
        url = url_for(endpoint, **_values(live_server, values))
    page = context.new_page()
    response = page.goto(url)
    expected = 404 if "nothing" in values.values() else 200
    assert response.status == expected, f"{url} as {role or 'anonymous'}: {response.status}"
    if action == "submit-empty":
        form = page.locator("main form[method=post]").last
        form.evaluate(CLEAR_FORM)
        with page.expect_response(lambda r: r.request.method == "POST"):
            form.locator("[type=submit]").last.click()
        page.wait_for_load_state()
        assert page.locator("[aria-invalid=true], .error, [role=alert]").count() > 0, "no errors shown"
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
