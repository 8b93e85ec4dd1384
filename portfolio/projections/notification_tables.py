"""Tables of the notifications projection (per generation) and of what people did with them.

`notification_reads` and `notification_mail` are not read models: they hold user actions and
delivery state, which no event records, so they carry no generation and survive a rebuild (a
notification's id is derived from its event, so it is the same after a rebuild). Marking read is
not an event: it says nothing about anyone's portfolio, and the log keeps facts for good, while
read marks are disposable inbox state.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Text

from portfolio.db import metadata
from portfolio.projections.tables import ID, UTCDateTime, _table

NOTIFICATION_ID = String(120)  # "<originator id>:<version>:<recipient id>", or "due:…" for computed ones

notifications = _table(
    "rm_notifications",
    Column("notification_id", NOTIFICATION_ID, primary_key=True),
    Column("recipient_id", ID, nullable=False),
    Column("kind", String(20), nullable=False),  # requested | approved | returned | revoked | due | overdue | erasure_…
    Column("worker_id", ID, nullable=False),
    Column("request_id", ID, nullable=False),
    Column("competence", String(40), nullable=False),
    Column("levels", String(60), nullable=False),
    Column("actor_id", ID),
    Column("at", UTCDateTime(), nullable=False),
    # a level of use coming due (kind due/overdue): competence is "", levels the level it needs,
    # request_id the notice's id
    Column("stage", String(40)),
    Column("due_on", Date),
    Column("missing", Integer),
    indexes=(("recipient_id", "at"),),
)
notify_portfolios = _table(
    "rm_notify_portfolios",
    Column("portfolio_id", ID, primary_key=True),
    Column("worker_id", ID, nullable=False),
)
notify_assignments = _table(
    "rm_notify_assignments",
    Column("worker_id", ID, primary_key=True),
    Column("supervisor_id", ID, primary_key=True),
    Column("starts_on", Date, primary_key=True),
    Column("ends_on", Date),
)
notify_requests = _table(
    "rm_notify_requests",
    Column("request_id", ID, primary_key=True),
    Column("competence", String(40), nullable=False),
    Column("levels", String(60), nullable=False),
)
notify_admins = _table(  # who holds the organisation admin role now (they hear of erasure requests)
    "rm_notify_admins",
    Column("person_id", ID, primary_key=True),
    Column("admin", Boolean, nullable=False),
)

notification_reads = Table(
    "notification_reads", metadata,
    Column("person_id", ID, primary_key=True),
    Column("notification_id", NOTIFICATION_ID, primary_key=True),
    Column("read_at", UTCDateTime(), nullable=False),
)
notification_mail = Table(  # one row per notification once mailing it was tried
    "notification_mail", metadata,
    Column("notification_id", NOTIFICATION_ID, primary_key=True),
    Column("sent_at", UTCDateTime()),  # None: not sent yet (see attempts and last_error)
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("tried_at", UTCDateTime(), nullable=False),
)
