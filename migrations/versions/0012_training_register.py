"""The training register (programmes, sessions, accreditations) and attendance at its sessions.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.String(length=36)
WHEN = sa.DateTime(timezone=True)


def _create(name: str, *columns, pk: tuple[str, ...]) -> None:
    op.create_table(name, sa.Column("gen", sa.Integer(), nullable=False), *columns,
                    sa.PrimaryKeyConstraint("gen", *pk), sqlite_with_rowid=False)


def upgrade() -> None:
    _create("rm_programmes",
            sa.Column("programme_id", ID, nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("provider", sa.String(length=200), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("admission_criteria", sa.Text(), nullable=False),
            sa.Column("source", sa.String(length=120), nullable=False),
            sa.Column("registered_by", ID, nullable=True),
            sa.Column("registered_at", WHEN, nullable=False),
            pk=("programme_id",))
    _create("rm_programme_sessions",
            sa.Column("programme_id", ID, nullable=False),
            sa.Column("code", sa.String(length=20), nullable=False),
            sa.Column("position", sa.String(length=10), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("hours", sa.Numeric(5, 2), nullable=True),
            sa.Column("competences", sa.String(length=600), nullable=False),
            sa.Column("elements", sa.String(length=400), nullable=False),
            sa.Column("over_four_hours", sa.Boolean(), nullable=False),
            sa.Column("changed_by", ID, nullable=True),
            sa.Column("changed_at", WHEN, nullable=False),
            pk=("programme_id", "code"))
    _create("rm_accreditations",
            sa.Column("programme_id", ID, nullable=False),
            sa.Column("starts_on", sa.Date(), nullable=False),
            sa.Column("institution", sa.String(length=200), nullable=False),
            sa.Column("ends_on", sa.Date(), nullable=True),
            sa.Column("recorded_by", ID, nullable=True),
            sa.Column("recorded_at", WHEN, nullable=False),
            sa.Column("ended_by", ID, nullable=True),
            sa.Column("ended_at", WHEN, nullable=True),
            pk=("programme_id", "starts_on"))
    _create("rm_attendances",
            sa.Column("attendance_id", ID, nullable=False),
            sa.Column("worker_id", ID, nullable=False),
            sa.Column("programme_id", ID, nullable=False),
            sa.Column("session_code", sa.String(length=20), nullable=False),
            sa.Column("attended_on", sa.Date(), nullable=False),
            sa.Column("recorded_at", WHEN, nullable=False),
            pk=("attendance_id",))
    op.create_index("ix_rm_attendances_0", "rm_attendances", ["gen", "worker_id", "attended_on"])
    _create("rm_register_portfolios",
            sa.Column("portfolio_id", ID, nullable=False),
            sa.Column("worker_id", ID, nullable=False),
            pk=("portfolio_id",))


def downgrade() -> None:
    op.drop_index("ix_rm_attendances_0", table_name="rm_attendances")
    for name in ("rm_register_portfolios", "rm_attendances", "rm_accreditations", "rm_programme_sessions",
                 "rm_programmes"):
        op.drop_table(name)
