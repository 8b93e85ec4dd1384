"""Supervisors and auditors never receive private text: markers planted in every kind of a worker's
private text are looked for in every GET page, fragment and API answer (and the audit CSV)."""

from __future__ import annotations

from flask import url_for

from test_permissions import MATRIX, Callers, _history, _resolve

MARK = "ZZLEAK"


def _plant(web, at) -> None:
    app = web.app.extensions["portfolio"].app
    w, sam, ada = web.ids["wendy"], web.ids["sam"], web.ids["ada"]
    with at("2024-03-01"):
        app.write_reflection(w, "grow", f"{MARK}title", {"G": f"{MARK}grow"}, [])
        app.record_supervision(w, sam, "2024-03-01", "process", "one_to_one", "video", 50, [], "",
                               f"{MARK}notes")
        app.add_evidence(w, "Kept back", "reflection", f"{MARK}description", [("GOAL-1", "Basic")],
                         (f"{MARK}file.txt", "text/plain", f"{MARK}content".encode()))
        app.set_goal(w, f"{MARK}goal", [], "2024-03-20")
        ev = app.add_evidence(w, "For GOAL-2", "reflection", "", [("GOAL-2", "Basic")])
        rid = app.request_sign_off(w, "GOAL-2", "Basic", [ev])
        app.approve_sign_off(w, rid, sam)
        app.revoke_sign_off(w, rid, ada, f"{MARK}reason")
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
    for who in ("ada", "aud"):
        csv = callers.call(who, "GET", "/org/audit.csv", None).get_data(as_text=True)
        assert "GOAL-2" in csv and MARK not in csv
    assert not leaks, "private text reached: " + "; ".join(leaks)
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
