"""One backend fixture: every test that uses `app`/`runtime` runs on SQLite and on PostgreSQL.

`settings` is a store as `portfolio init` leaves it (migrated, built-in frameworks recorded), copied
from one built per test process and backend: a SQLite instance folder is copied, a PostgreSQL
database is created from a template database. `blank_settings` is an empty store, for tests of
`init` itself. Without a server the PostgreSQL cases skip with the reason; in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from portfolio.config import Settings
from portfolio.domain import clock
from portfolio.runtime import init_instance, open_runtime

PG = dict(host=os.environ.get("PORTFOLIO_TEST_PG_HOST", "127.0.0.1"), port=5432, user="postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
MASTER = "W2u3kqQy6e7cE2c0XG4b7eF0bq8o9N0wJ3zqk1h2m4A="
SCHEMA = "store"  # every per-test PostgreSQL database is a copy of the template, schema and all


def _pg_admin_connect(dbname: str):
    import psycopg

    return psycopg.connect(dbname=dbname, autocommit=True, connect_timeout=3, **PG)


@pytest.fixture(scope="session")
def pg_database():
    """Create a database for this test run, dropped at the end."""
    try:
        conn = _pg_admin_connect("test")
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        reason = f"PostgreSQL not reachable at {PG['host']}:5432 as postgres ({type(exc).__name__}: {exc})"
        if IN_CI:
            pytest.fail(reason + " — CI=true, so PostgreSQL tests must run")
        pytest.skip(reason)
    name = f"portfolio_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def make_settings(backend: str, tmp_path, request) -> Settings:
    env = {"PORTFOLIO_INSTANCE_PATH": str(tmp_path / "instance"), "PORTFOLIO_MASTER_KEY": MASTER}
    if backend == "postgres":
        dbname = request.getfixturevalue("pg_database")
        schema = "t_" + uuid.uuid4().hex[:12]
        env["PORTFOLIO_DATABASE_URL"] = f"postgresql://postgres@{PG['host']}:5432/{dbname}?schema={schema}"
    return Settings.from_env(env)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def blank_settings(backend, tmp_path, request) -> Settings:
    return make_settings(backend, tmp_path, request)


def _pg_env(dbname: str, instance) -> dict:
    return {"PORTFOLIO_INSTANCE_PATH": str(instance), "PORTFOLIO_MASTER_KEY": MASTER,
            "PORTFOLIO_DATABASE_URL": f"postgresql://postgres@{PG['host']}:5432/{dbname}?schema={SCHEMA}"}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An instance folder as `portfolio init` leaves it, built once per test process."""
    instance = tmp_path_factory.mktemp("template") / "instance"
    rt, _, _ = init_instance(Settings.from_env({"PORTFOLIO_INSTANCE_PATH": str(instance),
                                                "PORTFOLIO_MASTER_KEY": MASTER}))
    rt.close()  # the last connection closes: the WAL is checkpointed into the file
    return instance


@pytest.fixture(scope="session")
def pg_template(pg_database, tmp_path_factory) -> str:
    """A database as `portfolio init` leaves it, built once per test process, copied per test."""
    name = pg_database + "_tmpl"
    with _pg_admin_connect("test") as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        rt, _, _ = init_instance(Settings.from_env(_pg_env(name, tmp_path_factory.mktemp("pgtemplate"))))
        rt.close()  # CREATE DATABASE … TEMPLATE needs no one connected to the template
        yield name
    finally:
        with _pg_admin_connect("test") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(backend, tmp_path, request) -> Settings:
    if backend == "sqlite":
        instance = tmp_path / "instance"
        shutil.copytree(request.getfixturevalue("sqlite_template"), instance)
        yield Settings.from_env({"PORTFOLIO_INSTANCE_PATH": str(instance), "PORTFOLIO_MASTER_KEY": MASTER})
        return
    template = request.getfixturevalue("pg_template")
    name = f"{template}_{uuid.uuid4().hex[:10]}"
    with _pg_admin_connect("test") as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield Settings.from_env(_pg_env(name, tmp_path / "instance"))
    finally:
        with _pg_admin_connect("test") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def runtime(settings):
    rt = open_runtime(settings)
    try:
        yield rt
    finally:
        rt.close()


@pytest.fixture
def app(runtime):
    return runtime.app


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at its smallest cost: accounts are made and logged in by the hundred here. The
    production cost (argon2-cffi's defaults) is what portfolio/passwords.py sets."""
    from argon2 import PasswordHasher

    from portfolio import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def at():
    """Run commands as if at a given moment: `with at("2024-05-01"): ...`."""

    def _at(when: str):
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            moment = moment.replace(hour=moment.hour or 12, tzinfo=timezone.utc)
        return clock.frozen_at(moment)

    return _at


@pytest.fixture
def org(app, at):
    """A small organisation: one supervisor assigned to one worker, another unassigned, an admin."""
    with at("2023-01-02"):
        ids = {
            "sam": app.register_person("sam", "Sam Supervisor", ["supervisor"], "2023-01-02"),
            "sue": app.register_person("sue", "Sue Other", ["supervisor"], "2023-01-02"),
            "ada": app.register_person("ada", "Ada Admin", ["org_admin"], "2023-01-02"),
            "aud": app.register_person("aud", "Avery Auditor", ["auditor"], "2023-01-02"),
            "wendy": app.register_person("wendy", "Wendy Worker", ["peer_worker"], "2023-01-02"),
        }
        app.start_position(ids["wendy"], "peer_worker", "2023-01-02", 90)
        app.assign_supervisor(ids["wendy"], ids["sam"], "2023-01-02")
    return ids


# --- web -----------------------------------------------------------------------------------------
PASSWORD = "correct horse battery"


@pytest.fixture
def web(runtime, org, at):
    """The Flask app over the test stores (CSRF and rate limits off), with every `org` account given
    PASSWORD. `web.client(name)` is a test client logged in as that account (or anonymous for None)."""
    from portfolio.passwords import hash_password
    from portfolio.web import create_app

    password_hash = hash_password(PASSWORD)
    for pid in org.values():
        runtime.app.set_password_hash(pid, password_hash)
    flask_app = create_app(runtime.settings, testing=True)

    class Web:
        app = flask_app
        ids = org

        @staticmethod
        def client(name: str | None = None):
            client = flask_app.test_client()
            if name is not None:
                response = client.post("/login", data={"username": name, "password": PASSWORD})
                assert response.status_code == 302, response.get_data(as_text=True)
            return client

    try:
        yield Web
    finally:
        flask_app.extensions["portfolio"].close()
