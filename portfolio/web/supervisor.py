"""Supervisor pages (being built)."""

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/supervise")


@bp.get("")
def queue():
    return "", 404


@bp.get("/supervisees")
def supervisees():
    return "", 404
