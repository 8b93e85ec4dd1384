"""Audit trail benchmark: one page of the audit (50 decisions) beside the whole trail on one page
(what the page did before paging), and the streamed CSV of every decision.

Prints `name: value` lines.

    python bench/audit.py [--backend sqlite|postgres|both] [--workers 20] [--decisions 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datetime import timedelta  # noqa: E402

from bench.projections import START, drop_postgres, settings_for  # noqa: E402
from portfolio.domain import clock  # noqa: E402
from portfolio.runtime import init_instance  # noqa: E402

COMPETENCES = ["REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "PRAC-1", "PRAC-2", "PRAC-3", "PRAC-4"]


def fill(app, workers: int, decisions: int) -> None:
    """Workers whose sign-off requests are returned and asked again, until there are `decisions` decisions."""
    sup = app.register_person("bench.supervisor", "Bench Supervisor", ["supervisor"], START.date())
    ids = []
    with clock.frozen_at(START):
        for n in range(workers):
            wid = app.register_person(f"bench.worker{n}", f"Worker {n}", ["peer_worker"], START.date())
            app.assign_supervisor(wid, sup, START.date())
            ids.append(wid)
    for k in range(decisions):
        wid, comp = ids[k % workers], COMPETENCES[(k // workers) % len(COMPETENCES)]
        with clock.frozen_at(START + timedelta(hours=k)):
            ev = app.add_evidence(wid, "Evidence", "reflection", "", [(comp, "Basic")])
            rid = app.request_sign_off(wid, comp, ["Basic"], [ev])
            app.return_sign_off(wid, rid, sup, "Not yet")


def timed_get(client, url: str) -> tuple[float, int]:
    """Best of three: seconds and bytes of the answer (a streamed answer read to its end)."""
    best, size = float("inf"), 0
    for _ in range(3):
        t0 = time.perf_counter()
        response = client.get(url)
        size = len(response.get_data())
        best = min(best, time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    return best, size


def run(backend: str, workers: int, decisions: int) -> None:
    import portfolio.web.org as org
    from portfolio.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        runtime, _, _ = init_instance(settings)
        try:
            fill(runtime.app, workers, decisions)
            auditor = runtime.app.register_person("bench.auditor", "Bench Auditor", ["auditor"], START.date())
            runtime.projector.catch_up_all()
            decisions = runtime.read_models().audit_count()
            runtime.close()
            flask_app = create_app(settings, testing=True)
            client = flask_app.test_client()
            with client.session_transaction() as session:
                session["sid"] = flask_app.extensions["portfolio"].app.sessions.start(auditor)
            print(f"{backend}.audit_decisions: {decisions}")
            seconds, size = timed_get(client, "/org/audit")
            print(f"{backend}.audit_page_ms: {seconds * 1000:.0f}  (50 rows)")
            print(f"{backend}.audit_page_bytes: {size}")
            seconds, size = timed_get(client, "/org/audit?page=2")
            print(f"{backend}.audit_page2_ms: {seconds * 1000:.0f}")
            per_page, org.AUDIT_PER_PAGE = org.AUDIT_PER_PAGE, 10 ** 9  # the whole trail on one page, as before
            seconds, size = timed_get(client, "/org/audit")
            org.AUDIT_PER_PAGE = per_page
            print(f"{backend}.audit_all_on_one_page_ms: {seconds * 1000:.0f}  ({decisions} rows, batched reads)")
            print(f"{backend}.audit_all_on_one_page_bytes: {size}")
            seconds, size = timed_get(client, "/org/audit.csv")
            print(f"{backend}.audit_csv_ms: {seconds * 1000:.0f}  (streamed, 500 a batch)")
            print(f"{backend}.audit_csv_bytes: {size}")
            flask_app.extensions["portfolio"].close()
        finally:
            if backend == "postgres":
                drop_postgres()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=3000)
    args = parser.parse_args()
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        run(backend, args.workers, args.decisions)


if __name__ == "__main__":
    main()
