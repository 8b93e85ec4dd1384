"""Login limits (issue 9): failures counted per username and per client address, in storage every web
process shares (the database, or Redis when PORTFOLIO_RATELIMIT_URL is set). Both backends."""

from __future__ import annotations

import re

import dataclasses
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import IN_CI, PASSWORD
from portfolio.config import ConfigError
from portfolio.db import rate_limits
from portfolio.runtime import open_runtime
from portfolio.web import create_app
from portfolio.web.ratelimit import SQLStorage, storage_for

REDIS_URL = os.environ.get("PORTFOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WRONG = "not the password at all"


def addr(n: int) -> dict:
    return {"REMOTE_ADDR": f"10.0.0.{n}"}


def login(client, username, password=WRONG, n=1):
    return client.post("/login", data={"username": username, "password": password}, environ_base=addr(n))


def token(client, username, password=WRONG, n=1):
    return client.post("/api/v1/tokens", json={"username": username, "password": password}, environ_base=addr(n))


@pytest.fixture
def limited(web):
    """The `web` app with the login limits on (tests run with them off)."""
    web.app.config["RATELIMIT_ENABLED"] = True
    return web.app


@pytest.fixture
def processes(runtime, web):
    """Two more apps, each over its own Runtime on the same stores: two web processes."""
    def start(settings):
        apps = []
        for _ in range(2):
            flask_app = create_app(settings, testing=True)
            flask_app.config["RATELIMIT_ENABLED"] = True
            apps.append(flask_app)
        return apps

    started: list = []
    yield lambda settings=runtime.settings: started.extend(start(settings)) or started[-2:]
    for flask_app in started:
        flask_app.extensions["portfolio"].close()


def test_the_same_username_from_other_addresses_is_still_limited(limited):
    client = limited.test_client()
    assert [login(client, "wendy", n=i).status_code for i in range(10)] == [422] * 10
    refused = login(client, "WENDY ", PASSWORD, n=99)  # right password, new address, other spelling
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts to log in with this username or from this address" in page
    assert "Wait 15 minutes" in page
    assert 840 <= int(refused.headers["Retry-After"]) <= 900
    assert login(client, "sam", PASSWORD, n=99).status_code == 302  # the address itself is not blocked


def mask(page):
    page = re.sub(r"\d+ minutes?", "N minutes", page)
    return re.sub(r'(name="csrf_token" value=|name="csrf-token" content=)"[^"]*"', r'\1"-"', page)


def test_a_name_without_an_account_is_refused_the_same_way(limited):
    client = limited.test_client()
    for name in ("wendy", "nobody-here"):
        assert [login(client, name, n=i).status_code for i in range(10)] == [422] * 10
    # The same page, but for the minutes to wait and the CSRF token, which
    # both carry the clock and may tick over between the two answers.
    same = [mask(login(client, name, n=50).get_data(as_text=True)) for name in ("wendy", "nobody-here")]
    assert same[0] == same[1]


def test_one_address_is_limited_across_usernames(limited):
    client = limited.test_client()
    assert [login(client, f"guess{i}", n=7).status_code for i in range(10)] == [422] * 10
    assert login(client, "wendy", PASSWORD, n=7).status_code == 429
    assert login(client, "wendy", PASSWORD, n=8).status_code == 302


def test_successful_logins_use_up_nothing(limited):
    client = limited.test_client()
    assert [login(client, "wendy", PASSWORD).status_code for _ in range(12)] == [302] * 12
    assert [login(client, "wendy").status_code for _ in range(10)] == [422] * 10
    assert login(client, "wendy", PASSWORD).status_code == 429


def test_the_login_form_itself_is_not_counted(limited):
    client = limited.test_client()
    assert {client.get("/login", environ_base=addr(1)).status_code for _ in range(12)} == {200}


def test_token_requests_are_limited_per_username_with_a_json_answer(limited):
    client = limited.test_client()
    assert [token(client, "wendy", n=i).status_code for i in range(10)] == [401] * 10
    refused = token(client, "wendy", PASSWORD, n=99)
    assert refused.status_code == 429 and refused.is_json
    assert refused.get_json()["error"] == "Too many attempts"
    assert "this username or from this address" in refused.get_json()["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert token(client, "sam", PASSWORD, n=99).status_code == 201


def test_two_processes_share_the_count(processes):
    one, two = processes()
    a, b = one.test_client(), two.test_client()
    for i in range(5):
        assert login(a, "wendy", n=i).status_code == 422
        assert token(b, "wendy", n=i).status_code == 401  # the API and the form count together
    assert login(b, "wendy", PASSWORD, n=20).status_code == 429
    assert token(a, "wendy", PASSWORD, n=20).status_code == 429


CHILD = """
import sys
from portfolio.config import Settings
from portfolio.web import create_app
app = create_app(Settings.from_env(), testing=True)
app.config["RATELIMIT_ENABLED"] = True
client = app.test_client()
print([client.post("/api/v1/tokens", json={"username": "wendy", "password": "wrong"},
                   environ_base={"REMOTE_ADDR": f"10.1.0.{i}"}).status_code for i in range(int(sys.argv[1]))])
app.extensions["portfolio"].close()
"""


def fail_in_another_process(settings, times: int) -> str:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1]),
           "PORTFOLIO_INSTANCE_PATH": str(settings.instance_path), "PORTFOLIO_DATABASE_URL": settings.database_url,
           "PORTFOLIO_MASTER_KEY": settings.master_key_text or "", "PORTFOLIO_RATELIMIT_URL": settings.ratelimit_url or "",
           "PORTFOLIO_SECRET_KEY": settings.secret_key or ""}
    if not settings.secret_key:
        del env["PORTFOLIO_SECRET_KEY"]  # both processes read the instance folder's secret
    done = subprocess.run([sys.executable, "-c", CHILD, str(times)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_another_os_process_shares_the_count(processes, runtime):
    (app, _) = processes()
    assert fail_in_another_process(runtime.settings, 10) == str([401] * 10)
    assert token(app.test_client(), "wendy", PASSWORD, n=99).status_code == 429


def test_the_store_holds_no_usernames_or_addresses(limited, runtime):
    client = limited.test_client()
    login(client, "wendy", n=42)
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(rate_limits)).all()
    assert len(rows) == 3  # one per limit: username 10/15 min, address 10/min and 50/hour
    assert not [r for r in rows if "wendy" in r.key or "10.0.0.42" in r.key]


def test_parallel_increments_from_two_processes_are_all_counted(runtime):
    other = open_runtime(runtime.settings)
    try:
        stores = [SQLStorage(runtime.engine), SQLStorage(other.engine)]
        results: list[int] = []

        def hit(store):
            for _ in range(15):
                results.append(store.incr("k", 60))

        threads = [threading.Thread(target=hit, args=(s,)) for s in stores for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == list(range(1, 61))
        assert stores[0].get("k") == stores[1].get("k") == 60
    finally:
        other.close()


def test_a_window_ends_and_a_new_one_starts(runtime, monkeypatch):
    import portfolio.web.ratelimit as ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    store = SQLStorage(runtime.engine)
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    store.incr("other", 30)
    assert store.get_expiry("k") == 1_000_060.0
    now[0] += 60
    assert store.get("k") == 0
    assert store.incr("k", 60) == 1 and store.get_expiry("k") == 1_000_120.0
    with runtime.engine.connect() as conn:
        assert conn.execute(select(rate_limits.c.key)).scalars().all() == ["k"]  # expired rows go
    store.clear("k")
    assert store.get("k") == 0 and store.check()


def test_an_unknown_storage_url_is_a_config_error(settings):
    with pytest.raises(ConfigError, match="PORTFOLIO_RATELIMIT_URL: unsupported 'memcached'"):
        storage_for(dataclasses.replace(settings, ratelimit_url="memcached://127.0.0.1:11211"), None)


@pytest.fixture
def redis_settings(settings):
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        reason = f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}: {exc})"
        if IN_CI:
            pytest.fail(reason + " — CI=true, so Redis tests must run")
        pytest.skip(reason)
    # A fresh secret per test: its counters' keys (HMACs) cannot meet another test's.
    return dataclasses.replace(settings, ratelimit_url=REDIS_URL, secret_key=uuid.uuid4().hex)


