"""Supervisor pages: the sign-off queue, supervisees, each supervisee's summary, recording a session.

A supervisor sees a worker only while currently assigned to them; anything else answers 404.
Personal text (evidence titles and descriptions, agreed actions, shared reflection titles) is opened
per item and only where `may_read_text` allows.

Decisions work in place with htmx and as plain forms. A refused decision (no feedback to return
with; decided or withdrawn meanwhile) answers a plain form with its status, 422 or 409, and the
card on a page of its own. To htmx it answers 200 with the card showing the refusal: htmx 2 swaps
no 4xx answer by default, HX-Reswap/HX-Retarget do not change that, and the browser logs every 4xx
XHR as a console error; the refusal is an ordinary state of the card, not a failed load. Other 4xx
answers (the assignment ended, the form expired) are swapped into the card as the error fragment by
the `htmx-config` meta tag in templates/supervisor/_head.html.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import quote
from uuid import UUID

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from portfolio.application import COMPETENCES
from portfolio.domain import clock
from portfolio.domain.errors import DomainError, NotFound, RequestNotOpen
from portfolio.levels_due import by_worker, for_worker
from portfolio.domain.values import (SUPERVISION_FORMAT, SUPERVISION_FORMAT_NAMES, SUPERVISION_MODE,
                                     SUPERVISION_ORIENTATION, SUPERVISOR_BACKGROUND_NAMES)
from portfolio.frameworks.guidance import supervision_limits
from portfolio.web.access import (app_service, may_read_text, name_for_reader, roles_required, runtime, stage_names,
                                  supervises, worker_or_404)
from portfolio.web.forms import domain_errors, parse
from portfolio.web.buddies import buddy_context
from portfolio.web.leave import section_context as leave_section
from portfolio.web.reads import note_read, note_reads
from portfolio.web.schemas import DecisionSchema, RevokeSchema, SupervisionSchema
from portfolio.web.tags import count_rows, keys, tag_titles

bp = Blueprint("supervisor", __name__, url_prefix="/supervise")
supervisor_only = roles_required("supervisor")
# The seeds ask for "mentoring and supervision" (004:692-699) but name no frequency: how often is the
# organisation's setting `supervision_every_days` (domain/organisation.py, /org/settings).
STATUS_LABELS = {"open": "Waiting for a decision", "approved": "Approved", "returned": "Returned with feedback",
                 "withdrawn": "Withdrawn by the worker", "revoked": "Revoked"}


def _render(full: str, fragment: str | None = None, status: int = 200, **context):
    """The whole page, or only the fragment when htmx asks."""
    template = fragment if fragment and request.headers.get("HX-Request") else full
    return render_template(template, labels=STATUS_LABELS, **context), status


def _supervisee(worker_id: UUID | str):
    """The worker, if the signed-in supervisor is assigned to them today; else 404."""
    worker = worker_or_404(worker_id)
    if not supervises(g.user, worker.id):
        abort(404)
    return worker


def _name(person_id) -> str:
    return name_for_reader(person_id)


def _statements(version: str | None) -> dict[str, dict]:
    app = app_service()
    try:
        doc = app.framework_document(COMPETENCES, version)
    except NotFound:
        doc = app.framework_document(COMPETENCES)
    return {item["code"]: item for item in doc["items"]}


def _card(worker, request_id: UUID | str, pf=None) -> dict:
    """Everything one request card shows; 404 if the worker has no such request."""
    pf = pf or app_service().portfolio(worker.id)
    req = pf.requests.get(str(request_id)) or abort(404)
    item = _statements(req["framework_version"]).get(req["competence"], {})
    evidence = []
    for eid in req["evidence_ids"]:
        ev = pf.evidence.get(str(eid))
        if ev is None:
            continue
        readable = not ev["withdrawn"] and may_read_text(g.user, worker.id, ev["exposure"])
        read = (lambda sealed: app_service().read_text(worker.id, sealed)) if readable else (lambda _: None)
        evidence.append({"id": str(eid), "title": read(ev["title_sealed"]), "kind": ev["kind"],
                         "withdrawn": ev["withdrawn"], "readable": readable, "has_file": bool(ev["file"]) and readable,
                         "description": read(ev["description_sealed"])})
    note_reads(worker.id, [("evidence", e["id"]) for e in evidence if e["readable"]], "sign-off queue")
    return {"id": str(request_id), "worker_id": str(worker.id), "worker_name": app_service().display_name(worker),
            "competence": req["competence"], "title": item.get("title", ""), "levels": req["levels"],
            "statements": [(lv, item.get("statements", {}).get(lv, "")) for lv in req["levels"]],
            "requested_at": req["requested_at"], "age_days": (clock.today() - req["requested_at"].date()).days,
            "evidence": evidence, "status": req["status"], "decided_at": req.get("decided_at"),
            "decided_by": _name(req.get("decided_by"))}


# --- the queue ----------------------------------------------------------------------------------
@bp.get("")
@supervisor_only
def queue():
    today = clock.today()
    rows = runtime().read_models().queue(str(g.user.id), today)
    workers, portfolios, cards = {}, {}, []
    for row in rows:
        wid = row["worker_id"]
        if wid not in workers:
            worker = app_service().person(wid)
            workers[wid] = worker if supervises(g.user, wid) else None
            portfolios[wid] = app_service().portfolio(wid) if workers[wid] else None
        if workers[wid] is not None:
            cards.append(_card(workers[wid], row["request_id"], portfolios[wid]))
    return _render("supervisor/queue.html", "supervisor/_queue.html", cards=cards, errors={}, open_count=len(cards),
                   level_due=_level_due(today), stage_names=stage_names())


def _level_due(today: date) -> list[tuple[str, str, list]]:
    """(worker id, name, what is due) for each current supervisee with a level of use overdue or coming due."""
    window = app_service().org_settings()["due_warning_days"]
    found = by_worker(runtime().read_models(refresh=False), today, window, supervisor_id=str(g.user.id))
    rows = [(wid, app_service().display_name(app_service().person(wid)), f.dues) for wid, f in found.items()
            if f.dues and supervises(g.user, wid)]
    return sorted(rows, key=lambda r: r[1].lower())


@bp.post("/workers/<uuid:worker_id>/requests/<uuid:request_id>/decision")
@supervisor_only
def decide(worker_id, request_id):
    worker = _supervisee(worker_id)
    _card(worker, request_id)  # 404 unless the worker has this request
    data, errors = parse(DecisionSchema(), request.form)
    conflict = False
    if not errors:
        try:
            if data["decision"] == "approve":
                app_service().approve_sign_off(worker.id, request_id, g.user.id)
            else:
                app_service().return_sign_off(worker.id, request_id, g.user.id, data["feedback"])
        except RequestNotOpen:  # decided (or withdrawn) meanwhile, e.g. by another supervisor
            conflict = True
        except DomainError as exc:
            errors = domain_errors(exc)
    card = _card(worker, request_id)
    if errors and card["status"] != "open":  # invalid input for a request that is no longer open anyway
        conflict, errors = True, {}
    if not errors and not conflict and not request.headers.get("HX-Request"):
        flash(f"{card['competence']} at {' + '.join(card['levels'])} for {card['worker_name']}: "
              f"{STATUS_LABELS[card['status']]}.")
        return redirect(url_for("supervisor.queue"))
    status = 200 if request.headers.get("HX-Request") else 409 if conflict else 422 if errors else 200
    return _render("supervisor/card_page.html", "supervisor/_card.html", status=status, card=card,
                   errors=errors, conflict=conflict, form=request.form,
                   oob_count=_open_count() if request.headers.get("HX-Request") else None)


def _open_count() -> int:
    """Open requests in the signed-in supervisor's queue (the count the queue page shows)."""
    rows = runtime().read_models().queue(str(g.user.id), clock.today())
    return sum(1 for r in rows if supervises(g.user, r["worker_id"]))


