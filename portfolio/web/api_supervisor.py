"""Supervisors over the API: their supervisees, the sign-off queue, one worker's supervision
summary, decisions, revocations and supervision records.

A supervisor sees a worker only while currently assigned; any other worker answers 404. Personal
text is opened only where may_read_text allows (what the worker shared).
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from flask import abort, g

from portfolio.domain import clock
from portfolio.web.access import app_service, may_read_text, runtime, supervises, worker_or_404
from portfolio.web.api_base import route, split
from portfolio.web.api_schemas import (ApiSupervisionSchema, CreatedSchema, QueueSchema, ReflectionReadSchema,
                                       StatusSchema, SummarySchema, SuperviseesSchema)
from portfolio.web.api_worker import person_ref, stage_dict
from portfolio.web.reads import note_reads
from portfolio.web.schemas import DecisionSchema, RevokeSchema
from portfolio.web.supervisor import shared_reflection as read_shared, summary_goals  # the same rules as the page

SUPERVISOR = ("supervisor",)


def supervisee_or_404(worker_id: UUID):
    """The worker, if the signed-in supervisor is assigned to them today."""
    worker = worker_or_404(worker_id)
    if not supervises(g.user, worker.id):
        abort(404)
    return worker


def names(person_ids) -> dict[str, str]:
    """Display names of people, from the read model (opened one by one for a permitted viewer)."""
    wanted = {str(p) for p in person_ids if p}
    app = app_service()
    return {r.person_id: app.read_text(r.person_id, r.name_sealed) or "(erased)"
            for r in runtime().read_models().people() if r.person_id in wanted}


@route("/supervisees", "GET", summary="The workers I supervise today", tag="supervisor", roles=SUPERVISOR,
       response=SuperviseesSchema)
def supervisees():
    views, today = runtime().read_models(), clock.today()
    open_requests = Counter(r["worker_id"] for r in views.queue(str(g.user.id), today))
    out = []
    for wid in views.supervisees(str(g.user.id), today):
        worker = app_service().person(wid)
        out.append(dict(person_ref(worker), stage=stage_dict(views.stage(wid, today)),
                        open_requests=open_requests[wid]))
    return {"supervisees": sorted(out, key=lambda w: w["username"])}


@route("/queue", "GET", summary="Open sign-off requests of my supervisees, oldest first", tag="supervisor",
       roles=SUPERVISOR, response=QueueSchema)
def queue():
    rows = runtime().read_models().queue(str(g.user.id), clock.today())
    who = names(r["worker_id"] for r in rows)
    return {"requests": [dict(r, levels=split(r["levels"]), worker_name=who.get(r["worker_id"], "(erased)"))
                         for r in rows]}


@route("/workers/<uuid:worker_id>/summary", "GET", summary="Before a supervision session: one supervisee",
       tag="supervisor", roles=SUPERVISOR, response=SummarySchema)
def summary(worker_id):
    worker = supervisee_or_404(worker_id)
    app, wid = app_service(), str(worker.id)
    s = runtime().read_models().supervision_summary(wid, clock.today())
    open_actions = None
    if s["last_supervision_id"]:
        last = app.portfolio(worker.id).supervisions.get(s["last_supervision_id"])
        # Agreed with the supervisor who held the session; anyone else reads them once shared.
        if last and (str(last["supervisor_id"]) == str(g.user.id) or may_read_text(g.user, wid, last["exposure"])):
            open_actions = app.read_text(wid, s["open_actions"])
    shared = [{"id": r.reflection_id, "template": r.template, "competences": split(r.competences),
               "exposure": r.exposure, "shared_at": r.exposure_changed_at,
               "title": app.read_text(wid, r.title_sealed) if may_read_text(g.user, wid, r.exposure) else None}
              for r in s["shared_reflections"]]
    sign_offs = [{"request_id": r.request_id, "competence": r.competence, "levels": split(r.levels),
                  "status": r.status, "evidence_count": r.evidence_count, "requested_at": r.requested_at,
                  "decided_at": r.decided_at} for r in s["sign_offs"]]
    goals = summary_goals(worker.id, s["goals_due"], clock.today())
    reads = [("reflection", r["id"]) for r in shared if r["title"] is not None]
    reads += [("goal", x["id"]) for x in goals if x["shared"]]
    if open_actions is not None:
        reads.append(("supervision", s["last_supervision_id"]))
    note_reads(worker.id, reads, "API supervision summary")
    return {"worker": person_ref(worker), "last_session": s["last_session"], "days_since_last": s["days_since_last"],
            "sessions_90_days": s["sessions_90_days"], "open_actions": open_actions, "shared_reflections": shared,
            "sign_offs": sign_offs, "goals_due": goals, "stage": stage_dict(s["stage"])}


@route("/workers/<uuid:worker_id>/reflections/<uuid:reflection_id>", "GET",
       summary="Read a reflection the supervisee shares with me (noted in their access log)", tag="supervisor",
       roles=SUPERVISOR, response=ReflectionReadSchema)
def shared_reflection(worker_id, reflection_id):
    worker = supervisee_or_404(worker_id)
    r = read_shared(worker, reflection_id)
    note_reads(worker.id, [("reflection", r["id"])], "API shared reflection")
    return r


@route("/workers/<uuid:worker_id>/sign-off-requests/<uuid:request_id>/decision", "POST",
       summary="Approve or return a sign-off request", tag="supervisor", roles=SUPERVISOR, body=DecisionSchema,
       response=StatusSchema)
def decide(worker_id, request_id, data):
    worker = supervisee_or_404(worker_id)
    if data["decision"] == "approve":
        app_service().approve_sign_off(worker.id, request_id, g.user.id)
        return {"id": request_id, "status": "approved"}
    app_service().return_sign_off(worker.id, request_id, g.user.id, data["feedback"])
    return {"id": request_id, "status": "returned"}


@route("/workers/<uuid:worker_id>/sign-off-requests/<uuid:request_id>/revoke", "POST",
       summary="Revoke an approved sign-off (assigned supervisor or organisation admin)", tag="supervisor",
       roles=("supervisor", "org_admin"), body=RevokeSchema, response=StatusSchema)
def revoke(worker_id, request_id, data):
    worker = worker_or_404(worker_id)
    if not (g.user.has_role("org_admin") or supervises(g.user, worker.id)):
        abort(404)
    app_service().revoke_sign_off(worker.id, request_id, g.user.id, data["reason"])
    return {"id": request_id, "status": "revoked"}


@route("/workers/<uuid:worker_id>/supervisions", "POST", summary="Record a supervision session I held",
       tag="supervisor", roles=SUPERVISOR, body=ApiSupervisionSchema, status=201, response=CreatedSchema,
       example={"held_on": "2024-05-01", "orientation": "process", "format": "one_to_one", "mode": "video",
                "minutes": 50, "topics": ["boundaries"], "agreed_actions": "Read the lone-working policy"})
def record_supervision(worker_id, data):
    worker = supervisee_or_404(worker_id)
    return {"id": app_service().record_supervision(worker.id, g.user.id, **data)}
