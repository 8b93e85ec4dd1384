"""Hardening of the web app and API (issue 9, "smaller"): redirects after login stay on the site,
unexpected errors answer without a traceback (JSON under /api/), /healthz says only ok/unavailable,
the session cookie is Secure over HTTPS and proxy headers are trusted only when configured."""

from __future__ import annotations

import logging

import pytest

from conftest import PASSWORD
from portfolio.web import create_app


# --- item 1: the page after login -----------------------------------------------------------------
@pytest.mark.parametrize("evil", [
    "/%09/evil.example/", "/%0a/evil.example/", "/%0d/evil.example/", "/%0d%0a/evil.example/",
    "/%20/evil.example/", "//evil.example/", "/\\evil.example/", "/%5cevil.example/", "\\/evil.example/",
    "/%2f/evil.example/", "/%252f%252fevil.example/", "https://evil.example/", "evil.example",
    "/%00/evil.example/", "/%7f/evil.example/", "%2f%2fevil.example", "/\u3000/evil",
])
def test_login_never_redirects_off_the_site(web, evil):
    response = web.client().post(f"/login?next={evil}", data={"username": "wendy", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", (evil, response.headers["Location"])


@pytest.mark.parametrize("good", ["/me", "/me/timeline?page=2", "/supervise/workers/x/summary#goals"])
def test_login_returns_to_a_page_on_the_site(web, good):
    response = web.client().post("/login", query_string={"next": good},
                                 data={"username": "wendy", "password": PASSWORD})
    assert response.headers["Location"] == good


# --- item 3: unexpected errors --------------------------------------------------------------------
@pytest.fixture
def failing(web):
    """A page and an API address that fail with an unexpected error (a bug, a lost connection)."""
    web.app.config["PROPAGATE_EXCEPTIONS"] = False  # testing=True would re-raise into the test

    def boom():
        raise RuntimeError("secret-internal-detail")

    web.app.add_url_rule("/me/_boom", "boom_page", boom)
    web.app.add_url_rule("/api/v1/_boom", "boom_api", boom)
    return web


def test_unexpected_error_on_a_page_is_a_small_html_page_without_traceback(failing, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing.client().get("/me/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Server error" in body and "secret-internal-detail" not in body and "Traceback" not in body
    logged = [r for r in caplog.records if r.exc_info and "secret-internal-detail" in str(r.exc_info[1])]
    assert logged, "the traceback is logged server-side"


def test_unexpected_error_in_the_api_answers_json(failing):
    response = failing.app.test_client().get("/api/v1/_boom", headers={"HX-Request": "true"})
    assert response.status_code == 500 and response.is_json, response.get_data(as_text=True)
    assert response.get_json()["error"] == "Server error"
    assert "secret-internal-detail" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/nothing-here", 404), ("DELETE", "/api/v1/tokens", 405), ("PUT", "/api/v1/me", 405),
])
def test_api_http_errors_answer_json(web, method, path, status):
    response = web.app.test_client().open(path, method=method)
    assert response.status_code == status and response.is_json and "error" in response.get_json()


def test_api_too_large_answers_json(web):
    response = web.app.test_client().post("/api/v1/tokens", data=b"x" * (12 * 1024 * 1024),
                                          content_type="application/json")
    assert response.status_code == 413 and response.is_json and response.get_json()["error"] == "Too large"


def test_other_http_errors_under_api_answer_json(web):
    @web.app.get("/api/v1/_gone")
    def gone():
        from flask import abort
        abort(410)

    response = web.app.test_client().get("/api/v1/_gone")
    assert response.status_code == 410 and response.is_json and response.get_json()["error"] == "Gone"


# --- item 6: /healthz -----------------------------------------------------------------------------
def test_healthz_says_only_ok(web):
    response = web.app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_down(web, monkeypatch):
    rt = web.app.extensions["portfolio"]

    def down(*a, **k):
        raise OSError("connection refused")

    monkeypatch.setattr(rt.engine, "connect", down)
    response = web.app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


# --- item 7: the session cookie and proxy headers ---------------------------------------------------
def _login_cookie(flask_app, **kwargs) -> str:
    response = flask_app.test_client().post("/login", data={"username": "wendy", "password": PASSWORD}, **kwargs)
    assert response.status_code == 302
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(web):
    plain = _login_cookie(web.app)
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    over_https = _login_cookie(web.app, base_url="https://localhost")
    assert "Secure" in over_https and "HttpOnly" in over_https


def test_secure_cookies_forced_by_the_environment(web, runtime, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_SECURE_COOKIES", "1")
    flask_app = create_app(runtime.settings, testing=True)
    try:
        assert "Secure" in _login_cookie(flask_app)
    finally:
        flask_app.extensions["portfolio"].close()


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_forwarded_headers_are_ignored_without_a_configured_proxy(web):
    cookie = _login_cookie(web.app, headers=FORWARDED)
    assert "Secure" not in cookie  # anyone can send X-Forwarded-Proto to an app reached directly


def test_forwarded_headers_are_trusted_behind_the_configured_proxies(web, runtime, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_PROXY_HOPS", "1")
    flask_app = create_app(runtime.settings, testing=True)
    seen = {}

    @flask_app.get("/_whoami")
    def whoami():
        from flask import request
        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    try:
        assert "Secure" in _login_cookie(flask_app, headers=FORWARDED)
        flask_app.test_client().get("/_whoami", headers=FORWARDED)
        assert seen == {"addr": "203.0.113.7", "secure": True}
    finally:
        flask_app.extensions["portfolio"].close()


@pytest.mark.parametrize("hops", ["two", "-1", "99"])
def test_bad_proxy_hops_is_a_configuration_error(runtime, monkeypatch, hops):
    from portfolio.config import ConfigError

    monkeypatch.setenv("PORTFOLIO_PROXY_HOPS", hops)
    with pytest.raises(ConfigError, match="PORTFOLIO_PROXY_HOPS"):
        create_app(runtime.settings, testing=True)
