"""The organisation's self-assessment (004:942-1012): the latest visit, every earlier one and what
changed between them. Admins fill it in (a revisit starts from the latest answers) and auditors read
it; workers and supervisors get 404 like any page that is not theirs.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from portfolio.application import SELF_ASSESSMENT
from portfolio.domain.errors import DomainError
from portfolio.web.access import app_service, roles_required
from portfolio.web.forms import domain_errors
from portfolio.web.org import name_of

bp = Blueprint("self_assessment", __name__, url_prefix="/org/self-assessment")
staff_only = roles_required("org_admin", "auditor")
admin_only = roles_required("org_admin")
MAX_NOTES = 5000


def _checklist(version: str | None = None) -> dict:
    return app_service().framework_document(SELF_ASSESSMENT, version)


def _scale(doc: dict) -> dict[str, str]:
    return {s["code"]: s["label"] for s in doc["policy"]["scale"]}


@bp.get("")
@staff_only
def index():
    visits = app_service().self_assessment_visits()
    number = request.args.get("visit", type=int) or len(visits)
    if "visit" in request.args and not 1 <= number <= len(visits):
        abort(404)  # no such visit, or none yet
    shown = visits[number - 1] if visits else None
    doc = _checklist(shown["framework_version"] if shown else None)
    template = "org/_self_assessment.html" if request.headers.get("HX-Request") else "org/self_assessment.html"
    return render_template(template, visits=visits, shown=shown, doc=doc, scale=_scale(doc),
                           titles={i["code"]: i["title"] for i in doc["items"]}, name=name_of)


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    doc = _checklist()
    codes = [i["code"] for i in doc["items"]]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        values = {k: form.get(k, "") for code in codes for k in (f"rating_{code}", f"notes_{code}")}
        for code in codes:
            if form.get(f"rating_{code}") not in _scale(doc):
                errors[f"rating_{code}"] = [f"choose one of: {', '.join(_scale(doc).values())}"]
            if len(form.get(f"notes_{code}", "")) > MAX_NOTES:
                errors[f"notes_{code}"] = [f"is longer than {MAX_NOTES:,} characters"]
        if not errors:
            try:
                number = app_service().complete_self_assessment(
                    g.user.id, {c: form[f"rating_{c}"] for c in codes}, {c: form.get(f"notes_{c}", "") for c in codes})
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash(f"Self-assessment recorded: visit {number}. Every earlier visit is kept.")
                return redirect(url_for("self_assessment.index"))
    else:
        visits = app_service().self_assessment_visits()
        latest = visits[-1] if visits else None
        values = {}
        if latest and latest["framework_version"] == str(doc["version"]) and not request.args.get("blank"):
            # a revisit starts from the last answers (unless asked to start blank)
            for code in codes:
                values[f"rating_{code}"] = latest["answers"].get(code, {}).get("rating", "")
                values[f"notes_{code}"] = latest["notes"].get(code, "")
    fields = [f"{k}_{code}" for code in codes for k in ("rating", "notes")]
    return render_template("org/self_assessment_form.html", doc=doc, scale=_scale(doc), values=values,
                           errors=errors, fields=fields, prefilled=request.method == "GET" and bool(values)), \
        422 if errors else 200
