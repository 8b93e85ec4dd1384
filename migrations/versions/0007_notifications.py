"""Notifications: the projection's tables, read marks and e-mail delivery state.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.String(length=36)
NID = sa.String(length=120)


def upgrade() -> None:
    op.create_table(
        "rm_notifications",
        sa.Column("gen", sa.Integer(), nullable=False),
        sa.Column("notification_id", NID, nullable=False),
        sa.Column("recipient_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("competence", sa.String(length=40), nullable=False),
        sa.Column("levels", sa.String(length=60), nullable=False),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gen", "notification_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_rm_notifications_0", "rm_notifications", ["gen", "recipient_id", "at"])
    op.create_table(
        "rm_notify_portfolios",
        sa.Column("gen", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", ID, nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("gen", "portfolio_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rm_notify_assignments",
        sa.Column("gen", sa.Integer(), nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.Column("supervisor_id", ID, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("gen", "worker_id", "supervisor_id", "starts_on"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rm_notify_requests",
        sa.Column("gen", sa.Integer(), nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("competence", sa.String(length=40), nullable=False),
        sa.Column("levels", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("gen", "request_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "notification_reads",
        sa.Column("person_id", ID, nullable=False),
        sa.Column("notification_id", NID, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "notification_id"),
    )
    op.create_table(
        "notification_mail",
        sa.Column("notification_id", NID, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tried_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("notification_id"),
    )


def downgrade() -> None:
    op.drop_table("notification_mail")
    op.drop_table("notification_reads")
    op.drop_table("rm_notify_requests")
    op.drop_table("rm_notify_assignments")
    op.drop_table("rm_notify_portfolios")
    op.drop_index("ix_rm_notifications_0", table_name="rm_notifications")
    op.drop_table("rm_notifications")
