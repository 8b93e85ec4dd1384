"""Schemas only the JSON API needs: the token request, and every answer (dumped through these, and
documented from them in the OpenAPI document). Input schemas shared with the HTML forms stay in
portfolio/web/schemas.py.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from portfolio.domain.values import EXPOSURE_TIERS, GOAL_STATUSES
from portfolio.web.forms import Day, FormSchema
from portfolio.web.schemas import EvidenceSchema, SupervisionSchema

NULLABLE = dict(allow_none=True, load_default=None)


# --- input -------------------------------------------------------------------------------------
class TokenRequestSchema(FormSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


# The read models keep an evidence item's claims joined in one column of 600 characters; longer would
# stop the projection on PostgreSQL (SQLite does not check lengths). Topics are sealed together now
# (no length limit in the read model), but keep the same joined limit so the API answers as before.
# "Api" is left out of the names in the OpenAPI document.
JOINED_MAX = 600


class ApiSupervisionSchema(SupervisionSchema):
    @validates_schema
    def topics_fit(self, data: dict, **kwargs) -> None:
        if len(",".join(t.strip() for t in data.get("topics", []) if t.strip())) > JOINED_MAX:
            raise ValidationError(f"the topics together must fit in {JOINED_MAX} characters", "topics")


class ApiEvidenceSchema(EvidenceSchema):
    @validates_schema
    def claims_fit(self, data: dict, **kwargs) -> None:
        if len(",".join(f"{c['competence']}:{c['level']}" for c in data.get("claims", []))) > JOINED_MAX:
            raise ValidationError(f"the claims together must fit in {JOINED_MAX} characters", "claims")


class AsOfDaySchema(FormSchema):
    as_of = Day(load_default=None, metadata={"description": "As things stood at the end of this day "
                                                                      "(default and any later day: now)."})


# --- answers -----------------------------------------------------------------------------------
class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "Send as `Authorization: Bearer <token>`. "
                                                                  "A new token replaces the previous one."})


class ErrorSchema(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)


class InvalidSchema(Schema):
    error = fields.String(required=True, validate=validate.Equal("invalid"))
    field_errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True, data_key="fields",
        metadata={"description": "Reasons per input field (nested fields as `claims.0.level`; "
                                 "`_schema` for the document as a whole)."})


class CreatedSchema(Schema):
    id = fields.UUID(required=True)


class TrainingCreatedSchema(CreatedSchema):
    warnings = fields.List(fields.String(), required=True)


class ErasureRequestStateSchema(Schema):
    """The person's own erasure request: none, open, or how the last one ended (with the admin's reason)."""
    status = fields.String(required=True, metadata={"enum": ["none", "open", "withdrawn", "declined", "erased"]})
    requested_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "why an admin declined (declined only)"})


class StatusSchema(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)


class ExposureResultSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    exposure = fields.String(required=True, validate=validate.OneOf(EXPOSURE_TIERS))


class PersonRefSchema(Schema):
    id = fields.UUID(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)


class StageSchema(Schema):
    held = fields.String(**NULLABLE)
    expected = fields.String(**NULLABLE)
    expected_due_on = fields.Date(**NULLABLE)
    in_induction = fields.Boolean(required=True)
    missing = fields.List(fields.String(), required=True)
    missing_for_held = fields.List(fields.List(fields.String()), required=True, metadata={
        "description": "[competence, level] pairs keeping the held stage lacks (empty when consistent)"})
    missing_for_expected = fields.List(fields.List(fields.String()), required=True, metadata={
        "description": "[competence, level] pairs the expected stage needs and lacks"})
    core_missing = fields.List(fields.String(), required=True)
    role = fields.String(**NULLABLE)
    role_since = fields.Date(**NULLABLE)
    leave_days = fields.Integer(required=True)
    tenure_due_on = fields.Date(**NULLABLE)
    tenure_leave_days = fields.Integer(required=True)


class MatrixCellSchema(Schema):
    competence = fields.String(required=True)
    level = fields.String(required=True)
    state = fields.String(required=True)
    since = fields.DateTime(required=True)
    request_id = fields.UUID(required=True)
    signed_by = fields.UUID(**NULLABLE)
    evidence_count = fields.Integer(required=True)
    framework_version = fields.String(required=True)


class OwnRequestSchema(Schema):
    id = fields.UUID(required=True)
    competence = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    evidence_ids = fields.List(fields.UUID(), required=True)
    requested_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(**NULLABLE)
    feedback = fields.String(**NULLABLE)


class MeSchema(Schema):
    worker = fields.Nested(PersonRefSchema, required=True)
    as_of = fields.Date(**NULLABLE)
    stage = fields.Nested(StageSchema, required=True)
    matrix = fields.List(fields.Nested(MatrixCellSchema), required=True)
    requests = fields.List(fields.Nested(OwnRequestSchema), required=True,
                           metadata={"description": "Sign-off requests as they stand now (empty for a past as_of)."})


class TimelineRowSchema(Schema):
    at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    item_id = fields.UUID(**NULLABLE)
    label = fields.String(required=True)
    title = fields.String(**NULLABLE, metadata={"description": "The item's title, in the worker's words "
                                                               "(null when it has none or was erased)."})


class TimelineSchema(Schema):
    rows = fields.List(fields.Nested(TimelineRowSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    as_of = fields.Date(**NULLABLE)


class ReflectionVersionSchema(Schema):
    number = fields.Integer(required=True, metadata={"description": "1 for the first version written"})
    title = fields.String(**NULLABLE)
    body = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    written_at = fields.DateTime(required=True)


class ReflectionOutSchema(Schema):
    id = fields.UUID(required=True)
    template = fields.String(required=True)
    competences = fields.List(fields.String(), required=True)
    exposure = fields.String(required=True)
    versions = fields.List(fields.Nested(ReflectionVersionSchema), required=True,
                           metadata={"description": "Every version, oldest first: amending never overwrites one"})
    current = fields.Nested(ReflectionVersionSchema, required=True, metadata={"description": "The latest version"})


class ReflectionVersionsSchema(Schema):
    id = fields.UUID(required=True)
    versions = fields.List(fields.Nested(ReflectionVersionSchema), required=True)


class GoalReviewedSchema(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(GOAL_STATUSES))


# --- supervisor --------------------------------------------------------------------------------
class SuperviseeSchema(PersonRefSchema):
    stage = fields.Nested(StageSchema, required=True)
    open_requests = fields.Integer(required=True)


class SuperviseesSchema(Schema):
    supervisees = fields.List(fields.Nested(SuperviseeSchema), required=True)


class QueueItemSchema(Schema):
    request_id = fields.UUID(required=True)
    worker_id = fields.UUID(required=True)
    worker_name = fields.String(required=True)
    competence = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)
    evidence_count = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    age_days = fields.Integer(required=True)


class QueueSchema(Schema):
    requests = fields.List(fields.Nested(QueueItemSchema), required=True)


class SharedReflectionSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(**NULLABLE)
    template = fields.String(required=True)
    competences = fields.List(fields.String(), required=True)
    exposure = fields.String(required=True)
    shared_at = fields.DateTime(**NULLABLE)


class ReflectionReadSchema(Schema):
    """A reflection the worker shares with the supervisor: its current version in full."""
    id = fields.UUID(required=True)
    title = fields.String(**NULLABLE)
    template = fields.String(required=True)
    competences = fields.List(fields.String(), required=True)
    exposure = fields.String(required=True)
    written_at = fields.DateTime(required=True)
    versions = fields.Integer(required=True,
                              metadata={"description": "How many versions exist; only the current one is shown"})
    body = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class SignOffRowSchema(Schema):
    request_id = fields.UUID(required=True)
    competence = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    evidence_count = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(**NULLABLE)


class GoalReviewOutSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(GOAL_STATUSES))
    reviewed_at = fields.DateTime(required=True)
    commitment = fields.Integer(**NULLABLE)
    note = fields.String(**NULLABLE)


class GoalDueSchema(Schema):
    id = fields.UUID(required=True)
    due_on = fields.Date(**NULLABLE)
    status = fields.String(required=True)
    competences = fields.List(fields.String(), required=True)
    exposure = fields.String(required=True)
    text = fields.String(**NULLABLE, metadata={"description": "Only when the worker shared the goal with me"})
    latest_review = fields.Nested(GoalReviewOutSchema, **NULLABLE, metadata={
        "description": "The latest review (status, note), only when the worker shared the goal with me"})


class SummarySchema(Schema):
    worker = fields.Nested(PersonRefSchema, required=True)
    last_session = fields.Date(**NULLABLE)
    days_since_last = fields.Integer(**NULLABLE)
    sessions_90_days = fields.Integer(required=True)
    open_actions = fields.String(**NULLABLE, metadata={
        "description": "Actions agreed at the last session: shown to the supervisor who held it, "
                       "to others once the worker shared the record."})
    shared_reflections = fields.List(fields.Nested(SharedReflectionSchema), required=True)
    sign_offs = fields.List(fields.Nested(SignOffRowSchema), required=True)
    goals_due = fields.List(fields.Nested(GoalDueSchema), required=True, metadata={
        "description": "Open goals due in the next 30 days, and goals shared with me while open or closed in "
                       "the last 30 days; text only for the shared ones (each such read is in their access log)"})
    stage = fields.Nested(StageSchema, required=True)


# --- organisation ------------------------------------------------------------------------------
class SignedCountSchema(Schema):
    competence = fields.String(required=True)
    level = fields.String(required=True)
    workers = fields.Integer(required=True)


class ProgressionSchema(Schema):
    as_of = fields.Date(required=True)
    workers = fields.Integer(required=True)
    stages = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    signed = fields.List(fields.Nested(SignedCountSchema), required=True)


class AuditEvidenceSchema(Schema):
    """Structure only: the worker's title and description are theirs (sealed), never in the audit."""
    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    added_at = fields.DateTime(required=True)
    withdrawn = fields.Boolean(required=True)


