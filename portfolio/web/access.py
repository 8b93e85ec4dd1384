"""Who is asking, and what they may see. Every page, fragment, download and API call asks here.

Someone else's item answers 404, never 403: the answer must not reveal that it exists.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable
from uuid import UUID

from flask import abort, current_app, g, redirect, request, session, url_for

from portfolio.domain import clock
from portfolio.domain.errors import NotFound
from portfolio.domain.people import Person

STAFF_ROLES = ("org_admin", "auditor")


def runtime():
    return current_app.extensions["portfolio"]


def app_service():
    return runtime().app


def load_user() -> None:
    """Set g.user from the server-side session named by the cookie, or from an API bearer token
    under /api/. Ended, expired and idle sessions, and inactive accounts, are logged-out visitors."""
    g.user = None
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            g.user = app_service().person_for_token(header[7:].strip())
        return
    token = session.get("sid")
    if not token:
        return
    person_id = app_service().sessions.person_for(token)
    person = None
    if person_id is not None:
        try:
            person = app_service().person(person_id)
        except Exception:  # noqa: BLE001 - a vanished person is simply a logged-out visitor
            person = None
    if person is None or not person.active:
        app_service().sessions.end(token, "account closed" if person else "stale")
        session.clear()
        return
    g.user = person


def sign_in(person: Person) -> None:
    """A fresh session for this person (a new cookie: no fixation of an earlier one)."""
    app_service().sessions.end(session.get("sid"), "replaced")  # someone else signing in on this browser
    session.clear()
    session["sid"] = app_service().sessions.start(person.id)
    session.permanent = True
    g.user = person


def sign_out() -> None:
    app_service().sessions.end(session.get("sid"), "logout")
    session.clear()
    g.user = None


def password_change_gate():
    """Someone signed in with a password an admin handed over must choose their own first."""
    user = g.get("user")
    if user is None or not user.must_change_password or request.path.startswith("/api/"):
        return None
    if request.endpoint in ("auth.change_password", "auth.logout", "static"):
        return None
    return redirect(url_for("auth.change_password"))


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def portfolio_required(view: Callable) -> Callable:
    """Holders of a portfolio: peer workers, and managers and leaders in a position (002:621-625)."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not g.user.holds_portfolio:
            abort(404)
        return view(*args, **kwargs)
    return wrapped


def roles_required(*roles: str) -> Callable:
    """The signed-in user needs one of these roles; anyone else gets 404."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(g.user.has_role(r) for r in roles):
                abort(404)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def supervises(user: Person, worker_id: UUID | str) -> bool:
    """A supervisor sees a worker only while currently assigned to them."""
    if not user.has_role("supervisor"):
        return False
    try:
        worker = app_service().person(worker_id)
    except Exception:  # noqa: BLE001
        return False
    return worker.was_supervised_by(user.id, clock.today())


def may_read_text(user: Person, worker_id: UUID | str, exposure: str) -> bool:
    """Personal text: the worker always; a current supervisor only what the worker shared;
    organisation admins and auditors only what the worker submitted as accreditation evidence
    (otherwise they see metadata)."""
    if str(user.id) == str(worker_id):
        return True
    if exposure == "accreditation" and any(user.has_role(r) for r in STAFF_ROLES):
        return True
    return exposure in ("supervisors", "accreditation") and supervises(user, worker_id)


def worker_or_404(worker_id: UUID | str) -> Person:
    try:
        worker = app_service().person(worker_id)
    except Exception:  # noqa: BLE001 - a bad id is as absent as a missing one
        abort(404)
    if not worker.holds_portfolio:
        abort(404)
    return worker


def stage_names() -> dict[str, str]:
    """Level-of-use code -> the seed's name for it (Essential, Peer practitioner, …)."""
    doc = app_service().framework_document("levels-of-use")
    return {item["code"]: item.get("title", item["code"]) for item in doc["items"]}


def long_date(day) -> str:
    """3 March 2027: the date as people write it (templates: `|long_date`)."""
    return f"{day.day} {day:%B %Y}"


def name_for_reader(person_id, nobody: str = "") -> str:
    """A person's display name as the signed-in reader should see it: "you" for themselves,
    `nobody` when there is no one, and a plain phrase for someone no longer registered."""
    if not person_id:
        return nobody
    if str(person_id) == str(g.user.id):
        return "you"
    try:
        return app_service().display_name(app_service().person(person_id))
    except NotFound:
        return "someone no longer registered"
