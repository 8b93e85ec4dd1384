"""Framework files: versioned catalogues copied verbatim from the seeds, validated on load.

A framework file is YAML (or JSON) with an id, a version, its source and items with stable codes.
The built-in files live in data/; an organisation may load its own file of the same format.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

DATA_DIR = Path(__file__).parent / "data"
KINDS = ("levelled-competences", "clusters", "concepts", "levels-of-use", "template", "tags",
         "training-elements", "programme", "self-assessment")
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$", error="must be letters, digits, '.', '-' or '_'")


class FrameworkFileError(ValueError):
    """A framework file is unreadable or invalid; the message lists each bad field."""


class SourceSchema(Schema):
    file = fields.String(validate=validate.Length(min=1, max=200))
    lines = fields.List(fields.Integer(validate=validate.Range(min=1)), validate=validate.Length(equal=2))


class MapsToSchema(Schema):
    framework = fields.String(required=True, validate=validate.Length(min=1))
    codes = fields.List(fields.String(validate=CODE), required=True)


class ItemSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=CODE)
    title = fields.String()
    group = fields.String()
    verbatim_title = fields.Boolean()
    source = fields.Nested(SourceSchema)
    text = fields.String(validate=validate.Length(min=1))
    statements = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(min=1)))
    statement_lines = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    bullets = fields.List(fields.String(validate=validate.Length(min=1)))
    tier = fields.String(validate=validate.OneOf(["basic", "advanced"]))
    maps_to = fields.List(fields.Nested(MapsToSchema))
    source_fragments = fields.Raw()  # a list, or per level a list, of verbatim pieces


class FrameworkSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=[validate.Length(min=2, max=60),
                                                validate.Regexp(r"^[a-z0-9][a-z0-9\-]*$",
                                                                error="must be lower-case kebab-case")])
    version = fields.String(required=True, validate=validate.Length(min=1, max=20))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    source = fields.Nested(SourceSchema, required=True)
    levels = fields.List(fields.String())
    items = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1))
    policy = fields.Dict()
    description = fields.String()

    @validates_schema
    def check_levels(self, data: dict, **kwargs) -> None:
        if data.get("kind") == "levelled-competences" and not data.get("levels"):
            raise ValidationError("a levelled-competences framework lists its levels", "levels")


def _item_errors(doc: dict) -> list[str]:
    errors, seen = [], set()
    for n, raw in enumerate(doc["items"]):
        label = f"items[{n}]" + (f" ({raw.get('code')})" if isinstance(raw, dict) and raw.get("code") else "")
        try:
            item = ItemSchema().load(raw)
        except ValidationError as exc:
            errors += [f"{label}: {f}: {'; '.join(map(str, m)) if isinstance(m, list) else m}"
                       for f, m in exc.messages.items()]
            continue
        if item["code"] in seen:
            errors.append(f"{label}: code: {item['code']} is used twice")
        seen.add(item["code"])
        kind = doc["kind"]
        if kind == "levelled-competences":
            got, want = set(item.get("statements", {})), set(doc["levels"])
            if got != want:
                errors.append(f"{label}: statements: needs exactly one statement per level "
                              f"{', '.join(doc['levels'])} (missing: {', '.join(sorted(want - got)) or '-'}; "
                              f"unknown: {', '.join(sorted(got - want)) or '-'})")
        elif kind == "training-elements" and "tier" not in item:
            errors.append(f"{label}: tier: is required for a training element")
        elif kind not in ("levelled-competences", "programme") and not (item.get("text") or item.get("bullets")
                                                                          or item.get("title")):
            errors.append(f"{label}: text: an item needs a text, bullets or a title")
    return errors


TRIGGERS = ("start-or-induction", "tenure", "position")


def _policy_errors(doc: dict) -> list[str]:
    """A levels-of-use file carries the stage policy the product computes expectations from."""
    if doc["kind"] != "levels-of-use":
        return []
    stages = (doc.get("policy") or {}).get("stages")
    if not isinstance(stages, list) or not stages:
        return ["policy: stages: a levels-of-use framework needs policy.stages (code, level, trigger)"]
    codes, errors = {item["code"] for item in doc["items"] if isinstance(item, dict)}, []
    for n, stage in enumerate(stages):
        label = f"policy.stages[{n}]"
        if not isinstance(stage, dict):
            errors.append(f"{label}: must be a mapping")
            continue
        if stage.get("code") not in codes:
            errors.append(f"{label}: code: {stage.get('code')!r} is not an item of this file")
        if not isinstance(stage.get("level"), str):
            errors.append(f"{label}: level: is required")
        if stage.get("trigger") not in TRIGGERS:
            errors.append(f"{label}: trigger: must be one of {', '.join(TRIGGERS)}")
    if not any(isinstance(s, dict) and s.get("trigger") == "start-or-induction" for s in stages):
        errors.append("policy.stages: one stage must have trigger start-or-induction")
    return errors + _policy_extra_errors(doc["policy"], [s.get("code") for s in stages if isinstance(s, dict)])


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _policy_extra_errors(policy: dict, stage_codes: list) -> list[str]:
    """The optional keys assess() reads: cumulative, roles (tenure counted per role), core."""
    errors = []
    if not isinstance(policy.get("cumulative", True), bool):
        errors.append("policy.cumulative: must be true or false")
    roles = policy.get("roles", {})
    if not isinstance(roles, dict) or not all(_str_list(v) for v in roles.values()):
        errors.append("policy.roles: must map each role kind to a list of positions")
    core = policy.get("core", {})
    if not isinstance(core, dict) or not _str_list(core.get("codes", [])) or not _str_list(core.get("stages", [])):
        errors.append("policy.core: needs codes and stages, each a list of codes")
    elif not set(core.get("stages", [])) <= set(stage_codes):
        errors.append("policy.core.stages: names a stage that is not in policy.stages")
    elif not isinstance(core.get("gates_held", False), bool):
        errors.append("policy.core.gates_held: must be true or false")
    return errors


def _scale_errors(doc: dict) -> list[str]:
    """A self-assessment carries the rating scale each component is rated on (policy.scale)."""
    if doc["kind"] != "self-assessment":
        return []
    scale = (doc.get("policy") or {}).get("scale")
    if not isinstance(scale, list) or len(scale) < 2:
        return ["policy: scale: a self-assessment needs policy.scale, at least two steps (code, label)"]
    errors = [f"policy.scale[{n}]: needs a code and a label" for n, step in enumerate(scale)
              if not (isinstance(step, dict) and isinstance(step.get("code"), str) and step["code"]
                      and isinstance(step.get("label"), str) and step["label"])]
    codes = [step.get("code") for step in scale if isinstance(step, dict)]
    if len(codes) != len(set(codes)):
        errors.append("policy.scale: each code may appear once")
    return errors


def _reserved_mapping(value: object) -> bool:
    """The event store reads a mapping of exactly '_type_' and '_data_' as its own encoded value."""
    if isinstance(value, dict):
        return set(value) == {"_type_", "_data_"} or any(_reserved_mapping(v) for v in value.values())
    if isinstance(value, list):
        return any(_reserved_mapping(v) for v in value)
    return False


def validate_document(doc: object) -> dict:
    """Return the validated document, or raise FrameworkFileError listing every problem."""
    if not isinstance(doc, dict):
        raise FrameworkFileError("the file must hold one mapping (id, version, title, kind, source, items)")
    if _reserved_mapping(doc):
        raise FrameworkFileError("a mapping with exactly the keys _type_ and _data_ is reserved; rename them")
    try:
        FrameworkSchema().load(doc)
    except ValidationError as exc:
        raise FrameworkFileError("; ".join(f"{f}: {m}" for f, m in sorted(exc.messages.items()))) from None
    errors = _item_errors(doc) + _policy_errors(doc) + _scale_errors(doc)
    if errors:
        raise FrameworkFileError(f"{len(errors)} bad item(s): " + "; ".join(errors))
    return doc


def read_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkFileError(f"cannot read {path}: {exc}") from None
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise FrameworkFileError(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                                 f"{str(exc).splitlines()[0]}") from None
    try:
        return validate_document(doc)
    except FrameworkFileError as exc:
        raise FrameworkFileError(f"{path.name}: {exc}") from None


@functools.cache
def builtin_documents() -> tuple[dict, ...]:
    """The packaged framework files, read and validated once per process (treat as read-only)."""
    return tuple(read_file(p) for p in sorted(DATA_DIR.glob("*.yaml")))


def digest(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def competence_codes(doc: dict) -> list[str]:
    return [item["code"] for item in doc["items"]]


def item_codes(doc: dict) -> set[str]:
    """Every code that can be claimed or tagged, including cluster statements (C1.1 ...)."""
    codes = set()
    for item in doc["items"]:
        codes.add(item["code"])
        if doc["kind"] == "clusters":
            codes.update(f"{item['code']}.{n}" for n in range(1, len(item.get("bullets", [])) + 1))
    return codes
