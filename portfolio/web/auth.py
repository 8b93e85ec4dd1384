"""Log in and log out. Passwords are argon2 hashes; attempts are rate-limited."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from marshmallow import fields, validate

from portfolio.domain.errors import NotFound
from portfolio.passwords import verify_password
from portfolio.web.access import app_service
from portfolio.web.forms import FormSchema, parse
from portfolio.web.ratelimit import form_username, limit_logins

bp = Blueprint("auth", __name__)


class LoginSchema(FormSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else url_for("home")


@bp.route("/login", methods=["GET", "POST"])
@limit_logins(form_username)
def login():
    errors: dict = {}
    if request.method == "POST":
        data, errors = parse(LoginSchema(), request.form)
        if not errors:
            try:
                person = app_service().person(app_service().find_username(data["username"]))
            except NotFound:
                person = None
            matches = verify_password(person.password_hash if person else None, data["password"])
            if person is not None and matches:
                session.clear()
                session["uid"] = str(person.id)
                session["pw"] = (person.password_hash or "")[-16:]
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")))
            errors = {"_schema": ["That username and password do not match an account."]}
    status = 422 if errors else 200
    return render_template("auth/login.html", errors=errors, username=request.form.get("username", "")), status


@bp.post("/logout")
def logout():
    session.clear()
    g.user = None
    return redirect(url_for("auth.login"))
