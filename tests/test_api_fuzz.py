"""Fuzzing the JSON API with schemathesis, from the app's own OpenAPI document, in process (WSGI).

A worker, a supervisor and an organisation admin, each with a bearer token, fuzz the operations of
their role (valid and invalid bodies, queries and path parameters; every other case aims at ids
that exist, so commands reach the domain rules). No answer may be a server error, and each must be
one the document lists for that operation, in the documented shape. What the other roles get (404)
is tested in test_api.py.

Bounded: 20 examples per operation and generation mode, derandomized (the same cases every run),
no deadline. Runs on SQLite and PostgreSQL: PostgreSQL checks what SQLite lets through (column
lengths, NUL characters). PORTFOLIO_FUZZ_BACKENDS=sqlite runs one backend only, for a quick local run.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

import itertools  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from schemathesis.checks import (content_type_conformance, not_a_server_error,  # noqa: E402
                                 response_schema_conformance, status_code_conformance)

from conftest import make_settings  # noqa: E402
from portfolio.runtime import init_instance  # noqa: E402
from domain_helpers import new_worker  # noqa: E402


BACKENDS = os.environ.get("PORTFOLIO_FUZZ_BACKENDS", "sqlite,postgres").split(",")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:  # overrides conftest's, to allow PORTFOLIO_FUZZ_BACKENDS=sqlite locally
    return request.param


@pytest.fixture
def settings(backend, request, tmp_path):
    """The stores in memory-backed /dev/shm where there is one: thousands of small commits, each
    fsynced, are what makes fuzzing slow on a disk."""
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="portfolio-fuzz-", dir=shm)) if shm.is_dir() else tmp_path
    try:
        fuzzed = make_settings(backend, base, request)
        init_instance(fuzzed)[0].close()
        yield fuzzed
    finally:
        if base != tmp_path:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def existing(web, runtime, at) -> dict:
    """Real ids to aim at: wendy's items (sam supervises her), one request open, one approved."""
    app, wendy = runtime.app, web.ids["wendy"]
    with at("2023-01-02"):
        new_worker(app, "walt", supervisor=web.ids["sue"])
    with at("2024-01-10"):
        reflection = app.write_reflection(wendy, "free", "A title", {"text": "words"})
        training, _ = app.record_training(wendy, "Boundaries", "Trust", "2024-01-09", 2, "online")
        supervision = app.record_supervision(wendy, web.ids["sam"], "2024-01-09", "task", "one_to_one", "phone", 30)
        ev1 = app.add_evidence(wendy, "Observed", "observation", "", [("REL-1", "Basic")])
        ev2 = app.add_evidence(wendy, "Observed", "observation", "", [("REL-2", "Basic")], links=[training])
        approved = app.request_sign_off(wendy, "REL-1", ["Basic"], [ev1])
        app.approve_sign_off(wendy, approved, web.ids["sam"])
        open_request = app.request_sign_off(wendy, "REL-2", ["Basic"], [ev2])
        goal = app.set_goal(wendy, "A goal", ["GOAL-1"], "2030-01-01")
    return {"worker_id": wendy, "person_id": wendy, "reflection_id": reflection, "goal_id": goal,
            "open_request": open_request, "approved_request": approved,
            "item": {"reflection": reflection, "supervision": supervision, "evidence": ev1}}


def _schema(web, runtime, existing, account):
    web.headers = {"Authorization": f"Bearer {runtime.app.issue_api_token(web.ids[account])}"}
    web.existing = existing
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", web.app)


@pytest.fixture
def worker_schema(web, runtime, existing):
    return _schema(web, runtime, existing, "wendy")


@pytest.fixture
def supervisor_schema(web, runtime, existing):
    return _schema(web, runtime, existing, "sam")


@pytest.fixture
def admin_schema(web, runtime, existing):
    return _schema(web, runtime, existing, "ada")


_turn = itertools.count()


def aim(case, existing: dict) -> None:
    """Every other case, swap the generated ids in the path for ids that exist (all of them, so a
    worker's request is under that worker), so commands reach the domain rules and not just 404."""
    if next(_turn) % 2:
        return
    params = case.path_parameters or {}
    for name, value in list(params.items()):
        if not (isinstance(value, str) and len(value) == 36):
            continue  # not even shaped like an id: let it test the address
        if name == "request_id":
            params[name] = existing["approved_request" if case.path.endswith("/revoke") else "open_request"]
        elif name == "item_id" and params.get("kind") in existing["item"]:
            params[name] = existing["item"][params["kind"]]
        elif name in existing:
            params[name] = existing[name]
        params[name] = str(params[name])


def fuzz(case, web) -> None:
    aim(case, web.existing)
    case.call_and_validate(headers=web.headers, checks=CHECKS)


# No server error; and every answer is one the document lists, in the shape it gives.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

# Each account fuzzes the operations of its role (what other roles get, 404, is tested in test_api.py).
worker = schemathesis.pytest.from_fixture("worker_schema").include(tag=["worker", "auth"])
supervisor = schemathesis.pytest.from_fixture("supervisor_schema").include(tag="supervisor")
admin = schemathesis.pytest.from_fixture("admin_schema").include(tag=["organisation", "accounts"])


@worker.parametrize()
@FUZZ
def test_worker_operations_never_answer_a_server_error(case, web):
    fuzz(case, web)


@supervisor.parametrize()
@FUZZ
def test_supervisor_operations_never_answer_a_server_error(case, web):
    fuzz(case, web)


@admin.parametrize()
@FUZZ
def test_admin_operations_never_answer_a_server_error(case, web):
    fuzz(case, web)
