"""Notifications by e-mail, against a local SMTP server (aiosmtpd) on a free port, on both backends."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from click.testing import CliRunner

from portfolio.cli import cli
from portfolio.mail import MAX_ATTEMPTS, Smtp, send_pending

FEEDBACK = "FEEDBACKMARKER add more"
TITLE = "TITLEMARKER evidence"
DESCRIPTION = "DESCMARKER what I did"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(settings, smtp_url: str) -> dict[str, str]:
    env = {"PORTFOLIO_INSTANCE_PATH": str(settings.instance_path), "PORTFOLIO_MASTER_KEY": settings.master_key_text,
           "PORTFOLIO_SMTP_URL": smtp_url}
    if settings.backend == "postgres":
        env["PORTFOLIO_DATABASE_URL"] = settings.database_url
    return env


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            msg = message_from_bytes(envelope.content, policy=default)
            self.messages.append((envelope.rcpt_tos, msg["Subject"] + "\n" + msg.get_content()))
            return "250 OK"

    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}?to={{username}}@example.org&from=portfolio@example.org" \
                       f"&base=https://portfolio.example.org"
    finally:
        controller.stop()


@pytest.fixture
def story(app, org, at):
    w = org["wendy"]
    with at("2024-04-01"):
        ev = app.add_evidence(w, TITLE, "reflection", DESCRIPTION, [("REL-1", "Basic")])
        req = app.request_sign_off(w, "REL-1", "Basic", [ev])
        app.return_sign_off(w, req, org["sam"], FEEDBACK)
    return req


def test_each_new_notification_is_mailed_once_without_private_text(runtime, story, smtp_server, at):
    server, url = smtp_server
    with at("2024-04-02"):
        report = send_pending(runtime, url)
        assert (report.sent, report.failed) == (2, 0)
        assert send_pending(runtime, url).sent == 0  # never twice
    by_to = {tuple(to): body for to, body in server.messages}
    assert set(by_to) == {("sam@example.org",), ("wendy@example.org",)}
    assert "asked for sign-off of REL-1 (Basic)" in by_to[("sam@example.org",)]
    assert f"https://portfolio.example.org/supervise#req-{story}" in by_to[("sam@example.org",)]
    assert "returned with feedback" in by_to[("wendy@example.org",)]
    assert "Open it: https://portfolio.example.org/me\r\n" in by_to[("wendy@example.org",)]
    for _, body in server.messages:
        for marker in ("FEEDBACKMARKER", "TITLEMARKER", "DESCMARKER", "Wendy Worker", "Sam Supervisor"):
            assert marker not in body


def test_a_failure_is_recorded_and_retried(runtime, story, smtp_server, at):
    server, url = smtp_server
    dead = url.replace(url.split("//")[1].split("?")[0], f"127.0.0.1:{free_port()}")  # nobody listening
    with at("2024-04-02"):
        first = send_pending(runtime, dead)
        assert (first.sent, first.failed) == (0, 2)
        assert send_pending(runtime, url).sent == 2  # the next run delivers them
    assert len(server.messages) == 2


def test_after_max_attempts_it_is_given_up_and_counted(runtime, story, smtp_server, at):
    server, url = smtp_server
    dead = url.replace(url.split("//")[1].split("?")[0], f"127.0.0.1:{free_port()}")
    with at("2024-04-02"):
        for _ in range(MAX_ATTEMPTS):
            send_pending(runtime, dead)
        report = send_pending(runtime, url)
    assert (report.sent, report.given_up) == (0, 2) and server.messages == []


def test_bad_smtp_url_is_one_clear_error():
    from portfolio.config import ConfigError

    for url in ("http://x", "smtp://h:25?from=a@b", "smtp://h:25?to=x@y&from=a@b", "smtp://h:x?to={username}@y&from=a@b"):
        with pytest.raises(ConfigError, match="PORTFOLIO_SMTP_URL"):
            Smtp.parse(url)


def test_cli_sends_and_reports(settings, runtime, story, smtp_server, at):
    server, url = smtp_server
    env = cli_env(settings, url)
    with at("2024-04-02"):
        result = CliRunner().invoke(cli, ["notifications", "send"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0" in result.output and len(server.messages) == 2
    result = CliRunner().invoke(cli, ["notifications", "send"], env={**env, "PORTFOLIO_SMTP_URL": ""})
    assert result.exit_code != 0 and "PORTFOLIO_SMTP_URL is not set" in result.output


def test_a_level_coming_due_is_mailed_to_worker_and_supervisor_once(settings, runtime, org, smtp_server, at):
    server, url = smtp_server
    env = cli_env(settings, url)
    with at("2023-02-01"):  # wendy's Essential falls due on 2023-04-02
        for _ in range(2):  # a daily cron line run twice: one notice, one mail each
            assert CliRunner().invoke(cli, ["notifications", "due"], env=env).exit_code == 0
            result = CliRunner().invoke(cli, ["notifications", "send"], env=env, catch_exceptions=False)
            assert result.exit_code == 0, result.output
    by_to = {tuple(to): body for to, body in server.messages}
    assert len(server.messages) == 2 and set(by_to) == {("sam@example.org",), ("wendy@example.org",)}
    assert "Essential (Basic) is due on 2 April 2023: 11 levels still missing." in by_to[("wendy@example.org",)]
    assert "Open it: https://portfolio.example.org/me\r\n" in by_to[("wendy@example.org",)]
    sam = by_to[("sam@example.org",)]
    assert "For a worker you supervise: Essential (Basic) is due on 2 April 2023" in sam
    assert f"https://portfolio.example.org/supervise/workers/{org['wendy']}/summary" in sam
    for _, body in server.messages:
        assert "Wendy Worker" not in body and "Sam Supervisor" not in body and "A level of use is coming due" in body
