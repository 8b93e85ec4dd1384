"""Leave and career breaks on a worker's record: an organisation admin or the worker's current
supervisor records or withdraws them; they move the levels-of-use due dates (004:718). A kind and
dates only, never a reason: leave may be health-related and no diagnosis is held (004:624-625)."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from portfolio.domain.errors import DomainError
from portfolio.domain.values import LEAVE_KINDS
from portfolio.web.access import app_service, login_required, name_for_reader, supervises, worker_or_404
from portfolio.web.forms import domain_errors, parse
from portfolio.web.forms import done as _done
from portfolio.web.schemas import LeaveSchema

bp = Blueprint("leave", __name__, url_prefix="/people")
KIND_WORDS = {"leave": "Leave", "career break": "Career break"}


def may_record(user, worker) -> bool:
    return user.has_role("org_admin") or supervises(user, worker.id)


def _worker(worker_id):
    worker = worker_or_404(worker_id)
    if not may_record(g.user, worker):
        abort(404)
    return worker


def section_context(worker, errors: dict | None = None, form=None) -> dict:
    """What the leave section needs, wherever it is shown (account page, supervision summary)."""
    names = {}
    rows = []
    for lv in worker.leave_on_record():
        by = lv["recorded_by"]
        if by not in names:
            names[by] = name_for_reader(by)
        rows.append(dict(lv, recorded_by_name=names[by]))
    return {"leave_worker": worker, "leave_rows": rows, "leave_errors": errors or {}, "leave_form": form or {},
            "leave_kinds": LEAVE_KINDS, "kind_words": KIND_WORDS}


def _back(worker) -> str:
    if request.form.get("back") == "summary" and supervises(g.user, worker.id):
        return url_for("supervisor.summary", worker_id=worker.id)
    if g.user.has_role("org_admin"):
        return url_for("org.account", person_id=worker.id)
    return url_for("supervisor.summary", worker_id=worker.id)


def _page(worker, errors=None, form=None, status: int = 200):
    context = section_context(worker, errors, form)
    template = "leave/_section.html" if request.headers.get("HX-Request") else "leave/page.html"
    return render_template(template, name=app_service().display_name(worker), back=request.values.get("back", ""),
                           **context), status


@bp.get("/<uuid:worker_id>/leave")
@login_required
def page(worker_id):
    return _page(_worker(worker_id))


@bp.post("/<uuid:worker_id>/leave")
@login_required
def record(worker_id):
    worker = _worker(worker_id)
    data, errors = parse(LeaveSchema(), request.form)
    if not errors:
        try:
            app_service().record_leave(worker.id, data["kind"], data["starts_on"], data["ends_on"], by=g.user.id)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            until = f" to {data['ends_on']}" if data["ends_on"] else ", no end date yet"
            return _done(f"{KIND_WORDS[data['kind']]} recorded for {worker.username} from {data['starts_on']}{until}.",
                         _back(worker))
    return _page(worker, errors, request.form, 422)


@bp.post("/<uuid:worker_id>/leave/<uuid:leave_id>/withdraw")
@login_required
def withdraw(worker_id, leave_id):
    worker = _worker(worker_id)
    try:
        app_service().withdraw_leave(worker.id, leave_id, by=g.user.id)
    except DomainError as exc:
        return _page(worker, domain_errors(exc), None, 422)
    return _done(f"Leave record withdrawn for {worker.username}.", _back(worker))
