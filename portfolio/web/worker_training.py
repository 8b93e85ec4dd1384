"""The worker records attending a session of a registered programme: choose the programme, then
one of its sessions (htmx swaps in the session list; without script, "Show its sessions" reloads)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from portfolio.domain.errors import DomainError
from portfolio.web.access import app_service
from portfolio.web.forms import domain_errors, parse
from portfolio.web.programmes import register_reads
from portfolio.web.register_schemas import AttendanceSchema, ProgrammeChoiceSchema
from portfolio.web.worker import _render, bp, worker_only


@bp.route("/training/attended", methods=["GET", "POST"])
@worker_only
def attended():
    reads = register_reads()
    source = request.form if request.method == "POST" else request.args
    choice, errors = parse(ProgrammeChoiceSchema(), source)
    chosen = choice.get("programme_id")
    found = reads.programme(str(chosen)) if chosen else None
    if chosen and found is None:
        errors = {"programme_id": ["there is no such programme in the register"]}
    if request.method == "POST" and not errors:
        data, errors = parse(AttendanceSchema(), request.form)
        if not errors:
            try:
                app_service().record_attendance(g.user.id, **data)
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash(f"Attendance at {found[0].title}, session {data['session']}, on {data['attended_on']} recorded.")
                return redirect(url_for("worker.my_list", kind="training"))
    status = 422 if errors else 200
    if request.headers.get("HX-Request") and request.method == "GET":  # the session list for the chosen programme
        return _render("worker/_session_choice.html", "worker/_session_choice.html", status, found=found,
                       errors=errors, form=source)
    return _render("worker/attendance_form.html", status=status, programmes=reads.programmes(), found=found,
                   errors=errors, form=source)
