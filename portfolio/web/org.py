"""Organisation pages: progression and the audit trail (admins and auditors), accounts (admins).

Admins and auditors see structure only: names, codes, dates, decisions, evidence kinds, who signed.
Nothing here opens what a person typed (titles, topics, notes, feedback, reasons, descriptions);
the only text decrypted is a person's display name (app.display_name, once per person per request).

Forms work as plain pages; htmx swaps them in place (4xx answers too: templates/org/_head.html
sets htmx's responseHandling). A success answers a redirect, or HX-Redirect to htmx, with a flash.
"""

from __future__ import annotations

import math
from datetime import date

from flask import (Blueprint, Response, abort, g, render_template, request, stream_with_context,
                   url_for)

from portfolio.application import COMPETENCES
from portfolio.domain import clock
from portfolio.domain.errors import AssignmentConflict, DomainError, NotFound
from portfolio.domain.values import ACCOUNT_ROLES, LEVELS, POSITIONS, SUPERVISOR_BACKGROUND_NAMES
from portfolio.projections.asof import organisation_as_of
from portfolio.projections.queries import audit_csv_lines as to_csv_lines
from portfolio.projections.queries import end_of
from portfolio.web.access import app_service, roles_required, runtime, stage_names, worker_or_404
from portfolio.web.forms import domain_errors, parse
from portfolio.web.forms import done as _done
from portfolio.web.buddies import section_context as buddy_section
from portfolio.web.leave import section_context as leave_section
from portfolio.web.schemas import (AccountFilterSchema, AccountSchema, AsOfSchema, AssignmentSchema,
                                   AuditFilterSchema, AuditPageSchema, DeactivationSchema, EndAssignmentSchema,
                                   ErasureSchema, RolesSchema)

bp = Blueprint("org", __name__, url_prefix="/org")
staff_only = roles_required("org_admin", "auditor")
admin_only = roles_required("org_admin")
LABELS = {"peer_worker": "Peer worker", "supervisor": "Supervisor", "org_admin": "Organisation admin",
          "auditor": "Auditor", "team_leader": "Team leader", "line_manager": "Line manager",
          "organisational_leader": "Organisational leader", "approved": "Approved",
          "returned": "Returned to the worker", "revoked": "Approved, later revoked", "withdrawn": "Withdrawn"}


def _render(full: str, fragment: str | None = None, status: int = 200, **context):
    """The whole page, or only the fragment when htmx asks."""
    template = fragment if fragment and request.headers.get("HX-Request") else full
    return render_template(template, labels=LABELS, name=name_of, **context), status


def name_of(person_id) -> str:
    """A person's display name, decrypted once per request."""
    cache = g.setdefault("org_names", {})
    key = str(person_id or "")
    if key not in cache:
        try:
            cache[key] = app_service().display_name(app_service().person(key))
        except (NotFound, ValueError):
            cache[key] = "(unknown)"
    return cache[key]



def _parse(schema, source) -> tuple[dict, dict]:
    data, errors = parse(schema, source)
    if "roles" in errors and "Missing data for required field." in errors["roles"]:
        errors["roles"] = ["choose at least one role"]
    return data, errors


def _competences() -> list[dict]:
    return app_service().framework_document(COMPETENCES)["items"]


# --- progression -------------------------------------------------------------------------------
@bp.get("/progression")
@staff_only
def progression():
    args, errors = parse(AsOfSchema(), request.args)
    as_of = args.get("as_of")
    if as_of is not None and as_of >= clock.today():
        as_of = None
    views = (runtime().read_models() if as_of is None
             else organisation_as_of(app_service(), runtime().policy(), end_of(as_of)))
    day = as_of or clock.today()
    first = min((p.registered_at.date() for p in views.people()), default=day)
    back = date(day.year - 3 + (day.month == 12), day.month % 12 + 1, 1)  # 36 months, this one included
    months = views.progression_by_month(max(first.replace(day=1), back), day)
    return _render("org/progression.html", "org/_progression.html", 422 if errors else 200, errors=errors,
                   as_of=as_of, day=day, prog=views.progression(day), months=months, chart=_chart(months),
                   stage_names=stage_names(), competences=_competences(), levels=LEVELS)


