"""`portfolio org settings` and `portfolio notifications due` on both backends."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portfolio.cli import cli


@pytest.fixture
def run(settings, org):
    env = {"PORTFOLIO_INSTANCE_PATH": str(settings.instance_path), "PORTFOLIO_MASTER_KEY": settings.master_key_text}
    if settings.backend == "postgres":
        env["PORTFOLIO_DATABASE_URL"] = settings.database_url

    def _run(*args: str, ok: bool = True):
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result
    return _run


def one_error_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, result.output
    return lines[0]


def test_settings_show_change_and_record_who(run, app, org, at):
    assert "due_warning_days = 60\nsupervision_every_days = 28" in run("org", "settings").output
    with at("2024-03-01"):
        out = run("org", "settings", "--due-warning-days", "30", "--supervision-every-days", "14",
                  "--by", "ada").output
    assert "Changed: due_warning_days 60 -> 30, supervision_every_days 28 -> 14" in out
    assert "No change" in run("org", "settings", "--due-warning-days", "30").output
    assert [(h["by"], h["changes"]) for h in app.organisation().history] == [
        (str(org["ada"]), {"due_warning_days": [60, 30], "supervision_every_days": [28, 14]})]


@pytest.mark.parametrize("args, words", [
    (("--due-warning-days", "0"), "due_warning_days: must be between 1 and 365"),
    (("--supervision-every-days", "often"), "supervision_every_days: 'often' is not a whole number"),
    (("--due-warning-days", "30", "--by", "sam"), "only an organisation admin"),
    (("--due-warning-days", "30", "--by", "nobody"), "no account named 'nobody'"),
])
def test_bad_settings_are_one_error_line(run, app, args, words):
    assert words in one_error_line(run("org", "settings", *args, ok=False))
    assert app.organisation() is None


def test_notifications_due_is_idempotent(run, at):
    with at("2023-02-01"):  # wendy's Essential falls due on 2023-04-02: inside the 60 days
        assert "1 new notice(s), 0 already recorded" in run("notifications", "due").output
        assert "0 new notice(s), 1 already recorded" in run("notifications", "due").output
