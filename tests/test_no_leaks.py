"""Supervisors and auditors never receive private text: markers planted in every kind of a worker's
private text are looked for in every GET page, fragment and API answer (and the audit CSV). What a
worker shared with a supervisor for a sign-off still never reaches admins or auditors: the audit
shows structure only (kind, dates, competence, level, who signed)."""

from __future__ import annotations

from flask import url_for

from test_permissions import MATRIX, Callers, _history, _resolve

MARK = "ZZLEAK"
SHARED = "ZZSHARED"  # typed text the supervisor may read, admins and auditors may not


def _plant(web, at) -> None:
    app = web.app.extensions["portfolio"].app
    w, sam, ada = web.ids["wendy"], web.ids["sam"], web.ids["ada"]
    with at("2024-03-01"):
        app.write_reflection(w, "grow", f"{MARK}title", {"G": f"{MARK}grow"}, [])
        app.record_supervision(w, sam, "2024-03-01", "process", "one_to_one", "video", 50, [f"{MARK}topic"], "",
                               f"{MARK}notes")
        training, _ = app.record_training(w, f"{MARK}course", f"{MARK}provider", "2024-02-20", 3, "online", [],
                                          True, f"{MARK}accreditor")
        unaccredited, _ = app.record_training(w, f"{MARK}course2", f"{MARK}provider2", "2024-02-21", 2, "online")
        app.add_evidence(w, f"{MARK}evidencetitle", "reflection", f"{MARK}description", [("GOAL-1", "Basic")],
                         (f"{MARK}file.txt", "text/plain", f"{MARK}content".encode()))
        private_goal = app.set_goal(w, f"{MARK}goal", [], "2024-03-20")
        app.review_goal(w, private_goal, "open", 4, f"{MARK}goalnote")
        # Shared at the widest tier: the supervisor reads it; admins and auditors still never do.
        goal = app.set_goal(w, f"{SHARED}goal", ["GOAL-1"], "2024-03-25")
        app.review_goal(w, goal, "open", 7, f"{SHARED}goalnote")
        app.change_exposure(w, "goal", goal, "accreditation")
        ev = app.add_evidence(w, f"{SHARED}title", "reflection", f"{SHARED}description", [("GOAL-2", "Basic")],
                              links=[training, unaccredited])
        rid = app.request_sign_off(w, "GOAL-2", "Basic", [ev])
        app.approve_sign_off(w, rid, sam)
        app.revoke_sign_off(w, rid, ada, f"{MARK}reason")
        asked = app.add_evidence(w, f"{SHARED}asked", "observation", "", [("GOAL-3", "Basic")])
        app.request_sign_off(w, "GOAL-3", "Basic", [asked])
    web.app.extensions["portfolio"].projector.refresh()


def test_no_private_text_reaches_supervisors_admins_or_auditors(web, at):
    h = _history(web, at)
    _plant(web, at)
    callers = Callers(web)
    leaks = []
    gets = [(endpoint, case) for (endpoint, method), cases in MATRIX.items() if method == "GET" for case in cases]
    assert len(gets) > 30
    for endpoint, case in gets:
        with web.app.test_request_context():
            url = url_for(endpoint, **_resolve(case.values, h))
        for who in ("sam", "sue", "ada", "aud"):
            for headers in ({}, {"HX-Request": "true"}):
                response = callers.call(who, "GET", url, None) if not headers else _get(callers, who, url, headers)
                if MARK in response.get_data(as_text=True):
                    leaks.append(f"{who} GET {url} {headers or ''}")
                if who in ("ada", "aud") and SHARED in response.get_data(as_text=True):
                    leaks.append(f"{who} GET {url} {headers or ''} (shared with the supervisor only)")
    for who in ("ada", "aud"):
        csv = callers.call(who, "GET", "/org/audit.csv", None).get_data(as_text=True)
        assert "GOAL-2" in csv and MARK not in csv and SHARED not in csv
        audit = callers.call(who, "GET", "/api/v1/audit", None).get_json()["rows"]
        row = next(r for r in audit if r["competence"] == "GOAL-2")
        assert row["unaccredited_trainings"] == ["2024-02-21"]  # structure: the date, not the title
        assert "training from a programme not accredited" in row["flags"]
    assert not leaks, "private text reached: " + "; ".join(leaks)
    # The supervisor reads the title of evidence asked to be signed off: the worker shared it with them.
    assert SHARED + "asked" in _get(callers, "sam", "/supervise", {}).get_data(as_text=True)
    summary = _get(callers, "sam", f"/supervise/workers/{web.ids['wendy']}/summary", {}).get_data(as_text=True)
    assert SHARED + "goal" in summary and SHARED + "goalnote" in summary
    # The markers are really there, for their owner.
    assert MARK + "title" in _get(callers, "wendy", "/me/privacy", {}).get_data(as_text=True)
    assert MARK + "goal" in _get(callers, "wendy", "/me/subject-access.json", {}).get_data(as_text=True)


def _get(callers, who, url, headers):
    client = callers.flask_app.test_client()
    person = callers.people[who]
    if url.startswith("/api/"):
        return client.get(url, headers={**headers, "Authorization": f"Bearer {callers.tokens[who]}"})
    with client.session_transaction() as session:
        session["sid"] = callers.flask_app.extensions["portfolio"].app.sessions.start(person.id)
    return client.get(url, headers=headers)
