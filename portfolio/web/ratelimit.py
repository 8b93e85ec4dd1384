"""Login attempts limited per username and per client address, counted where every web process sees
the same numbers: the app's database (table rate_limits) or Redis (PORTFOLIO_RATELIMIT_URL=redis://…).

An attempt is counted before the password is checked, so parallel guesses cannot slip past the
limit, and given back when it succeeds: only failures use up the allowance. A name is counted
whether or not an account has it, so a refusal says nothing about which names exist.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from functools import wraps
from typing import Callable

from flask import current_app, make_response, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from portfolio.config import ConfigError, Settings
from portfolio.db import rate_limits

PER_USERNAME = parse_many("10 per 15 minutes")
PER_ADDRESS = parse_many("10 per minute; 50 per hour")

Counter = tuple[RateLimitItem, str, str]  # limit, kind, HMAC of the username or address


class SQLStorage(Storage):
    """`limits` storage in one SQL table: a row per key holds its fixed window's count and end."""

    STORAGE_SCHEME = None  # built from an engine, not a URL

    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = engine
        self._insert = sqlite_insert if engine.dialect.name == "sqlite" else pg_insert

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        new = self._insert(rate_limits).values(key=key, count=amount, expires_at=now + expiry)
        live = rate_limits.c.expires_at > now
        upsert = new.on_conflict_do_update(index_elements=[rate_limits.c.key], set_={
            "count": case((live, rate_limits.c.count + new.excluded.count), else_=new.excluded.count),
            "expires_at": case((live, rate_limits.c.expires_at), else_=new.excluded.expires_at),
        }).returning(rate_limits.c.count)
        with self.engine.begin() as conn:  # one statement: two processes never lose an increment
            count = conn.execute(upsert).scalar_one()
        if count == amount:  # a new window: a good moment to drop ended ones
            try:
                with self.engine.begin() as conn:
                    conn.execute(delete(rate_limits).where(rate_limits.c.expires_at <= now))
            except SQLAlchemyError:  # e.g. two processes cleaning at once; the next new window cleans
                pass
        return count

    def _live(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(select(rate_limits.c.count, rate_limits.c.expires_at).where(
                rate_limits.c.key == key, rate_limits.c.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._live(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(rate_limits)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == key))


def storage_for(settings: Settings, engine: Engine) -> Storage:
    url = settings.ratelimit_url
    if not url:
        return SQLStorage(engine)
    if not url.startswith(("redis://", "rediss://", "redis+unix://")):
        raise ConfigError(f"PORTFOLIO_RATELIMIT_URL: unsupported {url.split(':', 1)[0]!r} (use redis://host:port/db, "
                          "or leave it unset to count in the database)")
    try:
        import redis  # noqa: F401 - limits imports it lazily; say so now, not at the first login
    except ImportError:
        raise ConfigError("PORTFOLIO_RATELIMIT_URL: redis:// needs the redis package "
                          "(pip install 'portfolio[redis]')") from None
    return storage_from_string(url)


class Throttle:
    def __init__(self, storage: Storage, secret: str):
        self.limiter = FixedWindowRateLimiter(storage)
        self._secret = secret.encode()

    def _digest(self, value: str) -> str:
        # The store never holds usernames or addresses in clear.
        return hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()[:32]

    def counters(self, username: str, address: str) -> list[Counter]:
        user, addr = self._digest(username.strip().casefold()), self._digest(address)
        return [(item, "login-user", user) for item in PER_USERNAME] + \
               [(item, "login-address", addr) for item in PER_ADDRESS]

    def attempt(self, counters: list[Counter]) -> float | None:
        """Count one attempt on every counter; None if all allow it, else the seconds to wait."""
        over = [c for c in counters if not self.limiter.hit(*c)]
        if not over:
            return None
        return max(self.limiter.get_window_stats(*c).reset_time for c in over) - time.time()

    def give_back(self, counters: list[Counter]) -> None:
        for item, *ids in counters:
            key = item.key_for(*ids)
            if self.limiter.storage.get(key) > 0:  # a window that ended meanwhile stays ended
                self.limiter.storage.incr(key, item.get_expiry(), amount=-1)


def limit_logins(username_of: Callable[[], object]) -> Callable:
    """Decorate a POST view that checks a password: refuse with 429 when the username or the address
    has used up its allowance; a response below 400 (logged in) does not count."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(*args, **kwargs):
            throttle: Throttle = current_app.extensions["portfolio_throttle"]
            if request.method != "POST" or not current_app.config.get("RATELIMIT_ENABLED"):
                return view(*args, **kwargs)
            name = username_of()
            counters = throttle.counters(name if isinstance(name, str) else "", request.remote_addr or "")
            wait = throttle.attempt(counters)
            if wait is not None:
                minutes = max(1, math.ceil(wait / 60))
                raise TooManyRequests(
                    f"Too many attempts to log in with this username or from this address. "
                    f"Wait {minutes} minute{'s' if minutes > 1 else ''} and try again.",
                    retry_after=max(1, math.ceil(wait)))
            response = make_response(view(*args, **kwargs))
            if response.status_code < 400:
                throttle.give_back(counters)  # its own attempt only: earlier failures stay counted
            return response
        return limited
    return decorator


def form_username() -> object:
    return request.form.get("username")


def json_username() -> object:
    body = request.get_json(silent=True)
    return body.get("username") if isinstance(body, dict) else None
