"""The organisation's settings (/org/settings): admins change them, admins and auditors read the history.

Every change is a SettingsChanged event (who, when, old -> new), so the page's history is the log's.
A bad value answers 422 naming the field; htmx swaps the form in place (templates/org/_head.html).
"""

from __future__ import annotations

from flask import Blueprint, g, request, url_for

from portfolio.domain.errors import DomainError, InvalidValue
from portfolio.domain.organisation import SETTINGS, check
from portfolio.web.access import app_service, roles_required
from portfolio.web.forms import domain_errors
from portfolio.web.org import _done, _render

bp = Blueprint("org_settings", __name__, url_prefix="/org")
LABELS = {"due_warning_days": "Warn of a level of use coming due (days before)",
          "supervision_every_days": "Supervision every (days)"}
HINTS = {"due_warning_days": "Workers, their supervisors and this organisation are told this many days before a "
                             "level of use falls due while levels are still missing.",
         "supervision_every_days": "The next supervision is due this many days after the last session. The seeds "
                                   "ask for supervision but name no frequency: this is your policy."}


def _page(errors: dict, form: dict, status: int = 200):
    org = app_service().organisation()
    history = list(reversed(org.history)) if org else []
    return _render("org/settings.html", "org/_settings_form.html", status=status, errors=errors, form=form,
                   settings=app_service().org_settings(), ranges=SETTINGS, field_labels=LABELS, hints=HINTS,
                   history=history, may_change=g.user.has_role("org_admin"))


@bp.get("/settings")
@roles_required("org_admin", "auditor")
def settings():
    return _page({}, {})


@bp.post("/settings")
@roles_required("org_admin")
def change():
    form = {name: (request.form.get(name) or "").strip() for name in SETTINGS}
    errors: dict[str, list[str]] = {}
    for name, value in form.items():
        try:
            if not value:
                raise InvalidValue(name, "is required")
            check(name, value)
        except InvalidValue as exc:
            errors[name] = [f"{name}: {exc.reason}"]
    if not errors:
        try:
            changes = app_service().change_org_settings(g.user.id, **form)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            said = "; ".join(f"{LABELS[k]}: {old} → {new}" for k, (old, new) in changes.items())
            return _done(f"Settings changed: {said}." if changes else "No change: the settings already had "
                         "these values.", url_for("org_settings.settings"))
    return _page(errors, form, 422)
