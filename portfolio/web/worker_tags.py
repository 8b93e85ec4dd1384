"""The worker's page to change the tags of a reflection or evidence (no new reflection version)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for

from portfolio.domain.errors import DomainError
from portfolio.web.access import app_service
from portfolio.web.forms import domain_errors, parse
from portfolio.web.schemas import TagsSchema
from portfolio.web.tags import ITEM_KINDS, catalogues, keys
from portfolio.web.worker import _render, bp, worker_only


@bp.route("/<any(reflections, evidence):kind>/<uuid:item_id>/tags", methods=["GET", "POST"])
@worker_only
def item_tags(kind, item_id):
    item_kind = ITEM_KINDS[kind]
    pf = app_service().portfolio(g.user.id)
    item = getattr(pf, kind).get(str(item_id)) or abort(404)
    sealed = item["versions"][-1]["title_sealed"] if kind == "reflections" else item["title_sealed"]
    errors: dict = {}
    chosen = keys(item.get("tags"))
    if request.method == "POST":
        chosen = request.form.getlist("tags")
        data, errors = parse(TagsSchema(), request.form)
        if not errors:
            try:
                changed = app_service().change_tags(g.user.id, item_kind, item_id, data["tags"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("Tags changed." if changed else "The tags were already these: nothing changed.")
                if kind == "reflections":
                    return redirect(url_for("worker.reflection", reflection_id=item_id))
                return redirect(url_for("worker.my_list", kind="evidence"))
    return _render("worker/item_tags.html", status=422 if errors else 200, errors=errors, kind=kind,
                   item_id=item_id, item=item, title=app_service().read_text(g.user.id, sealed),
                   catalogues=catalogues(), chosen=chosen)