@bp.get("/workers/<uuid:worker_id>/evidence/<uuid:evidence_id>/file")
@supervisor_only
def evidence_file(worker_id, evidence_id):
    """Only evidence the worker attached to a sign-off request, still shared and not withdrawn."""
    worker = _supervisee(worker_id)
    pf = app_service().portfolio(worker.id)
    attached = any(str(evidence_id) in map(str, r["evidence_ids"]) for r in pf.requests.values())
    ev = pf.evidence.get(str(evidence_id))
    if not attached or ev is None or ev["withdrawn"] or not ev["file"] \
            or not may_read_text(g.user, worker.id, ev["exposure"]):
        abort(404)
    name, media_type, data = app_service().evidence_file(worker.id, evidence_id)
    note_read(worker.id, "evidence", evidence_id, "evidence file download")
    return Response(data, mimetype=media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"})


# --- supervisees --------------------------------------------------------------------------------

@bp.get("/supervisees")
@supervisor_only
def supervisees():
    today = clock.today()
    views = runtime().read_models()
    settings = app_service().org_settings()
    dues = by_worker(views, today, settings["due_warning_days"], supervisor_id=str(g.user.id))
    open_counts: dict[str, int] = {}
    for row in views.queue(str(g.user.id), today):
        open_counts[row["worker_id"]] = open_counts.get(row["worker_id"], 0) + 1
    people = []
    for wid in views.supervisees(str(g.user.id), today):
        if not supervises(g.user, wid):
            continue
        summary = views.supervision_summary(wid, today)
        people.append({"id": wid, "name": app_service().display_name(app_service().person(wid)),
                       "stage": summary["stage"], "last_session": summary["last_session"],
                       "open": open_counts.get(wid, 0), "level_due": dues[wid].dues if wid in dues else [],
                       "due": supervision_due(summary["last_session"], today, settings["supervision_every_days"])})
    people.sort(key=lambda p: p["name"].lower())
    return _render("supervisor/supervisees.html", "supervisor/_supervisees.html", people=people,
                   stage_names=stage_names(), every_days=settings["supervision_every_days"])


def supervision_due(last_session: date | None, today: date, every_days: int) -> dict:
    """When the next session is due, every_days after the last; with none recorded it is due now."""
    if last_session is None:
        return {"on": today, "overdue": False, "never": True}
    on = last_session + timedelta(days=every_days)
    return {"on": on, "overdue": on < today, "never": False}


# --- one supervisee -----------------------------------------------------------------------------
def _summary_context(worker) -> dict:
    today = clock.today()
    views, settings = runtime().read_models(), app_service().org_settings()
    s = views.supervision_summary(str(worker.id), today)
    due = for_worker(views, str(worker.id), today, settings["due_warning_days"])
    read = lambda sealed: app_service().read_text(worker.id, sealed)  # noqa: E731
    shown = [r for r in s["shared_reflections"] if may_read_text(g.user, worker.id, r.exposure)]
    reflections = [{"id": r.reflection_id, "title": read(r.title_sealed),
                    "competences": [c for c in r.competences.split(",") if c],
                    "shared_at": r.exposure_changed_at} for r in shown]
    missing: dict[str, list[str]] = {}
    for competence, level in s["stage"].missing_levels:
        missing.setdefault(competence, []).append(level)
    actions, held = "", None
    if s["last_supervision_id"]:
        last = app_service().portfolio(worker.id).supervisions.get(s["last_supervision_id"])
        held = last and held_by(last)
        # Agreed with the supervisor who held the session; any other supervisor once the worker shares it.
        if last and (last["supervisor_id"] == g.user.id or may_read_text(g.user, worker.id, last["exposure"])):
            actions = read(s["open_actions"]) or ""
    goals = summary_goals(worker.id, s["goals_due"], today)
    reads = [("reflection", r.reflection_id) for r in shown] + [("goal", x["id"]) for x in goals if x["shared"]]
    if actions:
        reads.append(("supervision", s["last_supervision_id"]))
    note_reads(worker.id, reads, "supervision summary")
    sign_offs = [dict(r._mapping, levels=r.levels.split(","), decided_name=_name(r.decided_by))
                 for r in s["sign_offs"]]
    return {"worker": worker, "name": app_service().display_name(worker), "today": today, "s": s,
            "actions": actions, "reflections": reflections, "held": held,
            "sign_offs": sign_offs, "goals": goals, "stage_names": stage_names(), "missing": missing,
            "titles": {c: item.get("title", "") for c, item in _statements(None).items()},
            # Tags of what is shared with this supervisor only: a private item's tags stay private.
            "tag_rows": count_rows(views.tag_counts(str(worker.id), shared_only=True)),
            "due": supervision_due(s["last_session"], today, settings["supervision_every_days"]),
            "level_due": due.dues if due else [], **leave_section(worker),
            **buddy_context(worker, app_service().portfolio(worker.id), today,
                            f"{app_service().display_name(worker)}'s")}


def held_by(session: dict) -> dict:
    """Who held a session and how (metadata only): the structure, and the supervisor's background if an
    admin recorded it (004:696)."""
    supervisor = app_service().person(session["supervisor_id"])
    return {"name": _name(supervisor.id), "format": SUPERVISION_FORMAT_NAMES.get(session["format"], session["format"]),
            "background": SUPERVISOR_BACKGROUND_NAMES.get(supervisor.supervisor_background or "", "not recorded")}


def summary_goals(worker_id, rows, today: date) -> list[dict]:
    """The summary's goals (page and API): text and the latest review only where the worker shared
    the goal with this reader; otherwise competences and dates, as before goals had tiers."""
    out = []
    for r in rows:
        shared = may_read_text(g.user, worker_id, r.exposure)
        read = (lambda sealed: app_service().read_text(worker_id, sealed) or None) if shared else (lambda _: None)
        review = None
        if shared and r.reviewed_at is not None:
            review = {"status": r.status, "reviewed_at": r.reviewed_at, "commitment": r.commitment,
                      "note": read(r.note_sealed)}
        out.append({"id": r.goal_id, "competences": [c for c in r.competences.split(",") if c],
                    "due_on": r.due_on, "status": r.status, "exposure": r.exposure, "shared": shared,
                    "overdue": r.status == "open" and r.due_on is not None and r.due_on < today,
                    "text": read(r.text_sealed), "latest_review": review})
    return out


@bp.get("/workers/<uuid:worker_id>/summary")
@supervisor_only
def summary(worker_id):
    worker = _supervisee(worker_id)
    return _render("supervisor/summary.html", "supervisor/_summary.html", errors={}, revoking=None,
                   **_summary_context(worker))


def shared_reflection(worker, reflection_id) -> dict:
    """The current version of a reflection the worker shares with this supervisor; else 404.
    Earlier versions stay with the worker: what they amended away is not shown."""
    item = app_service().portfolio(worker.id).reflections.get(str(reflection_id))
    if item is None or not may_read_text(g.user, worker.id, item["exposure"]):
        abort(404)
    latest = item["versions"][-1]
    read = lambda sealed: app_service().read_text(worker.id, sealed)  # noqa: E731
    return {"id": str(reflection_id), "template": item["template"], "competences": item["competences"],
            "exposure": item["exposure"], "title": read(latest["title_sealed"]),
            "body": json.loads(read(latest["body_sealed"]) or "{}"), "written_at": latest["written_at"],
            "versions": len(item["versions"]), "tags": keys(item.get("tags"))}


@bp.get("/workers/<uuid:worker_id>/reflections/<uuid:reflection_id>")
@supervisor_only
def reflection(worker_id, reflection_id):
    worker = _supervisee(worker_id)
    r = shared_reflection(worker, reflection_id)
    note_reads(worker.id, [("reflection", r["id"])], "shared reflection")
    names = {s["code"]: s["title"] for s in app_service().reflection_template(r["template"])[1]}
    return _render("supervisor/reflection.html", worker=worker, name=app_service().display_name(worker), r=r,
                   names=names, tag_titles=tag_titles())


@bp.post("/workers/<uuid:worker_id>/requests/<uuid:request_id>/revoke")
@supervisor_only
def revoke(worker_id, request_id):
    worker = _supervisee(worker_id)
    pf = app_service().portfolio(worker.id)
    req = pf.requests.get(str(request_id)) or abort(404)
    data, errors = parse(RevokeSchema(), request.form)
    if not errors:
        try:
            app_service().revoke_sign_off(worker.id, request_id, g.user.id, data["reason"])
        except RequestNotOpen:
            raise  # not approved (any more): the 409 page, not a form error
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            flash(f"The sign-off of {req['competence']} at {' + '.join(req['levels'])} is revoked.")
            return redirect(url_for("supervisor.summary", worker_id=worker.id))
    return _render("supervisor/summary.html", "supervisor/_summary.html", status=422, errors=errors,
                   revoking=str(request_id), **_summary_context(worker))


@bp.route("/workers/<uuid:worker_id>/supervision/new", methods=["GET", "POST"])
@supervisor_only
def new_supervision(worker_id):
    worker = _supervisee(worker_id)
    form = request.form
    errors: dict = {}
    if request.method == "POST":
        source = {k: form.get(k) for k in ("held_on", "orientation", "format", "mode", "minutes",
                                           "agreed_actions", "notes") if form.get(k, "").strip()}
        source["topics"] = [t.strip() for t in form.get("topics", "").split(",") if t.strip()]
        data, errors = parse(SupervisionSchema(), source)
        if "topics" in errors:
            errors["topics"] = ["each topic can be at most 60 characters; separate topics with commas"]
        if not errors:
            try:
                app_service().record_supervision(worker.id, g.user.id, **data)
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash(f"Supervision session of {data['held_on'].isoformat()} recorded.")
                return redirect(url_for("supervisor.summary", worker_id=worker.id))
    return _render("supervisor/supervision_form.html", "supervisor/_supervision_form.html",
                   status=422 if errors else 200, errors=errors, form=form, worker=worker,
                   name=app_service().display_name(worker), today=clock.today(),
                   orientations=SUPERVISION_ORIENTATION, formats=SUPERVISION_FORMAT, modes=SUPERVISION_MODE,
                   format_names=SUPERVISION_FORMAT_NAMES, limits=supervision_limits())
