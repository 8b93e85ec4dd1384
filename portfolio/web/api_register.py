"""The training register over the API: the programmes (every role reads them: workers choose from
them), attendance by the worker, and the training coverage per worker (admins and auditors)."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from portfolio.domain.programmes import Programme
from portfolio.web.access import app_service, runtime
from portfolio.web.api_base import route
from portfolio.web.api_schemas import CreatedSchema
from portfolio.web.programmes import register_reads
from portfolio.web.register_schemas import AttendanceSchema

EVERYONE = ("peer_worker", "supervisor", "org_admin", "auditor")


class SessionOutSchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    hours = fields.String(allow_none=True, metadata={"description": "Decimal hours, e.g. \"3.50\"; null: not stated."})
    over_four_hours = fields.Boolean(required=True, metadata={"description": "000:388: over 4 hours, flagged."})
    competences = fields.List(fields.String(), required=True)
    elements = fields.List(fields.String(), required=True)


class AccreditationOutSchema(Schema):
    institution = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)


class ProgrammeOutSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    provider = fields.String(required=True)
    note = fields.String(required=True)
    admission_criteria = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "Framework and version of a built-in one."})
    sessions = fields.List(fields.Nested(SessionOutSchema), required=True)
    accreditations = fields.List(fields.Nested(AccreditationOutSchema), required=True)


class ProgrammesSchema(Schema):
    programmes = fields.List(fields.Nested(ProgrammeOutSchema), required=True)


class CoverageRowSchema(Schema):
    worker_id = fields.UUID(required=True)
    elements = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                           metadata={"description": "Element code -> registered / unregistered."})
    accredited_hours = fields.String(required=True, metadata={"description": "Decimal hours, e.g. \"3.50\"."})
    unaccredited_hours = fields.String(required=True, metadata={"description": "Decimal hours, e.g. \"3.50\"."})
    unregistered_hours = fields.String(required=True, metadata={"description": "Decimal hours, e.g. \"3.50\"."})
    sessions_without_hours = fields.Integer(required=True)
    over_long = fields.Integer(required=True)


class CoverageSchema(Schema):
    rows = fields.List(fields.Nested(CoverageRowSchema), required=True)


def _split(codes: str) -> list[str]:
    return [c for c in codes.split(",") if c]


@route("/programmes", "GET", summary="The organisation's register of training programmes", tag="register",
       roles=EVERYONE, response=ProgrammesSchema)
def programmes():
    reads = register_reads()
    out = []
    for row in reads.programmes():
        _, sessions, accs = reads.programme(row.programme_id)
        out.append(dict(row._mapping, id=row.programme_id,
                        sessions=[dict(s._mapping, competences=_split(s.competences), elements=_split(s.elements),
                                       hours=None if s.hours is None else str(s.hours)) for s in sessions],
                        accreditations=[dict(a._mapping) for a in accs]))
    return {"programmes": out}


@route("/me/attendance", "POST", summary="Record attending a session of a registered programme", tag="worker",
       roles=("peer_worker",), body=AttendanceSchema, status=201, response=CreatedSchema,
       example={"programme_id": str(Programme.builtin_id("hee-programme")), "session": "S1",
                "attended_on": "2024-03-01"})
def record_attendance(data):
    return {"id": app_service().record_attendance(g.user.id, **data)}


@route("/training-coverage", "GET", summary="Per worker: the 15 elements covered, accredited and unaccredited "
       "hours, sessions over 4 hours", tag="organisation", roles=("org_admin", "auditor"), response=CoverageSchema)
def training_coverage():
    reads = register_reads()  # caught up first: the people below are read without another refresh
    people = runtime().read_models(refresh=False).people()
    workers = [r.person_id for r in people if "peer_worker" in r.roles.split(",")]
    rows = [dict(vars(c), worker_id=w) for w, c in reads.coverage(workers).items()]
    return {"rows": [r | {k: str(r[k]) for k in ("accredited_hours", "unaccredited_hours", "unregistered_hours")}
                     for r in rows]}
