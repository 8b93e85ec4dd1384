"""JSON API /api/v1: bearer tokens, the worker's, supervisor's and organisation's commands and reads
with the same permissions as the web pages, and its OpenAPI 3 document.

The routes live in api_worker, api_lists, api_supervisor and api_org; the machinery (token check, JSON input,
answers, errors) in api_base; the document is generated in api_openapi.
"""

from __future__ import annotations

from flask import abort, current_app

from portfolio.domain.errors import NotFound
from portfolio.passwords import verify_password
from portfolio.web import api_lists, api_org, api_register, api_supervisor, api_worker  # noqa: F401 - routes
from portfolio.web.access import app_service
from portfolio.web.api_base import bp, route
from portfolio.web.api_openapi import build_document
from portfolio.web.api_schemas import TokenRequestSchema, TokenSchema
from portfolio.web.ratelimit import json_username, limit_logins

__all__ = ["bp"]


@route("/tokens", "POST", summary="Exchange a username and password for a bearer token", tag="auth", roles=None,
       body=TokenRequestSchema, status=201, response=TokenSchema, conflicts=True,
       extra={401: "Unauthorized", 403: "Forbidden", 429: "TooManyRequests"},
       decorators=(limit_logins(json_username),))
def create_token(data):
    """A new token replaces the account's previous one."""
    app = app_service()
    try:
        person = app.person(app.find_username(data["username"].strip().lower()))
    except NotFound:
        person = None
    matches = verify_password(person.password_hash if person else None, data["password"])
    if person is None or not matches:
        abort(401, "That username and password do not match an account.")
    if not person.active or person.must_change_password:
        abort(403, "This account is closed, or must first choose its own password by signing in on the web.")
    return {"token": app.issue_api_token(person.id)}


@route("/openapi.json", "GET", summary="This API's OpenAPI 3 document", tag="meta", roles=None)
def openapi():
    document = current_app.extensions.get("portfolio_openapi")
    if document is None:
        document = current_app.extensions["portfolio_openapi"] = build_document(current_app)
    return document
