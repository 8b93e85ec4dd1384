"""The inbox: what happened that concerns the signed-in person, with a link to it.

Every signed-in person has one (a supervisor hears of new requests, a worker of decisions and of a
level of use coming due). Items show metadata only: kind, competence code, level, who, when. The
unread count for the navigation is one small query per page, for signed-in people only.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from portfolio.projections import inbox as queries
from portfolio.web.access import app_service, login_required, name_for_reader, runtime, stage_names

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
TEXT = {"requested": "asked for sign-off of", "approved": "approved your sign-off of",
        "returned": "returned your sign-off request for", "revoked": "revoked your sign-off of",
        "erasure_requested": "asked for their record to be erased", "erasure_declined": "declined your erasure request"}
DUE_KINDS = ("due", "overdue")


def _name(person_id) -> str:
    return name_for_reader(person_id, "someone")


def _link(item: dict) -> str:
    if item["kind"] == "requested":
        return url_for("supervisor.queue") + f"#req-{item['request_id']}"
    if item["kind"] in DUE_KINDS and item["worker_id"] != str(g.user.id):
        return url_for("supervisor.summary", worker_id=item["worker_id"])
    if item["kind"] == "erasure_requested":
        return url_for("org.account", person_id=item["worker_id"])
    if item["kind"] == "erasure_declined":
        return url_for("erasure.page")
    return url_for("worker.dashboard")


@bp.app_context_processor
def unread_badge():
    user = g.get("user")
    if user is None or request.path.startswith("/api/"):
        return {}

    def inbox_unread() -> int:  # called by base.html only, so JSON and fragments pay nothing
        try:
            runtime().projector.refresh()
            return queries.unread_count(runtime().engine, str(user.id))
        except Exception:  # noqa: BLE001 - a badge must never break the page it sits on
            current_app.logger.warning("unread count failed", exc_info=True)
            return 0
    return {"inbox_unread": inbox_unread}


@bp.get("")
@login_required
def index(oob: bool = False):
    runtime().projector.refresh()
    items = queries.inbox(runtime().engine, str(g.user.id))
    stages = stage_names()
    for item in items:
        item["link"] = _link(item)
        if item["kind"] in DUE_KINDS:
            item["who"] = _name(item["worker_id"])
            item["stage_name"] = stages.get(item["stage"], item["stage"])
        else:
            item["who"] = _name(item["actor_id"])
            item["text"] = TEXT[item["kind"]]
    template = "inbox/_items.html" if request.headers.get("HX-Request") else "inbox/index.html"
    return render_template(template, items=items, unread=sum(not i["read"] for i in items), oob=oob)


@bp.post("/read")
@login_required
def mark_read():
    """One notification (`notification_id`), or all of them (`all`)."""
    user = g.user
    runtime().projector.refresh()  # "all" means all that the person could have seen
    if request.form.get("all"):
        queries.mark_read(runtime().engine, str(user.id), None)
    else:
        nid = (request.form.get("notification_id") or "").strip()
        if not nid or len(nid) > 120:
            return render_template("error.html", title="Bad request",
                                   message="notification_id: say which notification to mark read"), 422
        queries.mark_read(runtime().engine, str(user.id), [nid])
    if request.headers.get("HX-Request"):
        return index(oob=True)  # the list, and the navigation's count out of band
    return redirect(url_for("inbox.index"), 303)
