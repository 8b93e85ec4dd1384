"""Training titles, providers and accrediting bodies, supervision topics and evidence titles are
sealed: the read models keep ciphertext columns instead of clear ones, and the timeline keeps its
label metadata-only with the item's sealed title beside it. The portfolio projection's rows and
tracking are reset, so it rebuilds from the log on the next catch-up (no clear text survives here).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Every table the portfolio projection writes (portfolio/projections/items.py).
PORTFOLIO_TABLES = ("rm_portfolios", "rm_trainings", "rm_supervisions", "rm_reflections", "rm_evidence",
                    "rm_goals", "rm_sign_off_requests", "rm_matrix", "rm_timeline")
CHANGES = {  # table: (clear columns dropped, sealed columns added)
    "rm_trainings": (("title", "provider", "accredited_by"),
                     ("title_sealed", "provider_sealed", "accredited_by_sealed")),
    "rm_supervisions": (("topics",), ("topics_sealed",)),
    "rm_evidence": (("title",), ("title_sealed",)),
    "rm_timeline": ((), ("title_sealed",)),
}


def _reset() -> None:
    """Empty the portfolio read models and forget how far they had read: they rebuild from the log."""
    for table in PORTFOLIO_TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))
    op.execute(sa.text("DELETE FROM projection_tracking WHERE name = 'portfolio'"))


def upgrade() -> None:
    _reset()  # the clear rows go before the columns change
    for table, (dropped, added) in CHANGES.items():
        with op.batch_alter_table(table) as batch_op:
            for name in dropped:
                batch_op.drop_column(name)
            for name in added:
                batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    _reset()
    lengths = {"title": 200, "provider": 200, "accredited_by": 200, "topics": 600}
    for table, (dropped, added) in CHANGES.items():
        with op.batch_alter_table(table) as batch_op:
            for name in added:
                batch_op.drop_column(name)
            for name in dropped:
                batch_op.add_column(sa.Column(name, sa.String(length=lengths[name]), nullable=False,
                                              server_default=""))
