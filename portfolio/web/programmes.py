"""The training register (organisation admins keep it; auditors read it) and the training audit:
per worker, coverage of the 15 Tuto3 elements, accredited and unaccredited hours, over-long sessions.

Programmes are organisation data, not personal text. The audit shows a worker's unregistered
(free-text) training by date, hours and elements only: its title and provider are the worker's
sealed words and stay closed here.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, request, url_for

from portfolio.application import SESSION_COMPETENCES, TRAINING_ELEMENTS
from portfolio.domain.errors import DomainError
from portfolio.projections.register_queries import RegisterReads
from portfolio.web.access import app_service, roles_required, runtime, worker_or_404
from portfolio.web.forms import domain_errors, parse
from portfolio.web.org import _done, _render, name_of
from portfolio.web.register_schemas import (AccreditationSchema, EndAccreditationSchema, ProgrammeSchema,
                                            SessionChangeSchema, SessionSchema)

bp = Blueprint("programmes", __name__, url_prefix="/org")
staff_only = roles_required("org_admin", "auditor")
admin_only = roles_required("org_admin")


def register_reads(refresh: bool = True) -> RegisterReads:
    if refresh:
        runtime().projector.refresh()
    return RegisterReads(runtime().engine)


def elements() -> list[dict]:
    return app_service().framework_document(TRAINING_ELEMENTS)["items"]


def competence_groups() -> list[dict]:
    return [app_service().framework_document(fid) for fid in SESSION_COMPETENCES]


def _titles() -> dict[str, str]:
    """Code -> title of every element and competence a session may name."""
    items = elements() + [i for doc in competence_groups() for i in doc["items"]]
    return {i["code"]: i.get("title", i["code"]) for i in items}


def _form_lists(form) -> dict:
    return {"competences": form.getlist("competences"), "elements": form.getlist("elements")}


# --- the register ------------------------------------------------------------------------------
@bp.get("/programmes")
@staff_only
def programmes():
    return _index({}, {})


def _index(errors: dict, form, status: int = 200):
    reads = register_reads()
    rows = reads.programmes()
    details = {r.programme_id: reads.programme(r.programme_id) for r in rows}
    return _render("programmes/index.html", "programmes/_programme_form.html", status, rows=rows,
                   details=details, errors=errors, form=form)


@bp.post("/programmes")
@admin_only
def register():
    data, errors = parse(ProgrammeSchema(), request.form)
    if not errors:
        try:
            pid = app_service().register_programme(g.user.id, **data)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return _done(f"Programme {data['title']} registered. Add its sessions below.",
                         url_for("programmes.programme", programme_id=pid))
    return _index(errors, request.form, 422)


def _found(programme_id):
    found = register_reads().programme(str(programme_id))
    if found is None:
        abort(404)
    return found


@bp.get("/programmes/<uuid:programme_id>")
@staff_only
def programme(programme_id):
    return _show(programme_id)


def _show(programme_id, errors: dict | None = None, form=None, fragment: str | None = None, status: int = 200):
    row, sessions, accs = _found(programme_id)
    return _render("programmes/show.html", fragment, status, p=row, sessions=sessions, accs=accs,
                   errors=errors or {}, form=form or request.form, elements=elements(),
                   groups=competence_groups(), titles=_titles(), chosen=_form_lists(form or request.form),
                   open_accs=[a for a in accs if a.ends_on is None or a.ends_on > a.starts_on])


def _command(programme_id, schema, command, message, fragment: str, rename: tuple = (), refused=None):
    """Parse the form and run the command: a success redirects to the programme with `message(data,
    result)`; a refusal shows `fragment` of the programme's page again (or `refused(errors)`) with the
    reason on its field (`rename`: domain field -> form field)."""
    _found(programme_id)
    data, errors = parse(schema(), request.form)
    if not errors:
        try:
            result = command(data)
        except DomainError as exc:
            errors = domain_errors(exc)
            for domain_field, form_field in rename:
                if domain_field in errors:
                    errors[form_field] = errors.pop(domain_field)
        else:
            return _done(message(data, result), url_for("programmes.programme", programme_id=programme_id))
    return refused(errors) if refused else _show(programme_id, errors, request.form, fragment, 422)


def _notes(warnings: list[str]) -> str:
    return "".join(f" Note: {w}" for w in warnings)


@bp.post("/programmes/<uuid:programme_id>/sessions")
@admin_only
def add_session(programme_id):
    return _command(programme_id, SessionSchema,
                    lambda d: app_service().add_programme_session(programme_id, g.user.id, **d),
                    lambda d, warnings: f"Session {d['code']} added.{_notes(warnings)}",
                    "programmes/_session_form.html")


@bp.route("/programmes/<uuid:programme_id>/sessions/<code>", methods=["GET", "POST"])
@admin_only
def edit_session(programme_id, code):
    row, sessions, _ = _found(programme_id)
    session = next((s for s in sessions if s.code == code), None) or abort(404)
    if request.method == "POST":
        def change(data):
            data.pop("code", None)
            return app_service().change_programme_session(programme_id, g.user.id, code, **data)

        return _command(programme_id, SessionChangeSchema, change,
                        lambda _, warnings: f"Session {code} changed.{_notes(warnings)}", "",
                        refused=lambda errors: _edit_page(row, session, errors, request.form,
                                                          _form_lists(request.form)))
    form = {"title": session.title, "hours": "" if session.hours is None else session.hours}
    return _edit_page(row, session, {}, form, {"competences": session.competences.split(","),
                                               "elements": session.elements.split(",")})


def _edit_page(row, session, errors: dict, form, chosen: dict):
    return _render("programmes/session_edit.html", "programmes/_session_form.html", 422 if errors else 200,
                   p=row, sess=session, errors=errors, form=form, chosen=chosen, elements=elements(),
                   groups=competence_groups())


@bp.post("/programmes/<uuid:programme_id>/accreditations")
@admin_only
def accredit(programme_id):
    return _command(programme_id, AccreditationSchema,
                    lambda d: app_service().record_accreditation(programme_id, g.user.id, **d),
                    lambda d, _: f"Accreditation by {d['institution']} from {d['starts_on']} recorded.",
                    "programmes/_accreditation_form.html")


@bp.post("/programmes/<uuid:programme_id>/accreditations/end")
@admin_only
def end_accreditation(programme_id):
    return _command(programme_id, EndAccreditationSchema,
                    lambda d: app_service().end_accreditation(programme_id, g.user.id, d["accreditation"], d["until"]),
                    lambda d, _: f"Accreditation from {d['accreditation']} ends on {d['until']}.",
                    "programmes/_end_form.html",
                    rename=(("starts_on", "accreditation"), ("ends_on", "until"), ("_schema", "accreditation")))


# --- the training audit --------------------------------------------------------------------------
@bp.get("/training")
@staff_only
def training():
    reads = register_reads()
    workers = [r for r in runtime().read_models(refresh=False).people() if "peer_worker" in r.roles.split(",")]
    coverage = reads.coverage([w.person_id for w in workers])
    return _render("programmes/training.html", workers=workers, coverage=coverage, elements=elements())


@bp.get("/training/<uuid:worker_id>")
@staff_only
def worker_training(worker_id):
    worker = worker_or_404(worker_id)
    reads = register_reads()
    attended, free = reads.worker_training(str(worker.id))
    return _render("programmes/worker.html", worker=worker, attended=attended, free=free,
                   coverage=reads.coverage([str(worker.id)])[str(worker.id)], elements=elements(), titles=_titles())
