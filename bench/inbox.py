"""What the unread count in the navigation costs each page view.

The same pages are asked for with the badge on and with it off (its queries replaced by zero), side
by side in one run, for a worker and a supervisor who each hold `--decisions` notifications, most
of them unread. Prints `name: value` lines; the ratio is the page time with the badge over without.

    python bench/inbox.py [--backend sqlite|postgres|both] [--decisions 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.audit import fill  # noqa: E402
from bench.projections import START, drop_postgres, settings_for  # noqa: E402
from portfolio.runtime import init_instance  # noqa: E402

ROUNDS = 30


def once(client, url: str) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    response.get_data()
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - t0


def side_by_side(client, url: str) -> tuple[float, float]:
    """Median ms with the badge and without, alternating request by request (the machine is noisy)."""
    on, off = [], []
    for _ in range(ROUNDS):
        on.append(once(client, url))
        restore = badge_off()
        try:
            off.append(once(client, url))
        finally:
            restore()
    return statistics.median(on) * 1000, statistics.median(off) * 1000


def badge_off():
    """Replace the badge's query by a constant; returns a function that puts them back."""
    from portfolio.projections import inbox as queries

    saved = queries.unread_count
    queries.unread_count = lambda *a, **k: 0

    def restore():
        queries.unread_count = saved
    return restore


def run(backend: str, decisions: int) -> None:
    from portfolio.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        runtime, _, _ = init_instance(settings)
        try:
            fill(runtime.app, 1, decisions)  # one worker, every decision a notification for her
            runtime.projector.catch_up_all()
            people = {p.username: p.id for p in runtime.app.people()}
            runtime.close()
            flask_app = create_app(settings, testing=True)
            sessions = flask_app.extensions["portfolio"].app.sessions
            print(f"{backend}.notifications_per_person: {decisions}")
            for who, url in (("bench.worker0", "/me"), ("bench.supervisor", "/supervise")):
                client = flask_app.test_client()
                with client.session_transaction() as session:
                    session["sid"] = sessions.start(people[who])
                side_by_side(client, url)  # warm up
                with_badge, without = side_by_side(client, url)
                role = who.split(".")[1].rstrip("0")
                print(f"{backend}.{role}_page_with_badge_ms: {with_badge:.1f}")
                print(f"{backend}.{role}_page_without_badge_ms: {without:.1f}")
                print(f"{backend}.{role}_badge_cost_ms: {with_badge - without:.1f}")
                print(f"{backend}.{role}_with_over_without: {with_badge / without:.2f}")
            flask_app.extensions["portfolio"].close()
        finally:
            if backend == "postgres":
                drop_postgres()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--decisions", type=int, default=2000)
    args = parser.parse_args()
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        run(backend, args.decisions)


if __name__ == "__main__":
    main()