def test_two_processes_share_the_count_in_redis(processes, redis_settings, runtime):
    one, two = processes(redis_settings)
    assert type(one.extensions["portfolio_throttle"].limiter.storage).__name__ == "RedisStorage"
    a, b = one.test_client(), two.test_client()
    for i in range(5):
        assert login(a, "wendy", n=i).status_code == 422
        assert token(b, "wendy", n=i).status_code == 401
    assert login(b, "wendy", PASSWORD, n=20).status_code == 429
    assert login(a, "sam", PASSWORD, n=20).status_code == 302
    assert fail_in_another_process(redis_settings, 2) == "[429, 429]"  # an OS process sees the same count
    with runtime.engine.connect() as conn:
        assert conn.execute(select(rate_limits)).all() == []  # counted in Redis, not the database


def test_a_real_account_logging_in_between_guesses_does_not_reset_the_address(limited):
    """A successful login gives back its own attempt only: the failures before it stay counted."""
    client = limited.test_client()
    for i in range(10):  # guesses at other accounts, each followed by a login to the attacker's own
        assert login(client, f"victim{i}", n=5).status_code == 422
        if i < 9:
            assert login(client, "sam", PASSWORD, n=5).status_code == 302
    assert login(client, "victim10", n=5).status_code == 429  # 10 failures a minute from one address
    assert login(client, "victim10", n=6).status_code == 422  # another address is not affected


def test_the_current_password_check_is_limited_too(limited):
    client = limited.test_client()
    assert login(client, "wendy", PASSWORD, n=6).status_code == 302
    wrong = {"current_password": WRONG, "new_password": "lantern orchard pebble",
             "confirm_password": "lantern orchard pebble"}
    statuses = [client.post("/account/password", data=wrong, environ_base=addr(6 + i % 3)).status_code
                for i in range(11)]
    assert statuses == [422] * 10 + [429]
