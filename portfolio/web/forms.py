"""Form and JSON input through marshmallow schemas: errors come back per field, never as a 500."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load

from portfolio.domain.values import FIRST_DAY, LAST_DAY


class FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and buttons travel with every form

    @pre_load
    def from_form(self, data: Any, **kwargs) -> dict:
        """A browser form arrives as a MultiDict: take lists for list fields, drop empty inputs."""
        if not hasattr(data, "getlist"):
            return data
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            key = field.data_key or name
            if isinstance(field, fields.List):
                values = [v for v in data.getlist(key) if v != ""]
                if values:
                    out[key] = values
            elif key in data and data[key] != "":
                out[key] = data[key]
        return out


class Day(fields.Date):
    """A calendar day the product accepts (1900-01-01 to 2100-12-31): outside, date arithmetic overflows."""

    default_error_messages = {"range": f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise self.make_error("range")
        return day


def done(message: str, url: str):
    """After a form succeeded: say so on the next page, and go there (htmx: by HX-Redirect)."""
    from flask import flash, redirect, request

    flash(message)
    if request.headers.get("HX-Request"):
        return "", 200, {"HX-Redirect": url}
    return redirect(url)


def parse(schema: Schema, source: Any) -> tuple[dict, dict[str, list[str]]]:
    """(data, {}) when valid, or ({}, {field: [reasons]})."""
    try:
        return schema.load(source), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return {}, {k: (v if isinstance(v, list) else [str(v)]) for k, v in messages.items()}


def domain_errors(exc: Exception) -> dict[str, list[str]]:
    """A domain refusal as form errors: on its field if it names one, else for the whole form."""
    field = getattr(exc, "field", None)
    reason = getattr(exc, "reason", None) or str(exc)
    return {(field.split(".")[0] if field else "_schema"): [reason]}
