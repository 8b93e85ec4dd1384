"""The `portfolio` command on both backends: happy paths, and one clear line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from portfolio.cli import cli
from portfolio.frameworks import catalogue


@pytest.fixture
def settings(blank_settings):
    """The command line is tested from before `portfolio init` on: an empty store."""
    return blank_settings


@pytest.fixture
def env(settings):
    e = {"PORTFOLIO_INSTANCE_PATH": str(settings.instance_path), "PORTFOLIO_MASTER_KEY": settings.master_key_text}
    if settings.backend == "postgres":
        e["PORTFOLIO_DATABASE_URL"] = settings.database_url
    return e


@pytest.fixture
def run(env):
    def _run(*args: str, ok: bool = True):
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return _run


def assert_one_line_error(result, *words: str) -> None:
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_init_generates_master_key_once(settings, tmp_path):
    env = {"PORTFOLIO_INSTANCE_PATH": str(tmp_path / "inst")}
    if settings.backend == "postgres":
        env["PORTFOLIO_DATABASE_URL"] = settings.database_url
    first = CliRunner().invoke(cli, ["init"], env=env)
    assert first.exit_code == 0, first.output
    assert "Generated a master key" in first.output and "worker-competences v1" in first.output
    assert (tmp_path / "inst" / "master.key").stat().st_mode & 0o077 == 0  # readable by the owner only
    again = CliRunner().invoke(cli, ["init"], env=env)
    assert again.exit_code == 0 and "Generated" not in again.output and "none new" in again.output


def test_demo_builds_a_believable_organisation(run, env, settings):
    result = run("demo")
    assert "3 supervisors, 20 peer workers" in result.output
    events = int(result.output.split(" events from ")[0].rsplit(" ", 1)[1])
    assert events >= 1000
    from portfolio.runtime import open_runtime

    with open_runtime(settings) as rt:
        people = rt.app.people()
        workers = [p for p in people if p.has_role("peer_worker")]
        assert len(workers) == 20 and sum(p.has_role("supervisor") for p in people) == 3
        spans = [(p.joined_on, rt.app.portfolio(p.id)) for p in workers]
        assert max(rt.app.stage_report(p.id).held or "" for p in workers)  # someone holds a stage
        statuses = {r["status"] for _, pf in spans for r in pf.requests.values()}
        assert {"approved", "returned", "open"} <= statuses
        assert min(j for j, _ in spans) <= rt.app.people()[0].joined_on  # history reaches back years
    again = run("demo")  # a second run leaves the instance as it is, so `demo && serve` can be re-run
    assert "not loaded again" in again.output


def test_frameworks_list_and_show(run):
    run("init")
    listing = run("frameworks", "list").output
    assert "worker-competences" in listing and "levels-of-use" in listing and "who-roles" in listing
    shown = run("frameworks", "show", "worker-competences").output
    assert "Can describe the concept of equality and its importance in peer support relationships." in shown
    assert_one_line_error(run("frameworks", "show", "no-such-thing", ok=False), "no-such-thing")


def test_frameworks_load_new_version_keeps_old(run, tmp_path):
    run("init")
    doc = next(d for d in catalogue.builtin_documents() if d["id"] == "worker-competences")
    changed = json.loads(json.dumps(doc))
    changed["version"] = "2"
    changed["items"][0]["statements"]["Basic"] += " (local wording)"
    path = tmp_path / "wc2.yaml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    assert "Loaded worker-competences v2" in run("frameworks", "load", str(path)).output
    assert "(local wording)" in run("frameworks", "show", "worker-competences").output
    assert "(local wording)" not in run("frameworks", "show", "worker-competences", "--version", "1").output
    assert_one_line_error(run("frameworks", "load", str(path), ok=False), "already loaded")


@pytest.mark.parametrize("content, words", [
    ("id: x\n", ["version", "Missing data"]),
    ("- just\n- a list\n", ["one mapping"]),
    ("id: [unclosed\n", ["not valid YAML"]),
    ("id: my-fw\nversion: '1'\ntitle: T\nkind: tags\nsource: {file: f.txt, lines: [1, 2]}\n"
     "items:\n  - {code: A}\n  - {code: A, text: t}\n  - {text: no code}\n",
     ["3 bad item(s)", "items[0] (A): text", "code: A is used twice", "items[2]: code"]),
    ("id: my-fw\nversion: '1'\ntitle: T\nkind: tags\nsource: {file: f.txt, lines: [1, 2]}\n"
     "items:\n  - {code: A, text: t}\npolicy: {x: {_type_: a, _data_: b}}\n", ["_type_ and _data_ is reserved"]),
    ("id: my-fw\nversion: '1'\ntitle: T\nkind: self-assessment\nsource: {file: f.txt, lines: [1, 2]}\n"
     "items:\n  - {code: A, text: t}\npolicy: {scale: [{code: yes, label: Yes}]}\n", ["policy: scale", "at least two"]),
])
def test_frameworks_load_rejects_bad_files(run, tmp_path, content, words):
    run("init")
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    assert_one_line_error(run("frameworks", "load", str(path), ok=False), *words)
    assert "my-fw" not in run("frameworks", "list").output


def test_events_export_import_round_trip(run, env, settings, tmp_path):
    run("demo", "--workers", "2", "--years", "1")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert "Exported" in run("events", "export", str(first)).output
    target = dict(env, PORTFOLIO_INSTANCE_PATH=str(tmp_path / "copy"))
    if settings.backend == "postgres":
        target["PORTFOLIO_DATABASE_URL"] = settings.database_url.rsplit("=", 1)[0] + "=copy_" + \
            settings.database_url.rsplit("=", 1)[1]
    imported = CliRunner().invoke(cli, ["events", "import", str(first)], env=target)
    assert imported.exit_code == 0 and "Imported" in imported.output, imported.output
    exported = CliRunner().invoke(cli, ["events", "export", str(second)], env=target)
    assert exported.exit_code == 0, exported.output
    events_of = lambda p: [{k: v for k, v in json.loads(ln).items() if k != "mac"}  # noqa: E731
                           for ln in p.read_text().splitlines()[1:]]
    assert events_of(first) == events_of(second)  # all but the header (its export time)
    again = CliRunner().invoke(cli, ["events", "import", str(first)], env=target)
    assert_one_line_error(again, "not empty")


def _copy_env(env, settings, tmp_path, name):
    target = dict(env, PORTFOLIO_INSTANCE_PATH=str(tmp_path / name))
    if settings.backend == "postgres":
        base, schema = settings.database_url.rsplit("=", 1)
        target["PORTFOLIO_DATABASE_URL"] = f"{base}={name}_{schema}"
    return target


def test_events_import_refuses_a_changed_file_in_one_line(run, env, settings, tmp_path):
    run("init")
    path = tmp_path / "a.jsonl"
    run("events", "export", str(path))
    lines = path.read_text().splitlines()
    record = json.loads(lines[2])
    record["originator_version"] += 1
    path.write_text("\n".join(lines[:2] + [json.dumps(record)] + lines[3:]) + "\n")
    target = _copy_env(env, settings, tmp_path, "copy")
    refused = CliRunner().invoke(cli, ["events", "import", str(path)], env=target)
    assert_one_line_error(refused, "line 3", "MAC does not match")
    from portfolio.config import Settings
    from portfolio.runtime import open_runtime

    with open_runtime(Settings.from_env(target)) as rt:
        assert not rt.app.recorder.max_notification_id()  # nothing written
    # Another instance's master key cannot check the file; none at all is refused before anything is made.
    other = dict(_copy_env(env, settings, tmp_path, "other"), PORTFOLIO_MASTER_KEY="A" * 43 + "=")
    path.write_text("\n".join(lines) + "\n")
    assert_one_line_error(CliRunner().invoke(cli, ["events", "import", str(path)], env=other),
                          "line 1", "another master key")
    keyless = {k: v for k, v in _copy_env(env, settings, tmp_path, "keyless").items() if k != "PORTFOLIO_MASTER_KEY"}
    assert_one_line_error(CliRunner().invoke(cli, ["events", "import", str(path)], env=keyless),
                          "source instance's master key")
    assert not (tmp_path / "keyless" / "master.key").exists()


def test_commands_before_init_say_so(run):
    assert_one_line_error(run("frameworks", "list", ok=False), "portfolio init")


def test_real_process_prints_no_traceback(env, tmp_path):
    import os

    bad = tmp_path / "missing.jsonl"
    proc = subprocess.run([sys.executable, "-m", "portfolio.cli", "events", "import", str(bad)],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr


def test_projections_status_and_rebuild(run):
    run("demo", "--workers", "2", "--years", "1")
    status = run("projections", "status").output.splitlines()
    assert [line.split()[0] for line in status] == ["people", "portfolio", "notifications", "register"]
    assert all(line.endswith("lag 0") and "generation 1" in line for line in status)
    rebuilt = run("projections", "rebuild", "portfolio").output
    assert "Rebuilt portfolio: generation 2" in rebuilt
    assert "portfolio  generation 2" in run("projections", "status").output
    assert_one_line_error(run("projections", "rebuild", "nope", ok=False), "no projection named 'nope'")


def test_users_create_admin_and_erase(run, env):
    run("init")
    created = CliRunner().invoke(cli, ["users", "create-admin", "boss", "--name", "Bo Boss", "--password-stdin"],
                                 env=env, input="a long enough password\n")
    assert created.exit_code == 0 and "Created organisation admin boss" in created.output
    short = CliRunner().invoke(cli, ["users", "create-admin", "boss2", "--name", "B", "--password-stdin"],
                               env=env, input="short\n")
    assert_one_line_error(short, "password: must be at least 12 characters")
    from portfolio.runtime import open_runtime
    from portfolio.config import Settings

    with open_runtime(Settings.from_env(env)) as rt:
        rt.app.register_person("wendy", "Wendy Worker", ["peer_worker"])
    erased = run("users", "erase", "wendy", "--by", "boss", "--reference", "request 1", "--yes").output
    assert "Erased wendy" in erased
    again = run("users", "erase", "wendy", "--by", "boss", "--reference", "request 2", "--yes", ok=False)
    assert_one_line_error(again, "already erased")
    assert_one_line_error(run("users", "erase", "nobody", "--by", "boss", "--reference", "r", "--yes", ok=False),
                          "no account named 'nobody'")


def test_users_leave_record_list_withdraw(run, env):
    run("init")
    from portfolio.config import Settings
    from portfolio.runtime import open_runtime

    with open_runtime(Settings.from_env(env)) as rt:
        rt.app.register_person("ada", "Ada Admin", ["org_admin"])
        wid = rt.app.register_person("wendy", "Wendy Worker", ["peer_worker"])
        rt.app.start_position(wid, "peer_worker", "2023-01-02")
    out = run("users", "leave", "wendy", "--kind", "career break", "--from", "2023-06-01", "--to", "2023-06-30",
              "--by", "ada").output
    assert "Recorded career break for wendy from 2023-06-01 to 2023-06-30" in out
    listed = run("users", "leave-list", "wendy").output
    leave_id = listed.split()[0]
    assert "career break" in listed and "2023-06-30" in listed
    with open_runtime(Settings.from_env(env)) as rt:
        assert rt.app.stage_report(wid, "2025-01-15").tenure_leave_days == 30
    assert_one_line_error(run("users", "leave", "wendy", "--from", "2023-06-10", "--by", "ada", ok=False),
                          "overlaps the career break")
    assert_one_line_error(run("users", "leave", "wendy", "--from", "2023-08-01", "--by", "wendy", ok=False),
                          "only an organisation admin or a supervisor")
    assert_one_line_error(run("users", "leave", "wendy", "--from", "2023-13-01", "--by", "ada", ok=False),
                          "starts_on")
    assert "Withdrew leave" in run("users", "leave-withdraw", "wendy", leave_id, "--by", "ada").output
    assert "No leave" in run("users", "leave-list", "wendy").output
