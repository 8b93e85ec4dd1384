"""The peer worker's own portfolio over the API (/api/v1/me…): the same commands and reads as the
worker's pages (portfolio/web/worker.py). The worker is always the token's owner, so another
worker's ids simply are not found (404)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timezone

from flask import g

from portfolio.domain import clock
from portfolio.domain.values import ACCOUNT_ROLES, LEVELS
from portfolio.projections.asof import worker_as_of
from portfolio.web import erasure
from portfolio.web.access import app_service, runtime
from portfolio.web.api_base import body_reference, route
from portfolio.web.api_schemas import (ApiEvidenceSchema, AsOfDaySchema, CreatedSchema, ErasureRequestStateSchema,
                                       ExposureResultSchema, GoalReviewedSchema, MeSchema, StatusSchema, TimelineSchema,
                                       TrainingCreatedSchema)
from portfolio.web.schemas import (AsOfSchema, ErasureRequestSchema, ExposureSchema, GoalReviewSchema, GoalSchema,
                                   ReflectionSchema, SignOffRequestSchema, TrainingSchema)

WORKER = ("peer_worker",)
PER_PAGE = 25


def person_ref(person) -> dict:
    return {"id": person.id, "username": person.username, "display_name": app_service().display_name(person)}


def stage_dict(report) -> dict:
    return asdict(report)


def _views(as_of):
    """Live read models, or the worker's portfolio as it stood at the end of `as_of`."""
    if as_of is None or as_of >= clock.today():
        return runtime().read_models(), None
    moment = datetime.combine(as_of, time.max, tzinfo=timezone.utc)
    return worker_as_of(app_service(), runtime().policy(), g.user.id, moment), as_of


def _own_requests() -> list[dict]:
    app = app_service()
    pf = app.portfolio(g.user.id)
    out = [{"id": rid, "competence": r["competence"], "levels": r["levels"], "status": r["status"],
            "evidence_ids": r["evidence_ids"], "requested_at": r["requested_at"], "decided_at": r["decided_at"],
            "feedback": app.read_text(g.user.id, r.get("feedback_sealed"))}
           for rid, r in pf.requests.items()]
    return sorted(out, key=lambda r: r["requested_at"], reverse=True)


@route("/me", "GET", summary="My stage and competency matrix", tag="worker", roles=WORKER,
       query=AsOfDaySchema, response=MeSchema)
def me(args):
    views, as_of = _views(args["as_of"])
    wid = str(g.user.id)
    order = {c: i for i, c in enumerate(runtime().policy().competences)}
    cells = sorted(views.matrix(wid).values(),
                   key=lambda c: (order.get(c["competence"], len(order)), LEVELS.index(c["level"])))
    return {"worker": person_ref(g.user), "as_of": as_of, "stage": stage_dict(views.stage(wid, as_of or clock.today())),
            "matrix": cells, "requests": _own_requests() if as_of is None else []}


@route("/me/timeline", "GET", summary="My timeline, newest first, 25 a page", tag="worker", roles=WORKER,
       query=AsOfSchema, response=TimelineSchema)
