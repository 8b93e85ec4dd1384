"""The web app served by `portfolio serve`: framework browser pages, fragments and security headers."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from portfolio.web import create_app

STATIC = Path(__file__).parents[1] / "portfolio/web/static"


@pytest.fixture
def client(runtime):
    runtime.close()  # the web app opens its own runtime over the same stores
    flask_app = create_app(runtime.settings)
    yield flask_app.test_client()
    flask_app.extensions["portfolio"].close()


@pytest.mark.parametrize("url, expected", [
    ("/", "Competency portfolio for peer support workers"),
    ("/frameworks/", "Frameworks"),
    ("/frameworks/worker-competences",
     "Works with people who use the service as equals while acknowledging relative power and status as their worker."),
    ("/frameworks/levels-of-use?version=2", "Peer practitioner"),
    ("/frameworks/who-roles", "ROLE-12"),
])
def test_pages_render_full_documents(client, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith("<!doctype html>") and expected in body


def test_htmx_request_gets_only_the_fragment(client):
    response = client.get("/frameworks/worker-competences?version=1", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "<table" in body and "RELATIONSHIPS AND PEER WORK" in body


@pytest.mark.parametrize("url", ["/frameworks/nope", "/frameworks/worker-competences?version=9", "/nothing"])
def test_unknown_things_answer_404(client, url):
    response = client.get(url)
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


def test_security_headers_forbid_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_tells_nothing_but_ok(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}  # no event count for anonymous callers


def test_vendored_htmx_is_the_pinned_2_0_11():
    data = (STATIC / "vendor/htmx-2.0.11.min.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert digest == "2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
