"""The permission matrix: every route × every role → the status it must answer, on SQLite and PostgreSQL.

Roles: anonymous; peer worker wendy (supervised by sam); supervisor sam; supervisor sue (not wendy's:
she supervises a second worker, olga); organisation admin ada; auditor aud. URL parameters come from
a small history of both workers, so each worker's ids are tried by everyone, including the other
worker and the supervisor who is not theirs.

Anonymous visitors of HTML pages are sent to /login (302); of the API, 401. Someone else's item is 404,
never 403 and never 200. State-changing routes are posted with an empty body (CSRF is off in the `web`
fixture), which shows who gets past the access check (422/400) and who does not (404); where an empty
body would stop before the ownership check, a well-formed body for someone else's item is posted too,
and must also answer 404. No answer may be a 500.

Every (endpoint, method) in the app's url_map needs an entry in MATRIX: a route added without one
fails test_every_route_has_an_entry. An entry that someone may get through with a POST runs in its
own fresh instance, its roles in the order written, so the one role allowed to change an item is
written last; entries that only read or refuse share an instance per blueprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from portfolio.domain.programmes import Programme

LOGIN = "login"  # 302 to /login
WHO = ("anonymous", "wendy", "sam", "sue", "ada", "aud")
NOBODY = "00000000-0000-4000-8000-000000000000"


@dataclass
class Case:
    """One way of calling a route: URL values (names from the history), a body, the answer per role."""
    expect: dict[str, object]
    values: dict[str, str] = field(default_factory=dict)
    body: dict | None = None  # None: an empty POST body
    label: str = ""


def html(ok, *, anonymous=LOGIN, default=404, **by_role) -> dict:
    """A page: `ok` for the roles named in `by_role` with True, else the status given; others `default`."""
    out = {"anonymous": anonymous}
    for who in WHO[1:]:
        if who not in by_role:
            out[who] = default
    for who, status in by_role.items():  # in the order written: the one that changes things goes last
        out[who] = ok if status is True else status
    return out


def api(ok, *, anonymous=401, default=404, **by_role) -> dict:
    return html(ok, anonymous=anonymous, default=default, **by_role)


def everyone(status) -> dict:
    return {who: status for who in WHO}


def only(**by_role) -> dict:
    """Just these roles (the rest are covered by another case of the same route)."""
    return dict(by_role)


W, O = "wendy", "olga"
MATRIX: dict[tuple[str, str], list[Case]] = {
    # --- public ---------------------------------------------------------------------------------
    ("home", "GET"): [Case(dict(everyone(302), anonymous=200))],
    ("healthz", "GET"): [Case(everyone(200))],
    ("static", "GET"): [Case(everyone(200), {"filename": "site.css"}),
                        Case(everyone(404), {"filename": "nothing.css"}, label="missing")],
    ("auth.login", "GET"): [Case(everyone(200))],
    ("auth.login", "POST"): [Case(everyone(422))],
    ("auth.logout", "POST"): [Case(everyone(LOGIN))],
    ("auth.change_password", "GET"): [Case(html(200, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("auth.change_password", "POST"): [Case(html(422, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("auth.set_password", "GET"): [Case(everyone(410), {"person_id": f"{W}.id", "token": "not-a-token"})],
    ("auth.set_password", "POST"): [Case(everyone(410), {"person_id": f"{W}.id", "token": "not-a-token"})],
    ("frameworks.index", "GET"): [Case(everyone(200))],
    ("frameworks.show", "GET"): [Case(everyone(200), {"framework_id": "worker-competences"}),
                                 Case(everyone(404), {"framework_id": "nothing"}, label="missing")],
    # --- inbox: everyone signed in has their own; a bad mark names the field ------------------
    ("inbox.index", "GET"): [Case(html(200, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("inbox.mark_read", "POST"): [Case(html(422, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    # --- a person's own erasure request: every account may ask (empty: 422), none is open (409) --
    ("erasure.page", "GET"): [Case(html(200, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("erasure.ask", "POST"): [Case(html(422, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("erasure.withdraw", "POST"): [Case(html(409, wendy=True, sam=True, sue=True, ada=True, aud=True))],

    # --- the peer worker's own pages ------------------------------------------------------------
    ("worker.dashboard", "GET"): [Case(html(200, wendy=True))],
    ("worker.timeline", "GET"): [Case(html(200, wendy=True))],
    ("worker.privacy", "GET"): [Case(html(200, wendy=True))],
    ("worker.subject_access", "GET"): [Case(html(200, wendy=True), {"fmt": "html"}),
                                       Case(html(200, wendy=True), {"fmt": "json"})],
    ("worker.new_reflection", "GET"): [Case(html(200, wendy=True))],
    ("worker.new_reflection", "POST"): [Case(html(200, wendy=True))],  # no "save": the form again
    ("worker.new_evidence", "GET"): [Case(html(200, wendy=True))],
    ("worker.new_evidence", "POST"): [Case(html(422, wendy=True))],
    ("worker.new_training", "GET"): [Case(html(200, wendy=True))],
    ("worker.new_training", "POST"): [Case(html(422, wendy=True))],
    ("worker.request_sign_off", "GET"): [Case(html(200, wendy=True))],
    ("worker.request_sign_off", "POST"): [Case(html(422, wendy=True))],
    ("worker.reflection", "GET"): [
        Case(html(200, wendy=True), {"reflection_id": f"{W}.reflection"}),
        Case(html(200), {"reflection_id": f"{O}.reflection"}, label="olga's"),
        Case(html(200), {"reflection_id": NOBODY}, label="missing")],
    ("worker.my_list", "GET"): [Case(html(200, wendy=True), {"kind": kind}, label=kind)
                                for kind in ("reflections", "evidence", "training", "supervision", "goals")],
    ("worker.amend_reflection", "GET"): [
        Case(html(200, wendy=True), {"reflection_id": f"{W}.reflection"}),
        Case(html(200), {"reflection_id": f"{O}.reflection"}, label="olga's")],
    ("worker.amend_reflection", "POST"): [
        Case(html(422, wendy=True), {"reflection_id": f"{W}.reflection"}),
        Case(html(302), {"reflection_id": f"{O}.reflection"}, {"title": "T", "body_text": "b"}, label="olga's"),
        Case(html(302, wendy=True), {"reflection_id": f"{W}.reflection"}, {"title": "T", "body_text": "b"},
             label="own")],
    ("worker.item_tags", "GET"): [
        Case(html(200, wendy=True), {"kind": "reflections", "item_id": f"{W}.reflection"}),
        Case(html(200, wendy=True), {"kind": "evidence", "item_id": f"{W}.evidence"}, label="evidence"),
        Case(html(200), {"kind": "reflections", "item_id": f"{O}.reflection"}, label="olga's"),
        Case(html(200), {"kind": "evidence", "item_id": NOBODY}, label="missing")],
    ("worker.item_tags", "POST"): [
        Case(html(302), {"kind": "evidence", "item_id": f"{O}.evidence"}, {"tags": "who-roles:ROLE-1"},
             label="olga's"),
        Case(html(422, wendy=True), {"kind": "reflections", "item_id": f"{W}.reflection"},
             {"tags": "who-roles:ROLE-99"}, label="unknown tag"),
        Case(html(302, wendy=True), {"kind": "evidence", "item_id": f"{W}.evidence"}, {"tags": "who-roles:ROLE-1"},
             label="own")],
    ("worker.withdraw_evidence", "GET"): [
        Case(html(200, wendy=True), {"evidence_id": f"{W}.evidence"}),
        Case(html(200), {"evidence_id": f"{O}.evidence"}, label="olga's")],
    ("worker.withdraw_evidence", "POST"): [
        Case(html(302), {"evidence_id": f"{O}.evidence"}, label="olga's"),
        Case(html(302), {"evidence_id": NOBODY}, label="missing"),
        Case(html(302, wendy=True), {"evidence_id": f"{W}.private_evidence"}, label="own")],
    ("worker.evidence_file", "GET"): [
        Case(html(200, wendy=True), {"evidence_id": f"{W}.evidence"}),
        Case(html(200), {"evidence_id": f"{O}.evidence"}, label="olga's")],
    ("worker.exposure_history", "GET"): [
        Case(html(200, wendy=True), {"kind": kind, "item_id": f"{W}.{kind}"}, label=kind)
        for kind in ("reflection", "evidence", "supervision", "goal")] + [
        Case(html(200), {"kind": kind, "item_id": f"{O}.{kind}"}, label=f"olga's {kind}")
        for kind in ("reflection", "evidence", "supervision", "goal")],
    ("worker.exposure", "POST"): [
        Case(html(400, wendy=True), {"kind": "reflection", "item_id": f"{W}.reflection"}),
        *[Case(html(302), {"kind": kind, "item_id": f"{O}.{kind}"}, {"tier": "private"}, label=f"olga's {kind}")
          for kind in ("reflection", "evidence", "supervision", "goal")],
        Case(html(302, wendy=True), {"kind": "reflection", "item_id": f"{W}.reflection"}, {"tier": "private"},
             label="own"),
        Case(html(302, wendy=True), {"kind": "goal", "item_id": f"{W}.goal"}, {"tier": "supervisors"},
             label="own goal")],
    ("worker.confirm_permission", "POST"): [
        *[Case(html(302), {"kind": kind, "item_id": f"{O}.{kind}"}, label=f"olga's {kind}")
          for kind in ("reflection", "evidence")],
        Case(html(302, wendy=True), {"kind": "reflection", "item_id": f"{W}.story"}, label="own")],
    ("worker.withdraw_sign_off", "POST"): [
        Case(html(302), {"request_id": f"{O}.open"}, label="olga's"),
        Case(html(302), {"request_id": NOBODY}, label="missing"),
        Case(html(302, wendy=True), {"request_id": f"{W}.open"}, label="own")],

    # --- supervisor pages -----------------------------------------------------------------------
    ("supervisor.queue", "GET"): [Case(html(200, sam=True, sue=True))],
    ("supervisor.supervisees", "GET"): [Case(html(200, sam=True, sue=True))],
    ("supervisor.summary", "GET"): [
        Case(html(200, sam=True), {"worker_id": f"{W}.id"}),
        Case(html(200, sue=True), {"worker_id": f"{O}.id"}, label="olga"),
        Case(html(200), {"worker_id": "sam.id"}, label="not a worker")],
    ("supervisor.reflection", "GET"): [
        Case(html(200, sam=True), {"worker_id": f"{W}.id", "reflection_id": f"{W}.shared"}),
        Case(html(200), {"worker_id": f"{W}.id", "reflection_id": f"{W}.reflection"}, label="private"),
        Case(html(200, sue=True), {"worker_id": f"{O}.id", "reflection_id": f"{O}.shared"}, label="olga's"),
        Case(html(200), {"worker_id": f"{W}.id", "reflection_id": f"{O}.shared"}, label="olga's under wendy")],
    ("supervisor.new_supervision", "GET"): [
        Case(html(200, sam=True), {"worker_id": f"{W}.id"}),
        Case(html(200, sue=True), {"worker_id": f"{O}.id"}, label="olga")],
    ("supervisor.new_supervision", "POST"): [
        Case(html(422, sam=True), {"worker_id": f"{W}.id"}),
        Case(html(302, sue=True), {"worker_id": f"{O}.id"}, {"held_on": "2024-03-01", "orientation": "task",
                                                              "format": "one_to_one", "mode": "in_person",
                                                              "minutes": "60"},
             label="olga's, well-formed")],
    ("supervisor.decide", "POST"): [
        Case(html(422, sam=True), {"worker_id": f"{W}.id", "request_id": f"{W}.open"}),
        Case(html(200), {"worker_id": f"{W}.id", "request_id": f"{O}.open"}, {"decision": "approve"},
             label="olga's request under wendy"),
        Case(html(302, sue=True), {"worker_id": f"{O}.id", "request_id": f"{O}.open"}, {"decision": "approve"},
             label="olga's, well-formed"),
        Case(html(302, sam=True), {"worker_id": f"{W}.id", "request_id": f"{W}.open"}, {"decision": "approve"},
             label="wendy's, well-formed")],
    ("supervisor.revoke", "POST"): [
        Case(html(422, sam=True), {"worker_id": f"{W}.id", "request_id": f"{W}.approved"}),
        Case(html(302), {"worker_id": f"{W}.id", "request_id": f"{O}.approved"}, {"reason": "test"},
             label="olga's request under wendy"),
        Case(html(302, sue=True), {"worker_id": f"{O}.id", "request_id": f"{O}.approved"}, {"reason": "test"},
             label="olga's, well-formed")],
    ("supervisor.evidence_file", "GET"): [
        Case(html(200, sam=True), {"worker_id": f"{W}.id", "evidence_id": f"{W}.evidence"}),
        Case(html(200), {"worker_id": f"{W}.id", "evidence_id": f"{W}.private_evidence"}, label="not attached"),
        Case(html(200, sue=True), {"worker_id": f"{O}.id", "evidence_id": f"{O}.evidence"}, label="olga's"),
        Case(html(200), {"worker_id": f"{W}.id", "evidence_id": f"{O}.evidence"}, label="olga's under wendy")],

    # --- organisation pages ---------------------------------------------------------------------
    ("org.progression", "GET"): [Case(html(200, ada=True, aud=True))],
    ("org.audit", "GET"): [Case(html(200, ada=True, aud=True))],
    ("org.audit_csv", "GET"): [Case(html(200, ada=True, aud=True))],
    ("org_due.due", "GET"): [Case(html(200, ada=True, aud=True)),
                             Case(html(422, ada=True, aud=True), {"status": "nope"}, label="bad filter")],
    ("org_settings.settings", "GET"): [Case(html(200, ada=True, aud=True))],
    ("org_settings.change", "POST"): [Case(html(422, ada=True)),
                                      Case(html(422, ada=True), body={"due_warning_days": "0",
                                                                      "supervision_every_days": "28"},
                                           label="out of range")],
    ("self_assessment.index", "GET"): [Case(html(200, ada=True, aud=True)),
                                       Case(only(ada=404, aud=404), {"visit": "9"}, label="no such visit")],
    ("self_assessment.new", "GET"): [Case(html(200, ada=True))],
    ("self_assessment.new", "POST"): [Case(html(422, ada=True))],
    ("org.accounts", "GET"): [Case(html(200, ada=True))],
    ("org.create_account", "POST"): [Case(html(422, ada=True))],
    ("org.account", "GET"): [Case(html(200, ada=True), {"person_id": f"{W}.id"}),
                             Case(html(200), {"person_id": NOBODY}, label="missing")],
    ("org.change_roles", "POST"): [Case(html(422, ada=True), {"person_id": f"{W}.id"}),
                                   Case(html(422), {"person_id": NOBODY}, label="missing")],
    ("org.assign", "POST"): [Case(html(422, ada=True), {"worker_id": f"{W}.id"}),
                             Case(html(422), {"worker_id": "sam.id"}, label="not a worker")],
    # --- leave on a worker's record: an organisation admin or the worker's current supervisor ---
    ("leave.page", "GET"): [Case(html(200, sam=True, ada=True), {"worker_id": f"{W}.id"}),
                            Case(html(200, sue=True, ada=True), {"worker_id": f"{O}.id"}, label="olga"),
                            Case(html(200), {"worker_id": "sam.id"}, label="no portfolio")],
    ("leave.record", "POST"): [
        Case(html(422, sam=True, ada=True), {"worker_id": f"{W}.id"}),
        Case(html(302, sue=True, ada=422), {"worker_id": f"{O}.id"}, {"kind": "leave", "starts_on": "2024-01-01"},
             label="olga's, well formed")],
    ("leave.withdraw", "POST"): [Case(html(422, sam=True, ada=True), {"worker_id": f"{W}.id", "leave_id": NOBODY}),
                                 Case(html(422, sue=True, ada=True), {"worker_id": f"{O}.id", "leave_id": NOBODY},
                                      label="olga's")],
    ("org.end_assignment", "POST"): [Case(html(422, ada=True), {"worker_id": f"{W}.id"}),
                                     Case(html(422), {"worker_id": "sam.id"}, label="not a worker")],
    # --- the buddy scheme (001): an admin pairs workers; a worker records their own meetings ---
    ("buddies.assign", "POST"): [Case(html(422, ada=True), {"worker_id": f"{W}.id"}),
                                 Case(html(422), {"worker_id": "sam.id"}, label="not a worker")],
    ("buddies.end", "POST"): [Case(html(422, ada=True), {"worker_id": f"{W}.id"}),
                              Case(html(422), {"worker_id": "sam.id"}, label="not a worker")],
    ("buddies.meetings", "GET"): [Case(html(200, wendy=True))],
    ("buddies.meetings", "POST"): [Case(html(422, wendy=True))],
    ("org.password_link", "POST"): [Case(html(200, ada=True), {"person_id": f"{W}.id"}),
                                    Case(html(200), {"person_id": NOBODY}, label="missing")],
    ("org.deactivate", "POST"): [Case(html(422, ada=True), {"person_id": f"{W}.id"}),
                                 Case(html(422), {"person_id": NOBODY}, label="missing")],
    ("org.supervisor_background", "POST"): [
        Case(html(422, ada=True), {"person_id": "sam.id"}),
        Case(html(302, ada=True), {"person_id": "sam.id"}, {"background": "peer"}, label="well formed"),
        Case(html(422), {"person_id": NOBODY}, label="missing")],
    ("org.reactivate", "POST"): [Case(html(422, ada=True), {"person_id": f"{W}.id"}),
                                 Case(html(422), {"person_id": NOBODY}, label="missing")],
    ("org.erase", "POST"): [Case(html(422, ada=True), {"person_id": f"{W}.id"}),
                            Case(html(422), {"person_id": NOBODY}, label="missing")],
    ("org.decline", "POST"): [Case(html(422, ada=True), {"person_id": f"{W}.id"}),
                              Case(html(422), {"person_id": NOBODY}, label="missing")],

    # --- the training register and audit -------------------------------------------------------
    ("programmes.programmes", "GET"): [Case(html(200, ada=True, aud=True))],
    ("programmes.register", "POST"): [Case(html(422, ada=True))],
    ("programmes.programme", "GET"): [Case(html(200, ada=True, aud=True), {"programme_id": "hee.id"}),
                                      Case(html(200), {"programme_id": NOBODY}, label="missing")],
    ("programmes.add_session", "POST"): [Case(html(422, ada=True), {"programme_id": "hee.id"}),
                                         Case(html(422), {"programme_id": NOBODY}, label="missing")],
    ("programmes.edit_session", "GET"): [Case(html(200, ada=True), {"programme_id": "hee.id", "code": "S1"}),
                                         Case(html(200), {"programme_id": "hee.id", "code": "S99"}, label="missing")],
    ("programmes.edit_session", "POST"): [Case(html(422, ada=True), {"programme_id": "hee.id", "code": "S1"})],
    ("programmes.accredit", "POST"): [Case(html(422, ada=True), {"programme_id": "hee.id"})],
    ("programmes.end_accreditation", "POST"): [Case(html(422, ada=True), {"programme_id": "hee.id"})],
    ("programmes.training", "GET"): [Case(html(200, ada=True, aud=True))],
    ("programmes.worker_training", "GET"): [Case(html(200, ada=True, aud=True), {"worker_id": f"{W}.id"}),
                                            Case(html(200), {"worker_id": "sam.id"}, label="not a worker")],
    ("worker.attended", "GET"): [Case(html(200, wendy=True)),
                                 Case(html(200, wendy=True), {"programme_id": "hee.id"}, label="sessions")],
    ("worker.attended", "POST"): [Case(html(422, wendy=True))],

    # --- the JSON API ---------------------------------------------------------------------------
    ("api.openapi", "GET"): [Case(everyone(200))],
    ("api.programmes", "GET"): [Case(api(200, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("api.record_attendance", "POST"): [Case(api(400, wendy=True))],
    ("api.training_coverage", "GET"): [Case(api(200, ada=True, aud=True))],
    ("api.create_token", "POST"): [Case(everyone(400))],
    ("api.me", "GET"): [Case(api(200, wendy=True))],
    ("api.timeline", "GET"): [Case(api(200, wendy=True))],
    ("api.erasure_request", "GET"): [Case(api(200, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("api.request_erasure", "POST"): [Case(api(400, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("api.withdraw_erasure_request", "POST"): [Case(api(409, wendy=True, sam=True, sue=True, ada=True, aud=True))],
    ("api.reflection", "GET"): [Case(api(200, wendy=True), {"reflection_id": f"{W}.reflection"}),
                                Case(api(200), {"reflection_id": f"{O}.reflection"}, label="olga's")],
    **{(f"api.my_{kind}", "GET"): [Case(api(200, wendy=True)),
                                   Case(api(422, wendy=True), {"page": "0"}, label="page=0")]
       for kind in ("reflections", "evidence", "training", "supervision", "goals")},
    ("api.reflection_versions", "GET"): [
        Case(api(200, wendy=True), {"reflection_id": f"{W}.reflection"}),
        Case(api(200), {"reflection_id": f"{O}.reflection"}, label="olga's")],
    ("api.amend_reflection", "POST"): [
        Case(api(400, wendy=True), {"reflection_id": f"{W}.reflection"}),
        Case(api(200), {"reflection_id": f"{O}.reflection"}, {"title": "T", "body": {"text": "b"}}, label="olga's"),
        Case(api(200, wendy=True), {"reflection_id": f"{W}.reflection"}, {"title": "T", "body": {"text": "b"}},
             label="own")],
    ("api.change_tags", "POST"): [
        Case(api(400, wendy=True), {"kind": "reflections", "item_id": f"{W}.reflection"}),
        Case(api(200), {"kind": "evidence", "item_id": f"{O}.evidence"}, {"tags": ["who-roles:ROLE-1"]},
             label="olga's"),
        Case(api(422, wendy=True), {"kind": "evidence", "item_id": f"{W}.evidence"}, {"tags": ["who-roles:ROLE-99"]},
             label="unknown tag"),
        Case(api(200, wendy=True), {"kind": "reflections", "item_id": f"{W}.reflection"},
             {"tags": ["who-roles:ROLE-1"]}, label="own")],
    ("api.withdraw_evidence", "POST"): [
        Case(api(200), {"evidence_id": f"{O}.evidence"}, label="olga's"),
        Case(api(200), {"evidence_id": NOBODY}, label="missing"),
        Case(api(200, wendy=True), {"evidence_id": f"{W}.private_evidence"}, label="own")],
    ("api.record_training", "POST"): [Case(api(400, wendy=True))],
    ("api.write_reflection", "POST"): [Case(api(400, wendy=True))],
    ("api.add_evidence", "POST"): [Case(api(400, wendy=True))],
    ("api.request_sign_off", "POST"): [
        Case(api(400, wendy=True)),
        Case(api(201, wendy=422), body={"competence": "REL-1", "levels": ["Intermediate"],
                                        "evidence_ids": [f"{O}.evidence"]}, label="olga's evidence")],
    ("api.set_goal", "POST"): [Case(api(400, wendy=True))],
    ("api.change_exposure", "POST"): [
        Case(api(400, wendy=True), {"kind": "reflection", "item_id": f"{W}.reflection"}),
        *[Case(api(200), {"kind": kind, "item_id": f"{O}.{kind}"}, {"tier": "private"}, label=f"olga's {kind}")
          for kind in ("reflection", "evidence", "supervision", "goal")],
        Case(api(200, wendy=True), {"kind": "goal", "item_id": f"{W}.goal"}, {"tier": "supervisors"},
             label="own goal")],
    ("api.review_goal", "POST"): [Case(api(400, wendy=True), {"goal_id": f"{W}.goal"}),
                                  Case(api(200), {"goal_id": f"{O}.goal"}, {"status": "open"}, label="olga's")],
    ("api.withdraw_sign_off", "POST"): [Case(api(200), {"request_id": f"{O}.open"}, label="olga's"),
                                        Case(api(200, wendy=True), {"request_id": f"{W}.open"}, label="own")],
    ("api.supervisees", "GET"): [Case(api(200, sam=True, sue=True))],
    ("api.queue", "GET"): [Case(api(200, sam=True, sue=True))],
    ("api.summary", "GET"): [Case(api(200, sam=True), {"worker_id": f"{W}.id"}),
                             Case(api(200, sue=True), {"worker_id": f"{O}.id"}, label="olga")],
    ("api.shared_reflection", "GET"): [
        Case(api(200, sam=True), {"worker_id": f"{W}.id", "reflection_id": f"{W}.shared"}),
        Case(api(200), {"worker_id": f"{W}.id", "reflection_id": f"{W}.reflection"}, label="private"),
        Case(api(200, sue=True), {"worker_id": f"{O}.id", "reflection_id": f"{O}.shared"}, label="olga's"),
        Case(api(200), {"worker_id": f"{W}.id", "reflection_id": f"{O}.shared"}, label="olga's under wendy")],
    ("api.decide", "POST"): [
        Case(api(400, sam=True, sue=True), {"worker_id": f"{W}.id", "request_id": f"{W}.open"}),
        Case(api(200), {"worker_id": f"{W}.id", "request_id": f"{O}.open"}, {"decision": "approve"},
             label="olga's request under wendy"),
        Case(api(200, sue=True), {"worker_id": f"{O}.id", "request_id": f"{O}.open"}, {"decision": "approve"},
             label="olga's, well-formed")],
    ("api.revoke", "POST"): [
        Case(api(400, sam=True, sue=True, ada=True), {"worker_id": f"{W}.id", "request_id": f"{W}.approved"}),
        Case(api(200), {"worker_id": f"{W}.id", "request_id": f"{O}.approved"}, {"reason": "test"},
             label="olga's request under wendy"),
        Case(only(anonymous=401, wendy=404, sam=404, aud=404, sue=200),
             {"worker_id": f"{O}.id", "request_id": f"{O}.approved"}, {"reason": "test"}, label="olga's, well-formed")],
    ("api.record_supervision", "POST"): [
        Case(api(400, sam=True, sue=True), {"worker_id": f"{W}.id"}),
        Case(api(201, sue=True), {"worker_id": f"{O}.id"}, {"held_on": "2024-03-01", "orientation": "task",
                                                             "format": "one_to_one", "mode": "in_person",
                                                             "minutes": 60},
             label="olga's, well-formed")],
    ("api.progression", "GET"): [Case(api(200, ada=True, aud=True))],
    ("api.audit", "GET"): [Case(api(200, ada=True, aud=True))],
    ("api.self_assessment", "GET"): [Case(api(200, ada=True, aud=True))],
    ("api.complete_self_assessment", "POST"): [Case(api(400, ada=True))],
    ("api.accounts", "GET"): [Case(api(200, ada=True))],
    ("api.create_account", "POST"): [Case(api(400, ada=True))],
    ("api.change_roles", "POST"): [Case(api(400, ada=True), {"person_id": f"{W}.id"})],
    ("api.assign_supervisor", "POST"): [Case(api(400, ada=True), {"person_id": f"{W}.id"})],
    ("api.end_assignment", "POST"): [Case(api(400, ada=True), {"person_id": f"{W}.id"})],
}


# --- the history the URL values come from ---------------------------------------------------------
def _history(web, at) -> dict[str, str]:
    """Each worker's items: a private reflection, one with another's story, evidence attached to an open
    request and evidence kept private, an approved request, a supervision record and a goal."""
    app = web.app.extensions["portfolio"].app
    ids = dict(web.ids)
    with at("2023-01-02"):
        ids["olga"] = app.register_person("olga", "Olga Other", ["peer_worker"], "2023-01-02")
        app.start_position(ids["olga"], "peer_worker", "2023-01-02", 90)
        app.assign_supervisor(ids["olga"], ids["sue"], "2023-01-02")
    h = {f"{name}.id": str(pid) for name, pid in ids.items()}
    h["hee.id"] = str(Programme.builtin_id("hee-programme"))
    for worker, supervisor in (("wendy", "sam"), ("olga", "sue")):
        wid, sid = ids[worker], ids[supervisor]
        with at("2024-02-01"):
            h[f"{worker}.reflection"] = app.write_reflection(wid, "free", f"{worker}'s reflection", "Private text.")
            h[f"{worker}.story"] = app.write_reflection(wid, "free", "About a peer", "A peer's story, told with leave.",
                                                        others_story=True)
            h[f"{worker}.shared"] = app.write_reflection(wid, "free", f"{worker}'s shared one", "Shared text.")
            app.change_exposure(wid, "reflection", h[f"{worker}.shared"], "supervisors")
            h[f"{worker}.supervision"] = app.record_supervision(wid, sid, "2024-02-01", "task", "one_to_one",
                                                                "in_person", 60, ["boundaries"], "Act.", "Notes.")
            h[f"{worker}.goal"] = app.set_goal(wid, "Co-facilitate a group.", [], "2024-12-31")
            signed = app.add_evidence(wid, "Notes on REL-2", "reflection", "Basic notes.", [("REL-2", "Basic")])
            h[f"{worker}.approved"] = app.request_sign_off(wid, "REL-2", "Basic", [signed])
            app.approve_sign_off(wid, h[f"{worker}.approved"], sid)
            h[f"{worker}.evidence"] = app.add_evidence(wid, "Practice record", "work_product", "Two sessions.",
                                                       [("REL-1", "Basic")], ("notes.txt", "text/plain", b"notes\n"))
            h[f"{worker}.open"] = app.request_sign_off(wid, "REL-1", "Basic", [h[f"{worker}.evidence"]])
            h[f"{worker}.private_evidence"] = app.add_evidence(wid, "Kept back", "reflection", "Mine.",
                                                               [("REL-3", "Basic")], ("mine.txt", "text/plain", b"x"))
    web.app.extensions["portfolio"].projector.refresh()
    return {k: str(v) for k, v in h.items()}


class Callers:
    """A fresh test client per call, as `who`: a session cookie for the pages, a bearer token for the API
    (logging out or a changed password must not leak into the next call)."""

    def __init__(self, web):
        self.flask_app = web.app
        app = web.app.extensions["portfolio"].app
        self.people = {who: app.person(pid) for who, pid in web.ids.items()}
        self.tokens = {who: app.issue_api_token(pid) for who, pid in web.ids.items()}

    def call(self, who: str, method: str, url: str, body: dict | None):
        client = self.flask_app.test_client()
        headers = {}
        if who != "anonymous":
            if url.startswith("/api/"):
                headers["Authorization"] = f"Bearer {self.tokens[who]}"
            else:
                person = self.people[who]
                with client.session_transaction() as session:
                    session["sid"] = self.flask_app.extensions["portfolio"].app.sessions.start(person.id)
        if method == "GET":
            return _read_and_close(client.get(url, headers=headers))
        if body is None:
            return client.post(url, headers=headers)
        if url.startswith("/api/"):
            return client.post(url, headers=headers, json=body)
        return client.post(url, headers=headers, data=body)


def _read_and_close(response):
    """Read a streamed answer (the audit CSV) whole and close it here, so its request context is
    not popped later by the garbage collector, in the middle of another test."""
    response.get_data()
    response.close()
    return response


def _resolve(value, h: dict[str, str]):
    if isinstance(value, list):
        return [_resolve(v, h) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, h) for k, v in value.items()}
    return h.get(value, value) if isinstance(value, str) else value


def _verdict(response, expected) -> str | None:
    """None if the answer is the expected one, else what was wrong."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if expected == LOGIN:
        location = response.headers.get("Location", "")
        if status == 302 and location.split("?")[0].endswith("/login"):
            return None
        return f"{status} {location}".strip() + " (expected 302 to /login)"
    return None if status == expected else str(status)


