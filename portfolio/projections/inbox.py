"""The inbox read side: a person's notifications, unread counts, read marks, levels coming due.

A level of use coming due is computed at read time from the stage policy (no event says "due"):
when the stage expected of a worker falls due within DUE_WITHIN days and competences still lack
its level, the worker's inbox shows it, with an id naming the stage and the day so that marking it
read holds until the next stage comes due.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Engine

from portfolio.domain import clock
from portfolio.projections.notification_tables import notification_reads, notifications
from portfolio.projections.tables import projection_active

DUE_WITHIN = 30  # days
PER_PAGE = 100


def _gen(conn) -> int:
    return conn.execute(select(projection_active.c.gen).where(
        projection_active.c.name == "notifications")).scalar() or 1


def due_notice(read_models, worker_id: str, today: date) -> dict | None:
    """The level of use expected of the worker within DUE_WITHIN days, if some of it is missing."""
    report = read_models.stage(str(worker_id), today + timedelta(days=DUE_WITHIN))
    if report.expected is None or report.expected_due_on is None or not report.missing:
        return None
    if not today <= report.expected_due_on <= today + timedelta(days=DUE_WITHIN):
        return None
    return {"notification_id": f"due:{worker_id}:{report.expected}:{report.expected_due_on.isoformat()}",
            "kind": "due", "stage": report.expected, "due_on": report.expected_due_on,
            "missing": len(report.missing), "worker_id": str(worker_id)}


def _read_ids(conn, person_id: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    r = notification_reads
    return set(conn.execute(select(r.c.notification_id).where(
        r.c.person_id == person_id, r.c.notification_id.in_(ids))).scalars())


def inbox(engine: Engine, person_id: str, due: dict | None = None) -> list[dict]:
    """Newest first; each item says whether it was read."""
    person_id = str(person_id)
    n = notifications
    with engine.connect() as conn:
        rows = conn.execute(select(n).where(n.c.gen == _gen(conn), n.c.recipient_id == person_id)
                            .order_by(n.c.at.desc()).limit(PER_PAGE)).mappings().all()
        items = ([dict(due, at=None)] if due else []) + [dict(r) for r in rows]
        read = _read_ids(conn, person_id, [i["notification_id"] for i in items])
    for item in items:
        item["read"] = item["notification_id"] in read
    return items


def unread_count(engine: Engine, person_id: str, due: dict | None = None) -> int:
    """One query: the person's notifications without a read mark (plus the due notice, if unread)."""
    person_id, n, r = str(person_id), notifications, notification_reads
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(n.outerjoin(r, and_(
            r.c.person_id == person_id, r.c.notification_id == n.c.notification_id))).where(
            n.c.gen == _gen(conn), n.c.recipient_id == person_id, r.c.notification_id.is_(None))).scalar_one()
        if due and not _read_ids(conn, person_id, [due["notification_id"]]):
            count += 1
    return count


def mark_read(engine: Engine, person_id: str, ids: list[str] | None, due: dict | None = None) -> int:
    """Mark these of the person's notifications read (all of them with ids=None); returns how many.
    Ids that are not the person's are ignored, so nobody can learn or touch another's inbox."""
    person_id, n = str(person_id), notifications
    with engine.begin() as conn:
        query = select(n.c.notification_id).where(n.c.gen == _gen(conn), n.c.recipient_id == person_id)
        if ids is not None:
            query = query.where(n.c.notification_id.in_(ids))
        mine = set(conn.execute(query).scalars())
        if due and (ids is None or due["notification_id"] in ids):
            mine.add(due["notification_id"])
        new = mine - _read_ids(conn, person_id, list(mine))
        if new:
            conn.execute(insert(notification_reads), [
                {"person_id": person_id, "notification_id": i, "read_at": clock.now()} for i in sorted(new)])
    return len(new)

