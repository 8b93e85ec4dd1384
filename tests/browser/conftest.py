"""Real-browser tests: the app served on a free localhost port, driven by Debian's Chromium.

The whole suite skips with the reason when /usr/bin/chromium or the playwright package is missing;
with CI=true it fails instead (nothing may be skipped in CI). The server is the real app (CSRF and
rate limits on) over a fresh SQLite instance holding a small demo organisation; the browser submits
real forms with real CSRF tokens. The permission matrix (tests/test_permissions.py) covers both
storage backends; this is a UI test, so SQLite only.

Screenshots of the main pages go to a temporary folder; with PORTFOLIO_SCREENSHOTS=docs they are
written to docs/screenshots/ instead (what is committed there), so an ordinary test run never
leaves changed files in the work tree.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable

import pytest

CHROMIUM = Path(os.environ.get("PORTFOLIO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() == "true"
VIEWPORT = {"width": 1280, "height": 900}
REPO = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0, vendor/axe-LICENSE)
MASTER_KEY = "W2u3kqQy6e7cE2c0XG4b7eF0bq8o9N0wJ3zqk1h2m4A="
TIMEOUT_MS = 15_000


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright package is missing (pip install -e '.[test]'): {exc}"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_available():
    reason = _missing()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"browser tests cannot run: {reason} — CI=true, so they must run", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")


# --- the server ---------------------------------------------------------------------------------
@dataclass
class Scenario:
    """Who plays which part, read from the demo history (not hard-coded: the demo follows the date)."""
    worker: str                 # a peer worker with a current supervisor
    worker_name: str
    supervisor: str             # that worker's current supervisor
    competence: str             # Basic signed for the worker; the journey asks for the next level(s)
    levels: list[str]           # what the journey asks for
    admin: str
    auditor: str
    password: str


@dataclass
class LiveServer:
    url: str
    app: object
    scenario: Scenario
    _states: dict = field(default_factory=dict)

    @property
    def runtime(self):
        return self.app.extensions["portfolio"]


def _scenario(app, password: str) -> Scenario:
    from portfolio.domain import clock
    from portfolio.domain.values import LEVELS

    people = app.people()
    supervisors = [p for p in people if p.has_role("supervisor")]
    today = clock.today()
    for worker in (p for p in people if p.has_role("peer_worker")):
        current = [s for s in supervisors if worker.was_supervised_by(s.id, today)]
        if not current:
            continue
        pf = app.portfolio(worker.id)
        signed: dict[str, set[str]] = {}
        busy = set()
        for r in pf.requests.values():
            if r["status"] == "approved":
                signed.setdefault(r["competence"], set()).update(r["levels"])
            if r["status"] == "open":
                busy.add(r["competence"])
        candidates = sorted(c for c, lv in signed.items() if lv == {"Basic"} and c not in busy)
        if candidates:
            levels = ["Intermediate"]
            competence = candidates[0]
        else:
            unsigned = sorted({c for c in ("REL-1", "REL-2", "REL-3", "GOAL-1") if c not in signed and c not in busy})
            if not unsigned:
                continue
            competence, levels = unsigned[0], ["Basic", "Intermediate"]  # both levels in one request
        return Scenario(worker=worker.username, worker_name=app.display_name(worker),
                        supervisor=current[0].username, competence=competence, levels=levels,
                        admin=next(p.username for p in people if p.has_role("org_admin")),
                        auditor=next(p.username for p in people if p.has_role("auditor")),
                        password=password)
    raise RuntimeError("the demo organisation has no worker fit for the journey")


def _buddy_up(app, username: str) -> None:
    """The demo pairs nobody (001's buddy scheme): give the journey's worker a buddy and one meeting."""
    from portfolio.domain import clock

    worker = app.find_username(username)
    buddy = next(p.id for p in app.people() if p.has_role("peer_worker") and p.id != worker)
    since = clock.today() - timedelta(days=30)
    app.assign_buddy(worker, buddy, since)
    app.record_buddy_meeting(worker, buddy, since + timedelta(days=1), 45, "We talked about boundaries.")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from portfolio.config import Settings
    from portfolio.demo import DEMO_PASSWORD, build_demo, demo_logins
    from portfolio.runtime import init_instance
    from portfolio.web import create_app

    instance = tmp_path_factory.mktemp("browser") / "instance"
    settings = Settings.from_env({"PORTFOLIO_INSTANCE_PATH": str(instance), "PORTFOLIO_MASTER_KEY": MASTER_KEY})
    runtime, _, _ = init_instance(settings)
    try:
        build_demo(runtime.app, workers=4, supervisors=2, years=1)
        demo_logins(runtime.app)
        runtime.projector.catch_up_all()
        scenario = _scenario(runtime.app, DEMO_PASSWORD)
        _buddy_up(runtime.app, scenario.worker)
    finally:
        runtime.close()
    flask_app = create_app(settings)  # not testing: CSRF and rate limits stay on
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=flask_app, scenario=scenario)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        flask_app.extensions["portfolio"].close()


@pytest.fixture
def scenario(live_server) -> Scenario:
    return live_server.scenario


# --- the browser --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser(_browser_available):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded CI machine is slower than a developer's
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class PageProblems:
    """JavaScript errors and console errors (a CSP refusal shows as one) seen by a context's pages."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"{page.url}: uncaught {exc}"))
        page.on("console", lambda msg: self._console(page, msg))

    def _console(self, page, msg) -> None:
        if msg.type != "error":
            return
        loc = msg.location or {}
        if loc.get("url", "").endswith("/favicon.ico"):
            return  # the browser asks for one by itself; the app has none
        if re.search(r"status of (409|422) ", msg.text):
            return  # a refused form answers 422 (409: decided meanwhile) by design; Chromium logs it
        text = f"{page.url}: console {msg.type}: {msg.text} (from {loc.get('url')})"
        if "inline style" in msg.text and "htmx" in loc.get("url", ""):
            text += (" — htmx injects its indicator <style> unless the page's first htmx-config meta says "
                     '"includeIndicatorStyles": false')
        self.items.append(text)


@pytest.fixture
def new_context(browser, live_server, request):
    """new_context(username=None, axe=False) -> a browser context (own cookies), signed in as
    `username` if given."""
    contexts = []

    def make(username: str | None = None, *, axe: bool = False):
        options = dict(base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True)
        if username is not None:
            options["storage_state"] = _logged_in_state(browser, live_server, username)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.problems = PageProblems()
        context.on("page", context.problems.watch)
        if axe:  # an init script is not subject to the page's CSP (no inline script allowed there)
            context.add_init_script(path=str(AXE))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def login(page, username: str, password: str) -> None:
    """Log in through the real form (with its CSRF token), as a person would."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name=f"Log out {username}")).to_be_visible()


def _logged_in_state(browser, live_server: LiveServer, username: str) -> dict:
    """A signed-in session without the login form: the form's rate limit (10 a minute from one address)
    is for the journeys, which log in as a person would. The cookie is the one the login view sets."""
    if username not in live_server._states:
        app = live_server.runtime.app
        person = app.person(app.find_username(username))
        serializer = live_server.app.session_interface.get_signing_serializer(live_server.app)
        value = serializer.dumps({"sid": app.sessions.start(person.id)})  # a server-side session
        live_server._states[username] = {"cookies": [{
            "name": live_server.app.config.get("SESSION_COOKIE_NAME", "session"), "value": value,
            "domain": "127.0.0.1", "path": "/", "expires": -1, "httpOnly": True, "secure": False,
            "sameSite": "Lax"}], "origins": []}
    return live_server._states[username]


# --- screenshots and axe -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    if os.environ.get("PORTFOLIO_SCREENSHOTS") == "docs":
        target = REPO / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def shoot(screenshot_dir) -> Callable:
    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        # caret="initial": hiding the caret would put style attributes on inputs, which htmx's settling
        # then copies, and the CSP refuses (a console error that the journey would report).
        page.screenshot(path=str(path), full_page=True, caret="initial")
        assert path.stat().st_size > 1000
        return path
    return take


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core (injected by new_context(axe=True)) on the page: WCAG 2.x A and AA rules only."""
    page.wait_for_function("() => window.axe !== undefined")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", WCAG_TAGS)
    return result["violations"]


def describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} WCAG A/AA violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:8]:
            lines.append(f"    {' > '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}"
                         .replace("\n", " "))
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)
