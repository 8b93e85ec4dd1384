"""Projection benchmarks: rebuild rate, memory, as-of latency, beside a plain read-and-decode.

Prints `name: value` lines. Each rate is printed with the plain read-and-decode rate of the
same events measured in the same run, as a ratio, so machine noise largely cancels out.

    python bench/projections.py [--backend sqlite|postgres|both] [--workers 50] [--events-per-worker 1000]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portfolio.config import Settings  # noqa: E402
from portfolio.domain import clock  # noqa: E402
from portfolio.projections.asof import worker_as_of  # noqa: E402
from portfolio.runtime import init_instance  # noqa: E402

MASTER = "W2u3kqQy6e7cE2c0XG4b7eF0bq8o9N0wJ3zqk1h2m4A="
START = datetime(2023, 1, 2, 9, tzinfo=timezone.utc)


def settings_for(backend: str, tmp: Path) -> Settings:
    env = {"PORTFOLIO_INSTANCE_PATH": str(tmp / backend), "PORTFOLIO_MASTER_KEY": MASTER}
    if backend == "postgres":
        import psycopg

        name = f"portfolio_bench_{os.getpid()}"
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["PORTFOLIO_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    return Settings.from_env(env)


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "portfolio_bench_{os.getpid()}" WITH (FORCE)')


def fill(app, workers: int, per_worker: int) -> list[uuid.UUID]:
    """Workers with long, varied histories, written through the domain (saved a worker at a time)."""
    sup = app.register_person("bench.supervisor", "Bench Supervisor", ["supervisor"], START.date())
    ids = []
    for n in range(workers):
        with clock.frozen_at(START):
            wid = app.register_person(f"bench.worker{n}", f"Worker {n}", ["peer_worker"], START.date())
            app.start_position(wid, "peer_worker", START.date(), 90)
            app.assign_supervisor(wid, sup, START.date())
        worker, pf = app.person(wid), app.portfolio(wid)
        sealed = app.keys.seal(wid, "private words")
        competences = ["REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "GOAL-4", "PRAC-1", "PRAC-2",
                       "PRAC-3", "PRAC-4"]
        step = 0
        while pf.version < per_worker:
            moment = START + timedelta(hours=6 * step)
            with clock.frozen_at(moment):
                kind = step % 6
                if kind == 0:
                    pf.record_training(uuid.uuid4(), sealed, sealed, moment.date(), Decimal("3"), "online",
                                       ["TE-1"], True, sealed, {})
                elif kind == 1:
                    pf.record_supervision(uuid.uuid4(), moment.date(), sup, "task", "one_to_one", "video", 60,
                                          sealed, sealed, sealed, worker)
                elif kind == 2:
                    pf.write_reflection(uuid.uuid4(), "free", sealed, sealed, ["REL-1"])
                elif kind in (3, 4):
                    comp = competences[(step // 6) % len(competences)]
                    held = pf.held_levels(comp)
                    if len(held) < 4 and not pf.open_request(comp):
                        level = ["Basic", "Intermediate", "Advanced", "Leader"][len(held)]
                        ev = uuid.uuid4()
                        pf.add_evidence(ev, sealed, "reflection", sealed, [{"competence": comp, "level": level}],
                                        "worker-competences", "1", None)
                        pf.request_sign_off(uuid.uuid4(), comp, [level], [ev], "worker-competences", "1")
                    elif pf.open_request(comp):
                        pf.approve(uuid.UUID(pf.open_request(comp)["id"]), sup, worker, "supervisor")
                else:
                    pf.set_goal(uuid.uuid4(), sealed, [], None)
            step += 1
        app.save(pf)
        ids.append(wid)
    return ids


def read_and_decode(app) -> tuple[int, float]:
    count, start, t0 = 0, 1, time.perf_counter()
    while True:
        page = app.recorder.select_notifications(start=start, limit=500)
        for n in page:
            app.mapper.to_domain_event(n)
        count += len(page)
        if len(page) < 500:
            return count, time.perf_counter() - t0
        start = page[-1].id + 1


def rebuild_seconds(runtime) -> float:
    """Best of two rebuilds of every projection (one pass over the log for all of them)."""
    best = float("inf")
    for _ in range(2):
        gc.collect()
        t0 = time.perf_counter()
        runtime.projector.rebuild()
        best = min(best, time.perf_counter() - t0)
    return best


def rebuild_peak_memory(runtime) -> int:
    """Peak Python memory during a rebuild (traced separately: tracing slows everything down)."""
    gc.collect()
    tracemalloc.start()
    runtime.projector.rebuild()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def bench(backend: str, workers: int, per_worker: int, tmp: Path) -> None:
    settings = settings_for(backend, tmp)
    runtime, _, _ = init_instance(settings)
    try:
        ids = fill(runtime.app, workers, per_worker)
        runtime.projector.catch_up_all()
        events, plain_s = read_and_decode(runtime.app)
        plain_rate = events / plain_s
        print(f"{backend}.events: {events}")
        print(f"{backend}.read_decode_events_per_s: {plain_rate:,.0f}")
        seconds = rebuild_seconds(runtime)
        rate = events / seconds
        print(f"{backend}.rebuild_events_per_s: {rate:,.0f}  (all {len(runtime.projector.projections)} "
              f"projections; target {'20,000' if backend == 'sqlite' else '2,000'})")
        print(f"{backend}.rebuild_vs_read_decode_ratio: {rate / plain_rate:.2f}")
        peak_full = rebuild_peak_memory(runtime)
        print(f"{backend}.rebuild_peak_python_memory_mb: {peak_full / 1e6:.1f}")
        # Memory flat in the number of events: a rebuild of half the workers' history for comparison.
        small = settings_for(backend, tmp / "small") if backend == "sqlite" else None
        if small is not None:
            rt2, _, _ = init_instance(small)
            fill(rt2.app, max(1, workers // 2), per_worker)
            peak_half = rebuild_peak_memory(rt2)
            rt2.close()
            print(f"{backend}.rebuild_peak_memory_ratio_full_vs_half: {peak_full / peak_half:.2f}  "
                  f"(1.0 = flat in the number of events)")
        policy = runtime.policy()
        worker_events = runtime.app.portfolio(ids[0]).version
        timings = []
        for _ in range(5):
            t0 = time.perf_counter()
            view = worker_as_of(runtime.app, policy, ids[0], datetime.now(timezone.utc))
            view.matrix(str(ids[0]))
            view.timeline(str(ids[0]))
            timings.append(time.perf_counter() - t0)
        best = min(timings)
        print(f"{backend}.as_of_worker_events: {worker_events}")
        print(f"{backend}.as_of_worker_ms: {best * 1000:.1f}  (target < 100)")
        print(f"{backend}.as_of_vs_read_decode_ratio: {(worker_events / best) / plain_rate:.2f}")
    finally:
        runtime.close()
        if backend == "postgres":
            drop_postgres()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--events-per-worker", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
            bench(backend, args.workers, args.events_per_worker, Path(tmp))


if __name__ == "__main__":
    main()
