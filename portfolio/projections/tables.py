"""Read-model tables. Every row carries `gen`, the generation of its projection: a rebuild fills
generation N+1 beside the live generation N, then switches in one transaction.

Personal text stays ciphertext here (columns ending in `_sealed`); it is opened only when a
permitted reader views one item. Text that old events held in clear is never copied here (the
`_sealed` column is then empty).
"""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Index, Integer, Numeric, String, Table,
                        Text, TypeDecorator)

from portfolio.db import metadata

ID = String(36)


class UTCDateTime(TypeDecorator):
    """Timezone-aware in and out on every backend (SQLite would hand back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def _table(name: str, *columns, indexes: tuple = ()) -> Table:
    # WITHOUT ROWID: on SQLite the primary key is then the table's own B-tree, one less per insert.
    table = Table(name, metadata, Column("gen", Integer, primary_key=True), *columns, sqlite_with_rowid=False)
    for n, cols in enumerate(indexes):
        Index(f"ix_{name}_{n}", *(table.c[c] for c in ("gen", *cols)))
    return table


# Machinery: how far each projection generation has read, and which generation is live.
projection_tracking = Table(
    "projection_tracking", metadata,
    Column("name", String(40), primary_key=True),
    Column("gen", Integer, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
projection_active = Table(
    "projection_active", metadata,
    Column("name", String(40), primary_key=True),
    Column("gen", Integer, nullable=False),
)

# --- people -----------------------------------------------------------------------------------
people = _table(
    "rm_people",
    Column("person_id", ID, primary_key=True),
    Column("username", String(80), nullable=False),
    Column("name_sealed", Text, nullable=False),
    Column("roles", String(120), nullable=False),  # comma-separated account roles
    Column("joined_on", Date, nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
    Column("erased_at", UTCDateTime()),  # after erasure only the structure remains
)
positions = _table(
    "rm_positions",
    Column("person_id", ID, primary_key=True),
    Column("starts_on", Date, primary_key=True),
    Column("position", String(40), nullable=False),
    Column("induction_days", Integer, nullable=False),
)
leave = _table(  # periods of leave or career breaks: a kind and dates, never a reason
    "rm_leave",
    Column("leave_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("recorded_by", ID, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    indexes=(("person_id",),),
)
assignments = _table(
    "rm_assignments",
    Column("worker_id", ID, primary_key=True),
    Column("supervisor_id", ID, primary_key=True),
    Column("starts_on", Date, primary_key=True),
    Column("ends_on", Date),
    indexes=(("supervisor_id",),),
)

# --- portfolio items --------------------------------------------------------------------------
portfolios = _table(  # portfolio id -> worker id (later portfolio events name only the portfolio)
    "rm_portfolios",
    Column("portfolio_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
)
trainings = _table(
    "rm_trainings",
    Column("training_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("title_sealed", Text),
    Column("provider_sealed", Text),
    Column("held_on", Date, nullable=False),
    Column("hours", Numeric(7, 2), nullable=False),
    Column("delivery", String(20), nullable=False),
    Column("elements", String(400), nullable=False),
    Column("accredited", Boolean, nullable=False),
    Column("accredited_by_sealed", Text),
    Column("over_four_hours", Boolean, nullable=False),
    indexes=(("worker_id",),),
)
supervisions = _table(
    "rm_supervisions",
    Column("supervision_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("supervisor_id", ID, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("orientation", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("topics_sealed", Text),  # a JSON list, sealed
    Column("actions_sealed", Text, nullable=False),
    Column("notes_sealed", Text, nullable=False),
    Column("exposure", String(20), nullable=False),
    indexes=(("worker_id", "held_on"),),
)
reflections = _table(
    "rm_reflections",
    Column("reflection_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("template", String(20), nullable=False),
    Column("title_sealed", Text, nullable=False),
    Column("competences", String(400), nullable=False),
    Column("tags", Text, nullable=False, server_default=""),  # "who-roles:ROLE-1,core-clusters:C2"
    Column("versions", Integer, nullable=False),
    Column("exposure", String(20), nullable=False),
    Column("written_at", UTCDateTime(), nullable=False),
    Column("amended_at", UTCDateTime()),
    Column("exposure_changed_at", UTCDateTime()),
    indexes=(("worker_id",),),
)
evidence = _table(
    "rm_evidence",
    Column("evidence_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("title_sealed", Text),
    Column("kind", String(40), nullable=False),
    Column("claims", String(600), nullable=False),  # "REL-1:Basic,REL-2:Basic"
    Column("framework_version", String(20), nullable=False),
    Column("has_file", Boolean, nullable=False),
    Column("links", Text, nullable=False),  # ids of the training/supervision/reflection documented
    Column("tags", Text, nullable=False, server_default=""),  # as on rm_reflections
    Column("exposure", String(20), nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
    indexes=(("worker_id",),),
)
goals = _table(
    "rm_goals",
    Column("goal_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("text_sealed", Text, nullable=False),
    Column("competences", String(400), nullable=False),
    Column("due_on", Date),
    Column("status", String(20), nullable=False),
    Column("commitment", Integer),
    Column("set_at", UTCDateTime(), nullable=False),
    Column("reviewed_at", UTCDateTime()),
    Column("exposure", String(20), nullable=False),
    Column("exposure_changed_at", UTCDateTime()),
    Column("note_sealed", Text),  # the latest review's note
    indexes=(("worker_id",),),
)

# --- sign-off ---------------------------------------------------------------------------------
requests = _table(
    "rm_sign_off_requests",
    Column("request_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("competence", String(40), nullable=False),
    Column("levels", String(60), nullable=False),  # "Basic" or "Basic,Intermediate"
    Column("evidence_ids", Text, nullable=False),  # comma-separated
    Column("evidence_count", Integer, nullable=False),
    Column("framework_id", String(60), nullable=False),
    Column("framework_version", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("decided_by", ID),
    Column("decided_role", String(20)),
    Column("feedback_sealed", Text),
    Column("closed_at", UTCDateTime()),  # withdrawn or revoked
    Column("revoked_by", ID),
    Column("revoked_role", String(20)),
    Column("reason_sealed", Text),
    indexes=(("worker_id", "competence"), ("status",)),
)
matrix = _table(
    "rm_matrix",
    Column("worker_id", ID, primary_key=True),
    Column("competence", String(40), primary_key=True),
    Column("level", String(20), primary_key=True),
    Column("state", String(20), nullable=False),  # requested / returned / signed / revoked / withdrawn
    Column("request_id", ID, nullable=False),
    Column("since", UTCDateTime(), nullable=False),
    Column("signed_by", ID),
    Column("evidence_count", Integer, nullable=False),
    Column("framework_version", String(20), nullable=False),
)

# --- timeline ---------------------------------------------------------------------------------
timeline = _table(  # keyed in reading order: a worker's page is one range of the key
    "rm_timeline",
    Column("worker_id", ID, primary_key=True),
    Column("at", UTCDateTime(), primary_key=True),
    Column("originator_id", ID, primary_key=True),
    Column("originator_version", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("item_id", ID),
    Column("label", String(300), nullable=False),  # metadata only (kind, dates, codes), never personal text
    Column("title_sealed", Text),  # the item's title, for its owner's view
)

READ_MODEL_TABLES = (people, positions, leave, assignments, portfolios, trainings, supervisions, reflections, evidence, goals,
                     requests, matrix, timeline)
