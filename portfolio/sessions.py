"""Server-side sessions: a random token in the cookie, its SHA-256 here, ended on demand.

A session ends at logout, after IDLE without use, at LIFETIME after sign-in, or for every session
of a person when their password changes or their account is deactivated or erased.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta, timezone
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from portfolio.db import web_sessions
from portfolio.domain.clock import now

LIFETIME = timedelta(hours=8)
IDLE = timedelta(hours=2)
TOUCH_EVERY = timedelta(minutes=5)  # last-seen writes at most this often, not on every page view


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment):
    # SQLite hands back naive datetimes (stored as UTC): compare like with like.
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class SessionStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def start(self, person_id: UUID) -> str:
        token = secrets.token_urlsafe(32)
        moment = now()
        with self.engine.begin() as conn:
            conn.execute(insert(web_sessions).values(
                token_hash=_hash(token), person_id=str(person_id), created_at=moment, last_seen_at=moment,
                expires_at=moment + LIFETIME))
        return token

    def person_for(self, token: str | None) -> UUID | None:
        """The person signed in with this token, if the session is still open."""
        if not token or len(token) > 100:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(web_sessions).where(web_sessions.c.token_hash == _hash(token))).first()
        if row is None or row.ended_at is not None:
            return None
        moment = now()
        if _aware(row.expires_at) <= moment:
            self.end(token, "expired")
            return None
        if _aware(row.last_seen_at) + IDLE <= moment:
            self.end(token, "idle")
            return None
        if _aware(row.last_seen_at) + TOUCH_EVERY <= moment:
            with self.engine.begin() as conn:
                conn.execute(update(web_sessions).where(web_sessions.c.token_hash == _hash(token))
                             .values(last_seen_at=moment))
        return UUID(row.person_id)

    def end(self, token: str | None, why: str = "logout") -> None:
        if not token:
            return
        with self.engine.begin() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.token_hash == _hash(token),
                                                    web_sessions.c.ended_at.is_(None))
                         .values(ended_at=now(), ended_why=why))

    def end_all(self, person_id: UUID, why: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(update(web_sessions).where(web_sessions.c.person_id == str(person_id),
                                                             web_sessions.c.ended_at.is_(None))
                                  .values(ended_at=now(), ended_why=why))
        return result.rowcount

    def forget(self, person_id: UUID) -> None:
        """Erasure: not even the times a person was signed in remain."""
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.person_id == str(person_id)))

    def open_count(self, person_id: UUID) -> int:
        with self.engine.connect() as conn:
            rows = conn.execute(select(web_sessions.c.expires_at).where(
                web_sessions.c.person_id == str(person_id), web_sessions.c.ended_at.is_(None))).all()
        return sum(1 for r in rows if _aware(r.expires_at) > now())
