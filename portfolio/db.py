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

# Fixed-window counters of login attempts, shared by every web process (portfolio/web/ratelimit.py).
# Keys hold HMACs of the username and address, never the clear values; expired rows are deleted.
rate_limits = Table(
    "rate_limits", metadata,
    Column("key", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Double, nullable=False),  # Unix time the window ends
    Index("ix_rate_limits_expires_at", "expires_at"),
)
