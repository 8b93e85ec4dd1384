"""The peer worker's own portfolio: dashboard, timeline, and the forms to add to it."""

from __future__ import annotations

from datetime import datetime, time, timezone

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from portfolio.application import TEMPLATES
from portfolio.domain import clock
from portfolio.domain.errors import DomainError
from portfolio.domain.values import EVIDENCE_KINDS, EXPOSURE_TIERS, LEVELS
from portfolio.frameworks.guidance import supervision_limits
from portfolio.levels_due import for_worker
from portfolio.projections.asof import worker_as_of
from portfolio.web.access import app_service, portfolio_required, runtime, stage_names
from portfolio.web.buddies import buddy_context
from portfolio.web.forms import domain_errors, parse
from portfolio.web import tags
from portfolio.web.lists import competence_items, reflection_tags
from portfolio.web.schemas import (AsOfSchema, EvidenceSchema, ExposureSchema, PrivacyFilterSchema,
                                   ReflectionSchema, SignOffRequestSchema, TrainingSchema)

bp = Blueprint("worker", __name__, url_prefix="/me")
worker_only = portfolio_required  # peer workers, and managers in a position (002:621-625)


def _render(full: str, fragment: str | None = None, status: int = 200, **context):
    """The whole page, or only the fragment when htmx asks."""
    template = fragment if fragment and request.headers.get("HX-Request") else full
    return render_template(template, **context), status


def _views(as_of):
    """Live read models, or the portfolio as it stood at the end of `as_of` (computed from the log)."""
    if as_of is None or as_of >= clock.today():
        return runtime().read_models(), None
    moment = datetime.combine(as_of, time.max, tzinfo=timezone.utc)
    return worker_as_of(app_service(), runtime().policy(), g.user.id, moment), as_of


def _own(rows) -> list[dict]:
    """Timeline rows with each item's title opened for its owner (the signed-in worker)."""
    return [dict(r._mapping, title=app_service().read_text(g.user.id, r.title_sealed)) for r in rows]


@bp.get("")
@worker_only
def dashboard():
    args, errors = parse(AsOfSchema(), request.args)
    views, as_of = _views(args.get("as_of"))
    wid = str(g.user.id)
    day = as_of or clock.today()
    recent = _own(views.timeline(wid, per_page=8)[0])
    pf = app_service().portfolio(g.user.id)
    returned = standing_feedback(pf)
    returned.sort(key=lambda r: r["decided_at"], reverse=True)
    open_requests = [dict(id=rid, **r) for rid, r in pf.requests.items() if r["status"] == "open"]
    # today's report comes with the due warning: no second assessment of the same day
    due = None if as_of else for_worker(views, wid, day, app_service().org_settings()["due_warning_days"])
    return _render("worker/dashboard.html", "worker/_matrix.html", status=422 if errors else 200,
                   matrix=views.matrix(wid), stage=due.now if due else views.stage(wid, day), leave=views.leave(wid), recent=recent,
                   as_of=as_of,
                   errors=errors, competences=competence_items(), levels=LEVELS,
                   returned=returned[:5] if as_of is None else [], open_requests=open_requests if as_of is None else [],
                   read=lambda sealed: app_service().read_text(g.user.id, sealed),
                   stage_names=stage_names(), level_due=due.dues if due else [],
                   tag_rows=tags.count_rows(views.tag_counts(wid)),
                   **buddy_context(g.user, pf, day))


def standing_feedback(pf) -> list[dict]:
    """Returned requests whose feedback still matters: their levels are not all signed, and the
    worker has not asked again for any of them since. One pass over the requests, not one per
    returned request (a long history has hundreds)."""
    last_asked: dict[tuple[str, str], object] = {}
    for r in pf.requests.values():
        if r["status"] != "withdrawn":
            for lv in r["levels"]:
                key = (r["competence"], lv)
                last_asked[key] = max(last_asked.get(key, r["requested_at"]), r["requested_at"])
    held: dict[str, list[str]] = {}
    standing = []
    for rid, r in pf.requests.items():
        if r["status"] != "returned":
            continue
        signed = held.setdefault(r["competence"], pf.held_levels(r["competence"]))
        if all(lv in signed for lv in r["levels"]):
            continue
        if any(last_asked[(r["competence"], lv)] > r["decided_at"] for lv in r["levels"]):
            continue
        standing.append(dict(id=rid, **r))
    return standing



