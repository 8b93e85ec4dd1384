"""Form and JSON input of the training register and of attendance at its sessions."""

from __future__ import annotations

from marshmallow import fields, validate

from portfolio.web.forms import Day, FormSchema
from portfolio.web.schemas import CODE

NAME = validate.Length(min=1, max=200)
NOTE = validate.Length(max=4000)


class ProgrammeSchema(FormSchema):
    title = fields.String(required=True, validate=NAME)
    provider = fields.String(required=True, validate=NAME)
    note = fields.String(load_default="", validate=NOTE)
    admission_criteria = fields.String(load_default="", validate=NOTE)


class SessionSchema(FormSchema):
    code = fields.String(required=True, validate=[validate.Length(max=20), CODE])
    title = fields.String(required=True, validate=NAME)
    hours = fields.Decimal(load_default=None, places=2, validate=validate.Range(0, 24, min_inclusive=False),
                           metadata={"description": "Duration in hours; leave out when not stated."})
    competences = fields.List(fields.String(validate=CODE), load_default=list)
    elements = fields.List(fields.String(validate=CODE), load_default=list)


class SessionChangeSchema(SessionSchema):
    code = fields.String(load_default="")  # the address names the session


class AccreditationSchema(FormSchema):
    institution = fields.String(required=True, validate=NAME)
    starts_on = Day(required=True)
    ends_on = Day(load_default=None)


class EndAccreditationSchema(FormSchema):
    accreditation = Day(required=True, metadata={"description": "The start date of the accreditation to end."})
    until = Day(required=True, metadata={"description": "Its last day."})


class AttendanceSchema(FormSchema):
    programme_id = fields.UUID(required=True)
    session = fields.String(required=True, validate=[validate.Length(max=20), CODE])
    attended_on = Day(required=True)


class ProgrammeChoiceSchema(FormSchema):
    programme_id = fields.UUID(load_default=None)