def _changes_state(key: tuple[str, str]) -> bool:
    """A POST that someone is expected to get through (2xx/3xx) changes what later calls would see."""
    return key[1] == "POST" and any(status in (200, 201, 302) for case in MATRIX[key]
                                    for who, status in case.expect.items() if who != "anonymous")


def _units() -> list[tuple[str, list[tuple[str, str]]]]:
    """Entries that change state each get a fresh instance; the others share one per blueprint (an
    instance costs more than all of its calls)."""
    shared: dict[str, list] = {}
    alone = []
    for key in MATRIX:
        if _changes_state(key):
            alone.append((f"{key[0]}-{key[1]}", [key]))
        else:
            blueprint = key[0].split(".")[0] if "." in key[0] else "app"
            group = blueprint if blueprint in ("worker", "supervisor", "org", "api") else "public"
            shared.setdefault(f"{group} (reads and refusals)", []).append(key)
    return list(shared.items()) + alone


UNITS = _units()


@pytest.mark.parametrize("keys", [keys for _, keys in UNITS], ids=[name for name, _ in UNITS])
def test_routes_answer_each_role_as_expected(web, at, keys):
    from flask import url_for

    h = _history(web, at)
    callers = Callers(web)
    wrong = []
    for endpoint, method in keys:
        if not any(r.endpoint == endpoint and method in r.methods for r in web.app.url_map.iter_rules()):
            wrong.append(f"{method} {endpoint} is in MATRIX but not in the app: remove or rename its entry")
            continue
        for case in MATRIX[(endpoint, method)]:
            with web.app.test_request_context():
                url = url_for(endpoint, **_resolve(case.values, h))
            body = _resolve(case.body, h)
            for who, expected in case.expect.items():
                response = callers.call(who, method, url, body)
                problem = _verdict(response, expected)
                if problem:
                    wrong.append(f"{endpoint}: {who:9} {method} {url}{' (' + case.label + ')' if case.label else ''}"
                                 f"{' body=' + str(case.body) if case.body else ''}: {problem}, expected {expected}")
    assert not wrong, f"{len(wrong)} unexpected answer(s):\n" + "\n".join(wrong)


