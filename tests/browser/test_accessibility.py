"""axe-core on every main page for each role: zero WCAG 2.x A/AA violations.

Pages are named by endpoint (as in templates/base.html), so a page that moves keeps its check.
Forms are checked as first shown and again showing their validation errors.
"""

from __future__ import annotations

import pytest
from flask import url_for

from portfolio.domain.programmes import Programme

from .conftest import axe_violations, describe_violations

# (role, endpoint, URL values by name (and query), what to do first: None or "submit-empty", status)
PAGES = [
    (None, "home", {}, None, 200),
    (None, "auth.login", {}, None, 200),
    (None, "auth.login", {}, "submit-empty", 200),
    (None, "frameworks.index", {}, None, 200),
    (None, "frameworks.show", {"framework_id": "worker-competences"}, None, 200),
    (None, "frameworks.show", {"framework_id": "levels-of-use"}, None, 200),
    ("worker", "worker.dashboard", {}, None, 200),
    ("worker", "worker.dashboard", {"as_of": "worker.joined"}, None, 200),
    ("worker", "worker.timeline", {}, None, 200),
    ("worker", "worker.reflection", {"reflection_id": "worker.reflection"}, None, 200),
    ("worker", "worker.new_reflection", {}, None, 200),
    *[("worker", "worker.my_list", {"kind": kind}, None, 200)
      for kind in ("reflections", "evidence", "training", "supervision", "goals")],
    ("worker", "worker.my_list", {"kind": "evidence", "start": "2025-02-01", "end": "2025-01-01"}, None, 422),
    ("worker", "worker.reflection", {"reflection_id": "worker.reflection", "version": 1}, None, 200),
    ("worker", "worker.amend_reflection", {"reflection_id": "worker.reflection"}, None, 200),
    ("worker", "worker.amend_reflection", {"reflection_id": "worker.reflection"}, "submit-empty", 200),
    ("worker", "worker.withdraw_evidence", {"evidence_id": "worker.evidence"}, None, 200),
    ("worker", "worker.item_tags", {"kind": "reflections", "item_id": "worker.reflection"}, None, 200),
    ("worker", "worker.item_tags", {"kind": "evidence", "item_id": "worker.evidence"}, None, 200),
    ("worker", "worker.my_list", {"kind": "reflections", "tag": "who-roles:ROLE-1"}, None, 200),
    ("worker", "worker.my_list", {"kind": "evidence", "tag": "who-roles:ROLE-99"}, None, 422),
    ("worker", "worker.new_reflection", {"template": "grow"}, "submit-empty", 200),
    ("worker", "worker.new_evidence", {}, None, 200),
    ("worker", "worker.new_evidence", {}, "submit-empty", 200),
    ("worker", "worker.new_training", {}, None, 200),
    ("worker", "worker.new_training", {}, "submit-empty", 200),
    ("worker", "worker.request_sign_off", {}, None, 200),
    ("worker", "worker.request_sign_off", {}, "submit-empty", 200),
    ("worker", "worker.privacy", {}, None, 200),
    ("worker", "worker.exposure_history", {"kind": "reflection", "item_id": "worker.reflection"}, None, 200),
    ("worker", "worker.subject_access", {"fmt": "html"}, None, 200),
    ("supervisor", "supervisor.queue", {}, None, 200),
    ("supervisor", "supervisor.supervisees", {}, None, 200),
    ("supervisor", "supervisor.summary", {"worker_id": "worker.id"}, None, 200),
    ("supervisor", "supervisor.new_supervision", {"worker_id": "worker.id"}, None, 200),
    ("supervisor", "supervisor.reflection", {"worker_id": "worker.id", "reflection_id": "worker.shared"}, None, 200),
    ("supervisor", "supervisor.new_supervision", {"worker_id": "worker.id"}, "submit-empty", 200),
    ("admin", "org.progression", {}, None, 200),
    ("admin", "org.progression", {"as_of": "worker.joined"}, None, 200),
    ("admin", "org.audit", {}, None, 200),
    ("admin", "org.audit", {"start": "2025-02-01", "end": "2025-01-01"}, None, 422),
    ("admin", "org.accounts", {}, None, 200),
    ("admin", "org.accounts", {}, "submit-empty", 200),
    ("admin", "org.accounts", {"q": "work", "status": "active"}, None, 200),
    ("admin", "org.accounts", {"status": "gone"}, None, 422),
    ("admin", "org.audit", {"status": "approved", "page": "2"}, None, 200),
    ("admin", "org.account", {"person_id": "worker.id"}, None, 200),
    ("worker", "buddies.meetings", {}, None, 200),
    ("worker", "buddies.meetings", {}, "submit-empty", 200),
    ("supervisor", "leave.page", {"worker_id": "worker.id"}, None, 200),
    ("admin", "leave.page", {"worker_id": "worker.id"}, "submit-empty", 200),
    ("admin", "self_assessment.index", {}, None, 200),
    ("admin", "self_assessment.new", {}, None, 200),
    ("admin", "self_assessment.new", {"blank": "1"}, "submit-empty", 200),
    ("auditor", "self_assessment.index", {}, None, 200),
    ("worker", "worker.new_reflection", {"template": "ideal_helper"}, None, 200),
    ("worker", "worker.new_reflection", {"template": "circles_of_helpers"}, "submit-empty", 200),
    (None, "frameworks.show", {"framework_id": "org-self-assessment"}, None, 200),
    (None, "frameworks.show", {"framework_id": "support-types"}, None, 200),
    ("worker", "auth.change_password", {}, None, 200),
    ("worker", "auth.change_password", {}, "submit-empty", 200),
    ("auditor", "org.progression", {}, None, 200),
    ("auditor", "org.audit", {}, None, 200),
    ("worker", "frameworks.show", {"framework_id": "worker-competences"}, None, 200),
    ("worker", "worker.reflection", {"reflection_id": "nothing"}, None, 404),  # the error page
    ("worker", "inbox.index", {}, None, 200),
    ("supervisor", "inbox.index", {}, None, 200),
    ("admin", "inbox.index", {}, None, 200),
    ("admin", "org_due.due", {}, None, 200),
    ("admin", "org_due.due", {"status": "soon"}, None, 200),
    ("admin", "org_due.due", {"status": "late"}, None, 422),
    ("auditor", "org_due.due", {}, None, 200),
    ("admin", "org_settings.settings", {}, None, 200),
    ("admin", "org_settings.settings", {}, "submit-empty", 200),
    ("auditor", "org_settings.settings", {}, None, 200),
    ("worker", "erasure.page", {}, None, 200),
    ("worker", "erasure.page", {}, "submit-empty", 200),
    ("supervisor", "erasure.page", {}, None, 200),
    ("admin", "org.accounts", {"erasure": "requested"}, None, 200),
    ("admin", "programmes.programmes", {}, None, 200),
    ("admin", "programmes.programmes", {}, "submit-empty", 200),
    ("admin", "programmes.programme", {"programme_id": "programme.hee"}, None, 200),
    ("admin", "programmes.programme", {"programme_id": "programme.hee"}, "submit-empty", 200),
    ("admin", "programmes.edit_session", {"programme_id": "programme.hee", "code": "S1"}, None, 200),
    ("admin", "programmes.edit_session", {"programme_id": "programme.hee", "code": "S1"}, "submit-empty", 200),
    ("admin", "programmes.training", {}, None, 200),
    ("auditor", "programmes.programme", {"programme_id": "programme.hee"}, None, 200),
    ("auditor", "programmes.worker_training", {"worker_id": "worker.id"}, None, 200),
    ("worker", "worker.attended", {}, None, 200),
    ("worker", "worker.attended", {"programme_id": "programme.hee"}, None, 200),
    ("worker", "worker.attended", {"programme_id": "programme.hee"}, "submit-empty", 200),
    ("admin", "org.account", {"person_id": "supervisor.id"}, None, 200),  # the supervisor's background form
    ("worker", "worker.my_list", {"kind": "supervision", "format": "mentoring"}, None, 200),
]


