"""The OpenAPI 3 document of the JSON API, generated with apispec from the app's URL rules and the
marshmallow schemas each route declared (api_base.OPERATIONS)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask
from werkzeug.routing import AnyConverter, Rule, UUIDConverter

from portfolio.web.api_base import OPERATIONS, Operation, bp
from portfolio.web.api_schemas import ErrorSchema, InvalidSchema

OPENAPI_VERSION = "3.0.3"
DESCRIPTION = """\
Competency portfolio for mental-health peer support workers.

Get a token with `POST /api/v1/tokens` and send it as `Authorization: Bearer <token>` on every other
call. Each account sees what it sees on the web pages: a worker only their own portfolio, a supervisor
the workers assigned to them today, organisation admins and auditors metadata but never personal text.
Something you may not see answers 404, exactly as something that does not exist.

Errors are JSON: `{"error", "message"}`, or for input that cannot be accepted (422)
`{"error": "invalid", "fields": {field: [reasons]}}`."""

ERRORS = {
    "BadRequest": ("The body is not JSON, or not sent as application/json.", ErrorSchema),
    "Unauthorized": ("No bearer token, or one that is not valid.", ErrorSchema),
    "Forbidden": ("The account is closed, or must first choose its own password on the web.", ErrorSchema),
    "NotFound": ("No such thing, or not one you may see.", ErrorSchema),
    "Conflict": ("It changed meanwhile or is no longer open (e.g. a request already decided).", ErrorSchema),
    "Invalid": ("Input that cannot be accepted: reasons per field (`Invalid`); or a rule of the portfolio "
                "refused the command (`Error`).",
                {"oneOf": [{"$ref": "#/components/schemas/Invalid"}, {"$ref": "#/components/schemas/Error"}]}),
    "TooManyRequests": ("Too many attempts; wait a minute.", ErrorSchema),
}


def _path_parameters(rule: Rule) -> list[dict]:
    params = []
    for name, converter in rule._converters.items():
        if isinstance(converter, UUIDConverter):
            schema = {"type": "string", "format": "uuid"}
        elif isinstance(converter, AnyConverter):
            schema = {"type": "string", "enum": sorted(converter.items)}
        else:
            schema = {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _json(schema: Any) -> dict:
    return {"application/json": {"schema": schema}}


def _operation(endpoint: str, rule: Rule, op: Operation) -> dict:
    success = {"description": op.summary}
    if op.response is not None:
        success["content"] = _json(op.response)
    responses: dict[str, Any] = {str(op.status): success}
    if op.body is not None:
        responses["400"] = "BadRequest"
    if op.roles is not None:
        responses["401"] = "Unauthorized"
        responses["404"] = "NotFound"
    if op.conflicts:
        responses["409"] = "Conflict"
    if op.body is not None or op.query is not None:
        responses["422"] = "Invalid"
    for status, name in op.extra.items():
        responses[str(status)] = name
    out: dict[str, Any] = {"operationId": endpoint, "summary": op.summary, "tags": [op.tag],
                           "parameters": _path_parameters(rule), "responses": dict(sorted(responses.items()))}
    if op.query is not None:
        out["parameters"].append({"in": "query", "schema": op.query})
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": _json(op.body)}
        if op.example is not None:
            out["requestBody"]["content"]["application/json"]["example"] = op.example
    if op.roles is None:
        out["security"] = []  # no token needed
    elif op.roles:
        out["description"] = "For accounts with the role " + " or ".join(op.roles) + "."
    return out


def _number(value: Any) -> Any:
    if isinstance(value, str):
        value = Decimal(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _plain(value: Any) -> Any:
    """apispec writes the bounds of a Decimal field as the field dumps them (here a string); the
    document needs numbers."""
    if isinstance(value, dict):
        return {k: _number(v) if k in ("minimum", "maximum") else _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _schema_name(schema: Any) -> str:
    """TrainingSchema -> Training; ApiEvidenceSchema (the shared schema with an API-only check) -> Evidence."""
    return resolver(schema).removeprefix("Api")


def build_document(app: Flask) -> dict:
    spec = APISpec(title="Portfolio API", version="1", openapi_version=OPENAPI_VERSION,
                   plugins=[FlaskPlugin(), MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": DESCRIPTION}, security=[{"bearer": []}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A token from POST /api/v1/tokens."})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("Invalid", schema=InvalidSchema)
    for name, (description, schema) in ERRORS.items():
        spec.components.response(name, {"description": description, "content": _json(schema)})
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith(f"{bp.name}.")),
                   key=lambda r: r.rule)
    for rule in rules:
        endpoint = rule.endpoint.removeprefix(f"{bp.name}.")
        op = OPERATIONS[endpoint]
        spec.path(view=app.view_functions[rule.endpoint], app=app,
                  operations={op.method.lower(): _operation(endpoint, rule, op)})
    return _plain(spec.to_dict())
