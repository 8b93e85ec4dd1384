"""Framework browser: the seeds' competence tables, clusters, roles and templates, verbatim."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_htmx import HTMX  # noqa: F401 - the extension sets `htmx` in templates

from portfolio.domain.errors import DomainError

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks")


def _app():
    return current_app.extensions["portfolio"].app


@bp.get("/")
def index():
    fws = sorted(_app().frameworks(), key=lambda f: f.framework_id)
    return render_template("frameworks/index.html", frameworks=fws)


@bp.get("/<framework_id>")
def show(framework_id: str):
    version = request.args.get("version") or None
    try:
        doc = _app().framework_document(framework_id, version)
    except DomainError:
        abort(404)
    fw = next(f for f in _app().frameworks() if f.framework_id == framework_id)
    template = "frameworks/_items.html" if request.headers.get("HX-Request") else "frameworks/show.html"
    return render_template(template, doc=doc, versions=list(fw.versions))
