"""Read side: plain SQL over the read models (the live generation, or an as-of copy).

Every result is metadata or ciphertext; personal text is opened by the caller, per item, only
for a permitted reader.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection, Engine

from portfolio.domain.stages import StageReport, assess, core_codes
from portfolio.domain.values import LEVELS
from portfolio.projections.tables import (assignments, evidence, goals, leave, matrix, people, positions,
                                          projection_active, reflections, requests, supervisions, timeline,
                                          trainings)

OWNER = {t: "people" for t in (people, positions, leave, assignments)}


SHARED_REFLECTIONS_SHOWN = 10  # on the supervision summary, newest first


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Policy:
    """What the stage computation needs from the frameworks: competence codes and the stage policy."""
    competences: list[str]
    stages: dict


class ReadModels:
    def __init__(self, engine: Engine, policy: Policy, generations: dict[str, int] | None = None):
        self.engine, self.policy, self._fixed = engine, policy, generations

    def _gens(self, conn: Connection) -> dict[str, int]:
        if self._fixed is not None:
            return self._fixed
        found = dict(conn.execute(select(projection_active.c.name, projection_active.c.gen)).all())
        return {"people": found.get("people", 1), "portfolio": found.get("portfolio", 1)}

    def _gen(self, table, gens: dict[str, int]):
        return table.c.gen == gens[OWNER.get(table, "portfolio")]

    # --- people -----------------------------------------------------------------------------
    def people(self) -> list:
        with self.engine.connect() as conn:
            g = self._gens(conn)
            return list(conn.execute(select(people).where(self._gen(people, g)).order_by(people.c.username)))

    def supervisees(self, supervisor_id: str, on: date) -> list[str]:
        with self.engine.connect() as conn:
            return self._supervisees(conn, self._gens(conn), supervisor_id, on)

    def _supervisees(self, conn, g, supervisor_id: str, on: date) -> list[str]:
        a = assignments
        rows = conn.execute(select(a.c.worker_id).where(
            self._gen(a, g), a.c.supervisor_id == str(supervisor_id), a.c.starts_on <= on,
            or_(a.c.ends_on.is_(None), a.c.ends_on >= on)).distinct())
        return [r.worker_id for r in rows]

    # --- competency matrix and stage --------------------------------------------------------
    def matrix(self, worker_id: str) -> dict[tuple[str, str], dict]:
        with self.engine.connect() as conn:
            g = self._gens(conn)
            rows = conn.execute(select(matrix).where(self._gen(matrix, g), matrix.c.worker_id == str(worker_id)))
            return {(r.competence, r.level): dict(r._mapping) for r in rows}

    def stage(self, worker_id: str, on: date) -> StageReport:
        with self.engine.connect() as conn:
            return self._stage(conn, self._gens(conn), str(worker_id), on)

    def _stage(self, conn, g, worker_id: str, on: date) -> StageReport:
        held: dict[str, list[str]] = {}
        for r in conn.execute(select(matrix.c.competence, matrix.c.level).where(
                self._gen(matrix, g), matrix.c.worker_id == worker_id, matrix.c.state == "signed")):
            held.setdefault(r.competence, []).append(r.level)
        shown = core_codes(c for r in conn.execute(select(reflections.c.competences, reflections.c.tags).where(
            self._gen(reflections, g), reflections.c.worker_id == worker_id, reflections.c.written_at <= end_of(on)))
            for c in f"{r.competences},{r.tags}".split(",") if c)
        return assess(self._positions(conn, g, worker_id), held, self.policy.competences, self.policy.stages, on,
                      leave=self._leave(conn, g, worker_id), core_shown=shown)

    def _leave(self, conn, g, worker_id: str) -> list[dict]:
        rows = conn.execute(select(leave).where(self._gen(leave, g), leave.c.person_id == worker_id,
                                                leave.c.withdrawn.is_(False)).order_by(leave.c.starts_on))
        return [{"starts_on": r.starts_on, "ends_on": r.ends_on, "kind": r.kind, "leave_id": r.leave_id}
                for r in rows]

    def leave(self, worker_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            return self._leave(conn, self._gens(conn), str(worker_id))

    def _positions(self, conn, g, worker_id: str) -> list[dict]:
        rows = conn.execute(select(positions).where(self._gen(positions, g), positions.c.person_id == worker_id)
                            .order_by(positions.c.starts_on))
        return [{"position": r.position, "starts_on": r.starts_on, "induction_days": r.induction_days} for r in rows]

    def stage_reports(self, days: list[date], worker_ids: list[str] | None = None,
                      supervisor_id: str | None = None) -> dict[str, list[StageReport]]:
        """Each peer worker's stage report on each of `days` (not erased; only these workers, or only
        the supervisor's on days[0], if given), read in three queries for all of them."""
        with self.engine.connect() as conn:
            g = self._gens(conn)
            query = select(people.c.person_id).where(self._gen(people, g), people.c.erased_at.is_(None), or_(
                people.c.roles.contains("peer_worker"),  # a manager in a position holds a portfolio too
                people.c.person_id.in_(select(positions.c.person_id).where(self._gen(positions, g)))))
            if worker_ids is not None:
                query = query.where(people.c.person_id.in_([str(w) for w in worker_ids]))
            if supervisor_id is not None:
                query = query.where(people.c.person_id.in_(self._supervisees(conn, g, supervisor_id, days[0])))
            workers = list(conn.execute(query).scalars())
            held: dict[str, dict[str, list[str]]] = {w: {} for w in workers}
            for r in conn.execute(select(matrix.c.worker_id, matrix.c.competence, matrix.c.level).where(
                    self._gen(matrix, g), matrix.c.state == "signed", matrix.c.worker_id.in_(workers))):
                held[r.worker_id].setdefault(r.competence, []).append(r.level)
            held_positions: dict[str, list[dict]] = {w: [] for w in workers}
            for r in conn.execute(select(positions).where(self._gen(positions, g), positions.c.person_id.in_(workers))
                                  .order_by(positions.c.starts_on)):
                held_positions[r.person_id].append(
                    {"position": r.position, "starts_on": r.starts_on, "induction_days": r.induction_days})
            away: dict[str, list[dict]] = {w: [] for w in workers}
            for r in conn.execute(select(leave).where(self._gen(leave, g), leave.c.person_id.in_(workers),
                                                      leave.c.withdrawn.is_(False)).order_by(leave.c.starts_on)):
                away[r.person_id].append({"starts_on": r.starts_on, "ends_on": r.ends_on, "kind": r.kind,
                                          "leave_id": r.leave_id})
            tagged: dict[str, list[tuple[datetime, str]]] = {w: [] for w in workers}
            for r in conn.execute(select(reflections.c.worker_id, reflections.c.written_at, reflections.c.competences,
                                         reflections.c.tags)
                                  .where(self._gen(reflections, g), reflections.c.worker_id.in_(workers))):
                tagged[r.worker_id].extend((r.written_at, c) for c in f"{r.competences},{r.tags}".split(",") if c)

        def shown(w: str, day: date):
            return core_codes(c for at, c in tagged[w] if at <= end_of(day))
        return {w: [assess(held_positions[w], held[w], self.policy.competences, self.policy.stages, day,
                           leave=away[w], core_shown=shown(w, day)) for day in days] for w in workers}

    # --- timeline ---------------------------------------------------------------------------
    def timeline(self, worker_id: str, page: int = 1, per_page: int = 50) -> tuple[list, int]:
        t = timeline
        with self.engine.connect() as conn:
            g = self._gens(conn)
            where = and_(self._gen(t, g), t.c.worker_id == str(worker_id))
            total = conn.execute(select(func.count()).select_from(t).where(where)).scalar_one()
            rows = conn.execute(select(t).where(where).order_by(t.c.at.desc(), t.c.originator_version.desc())
                                .limit(per_page).offset((max(page, 1) - 1) * per_page))
            return list(rows), total

    # --- supervisor queue -------------------------------------------------------------------
    def queue(self, supervisor_id: str, on: date) -> list[dict]:
        """Open requests of the supervisor's current supervisees, oldest first."""
        r = requests
        with self.engine.connect() as conn:
            g = self._gens(conn)
            workers = self._supervisees(conn, g, supervisor_id, on)
            if not workers:
                return []
            rows = conn.execute(select(r).where(self._gen(r, g), r.c.status == "open", r.c.worker_id.in_(workers))
                                .order_by(r.c.requested_at))
            return [dict(row._mapping, age_days=(on - row.requested_at.date()).days) for row in rows]

    def open_request_counts(self) -> dict[str, int]:
        """Open sign-off requests per worker (for spotting requests nobody active can decide)."""
        r = requests
        with self.engine.connect() as conn:
            g = self._gens(conn)
            rows = conn.execute(select(r.c.worker_id, func.count()).where(self._gen(r, g), r.c.status == "open")
                                .group_by(r.c.worker_id))
            return {str(w): n for w, n in rows}

    # --- supervision summary ----------------------------------------------------------------
    def supervision_summary(self, worker_id: str, on: date) -> dict:
        worker_id = str(worker_id)
        s, rf, rq, gl = supervisions, reflections, requests, goals
        with self.engine.connect() as conn:
            g = self._gens(conn)
            sessions = list(conn.execute(select(s).where(self._gen(s, g), s.c.worker_id == worker_id,
                                                         s.c.held_on <= on).order_by(s.c.held_on.desc())))
            last = sessions[0] if sessions else None
            # Shared means readable while shared (not only until the next session): the latest shared.
            shared = list(conn.execute(select(rf).where(
                self._gen(rf, g), rf.c.worker_id == worker_id, rf.c.exposure != "private",
                rf.c.exposure_changed_at <= end_of(on))
                .order_by(rf.c.exposure_changed_at.desc()).limit(SHARED_REFLECTIONS_SHOWN)))
            recent = end_of(on) - timedelta(days=30)
            sign_offs = list(conn.execute(select(rq).where(
                self._gen(rq, g), rq.c.worker_id == worker_id,
                or_(rq.c.status == "open", rq.c.decided_at >= recent, rq.c.closed_at >= recent))
                .order_by(rq.c.requested_at)))
            # Open goals due within 30 days; shared goals too while open or closed in the last 30 days.
            due_soon = and_(gl.c.status == "open", gl.c.due_on.is_not(None), gl.c.due_on <= on + timedelta(days=30))
            shared_now = and_(gl.c.exposure != "private", gl.c.exposure_changed_at <= end_of(on),
                              or_(gl.c.status == "open", gl.c.reviewed_at >= recent))
            due = list(conn.execute(select(gl).where(
                self._gen(gl, g), gl.c.worker_id == worker_id, or_(due_soon, shared_now))
                .order_by(gl.c.due_on.is_(None), gl.c.due_on, gl.c.set_at)))
            stage = self._stage(conn, g, worker_id, on)
        return {
            "last_session": last.held_on if last else None,
            "days_since_last": (on - last.held_on).days if last else None,
            "sessions_90_days": sum(1 for x in sessions if x.held_on > on - timedelta(days=90)),
            "open_actions": last.actions_sealed if last else None,  # agreed at the last session
            "last_supervision_id": last.supervision_id if last else None,
            "shared_reflections": shared,
            "sign_offs": sign_offs,
            "goals_due": due,
            "stage": stage,
        }

    # --- organisation progression -----------------------------------------------------------
    def progression(self, on: date) -> dict:
        """Workers per stage held, and per competence x level signed, as the tables stand."""
        with self.engine.connect() as conn:
            g = self._gens(conn)
            workers = [r.person_id for r in conn.execute(select(people.c.person_id).where(
                self._gen(people, g), people.c.joined_on <= on, or_(  # a manager in a position holds one too
                    people.c.roles.contains("peer_worker"), people.c.person_id.in_(
                        select(positions.c.person_id).where(self._gen(positions, g))))))]
            stages = {s["code"]: 0 for s in self.policy.stages["stages"]}
            stages["none"] = 0
            for w in workers:
                held = self._stage(conn, g, w, on).held
                stages[held or "none"] += 1
            cells = {(c, lv): 0 for c in self.policy.competences for lv in LEVELS}
            for r in conn.execute(select(matrix.c.competence, matrix.c.level, func.count()).where(
                    self._gen(matrix, g), matrix.c.state == "signed").group_by(matrix.c.competence, matrix.c.level)):
                cells[(r[0], r[1])] = r[2]
        return {"workers": len(workers), "stages": stages, "signed": cells}

    def progression_by_month(self, start: date, end: date) -> list[dict]:
        """Signed levels per month end, from the sign-off history (approvals not yet revoked then)."""
        r = requests
        with self.engine.connect() as conn:
            g = self._gens(conn)
            decisions = list(conn.execute(select(r.c.worker_id, r.c.competence, r.c.levels, r.c.decided_at,
                                                 r.c.closed_at).where(self._gen(r, g), r.c.decided_at.is_not(None),
                                                                      r.c.status.in_(("approved", "revoked")))))
            months, day = [], date(start.year, start.month, 1)
            while day <= end:
                nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
                month_end = end_of(nxt - timedelta(days=1))
                held: dict[str, dict[str, list[str]]] = {}
                for d in decisions:
                    if d.decided_at <= month_end and (d.closed_at is None or d.closed_at > month_end):
                        held.setdefault(d.worker_id, {}).setdefault(d.competence, []).extend(d.levels.split(","))
                signed = {lv: sum(lv in lvls for w in held.values() for lvls in w.values()) for lv in LEVELS}
                stages = {s["code"]: 0 for s in self.policy.stages["stages"]}
                for w, levels in held.items():
                    report = assess(self._positions(conn, g, w), levels, self.policy.competences,
                                    self.policy.stages, nxt - timedelta(days=1), leave=self._leave(conn, g, w))
                    if report.held:
                        stages[report.held] += 1
                months.append({"month": day.strftime("%Y-%m"), "signed": signed, "stages": stages})
                day = nxt
        return months

    # --- accreditation audit ------------------------------------------------------------------
    def _audit_where(self, g, start, end, supervisor_id, competence, status) -> list:
        r = requests
        where = [self._gen(r, g), r.c.decided_at.is_not(None)]
        if start:
            where.append(r.c.decided_at >= datetime.combine(start, time.min, tzinfo=timezone.utc))
        if end:
            where.append(r.c.decided_at <= end_of(end))
        if supervisor_id:
            where.append(r.c.decided_by == str(supervisor_id))
        if competence:
            where.append(r.c.competence == competence)
        if status:
            where.append(r.c.status == status)
        return where

    def audit(self, start: date | None = None, end: date | None = None, supervisor_id: str | None = None,
              competence: str | None = None, status: str | None = None, limit: int | None = None,
              offset: int = 0) -> list[dict]:
        """Sign-off decisions, oldest first, with who decided, whether assigned then, evidence and flags.
        Filters and paging run in SQL; the extra facts are read in a few queries for the page only."""
        with self.engine.connect() as conn:
            g = self._gens(conn)
            query = (select(requests).where(*self._audit_where(g, start, end, supervisor_id, competence, status))
                     .order_by(requests.c.decided_at, requests.c.request_id).offset(offset))
            if limit is not None:
                query = query.limit(limit)
            return self._audit_rows(conn, g, list(conn.execute(query)))

    def audit_count(self, start: date | None = None, end: date | None = None, supervisor_id: str | None = None,
                    competence: str | None = None, status: str | None = None) -> int:
        with self.engine.connect() as conn:
            g = self._gens(conn)
            return conn.execute(select(func.count()).select_from(requests).where(
                *self._audit_where(g, start, end, supervisor_id, competence, status))).scalar_one()

    def audit_batches(self, batch: int = 500, **filters):
        """Every matching decision, a batch at a time (for a streamed export)."""
        offset = 0
        while True:
            rows = self.audit(limit=batch, offset=offset, **filters)
            if not rows:
                return
            yield rows
            offset += batch

    def _audit_rows(self, conn, g, rows: list) -> list[dict]:
        if not rows:
            return []
        workers = {row.worker_id for row in rows}
        days = [row.decided_at.date() for row in rows]
        assigned = {}  # (worker, supervisor) -> [(starts_on, ends_on)]
        for a in conn.execute(select(assignments).where(self._gen(assignments, g),
                                                        assignments.c.worker_id.in_(workers))):
            assigned.setdefault((a.worker_id, a.supervisor_id), []).append((a.starts_on, a.ends_on))
        held = {}  # worker -> supervision dates in the window the page needs
        for s in conn.execute(select(supervisions.c.worker_id, supervisions.c.held_on).where(
                self._gen(supervisions, g), supervisions.c.worker_id.in_(workers),
                supervisions.c.held_on >= min(days) - timedelta(days=90), supervisions.c.held_on <= max(days))):
            held.setdefault(s.worker_id, []).append(s.held_on)
        ev_ids = {e for row in rows for e in row.evidence_ids.split(",") if e}
        # Structure only: kind, dates, state. Titles are the worker's words (sealed), not shown here.
        evs = {e.evidence_id: e for e in conn.execute(
            select(evidence.c.evidence_id, evidence.c.kind, evidence.c.added_at, evidence.c.withdrawn,
                   evidence.c.exposure, evidence.c.links).where(
                self._gen(evidence, g), evidence.c.evidence_id.in_(ev_ids)))} if ev_ids else {}
        linked = {x for e in evs.values() for x in e.links.split(",") if x}
        unaccredited = dict(conn.execute(select(trainings.c.training_id, trainings.c.held_on).where(
            self._gen(trainings, g), trainings.c.training_id.in_(linked),
            trainings.c.accredited.is_(False))).all()) if linked else {}  # dates, not titles
        erased = dict(conn.execute(select(people.c.person_id, people.c.erased_at).where(
            self._gen(people, g), people.c.person_id.in_({row.decided_by for row in rows}))).all())
        states = {(m.worker_id, m.competence, m.level): m.state for m in conn.execute(
            select(matrix.c.worker_id, matrix.c.competence, matrix.c.level, matrix.c.state).where(
                self._gen(matrix, g), matrix.c.worker_id.in_(workers),
                matrix.c.competence.in_({row.competence for row in rows})))}
        out = []
        for row, day in zip(rows, days):
            was_assigned = any(s <= day and (e is None or e >= day)
                               for s, e in assigned.get((row.worker_id, row.decided_by), []))
            recent_sessions = sum(day - timedelta(days=90) <= h <= day for h in held.get(row.worker_id, []))
            ev = sorted((evs[e] for e in row.evidence_ids.split(",") if e in evs), key=lambda e: e.added_at)
            untrained = sorted(unaccredited[x] for x in {x for e in ev for x in e.links.split(",")} if x in unaccredited)
            flags = []
            if not was_assigned:
                flags.append("decided by someone not assigned then")
            decider_erased = erased.get(row.decided_by)
            if decider_erased is not None and row.decided_at >= decider_erased:
                flags.append("decided after the decider's account was erased")
            if row.status == "approved" and self._below_missing(states, row):
                flags.append("level held without the level below")
            if row.status == "revoked":
                flags.append("revoked")
            if row.status in ("approved", "revoked") and not recent_sessions:
                flags.append("no supervision in the 90 days before")
            if untrained:
                flags.append("training from a programme not accredited")
            if row.status == "approved" and any(e.withdrawn for e in ev):
                flags.append("evidence withdrawn after the request")
            if row.status == "approved" and any(e.exposure == "private" and not e.withdrawn for e in ev):
                flags.append("evidence made private after the request")
            out.append(dict(row._mapping, assigned_then=was_assigned, evidence=ev, flags=flags,
                            sessions_90_days=recent_sessions, unaccredited_trainings=untrained))
        return out

    @staticmethod
    def _below_missing(states: dict, row) -> bool:
        lowest = LEVELS.index(row.levels.split(",")[0])
        if lowest == 0:
            return False
        return states.get((row.worker_id, row.competence, LEVELS[lowest - 1])) != "signed"

    # --- the worker's own lists ---------------------------------------------------------------
    def my_list(self, kind: str, worker_id: str, page: int = 1, per_page: int = 25, **filters) -> tuple[list, int]:
        """One page of the worker's items of a kind, newest first, and how many match in all."""
        table, when = MY_LISTS[kind][:2]
        with self.engine.connect() as conn:
            g = self._gens(conn)
            where = [self._gen(table, g), table.c.worker_id == str(worker_id), *_my_list_where(kind, **filters)]
            total = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            rows = conn.execute(select(table).where(*where).order_by(table.c[when].desc(), list(table.primary_key)[1])
                                .limit(per_page).offset((max(page, 1) - 1) * per_page))
            return list(rows), total

    # --- tags ---------------------------------------------------------------------------------
    def tag_counts(self, worker_id: str, shared_only: bool = False) -> dict[str, dict[str, dict[str, int]]]:
        """catalogue -> code -> {"reflections": n, "evidence": n}: how many of the worker's items carry
        each tag (withdrawn evidence does not count). `shared_only`: only items not private, for a
        supervisor, who cannot see a private item nor so its tags."""
        counts: dict[str, dict[str, dict[str, int]]] = {}
        with self.engine.connect() as conn:
            g = self._gens(conn)
            for kind, table in (("reflections", reflections), ("evidence", evidence)):
                where = [self._gen(table, g), table.c.worker_id == str(worker_id), table.c.tags != ""]
                if table is evidence:
                    where.append(evidence.c.withdrawn.is_(False))
                if shared_only:
                    where.append(table.c.exposure != "private")
                for (value,) in conn.execute(select(table.c.tags).where(*where)):
                    for tag in value.split(","):
                        catalogue, _, code = tag.partition(":")
                        per = counts.setdefault(catalogue, {}).setdefault(code, {"reflections": 0, "evidence": 0})
                        per[kind] += 1
        return counts


