"""The JSON API's machinery: the blueprint, bearer-token checks, JSON input through the shared
marshmallow schemas, answers dumped through response schemas, and the registry the OpenAPI
document is generated from (portfolio/web/api_openapi.py).

Every route is declared with `@route(...)`, which records what it takes and answers, so the
document cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, abort, g, request
from marshmallow import Schema, ValidationError

from portfolio.domain.errors import (AlreadySignedOff, AlreadyWithdrawn, AssignmentConflict, InvalidValue, NotFound,
                                     OpenRequestExists)
from portfolio.web.forms import domain_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass
class Operation:
    """What one route takes and answers: the source of its OpenAPI operation."""
    method: str
    summary: str
    tag: str
    roles: tuple[str, ...] | None  # None: no token needed
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    status: int = 200
    response: type[Schema] | None = None
    conflicts: bool = False  # may answer 409 (every command: someone may change the same thing first)
    extra: dict[int, str] = field(default_factory=dict)  # more documented answers: status -> component name
    example: dict | None = None  # a request body, for the document (and schemathesis' explicit phase)


OPERATIONS: dict[str, Operation] = {}  # endpoint name (without "api.") -> operation


class Invalid(Exception):
    """Input the API cannot accept: answered 422 with the reasons per field."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


@bp.errorhandler(Invalid)
def _invalid(exc: Invalid):
    return {"error": "invalid", "fields": exc.fields}, 422


@bp.errorhandler(InvalidValue)
def _invalid_value(exc: InvalidValue):
    return {"error": "invalid", "fields": domain_errors(exc)}, 422


@bp.errorhandler(OpenRequestExists)
@bp.errorhandler(AlreadySignedOff)
@bp.errorhandler(AssignmentConflict)
@bp.errorhandler(AlreadyWithdrawn)
def _state_conflict(exc):
    """Refusals because of what is already recorded: asking again will not help (409)."""
    return {"error": "Conflict", "message": str(exc)}, 409


@bp.errorhandler(401)
def _unauthorized(exc):
    return ({"error": "Unauthorized", "message": exc.description}, 401,
            {"WWW-Authenticate": 'Bearer realm="portfolio"'})


@bp.errorhandler(403)
def _forbidden(exc):
    return {"error": "Forbidden", "message": exc.description}, 403


@bp.before_request
def _require_token() -> None:
    operation = OPERATIONS.get((request.endpoint or "").removeprefix("api."))
    if operation is not None and operation.roles is not None and g.get("user") is None:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            abort(401, "The bearer token is not valid (it may have been replaced by a newer one).")
        abort(401, "Send `Authorization: Bearer <token>`; get a token from POST /api/v1/tokens.")


# --- input -------------------------------------------------------------------------------------
def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"claims.0.level": [reasons]}."""
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, list):
        out = {}
        for m in messages:
            for k, v in _flatten(m, prefix).items():
                out.setdefault(k, []).extend(v)
        return out
    return {prefix or "_schema": [str(messages)]}


def _unstorable(value: Any, path: str, found: dict[str, list[str]]) -> None:
    """Text the stores cannot keep: NUL (PostgreSQL text refuses it) and lone surrogates (not UTF-8)."""
    if isinstance(value, str):
        reason = None
        if "\x00" in value:
            reason = "must not contain NUL characters"
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                reason = "is not valid Unicode text"
        if reason and reason not in found.get(path, []):
            found.setdefault(path, []).append(reason)
    elif isinstance(value, dict):
        for k, v in value.items():
            _unstorable(k, path, found)
            _unstorable(v, path, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _unstorable(v, path, found)


def load(schema: Schema, source: Any) -> dict:
    try:
        data = schema.load(source)
    except ValidationError as exc:
        raise Invalid(_flatten(exc.messages)) from None
    found: dict[str, list[str]] = {}
    for name, value in data.items():
        _unstorable(value, name, found)
    if found:
        raise Invalid(found)
    return data


def json_body() -> Any:
    """The request's JSON document: 400 unless it is JSON, sent as application/json."""
    if not request.is_json:
        abort(400, "Send a JSON document with `Content-Type: application/json`.")
    try:
        return request.get_json()  # malformed JSON raises 400 itself
    except RecursionError:
        abort(400, "The JSON document is nested too deeply.")


# --- routes ------------------------------------------------------------------------------------
def allowed(user, roles: tuple[str, ...]) -> bool:
    """One of the roles; a worker's own routes also take a manager in a position, who holds a
    portfolio without the peer worker role (002:621-625)."""
    return any(user.has_role(r) for r in roles) or ("peer_worker" in roles and user.holds_portfolio)


def route(rule: str, method: str, *, summary: str, tag: str, roles: tuple[str, ...] | None,
          body: type[Schema] | None = None, query: type[Schema] | None = None, status: int = 200,
          response: type[Schema] | None = None, conflicts: bool | None = None,
          extra: dict[int, str] | None = None, example: dict | None = None,
          decorators: tuple[Callable, ...] = ()) -> Callable:
    """Register an API view. The view gets path arguments, plus `data` (the loaded body) and/or
    `args` (the loaded query) when declared, and returns a plain object dumped through `response`.

    The signed-in user needs one of `roles`; anyone else gets 404, as with someone else's item."""
    def decorator(fn: Callable) -> Callable:
        op = Operation(method, summary, tag, roles, body, query, status, response,
                       method == "POST" if conflicts is None else conflicts, extra or {}, example)

        @wraps(fn)
        def view(**kwargs):
            if roles and not allowed(g.user, roles):
                abort(404)
            if query is not None:
                kwargs["args"] = load(query(), request.args)
            if body is not None:
                kwargs["data"] = load(body(), json_body())
            result = fn(**kwargs)
            return (response().dump(result) if response is not None else result), status

        for d in decorators:
            view = d(view)
        OPERATIONS[fn.__name__] = op
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return view
    return decorator


def body_reference(fields_map: dict[str, str], not_found_field: str | None = None) -> Callable:
    """For commands whose body names other items: domain field names as the API's, and (optionally)
    an unknown id in the body as a 422 on `not_found_field` rather than a 404 for the address."""
    def decorator(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapped(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except InvalidValue as exc:
                errors = domain_errors(exc)
                raise Invalid({fields_map.get(k, k): v for k, v in errors.items()}) from None
            except NotFound as exc:
                if not_found_field is None:
                    raise
                raise Invalid({not_found_field: [str(exc)]}) from None
        return wrapped
    return decorator


def iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def split(value: str | None) -> list[str]:
    return [x for x in (value or "").split(",") if x]