@bp.get("/timeline")
@worker_only
def timeline():
    args, errors = parse(AsOfSchema(), request.args)
    views, as_of = _views(args.get("as_of"))
    page = args.get("page", 1)
    rows, total = views.timeline(str(g.user.id), page=page, per_page=25)
    return _render("worker/timeline.html", "worker/_timeline_rows.html", status=422 if errors else 200,
                   rows=_own(rows), total=total, page=page, pages=max(1, -(-total // 25)), as_of=as_of, errors=errors)


# --- training ---------------------------------------------------------------------------------
@bp.route("/training/new", methods=["GET", "POST"])
@worker_only
def new_training():
    errors: dict = {}
    form = request.form
    elements = app_service().framework_document("training-elements")["items"]
    scales = app_service().framework_document("training-evaluation")["items"]
    if request.method == "POST":
        source = {k: form.get(k) for k in ("title", "provider", "held_on", "hours", "delivery", "accredited_by")
                  if form.get(k)}
        source["elements"] = form.getlist("elements")
        source["accredited"] = form.get("accredited") == "yes"
        source["ratings"] = {s["code"]: form.get(f"rating_{s['code']}") for s in scales
                             if form.get(f"rating_{s['code']}")}
        data, errors = parse(TrainingSchema(), source)
        if not errors:
            try:
                _, warnings = app_service().record_training(g.user.id, **data)
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("Training recorded." + "".join(f" Note: {w}" for w in warnings))
                return redirect(url_for("worker.dashboard"))
    return _render("worker/training_form.html", status=422 if errors else 200, errors=errors, form=form,
                   elements=elements, scales=scales)


# --- reflections ------------------------------------------------------------------------------
def _template_sections(template: str) -> list[dict]:
    return app_service().reflection_template(template)[1]


def section_names(template: str) -> dict[str, str]:
    """Section codes (G, R, O, W…) to their names in the template's framework data."""
    return {s["code"]: s["title"] for s in _template_sections(template)}


@bp.route("/reflections/new", methods=["GET", "POST"])
@worker_only
def new_reflection():
    template = request.values.get("template", "free")
    if template not in TEMPLATES:
        template = "free"
    intro, sections = app_service().reflection_template(template)
    errors: dict = {}
    form = request.form
    if request.method == "POST" and form.get("save"):
        source = {"template": template, "body": {s["code"]: form.get(f"body_{s['code']}", "") for s in sections},
                  "competences": form.getlist("competences"), "tags": form.getlist("tags")}
        if form.get("title", "").strip():
            source["title"] = form["title"]
        data, errors = parse(ReflectionSchema(), source)
        if not errors:
            try:
                rid = app_service().write_reflection(g.user.id, **data, others_story=form.get("others_story") == "yes")
                if form.get("share") == "supervisors":  # the worker chose this explicitly on the form
                    app_service().change_exposure(g.user.id, "reflection", rid, "supervisors")
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("Reflection saved. " + ("Your supervisor can read it." if form.get("share") == "supervisors"
                                             else "It is private: only you can read it."))
                return redirect(url_for("worker.reflection", reflection_id=rid))
    return _render("worker/reflection_form.html", "worker/_reflection_sections.html",
                   status=422 if errors else 200, errors=errors, form=form, template=template,
                   templates=list(TEMPLATES), sections=sections, intro=intro, competences=reflection_tags(),
                   catalogues=tags.catalogues(), chosen=form.getlist("tags"))


@bp.post("/<any(reflection, supervision, evidence, goal):kind>/<uuid:item_id>/exposure")
@worker_only
def exposure(kind, item_id):
    data, errors = parse(ExposureSchema(), request.form)
    in_place = request.headers.get("HX-Request") and request.form.get("in_place") == "privacy"
    if errors:
        if in_place:
            return _privacy_row(kind, item_id, errors, 422)
        abort(400, "tier: " + " ".join(errors.get("tier", ["is required"])))
    try:
        app_service().change_exposure(g.user.id, kind, item_id, data["tier"])
    except DomainError as exc:
        if not in_place:
            raise
        return _privacy_row(kind, item_id, {"tier": [str(exc)]}, 422)
    if in_place:  # the row on My privacy, swapped in place
        return _privacy_row(kind, item_id)
    flash({"private": "Now private: only you can read it.",
           "supervisors": "Shared: your current supervisor can read it.",
           "accreditation": "Submitted as accreditation evidence."}[data["tier"]])
    return redirect(request.referrer or url_for("worker.dashboard"))


# --- evidence ---------------------------------------------------------------------------------
@bp.route("/evidence/new", methods=["GET", "POST"])
@worker_only
def new_evidence():
    errors: dict = {}
    form = request.form
    if request.method == "POST":
        claims = [dict(zip(("competence", "level"), c.split(":", 1))) for c in form.getlist("claims") if ":" in c]
        source = {k: form.get(k) for k in ("title", "kind", "description") if form.get(k)}
        source["claims"], source["tags"] = claims, form.getlist("tags")
        data, errors = parse(EvidenceSchema(), source)
        upload = request.files.get("file")
        file = None
        if upload and upload.filename:
            file = (upload.filename, upload.mimetype or "application/octet-stream", upload.read())
        if not errors:
            try:
                app_service().add_evidence(g.user.id, data["title"], data["kind"], data["description"],
                                           [(c["competence"], c["level"]) for c in data["claims"]], file,
                                           data["links"], tags=data["tags"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("Evidence added. It is private until you choose it for a sign-off or share it.")
                return redirect(url_for("worker.dashboard"))
    return _render("worker/evidence_form.html", status=422 if errors else 200, errors=errors, form=form,
                   kinds=EVIDENCE_KINDS, competences=competence_items(), levels=LEVELS,
                   catalogues=tags.catalogues(), chosen=form.getlist("tags"),
                   limits=supervision_limits())


@bp.get("/evidence/<uuid:evidence_id>/file")
@worker_only
def evidence_file(evidence_id):
    name, media_type, data = app_service().evidence_file(g.user.id, evidence_id)
    return Response(data, mimetype=media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


# --- sign-off ---------------------------------------------------------------------------------
@bp.route("/sign-off/new", methods=["GET", "POST"])
@worker_only
def request_sign_off():
    errors: dict = {}
    form = request.form
    pf = app_service().portfolio(g.user.id)
    if request.method == "POST":
        source = {"competence": form.get("competence", ""), "levels": form.getlist("levels"),
                  "evidence_ids": form.getlist("evidence_ids")}
        data, errors = parse(SignOffRequestSchema(), {k: v for k, v in source.items() if v})
        if not errors:
            try:
                app_service().request_sign_off(g.user.id, data["competence"], data["levels"], data["evidence_ids"])
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash(f"Sign-off of {data['competence']} at {' + '.join(data['levels'])} requested. "
                      f"The evidence you chose is now visible to your supervisor.")
                return redirect(url_for("worker.dashboard"))
    competences = competence_items()
    chosen = request.values.get("competence") or competences[0]["code"]
    evidence = [dict(id=eid, title=app_service().read_text(g.user.id, e["title_sealed"]), **e)
                for eid, e in pf.evidence.items() if not e["withdrawn"]]
    evidence.sort(key=lambda e: e["added_at"], reverse=True)
    # The evidence that claims the chosen competence first, then the rest (newest first in each).
    claiming = [e for e in evidence if any(c["competence"] == chosen for c in e["claims"])]
    others = [e for e in evidence if e not in claiming]
    return _render("worker/sign_off_form.html", status=422 if errors else 200, errors=errors, form=form,
                   competences=competences, levels=LEVELS, claiming=claiming, others=others,
                   selected=chosen)


@bp.post("/sign-off/<uuid:request_id>/withdraw")
@worker_only
def withdraw_sign_off(request_id):
    app_service().withdraw_sign_off(g.user.id, request_id)
    flash("Sign-off request withdrawn.")
    return redirect(url_for("worker.dashboard"))



# --- privacy: who can read what, who did, and everything held about me -----------------------
@bp.get("/privacy")
@worker_only
def privacy():
    """Grouped by kind, filtered by kind and tier, each tier changed in place; the access log names
    the item read, who read it and when, a page at a time."""
    args, errors = parse(PrivacyFilterSchema(), request.args)
    items = _privacy_items(args.get("kind"), args.get("tier"))
    groups = [(kind, label, [i for i in items if i["kind"] == kind]) for kind, label in PRIVACY_KINDS]
    titles = {(i["kind"], i["id"]): i["title"] for i in _privacy_items(None, None)}
    names: dict = {}
    log = []
    for r in reversed(app_service().access_log(g.user.id)):
        if r["reader_id"] not in names:
            names[r["reader_id"]] = app_service().display_name(app_service().person(r["reader_id"]))
        log.append(dict(r, reader=names[r["reader_id"]], title=titles.get((r["item_kind"], str(r["item_id"])))))
    page = args.get("log_page", 1)
    pages = max(1, -(-len(log) // LOG_PAGE))
    shown = log[(page - 1) * LOG_PAGE:page * LOG_PAGE]
    return _render("worker/privacy.html", "worker/_privacy_log.html" if request.args.get("log_page") else None,
                   status=422 if errors else 200, groups=groups, log=shown, log_page=page, log_pages=pages,
                   log_total=len(log), errors=errors, args=args, tiers=EXPOSURE_TIERS, kinds=PRIVACY_KINDS,
                   total=len(items))


PRIVACY_KINDS = (("reflection", "Reflections"), ("evidence", "Evidence"), ("supervision", "Supervision sessions"),
                 ("goal", "Goals"))
LOG_PAGE = 50


def _privacy_items(kind: str | None, tier: str | None) -> list[dict]:
    from portfolio.privacy import readers_on

    pf = app_service().portfolio(g.user.id)
    now = datetime.now(timezone.utc)
    read = lambda sealed: app_service().read_text(g.user.id, sealed)  # noqa: E731
    items = []
    for k, group, title in (("reflection", pf.reflections, lambda i: read(i["versions"][-1]["title_sealed"])),
                            ("evidence", pf.evidence, lambda i: read(i["title_sealed"])),
                            ("supervision", pf.supervisions, lambda i: f"Supervision on {i['held_on']}"),
                            ("goal", pf.goals, lambda i: read(i["text_sealed"]))):
        if kind and k != kind:
            continue
        for item_id, item in group.items():
            if tier and item["exposure"] != tier:
                continue
            items.append({"kind": k, "id": item_id, "title": title(item), "exposure": item["exposure"],
                          "others_story": item.get("others_story", False),
                          "permission": item.get("permission_confirmed", False),
                          "readers": readers_on(app_service(), g.user.id, k, item_id, now)["readers"]})
    return items


def _privacy_row(kind: str, item_id, errors: dict | None = None, status: int = 200):
    row = next((i for i in _privacy_items(kind, None) if i["id"] == str(item_id)), None) or abort(404)
    return render_template("worker/_privacy_row.html", i=row, tiers=EXPOSURE_TIERS, errors=errors or {}), status


@bp.get("/<any(reflection, supervision, evidence, goal):kind>/<uuid:item_id>/exposure")
@worker_only
def exposure_history(kind, item_id):
    from portfolio.privacy import exposure_history as history, readers_on

    args, errors = parse(AsOfSchema(), request.args)
    data = history(app_service(), g.user.id, kind, item_id)
    on = args.get("as_of")
    then = None
    if on is not None:
        then = readers_on(app_service(), g.user.id, kind, item_id, datetime.combine(on, time.max, tzinfo=timezone.utc))
    return _render("worker/exposure.html", "worker/_exposure_then.html", status=422 if errors else 200,
                   kind=kind, item_id=item_id, data=data, on=on, then=then, errors=errors)


@bp.post("/<any(reflection, evidence):kind>/<uuid:item_id>/permission")
@worker_only
def confirm_permission(kind, item_id):
    app_service().confirm_story_permission(g.user.id, kind, item_id)
    flash("Recorded: the story was told with permission. You can now choose to share it.")
    return redirect(request.referrer or url_for("worker.privacy"))


@bp.get("/subject-access.<any(json, html):fmt>")
@worker_only
def subject_access(fmt):
    from portfolio.privacy import TEXT_LABELS, subject_access as gather, subject_access_json

    if fmt == "json":
        return Response(subject_access_json(app_service(), runtime().read_models(), g.user.id),
                        mimetype="application/json",
                        headers={"Content-Disposition": 'attachment; filename="my-portfolio-data.json"'})
    return render_template("worker/subject_access.html", labels=TEXT_LABELS,
                           data=gather(app_service(), runtime().read_models(), g.user.id))


from portfolio.web import worker_lists  # noqa: E402,F401  (its routes join this blueprint)
from portfolio.web import worker_training  # noqa: E402,F401  (its routes join this blueprint)
from portfolio.web import worker_tags  # noqa: E402,F401  (its route joins this blueprint)