class AuditRowSchema(Schema):
    request_id = fields.UUID(required=True)
    worker_id = fields.UUID(required=True)
    worker_name = fields.String(required=True)
    competence = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    requested_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(required=True)
    decided_by = fields.UUID(required=True)
    decided_by_name = fields.String(required=True)
    decided_role = fields.String(**NULLABLE)
    assigned_then = fields.Boolean(required=True)
    framework_id = fields.String(required=True)
    framework_version = fields.String(required=True)
    evidence_count = fields.Integer(required=True)
    evidence = fields.List(fields.Nested(AuditEvidenceSchema), required=True)
    closed_at = fields.DateTime(**NULLABLE)
    revoked_by = fields.UUID(**NULLABLE)
    revoked_by_name = fields.String(**NULLABLE)
    sessions_90_days = fields.Integer(required=True)
    unaccredited_trainings = fields.List(fields.Date(), required=True, metadata={
        "description": "Dates of the linked trainings from programmes not accredited."})
    flags = fields.List(fields.String(), required=True)


class AuditSchema(Schema):
    rows = fields.List(fields.Nested(AuditRowSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "Decisions matching the filters, all pages."})
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class AccountOutSchema(PersonRefSchema):
    roles = fields.List(fields.String(), required=True)
    joined_on = fields.Date(required=True)


