"""Log in and log out. Passwords are argon2 hashes; attempts are rate-limited."""

from __future__ import annotations

from urllib.parse import unquote

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from marshmallow import fields, validate

from portfolio.domain.errors import NotFound
from portfolio.passwords import verify_password
from portfolio.web.access import app_service
from portfolio.web.extensions import limiter
from portfolio.web.forms import FormSchema, parse

bp = Blueprint("auth", __name__)


class LoginSchema(FormSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _redirectable(value: str) -> bool:
    return (value.startswith("/") and not value.startswith("//") and "\\" not in value and "://" not in value
            and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value))


def _safe_next(target: str | None) -> str:
    """Only a path on this site. Browsers drop tabs and newlines from a URL and read a backslash as a
    slash, so "/<tab>/evil.example" becomes "//evil.example": refuse any such character, also once
    percent-decoded; anything doubtful goes to the home page."""
    if target and _redirectable(target) and _redirectable(unquote(target)):
        return target
    return url_for("home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
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
