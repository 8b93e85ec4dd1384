"""Read-model tables of the training register and the attendance recorded against it.

Programme text is organisation data (not sealed). Attendance rows name only the programme, the
session code and the day: what a session covers is joined from the register when read.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Numeric, String, Text

from portfolio.projections.tables import ID, UTCDateTime, _table

programmes = _table(
    "rm_programmes",
    Column("programme_id", ID, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("provider", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("admission_criteria", Text, nullable=False),
    Column("source", String(120), nullable=False),  # framework id and version of a built-in programme
    Column("registered_by", ID),  # None: loaded by `portfolio init`
    Column("registered_at", UTCDateTime(), nullable=False),
)
programme_sessions = _table(
    "rm_programme_sessions",
    Column("programme_id", ID, primary_key=True),
    Column("code", String(20), primary_key=True),
    Column("position", String(10), nullable=False),  # zero-padded order of adding
    Column("title", String(200), nullable=False),
    Column("hours", Numeric(5, 2)),  # None: duration not stated
    Column("competences", String(600), nullable=False),
    Column("elements", String(400), nullable=False),
    Column("over_four_hours", Boolean, nullable=False),
    Column("changed_by", ID),
    Column("changed_at", UTCDateTime(), nullable=False),
)
accreditations = _table(
    "rm_accreditations",
    Column("programme_id", ID, primary_key=True),
    Column("starts_on", Date, primary_key=True),
    Column("institution", String(200), nullable=False),
    Column("ends_on", Date),
    Column("recorded_by", ID),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("ended_by", ID),
    Column("ended_at", UTCDateTime()),
)
attendances = _table(
    "rm_attendances",
    Column("attendance_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
    Column("programme_id", ID, nullable=False),
    Column("session_code", String(20), nullable=False),
    Column("attended_on", Date, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    indexes=(("worker_id", "attended_on"),),
)
register_portfolios = _table(  # this projection's own portfolio -> worker map (it rebuilds on its own)
    "rm_register_portfolios",
    Column("portfolio_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
)

REGISTER_TABLES = (programmes, programme_sessions, accreditations, attendances, register_portfolios)
