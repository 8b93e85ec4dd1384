"""The worker's own lists and reflection versions, shared by the pages (worker_lists.py) and the JSON
API (api_lists.py): which filters each list offers, how they are checked, and the rows and versions
with the owner's text unsealed. One place, so the two cannot drift apart."""

from __future__ import annotations

import json
from typing import Any, Callable

from marshmallow import ValidationError, fields, validate, validates_schema

from portfolio.application import CLUSTERS, COMPETENCES, CONCEPTS
from portfolio.domain.values import EXPOSURE_TIERS, LEVELS, REFLECTION_TEMPLATES, SUPERVISION_FORMAT
from portfolio.web.access import app_service
from portfolio.web.forms import Day, FormSchema, parse
from portfolio.web.schemas import CODE, TAG

PER_PAGE = 25
KINDS = ("reflections", "evidence", "training", "supervision", "goals")
TITLES = {"reflections": "My reflections", "evidence": "My evidence", "training": "My training",
          "supervision": "My supervision", "goals": "My goals"}
# Which filters each list offers (a filter a list does not have is refused, not ignored).
FILTERS = {"reflections": ("competence", "tier", "template", "tag"),
           "evidence": ("competence", "level", "tier", "tag"),
           "training": (), "supervision": ("tier", "format"), "goals": ("competence", "tier")}
FILTER_FIELDS = {
    "competence": lambda: fields.String(validate=CODE, metadata={"description": "A competence code"}),
    "level": lambda: fields.String(validate=validate.OneOf(LEVELS)),
    "tier": lambda: fields.String(validate=validate.OneOf(EXPOSURE_TIERS), metadata={"description": "Who can read it"}),
    "template": lambda: fields.String(validate=validate.OneOf(REFLECTION_TEMPLATES)),
    "tag": lambda: fields.String(validate=TAG, metadata={"description": "A tag, catalogue:code (e.g. who-roles:ROLE-1)"}),
    "format": lambda: fields.String(validate=validate.OneOf(SUPERVISION_FORMAT),
                                    metadata={"description": "How the session was held"}),
}


class PeriodPageSchema(FormSchema):
    start = Day(metadata={"description": "From this day"})
    end = Day(metadata={"description": "To this day (inclusive)"})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))

    @validates_schema
    def dates_in_order(self, data: dict, **kwargs) -> None:
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("must not be before the start date", "end")


def _filter_schema(kind: str) -> type[PeriodPageSchema]:
    name = "My" + kind.title() + "FilterSchema"
    return type(name, (PeriodPageSchema,), {f: FILTER_FIELDS[f]() for f in FILTERS[kind]})


FILTER_SCHEMAS = {kind: _filter_schema(kind) for kind in KINDS}


def competence_items() -> list[dict]:
    return app_service().framework_document(COMPETENCES)["items"]


def reflection_tags() -> list[dict]:
    """Worker competences, then the core clusters and concepts: a reflection shows those (002:629)."""
    return competence_items() + [item for fid in (CLUSTERS, CONCEPTS)
                                 for item in app_service().framework_document(fid)["items"]]


def filter_errors(kind: str, args: Any, data: dict) -> dict[str, list[str]]:
    """What the schema cannot know: filters this list does not offer, codes not in the framework."""
    errors: dict[str, list[str]] = {}
    for name in FILTER_FIELDS:
        if args.get(name) and name not in FILTERS[kind]:
            errors.setdefault(name, []).append(f"is not a filter of {TITLES[kind].lower()}")
    if data.get("competence") and data["competence"] not in {c["code"] for c in competence_items()}:
        errors.setdefault("competence", []).append("is not a competence of the framework")
    if data.get("tag"):
        catalogue, _, code = data["tag"].partition(":")
        known = app_service().tag_catalogues().get(catalogue)
        if known is None or code not in known.codes:
            errors.setdefault("tag", []).append("is not a tag of the catalogues")
    return errors


def list_filters(kind: str, args: Any) -> tuple[dict, dict[str, list[str]]]:
    """(filters with "page", {}) when valid, or ({}, {field: [reasons]})."""
    data, errors = parse(FILTER_SCHEMAS[kind](), args)
    for name, reasons in filter_errors(kind, args, data).items():
        errors.setdefault(name, []).extend(reasons)
    return ({} if errors else data), errors


def list_row(kind: str, r, read: Callable[[str | None], str]) -> dict:
    """A read-model row with its title unsealed for the owner, and `when`, `id` and `codes`."""
    row = dict(r._mapping)
    split = lambda value: [c for c in value.split(",") if c]  # noqa: E731
    if kind in ("reflections", "evidence"):
        row["tags"] = split(r.tags)
    if kind == "reflections":
        row.update(title=read(r.title_sealed), when=r.written_at, id=r.reflection_id, codes=split(r.competences))
    elif kind == "evidence":
        row.update(title=read(r.title_sealed), when=r.added_at, id=r.evidence_id,
                   codes=[c.replace(":", " ") for c in split(r.claims)],
                   claims=[dict(zip(("competence", "level"), c.split(":", 1))) for c in split(r.claims)])
    elif kind == "training":
        row.update(title=read(r.title_sealed), when=r.held_on, id=r.training_id, codes=[])
    elif kind == "supervision":
        row.update(title=f"Supervision on {r.held_on}", when=r.held_on, id=r.supervision_id, codes=[])
    else:
        row.update(title=read(r.text_sealed), when=r.set_at, id=r.goal_id, codes=split(r.competences))
    return row


def owner_reader(worker_id) -> Callable[[str | None], str]:
    """The owner's own sealed text, unsealed (empty for none)."""
    return lambda sealed: app_service().read_text(worker_id, sealed) if sealed else ""


def reflection_versions(worker_id, item: dict) -> list[dict]:
    """Every version of a reflection, oldest first, numbered from 1: none is ever overwritten."""
    read = owner_reader(worker_id)
    return [{"number": n, "title": read(v["title_sealed"]), "body": json.loads(read(v["body_sealed"]) or "{}"),
             "written_at": v["written_at"]} for n, v in enumerate(item["versions"], start=1)]