AUDIT_COLUMNS = ["request_id", "worker", "competence", "levels", "status", "requested_at", "decided_at",
                 "decided_by", "decided_role", "assigned_then", "framework_id", "framework_version",
                 "evidence_count", "evidence", "closed_at", "revoked_by", "flags"]


def audit_csv_lines(batches, names):
    """The audit trail as CSV lines, a batch at a time: structure only, no one's own words.
    names(person_id) gives a name as the viewer may see it."""
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(AUDIT_COLUMNS)
    yield flush()
    for rows in batches:
        for r in rows:
            writer.writerow([
                r["request_id"], names(r["worker_id"]), r["competence"], r["levels"], r["status"],
                r["requested_at"].isoformat(), r["decided_at"].isoformat(),
                names(r["decided_by"]), r["decided_role"], "yes" if r["assigned_then"] else "no",
                r["framework_id"], r["framework_version"], r["evidence_count"],
                "; ".join(f"{e.kind} added {e.added_at.date().isoformat()}{', withdrawn' if e.withdrawn else ''}"
                          for e in r["evidence"]),
                r["closed_at"].isoformat() if r["closed_at"] else "", names(r["revoked_by"]) if r["revoked_by"] else "",
                "; ".join(r["flags"]),
            ])
        yield flush()


def audit_csv(rows: list[dict], names: dict[str, str]) -> str:
    """CSV of the audit trail in one string (names as the viewer may see them)."""
    return "".join(audit_csv_lines([rows], lambda p: names.get(p, p)))


