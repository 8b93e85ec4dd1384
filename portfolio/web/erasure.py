"""A person's own request to be erased (any account), and an admin declining it.

The person asks, and may withdraw while it is open; an organisation admin hears of it in the inbox
and either erases (org.erase, the typed confirmation) or declines with a reason, which is sealed
with the person's key and shown to them here. The request itself holds no text.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from portfolio.domain.errors import DomainError, OpenRequestExists, RequestNotOpen
from portfolio.web import org
from portfolio.web.access import app_service, login_required
from portfolio.web.forms import parse
from portfolio.web.schemas import DeclineErasureSchema, ErasureRequestSchema

bp = Blueprint("erasure", __name__, url_prefix="/me/erasure")


def state(person) -> dict:
    """What the person (or an admin) sees of the request: open since, or how the last one ended."""
    closed = person.erasure_closed
    reason = app_service().read_text(person.id, closed["reason_sealed"]) if closed else None
    return {"open": person.erasure_request, "closed": closed, "reason": reason}


def _page(errors: dict | None = None, status: int = 200):
    person = app_service().person(g.user.id)
    return render_template("erasure/request.html", person=person, request_state=state(person),
                           errors=errors or {}, name=org.name_of), status


@bp.get("")
@login_required
def page():
    return _page()


@bp.post("")
@login_required
def ask():
    _, errors = parse(ErasureRequestSchema(), request.form)
    if errors:
        return _page(errors, 422)
    try:
        app_service().request_erasure(g.user.id)
    except OpenRequestExists as exc:
        return _page({"request": [str(exc)]}, 409)
    except DomainError as exc:  # e.g. an account closed meanwhile: the page says why, not a bare error page
        return _page({"request": [str(exc)]}, 422)
    flash("Your erasure request is recorded. An organisation admin will erase your record or tell you why not.")
    return redirect(url_for("erasure.page"), 303)


@bp.post("/withdraw")
@login_required
def withdraw():
    try:
        app_service().withdraw_erasure_request(g.user.id)
    except RequestNotOpen as exc:
        return _page({"withdraw": [str(exc)]}, 409)
    flash("Your erasure request is withdrawn. Nothing was erased.")
    return redirect(url_for("erasure.page"), 303)


@org.bp.post("/accounts/<uuid:person_id>/erasure-request/decline")
@org.admin_only
def decline(person_id):
    person = org._person_or_404(person_id)
    data, errors = parse(DeclineErasureSchema(), request.form)
    if not errors:
        try:
            app_service().decline_erasure_request(person.id, g.user.id, data["decline_reason"])
        except RequestNotOpen as exc:
            return org._account_page(person, {"decline": [str(exc)]}, request.form, "org/_erasure_request.html", 409)
        except DomainError as exc:
            errors = {"decline_reason": [str(exc)]}
        else:
            return org._done(f"Declined {person.username}'s erasure request; they are told, with your reason.",
                             url_for("org.account", person_id=person.id))
    return org._account_page(person, errors, request.form, "org/_erasure_request.html", 422)
