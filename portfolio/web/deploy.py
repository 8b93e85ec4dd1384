"""Deployment settings of the web app: the session cookie's Secure flag and trusted proxy headers.

PORTFOLIO_SECURE_COOKIES=1 marks the session cookie Secure always; without it, the cookie is Secure
whenever the request came over HTTPS. PORTFOLIO_PROXY_HOPS=N trusts X-Forwarded-For and
X-Forwarded-Proto from N reverse proxies in front of the app (0, the default: trust none, since
anyone can send those headers to an app reached directly).
"""

from __future__ import annotations

import os

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from portfolio.config import ConfigError


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def proxy_hops(environ: dict | None = None) -> int:
    raw = (environ if environ is not None else os.environ).get("PORTFOLIO_PROXY_HOPS", "").strip() or "0"
    if not raw.isdigit() or int(raw) > 10:
        raise ConfigError(f"PORTFOLIO_PROXY_HOPS must be a number of proxies from 0 to 10 (got {raw!r})")
    return int(raw)


def configure(app: Flask) -> None:
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=os.environ.get("PORTFOLIO_SECURE_COOKIES", "") == "1")
    app.session_interface = SessionInterface()
    hops = proxy_hops()
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
