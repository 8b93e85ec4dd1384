"""Projection machinery: a batching writer and the base class every projection extends.

A projection turns events into rows. It declares, per event class, a handler or that it ignores
it; an event of any other type stops the projection with an error naming its position, so no
event is ever skipped silently.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, ClassVar

from eventsourcing.utils import get_topic
from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection


class ProjectionError(Exception):
    """A projection cannot apply an event; it stops at that position until fixed."""


class Writer:
    """Buffers row operations per table and runs consecutive ones of the same shape as one
    executemany. Order within a table is kept; tables are independent of each other."""

    def __init__(self, conn: Connection, gen: int):
        self.conn, self.gen = conn, gen
        self._ops: dict[Table, list[tuple[tuple, dict]]] = defaultdict(list)

    def insert(self, table: Table, **row: Any) -> None:
        row["gen"] = self.gen
        self._ops[table].append((("insert",), row))

    def update(self, table: Table, key: dict[str, Any], **values: Any) -> None:
        params = {f"k_{k}": v for k, v in key.items()} | {f"v_{k}": v for k, v in values.items()}
        params["k_gen"] = self.gen
        self._ops[table].append((("update", tuple(key), tuple(values)), params))

    def delete(self, table: Table, **key: Any) -> None:
        params = {f"k_{k}": v for k, v in key.items()}
        params["k_gen"] = self.gen
        self._ops[table].append((("delete", tuple(key)), params))

    def select(self, table: Table, *columns: str, **key: Any) -> list[Any]:
        """Read rows of this generation (flushing pending writes to the table first)."""
        self.flush(table)
        cols = [table.c[c] for c in columns] if columns else [table]
        where = and_(table.c.gen == self.gen, *(table.c[k] == v for k, v in key.items()))
        return list(self.conn.execute(select(*cols).where(where)))

    def flush(self, only: Table | None = None) -> None:
        for table in [only] if only is not None else list(self._ops):
            ops = self._ops.pop(table, [])
            start = 0
            while start < len(ops):
                shape = ops[start][0]
                end = start
                while end < len(ops) and ops[end][0] == shape:
                    end += 1
                self.conn.execute(_statement(table, shape), [params for _, params in ops[start:end]])
                start = end


_STATEMENTS: dict[tuple, Any] = {}


def _statement(table: Table, shape: tuple):
    key = (table.name, shape)
    if key not in _STATEMENTS:
        kind = shape[0]
        if kind == "insert":
            stmt = insert(table)
        else:
            where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in ("gen", *shape[1])))
            if kind == "update":
                stmt = update(table).where(where).values({v: bindparam(f"v_{v}") for v in shape[2]})
            else:
                stmt = delete(table).where(where)
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


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

    def handler_for(self, topic: str, position: int) -> Callable | None:
        try:
            return self._by_topic[topic]
        except KeyError:
            raise ProjectionError(f"projection {self.name!r} stopped at position {position}: unknown event "
                                  f"type {topic!r}") from None
