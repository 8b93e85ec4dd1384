"""Erasure requests: the notifications projection follows who is an organisation admin.

A live notifications generation made before this has no admin rows: rebuild it once
(`portfolio projections rebuild notifications`) so admins hear of erasure requests.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rm_notify_admins",
        sa.Column("gen", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("gen", "person_id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("rm_notify_admins")
