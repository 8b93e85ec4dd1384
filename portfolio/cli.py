"""The `portfolio` command. Bad input prints one clear line and exits non-zero, never a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from portfolio.config import ConfigError, Settings
from portfolio.crypto import KeyUnavailable
from portfolio.domain.errors import DomainError
from portfolio.frameworks import catalogue
from portfolio.projections.base import ProjectionError
from portfolio.transfer import TransferError

EXPECTED = (DomainError, ConfigError, catalogue.FrameworkFileError, TransferError, KeyUnavailable, OSError,
            ProjectionError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class PortfolioGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except EXPECTED as exc:
            raise click.ClickException(_one_line(exc)) from None
        except Exception as exc:  # noqa: BLE001 - one line, not a traceback, unless debugging
            if os.environ.get("PORTFOLIO_DEBUG"):
                raise
            raise click.ClickException(f"unexpected {type(exc).__name__}: {_one_line(exc)} "
                                       f"(set PORTFOLIO_DEBUG=1 to see details)") from None


def _settings() -> Settings:
    return Settings.from_env()


def _runtime():
    from portfolio.runtime import open_runtime

    return open_runtime(_settings())


@click.group(cls=PortfolioGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Competency portfolio for mental-health peer support workers.

    Configuration: PORTFOLIO_DATABASE_URL (default: SQLite in ./instance), PORTFOLIO_MASTER_KEY,
    PORTFOLIO_SECRET_KEY, PORTFOLIO_INSTANCE_PATH.
    """


@cli.command()
def init() -> None:
    """Create the stores, run migrations and record the built-in frameworks."""
    from portfolio.runtime import init_instance

    settings = _settings()
    runtime, generated, loaded = init_instance(settings)
    with runtime:
        if generated:
            click.echo(f"Generated a master key into {settings.master_key_file} (keep it safe and private: "
                       f"without it no personal text can be read; or set PORTFOLIO_MASTER_KEY).")
        where = settings.sqlite_path if settings.backend == "sqlite" else "PostgreSQL"
        click.echo(f"Stores ready ({where}); frameworks recorded: "
                   + (", ".join(f"{f} v{v}" for f, v in loaded) or "none new"))


