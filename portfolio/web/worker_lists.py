"""The peer worker's lists (reflections, evidence, training, supervision, goals), the reflection page
with its versions and the amend form, and withdrawing evidence. Filters and paging run in the database."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for

from portfolio.domain.errors import DomainError
from portfolio.domain.values import (EXPOSURE_TIERS, LEVELS, REFLECTION_TEMPLATES, SUPERVISION_FORMAT,
                                     SUPERVISION_FORMAT_NAMES)
from portfolio.web.access import app_service, runtime
from portfolio.web.forms import domain_errors, parse
from portfolio.web.lists import (FILTERS, PER_PAGE, TITLES, competence_items, list_filters, list_row, owner_reader,
                                 reflection_tags, reflection_versions)
from portfolio.web.schemas import ReflectionAmendSchema
from portfolio.web.worker import _render, _template_sections, bp, section_names, worker_only
from portfolio.web import tags


@bp.get("/<any(reflections, evidence, training, supervision, goals):kind>")
@worker_only
def my_list(kind):
    filters, errors = list_filters(kind, request.args)
    page = filters.pop("page", 1)
    rows, total = runtime().read_models().my_list(kind, str(g.user.id), page=page, per_page=PER_PAGE, **filters)
    pages = max(1, -(-total // PER_PAGE))
    query = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.items()}
    attended = _attended(filters) if kind == "training" and page == 1 else []
    return _render("worker/my_list.html", "worker/_my_list_rows.html", status=422 if errors else 200,
                   kind=kind, title=TITLES[kind], offered=FILTERS[kind],
                   rows=[_with_elements(kind, list_row(kind, r, owner_reader(g.user.id))) for r in rows],
                   total=total, page=page, pages=pages, query=query, args=request.args, errors=errors,
                   competences=competence_items(), levels=LEVELS, tiers=EXPOSURE_TIERS,
                   templates=REFLECTION_TEMPLATES, lists=TITLES, attended=attended, titles=_titles() if attended else {},
                   tag_catalogues=tags.catalogues(), tag_titles=tags.tag_titles(), formats=SUPERVISION_FORMAT,
                   format_names=SUPERVISION_FORMAT_NAMES)


def _with_elements(kind: str, row: dict) -> dict:
    """My training shows the Tuto3 elements the worker named on each unregistered record."""
    if kind == "training":
        row["codes"] = [c for c in row["elements"].split(",") if c]
    return row


def _attended(filters: dict) -> list[dict]:
    """Registered sessions attended (what each covers comes from the register), within the date filter."""
    from portfolio.web.programmes import register_reads

    rows, _ = register_reads(refresh=False).worker_training(str(g.user.id))
    return [r for r in rows if (not filters.get("start") or r["attended_on"] >= filters["start"])
            and (not filters.get("end") or r["attended_on"] <= filters["end"])]


def _titles() -> dict[str, str]:
    from portfolio.web.programmes import _titles

    return _titles()


# --- one reflection: read any version, amend, change who can read it --------------------------
def _reflection(reflection_id) -> dict:
    return app_service().portfolio(g.user.id).reflections.get(str(reflection_id)) or abort(404)


@bp.get("/reflections/<uuid:reflection_id>")
@worker_only
def reflection(reflection_id):
    item = _reflection(reflection_id)
    versions = reflection_versions(g.user.id, item)
    number = request.args.get("version", type=int) or len(versions)
    if not 1 <= number <= len(versions):
        abort(404)
    return _render("worker/reflection.html", reflection_id=reflection_id, item=item, versions=versions,
                   shown=versions[number - 1], names=section_names(item["template"]), tiers=EXPOSURE_TIERS,
                   tags=tags.keys(item.get("tags")), titles=tags.tag_titles())


@bp.route("/reflections/<uuid:reflection_id>/amend", methods=["GET", "POST"])
@worker_only
def amend_reflection(reflection_id):
    item = _reflection(reflection_id)
    latest = reflection_versions(g.user.id, item)[-1]
    sections = _template_sections(item["template"])
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        source = {"title": form.get("title", ""),
                  "body": {s["code"]: form.get(f"body_{s['code']}", "") for s in sections},
                  "competences": form.getlist("competences"), "tags": form.getlist("tags")}
        data, errors = parse(ReflectionAmendSchema(), {k: v for k, v in source.items() if v != ""})
        if not errors:
            try:
                app_service().amend_reflection(g.user.id, reflection_id, data["title"], data["body"],
                                               data["competences"], tags=data["tags"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("Reflection amended. The earlier version is kept: you can still read it.")
                return redirect(url_for("worker.reflection", reflection_id=reflection_id))
        values = {"title": form.get("title", ""), "competences": form.getlist("competences"),
                  "tags": form.getlist("tags"),
                  **{f"body_{s['code']}": form.get(f"body_{s['code']}", "") for s in sections}}
    else:
        body = latest["body"] if isinstance(latest["body"], dict) else {"text": latest["body"]}
        values = {"title": latest["title"], "competences": item["competences"], "tags": tags.keys(item.get("tags")),
                  **{f"body_{code}": text for code, text in body.items()}}
    return _render("worker/reflection_amend.html", status=422 if errors else 200, errors=errors,
                   reflection_id=reflection_id, item=item, sections=sections, values=values,
                   competences=reflection_tags(), catalogues=tags.catalogues())


# --- withdrawing evidence: a confirm page, then the POST --------------------------------------
@bp.route("/evidence/<uuid:evidence_id>/withdraw", methods=["GET", "POST"])
@worker_only
def withdraw_evidence(evidence_id):
    ev = app_service().portfolio(g.user.id).evidence.get(str(evidence_id)) or abort(404)
    errors: dict = {}
    if request.method == "POST":
        try:
            app_service().withdraw_evidence(g.user.id, evidence_id)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            flash("Evidence withdrawn. It stays in your record, marked withdrawn, and no longer counts.")
            return redirect(url_for("worker.my_list", kind="evidence"))
    return _render("worker/evidence_withdraw.html", status=422 if errors else 200, errors=errors,
                   evidence_id=evidence_id, ev=ev, title=app_service().read_text(g.user.id, ev["title_sealed"]))
