"""Read side of the training register: programmes, and each worker's training against it.

A worker's training is what they attended of registered sessions (what a session covers comes from
the register) and their free-text records, which are 'unregistered'. Accredited hours are those of
sessions attended on a day the programme's accreditation covered (000:390-392).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from portfolio.projections.register_tables import accreditations, attendances, programme_sessions, programmes
from portfolio.projections.tables import projection_active, trainings

ZERO = Decimal("0.00")


def split(codes: str) -> list[str]:
    return [c for c in (codes or "").split(",") if c]


@dataclass
class Coverage:
    """One worker's training against the 15 elements and the register."""
    elements: dict[str, str] = field(default_factory=dict)  # element code -> "registered" / "unregistered"
    accredited_hours: Decimal = ZERO
    unaccredited_hours: Decimal = ZERO  # registered sessions attended outside any accreditation
    unregistered_hours: Decimal = ZERO  # free-text records: not checked against the register
    sessions_without_hours: int = 0  # registered sessions whose duration the register does not state
    over_long: int = 0  # sessions over 4 hours (000:388), registered or not


class RegisterReads:
    def __init__(self, engine: Engine):
        self.engine = engine

    @staticmethod
    def _gens(conn: Connection) -> tuple[int, int]:
        found = dict(conn.execute(select(projection_active.c.name, projection_active.c.gen)).all())
        return found.get("register", 1), found.get("portfolio", 1)

    def programmes(self) -> list:
        with self.engine.connect() as conn:
            gen, _ = self._gens(conn)
            return list(conn.execute(select(programmes).where(programmes.c.gen == gen)
                                     .order_by(programmes.c.registered_at)))

    def programme(self, programme_id: str) -> tuple | None:
        """(programme row, its sessions in order, its accreditations by start), or None."""
        with self.engine.connect() as conn:
            gen, _ = self._gens(conn)
            row = conn.execute(select(programmes).where(programmes.c.gen == gen,
                                                        programmes.c.programme_id == str(programme_id))).first()
            if row is None:
                return None
            s, a = programme_sessions, accreditations
            sessions = list(conn.execute(select(s).where(s.c.gen == gen, s.c.programme_id == row.programme_id)
                                         .order_by(s.c.position)))
            accs = list(conn.execute(select(a).where(a.c.gen == gen, a.c.programme_id == row.programme_id)
                                     .order_by(a.c.starts_on)))
            return row, sessions, accs

    def sessions(self, programme_id: str) -> list:
        found = self.programme(programme_id)
        return found[1] if found else []

    def _attended(self, conn: Connection, worker_id: str | None) -> tuple[list[dict], dict[str, list]]:
        gen, _ = self._gens(conn)
        t, s, p = attendances, programme_sessions, programmes
        query = (select(t.c.worker_id, t.c.attendance_id, t.c.programme_id, t.c.session_code, t.c.attended_on,
                        p.c.title.label("programme"), s.c.title, s.c.hours, s.c.competences, s.c.elements,
                        s.c.over_four_hours)
                 .join(s, (s.c.gen == gen) & (s.c.programme_id == t.c.programme_id) & (s.c.code == t.c.session_code))
                 .join(p, (p.c.gen == gen) & (p.c.programme_id == t.c.programme_id))
                 .where(t.c.gen == gen).order_by(t.c.attended_on.desc()))
        if worker_id is not None:
            query = query.where(t.c.worker_id == str(worker_id))
        accs: dict[str, list] = {}
        for a in conn.execute(select(accreditations).where(accreditations.c.gen == gen)):
            accs.setdefault(a.programme_id, []).append(a)
        rows = []
        for r in conn.execute(query):
            acc = accredited_on(accs.get(r.programme_id, []), r.attended_on)
            rows.append(dict(r._mapping, accredited_by=acc.institution if acc else None,
                             competences=split(r.competences), elements=split(r.elements)))
        return rows, accs

    def worker_training(self, worker_id: str) -> tuple[list[dict], list]:
        """(sessions attended, newest first, each with what it covers and the accreditation that held on
        the day; the worker's unregistered records, newest first)."""
        with self.engine.connect() as conn:
            attended, _ = self._attended(conn, worker_id)
            _, pgen = self._gens(conn)
            free = list(conn.execute(select(trainings).where(trainings.c.gen == pgen,
                                                             trainings.c.worker_id == str(worker_id))
                                     .order_by(trainings.c.held_on.desc())))
        return attended, free

    def coverage(self, worker_ids: list[str]) -> dict[str, Coverage]:
        """Coverage of the elements and hours per worker (the organisation is small: one pass each)."""
        out = {str(w): Coverage() for w in worker_ids}
        with self.engine.connect() as conn:
            attended, _ = self._attended(conn, None)
            _, pgen = self._gens(conn)
            free = list(conn.execute(select(trainings.c.worker_id, trainings.c.hours, trainings.c.elements,
                                            trainings.c.over_four_hours).where(trainings.c.gen == pgen)))
        for r in attended:
            c = out.get(r["worker_id"])
            if c is None:
                continue
            for code in r["elements"]:
                c.elements[code] = "registered"
            if r["hours"] is None:
                c.sessions_without_hours += 1
            elif r["accredited_by"]:
                c.accredited_hours += r["hours"]
            else:
                c.unaccredited_hours += r["hours"]
            c.over_long += bool(r["over_four_hours"])
        for r in free:
            c = out.get(r.worker_id)
            if c is None:
                continue
            for code in split(r.elements):
                c.elements.setdefault(code, "unregistered")
            c.unregistered_hours += r.hours
            c.over_long += bool(r.over_four_hours)
        return out


def accredited_on(accs: list, day: date):
    return next((a for a in accs if a.starts_on <= day and (a.ends_on is None or day <= a.ends_on)), None)
