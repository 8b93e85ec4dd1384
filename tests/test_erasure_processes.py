"""Erasure takes effect in every process at once: no process keeps a person's key after erasure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from portfolio.runtime import open_runtime

READER = textwrap.dedent("""
    import json, sys
    from portfolio.config import Settings
    from portfolio.runtime import open_runtime
    rt = open_runtime(Settings.from_env(json.loads(sys.argv[1])))
    worker, sealed = sys.argv[2], sys.argv[3]
    for line in sys.stdin:  # one read per line from the parent, answered on stdout
        print(json.dumps(rt.app.read_text(worker, sealed)), flush=True)
    rt.close()
""")


def _sealed_reflection_title(app, worker):
    rid = app.write_reflection(worker, "free", "My own story", "What happened to me", [])
    return app.portfolio(worker).reflections[str(rid)]["versions"][-1]["title_sealed"]


def test_a_second_runtime_cannot_read_after_the_first_erases(runtime, org, settings):
    app, wendy = runtime.app, org["wendy"]
    sealed = _sealed_reflection_title(app, wendy)
    other = open_runtime(settings)  # a second web process on the same store
    try:
        assert other.app.read_text(wendy, sealed) == "My own story"  # it has used the key once
        app.erase_worker(wendy, org["ada"], "REQ-1")
        assert other.app.read_text(wendy, sealed) is None
    finally:
        other.close()


def test_another_os_process_cannot_read_after_erasure(runtime, org, settings, tmp_path):
    app, wendy = runtime.app, org["wendy"]
    sealed = _sealed_reflection_title(app, wendy)
    env = {k: v for k, v in os.environ.items()}
    child_env = {"PORTFOLIO_INSTANCE_PATH": str(settings.instance_path), "PORTFOLIO_MASTER_KEY": settings.master_key_text}
    if settings.backend == "postgres":
        child_env["PORTFOLIO_DATABASE_URL"] = settings.database_url
    child = subprocess.Popen([sys.executable, "-c", READER, json.dumps(child_env), str(wendy), sealed],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        child.stdin.write("read\n"); child.stdin.flush()
        assert json.loads(child.stdout.readline()) == "My own story"
        app.erase_worker(wendy, org["ada"], "REQ-1")
        child.stdin.write("read\n"); child.stdin.flush()
        assert json.loads(child.stdout.readline()) is None
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def test_a_request_scope_memoises_lookups_but_erasure_here_clears_it(runtime, org):
    app, wendy = runtime.app, org["wendy"]
    sealed = _sealed_reflection_title(app, wendy)
    with app.keys.scope():
        assert app.read_text(wendy, sealed) == "My own story"
        app.erase_worker(wendy, org["ada"], "REQ-1")
        assert app.read_text(wendy, sealed) is None
