"""E-mail for notifications, when PORTFOLIO_SMTP_URL is set. Sent by `portfolio notifications send`
(run it from a timer), never in a web request: a slow or absent mail server cannot delay a page.

PORTFOLIO_SMTP_URL = smtp://[user:password@]host[:port]?to=…&from=…[&base=…][&starttls=1]
  to    the recipient address pattern, with {username}: e.g. {username}@example.org. Accounts hold
        no e-mail address (the organisation's directory does), so mail goes to the address the
        organisation gives each username.
  from  the sender address; base  the site's address, to make links absolute.

The message says what happened and links to it; it never holds private text (feedback, reasons,
titles) and no names, only the competence code and level. Each attempt is recorded per
notification: a failure is logged and retried on the next run, up to MAX_ATTEMPTS; what was given
up on stays listed by the command, never dropped silently. Only notifications newer than
RECENT are mailed, so switching mail on does not send the whole history.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import and_, func, insert, or_, select, update

from portfolio.config import ConfigError
from portfolio.domain import clock
from portfolio.projections.inbox import _gen
from portfolio.projections.notification_tables import notification_mail, notifications

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RECENT = timedelta(days=7)
SUBJECTS = {"requested": "A sign-off request is waiting for you", "approved": "Your sign-off was approved",
            "returned": "Your sign-off request was returned with feedback", "revoked": "Your sign-off was revoked",
            "due": "A level of use is coming due", "overdue": "A level of use is overdue",
            "erasure_requested": "Someone asked for their record to be erased",
            "erasure_declined": "Your erasure request was declined"}
WHAT = {"requested": "A worker you supervise asked for sign-off of {c} ({lv}).",
        "approved": "Your sign-off of {c} ({lv}) was approved.",
        "returned": "Your sign-off request for {c} ({lv}) was returned with feedback.",
        "revoked": "Your sign-off of {c} ({lv}) was revoked.",
        "erasure_requested": "A person asked for their record to be erased; an organisation admin decides.",
        "erasure_declined": "An organisation admin declined your erasure request; the reason is on the page."}
DUE_WHAT = "{whose}{stage} ({lv}) {verb} on {on}: {n} level{s} still missing."


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    to: str
    sender: str
    base: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def parse(cls, url: str) -> "Smtp":
        parts = urlsplit(url)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.scheme != "smtp" or not parts.hostname:
            raise ConfigError("PORTFOLIO_SMTP_URL: use smtp://host:port?to={username}@example.org&from=…")
        if "{username}" not in q.get("to", "") or "@" not in q.get("from", ""):
            raise ConfigError("PORTFOLIO_SMTP_URL: needs to=<pattern with {username}> and from=<address>")
        try:
            port = parts.port or 25
        except ValueError:
            raise ConfigError("PORTFOLIO_SMTP_URL: the port is not a number") from None
        return cls(host=parts.hostname, port=port, to=q["to"], sender=q["from"], base=q.get("base", "").rstrip("/"),
                   user=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   starttls=q.get("starttls") in ("1", "true", "yes"))


@dataclass(frozen=True)
class Report:
    sent: int
    failed: int  # will be tried again
    given_up: int  # MAX_ATTEMPTS reached: listed, not retried


def link(row) -> str:
    if row.kind == "requested":
        return f"/supervise#req-{row.request_id}"
    if row.kind in ("due", "overdue") and row.recipient_id != row.worker_id:
        return f"/supervise/workers/{row.worker_id}/summary"
    if row.kind == "erasure_requested":
        return f"/org/accounts/{row.worker_id}"
    if row.kind == "erasure_declined":
        return "/me/erasure"
    return "/me"


def what(row, stage_names: dict[str, str]) -> str:
    levels = row.levels.replace(",", ", ")
    if row.kind not in ("due", "overdue"):
        return WHAT[row.kind].format(c=row.competence, lv=levels)
    return DUE_WHAT.format(whose="" if row.recipient_id == row.worker_id else "For a worker you supervise: ",
                           stage=stage_names.get(row.stage, row.stage), lv=levels, n=row.missing,
                           s="" if row.missing == 1 else "s", verb="was due" if row.kind == "overdue" else "is due",
                           on=f"{row.due_on.day} {row.due_on:%B %Y}")


def message(row, smtp: Smtp, username: str, stage_names: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"Portfolio: {SUBJECTS[row.kind]}"
    msg["From"], msg["To"] = smtp.sender, smtp.to.format(username=username)
    msg.set_content(f"{what(row, stage_names or {})}\n"
                    f"When: {row.at.strftime('%Y-%m-%d %H:%M')} UTC\n\n"
                    f"Open it: {smtp.base}{link(row)}\n\n"
                    "Sign in to see it; this message holds no text from the portfolio.\n")
    return msg


def send_pending(runtime, url: str) -> Report:
    smtp = Smtp.parse(url)
    runtime.projector.catch_up("notifications")
    n, m, now = notifications, notification_mail, clock.now()
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(n, m.c.attempts).select_from(
            n.outerjoin(m, m.c.notification_id == n.c.notification_id)).where(
            n.c.gen == _gen(conn), n.c.at >= now - RECENT, m.c.sent_at.is_(None),
            or_(m.c.attempts.is_(None), m.c.attempts < MAX_ATTEMPTS)).order_by(n.c.at)).all()
        given_up = conn.execute(select(func.count()).select_from(m).where(
            m.c.sent_at.is_(None), m.c.attempts >= MAX_ATTEMPTS)).scalar_one()
    sent = failed = 0
    client = None
    stage_names = {i["code"]: i.get("title", i["code"]) for i in runtime.app.framework_document("levels-of-use")["items"]}
    for row in rows:
        error = None
        try:
            person = runtime.app.person(row.recipient_id)
            if person.erased_at is not None or not person.active:
                error = "the recipient's account is closed"
            else:
                if client is None:
                    client = _connect(smtp)
                client.send_message(message(row, smtp, person.username, stage_names))
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried, never lost
            error = f"{type(exc).__name__}: {exc}"[:500]
            client = _quit(client)
        if error:
            log.warning("notification %s not mailed: %s", row.notification_id, error)
        _record(runtime.engine, row.notification_id, row.attempts, error)
        sent, failed = sent + (error is None), failed + (error is not None)
    _quit(client)
    return Report(sent=sent, failed=failed, given_up=given_up)


def _connect(smtp: Smtp) -> smtplib.SMTP:
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=10)
    if smtp.starttls:
        client.starttls()
    if smtp.user:
        client.login(smtp.user, smtp.password or "")
    return client


def _quit(client) -> None:
    if client is not None:
        try:
            client.quit()
        except Exception:  # noqa: BLE001 - already broken
            pass
    return None


def _record(engine, nid: str, attempts: int | None, error: str | None) -> None:
    m, now = notification_mail, clock.now()
    values = {"sent_at": now if error is None else None, "attempts": (attempts or 0) + 1, "last_error": error,
              "tried_at": now}
    with engine.begin() as conn:
        if attempts is None:
            conn.execute(insert(m).values(notification_id=nid, **values))
        else:
            conn.execute(update(m).where(and_(m.c.notification_id == nid)).values(**values))
