"""What a worker can see about their own privacy: who can read an item now and at any past
moment, who did read it, and everything held about them (subject access).

Who could read an item follows from two histories in the log: the item's exposure tier changes
and the worker's supervisor assignments.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from portfolio.application import PortfolioApplication, as_uuid
from portfolio.domain.access_log import AccessLog
from portfolio.domain.errors import NotFound
from portfolio.domain.portfolio import Portfolio
from portfolio.domain.values import LEGACY_CLEAR

TIER_READERS = {
    "private": "only the worker",
    "supervisors": "the worker and their supervisors at the time",
    "accreditation": "the worker, their supervisors at the time, and the organisation's auditors and admins",
}


# Each event in plain words, for the readable record (the JSON keeps the class name beside it).
EVENT_WORDS = {
    "Registered": "Your account was created", "RolesChanged": "Your roles changed",
    "PositionStarted": "You started a position", "LeaveRecorded": "A period of leave or a career break was recorded",
    "LeaveWithdrawn": "A leave record was withdrawn (a correction)",
    "SupervisorAssigned": "A supervisor was assigned to you",
    "SupervisionEnded": "A supervisor's assignment to you ended", "PasswordSet": "Your password was set",
    "TemporaryPasswordSet": "A temporary password was set for you",
    "PasswordResetIssued": "A link to set your password was made",
    "ApiTokenIssued": "An API token was made for your account", "Deactivated": "Your account was deactivated",
    "Reactivated": "Your account was reactivated", "Erased": "Your personal text and files were erased",
    "ErasureRequested": "You asked for your record to be erased",
    "ErasureRequestWithdrawn": "You withdrew your erasure request",
    "ErasureRequestDeclined": "An organisation admin declined your erasure request",
    "Portfolio.Opened": "Your portfolio was started", "TrainingRecorded": "A training was recorded",
    "SupervisionRecorded": "A supervision session was recorded", "ReflectionWritten": "You wrote a reflection",
    "ReflectionAmended": "You amended a reflection", "ExposureChanged": "You changed who can read an item",
    "OthersStoryNoted": "You noted that an item tells someone else's story",
    "StoryPermissionConfirmed": "You recorded that a story was told with permission",
    "EvidenceAdded": "You added evidence", "EvidenceWithdrawn": "You withdrew evidence",
    "GoalSet": "You set a development goal", "GoalReviewed": "You reviewed a goal",
    "SignOffRequested": "You asked for a sign-off", "SignOffApproved": "A sign-off was approved",
    "SignOffReturned": "A sign-off request was returned with feedback",
    "SignOffWithdrawn": "You withdrew a sign-off request", "SignOffRevoked": "A sign-off was revoked",
    "SessionAttended": "You recorded attending a session of a registered training programme",
    "AccessLog.Opened": "Your access log was started", "ContentRead": "Someone else read an item you shared",
    "ContentsRead": "Someone else read items you shared",
}
TEXT_LABELS = {"name": "Name", "title": "Title", "body": "Text", "description": "Description", "notes": "Notes",
               "actions": "Agreed actions", "feedback": "Feedback", "reason": "Reason", "text": "Goal",
               "provider": "Provider", "accredited_by": "Accredited by", "topics": "Topics", "review": "Review"}


def in_words(qualname: str) -> str:
    event_type = qualname.split(".")[-1]
    if qualname in EVENT_WORDS or event_type in EVENT_WORDS:
        return EVENT_WORDS.get(qualname) or EVENT_WORDS[event_type]
    words = "".join(" " + c.lower() if c.isupper() else c for c in event_type).strip()
    return words[:1].upper() + words[1:]


def _created_at(item_kind: str, item: dict) -> datetime:
    if item_kind == "reflection":
        return item["versions"][0]["written_at"]
    if item_kind == "evidence":
        return item["added_at"]
    if item_kind == "goal":  # a goal from a snapshot older than its tier has no time: private from the start
        return item.get("set_at") or datetime.min.replace(tzinfo=timezone.utc)
    return datetime.combine(item["held_on"], time.min, tzinfo=timezone.utc)


def _item(pf: Portfolio, item_kind: str, item_id: UUID) -> dict:
    items = {"reflection": pf.reflections, "supervision": pf.supervisions, "evidence": pf.evidence,
             "goal": pf.goals}.get(item_kind)
    if items is None or str(item_id) not in items:
        raise NotFound(f"no {item_kind} {item_id} in this portfolio")
    return items[str(item_id)]


def tier_periods(pf: Portfolio, item_kind: str, item_id: UUID) -> list[dict]:
    """[{tier, from, to}] from the item's creation: `to` is None for the current period."""
    item = _item(pf, item_kind, item_id)
    changes = [{"tier": "private", "at": _created_at(item_kind, item)}] + item.get("exposure_history", [])
    periods = []
    for n, change in enumerate(changes):
        end = changes[n + 1]["at"] if n + 1 < len(changes) else None
        periods.append({"tier": change["tier"], "from": change["at"], "to": end})
    return periods


