"""Input schemas shared by the HTML forms and the JSON API (and its OpenAPI document).

Validators raise (marshmallow 4 ignores a validator that returns False). Domain rules that need
state stay in the domain; these check shape, type and range so bad input never reaches it.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from portfolio.domain.values import (ACCOUNT_ROLES, EVIDENCE_KINDS, EXPOSURE_TIERS, GOAL_STATUSES, LEAVE_KINDS, LEVELS,
                                     POSITIONS,
                                     REFLECTION_TEMPLATES, SUPERVISION_FORMAT, SUPERVISION_MODE,
                                     SUPERVISION_ORIENTATION, TRAINING_DELIVERY)
from portfolio.web.forms import Day, FormSchema

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,39}$", error="is not a framework code")
SHORT = validate.Length(min=1, max=200)
TAG = validate.Regexp(r"^[a-z0-9][a-z0-9\-]{1,59}:[A-Za-z0-9][A-Za-z0-9.\-_]{0,39}$",
                      error="is not a tag (catalogue:code, e.g. who-roles:ROLE-1)")


def tags_field(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=TAG), validate=validate.Length(max=100), metadata={
        "description": "Tags, each 'catalogue:code' from who-roles, ethical-principles, core-concepts, "
                       "core-clusters or hee-competences"}, **kwargs)


class TrainingSchema(FormSchema):
    title = fields.String(required=True, validate=SHORT)
    provider = fields.String(required=True, validate=SHORT)
    held_on = Day(required=True)
    hours = fields.Decimal(required=True, places=2, validate=validate.Range(min=0.25, max=200),
                           as_string=True)
    delivery = fields.String(required=True, validate=validate.OneOf(TRAINING_DELIVERY))
    elements = fields.List(fields.String(validate=CODE), load_default=list)
    accredited = fields.Boolean(load_default=False)
    accredited_by = fields.String(load_default="", validate=validate.Length(max=200))
    ratings = fields.Dict(keys=fields.String(validate=CODE), values=fields.Integer(validate=validate.Range(1, 5)),
                          load_default=dict)

    @validates_schema
    def accreditor_named(self, data: dict, **kwargs) -> None:
        if data.get("accredited") and not (data.get("accredited_by") or "").strip():
            raise ValidationError("name the body that accredited the programme", "accredited_by")


class ReflectionAmendSchema(FormSchema):
    """A new version of a reflection: its template stays the one it was written in."""
    title = fields.String(required=True, validate=SHORT)
    body = fields.Dict(keys=fields.String(validate=CODE), values=fields.String(validate=validate.Length(max=20000)),
                       required=True)
    competences = fields.List(fields.String(validate=CODE), load_default=list)
    tags = tags_field(load_default=None)  # none given: the reflection keeps its tags

    @validates_schema(skip_on_field_errors=False)
    def something_written(self, data: dict, **kwargs) -> None:
        if "body" in data and not any((v or "").strip() for v in data["body"].values()):
            raise ValidationError("write something in at least one section", "body")


class ReflectionSchema(ReflectionAmendSchema):
    template = fields.String(required=True, validate=validate.OneOf(REFLECTION_TEMPLATES))
    tags = tags_field(load_default=list)


class TagsSchema(FormSchema):
    tags = tags_field(load_default=list)


class ExposureSchema(FormSchema):
    tier = fields.String(required=True, validate=validate.OneOf(EXPOSURE_TIERS))


class PrivacyFilterSchema(FormSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(("reflection", "evidence", "supervision", "goal")))
    tier = fields.String(load_default=None, validate=validate.OneOf(EXPOSURE_TIERS))
    log_page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))


class ClaimSchema(FormSchema):
    competence = fields.String(required=True, validate=CODE)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))


class EvidenceSchema(FormSchema):
    title = fields.String(required=True, validate=SHORT)
    kind = fields.String(required=True, validate=validate.OneOf(EVIDENCE_KINDS))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    claims = fields.List(fields.Nested(ClaimSchema), load_default=list)
    links = fields.List(fields.UUID(), load_default=list)
    tags = tags_field(load_default=list)


class SignOffRequestSchema(FormSchema):
    competence = fields.String(required=True, validate=CODE)
    levels = fields.List(fields.String(validate=validate.OneOf(LEVELS)), required=True,
                         validate=validate.Length(min=1, max=4))
    evidence_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=50))


class DecisionSchema(FormSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    feedback = fields.String(load_default="", validate=validate.Length(max=5000))

    @validates_schema
    def feedback_on_return(self, data: dict, **kwargs) -> None:
        if data.get("decision") == "return" and not (data.get("feedback") or "").strip():
            raise ValidationError("say what the worker should add or change", "feedback")


class RevokeSchema(FormSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class SupervisionSchema(FormSchema):
    held_on = Day(required=True)
    orientation = fields.String(required=True, validate=validate.OneOf(SUPERVISION_ORIENTATION))
    format = fields.String(required=True, validate=validate.OneOf(SUPERVISION_FORMAT))
    mode = fields.String(required=True, validate=validate.OneOf(SUPERVISION_MODE))
    minutes = fields.Integer(required=True, validate=validate.Range(5, 480))
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=list)
    agreed_actions = fields.String(load_default="", validate=validate.Length(max=5000))
    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class GoalSchema(FormSchema):
    goal = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    competences = fields.List(fields.String(validate=CODE), load_default=list)
    due_on = Day(load_default=None)


class GoalReviewSchema(FormSchema):
    status = fields.String(required=True, validate=validate.OneOf(GOAL_STATUSES))
    commitment = fields.Integer(load_default=None, validate=validate.Range(1, 10))
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class AccountSchema(FormSchema):
    username = fields.String(required=True, validate=[validate.Length(min=2, max=80),
                                                      validate.Regexp(r"^[A-Za-z0-9._-]+$",
                                                                      error="use letters, digits, '.', '-', '_'")])
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    roles = fields.List(fields.String(validate=validate.OneOf(ACCOUNT_ROLES)), required=True,
                        validate=validate.Length(min=1))
    position = fields.String(load_default=None, validate=validate.OneOf(POSITIONS))
    starts_on = Day(load_default=None)
    induction_days = fields.Integer(load_default=90, validate=validate.Range(0, 730))


class RolesSchema(FormSchema):
    roles = fields.List(fields.String(validate=validate.OneOf(ACCOUNT_ROLES)), required=True,
                        validate=validate.Length(min=1))


class AssignmentSchema(FormSchema):
    supervisor_id = fields.UUID(required=True)
    starts_on = Day(required=True)
    ends_on = Day(load_default=None)


class EndAssignmentSchema(FormSchema):
    supervisor_id = fields.UUID(required=True)
    ends_on = Day(required=True)


class BuddySchema(FormSchema):
    buddy_id = fields.UUID(required=True)
    starts_on = Day(required=True)
    ends_on = Day(load_default=None)


class EndBuddySchema(FormSchema):
    buddy_id = fields.UUID(required=True)
    ends_on = Day(required=True)


class BuddyMeetingSchema(FormSchema):
    buddy_id = fields.UUID(required=True)
    held_on = Day(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(5, 480))
    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class ErasureSchema(FormSchema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))
    confirm = fields.String(required=True, validate=validate.Length(min=1, max=80))  # the username, typed


UNDERSTOOD = "tick the box to say you understand that erasure cannot be undone"


class ErasureRequestSchema(FormSchema):
    confirm = fields.String(required=True, validate=validate.Equal("yes", error=UNDERSTOOD),
                            error_messages={"required": UNDERSTOOD})


class DeclineErasureSchema(FormSchema):
    decline_reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DeactivationSchema(FormSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class AuditFilterSchema(FormSchema):
    start = Day(load_default=None)
    end = Day(load_default=None)
    supervisor_id = fields.UUID(load_default=None)
    competence = fields.String(load_default=None, validate=CODE)
    status = fields.String(load_default=None, validate=validate.OneOf(("approved", "returned", "revoked")))


class AuditPageSchema(AuditFilterSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000),
                          metadata={"description": "Which page of decisions, oldest first (1 is the first)."})


class AuditApiQuerySchema(AuditPageSchema):
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500),
                              metadata={"description": "Decisions a page (at most 500)."})


class AccountFilterSchema(FormSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=80))
    role = fields.String(load_default=None, validate=validate.OneOf(ACCOUNT_ROLES))
    status = fields.String(load_default=None, validate=validate.OneOf(("active", "deactivated", "erased")))
    erasure = fields.String(load_default=None, validate=validate.OneOf(("requested",)))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))


class AsOfSchema(FormSchema):
    as_of = Day(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))


class DueFilterSchema(FormSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(("behind", "soon", "induction")))
    stage = fields.String(load_default=None, validate=CODE)
    supervisor_id = fields.UUID(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))


class LeaveSchema(FormSchema):
    """A period of leave or a career break: a kind and dates, no reason (it may be health-related)."""
    kind = fields.String(required=True, validate=validate.OneOf(LEAVE_KINDS))
    starts_on = Day(required=True)
    ends_on = Day(load_default=None)

    @validates_schema
    def _order(self, data: dict, **kwargs) -> None:
        if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("is before the first day", "ends_on")


class SelfAssessmentSchema(FormSchema):
    """One visit of the organisation's self-assessment: a rating per component (component code ->
    scale code), notes per component optional. Which codes exist is the checklist's, checked by the domain."""
    ratings = fields.Dict(keys=fields.String(validate=CODE), values=fields.String(validate=validate.Length(1, 40)),
                          required=True)
    notes = fields.Dict(keys=fields.String(validate=CODE), values=fields.String(validate=validate.Length(max=5000)),
                        load_default=dict)
