"""Projection machinery: a batching writer and the base class every projection extends.

A projection turns events into rows. It declares, per event class, a handler or that it ignores
it; an event of any other type stops the projection with an error naming its position, so no
event is ever skipped silently.
"""

from __future__ import annotations

from collections import defaultdict
from operator import itemgetter
from typing import Any, Callable, ClassVar

from eventsourcing.utils import get_topic
from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.engine import Connection


class ProjectionError(Exception):
    """A projection cannot apply an event; it stops at that position until fixed."""


class Writer:
    """Collects a page's row changes and writes them with few statements.

    New rows wait in memory until the page is flushed; an update whose key names pending rows
    changes them in memory, otherwise it becomes an UPDATE, batched with others of the same
    shape unless a later statement touched the same key. Assumes (true of every projection
    here) that the rows one key names are created together, by one event.
    """

    def __init__(self, conn: Connection, gen: int):
        self.conn, self.gen = conn, gen
        self._rows: dict[Table, dict[tuple, dict]] = defaultdict(dict)  # pending, by primary key
        self._upsert: set[Table] = set()
        self._index: dict[Table, dict[tuple, dict[tuple, list[dict]]]] = defaultdict(dict)
        self._batches: dict[Table, list[tuple[tuple, list[dict]]]] = defaultdict(list)
        self._last_shape: dict[Table, dict[tuple, int]] = defaultdict(dict)
        self._last_touch: dict[Table, dict[tuple, int]] = defaultdict(dict)

    def insert(self, table: Table, **row: Any) -> None:
        row["gen"] = self.gen
        self._rows[table][(_PK_GET.get(table) or _pk_getter(table))(row)] = row
        indexes = self._index.get(table)
        if indexes:
            for cols, index in indexes.items():
                index.setdefault(tuple(row[c] for c in cols), []).append(row)

    def upsert(self, table: Table, **row: Any) -> None:
        """Insert, replacing any row with the same primary key (pending or stored)."""
        self._upsert.add(table)
        old = self._rows[table].get((_PK_GET.get(table) or _pk_getter(table))({**row, "gen": self.gen}))
        if old is not None:
            old.clear()  # drop it from the indexes' view as well
        self.insert(table, **row)

    def _pending(self, table: Table, key: dict[str, Any]) -> list[dict]:
        cols = tuple(sorted(key))
        index = self._index[table].get(cols)
        if index is None:
            index = self._index[table][cols] = {}
            for row in self._rows[table].values():
                index.setdefault(tuple(row[c] for c in cols), []).append(row)
        return [r for r in index.get(tuple(key[c] for c in cols), []) if r]

    def update(self, table: Table, key: dict[str, Any], **values: Any) -> None:
        pending = self._pending(table, key)
        if pending:
            for row in pending:
                row.update(values)
            return
        shape = (tuple(sorted(key)), tuple(sorted(values)))
        params = {f"k_{k}": v for k, v in key.items()} | {f"v_{k}": v for k, v in values.items()}
        params["k_gen"] = self.gen
        touch = tuple(sorted(key.items()))
        batches, last_shape, last_touch = self._batches[table], self._last_shape[table], self._last_touch[table]
        i = last_shape.get(shape)
        if i is None or last_touch.get(touch, -1) > i:
            batches.append((shape, []))
            i = last_shape[shape] = len(batches) - 1
        batches[i][1].append(params)
        last_touch[touch] = i

    def select(self, table: Table, *columns: str, **key: Any) -> list[Any]:
        """Read rows of this generation (flushing pending changes to the table first)."""
        self.flush(table)
        cols = [table.c[c] for c in columns] if columns else [table]
        where = and_(table.c.gen == self.gen, *(table.c[k] == v for k, v in key.items()))
        return list(self.conn.execute(select(*cols).where(where)))

    def flush(self, only: Table | None = None) -> None:
        tables = [only] if only is not None else list(set(self._rows) | set(self._batches))
        for table in tables:
            for shape, params in self._batches.pop(table, []):
                self.conn.execute(_update(table, shape), params)
            self._last_shape.pop(table, None)
            self._last_touch.pop(table, None)
            rows = [r for r in self._rows.pop(table, {}).values() if r]
            self._index.pop(table, None)
            if rows:
                _bulk_insert(self.conn, table, rows, table in self._upsert)


