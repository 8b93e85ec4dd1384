"""Sign in and out, change a password, set one from a link. Passwords are argon2 hashes; sessions
live server-side (portfolio.sessions) so logging out, a new password, deactivation and erasure end
them; attempts are rate-limited."""

from __future__ import annotations

from urllib.parse import unquote

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from marshmallow import fields, validate, validates_schema, ValidationError

from portfolio.domain.errors import DomainError, NotFound
from portfolio.passwords import MIN_LENGTH, verify_password
from portfolio.web.access import app_service, login_required, sign_in, sign_out
from portfolio.web.forms import FormSchema, domain_errors, parse
from portfolio.web.ratelimit import form_username, limit_logins

bp = Blueprint("auth", __name__)
NO_STORE = {"Cache-Control": "no-store"}  # the set-password token is in the address: keep the page off caches


class LoginSchema(FormSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class NewPasswordSchema(FormSchema):
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    confirm_password = fields.String(required=True, validate=validate.Length(min=1, max=200))

    @validates_schema
    def same_twice(self, data, **kwargs):
        if data.get("new_password") != data.get("confirm_password"):
            raise ValidationError("the two new passwords differ", "confirm_password")


class ChangePasswordSchema(NewPasswordSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))


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
@limit_logins(form_username)
def login():
    errors: dict = {}
    if request.method == "POST":
        data, errors = parse(LoginSchema(), request.form)
        if not errors:
            try:
                person = app_service().person(app_service().find_username(data["username"].strip()))
            except NotFound:
                person = None
            matches = verify_password(person.password_hash if person else None, data["password"])
            if person is not None and matches and person.active:
                if app_service().person(person.id).password_hash != person.password_hash:
                    # changed while the (slow) check ran: the change ended every session, this one too
                    return redirect(url_for("auth.login"))
                sign_in(person)
                if person.must_change_password:
                    return redirect(url_for("auth.change_password"))
                return redirect(_safe_next(request.args.get("next")))
            if person is not None and matches:  # the right password: saying why does not help a guesser
                errors = {"_schema": ["This account is closed. Ask your organisation's admin."]}
            else:
                errors = {"_schema": ["That username and password do not match an account."]}
    status = 422 if errors else 200
    return render_template("auth/login.html", errors=errors, username=request.form.get("username", "")), status


@bp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("auth.login"))


def _own_username() -> str:
    return g.user.username if g.get("user") is not None else ""


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limit_logins(_own_username)  # a borrowed session must not become a way to guess the password
def change_password():
    errors: dict = {}
    if request.method == "POST":
        data, errors = parse(ChangePasswordSchema(), request.form)
        if not errors:
            try:
                app_service().change_password(g.user.id, data["current_password"], data["new_password"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                sign_in(app_service().person(g.user.id))  # every other session of theirs has ended
                flash("Your password is changed. Every other place you were signed in is signed out.")
                return redirect(url_for("home"))
    return render_template("auth/change_password.html", errors=errors, min_length=MIN_LENGTH,
                           forced=g.user.must_change_password), 422 if errors else 200


@bp.route("/set-password/<uuid:person_id>/<token>", methods=["GET", "POST"])
def set_password(person_id, token):
    """A one-time link from an admin: the person chooses a password the admin never sees."""
    if not app_service().reset_link_valid(person_id, token):
        return render_template("error.html", title="Link expired",
                               message="This set-password link has expired or was already used. "
                                       "Ask your organisation's admin for a new one."), 410, NO_STORE
    person = app_service().person(person_id)
    errors: dict = {}
    if request.method == "POST":
        data, errors = parse(NewPasswordSchema(), request.form)
        if not errors:
            try:
                person = app_service().set_password_from_link(person_id, token, data["new_password"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                sign_in(person)
                flash("Your password is set. You are signed in.")
                return redirect(url_for("home"))
    return render_template("auth/set_password.html", errors=errors, username=person.username,
                           min_length=MIN_LENGTH), 422 if errors else 200, NO_STORE
