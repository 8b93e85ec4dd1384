"""SQLAlchemy tables beside the event log: key store and file store (read models join later).

Alembic (migrations/) owns this schema; the event tables belong to the eventsourcing library.
"""

from __future__ import annotations

from sqlalchemy import (Column, DateTime, Double, Index, Integer, LargeBinary, MetaData, PrimaryKeyConstraint,
                        String, Table)

metadata = MetaData()

# One data key per person, wrapped by the master key. Deleting a row is crypto-shredding.
person_keys = Table(
    "person_keys", metadata,
    Column("person_id", String(36), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Uploaded evidence files, content-addressed by the SHA-256 of the plain bytes, stored sealed.
evidence_files = Table(
    "evidence_files", metadata,
    Column("worker_id", String(36), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    PrimaryKeyConstraint("worker_id", "sha256"),
)

# Signed-in web sessions, server-side so they can be ended: the cookie holds only a random token,
# this table only its SHA-256. Operational state, not history, so it lives beside the log.
web_sessions = Table(
    "web_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("ended_why", String(40), nullable=True),
)

# Fixed-window counters of login attempts, shared by every web process (portfolio/web/ratelimit.py).
# Keys hold HMACs of the username and address, never the clear values; expired rows are deleted.
rate_limits = Table(
    "rate_limits", metadata,
    Column("key", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Double, nullable=False),  # Unix time the window ends
    Index("ix_rate_limits_expires_at", "expires_at"),
)
