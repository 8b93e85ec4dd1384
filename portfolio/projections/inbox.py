"""The inbox read side: a person's notifications, unread counts, read marks.

A level of use coming due is a notification like any other: `portfolio notifications due` records
a LevelDueNotice event once per worker, stage and due date, and the projection turns it into rows.
"""

from __future__ import annotations

from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Engine

from portfolio.domain import clock
from portfolio.projections.notification_tables import notification_reads, notifications
from portfolio.projections.tables import projection_active

PER_PAGE = 100


def _gen(conn) -> int:
    return conn.execute(select(projection_active.c.gen).where(
        projection_active.c.name == "notifications")).scalar() or 1


def _read_ids(conn, person_id: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    r = notification_reads
    return set(conn.execute(select(r.c.notification_id).where(
        r.c.person_id == person_id, r.c.notification_id.in_(ids))).scalars())


def inbox(engine: Engine, person_id: str) -> list[dict]:
    """Newest first; each item says whether it was read."""
    person_id = str(person_id)
    n = notifications
    with engine.connect() as conn:
        rows = conn.execute(select(n).where(n.c.gen == _gen(conn), n.c.recipient_id == person_id)
                            .order_by(n.c.at.desc()).limit(PER_PAGE)).mappings().all()
        items = [dict(r) for r in rows]
        read = _read_ids(conn, person_id, [i["notification_id"] for i in items])
    for item in items:
        item["read"] = item["notification_id"] in read
    return items


def unread_count(engine: Engine, person_id: str) -> int:
    """One query: the person's notifications without a read mark."""
    person_id, n, r = str(person_id), notifications, notification_reads
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(n.outerjoin(r, and_(
            r.c.person_id == person_id, r.c.notification_id == n.c.notification_id))).where(
            n.c.gen == _gen(conn), n.c.recipient_id == person_id, r.c.notification_id.is_(None))).scalar_one()
    return count


def mark_read(engine: Engine, person_id: str, ids: list[str] | None) -> int:
    """Mark these of the person's notifications read (all of them with ids=None); returns how many.
    Ids that are not the person's are ignored, so nobody can learn or touch another's inbox."""
    person_id, n = str(person_id), notifications
    with engine.begin() as conn:
        query = select(n.c.notification_id).where(n.c.gen == _gen(conn), n.c.recipient_id == person_id)
        if ids is not None:
            query = query.where(n.c.notification_id.in_(ids))
        mine = set(conn.execute(query).scalars())
        new = mine - _read_ids(conn, person_id, list(mine))
        if new:
            conn.execute(insert(notification_reads), [
                {"person_id": person_id, "notification_id": i, "read_at": clock.now()} for i in sorted(new)])
    return len(new)