def timeline(args):
    views, as_of = _views(args["as_of"])
    page = args["page"]
    rows, total = views.timeline(str(g.user.id), page=page, per_page=PER_PAGE)
    read = lambda sealed: app_service().read_text(g.user.id, sealed)  # noqa: E731 - the owner's own titles
    return {"rows": [dict(r._mapping, title=read(r.title_sealed)) for r in rows], "total": total, "page": page,
            "pages": max(1, -(-total // PER_PAGE)), "per_page": PER_PAGE, "as_of": as_of}


@route("/me/training", "POST", summary="Record a training session", tag="worker", roles=WORKER,
       body=TrainingSchema, status=201, response=TrainingCreatedSchema,
       example={"title": "Intentional Peer Support", "provider": "IPS", "held_on": "2024-03-01", "hours": "3.5",
                "delivery": "face_to_face", "elements": ["TE-1"], "ratings": {"OVERALL": 5}})
def record_training(data):
    training_id, warnings = app_service().record_training(g.user.id, **data)
    return {"id": training_id, "warnings": warnings}


@route("/me/reflections", "POST", summary="Write a reflection (private until shared)", tag="worker",
       roles=WORKER, body=ReflectionSchema, status=201, response=CreatedSchema,
       example={"template": "grow", "title": "Listening", "body": {"G": "Listen more", "R": "I interrupt"},
                "competences": ["REL-1"]})
def write_reflection(data):
    return {"id": app_service().write_reflection(g.user.id, **data)}


@route("/me/<any(reflection, supervision, evidence, goal):kind>/<uuid:item_id>/exposure", "POST",
       summary="Choose who can read one of my items", tag="worker", roles=WORKER, body=ExposureSchema,
       response=ExposureResultSchema)
def change_exposure(kind, item_id, data):
    app_service().change_exposure(g.user.id, kind, item_id, data["tier"])
    return {"id": item_id, "kind": kind, "exposure": data["tier"]}


@route("/me/evidence", "POST", summary="Add evidence (no file upload over the API)", tag="worker", roles=WORKER,
       body=ApiEvidenceSchema, status=201, response=CreatedSchema,
       example={"title": "Observed group session", "kind": "observation", "description": "Co-facilitated",
                "claims": [{"competence": "REL-1", "level": "Basic"}]})
@body_reference({}, not_found_field="links")
def add_evidence(data):
    claims = [(c["competence"], c["level"]) for c in data["claims"]]
    return {"id": app_service().add_evidence(g.user.id, data["title"], data["kind"], data["description"], claims,
                                             None, data["links"], tags=data["tags"])}


@route("/me/sign-off-requests", "POST", summary="Ask for a competence to be signed off", tag="worker",
       roles=WORKER, body=SignOffRequestSchema, status=201, response=CreatedSchema)
@body_reference({"evidence": "evidence_ids"}, not_found_field="evidence_ids")
def request_sign_off(data):
    return {"id": app_service().request_sign_off(g.user.id, data["competence"], data["levels"],
                                                 data["evidence_ids"])}


@route("/me/sign-off-requests/<uuid:request_id>/withdraw", "POST", summary="Withdraw an open sign-off request",
       tag="worker", roles=WORKER, response=StatusSchema)
def withdraw_sign_off(request_id):
    app_service().withdraw_sign_off(g.user.id, request_id)
    return {"id": request_id, "status": "withdrawn"}


@route("/me/goals", "POST", summary="Set a development goal", tag="worker", roles=WORKER, body=GoalSchema,
       status=201, response=CreatedSchema, example={"goal": "Co-facilitate a group", "competences": ["GOAL-1"],
                                                    "due_on": "2030-01-31"})
def set_goal(data):
    return {"id": app_service().set_goal(g.user.id, **data)}


@route("/me/goals/<uuid:goal_id>/review", "POST", summary="Review a development goal", tag="worker",
       roles=WORKER, body=GoalReviewSchema, response=GoalReviewedSchema)
def review_goal(goal_id, data):
    app_service().review_goal(g.user.id, goal_id, **data)
    return {"id": goal_id, "status": data["status"]}


# --- my erasure request: any account (not only workers), as on /me/erasure -------------------------
def _erasure_state() -> dict:
    st = erasure.state(app_service().person(g.user.id))
    closed = st["closed"] or {}
    return {"status": "open" if st["open"] else closed.get("outcome", "none"),
            "requested_at": st["open"]["at"] if st["open"] else None,
            "closed_at": None if st["open"] else closed.get("at"), "reason": None if st["open"] else st["reason"]}


@route("/me/erasure-request", "GET", summary="My erasure request: none, open, or how the last one ended",
       tag="worker", roles=ACCOUNT_ROLES, response=ErasureRequestStateSchema)
def erasure_request():
    return _erasure_state()


@route("/me/erasure-request", "POST", summary="Ask for my record to be erased (cannot be undone once carried out)",
       tag="worker", roles=ACCOUNT_ROLES, body=ErasureRequestSchema, status=201, response=ErasureRequestStateSchema,
       example={"confirm": "yes"})
def request_erasure(data):
    app_service().request_erasure(g.user.id)
    return _erasure_state()


@route("/me/erasure-request/withdraw", "POST", summary="Withdraw my open erasure request", tag="worker",
       roles=ACCOUNT_ROLES, response=ErasureRequestStateSchema)
def withdraw_erasure_request():
    app_service().withdraw_erasure_request(g.user.id)
    return _erasure_state()
