"""Goals have an exposure tier like reflections and evidence, and the goals read model keeps the
latest review's sealed note. The portfolio projection's rows and tracking are reset, so it rebuilds
from the log on the next catch-up (the latest notes were not kept before).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Every table the portfolio projection writes (portfolio/projections/items.py).
PORTFOLIO_TABLES = ("rm_portfolios", "rm_trainings", "rm_supervisions", "rm_reflections", "rm_evidence",
                    "rm_goals", "rm_sign_off_requests", "rm_matrix", "rm_timeline")


def _reset() -> None:
    for table in PORTFOLIO_TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))
    op.execute(sa.text("DELETE FROM projection_tracking WHERE name = 'portfolio'"))


def upgrade() -> None:
    _reset()
    with op.batch_alter_table("rm_goals") as batch_op:
        # The default only fills the (emptied) table on SQLite, which refuses NOT NULL without one.
        batch_op.add_column(sa.Column("exposure", sa.String(length=20), nullable=False, server_default="private"))
        batch_op.add_column(sa.Column("exposure_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("note_sealed", sa.Text(), nullable=True))


def downgrade() -> None:
    _reset()
    with op.batch_alter_table("rm_goals") as batch_op:
        for name in ("note_sealed", "exposure_changed_at", "exposure"):
            batch_op.drop_column(name)
