"""Organisation admin and auditor pages (being built)."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")


@bp.get("/progression")
def progression():
    return "", 404


@bp.get("/audit")
def audit():
    return "", 404


@bp.get("/accounts")
def accounts():
    return "", 404
