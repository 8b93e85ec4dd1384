"""The buddy scheme of 001: an organisation admin pairs a worker with another peer worker ("a named
person on the course to share learning and challenges with"); the worker records their buddy
meetings. The notes are the worker's words, sealed with their key and shown only to them."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for

from portfolio.domain import clock
from portfolio.domain.errors import DomainError, NotFound
from portfolio.domain.learning_mix import learning_mix
from portfolio.web.access import app_service, portfolio_required, roles_required, worker_or_404
from portfolio.web.forms import domain_errors, parse
from portfolio.web.forms import done as _done
from portfolio.web.schemas import BuddyMeetingSchema, BuddySchema, EndBuddySchema

bp = Blueprint("buddies", __name__)


def _name(person_id) -> str:
    cache = g.setdefault("buddy_names", {})
    if person_id not in cache:
        try:
            cache[person_id] = app_service().display_name(app_service().person(person_id))
        except NotFound:
            cache[person_id] = "(unknown)"
    return cache[person_id]


def section_context(person, errors: dict | None = None, form=None, failed: str = "") -> dict:
    """The account page's buddy section: assignments, peer workers to choose from, and forms."""
    peers = [p for p in app_service().people()
             if p.has_role("peer_worker") and p.active and p.id != person.id]
    return {"buddy_rows": [dict(b, name=_name(b["buddy_id"])) for b in person.buddies],
            "buddy_choices": [(p.id, _name(p.id), p.username) for p in peers],
            "buddy_open": [dict(b, name=_name(b["buddy_id"])) for b in person.buddies if b["ends_on"] is None],
            "buddy_errors": errors or {}, "buddy_form": form or {}, "buddy_worker": person, "buddy_failed": failed,
            "buddy_today": clock.today(), "buddy_now": set(person.buddies_on(clock.today()))}


def buddy_context(person, pf, day, whose: str = "My") -> dict:
    """The dashboard's (and supervision summary's) buddies on `day` and learning mix up to it."""
    return {"buddies_now": [_name(b) for b in person.buddies_on(day)], "mix": learning_mix(pf, day),
            "mix_day": day, "mix_whose": whose}


def _errors(exc: DomainError, conflict_field: str) -> dict:
    errors = domain_errors(exc)
    if "buddy" in errors:
        errors["buddy_id"] = errors.pop("buddy")
    if "_schema" in errors:
        errors[conflict_field] = errors.pop("_schema")
    return errors


def _section(worker, errors, failed: str, status: int = 422):
    template = "buddies/_org_section.html" if request.headers.get("HX-Request") else "buddies/org_page.html"
    return render_template(template, name=_name(worker.id), **section_context(worker, errors, request.form, failed)), status


@bp.post("/org/accounts/<uuid:worker_id>/buddies")
@roles_required("org_admin")
def assign(worker_id):
    worker = worker_or_404(worker_id)
    data, errors = parse(BuddySchema(), request.form)
    if not errors:
        try:
            app_service().assign_buddy(worker.id, data["buddy_id"], data["starts_on"], data["ends_on"])
        except NotFound:
            errors = {"buddy_id": ["there is no such account"]}
        except DomainError as exc:
            errors = _errors(exc, "starts_on")
        else:
            return _done(f"{_name(data['buddy_id'])} is {worker.username}'s buddy from {data['starts_on']}.",
                         url_for("org.account", person_id=worker.id))
    return _section(worker, errors, "assign")


@bp.post("/org/accounts/<uuid:worker_id>/buddies/end")
@roles_required("org_admin")
def end(worker_id):
    worker = worker_or_404(worker_id)
    data, errors = parse(EndBuddySchema(), request.form)
    if not errors:
        try:
            app_service().end_buddy(worker.id, data["buddy_id"], data["ends_on"])
        except DomainError as exc:
            errors = _errors(exc, "buddy_id")
        else:
            return _done(f"{_name(data['buddy_id'])} is {worker.username}'s buddy until {data['ends_on']}.",
                         url_for("org.account", person_id=worker.id))
    return _section(worker, errors, "end")


# --- the worker's own buddy meetings ------------------------------------------------------------
def _meetings_page(errors: dict | None = None, form=None, status: int = 200):
    me = app_service().person(g.user.id)
    pf = app_service().portfolio(g.user.id)
    read = lambda sealed: app_service().read_text(g.user.id, sealed) if sealed else ""  # noqa: E731
    meetings = sorted(({**m, "name": _name(m["buddy_id"]), "notes": read(m["notes_sealed"])}
                       for m in pf.buddy_meetings.values()), key=lambda m: m["held_on"], reverse=True)
    buddies = {b["buddy_id"]: _name(b["buddy_id"]) for b in me.buddies}
    return render_template("buddies/meetings.html", meetings=meetings, buddies=buddies,
                           rows=[dict(b, name=_name(b["buddy_id"])) for b in me.buddies],
                           errors=errors or {}, form=form or {}, today=clock.today()), status


@bp.route("/me/buddy-meetings", methods=["GET", "POST"])
@portfolio_required
def meetings():
    if request.method == "GET":
        return _meetings_page()
    data, errors = parse(BuddyMeetingSchema(), request.form)
    if not errors:
        try:
            app_service().record_buddy_meeting(g.user.id, data["buddy_id"], data["held_on"], data["minutes"],
                                               data["notes"])
        except DomainError as exc:
            errors = _errors(exc, "held_on")
        else:
            return _done(f"Buddy meeting of {data['held_on']} recorded.", url_for("buddies.meetings"))
    return _meetings_page(errors, request.form, 422)
