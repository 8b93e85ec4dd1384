"""Organisation admins and auditors over the API: progression, the accreditation audit (structure,
names and flags; never what a person typed), and the admin's account commands."""

from __future__ import annotations

from uuid import UUID

from flask import g, url_for

from portfolio.domain import clock
from portfolio.domain.errors import NotFound
from portfolio.projections.asof import organisation_as_of
from portfolio.projections.queries import end_of
from portfolio.web.access import app_service, runtime, worker_or_404
from portfolio.web.api_base import Invalid, body_reference, route, split
from portfolio.web.api_schemas import (AccountCreatedSchema, AccountsSchema, AsOfDaySchema, AssignmentResultSchema,
                                       AuditSchema, ProgressionSchema, RolesResultSchema, SelfAssessmentVisitsSchema,
                                       SelfAssessmentVisitSchema)
from portfolio.web.api_supervisor import names
from portfolio.web.schemas import (AccountSchema, AssignmentSchema, AuditApiQuerySchema, EndAssignmentSchema, RolesSchema,
                                   SelfAssessmentSchema)

STAFF = ("org_admin", "auditor")
ADMIN = ("org_admin",)


@route("/progression", "GET", summary="Workers per stage and per competence level signed", tag="organisation",
       roles=STAFF, query=AsOfDaySchema, response=ProgressionSchema)
def progression(args):
    today, as_of = clock.today(), args["as_of"]
    if as_of is None or as_of >= today:
        as_of, views = today, runtime().read_models()
    else:
        views = organisation_as_of(app_service(), runtime().policy(), end_of(as_of))
    p = views.progression(as_of)
    return {"as_of": as_of, "workers": p["workers"], "stages": p["stages"],
            "signed": [{"competence": c, "level": lv, "workers": n} for (c, lv), n in p["signed"].items()]}


@route("/audit", "GET", summary="Sign-off decisions with who decided, evidence and flags, a page at a time",
       tag="organisation", roles=STAFF, query=AuditApiQuerySchema, response=AuditSchema)
