"""Notifications of a level of use coming due: the stage, its due date and the levels missing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rm_notifications", sa.Column("stage", sa.String(length=40), nullable=True))
    op.add_column("rm_notifications", sa.Column("due_on", sa.Date(), nullable=True))
    op.add_column("rm_notifications", sa.Column("missing", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rm_notifications") as batch:
        batch.drop_column("missing")
        batch.drop_column("due_on")
        batch.drop_column("stage")