# Pages shown in README's screenshots (PORTFOLIO_SCREENSHOTS=docs): (role, endpoint, values) -> name.
SHOTS = {("worker", "worker.privacy", ()): "my-privacy", ("worker", "inbox.index", ()): "inbox",
         ("admin", "org_due.due", ()): "levels-due", ("admin", "self_assessment.index", ()): "self-assessment",
         ("worker", "erasure.page", ()): "erasure-request", ("admin", "programmes.training", ()): "training-audit",
         ("admin", "programmes.programme", (("programme_id", "programme.hee"),)): "programme"}


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
    known = {"worker.id": str(worker_id), "nothing": "00000000-0000-4000-8000-000000000000",
             "worker.joined": app.person(worker_id).joined_on.isoformat(),
             "programme.hee": str(Programme.builtin_id("hee-programme")),
             "supervisor.id": str(app.find_username(live_server.scenario.supervisor))}
    pf = app.portfolio(worker_id)
    if pf.reflections:
        known["worker.reflection"] = next(iter(pf.reflections))
    known["worker.shared"] = next((rid for rid, r in pf.reflections.items() if r["exposure"] != "private"),
                                  known["nothing"])
    if pf.evidence:
        known["worker.evidence"] = next(iter(pf.evidence))
    return {k: known.get(v, v) for k, v in values.items()}


def _id(role, endpoint, values, action, status) -> str:
    extra = "-".join(f"{k}={v}" for k, v in values.items() if k in ("as_of", "start", "template", "kind", "version",
                                                                          "tag", "format", "person_id"))
    return "-".join(x for x in (role or "anonymous", endpoint, extra, action or "") if x)


@pytest.mark.parametrize("role, endpoint, values, action, status", PAGES, ids=[_id(*p) for p in PAGES])
def test_page_has_no_wcag_violations(new_context, live_server, shoot, role, endpoint, values, action, status):
    context = new_context(_username(live_server.scenario, role), axe=True)
    with live_server.app.test_request_context():
        url = url_for(endpoint, **_values(live_server, values))
    page = context.new_page()
    response = page.goto(url)
    assert response.status == status, f"{url} as {role or 'anonymous'}: {response.status}, expected {status}"
    if action == "submit-empty":
        form = page.locator("main form[method=post]").last
        form.evaluate(CLEAR_FORM)
        with page.expect_response(lambda r: r.request.method == "POST"):
            form.locator("[type=submit]").last.click()
        page.wait_for_load_state()
        # htmx swaps the answer in after the response: wait for it (a loaded machine may be slow)
        page.locator("[aria-invalid=true], .error, [role=alert]").first.wait_for()
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
    shot = SHOTS.get((role, endpoint, tuple(values.items()))) if action is None else None
    if shot:
        shoot(page, shot)