def _marker(kind: int, x: float, y: float, r: float = 3.5) -> str:
    """A different shape per series (circle, square, triangle, diamond): lines differ without colour."""
    top, low, left, right = f"{y - r - 1:.1f}", f"{y + r + 1:.1f}", f"{x - r - 1:.1f}", f"{x + r + 1:.1f}"
    return [f"M{x - r:.1f},{y:.1f}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0",
            f"M{x - r:.1f},{y - r:.1f}h{2 * r}v{2 * r}h{-2 * r}Z",
            f"M{x:.1f},{top}L{right},{y + r:.1f}L{left},{y + r:.1f}Z",
            f"M{x:.1f},{top}L{right},{y:.1f}L{x:.1f},{low}L{left},{y:.1f}Z"][kind % 4]


TICK_GAP = 64  # viewBox units between month label centres: "2024-05" is about 50 wide


def _chart(months: list[dict]) -> dict:
    """Geometry of the line chart (signed levels per month end); the template draws it as SVG."""
    width, height, left, right, top, bottom = 760, 300, 44, 140, 16, 48
    pw, ph = width - left - right, height - top - bottom
    peak = max([m["signed"][lv] for m in months for lv in LEVELS] + [1])
    step = next(s * 10 ** e for e in range(9) for s in (1, 2, 5) if peak <= s * 10 ** e * 5)  # <= 6 ticks
    ymax = step * -(-peak // step)
    n = len(months)
    xs = [left + (pw * i / (n - 1) if n > 1 else pw / 2) for i in range(n)]

    def y(v: int) -> float:
        return top + ph - ph * v / ymax

    series = []
    for k, level in enumerate(LEVELS):
        pts = [(xs[i], y(m["signed"][level])) for i, m in enumerate(months)]
        series.append({"level": level, "points": " ".join(f"{a:.1f},{b:.1f}" for a, b in pts),
                       "markers": "".join(_marker(k, a, b) for a, b in pts), "last": months[-1]["signed"][level],
                       "label_y": pts[-1][1] + 4})
    below = -1e9
    for s in sorted(series, key=lambda s: s["label_y"]):  # end labels at least a line apart
        s["label_y"] = below = max(s["label_y"], below + 15)
    overflow = max(s["label_y"] for s in series) - (top + ph + 4)
    for s in series:
        s["label_y"] -= max(0, overflow)
    # Month labels (about 50 units wide at 12px) at least TICK_GAP apart and at most 12 of them,
    # counted back from the latest month so it is always labelled.
    spacing = pw / (n - 1) if n > 1 else pw
    every = max(1, -(-n // 12), math.ceil(TICK_GAP / spacing))
    return {"width": width, "height": height, "left": left, "right": left + pw, "top": top, "bottom": top + ph,
            "label_x": left + pw + 10, "series": series,
            "yticks": [(y(v), v) for v in range(0, ymax + 1, step)],
            "xticks": [(xs[i], months[i]["month"]) for i in reversed(range(n - 1, -1, -every))],
            "first": months[0]["month"], "last": months[-1]["month"]}


# --- audit ---------------------------------------------------------------------------------------
AUDIT_PER_PAGE = 50
AUDIT_STATUSES = ("approved", "returned", "revoked")


def _audit_filters() -> tuple[dict, int, dict]:
    """(filters, page, errors) from the query string; filters are empty when one is bad."""
    data, errors = parse(AuditPageSchema(), request.args)
    views = runtime().read_models()  # caught up once; the people list below reads the same tables
    if not errors:
        known = {r.person_id for r in views.people()}
        if data["start"] and data["end"] and data["end"] < data["start"]:
            errors = {"end": ["is before the start of the period"]}
        elif data["supervisor_id"] and str(data["supervisor_id"]) not in known:
            errors = {"supervisor_id": ["there is no such person"]}
        elif data["competence"] and data["competence"] not in {c["code"] for c in _competences()}:
            errors = {"competence": [f"there is no competence {data['competence']}"]}
    if errors:
        return {}, 1, errors
    page = data.pop("page")
    return data, page, {}


def _supervisor_choices(chosen: str) -> list[tuple[str, str]]:
    """People with the supervisor role, and whoever the filter names (a former supervisor, say)."""
    rows = runtime().read_models(refresh=False).people()
    ids = {r.person_id for r in rows if "supervisor" in r.roles.split(",") or r.person_id == chosen}
    return sorted(((pid, name_of(pid)) for pid in ids), key=lambda c: c[1].lower())


@bp.get("/audit")
@staff_only
def audit():
    filters, page, errors = _audit_filters()
    rows, total, pages = [], 0, 1
    if not errors:
        views = runtime().read_models(refresh=False)
        total = views.audit_count(**filters)
        pages = max(1, -(-total // AUDIT_PER_PAGE))
        page = min(page, pages)
        rows = views.audit(**filters, limit=AUDIT_PER_PAGE, offset=(page - 1) * AUDIT_PER_PAGE)
    chosen = {k: request.args[k] for k in AuditFilterSchema().fields if request.args.get(k)}
    return _render("org/audit.html", "org/_audit_results.html", 422 if errors else 200, rows=rows,
                   errors=errors, form=request.args, csv_url=url_for("org.audit_csv", **chosen), total=total,
                   page=page, pages=pages, first=(page - 1) * AUDIT_PER_PAGE + 1, statuses=AUDIT_STATUSES,
                   page_url=lambda n: url_for("org.audit", **chosen, page=n),
                   supervisors=_supervisor_choices(chosen.get("supervisor_id", "")), competences=_competences())


def _cell(text: str) -> str:
    """A spreadsheet must not read a name or title as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/audit.csv")
@staff_only
def audit_csv():
    """Every matching decision, streamed a batch at a time (never the whole trail in memory)."""
    filters, _, errors = _audit_filters()
    if errors:
        message = "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in errors.items())
        return _render("error.html", "_error_fragment.html", 422, title="Bad filter", message=message)
    views = runtime().read_models(refresh=False)
    body = to_csv_lines(views.audit_batches(**filters), lambda p: _cell(name_of(p)))
    return Response(stream_with_context(body), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=audit-{clock.today().isoformat()}.csv"})


# --- accounts ------------------------------------------------------------------------------------
def _people() -> list:
    people = sorted(app_service().people(), key=lambda p: p.username)
    cache = g.setdefault("org_names", {})
    for p in people:
        cache.setdefault(str(p.id), app_service().display_name(p))
    return people


def _person_or_404(person_id):
    try:
        return app_service().person(person_id)
    except NotFound:
        abort(404)


ACCOUNTS_PER_PAGE = 50
ACCOUNT_STATUSES = {"active": "Active", "deactivated": "Deactivated", "erased": "Erased"}


def account_status(person) -> str:
    return "erased" if person.erased_at else "deactivated" if person.deactivated else "active"


@bp.get("/accounts")
@admin_only
def accounts():
    return _accounts_page({}, {}, "org/_accounts_table.html")


def _shown(people: list) -> tuple[dict, dict, list, int, int, int]:
    """(filters, errors, people on this page, total, page, pages) from the query string. Display names
    are sealed, so the search runs here over the decrypted names (an organisation is small)."""
    data, errors = parse(AccountFilterSchema(), request.args)
    if errors:
        return {}, errors, [], 0, 1, 1
    found = people
    if data["q"] and data["q"].strip():
        q = data["q"].strip().lower()
        found = [p for p in found if q in p.username.lower() or q in name_of(p.id).lower()]
    if data["role"]:
        found = [p for p in found if p.has_role(data["role"])]
    if data["status"]:
        found = [p for p in found if account_status(p) == data["status"]]
    if data["erasure"]:
        found = [p for p in found if p.erasure_request is not None]
    pages = max(1, -(-len(found) // ACCOUNTS_PER_PAGE))
    page = min(data["page"], pages)
    chosen = {k: v for k, v in data.items() if v and k != "page"}
    return chosen, {}, found[(page - 1) * ACCOUNTS_PER_PAGE:page * ACCOUNTS_PER_PAGE], len(found), page, pages


def _accounts_page(errors: dict, form, fragment: str, status: int = 200):
    people = _people()
    chosen, filter_errors, shown, total, page, pages = _shown(people)
    if filter_errors and not errors:
        status = 422
    return _render("org/accounts.html", fragment, status, people=shown, today=clock.today(), errors=errors,
                   form=form, roles=ACCOUNT_ROLES, positions=POSITIONS, stranded=_stranded(people),
                   filters=request.args, filter_errors=filter_errors, total=total, everyone=len(people), page=page,
                   pages=pages, statuses=ACCOUNT_STATUSES, status_of=account_status,
                   erasure_open=sum(p.erasure_request is not None for p in people),
                   page_url=lambda n: url_for("org.accounts", **chosen, page=n))


def _stranded(people: list) -> dict[str, int]:
    """Workers whose open sign-off requests no active supervisor can decide: {worker id: open count}.
    A supervisor who was erased or deactivated cannot sign off, so the admin must assign another."""
    by_id = {str(p.id): p for p in people}
    today = clock.today()
    stranded = {}
    for worker_id, count in runtime().read_models().open_request_counts().items():
        worker = by_id.get(worker_id)
        if worker is None or not worker.active:
            continue
        if not any(by_id.get(str(s)) is not None and by_id[str(s)].active for s in worker.supervisors_on(today)):
            stranded[worker_id] = count
    return stranded


def _set_password_url(person_id, by) -> str:
    token = app_service().issue_password_reset(person_id, by)
    return url_for("auth.set_password", person_id=person_id, token=token, _external=True)


@bp.post("/accounts")
@admin_only
def create_account():
    data, errors = _parse(AccountSchema(), request.form)
    if not errors:
        try:
            starts_on = data["starts_on"] or clock.today()
            pid = app_service().register_person(data["username"], data["display_name"], data["roles"], starts_on)
            if data["position"]:
                app_service().start_position(pid, data["position"], starts_on, data["induction_days"])
            link = _set_password_url(pid, g.user.id)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return _done(f"Account {data['username'].lower()} created. Send them this one-time link to choose "
                         f"their password (it works once, for 72 hours; you never see the password): {link}",
                         url_for("org.account", person_id=pid))
    return _accounts_page(errors, request.form, "org/_create_form.html", 422)


@bp.get("/accounts/<uuid:person_id>")
@admin_only
def account(person_id):
    return _account_page(_person_or_404(person_id), fragment="org/_account.html")


def _account_page(person, errors: dict | None = None, form=None, fragment: str | None = None, status: int = 200,
                  message: str = "", link: str = ""):
    today = clock.today()
    supervisors = [p for p in _people() if p.has_role("supervisor") and p.id != person.id]
    return _render("org/account.html", fragment, status, person=person, errors=errors or {}, form=form or {},
                   roles=ACCOUNT_ROLES, today=today, supervisors=supervisors, message=message,
                   sessions_open=app_service().sessions.open_count(person.id), link=link,
                   current=person.position_on(today),
                   open_assignments=[a for a in person.assignments if a["ends_on"] is None],
                   background_names=SUPERVISOR_BACKGROUND_NAMES,
                   **leave_section(person), **buddy_section(person))


@bp.post("/accounts/<uuid:person_id>/roles")
@admin_only
def change_roles(person_id):
    person = _person_or_404(person_id)
    data, errors = _parse(RolesSchema(), request.form)
    if not errors and person.id == g.user.id and "org_admin" not in data["roles"]:
        errors = {"roles": ["you cannot remove your own organisation admin role; ask another admin"]}
    if not errors:
        try:
            app_service().change_roles(person.id, data["roles"])
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            message = f"Roles of {person.username}: {', '.join(LABELS[r] for r in sorted(set(data['roles'])))}."
            if request.headers.get("HX-Request"):  # in place: the whole account (a new role may add forms)
                page, status = _account_page(app_service().person(person.id), fragment="org/_account.html",
                                             message=message)
                return page, status, {"HX-Retarget": "#account", "HX-Reswap": "innerHTML"}
            return _done(message, url_for("org.account", person_id=person.id))
    return _account_page(person, errors, request.form, "org/_roles_form.html", 422)


def _assignment_errors(exc: DomainError, conflict_field: str) -> dict:
    errors = domain_errors(exc)
    if "supervisor" in errors:
        errors["supervisor_id"] = errors.pop("supervisor")
    if isinstance(exc, AssignmentConflict) and "_schema" in errors:
        errors[conflict_field] = errors.pop("_schema")
    return errors


@bp.post("/accounts/<uuid:worker_id>/assignments")
@admin_only
def assign(worker_id):
    worker = worker_or_404(worker_id)
    data, errors = parse(AssignmentSchema(), request.form)
    if not errors and data["supervisor_id"] == worker.id:
        errors = {"supervisor_id": ["a person cannot be their own supervisor"]}
    if not errors:
        try:
            app_service().assign_supervisor(worker.id, data["supervisor_id"], data["starts_on"], data["ends_on"])
        except NotFound:
            errors = {"supervisor_id": ["there is no such account"]}
        except DomainError as exc:
            errors = _assignment_errors(exc, "starts_on")
        else:
            return _done(f"{name_of(data['supervisor_id'])} supervises {worker.username} from {data['starts_on']}.",
                         url_for("org.account", person_id=worker.id))
    return _account_page(worker, errors, request.form, "org/_assign_form.html", 422)


@bp.post("/accounts/<uuid:worker_id>/assignments/end")
@admin_only
def end_assignment(worker_id):
    worker = worker_or_404(worker_id)
    data, errors = parse(EndAssignmentSchema(), request.form)
    if not errors:
        try:
            app_service().end_supervision(worker.id, data["supervisor_id"], data["ends_on"])
        except DomainError as exc:
            errors = _assignment_errors(exc, "supervisor_id")
        else:
            return _done(f"{name_of(data['supervisor_id'])} supervises {worker.username} until {data['ends_on']}.",
                         url_for("org.account", person_id=worker.id))
    return _account_page(worker, errors, request.form, "org/_end_form.html", 422)


@bp.post("/accounts/<uuid:person_id>/erase")
@admin_only
def erase(person_id):
    """Erasure on a recorded request: the person's data key is destroyed (see application.erase_worker)."""
    person = _person_or_404(person_id)
    data, errors = parse(ErasureSchema(), request.form)
    if not errors and data["confirm"].strip().lower() != person.username:
        errors = {"confirm": [f"type the username, {person.username}, to confirm"]}
    if not errors:
        try:
            app_service().erase_worker(person.id, g.user.id, data["reference"])
        except DomainError as exc:
            errors = {"reference": [str(exc)]}
        else:
            runtime().projector.catch_up_all()
            return _done(f"Erased {person.username}: their personal text and files can no longer be read.",
                         url_for("org.account", person_id=person.id))
    return _account_page(app_service().person(person.id), errors, request.form, "org/_erase_form.html", 422)


@bp.post("/accounts/<uuid:person_id>/password-link")
@admin_only
def password_link(person_id):
    """A new one-time set-password link (the old one stops working); the admin passes it on."""
    person = _person_or_404(person_id)
    try:
        link = _set_password_url(person.id, g.user.id)
    except DomainError as exc:
        return _account_page(person, {"password_link": [str(exc)]}, fragment="org/_lifecycle.html", status=422)
    return _account_page(app_service().person(person.id), fragment="org/_lifecycle.html", link=link,
                         message=f"A new set-password link for {person.username} is ready.")


@bp.post("/accounts/<uuid:person_id>/deactivate")
@admin_only
def deactivate(person_id):
    """Close the account (reversible): sign-in, tokens and sessions stop; the portfolio stays."""
    person = _person_or_404(person_id)
    data, errors = parse(DeactivationSchema(), request.form)
    if not errors:
        try:
            app_service().deactivate_person(person.id, g.user.id, data["reason"])
        except DomainError as exc:
            errors = {"reason": [str(exc)]}
        else:
            return _done(f"Deactivated {person.username}: they are signed out and cannot sign in.",
                         url_for("org.account", person_id=person.id))
    return _account_page(person, errors, request.form, "org/_lifecycle.html", 422)


@bp.post("/accounts/<uuid:person_id>/reactivate")
@admin_only
def reactivate(person_id):
    person = _person_or_404(person_id)
    try:
        app_service().reactivate_person(person.id, g.user.id)
    except DomainError as exc:
        return _account_page(person, {"reactivate": [str(exc)]}, fragment="org/_lifecycle.html", status=422)
    return _done(f"Reactivated {person.username}. Send a set-password link if they need one.",
                 url_for("org.account", person_id=person.id))


from portfolio.web import org_background  # noqa: E402,F401  (its route joins this blueprint)
