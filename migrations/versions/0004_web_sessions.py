"""Server-side web sessions (revocable: logout, password change, deactivation, erasure).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_why", sa.String(40), nullable=True),
    )
    op.create_index("ix_web_sessions_person_id", "web_sessions", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_person_id", "web_sessions")
    op.drop_table("web_sessions")