def audit(args):
    page, per_page = args.pop("page"), args.pop("per_page")
    views = runtime().read_models()
    total = views.audit_count(**args)
    rows = views.audit(**args, limit=per_page, offset=(page - 1) * per_page)
    who = names({p for r in rows for p in (r["worker_id"], r["decided_by"], r["revoked_by"])})
    out = []
    for r in rows:
        row = {k: r[k] for k in ("request_id", "worker_id", "competence", "status", "requested_at", "decided_at",
                                 "decided_by", "decided_role", "assigned_then", "framework_id", "framework_version",
                                 "evidence_count", "closed_at", "revoked_by", "sessions_90_days",
                                 "unaccredited_trainings", "flags")}
        row.update(levels=split(r["levels"]), worker_name=who.get(r["worker_id"], "(erased)"),
                   decided_by_name=who.get(r["decided_by"], "(erased)"),
                   revoked_by_name=who.get(r["revoked_by"]) if r["revoked_by"] else None,
                   evidence=[{"id": e.evidence_id, "kind": e.kind, "added_at": e.added_at, "withdrawn": e.withdrawn}
                             for e in r["evidence"]])
        out.append(row)
    return {"rows": out, "total": total, "page": page, "pages": max(1, -(-total // per_page)), "per_page": per_page}


# --- the self-assessment (004:942-1012) ---------------------------------------------------------
def _visit(v: dict, who: dict[str, str]) -> dict:
    return {"number": v["number"], "completed_at": v["completed_at"], "by": v["by"],
            "by_name": who.get(str(v["by"]), "(erased)"), "framework_version": v["framework_version"],
            "answers": [{"component": c, "rating": a["rating"], "notes": v["notes"].get(c, "")}
                        for c, a in v["answers"].items()],
            "changes": [{"component": c["code"], "before": c["before"], "after": c["after"]} for c in v["changes"]],
            "notes_changed": v["notes_changed"]}


@route("/self-assessment", "GET", summary="The organisation's self-assessment: every visit, with changes",
       tag="organisation", roles=STAFF, response=SelfAssessmentVisitsSchema)
def self_assessment():
    visits = app_service().self_assessment_visits()
    who = names({v["by"] for v in visits})
    return {"visits": [_visit(v, who) for v in visits]}


@route("/self-assessment", "POST", summary="Record a visit of the self-assessment (every component rated)",
       tag="organisation", roles=ADMIN, body=SelfAssessmentSchema, status=201, response=SelfAssessmentVisitSchema,
       example={"ratings": {"TIMING": "partly", "POWER": "not-started", "COMPENSATION": "mostly",
                            "NUMBERS": "partly", "WELLNESS": "partly", "INVESTMENT": "not-started",
                            "CULTURE": "partly"}, "notes": {"POWER": "Peers advise; none chairs yet."}})
def complete_self_assessment(data):
    number = app_service().complete_self_assessment(g.user.id, data["ratings"], data["notes"])
    visit = app_service().self_assessment_visits()[number - 1]
    return _visit(visit, names([visit["by"]]))


# --- accounts (organisation admin) -------------------------------------------------------------
@route("/accounts", "GET", summary="Every account", tag="accounts", roles=ADMIN, response=AccountsSchema)
def accounts():
    app = app_service()
    return {"accounts": [{"id": r.person_id, "username": r.username, "roles": split(r.roles),
                          "joined_on": r.joined_on, "display_name": app.read_text(r.person_id, r.name_sealed)
                          or "(erased)"} for r in runtime().read_models().people()]}


@route("/accounts", "POST", summary="Create an account", tag="accounts", roles=ADMIN, body=AccountSchema,
       status=201, response=AccountCreatedSchema)
def create_account(data):
    """No password travels: the answer carries a one-time link for the person to choose their own."""
    app = app_service()
    person_id = app.register_person(data["username"], data["display_name"], data["roles"], data["starts_on"])
    if data["position"]:
        app.start_position(person_id, data["position"], data["starts_on"] or clock.today(), data["induction_days"])
    token = app.issue_password_reset(person_id, g.user.id)
    return {"id": person_id, "username": app.person(person_id).username,
            "set_password_url": url_for("auth.set_password", person_id=person_id, token=token, _external=True)}


@route("/accounts/<uuid:person_id>/roles", "POST", summary="Replace an account's roles", tag="accounts",
       roles=ADMIN, body=RolesSchema, response=RolesResultSchema)
def change_roles(person_id, data):
    if person_id == g.user.id and "org_admin" not in data["roles"]:
        raise Invalid({"roles": ["you cannot remove your own organisation admin role; ask another admin"]})
    app_service().change_roles(person_id, data["roles"])
    return {"id": person_id, "roles": app_service().person(person_id).roles}


def _supervisor_must_exist(supervisor_id: UUID) -> None:
    try:
        app_service().person(supervisor_id)
    except NotFound:
        raise Invalid({"supervisor_id": ["there is no such account"]}) from None


@route("/accounts/<uuid:person_id>/assignments", "POST", summary="Assign a supervisor to a worker",
       tag="accounts", roles=ADMIN, body=AssignmentSchema, status=201, response=AssignmentResultSchema)
@body_reference({"supervisor": "supervisor_id"})
def assign_supervisor(person_id, data):
    worker = worker_or_404(person_id)
    if data["supervisor_id"] == worker.id:
        raise Invalid({"supervisor_id": ["a person cannot be their own supervisor"]})
    _supervisor_must_exist(data["supervisor_id"])
    app_service().assign_supervisor(worker.id, data["supervisor_id"], data["starts_on"], data["ends_on"])
    return dict(data, worker_id=person_id)


@route("/accounts/<uuid:person_id>/assignments/end", "POST", summary="End a supervisor's open-ended assignment",
       tag="accounts", roles=ADMIN, body=EndAssignmentSchema, response=AssignmentResultSchema)
@body_reference({"supervisor": "supervisor_id"})
def end_assignment(person_id, data):
    worker_or_404(person_id)
    _supervisor_must_exist(data["supervisor_id"])
    app_service().end_supervision(person_id, data["supervisor_id"], data["ends_on"])
    ended = [a for a in app_service().person(person_id).assignments
             if a["supervisor_id"] == data["supervisor_id"] and a["ends_on"] == data["ends_on"]]
    return {"worker_id": person_id, "supervisor_id": data["supervisor_id"], "starts_on": ended[-1]["starts_on"],
            "ends_on": data["ends_on"]}

