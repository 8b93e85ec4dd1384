"""Flask app factory: one Runtime (event store, keys, read models) per process."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import Flask, g, make_response, redirect, render_template, request, url_for
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException, InternalServerError

from portfolio.config import ConfigError, Settings
from portfolio.domain.errors import Conflict, DomainError, NotFound, RequestNotOpen
from portfolio.domain.values import REFLECTION_TEMPLATE_NAMES
from portfolio.web import deploy, reads
from portfolio.web.access import load_user, password_change_gate
from portfolio.web.extensions import csrf
from portfolio.web.ratelimit import Throttle, storage_for

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    from portfolio.runtime import open_runtime

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or _instance_secret(settings),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=11 * 1024 * 1024,  # a 10 MiB evidence file and the form around it
        WTF_CSRF_ENABLED=not testing,
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_ENABLED=not testing,  # tests turn it on with app.config["RATELIMIT_ENABLED"] = True
        TESTING=testing,
    )
    deploy.configure(app)  # Secure cookie, proxy headers
    HTMX(app)
    app.jinja_env.globals["template_names"] = REFLECTION_TEMPLATE_NAMES
    csrf.init_app(app)
    runtime = open_runtime(settings)
    app.extensions["portfolio"] = runtime
    try:
        app.extensions["portfolio_throttle"] = Throttle(storage_for(settings, runtime.engine), app.secret_key)
    except ConfigError:
        runtime.close()
        raise
    _key_scope(app, runtime)
    app.before_request(load_user)
    app.before_request(password_change_gate)
    reads.init_app(app)  # reads of shared content: one event per worker's log per request

    from portfolio.web import (auth, buddies, erasure, frameworks, inbox, leave, org, org_due, org_settings,
                               programmes, self_assessment, supervisor, worker)
    from portfolio.web.access import long_date
    from portfolio.web.api import bp as api_bp

    app.add_template_filter(long_date)
    for bp in (auth.bp, frameworks.bp, worker.bp, supervisor.bp, org.bp, org_settings.bp, org_due.bp,
               self_assessment.bp, programmes.bp, inbox.bp, erasure.bp, leave.bp, buddies.bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # the API authenticates each call with a bearer token, not a cookie
    app.register_blueprint(api_bp)

    @app.get("/")
    def home():
        user = g.get("user")
        if user is None:
            return render_template("home.html", frameworks=runtime.app.frameworks())
        if user.has_role("peer_worker") or (user.holds_portfolio and not user.has_role("supervisor")):
            return redirect(url_for("worker.dashboard"))
        if user.has_role("supervisor"):
            return redirect(url_for("supervisor.queue"))
        return redirect(url_for("org.progression"))

    @app.get("/healthz")
    def healthz():
        """For load balancers: is the database answering? Nothing more to anonymous callers."""
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            runtime.app.recorder.max_notification_id()  # the event store (a separate file on SQLite)
        except Exception:  # noqa: BLE001 - any failure means "not able to serve"
            app.logger.warning("health check failed", exc_info=True)
            return {"status": "unavailable"}, 503
        return {"status": "ok"}

    _error_handlers(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if g.get("user") is not None:
            response.headers.setdefault("Cache-Control", "no-store")  # personal pages stay off shared caches
        return response

    return app


def _instance_secret(settings: Settings) -> str:
    """Without PORTFOLIO_SECRET_KEY, keep one in the instance folder so sessions survive restarts."""
    path = settings.instance_path / "secret.key"
    if not path.exists():
        settings.instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _key_scope(app: Flask, runtime) -> None:
    """One request memoises key lookups; the next request reads the key table again, so an erasure
    in another process takes effect from the next request on."""
    @app.before_request
    def enter_key_scope():
        g.key_scope = runtime.keys.scope()
        g.key_scope.__enter__()

    @app.teardown_request
    def leave_key_scope(_exc):
        scope = g.pop("key_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_handlers(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        if _wants_json():
            return {"error": title, "message": message}, status
        template = "_error_fragment.html" if request.headers.get("HX-Request") else "error.html"
        return render_template(template, title=title, message=message), status

    @app.errorhandler(NotFound)
    def domain_not_found(exc):
        return page(404, "Not found", str(exc))

    @app.errorhandler(404)
    def not_found(_exc):
        return page(404, "Not found", "There is no such page.")

    @app.errorhandler(405)
    def not_allowed(_exc):
        return page(405, "Not allowed", "This address does not accept that kind of request.")

    @app.errorhandler(Conflict)
    @app.errorhandler(RequestNotOpen)  # e.g. two supervisors deciding one request: the second one
    def conflict(exc):
        return page(409, "Changed meanwhile", str(exc))

    @app.errorhandler(DomainError)
    def refused(exc):
        return page(422, "Not possible", str(exc))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return page(400, "Form expired", "The form was missing its security token or it expired; "
                                         "reload the page and try again.")

    @app.errorhandler(413)
    def too_large(_exc):
        return page(413, "Too large", "The upload is larger than 10 MiB.")

    @app.errorhandler(429)
    def too_many(exc):
        response = make_response(page(429, "Too many attempts", exc.description))
        if getattr(exc, "retry_after", None) is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(400)
    def bad_request(exc):
        return page(400, "Bad request", getattr(exc, "description", "The request could not be understood."))

    @app.errorhandler(HTTPException)
    def other_http_error(exc):
        return page(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(InternalServerError)
    def internal_error(_exc):
        # Flask has already logged the traceback (app.logger); the client gets none of it.
        message = "Something went wrong on our side; it has been logged. Try again later."
        try:
            return page(500, "Server error", message)
        except Exception:  # noqa: BLE001 - the error page itself failed (e.g. the database is down)
            app.logger.exception("the error page failed")
            if _wants_json():
                return {"error": "Server error", "message": message}, 500
            return f"<!doctype html><title>Server error</title><h1>Server error</h1><p>{message}</p>", 500
