"""Wiring: one Runtime per process holds the engine, key store, file store and application."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine

from portfolio.application import PortfolioApplication
from portfolio.config import ConfigError, Settings
from portfolio.crypto import KeyStore
from portfolio.files import FileStore

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(settings: Settings, durable: bool = True) -> Engine:
    """durable=False (SQLite only) lets a power cut lose the last commits, never half of one: fit
    for read models, whose rows and tracking position always commit together."""
    engine = create_engine(settings.sqlalchemy_url(), connect_args=settings.sqlalchemy_connect_args(),
                           pool_pre_ping=settings.backend == "postgres")
    if settings.backend == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            # Erased keys must not linger in free pages of the file (read models hold no keys).
            cur.execute("PRAGMA secure_delete=ON" if durable else "PRAGMA secure_delete=OFF")
            cur.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=NORMAL")
            if not durable:  # read models: bigger page cache, fewer WAL checkpoints during rebuilds
                cur.execute("PRAGMA cache_size=-65536")
                cur.execute("PRAGMA wal_autocheckpoint=20000")
            cur.close()
    return engine


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    app: PortfolioApplication

    @property
    def keys(self) -> KeyStore:
        return self.app.keys

    @cached_property
    def projector(self):
        from portfolio.projections.runner import Projector

        return Projector(self.app, self._projection_engine)

    @cached_property
    def _projection_engine(self) -> Engine:
        return make_engine(self.settings, durable=False) if self.settings.backend == "sqlite" else self.engine

    def policy(self):
        from portfolio.application import COMPETENCES, LEVELS_OF_USE
        from portfolio.frameworks.catalogue import competence_codes
        from portfolio.projections.queries import Policy

        return Policy(competences=competence_codes(self.app.framework_document(COMPETENCES)),
                      stages=self.app.framework_document(LEVELS_OF_USE)["policy"])

    def read_models(self, refresh: bool = True):
        """The live read models; with refresh, caught up first so a reader sees its own writes."""
        from portfolio.projections.queries import ReadModels

        if refresh:
            self.projector.refresh()
        return ReadModels(self.engine, self.policy())

    def close(self) -> None:
        self.app.close()
        if "_projection_engine" in self.__dict__:
            self._projection_engine.dispose()
        self.engine.dispose()

    def __enter__(self) -> "Runtime":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _prepare_database(settings: Settings) -> None:
    if settings.backend == "sqlite":
        Path(settings.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        return
    schema = settings.postgres_parts()["schema"]
    if schema:
        import psycopg

        pg = settings.postgres_parts()
        with psycopg.connect(host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"] or None,
                             dbname=pg["dbname"], autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def run_migrations(settings: Settings, engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    if not (MIGRATIONS / "env.py").exists():
        raise ConfigError(f"migrations not found at {MIGRATIONS}: install the project with `pip install -e .`")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_runtime(settings: Settings | None = None, *, create: bool = False) -> Runtime:
    """Open the stores. With create=True (portfolio init), make them and run migrations first."""
    settings = settings or Settings.from_env()
    if create:
        _prepare_database(settings)
    elif settings.backend == "sqlite" and not Path(settings.sqlite_path).exists():
        raise ConfigError(f"no database at {settings.sqlite_path}: run `portfolio init` first")
    master = settings.master_key()
    engine = make_engine(settings)
    try:
        if create:
            run_migrations(settings, engine)
        elif "person_keys" not in inspect(engine).get_table_names():
            raise ConfigError("the database has no portfolio tables: run `portfolio init` first")
        keys = KeyStore(engine, master)
        app = PortfolioApplication(env=settings.eventsourcing_env(), keys=keys, files=FileStore(engine, keys))
    except Exception:
        engine.dispose()
        raise
    return Runtime(settings=settings, engine=engine, app=app)


def init_instance(settings: Settings) -> tuple[Runtime, bool, list[tuple[str, str]]]:
    """Create stores, run migrations, record built-in frameworks. Returns (runtime, key generated, loaded)."""
    generated = settings.ensure_master_key()
    runtime = open_runtime(settings, create=True)
    loaded = runtime.app.load_builtin_frameworks()
    runtime.app.load_builtin_programmes()
    return runtime, generated, loaded