_STATEMENTS: dict[tuple, Any] = {}
_PK_GET: dict[Table, Callable[[dict], tuple]] = {}


def _pk_getter(table: Table) -> Callable[[dict], tuple]:
    """The row's primary key as a tuple (every read-model key has `gen` and at least one more column)."""
    _PK_GET[table] = itemgetter(*(c.name for c in table.primary_key.columns))
    return _PK_GET[table]
_COMPILED: dict[tuple, tuple[str, list[str], list]] = {}


def _bulk_insert(conn: Connection, table: Table, rows: list[dict], replace: bool) -> None:
    """executemany straight to the driver: the statement is compiled once per table and dialect,
    and only the columns whose type needs it go through a bind processor (SQLAlchemy's
    per-row machinery was most of the cost of a rebuild)."""
    dialect = conn.dialect
    key = (table.name, dialect.name, replace)
    if key not in _COMPILED:
        compiled = _insert(table, dialect.name, replace).compile(dialect=dialect,
                                                                column_keys=[c.name for c in table.c])
        names = list(compiled.positiontup) if compiled.positional else [c.name for c in table.c]
        processors = [(i, p) for i, n in enumerate(names)
                      if (p := table.c[n].type._cached_bind_processor(dialect)) is not None]
        _COMPILED[key] = (compiled.string, names, processors)
    sql, names, processors = _COMPILED[key]
    get = itemgetter(*names)
    params = []
    for row in rows:
        values = list(get(row))
        for i, process in processors:
            values[i] = process(values[i])
        params.append(tuple(values) if dialect.positional else dict(zip(names, values)))
    conn.exec_driver_sql(sql, params)


def _update(table: Table, shape: tuple):
    key = (table.name, "update", shape)
    if key not in _STATEMENTS:
        keys, values = shape
        where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in ("gen", *keys)))
        _STATEMENTS[key] = update(table).where(where).values({v: bindparam(f"v_{v}") for v in values})
    return _STATEMENTS[key]


def _insert(table: Table, dialect: str, replace: bool):
    key = (table.name, "insert", dialect, replace)
    if key not in _STATEMENTS:
        if not replace:
            stmt = insert(table)
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(table.primary_key.columns),
                set_={c.name: stmt.excluded[c.name] for c in table.c if not c.primary_key})
        else:
            stmt = insert(table).prefix_with("OR REPLACE")
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


def portfolio_owner(cache: dict[str, str], table: Table, e, w: "Writer") -> str:
    """The worker whose portfolio raised `e`, from a projection's own portfolio -> worker table
    (cached; the table answers for what an earlier run wrote)."""
    pid = str(e.originator_id)
    if pid not in cache:
        rows = w.select(table, "worker_id", portfolio_id=pid)
        if not rows:
            raise ProjectionError(f"portfolio {pid} has no Opened event before version {e.originator_version}")
        cache[pid] = rows[0].worker_id
    return cache[pid]


class Projection:
    """Subclasses set `name`, `tables`, `handlers` (event class -> method name) and `ignored`."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    handlers: ClassVar[dict[type, str]]
    ignored: ClassVar[tuple[type, ...]]

    def __init__(self) -> None:
        self._by_topic: dict[str, Callable | None] = {get_topic(cls): getattr(self, name)
                                                       for cls, name in self.handlers.items()}
        self._by_topic.update({get_topic(cls): None for cls in self.ignored})

    def reset(self) -> None:
        """Forget any in-memory caches (called at the start of each run)."""

    @property
    def handlers_by_topic(self) -> dict[str, Callable | None]:
        return self._by_topic

    def handler_for(self, topic: str, position: int) -> Callable | None:
        try:
            return self._by_topic[topic]
        except KeyError:
            raise ProjectionError(f"projection {self.name!r} stopped at position {position}: unknown event "
                                  f"type {topic!r}") from None
