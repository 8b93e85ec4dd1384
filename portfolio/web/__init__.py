"""Flask app factory: one Runtime (event store, keys, application) per process."""

from __future__ import annotations

import secrets

from flask import Flask, render_template
from flask_htmx import HTMX

from portfolio.config import Settings
from portfolio.domain.errors import NotFound


def create_app(settings: Settings | None = None) -> Flask:
    from portfolio.runtime import open_runtime

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    HTMX(app)
    runtime = open_runtime(settings)
    app.extensions["portfolio"] = runtime

    from portfolio.web import frameworks

    app.register_blueprint(frameworks.bp)

    @app.get("/")
    def home():
        return render_template("home.html", frameworks=runtime.app.frameworks())

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "events": runtime.app.recorder.max_notification_id() or 0}

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        return render_template("error.html", message=str(exc)), 404

    @app.errorhandler(404)
    def page_not_found(_exc):
        return render_template("error.html", message="There is no such page."), 404

    @app.after_request
    def security_headers(response):
        # No inline script anywhere: htmx is loaded from our own static folder.
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; script-src 'self'; style-src 'self'; "
                                    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
                                    "base-uri 'self'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
