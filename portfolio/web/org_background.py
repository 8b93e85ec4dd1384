"""A supervisor's background (004:696 "worked in peer roles before"), recorded by an org admin on the
account page. Joins the org blueprint; two values and no free text."""

from __future__ import annotations

from flask import g, request, url_for
from marshmallow import fields, validate

from portfolio.domain.errors import DomainError
from portfolio.domain.values import SUPERVISOR_BACKGROUND_NAMES, SUPERVISOR_BACKGROUNDS
from portfolio.web.access import app_service
from portfolio.web.forms import FormSchema, domain_errors, done, parse
from portfolio.web.org import _account_page, _person_or_404, admin_only, bp


class BackgroundSchema(FormSchema):
    background = fields.String(required=True, validate=validate.OneOf(SUPERVISOR_BACKGROUNDS))


@bp.post("/accounts/<uuid:person_id>/supervisor-background")
@admin_only
def supervisor_background(person_id):
    person = _person_or_404(person_id)
    data, errors = parse(BackgroundSchema(), request.form)
    if not errors:
        try:
            app_service().record_supervisor_background(person.id, g.user.id, data["background"])
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return done(f"{person.username}: {SUPERVISOR_BACKGROUND_NAMES[data['background']].lower()}.",
                        url_for("org.account", person_id=person.id))
    return _account_page(person, errors, request.form, "org/_background_form.html", 422)
