"""Leave and career breaks on record (they move due dates of the levels of use).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.String(length=36)


def upgrade() -> None:
    op.create_table(
        "rm_leave",
        sa.Column("gen", sa.Integer(), nullable=False),
        sa.Column("leave_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("gen", "leave_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_rm_leave_0", "rm_leave", ["gen", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_rm_leave_0", table_name="rm_leave")
    op.drop_table("rm_leave")
