"""Key-store benchmark: the cost of no lifetime key cache (erasure reaches every process).

Opens N sealed texts of one person three ways, side by side in one run:
- cached:      the old behaviour, an unwrapped key kept for the process's life (unsafe: an erasure
               in another process is not seen), reproduced here only as the baseline;
- revalidated: every open reads the wrapped key from the key table (what code outside a web
               request does);
- scoped:      inside KeyStore.scope(), one key-table read per person per request (what every web
               request does).
Prints `name: value` lines and the ratios to the cached baseline.

    python bench/keys.py [--backend sqlite|postgres|both] [--texts 2000]
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from projections import drop_postgres, settings_for  # noqa: E402

from portfolio.runtime import init_instance  # noqa: E402


def rate(n: int, fn) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def run(backend: str, texts: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runtime, _, _ = init_instance(settings_for(backend, Path(tmp)))
        try:
            keys = runtime.keys
            pid = runtime.app.register_person("bench.worker", "Bench Worker", ["peer_worker"])
            sealed = [keys.seal(pid, f"private words {i}") for i in range(texts)]
            it = iter(range(10**9))
            aesgcm = keys._key(pid)  # the old process-lifetime cache, as a baseline

            def cached():
                s = sealed[next(it) % texts]
                raw = base64.urlsafe_b64decode(s[3:])
                aesgcm.decrypt(raw[:12], raw[12:], pid.bytes)

            def revalidated():
                keys.open(pid, sealed[next(it) % texts])

            base = rate(texts, cached)
            plain = rate(texts, revalidated)
            with keys.scope():
                scoped = rate(texts, revalidated)
            print(f"{backend}.keys.cached_opens_per_s: {base:.0f}")
            print(f"{backend}.keys.revalidated_opens_per_s: {plain:.0f}")
            print(f"{backend}.keys.scoped_opens_per_s: {scoped:.0f}")
            print(f"{backend}.keys.revalidated_vs_cached: {plain / base:.3f}")
            print(f"{backend}.keys.scoped_vs_cached: {scoped / base:.3f}")
        finally:
            runtime.close()
            if backend == "postgres":
                drop_postgres()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--texts", type=int, default=2000)
    args = parser.parse_args()
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        run(backend, args.texts)


if __name__ == "__main__":
    main()
