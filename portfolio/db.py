"""SQLAlchemy tables beside the event log: key store and file store (read models join later).

Alembic (migrations/) owns this schema; the event tables belong to the eventsourcing library.
"""

from __future__ import annotations

from sqlalchemy import (Column, DateTime, Integer, LargeBinary, MetaData, PrimaryKeyConstraint, String,
                        Table)

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