@cli.command()
@click.option("--workers", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--supervisors", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 5))
@click.option("--seed", default=7, show_default=True, help="Random seed: the same seed gives the same story.")
def demo(workers: int, supervisors: int, years: int, seed: int) -> None:
    """Load a believable demo organisation (runs init first if needed)."""
    from portfolio.demo import build_demo, demo_logins
    from portfolio.runtime import init_instance

    settings = _settings()
    runtime, generated, _ = init_instance(settings)
    with runtime:
        if generated:
            click.echo(f"Generated a master key into {settings.master_key_file}.")
        if runtime.app.has_people():
            click.echo("This instance already has people in it, so the demo was not loaded again "
                       "(remove the instance folder, or use another database, for a fresh demo).")
            return
        summary = build_demo(runtime.app, workers=workers, supervisors=supervisors, years=years, seed=seed)
        logins = demo_logins(runtime.app)
        runtime.projector.catch_up_all()  # read models ready before the first page is served
    click.echo(summary)
    click.echo(logins)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web app."""
    from portfolio.web import create_app

    create_app(_settings()).run(host=host, port=port)


@cli.group()
def frameworks() -> None:
    """List, show and load frameworks."""


@frameworks.command("list")
def frameworks_list() -> None:
    with _runtime() as rt:
        for fw in sorted(rt.app.frameworks(), key=lambda f: f.framework_id):
            doc = fw.document()
            click.echo(f"{fw.framework_id:<22} v{fw.current:<4} {doc['kind']:<21} {len(doc['items']):>3} items  "
                       f"{doc['title']}  (versions: {', '.join(fw.versions)})")


@frameworks.command("show")
@click.argument("framework_id")
@click.option("--version", "version", default=None, help="A past version (default: the current one).")
def frameworks_show(framework_id: str, version: str | None) -> None:
    with _runtime() as rt:
        doc = rt.app.framework_document(framework_id, version)
    src = doc["source"]
    click.echo(f"{doc['title']} — {doc['id']} v{doc['version']} ({doc['kind']}); source {src.get('file')} "
               f"lines {src.get('lines')}")
    for item in doc["items"]:
        click.echo(f"\n{item['code']}  {item.get('group', '')} {item.get('title', '')}".rstrip())
        for level, statement in item.get("statements", {}).items():
            click.echo(f"  {level}: {statement}")
        if item.get("text"):
            click.echo(f"  {item['text']}")
        for bullet in item.get("bullets", []):
            click.echo(f"  - {bullet}")


@frameworks.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def frameworks_load(path: Path) -> None:
    """Validate FILE (YAML or JSON) and record it as a new framework version."""
    doc = catalogue.read_file(path)
    with _runtime() as rt:
        fid, version = rt.app.load_framework(doc)
    click.echo(f"Loaded {fid} v{version} ({len(doc['items'])} items).")


@cli.group()
def users() -> None:
    """Accounts."""


@users.command("create-admin")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown to others.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create_admin(username: str, display_name: str, password_stdin: bool) -> None:
    """Create the first organisation admin (it can then create every other account)."""
    from portfolio.passwords import hash_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password_hash = hash_password(password, username.strip().lower())  # refused before anything is written
    with _runtime() as rt:
        pid = rt.app.register_person(username, display_name, ["org_admin"])
        rt.app.set_password_hash(pid, password_hash)
    click.echo(f"Created organisation admin {username.strip().lower()}.")


@users.command("temporary-password")
@click.argument("username")
def users_temporary_password(username: str) -> None:
    """Give a locked-out account (say, the only admin's) a random password, shown once here. It must be
    changed at first sign-in, and every session of the account ends. Admins can instead make a
    set-password link on the account's page, which nobody but the person ever sees used."""
    with _runtime() as rt:
        password = rt.app.set_temporary_password(rt.app.find_username(username))
    click.echo(f"Temporary password for {username.strip().lower()}: {password}")
    click.echo("It works until they sign in, when they must choose their own.")


@users.command("leave")
@click.argument("username")
@click.option("--kind", type=click.Choice(["leave", "career break"]), default="leave", show_default=True)
@click.option("--from", "starts_on", required=True, help="First day away (YYYY-MM-DD).")
@click.option("--to", "ends_on", default=None, help="Last day away (YYYY-MM-DD); leave out if not known yet.")
@click.option("--by", "by", required=True, help="Username of the organisation admin or current supervisor.")
def users_leave(username: str, kind: str, starts_on: str, ends_on: str | None, by: str) -> None:
    """Record a period of leave or a career break: the levels-of-use due dates move on by the days away.
    No reason is kept (it may be health-related)."""
    with _runtime() as rt:
        leave_id = rt.app.record_leave(rt.app.find_username(username), kind, starts_on, ends_on,
                                       by=rt.app.find_username(by))
        rt.projector.catch_up_all()
    click.echo(f"Recorded {kind} for {username.strip().lower()} from {starts_on}"
               + (f" to {ends_on}" if ends_on else ", no end date yet") + f" (id {leave_id}).")


@users.command("leave-list")
@click.argument("username")
def users_leave_list(username: str) -> None:
    """The leave and career breaks on record for a person, with their ids (to withdraw one)."""
    with _runtime() as rt:
        rows = rt.app.person(rt.app.find_username(username)).leave_on_record()
    for lv in rows:
        click.echo(f"{lv['leave_id']}  {lv['kind']:<12} {lv['starts_on']} to {lv['ends_on'] or '(no end date)'}")
    if not rows:
        click.echo("No leave or career break on record.")


@users.command("leave-withdraw")
@click.argument("username")
@click.argument("leave_id")
@click.option("--by", "by", required=True, help="Username of the organisation admin or current supervisor.")
def users_leave_withdraw(username: str, leave_id: str, by: str) -> None:
    """Withdraw a leave record entered by mistake (a correction: the record stays in the log)."""
    with _runtime() as rt:
        rt.app.withdraw_leave(rt.app.find_username(username), leave_id, by=rt.app.find_username(by))
        rt.projector.catch_up_all()
    click.echo(f"Withdrew leave {leave_id} of {username.strip().lower()}.")


@users.command("erase")
@click.argument("username")
@click.option("--by", "admin", required=True, help="Username of the organisation admin carrying it out.")
@click.option("--reference", required=True, help="The recorded request this erasure answers.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def users_erase(username: str, admin: str, reference: str, yes: bool) -> None:
    """Erase a person's personal text and files by destroying their data key (cannot be undone)."""
    with _runtime() as rt:
        person_id = rt.app.find_username(username)
        admin_id = rt.app.find_username(admin)
        if not yes:
            click.confirm(f"Erase {username}? Every text and file of theirs becomes unreadable for good", abort=True)
        rt.app.erase_worker(person_id, admin_id, reference)
        rt.projector.catch_up_all()
    click.echo(f"Erased {username}: their data key is destroyed; levels, dates and sign-offs remain.")


@cli.group()
def projections() -> None:
    """Read models: status, and rebuild from the log."""


@projections.command("status")
def projections_status() -> None:
    """Position and lag of each projection."""
    with _runtime() as rt:
        for s in rt.projector.status():
            click.echo(f"{s.name:<10} generation {s.generation:<3} position {s.position:<8} head {s.head:<8} "
                       f"lag {s.lag}")


@projections.command("rebuild")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    """Rebuild NAME (or all) from zero beside the live tables, then switch over."""
    from tqdm import tqdm

    with _runtime() as rt:
        names = [name] if name else list(rt.projector.projections)
        for n in names:
            rt.projector._projection(n)  # unknown names fail before any work starts
        total = rt.app.recorder.max_notification_id() or 0
        with tqdm(total=total, desc=f"Rebuilding {', '.join(names)}", unit="event", file=sys.stderr,
                  disable=None) as bar:
            statuses = rt.projector.rebuild(names, bar.update)
        for status in statuses:
            click.echo(f"Rebuilt {status.name}: generation {status.generation}, position {status.position}.")


@cli.group()
def notifications() -> None:
    """Notifications: mail the new ones (PORTFOLIO_SMTP_URL)."""


@notifications.command("send")
def notifications_send() -> None:
    """Mail notifications not yet sent; failures are retried on the next run (run it from a timer)."""
    from portfolio.mail import send_pending

    settings = _settings()
    if not settings.smtp_url:
        raise click.ClickException("PORTFOLIO_SMTP_URL is not set: nothing is mailed")
    with _runtime() as rt:
        report = send_pending(rt, settings.smtp_url)
    click.echo(f"Sent {report.sent}, failed {report.failed} (tried again next run), "
               f"given up {report.given_up}.")
    if report.failed:
        sys.exit(1)


@notifications.command("due")
def notifications_due() -> None:
    """Record a notice for each level of use coming due within the warning window, or overdue: once per
    worker, stage and due date, so it is safe to run daily (cron). The inbox and `send` take them up."""
    from portfolio.domain import clock
    from portfolio.levels_due import record_notices

    day = clock.today()
    with _runtime() as rt:
        new, old = record_notices(rt.app, rt.read_models(), day)
        rt.projector.catch_up("notifications")
    click.echo(f"Levels of use coming due on {day.isoformat()}: {new} new notice(s), {old} already recorded.")


@cli.group()
def org() -> None:
    """The organisation's settings."""


@org.command("settings")
@click.option("--due-warning-days", help="Warn this many days before a level of use falls due (1-365).")
@click.option("--supervision-every-days", help="Next supervision this many days after the last (7-182).")
@click.option("--by", "admin", default=None, help="Username of the organisation admin making the change.")
def org_settings(due_warning_days: str | None, supervision_every_days: str | None, admin: str | None) -> None:
    """Show the settings and their history; with options, change them (each change is recorded)."""
    values = {k: v for k, v in (("due_warning_days", due_warning_days),
                                ("supervision_every_days", supervision_every_days)) if v is not None}
    with _runtime() as rt:
        if values:
            by = rt.app.find_username(admin) if admin else None
            changes = rt.app.change_org_settings(by, **values)
            click.echo("Changed: " + ", ".join(f"{k} {old} -> {new}" for k, (old, new) in changes.items())
                       if changes else "No change: the settings already have these values.")
        for name, value in rt.app.org_settings().items():
            click.echo(f"{name} = {value}")


@cli.group()
def events() -> None:
    """Export or import the event log (JSON lines, each line MAC'd with a key from the master key)."""


@events.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def events_export(path: Path) -> None:
    """Write every event to FILE. Keys are never exported: personal text stays ciphertext."""
    from tqdm import tqdm

    from portfolio.transfer import export_events

    with _runtime() as rt:
        total = rt.app.recorder.max_notification_id() or 0
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "w", encoding="utf-8") as out, tqdm(total=total, unit="event", file=sys.stderr,
                                                           disable=None) as bar:
            count = export_events(rt.app, out, rt.settings.master_key(), bar.update)
        tmp.replace(path)  # no half-written export under the real name
    click.echo(f"Exported {count} events to {path}.")


@events.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def events_import(path: Path) -> None:
    """Load FILE into a new, empty store (all or nothing). Needs the source instance's master key:
    a file it did not sign, or one changed since, is refused before anything is written."""
    from portfolio.runtime import open_runtime
    from portfolio.transfer import import_events

    settings = _settings()
    if settings.master_key_text is None and not settings.master_key_file.exists():
        # A new key could never check the file: say which key is needed instead of making one.
        raise click.ClickException(f"import needs the source instance's master key: set PORTFOLIO_MASTER_KEY "
                                   f"or copy its master.key to {settings.master_key_file}")
    with open_runtime(settings, create=True) as rt:
        count = import_events(rt.app, path, settings.master_key())
        rt.projector.catch_up_all()
    click.echo(f"Imported {count} events from {path}.")


def main() -> None:
    """Entry point: every error, usage errors included, is one line on stderr."""
    try:
        cli.main(prog_name="portfolio", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if getattr(exc, "ctx", None) else ""
        click.echo(f"Error: {_one_line(exc.format_message())}{hint}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
