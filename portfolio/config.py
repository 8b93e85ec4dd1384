"""Configuration from the environment: database URL, instance folder, secret and master keys."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from portfolio.crypto import new_master_key, parse_master_key


class ConfigError(Exception):
    """Configuration is missing or wrong; the message says which variable and why."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str | None
    master_key_text: str | None
    ratelimit_url: str | None = None  # redis://… for login counters; unset: the database above
    smtp_url: str | None = None  # smtp://… to mail notifications (portfolio/mail.py); unset: inbox only

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        instance = Path(env.get("PORTFOLIO_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        url = env.get("PORTFOLIO_DATABASE_URL") or f"sqlite:///{instance / 'portfolio.db'}"
        return cls(instance_path=instance, database_url=url, secret_key=env.get("PORTFOLIO_SECRET_KEY"),
                   master_key_text=env.get("PORTFOLIO_MASTER_KEY"),
                   ratelimit_url=env.get("PORTFOLIO_RATELIMIT_URL") or None,
                   smtp_url=env.get("PORTFOLIO_SMTP_URL") or None)

    # --- the database -------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        scheme = urlsplit(self.database_url).scheme.split("+")[0]
        if scheme in ("postgres", "postgresql"):
            return "postgres"
        if scheme == "sqlite":
            return "sqlite"
        raise ConfigError(f"PORTFOLIO_DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:/// or postgresql://)")

    @property
    def sqlite_path(self) -> str:
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        if not path:
            raise ConfigError("PORTFOLIO_DATABASE_URL: a sqlite URL needs a file path, e.g. sqlite:///portfolio.db")
        return path

    def postgres_parts(self) -> dict:
        parts = urlsplit(self.database_url)
        query = parse_qs(parts.query)
        return {"host": parts.hostname or "127.0.0.1", "port": str(parts.port or 5432),
                "user": parts.username or "postgres", "password": parts.password or "",
                "dbname": parts.path.lstrip("/") or "postgres", "schema": (query.get("schema") or [""])[0]}

    def eventsourcing_env(self) -> dict:
        """Environment for the eventsourcing Application (core sqlite/postgres modules)."""
        if self.backend == "sqlite":
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": self.sqlite_path,
                    "SQLITE_LOCK_TIMEOUT": "30"}
        pg = self.postgres_parts()
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": pg["dbname"],
               "POSTGRES_HOST": pg["host"], "POSTGRES_PORT": pg["port"], "POSTGRES_USER": pg["user"],
               "POSTGRES_PASSWORD": pg["password"], "POSTGRES_CONNECT_TIMEOUT": "5",
               "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "4"}
        if pg["schema"]:
            env["POSTGRES_SCHEMA"] = pg["schema"]
        return env

    def sqlalchemy_url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        parts = urlsplit(self.database_url)
        query = {k: v for k, v in parse_qs(parts.query).items() if k != "schema"}
        return urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, urlencode(query, doseq=True), ""))

    def sqlalchemy_connect_args(self) -> dict:
        if self.backend == "postgres" and self.postgres_parts()["schema"]:
            return {"options": f"-csearch_path={self.postgres_parts()['schema']}"}
        if self.backend == "sqlite":
            return {"timeout": 30}
        return {}

    # --- keys ---------------------------------------------------------------------------------
    @property
    def master_key_file(self) -> Path:
        return self.instance_path / "master.key"

    def master_key(self) -> bytes:
        text = self.master_key_text
        if text is None and self.master_key_file.exists():
            text = self.master_key_file.read_text()
        if text is None:
            raise ConfigError("no master key: set PORTFOLIO_MASTER_KEY or run `portfolio init` to generate "
                              f"one into {self.master_key_file}")
        try:
            return parse_master_key(text)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def ensure_master_key(self) -> bool:
        """Generate a master key into the instance folder if none is configured. True if generated."""
        if self.master_key_text is not None or self.master_key_file.exists():
            return False
        self.instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.master_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_master_key() + "\n")
        return True