def readers_on(app: PortfolioApplication, worker_id: UUID | str, item_kind: str, item_id: UUID | str,
               when: datetime) -> dict:
    """Who could read the item at `when`: the tier then, and the people it reached."""
    worker_id, item_id = as_uuid("worker", worker_id), as_uuid("item", item_id)
    pf, worker = app.portfolio(worker_id), app.person(worker_id)
    periods = [p for p in tier_periods(pf, item_kind, item_id) if p["from"] <= when]
    if not periods:
        return {"tier": None, "readers": [], "note": "the item did not exist yet"}
    tier = periods[-1]["tier"]
    readers = [{"id": str(worker.id), "name": app.display_name(worker), "as": "the worker"}]
    if tier in ("supervisors", "accreditation"):
        for sid in worker.supervisors_on(when.date()):
            readers.append({"id": str(sid), "name": app.display_name(app.person(sid)), "as": "supervisor"})
    if tier == "accreditation":
        readers.append({"id": None, "name": "the organisation's auditors and admins", "as": "accreditation"})
    return {"tier": tier, "readers": readers, "note": TIER_READERS[tier]}


def exposure_history(app: PortfolioApplication, worker_id: UUID | str, item_kind: str,
                     item_id: UUID | str) -> dict:
    """The item's tier periods, who can read it now, and every logged read of it by someone else."""
    worker_id, item_id = as_uuid("worker", worker_id), as_uuid("item", item_id)
    pf = app.portfolio(worker_id)
    now = datetime.now(timezone.utc)
    return {
        "periods": tier_periods(pf, item_kind, item_id),
        "now": readers_on(app, worker_id, item_kind, item_id, now),
        "reads": [r for r in app.access_log(worker_id) if r["item_id"] == item_id and r["item_kind"] == item_kind],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def subject_access(app: PortfolioApplication, views, worker_id: UUID | str) -> dict:
    """Everything held about a worker, readable: their events (as stored, with their own text
    opened), the current views, each item's exposure history and the access log."""
    worker_id = as_uuid("worker", worker_id)
    person = app.person(worker_id)
    opened = lambda sealed: app.read_text(worker_id, sealed)  # noqa: E731
    events = []
    for originator in (worker_id, Portfolio.create_id(worker_id), AccessLog.create_id(worker_id)):
        for stored in app.recorder.select_events(originator):
            event = app.mapper.to_domain_event(stored)
            state = {k: v for k, v in vars(event).items() if k not in ("originator_topic",)}
            readable = {k[:-len("_sealed")]: opened(v) for k, v in state.items()
                        if k.endswith("_sealed") and isinstance(v, str)}
            # Text old events held in clear is shown opened (while the key exists), not as stored.
            state = {k: LEGACY_CLEAR if isinstance(v, str) and v.startswith(LEGACY_CLEAR) else v
                     for k, v in state.items()}
            qualname = get_topic(type(event)).split(":")[-1]
            events.append({"type": qualname, "version": event.originator_version,
                           "at": event.timestamp, "what": in_words(qualname), "data": state, "text": readable})
    pf = app.portfolio(worker_id) if person.holds_portfolio else None
    items = []
    if pf is not None:
        for kind, group in (("reflection", pf.reflections), ("supervision", pf.supervisions),
                            ("evidence", pf.evidence), ("goal", pf.goals)):
            for item_id in group:
                items.append({"kind": kind, "id": item_id,
                              "exposure": exposure_history(app, worker_id, kind, UUID(item_id))})
    day = datetime.now(timezone.utc).date()
    current = {}
    if pf is not None:
        rows, _ = views.timeline(str(worker_id), per_page=100000)
        current = {"stage": vars(views.stage(str(worker_id), day)),
                   "matrix": [dict(v) for v in views.matrix(str(worker_id)).values()],
                   "timeline": [dict(r._mapping, title=opened(r.title_sealed)) for r in rows]}
    return _jsonable({
        "person": {"id": worker_id, "username": person.username, "name": app.display_name(person),
                   "roles": person.roles, "joined_on": person.joined_on, "positions": person.positions,
                   "supervisor_assignments": person.assignments, "leave": person.leave},
        "exported_at": datetime.now(timezone.utc),
        "events": events,
        "current_views": current,
        "exposure": items,
        "access_log": [dict(r, reader_name=_name(app, r["reader_id"]), item_title=_title(app, pf, worker_id, r))
                       for r in app.access_log(worker_id)],
    })


def _name(app: PortfolioApplication, person_id) -> str:
    try:
        return app.display_name(app.person(person_id))
    except NotFound:
        return "someone no longer on record"


def _title(app: PortfolioApplication, pf: Portfolio | None, worker_id: UUID, read: dict) -> str | None:
    """The title of the item read, opened for the worker (supervision sessions by their date)."""
    try:
        item = _item(pf, read["item_kind"], read["item_id"]) if pf is not None else None
    except NotFound:
        return None
    if item is None:
        return None
    if read["item_kind"] == "reflection":
        return app.read_text(worker_id, item["versions"][-1]["title_sealed"])
    if read["item_kind"] == "evidence":
        return app.read_text(worker_id, item["title_sealed"])
    if read["item_kind"] == "goal":
        return app.read_text(worker_id, item["text_sealed"])
    return f"Supervision on {item['held_on']}"


def subject_access_json(app: PortfolioApplication, views, worker_id: UUID | str) -> str:
    return json.dumps(subject_access(app, views, worker_id), ensure_ascii=False, indent=2)
