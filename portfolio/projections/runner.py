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
from portfolio.projections.notifications import NotificationsProjection
from portfolio.projections.people import PeopleProjection
from portfolio.projections.register import RegisterProjection
from portfolio.projections.tables import projection_active, projection_tracking

PROJECTIONS: tuple[type[Projection], ...] = (PeopleProjection, PortfolioProjection, NotificationsProjection,
                                             RegisterProjection)
_UNKNOWN = object()
PAGE = 500  # live catch-up: small transactions, short locks
REBUILD_PAGE = 5000  # rebuilds: fewer commits; memory still bounded by the page


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

    def _apply_page(self, conn: Connection, targets: list[tuple[Projection, int]], position: int,
                    progress: Callable[[int], None] | None, limit: int | None = None) -> tuple[int, bool]:
        """Apply the next page after `position` to each (projection, generation), decoding each
        event once; returns (new position, caught up)."""
        head = self.app.recorder.max_notification_id() or 0
        if position >= head:
            return position, True
        limit = limit or self.page_size
        page = self.app.recorder.select_notifications(start=position + 1, limit=limit, stop=head)
        writers = [(projection, Writer(conn, gen), projection.handlers_by_topic) for projection, gen in targets]
        at, current, decode = position, targets[0][0], self.app.mapper.to_domain_event
        try:
            for n in page:
                at, event = n.id, None
                for current, w, by_topic in writers:
                    handler = by_topic.get(n.topic, _UNKNOWN)
                    if handler is _UNKNOWN:
                        current.handler_for(n.topic, n.id)  # raises, naming the position
                    if handler is not None:
                        event = event or decode(n)
                        handler(event, w)
            at = page[-1].id if page else head
            for current, w, _ in writers:
                w.flush()
        except ProjectionError:
            raise
        except Exception as exc:  # a bug or a bad event: stop here, naming the position
            raise ProjectionError(f"projection {current.name!r} stopped at position {at}: "
                                  f"{type(exc).__name__}: {exc}") from exc
        caught_up = len(page) < limit
        new_position = head if caught_up else page[-1].id
        for projection, gen in targets:
            conn.execute(update(projection_tracking).where(
                (projection_tracking.c.name == projection.name) & (projection_tracking.c.gen == gen))
                .values(position=new_position, updated_at=clock.now()))
        if progress:
            progress(len(page))
        return new_position, caught_up

    def _run(self, targets: list[tuple[Projection, int]], progress: Callable[[int], None] | None) -> None:
        """Catch up generations that are being built (they share one position), a page at a time."""
        while True:
            with self.engine.begin() as conn:
                positions = {self._lock_position(conn, p.name, gen) for p, gen in targets}
                if len(positions) != 1:
                    raise ProjectionError("generations being rebuilt together are out of step; run the rebuild "
                                          "again")
                _, done = self._apply_page(conn, targets, positions.pop(), progress,
                                           max(self.page_size, REBUILD_PAGE))
            if done:
                return

    # --- public operations ----------------------------------------------------------------
    def catch_up(self, name: str, progress: Callable[[int], None] | None = None) -> int:
        """Apply every event not yet applied to the live generation, a page per transaction."""
        projection = self._projection(name)
        while True:
            try:
                with self.engine.begin() as conn:
                    gen = self._active(conn, name)
                    position = self._lock_position(conn, name, gen)
                    if self._active(conn, name) != gen:
                        continue  # a rebuild switched generations meanwhile: start again on the new one
                    position, done = self._apply_page(conn, [(projection, gen)], position, progress)
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

    def rebuild(self, names: list[str] | str | None = None,
                progress: Callable[[int], None] | None = None) -> list[Status]:
        """Rebuild projections from zero into new generations (one pass over the log for all of
        them), then switch to them in one transaction. The live generations serve meanwhile."""
        names = [names] if isinstance(names, str) else list(names or self.projections)
        projections = [self._projection(n) for n in names]
        live, new = {}, {}
        with self.engine.begin() as conn:
            for p in projections:
                live[p.name] = self._active(conn, p.name)
                new[p.name] = max(live[p.name], conn.execute(select(func.max(projection_tracking.c.gen)).where(
                    projection_tracking.c.name == p.name)).scalar() or 0) + 1
                self._drop_generation(conn, p, new[p.name])  # leftovers of an interrupted rebuild
                conn.execute(insert(projection_tracking).values(name=p.name, gen=new[p.name], position=0,
                                                                updated_at=clock.now()))
        targets = [(p, new[p.name]) for p in projections]
        for p in projections:
            p.reset()
        self._run(targets, progress)
        with self.engine.begin() as conn:  # switch: hold the live rows so no catch-up runs meanwhile
            for p in projections:
                self._lock_position(conn, p.name, live[p.name])
            position, done = self._lock_position(conn, names[0], new[names[0]]), False
            while not done:
                position, done = self._apply_page(conn, targets, position, progress)
            for p in projections:
                conn.execute(update(projection_active).where(projection_active.c.name == p.name)
                             .values(gen=new[p.name]))
        for p in projections:
            p.reset()
        with self.engine.begin() as conn:
            for p in projections:
                self._drop_generation(conn, p, live[p.name])
        return [s for s in self.status() if s.name in names]

    def _drop_generation(self, conn: Connection, projection: Projection, gen: int) -> None:
        for table in projection.tables:
            conn.execute(delete(table).where(table.c.gen == gen))
        conn.execute(delete(projection_tracking).where(
            (projection_tracking.c.name == projection.name) & (projection_tracking.c.gen == gen)))
