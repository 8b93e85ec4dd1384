"""Read models of the projections (every row carries its projection generation `gen`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:20:03.795016
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('projection_active',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('projection_tracking',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', 'gen')
    )
    op.create_table('rm_assignments',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('supervisor_id', sa.String(length=36), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'worker_id', 'supervisor_id', 'starts_on'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_rm_assignments_0', ['gen', 'supervisor_id'], unique=False)

    op.create_table('rm_evidence',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('claims', sa.String(length=600), nullable=False),
    sa.Column('framework_version', sa.String(length=20), nullable=False),
    sa.Column('has_file', sa.Boolean(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('exposure', sa.String(length=20), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'evidence_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_rm_evidence_0', ['gen', 'worker_id'], unique=False)

    op.create_table('rm_goals',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('text_sealed', sa.Text(), nullable=False),
    sa.Column('competences', sa.String(length=400), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('commitment', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'goal_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_goals', schema=None) as batch_op:
        batch_op.create_index('ix_rm_goals_0', ['gen', 'worker_id'], unique=False)

    op.create_table('rm_matrix',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('competence', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_by', sa.String(length=36), nullable=True),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('framework_version', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'worker_id', 'competence', 'level'),
    sqlite_with_rowid=False
    )
    op.create_table('rm_people',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('name_sealed', sa.Text(), nullable=False),
    sa.Column('roles', sa.String(length=120), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'person_id'),
    sqlite_with_rowid=False
    )
    op.create_table('rm_portfolios',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('portfolio_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'portfolio_id'),
    sqlite_with_rowid=False
    )
    op.create_table('rm_positions',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('position', sa.String(length=40), nullable=False),
    sa.Column('induction_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'person_id', 'starts_on'),
    sqlite_with_rowid=False
    )
    op.create_table('rm_reflections',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('reflection_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('template', sa.String(length=20), nullable=False),
    sa.Column('title_sealed', sa.Text(), nullable=False),
    sa.Column('competences', sa.String(length=400), nullable=False),
    sa.Column('versions', sa.Integer(), nullable=False),
    sa.Column('exposure', sa.String(length=20), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exposure_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'reflection_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_reflections', schema=None) as batch_op:
        batch_op.create_index('ix_rm_reflections_0', ['gen', 'worker_id'], unique=False)

    op.create_table('rm_sign_off_requests',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('competence', sa.String(length=40), nullable=False),
    sa.Column('levels', sa.String(length=60), nullable=False),
    sa.Column('evidence_ids', sa.Text(), nullable=False),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.String(length=60), nullable=False),
    sa.Column('framework_version', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=36), nullable=True),
    sa.Column('decided_role', sa.String(length=20), nullable=True),
    sa.Column('feedback_sealed', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=36), nullable=True),
    sa.Column('revoked_role', sa.String(length=20), nullable=True),
    sa.Column('reason_sealed', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'request_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_sign_off_requests', schema=None) as batch_op:
        batch_op.create_index('ix_rm_sign_off_requests_0', ['gen', 'worker_id', 'competence'], unique=False)
        batch_op.create_index('ix_rm_sign_off_requests_1', ['gen', 'status'], unique=False)

    op.create_table('rm_supervisions',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('supervision_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('supervisor_id', sa.String(length=36), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('orientation', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('topics', sa.String(length=600), nullable=False),
    sa.Column('actions_sealed', sa.Text(), nullable=False),
    sa.Column('notes_sealed', sa.Text(), nullable=False),
    sa.Column('exposure', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'supervision_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_supervisions', schema=None) as batch_op:
        batch_op.create_index('ix_rm_supervisions_0', ['gen', 'worker_id', 'held_on'], unique=False)

    op.create_table('rm_timeline',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('originator_id', sa.String(length=36), nullable=False),
    sa.Column('originator_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'worker_id', 'at', 'originator_id', 'originator_version'),
    sqlite_with_rowid=False
    )
    op.create_table('rm_trainings',
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('delivery', sa.String(length=20), nullable=False),
    sa.Column('elements', sa.String(length=400), nullable=False),
    sa.Column('accredited', sa.Boolean(), nullable=False),
    sa.Column('accredited_by', sa.String(length=200), nullable=False),
    sa.Column('over_four_hours', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'training_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('rm_trainings', schema=None) as batch_op:
        batch_op.create_index('ix_rm_trainings_0', ['gen', 'worker_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('rm_trainings', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_trainings_0')

    op.drop_table('rm_trainings')
    op.drop_table('rm_timeline')
    with op.batch_alter_table('rm_supervisions', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_supervisions_0')

    op.drop_table('rm_supervisions')
    with op.batch_alter_table('rm_sign_off_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_sign_off_requests_1')
        batch_op.drop_index('ix_rm_sign_off_requests_0')

    op.drop_table('rm_sign_off_requests')
    with op.batch_alter_table('rm_reflections', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_reflections_0')

    op.drop_table('rm_reflections')
    op.drop_table('rm_positions')
    op.drop_table('rm_portfolios')
    op.drop_table('rm_people')
    op.drop_table('rm_matrix')
    with op.batch_alter_table('rm_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_goals_0')

    op.drop_table('rm_goals')
    with op.batch_alter_table('rm_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_evidence_0')

    op.drop_table('rm_evidence')
    with op.batch_alter_table('rm_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_rm_assignments_0')

    op.drop_table('rm_assignments')
    op.drop_table('projection_tracking')
    op.drop_table('projection_active')

