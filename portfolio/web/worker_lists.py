"""The peer worker's lists (reflections, evidence, training, supervision, goals), the reflection page
with its versions and the amend form, and withdrawing evidence. Filters and paging run in the database."""

from __future__ import annotations

import json

from flask import abort, flash, g, redirect, request, url_for
from marshmallow import ValidationError, fields, validate, validates_schema

from portfolio.domain.errors import DomainError
from portfolio.domain.values import EXPOSURE_TIERS, LEVELS, REFLECTION_TEMPLATES
from portfolio.web.access import app_service, runtime
from portfolio.web.forms import Day, FormSchema, domain_errors, parse
from portfolio.web.schemas import CODE, ReflectionSchema
from portfolio.web.worker import _render, _template_sections, bp, competence_items, worker_only

PER_PAGE = 25
TITLES = {"reflections": "My reflections", "evidence": "My evidence", "training": "My training",
          "supervision": "My supervision", "goals": "My goals"}
# Which filters each list offers (a filter a list does not have is refused, not ignored).
FILTERS = {"reflections": ("competence", "tier", "template"), "evidence": ("competence", "level", "tier"),
           "training": (), "supervision": ("tier",), "goals": ("competence",)}


class ListFilterSchema(FormSchema):
    competence = fields.String(validate=CODE)
    level = fields.String(validate=validate.OneOf(LEVELS))
    tier = fields.String(validate=validate.OneOf(EXPOSURE_TIERS))
    template = fields.String(validate=validate.OneOf(REFLECTION_TEMPLATES))
    start = Day()
    end = Day()
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))

    @validates_schema
    def dates_in_order(self, data: dict, **kwargs) -> None:
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("must not be before the start date", "end")


def _filters(kind: str) -> tuple[dict, dict]:
    data, errors = parse(ListFilterSchema(), request.args)
    for name in ("competence", "level", "tier", "template"):
        if name in request.args and request.args[name] and name not in FILTERS[kind]:
            errors.setdefault(name, []).append(f"is not a filter of {TITLES[kind].lower()}")
    codes = {c["code"] for c in competence_items()}
    if data.get("competence") and data["competence"] not in codes:
        errors.setdefault("competence", []).append("is not a competence of the framework")
    return ({} if errors else data), errors


def _row(kind: str, r) -> dict:
    read = lambda sealed: app_service().read_text(g.user.id, sealed) if sealed else ""  # noqa: E731
    row = dict(r._mapping)
    if kind == "reflections":
        row.update(title=read(r.title_sealed), when=r.written_at, id=r.reflection_id,
                   codes=[c for c in r.competences.split(",") if c])
    elif kind == "evidence":
        row.update(title=read(r.title_sealed), when=r.added_at, id=r.evidence_id,
                   codes=[c.replace(":", " ") for c in r.claims.split(",") if c])
    elif kind == "training":
        row.update(title=read(r.title_sealed), when=r.held_on, id=r.training_id,
                   codes=[c for c in r.elements.split(",") if c])
    elif kind == "supervision":
        row.update(title=f"Supervision on {r.held_on}", when=r.held_on, id=r.supervision_id, codes=[])
    else:
        row.update(title=read(r.text_sealed), when=r.set_at, id=r.goal_id,
                   codes=[c for c in r.competences.split(",") if c])
    return row


@bp.get("/<any(reflections, evidence, training, supervision, goals):kind>")
@worker_only
def my_list(kind):
    filters, errors = _filters(kind)
    page = filters.pop("page", 1)
    rows, total = runtime().read_models().my_list(kind, str(g.user.id), page=page, per_page=PER_PAGE, **filters)
    pages = max(1, -(-total // PER_PAGE))
    query = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.items()}
    attended = _attended(filters) if kind == "training" and page == 1 else []
    return _render("worker/my_list.html", "worker/_my_list_rows.html", status=422 if errors else 200,
                   kind=kind, title=TITLES[kind], offered=FILTERS[kind], rows=[_row(kind, r) for r in rows],
                   total=total, page=page, pages=pages, query=query, args=request.args, errors=errors,
                   competences=competence_items(), levels=LEVELS, tiers=EXPOSURE_TIERS,
                   templates=REFLECTION_TEMPLATES, lists=TITLES, attended=attended, titles=_titles() if attended else {})


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


def _versions(item: dict) -> list[dict]:
    read = lambda sealed: app_service().read_text(g.user.id, sealed)  # noqa: E731
    return [{"number": n, "title": read(v["title_sealed"]), "body": json.loads(read(v["body_sealed"]) or "{}"),
             "written_at": v["written_at"]} for n, v in enumerate(item["versions"], start=1)]


def _section_names(template: str) -> dict[str, str]:
    """Section codes (G, R, O, W…) to their names in the template's framework data."""
    return {s["code"]: s["title"] for s in _template_sections(template)}


@bp.get("/reflections/<uuid:reflection_id>")
@worker_only
def reflection(reflection_id):
    item = _reflection(reflection_id)
    versions = _versions(item)
    number = request.args.get("version", type=int) or len(versions)
    if not 1 <= number <= len(versions):
        abort(404)
    return _render("worker/reflection.html", reflection_id=reflection_id, item=item, versions=versions,
                   shown=versions[number - 1], names=_section_names(item["template"]), tiers=EXPOSURE_TIERS)


@bp.route("/reflections/<uuid:reflection_id>/amend", methods=["GET", "POST"])
@worker_only
def amend_reflection(reflection_id):
    item = _reflection(reflection_id)
    latest = _versions(item)[-1]
    sections = _template_sections(item["template"])
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        source = {"template": item["template"], "title": form.get("title", ""),
                  "body": {s["code"]: form.get(f"body_{s['code']}", "") for s in sections},
                  "competences": form.getlist("competences")}
        data, errors = parse(ReflectionSchema(), {k: v for k, v in source.items() if v != ""})
        if not errors:
            try:
                app_service().amend_reflection(g.user.id, reflection_id, data["title"], data["body"],
                                               data["competences"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("Reflection amended. The earlier version is kept: you can still read it.")
                return redirect(url_for("worker.reflection", reflection_id=reflection_id))
        values = {"title": form.get("title", ""), "competences": form.getlist("competences"),
                  **{f"body_{s['code']}": form.get(f"body_{s['code']}", "") for s in sections}}
    else:
        body = latest["body"] if isinstance(latest["body"], dict) else {"text": latest["body"]}
        values = {"title": latest["title"], "competences": item["competences"],
                  **{f"body_{code}": text for code, text in body.items()}}
    return _render("worker/reflection_amend.html", status=422 if errors else 200, errors=errors,
                   reflection_id=reflection_id, item=item, sections=sections, values=values,
                   competences=competence_items())


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