def test_every_route_has_an_entry(web):
    """A route added without its expectations fails here; so does an entry for a route that went."""
    routes = {(rule.endpoint, method) for rule in web.app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes without an entry in tests/test_permissions.py MATRIX: {missing}"
    assert not stale, f"MATRIX entries for routes that do not exist: {stale}"


def test_every_entry_covers_every_role():
    for key, cases in MATRIX.items():
        covered = {who for case in cases for who in case.expect}
        assert covered == set(WHO), f"{key}: no expectation for {sorted(set(WHO) - covered)}"


def test_a_session_cookie_does_not_open_the_api(web):
    """The API is exempt from CSRF because it takes bearer tokens only: a browser's cookie must not count."""
    client = web.client("wendy")
    assert client.get("/me").status_code == 200
    for method, url in (("GET", "/api/v1/me"), ("POST", "/api/v1/me/reflections")):
        response = client.open(url, method=method, json={"template": "free", "title": "t", "body": "b"})
        assert response.status_code == 401, (method, url, response.status_code)


def test_a_former_supervisor_sees_nothing_of_the_worker(web, at):
    """Access follows the assignment of today: once sam's assignment to wendy has ended, her pages,
    files and requests answer sam 404 as they do any other supervisor, and leave his queue."""
    from datetime import timedelta

    from portfolio.domain import clock

    h = _history(web, at)
    app = web.app.extensions["portfolio"].app
    callers = Callers(web)
    assert h["wendy.open"] in callers.call("sam", "GET", "/supervise", None).get_data(as_text=True)
    assert h["wendy.open"] in [r["request_id"] for r in callers.call("sam", "GET", "/api/v1/queue", None)
                               .get_json()["requests"]]
    app.end_supervision(h["wendy.id"], h["sam.id"], clock.today() - timedelta(days=1))
    web.app.extensions["portfolio"].projector.refresh()
    w, rq, ev = h["wendy.id"], h["wendy.open"], h["wendy.evidence"]
    calls = [("GET", f"/supervise/workers/{w}/summary", None),
             ("GET", f"/supervise/workers/{w}/supervision/new", None),
             ("GET", f"/supervise/workers/{w}/evidence/{ev}/file", None),
             ("POST", f"/supervise/workers/{w}/requests/{rq}/decision", {"decision": "approve"}),
             ("POST", f"/supervise/workers/{w}/requests/{h['wendy.approved']}/revoke", {"reason": "x"}),
             ("GET", f"/api/v1/workers/{w}/summary", None),
             ("POST", f"/api/v1/workers/{w}/sign-off-requests/{rq}/decision", {"decision": "approve"}),
             ("POST", f"/api/v1/workers/{w}/supervisions", {"held_on": "2024-03-01", "orientation": "task",
                                                            "format": "one_to_one", "mode": "in_person",
                                                            "minutes": 60})]
    wrong = [f"{method} {url}: {status}" for method, url, body in calls
             if (status := callers.call("sam", method, url, body).status_code) != 404]
    assert not wrong, "a former supervisor still reaches the worker:\n" + "\n".join(wrong)
    assert rq not in callers.call("sam", "GET", "/supervise", None).get_data(as_text=True)
    assert rq not in [r["request_id"] for r in callers.call("sam", "GET", "/api/v1/queue", None)
                      .get_json()["requests"]]
    assert app.portfolio(w).requests[rq]["status"] == "open"
