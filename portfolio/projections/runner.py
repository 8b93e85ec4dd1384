"""The catch-up loop: exactly-once projection of the event log into read-model tables.

Each page of events is applied in one database transaction together with the projection's
tracking row, so a crash can neither double-count nor skip. (The library's ProjectionRunner
cannot follow SQLite, hence this loop.) Rebuilds fill a new generation beside the live one and
switch over in one transaction, so the running app keeps reading the old one meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from portfolio.application import PortfolioApplication
from portfolio.domain import clock
from portfolio.projections.base import Projection, ProjectionError, Writer
from portfolio.projections.items import PortfolioProjection
from portfolio.projections.people import PeopleProjection
from portfolio.projections.tables import projection_active, projection_tracking

PROJECTIONS: tuple[type[Projection], ...] = (PeopleProjection, PortfolioProjection)
PAGE = 500


@dataclass(frozen=True)
class Status:
    name: str
    generation: int
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


class Projector:
    def __init__(self, app: PortfolioApplication, engine: Engine, page_size: int = PAGE):
        self.app, self.engine, self.page_size = app, engine, page_size
        self.projections: dict[str, Projection] = {cls.name: cls() for cls in PROJECTIONS}

    def _projection(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            raise ProjectionError(f"no projection named {name!r} (known: {', '.join(self.projections)})") from None

    # --- generations and tracking ---------------------------------------------------------
    def active_generations(self, conn: Connection) -> dict[str, int]:
        gens = dict(conn.execute(select(projection_active.c.name, projection_active.c.gen)).all())
        return {name: gens.get(name, 1) for name in self.projections}

    def _active(self, conn: Connection, name: str) -> int:
        gen = conn.execute(select(projection_active.c.gen).where(projection_active.c.name == name)).scalar()
        if gen is None:
            conn.execute(insert(projection_active).values(name=name, gen=1))
            gen = 1
        return gen

    def _lock_position(self, conn: Connection, name: str, gen: int) -> int:
        """Take the tracking row's write lock first, then read it: one catch-up at a time per generation."""
        where = (projection_tracking.c.name == name) & (projection_tracking.c.gen == gen)
        touched = conn.execute(update(projection_tracking).where(where)
                               .values(position=projection_tracking.c.position)).rowcount
        if not touched:
            conn.execute(insert(projection_tracking).values(name=name, gen=gen, position=0,
                                                            updated_at=clock.now()))
            return 0
        return conn.execute(select(projection_tracking.c.position).where(where)).scalar_one()

    def _position(self, conn: Connection, name: str, gen: int) -> int:
        return conn.execute(select(projection_tracking.c.position).where(
            (projection_tracking.c.name == name) & (projection_tracking.c.gen == gen))).scalar() or 0

    def _apply_page(self, conn: Connection, projection: Projection, gen: int, position: int,
                    progress: Callable[[int], None] | None) -> tuple[int, bool]:
        """Apply the next page after `position`; returns (new position, caught up)."""
        head = self.app.recorder.max_notification_id() or 0
        if position >= head:
            return position, True
        page = self.app.recorder.select_notifications(start=position + 1, limit=self.page_size, stop=head)
        w = Writer(conn, gen)
        at = position
        try:
            for n in page:
                at = n.id
                handler = projection.handler_for(n.topic, n.id)
                if handler is not None:
                    handler(self.app.mapper.to_domain_event(n), w)
            at = page[-1].id if page else head
            w.flush()
        except ProjectionError:
            raise
        except Exception as exc:  # a bug or a bad event: stop here, naming the position
            raise ProjectionError(f"projection {projection.name!r} stopped at position {at}: "
                                  f"{type(exc).__name__}: {exc}") from exc
        caught_up = len(page) < self.page_size
        new_position = head if caught_up else page[-1].id
        conn.execute(update(projection_tracking).where(
            (projection_tracking.c.name == projection.name) & (projection_tracking.c.gen == gen))
            .values(position=new_position, updated_at=clock.now()))
        if progress:
            progress(len(page))
        return new_position, caught_up

    # --- public operations ----------------------------------------------------------------
    def catch_up(self, name: str, progress: Callable[[int], None] | None = None, _gen: int | None = None) -> int:
        """Apply every event not yet applied, a page per transaction. Returns the position reached."""
        projection = self._projection(name)
        while True:
            try:
                with self.engine.begin() as conn:
                    gen = _gen or self._active(conn, name)
                    position = self._lock_position(conn, name, gen)
                    if _gen is None and self._active(conn, name) != gen:
                        continue  # a rebuild switched generations meanwhile: start again on the new one
                    position, done = self._apply_page(conn, projection, gen, position, progress)
            except IntegrityError:
                continue  # another process created the tracking row first; take its lock instead
            if done:
                return position

    def catch_up_all(self) -> None:
        for name in self.projections:
            self.catch_up(name)

    def refresh(self) -> None:
        """Read-your-writes: catch up whichever projection is behind the log (cheap when none is)."""
        head = self.app.recorder.max_notification_id() or 0
        with self.engine.connect() as conn:
            gens = self.active_generations(conn)
            behind = [n for n in self.projections if self._position(conn, n, gens[n]) < head]
        for name in behind:
            self.catch_up(name)

    def status(self) -> list[Status]:
        head = self.app.recorder.max_notification_id() or 0
        with self.engine.connect() as conn:
            gens = self.active_generations(conn)
            return [Status(n, gens[n], self._position(conn, n, gens[n]), head) for n in self.projections]

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> Status:
        """Rebuild from zero into a new generation, then switch to it in one transaction."""
        projection = self._projection(name)
        with self.engine.begin() as conn:
            live = self._active(conn, name)
            new = max(live, conn.execute(select(func.max(projection_tracking.c.gen))
                                         .where(projection_tracking.c.name == name)).scalar() or 0) + 1
            self._drop_generation(conn, projection, new)  # leftovers of an interrupted rebuild
            conn.execute(insert(projection_tracking).values(name=name, gen=new, position=0, updated_at=clock.now()))
        projection.reset()
        self.catch_up(name, progress, _gen=new)
        with self.engine.begin() as conn:  # switch: hold the live row so no catch-up runs meanwhile
            self._lock_position(conn, name, live)
            position, done = self._lock_position(conn, name, new), False
            while not done:
                position, done = self._apply_page(conn, projection, new, position, progress)
            conn.execute(update(projection_active).where(projection_active.c.name == name).values(gen=new))
        projection.reset()
        with self.engine.begin() as conn:
            self._drop_generation(conn, projection, live)
        return next(s for s in self.status() if s.name == name)

    def _drop_generation(self, conn: Connection, projection: Projection, gen: int) -> None:
        for table in projection.tables:
            conn.execute(delete(table).where(table.c.gen == gen))
        conn.execute(delete(projection_tracking).where(
            (projection_tracking.c.name == projection.name) & (projection_tracking.c.gen == gen)))
