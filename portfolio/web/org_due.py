"""Who is behind, in induction or coming due for a level of use (/org/due), for admins and auditors.

Whether a level is due depends on today, so no table holds it: each worker's stage report (assess,
domain/stages.py) is worked out for today and for the end of the warning window from three queries
for everyone (ReadModels.stage_reports; the supervisor filter runs in SQL). Status and stage filters,
counts and paging then run over those reports, and display names are opened for the page's rows only.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, request, url_for

from portfolio.domain import clock
from portfolio.levels_due import by_worker
from portfolio.web.access import app_service, roles_required, runtime, stage_names
from portfolio.web.forms import parse
from portfolio.web.org import _render, _supervisor_choices
from portfolio.web.schemas import DueFilterSchema

bp = Blueprint("org_due", __name__, url_prefix="/org")
PER_PAGE = 25
STATUSES = {"behind": "Behind (overdue)", "soon": "Due soon", "induction": "In induction"}


def _order(row) -> tuple:
    due = row.overdue or row.soon
    return (0 if row.overdue else 1 if row.soon else 2, due.due_on if due else row.now.expected_due_on)


def _matches(row, stage: str | None) -> bool:
    return stage is None or stage in {d.stage for d in row.dues} | ({row.now.expected} if row.now.in_induction else set())


def _supervisors(worker_id: str, today) -> list[str]:
    worker = app_service().person(worker_id)
    return sorted({str(a["supervisor_id"]) for a in worker.assignments
                   if a["starts_on"] <= today and (a["ends_on"] is None or today <= a["ends_on"])})


@bp.get("/due")
@roles_required("org_admin", "auditor")
def due():
    data, errors = parse(DueFilterSchema(), request.args)
    names = stage_names()
    if not errors and data["stage"] and data["stage"] not in names:
        errors = {"stage": [f"there is no level of use {data['stage']}"]}
    views, today = runtime().read_models(), clock.today()
    window = app_service().org_settings()["due_warning_days"]
    rows, shown, counts, page, pages = [], [], {s: 0 for s in STATUSES}, 1, 1
    if not errors:
        supervisor = str(data["supervisor_id"]) if data["supervisor_id"] else None
        found = [r for r in by_worker(views, today, window, supervisor_id=supervisor).values()
                 if r.statuses and _matches(r, data["stage"])]
        for r in found:
            for s in r.statuses:
                counts[s] += 1
        shown = sorted((r for r in found if data["status"] is None or data["status"] in r.statuses), key=_order)
        pages = max(1, -(-len(shown) // PER_PAGE))
        page = min(data["page"], pages)
        rows = shown[(page - 1) * PER_PAGE:page * PER_PAGE]
    chosen = {k: request.args[k] for k in ("status", "stage", "supervisor_id") if request.args.get(k)}
    return _render("org/due.html", "org/_due_results.html", 422 if errors else 200, rows=rows, counts=counts,
                   errors=errors, form=request.args, statuses=STATUSES, stage_names=names, page=page, pages=pages,
                   window=window, today=today, supervisors_of=lambda wid: _supervisors(wid, today), total=len(shown),
                   page_url=lambda n: url_for("org_due.due", **chosen, page=n), window_end=today + timedelta(days=window),
                   supervisors=_supervisor_choices(chosen.get("supervisor_id", "")))