# --- the worker's own lists (filters and paging done in the database) -----------------------------
MY_LISTS = {  # kind -> (table, date column, competence column, has tier, has template)
    "reflections": (reflections, "written_at", "competences", True, True),
    "evidence": (evidence, "added_at", "claims", True, False),
    "training": (trainings, "held_on", None, False, False),
    "supervision": (supervisions, "held_on", None, True, False),
    "goals": (goals, "set_at", "competences", True, False),
}


def _padded_has(column, entry: str):
    """The comma-joined column holds `entry` whole (LIKE's wildcards in it escaped)."""
    escaped = entry.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return ("," + column + ",").like(f"%,{escaped},%", escape="\\")


def _my_list_where(kind: str, competence=None, level=None, tier=None, start=None, end=None, template=None,
                   tag=None, format=None) -> list:  # noqa: A002 - the filter's public name
    table, when, codes, has_tier, has_template = MY_LISTS[kind]
    where = []
    col = table.c[when]
    if start is not None:
        where.append(col >= (start if when == "held_on" else datetime.combine(start, time.min, tzinfo=timezone.utc)))
    if end is not None:
        where.append(col <= (end if when == "held_on" else end_of(end)))
    if codes == "claims":  # "REL-1:Basic,REL-2:Basic": match whole entries, with commas round the list
        padded = "," + table.c.claims + ","
        if competence and level:
            where.append(padded.like(f"%,{competence}:{level},%"))
        elif competence:
            where.append(padded.like(f"%,{competence}:%"))
        elif level:
            where.append(padded.like(f"%:{level},%"))
    elif codes and competence:
        where.append(("," + table.c[codes] + ",").like(f"%,{competence},%"))
    if tag:
        where.append(_padded_has(table.c.tags, tag))
    if has_tier and tier:
        where.append(table.c.exposure == tier)
    if has_template and template:
        where.append(table.c.template == template)
    if format and "format" in table.c:  # only the supervision list offers it
        where.append(table.c.format == format)
    return where