class AccountsSchema(Schema):
    accounts = fields.List(fields.Nested(AccountOutSchema), required=True)


class AccountCreatedSchema(Schema):
    id = fields.UUID(required=True)
    username = fields.String(required=True)
    set_password_url = fields.String(required=True, metadata={
        "description": "One-time link (valid 72 hours) for the person to choose their password; "
                       "pass it on privately. No password is ever sent or shown to the admin."})


class RolesResultSchema(Schema):
    id = fields.UUID(required=True)
    roles = fields.List(fields.String(), required=True)


class AssignmentResultSchema(Schema):
    worker_id = fields.UUID(required=True)
    supervisor_id = fields.UUID(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(**NULLABLE)


class SelfAssessmentAnswerSchema(Schema):
    component = fields.String(required=True)
    rating = fields.String(required=True)
    notes = fields.String(required=True, metadata={"description": "The organisation's notes ('' if none)."})


class SelfAssessmentChangeSchema(Schema):
    component = fields.String(required=True)
    before = fields.String(**NULLABLE)
    after = fields.String(required=True)


class SelfAssessmentVisitSchema(Schema):
    number = fields.Integer(required=True)
    completed_at = fields.DateTime(required=True)
    by = fields.UUID(required=True)
    by_name = fields.String(required=True)
    framework_version = fields.String(required=True)
    answers = fields.List(fields.Nested(SelfAssessmentAnswerSchema), required=True)
    changes = fields.List(fields.Nested(SelfAssessmentChangeSchema), required=True,
                          metadata={"description": "Ratings that moved since the visit before."})
    notes_changed = fields.List(fields.String(), required=True,
                                metadata={"description": "Components whose notes changed since the visit before."})


class SelfAssessmentVisitsSchema(Schema):
    visits = fields.List(fields.Nested(SelfAssessmentVisitSchema), required=True,
                         metadata={"description": "Every visit, oldest first."})


# --- the worker's own lists --------------------------------------------------------------------
class PageSchema(Schema):
    total = fields.Integer(required=True, metadata={"description": "Items matching the filters, all pages"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next = fields.String(**NULLABLE, metadata={"description": "Address of the next page (same filters), or null"})
    prev = fields.String(**NULLABLE, metadata={"description": "Address of the previous page, or null"})


class MyReflectionSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    template = fields.String(required=True)
    competences = fields.List(fields.String(), required=True, attribute="codes")
    exposure = fields.String(required=True)
    versions = fields.Integer(required=True)
    written_at = fields.DateTime(required=True)
    amended_at = fields.DateTime(**NULLABLE)


class ClaimOutSchema(Schema):
    competence = fields.String(required=True)
    level = fields.String(required=True)


class MyEvidenceSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    claims = fields.List(fields.Nested(ClaimOutSchema), required=True)
    exposure = fields.String(required=True)
    withdrawn = fields.Boolean(required=True)
    has_file = fields.Boolean(required=True)
    added_at = fields.DateTime(required=True)


class MyTrainingSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    hours = fields.Float(required=True)
    delivery = fields.String(required=True)
    accredited = fields.Boolean(required=True)


class MySupervisionSchema(Schema):
    id = fields.UUID(required=True)
    supervisor_id = fields.UUID(required=True)
    held_on = fields.Date(required=True)
    orientation = fields.String(required=True)
    format = fields.String(required=True)
    mode = fields.String(required=True)
    minutes = fields.Integer(required=True)
    exposure = fields.String(required=True)


class MyGoalSchema(Schema):
    id = fields.UUID(required=True)
    goal = fields.String(required=True, attribute="title")
    competences = fields.List(fields.String(), required=True, attribute="codes")
    due_on = fields.Date(**NULLABLE)
    status = fields.String(required=True)
    set_at = fields.DateTime(required=True)
    reviewed_at = fields.DateTime(**NULLABLE)


def _page_of(name: str, item: type[Schema]) -> type[Schema]:
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item), required=True)})


LIST_PAGES = {"reflections": _page_of("MyReflectionsSchema", MyReflectionSchema),
              "evidence": _page_of("MyEvidenceListSchema", MyEvidenceSchema),
              "training": _page_of("MyTrainingListSchema", MyTrainingSchema),
              "supervision": _page_of("MySupervisionListSchema", MySupervisionSchema),
              "goals": _page_of("MyGoalsSchema", MyGoalSchema)}
