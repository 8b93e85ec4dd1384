"""The JSON API /api/v1: tokens, each endpoint's happy path, the same permissions as the web pages,
errors as JSON (400/401/404/409/422, never 500) and the OpenAPI document. Every test runs on SQLite
and PostgreSQL (the `web` fixture)."""

from __future__ import annotations

import threading

import pytest

from conftest import PASSWORD
from domain_helpers import new_worker

MARKER = "zebra-lighthouse-quartz"  # planted in private text; must never reach staff


@pytest.fixture
def api(web, runtime, at):
    """Test clients with a bearer token per `org` account, and a second worker `walt` (supervised by sue)."""
    with at("2023-01-02"):
        web.ids["walt"] = new_worker(runtime.app, "walt", supervisor=web.ids["sue"])
    tokens = {name: runtime.app.issue_api_token(pid) for name, pid in web.ids.items()}
    client = web.app.test_client()

    class Api:
        ids = web.ids
        app = web.app
        token = tokens

        @staticmethod
        def call(who, method, path, json=None, **kwargs):
            headers = dict(kwargs.pop("headers", {}))
            if who is not None:
                headers["Authorization"] = f"Bearer {tokens[who]}"
            return client.open("/api/v1" + path, method=method, json=json, headers=headers, **kwargs)

        @classmethod
        def get(cls, who, path, **kwargs):
            return cls.call(who, "GET", path, **kwargs)

        @classmethod
        def post(cls, who, path, json=None, **kwargs):
            return cls.call(who, "POST", path, json=json, **kwargs)

    return Api


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def evidence(api, who="wendy", competence="REL-1", level="Basic"):
    return ok(api.post(who, "/me/evidence", {"title": "Observed practice", "kind": "observation",
                                             "description": "what I did",
                                             "claims": [{"competence": competence, "level": level}]}), 201)["id"]


def sign_off_request(api, who="wendy", competence="REL-1", levels=("Basic",)):
    eid = evidence(api, who, competence, levels[0])
    return ok(api.post(who, "/me/sign-off-requests", {"competence": competence, "levels": list(levels),
                                                      "evidence_ids": [eid]}), 201)["id"]


def reflection(api, who="wendy", title="A hard conversation", text="What I learned"):
    return ok(api.post(who, "/me/reflections", {"template": "free", "title": title, "body": {"text": text},
                                                "competences": ["REL-1"]}), 201)["id"]


# --- tokens --------------------------------------------------------------------------------------
def test_token_for_the_right_password_opens_the_api(api):
    token = ok(api.post(None, "/tokens", {"username": "wendy", "password": PASSWORD}), 201)["token"]
    response = api.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert ok(response)["worker"]["username"] == "wendy"
    assert response.headers["Cache-Control"] == "no-store"
    # The new token replaced the one issued before it.
    assert api.get("wendy", "/me").status_code == 401


@pytest.mark.parametrize("username, password", [("wendy", "not the password"), ("nobody", PASSWORD),
                                                ("WENDY", "not the password")])
def test_wrong_credentials_answer_401_json(api, username, password):
    response = api.post(None, "/tokens", {"username": username, "password": password})
    assert response.status_code == 401
    assert response.get_json() == {"error": "Unauthorized",
                                   "message": "That username and password do not match an account."}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_missing_or_invalid_token_answers_401_json(api, headers):
    for path in ("/me", "/queue", "/audit", "/progression"):
        response = api.app.test_client().get("/api/v1" + path, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(response.get_json()) == {"error", "message"}
    response = api.app.test_client().post("/api/v1/me/training", json={}, headers=headers)
    assert response.status_code == 401  # before the body is even looked at


def test_token_requests_are_rate_limited(runtime, web):
    from portfolio.web import create_app

    limited = create_app(runtime.settings)  # not testing: rate limits on (CSRF does not apply to the API)
    try:
        client = limited.test_client()
        statuses = [client.post("/api/v1/tokens", json={"username": "wendy", "password": "wrong password"}).status_code
                    for _ in range(11)]
        assert statuses[:10] == [401] * 10 and statuses[10] == 429
        assert client.post("/api/v1/tokens", json={"username": "wendy", "password": PASSWORD}).get_json()["error"]
    finally:
        limited.extensions["portfolio"].close()


# --- the worker ----------------------------------------------------------------------------------
def test_worker_records_training_and_sees_it_on_the_timeline(api):
    body = ok(api.post("wendy", "/me/training", {
        "title": "Intentional Peer Support", "provider": "IPS", "held_on": "2024-03-01", "hours": "6.5",
        "delivery": "face_to_face", "elements": ["TE-1"], "accredited": True, "accredited_by": "IPS core",
        "ratings": {"OVERALL": 5}}), 201)
    assert body["warnings"] == ["One training session should not take more than 4 hours (000:388)."]
    timeline = ok(api.get("wendy", "/me/timeline"))
    assert timeline["rows"][0]["kind"] == "training" and timeline["rows"][0]["item_id"] == body["id"]
    assert timeline["rows"][0]["title"] == "Intentional Peer Support"  # opened for its owner
    assert timeline["rows"][0]["label"] == "Training on 2024-03-01 (6.50 h, face to face)"  # metadata only
    assert timeline["page"] == 1 and timeline["per_page"] == 25 and timeline["total"] >= 3
    assert ok(api.get("wendy", "/me/timeline?page=99"))["rows"] == []
    past = ok(api.get("wendy", "/me/timeline?as_of=2023-06-01"))
    assert past["as_of"] == "2023-06-01" and all(r["kind"] != "training" for r in past["rows"])


def test_worker_writes_reads_and_shares_a_reflection(api):
    rid = ok(api.post("wendy", "/me/reflections", {
        "template": "grow", "title": "Goal for the month", "body": {"G": "Listen more", "R": "I interrupt"},
        "competences": ["REL-1", "C1"]}), 201)["id"]
    item = ok(api.get("wendy", f"/me/reflections/{rid}"))
    assert item["template"] == "grow" and item["exposure"] == "private"
    assert item["competences"] == ["C1", "REL-1"]
    assert [(v["title"], v["body"]) for v in item["versions"]] == [
        ("Goal for the month", {"G": "Listen more", "R": "I interrupt"})]
    shared = ok(api.post("wendy", f"/me/reflection/{rid}/exposure", {"tier": "supervisors"}))
    assert shared == {"id": rid, "kind": "reflection", "exposure": "supervisors"}
    assert ok(api.get("wendy", f"/me/reflections/{rid}"))["exposure"] == "supervisors"


def test_worker_asks_for_sign_off_and_withdraws(api):
    rid = sign_off_request(api)
    me = ok(api.get("wendy", "/me"))
    assert me["worker"] == {"id": str(api.ids["wendy"]), "username": "wendy", "display_name": "Wendy Worker"}
    assert [(c["competence"], c["level"], c["state"]) for c in me["matrix"]] == [("REL-1", "Basic", "requested")]
    assert me["requests"][0]["id"] == rid and me["requests"][0]["status"] == "open"
    assert me["stage"]["expected"] and "REL-1" in me["stage"]["missing"]
    assert ok(api.post("wendy", f"/me/sign-off-requests/{rid}/withdraw")) == {"id": rid, "status": "withdrawn"}
    response = api.post("wendy", f"/me/sign-off-requests/{rid}/withdraw")
    assert response.status_code == 409 and response.get_json()["error"]


def test_worker_sets_and_reviews_a_goal(api):
    gid = ok(api.post("wendy", "/me/goals", {"goal": "Co-facilitate a group", "competences": ["GOAL-1"],
                                             "due_on": "2030-01-31"}), 201)["id"]
    assert ok(api.post("wendy", f"/me/goals/{gid}/review", {"status": "achieved", "commitment": 8})) == {
        "id": gid, "status": "achieved"}
    again = api.post("wendy", f"/me/goals/{gid}/review", {"status": "dropped"})
    assert again.status_code == 422 and "already achieved" in again.get_json()["message"]


def test_evidence_links_and_exposure(api):
    training = ok(api.post("wendy", "/me/training", {"title": "Boundaries", "provider": "Trust",
                                                     "held_on": "2024-01-10", "hours": 2,
                                                     "delivery": "online"}), 201)["id"]
    eid = ok(api.post("wendy", "/me/evidence", {"title": "Certificate", "kind": "training_record",
                                                "links": [training]}), 201)["id"]
    assert ok(api.post("wendy", f"/me/evidence/{eid}/exposure", {"tier": "accreditation"}))["exposure"] == \
        "accreditation"


def test_past_as_of_shows_the_matrix_then(api, at):
    with at("2024-01-01"):
        rid = sign_off_request(api)
        ok(api.post("sam", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    me = ok(api.get("wendy", "/me"))
    assert [c["state"] for c in me["matrix"]] == ["signed"]
    then = ok(api.get("wendy", "/me?as_of=2023-12-01"))
    assert then["as_of"] == "2023-12-01" and then["matrix"] == [] and then["requests"] == []


# --- the supervisor ------------------------------------------------------------------------------
def test_supervisor_sees_supervisees_queue_and_summary(api):
    rid = sign_off_request(api)
    wendy = str(api.ids["wendy"])
    assert ok(api.get("sam", "/supervisees"))["supervisees"] == [{
        "id": wendy, "username": "wendy", "display_name": "Wendy Worker", "open_requests": 1,
        "stage": ok(api.get("wendy", "/me"))["stage"]}]
    (item,) = ok(api.get("sam", "/queue"))["requests"]
    assert (item["request_id"], item["worker_id"], item["worker_name"], item["levels"]) == (
        rid, wendy, "Wendy Worker", ["Basic"])
    summary = ok(api.get("sam", f"/workers/{wendy}/summary"))
    assert summary["worker"]["username"] == "wendy" and summary["sign_offs"][0]["request_id"] == rid
    assert summary["last_session"] is None and summary["sessions_90_days"] == 0
    assert ok(api.get("sue", "/queue"))["requests"] == []  # sue supervises walt, not wendy


def test_supervisor_approves_returns_and_revokes(api):
    wendy = api.ids["wendy"]
    rid = sign_off_request(api)
    assert ok(api.post("sam", f"/workers/{wendy}/sign-off-requests/{rid}/decision", {"decision": "approve"})) == {
        "id": rid, "status": "approved"}
    assert [c["state"] for c in ok(api.get("wendy", "/me"))["matrix"]] == ["signed"]
    assert ok(api.post("sam", f"/workers/{wendy}/sign-off-requests/{rid}/revoke", {"reason": "Too early"}))[
        "status"] == "revoked"
    rid2 = sign_off_request(api, competence="REL-2")
    returned = ok(api.post("sam", f"/workers/{wendy}/sign-off-requests/{rid2}/decision",
                           {"decision": "return", "feedback": "Add an observation"}))
    assert returned["status"] == "returned"
    mine = {r["id"]: r for r in ok(api.get("wendy", "/me"))["requests"]}
    assert mine[rid2]["feedback"] == "Add an observation" and mine[rid]["status"] == "revoked"


def test_org_admin_may_revoke_any_workers_sign_off(api):
    rid = sign_off_request(api)
    ok(api.post("sam", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    assert ok(api.post("ada", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/revoke",
                       {"reason": "Audit finding"}))["status"] == "revoked"


def test_supervisor_records_a_session_and_reads_what_was_shared(api, runtime, at):
    wendy = api.ids["wendy"]
    ok(api.post("sam", f"/workers/{wendy}/supervisions", {
        "held_on": "2024-05-01", "orientation": "process", "format": "one_to_one", "mode": "video",
        "minutes": 50, "topics": ["boundaries"], "agreed_actions": "Read the policy", "notes": "Went well"}), 201)
    summary = ok(api.get("sam", f"/workers/{wendy}/summary"))
    assert summary["last_session"] == "2024-05-01"
    assert summary["open_actions"] == "Read the policy"  # sam held that session
    assert "Went well" not in api.get("sam", f"/workers/{wendy}/summary").get_data(as_text=True)
    # A later group session held by sue: sam reads its actions only once wendy shares the record.
    sid = runtime.app.record_supervision(wendy, api.ids["sue"], "2024-05-08", "task", "group", "in_person", 60,
                                         agreed_actions="Try the new rota")
    assert ok(api.get("sam", f"/workers/{wendy}/summary"))["open_actions"] is None
    ok(api.post("wendy", f"/me/supervision/{sid}/exposure", {"tier": "supervisors"}))
    assert ok(api.get("sam", f"/workers/{wendy}/summary"))["open_actions"] == "Try the new rota"


def test_two_decisions_on_one_request_one_succeeds_one_conflicts(api):
    rid = sign_off_request(api)
    path = f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision"
    first = api.post("sam", path, {"decision": "approve"})
    second = api.post("sam", path, {"decision": "return", "feedback": "Too late"})
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert second.get_json()["error"] == "Changed meanwhile"


def test_concurrent_decisions_one_succeeds_one_conflicts(api, runtime, at):
    with at("2023-01-02"):
        runtime.app.assign_supervisor(api.ids["wendy"], api.ids["sue"], "2023-01-02")
    rid = sign_off_request(api)
    path = f"/api/v1/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision"
    barrier, results = threading.Barrier(2), {}

    def decide(who, body):
        client = api.app.test_client()
        barrier.wait()
        results[who] = client.post(path, json=body, headers={"Authorization": f"Bearer {api.token[who]}"})

    threads = [threading.Thread(target=decide, args=("sam", {"decision": "approve"})),
               threading.Thread(target=decide, args=("sue", {"decision": "return", "feedback": "More please"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results.values()) == [200, 409], {
        k: r.get_data(as_text=True) for k, r in results.items()}
    status = {r["id"]: r["status"] for r in ok(api.get("wendy", "/me"))["requests"]}[rid]
    winner = next(k for k, r in results.items() if r.status_code == 200)
    assert status == {"sam": "approved", "sue": "returned"}[winner]


# --- the organisation ----------------------------------------------------------------------------
def test_progression_now_and_as_of(api, at):
    with at("2024-01-01"):
        rid = sign_off_request(api)
        ok(api.post("sam", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    for who in ("ada", "aud"):
        now = ok(api.get(who, "/progression"))
        assert now["workers"] == 2
        assert {(c["competence"], c["level"]): c["workers"] for c in now["signed"]}[("REL-1", "Basic")] == 1
        assert sum(now["stages"].values()) == 2
    then = ok(api.get("aud", "/progression?as_of=2023-12-31"))
    assert then["as_of"] == "2023-12-31" and all(c["workers"] == 0 for c in then["signed"])


def test_audit_is_paged(api):
    for competence in ("REL-1", "REL-2", "GOAL-1"):
        rid = sign_off_request(api, competence=competence)
        ok(api.post("sam", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    first = ok(api.get("aud", "/audit?per_page=2"))
    assert (first["total"], first["page"], first["pages"], first["per_page"]) == (3, 1, 2, 2)
    assert [r["competence"] for r in first["rows"]] == ["REL-1", "REL-2"]
    second = ok(api.get("aud", "/audit?per_page=2&page=2&status=approved"))
    assert [r["competence"] for r in second["rows"]] == ["GOAL-1"]
    assert ok(api.get("aud", "/audit"))["per_page"] == 50
    bad = api.get("aud", "/audit?per_page=0")
    assert bad.status_code == 422 and "per_page" in bad.get_json()["fields"]
    spec = ok(api.app.test_client().get("/api/v1/openapi.json"))
    params = {p["name"] for p in spec["paths"]["/api/v1/audit"]["get"]["parameters"]}
    assert {"page", "per_page", "status"} <= params


def test_audit_rows_carry_names_and_flags(api):
    rid = sign_off_request(api)
    ok(api.post("sam", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    (row,) = ok(api.get("aud", "/audit"))["rows"]
    assert (row["request_id"], row["worker_name"], row["decided_by_name"], row["levels"]) == (
        rid, "Wendy Worker", "Sam Supervisor", ["Basic"])
    assert row["assigned_then"] is True and "no supervision in the 90 days before" in row["flags"]
    assert row["evidence"][0]["kind"] == "observation" and "title" not in row["evidence"][0]  # structure only
    assert ok(api.get("ada", f"/audit?supervisor_id={api.ids['sue']}"))["rows"] == []
    assert len(ok(api.get("ada", "/audit?competence=REL-1&start=2000-01-01"))["rows"]) == 1
    assert ok(api.get("ada", "/audit?end=2000-01-01"))["rows"] == []


def test_admin_creates_an_account_changes_roles_and_assigns(api):
    created = ok(api.post("ada", "/accounts", {
        "username": "Nina", "display_name": "Nina New", "roles": ["peer_worker"],
        "position": "peer_worker", "starts_on": "2024-02-01", "induction_days": 60}), 201)
    assert created["username"] == "nina"
    nina = created["id"]
    # No password travels: Nina chooses hers through the one-time link the admin passes on.
    link = created["set_password_url"].removeprefix("http://localhost")
    chosen = {"new_password": "a long password", "confirm_password": "a long password"}
    assert api.app.test_client().post(link, data=chosen).status_code == 302
    token = ok(api.post(None, "/tokens", {"username": "nina", "password": "a long password"}), 201)["token"]
    me = api.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert ok(me)["worker"]["display_name"] == "Nina New"
    assert ok(api.post("ada", f"/accounts/{nina}/roles", {"roles": ["peer_worker", "supervisor"]}))["roles"] == [
        "peer_worker", "supervisor"]
    assigned = ok(api.post("ada", f"/accounts/{nina}/assignments", {
        "supervisor_id": str(api.ids["sue"]), "starts_on": "2024-02-01"}), 201)
    assert assigned == {"worker_id": nina, "supervisor_id": str(api.ids["sue"]), "starts_on": "2024-02-01",
                        "ends_on": None}
    again = api.post("ada", f"/accounts/{nina}/assignments", {"supervisor_id": str(api.ids["sue"]),
                                                              "starts_on": "2024-03-01"})
    assert again.status_code == 409
    assert "nina" in {a["username"] for a in ok(api.get("ada", "/accounts"))["accounts"]}
    assert any(w["username"] == "nina" for w in ok(api.get("sue", "/supervisees"))["supervisees"])
    ended = ok(api.post("ada", f"/accounts/{nina}/assignments/end", {"supervisor_id": str(api.ids["sue"]),
                                                                     "ends_on": "2024-04-01"}))
    assert ended["ends_on"] == "2024-04-01"
    assert not any(w["username"] == "nina" for w in ok(api.get("sue", "/supervisees"))["supervisees"])


def test_account_errors(api):
    taken = api.post("ada", "/accounts", {"username": "wendy", "display_name": "W", "roles": ["peer_worker"],
                                          "password": "a long password"})
    assert taken.status_code == 422 and "already taken" in taken.get_json()["fields"]["username"][0]
    unknown = api.post("ada", f"/accounts/{api.ids['wendy']}/assignments", {
        "supervisor_id": "00000000-0000-4000-8000-000000000000", "starts_on": "2024-01-01"})
    assert unknown.status_code == 422 and "supervisor_id" in unknown.get_json()["fields"]
    not_supervisor = api.post("ada", f"/accounts/{api.ids['wendy']}/assignments", {
        "supervisor_id": str(api.ids["aud"]), "starts_on": "2024-01-01"})
    assert not_supervisor.status_code == 422 and "supervisor_id" in not_supervisor.get_json()["fields"]
    missing = api.post("ada", "/accounts/00000000-0000-4000-8000-000000000000/roles", {"roles": ["auditor"]})
    assert missing.status_code == 404
    own = api.post("ada", f"/accounts/{api.ids['ada']}/roles", {"roles": ["auditor"]})
    assert own.status_code == 422 and "your own organisation admin role" in own.get_json()["fields"]["roles"][0]
    self_supervised = api.post("ada", f"/accounts/{api.ids['wendy']}/assignments", {
        "supervisor_id": str(api.ids["wendy"]), "starts_on": "2024-01-01"})
    assert self_supervised.status_code == 422 and "supervisor_id" in self_supervised.get_json()["fields"]
    not_worker = api.post("ada", f"/accounts/{api.ids['sam']}/assignments", {
        "supervisor_id": str(api.ids["sue"]), "starts_on": "2024-01-01"})
    assert not_worker.status_code == 404
    nothing_open = api.post("ada", f"/accounts/{api.ids['wendy']}/assignments/end", {
        "supervisor_id": str(api.ids["sue"]), "ends_on": "2024-01-01"})
    assert nothing_open.status_code == 409


# --- permissions ---------------------------------------------------------------------------------
def test_another_workers_items_are_not_found(api):
    rid = reflection(api, "walt")
    req = sign_off_request(api, "walt")
    gid = ok(api.post("walt", "/me/goals", {"goal": "Mine"}), 201)["id"]
    eid = evidence(api, "walt")
    for method, path, body in [("GET", f"/me/reflections/{rid}", None),
                               ("POST", f"/me/reflection/{rid}/exposure", {"tier": "private"}),
                               ("POST", f"/me/evidence/{eid}/exposure", {"tier": "supervisors"}),
                               ("POST", f"/me/sign-off-requests/{req}/withdraw", None),
                               ("POST", f"/me/goals/{gid}/review", {"status": "dropped"})]:
        response = api.call("wendy", method, path, json=body)
        assert response.status_code == 404, (path, response.get_data(as_text=True))
        assert set(response.get_json()) == {"error", "message"}
    # Naming another worker's items in a body is refused like any unknown id.
    response = api.post("wendy", "/me/sign-off-requests", {"competence": "REL-1", "levels": ["Basic"],
                                                           "evidence_ids": [eid]})
    assert response.status_code == 422 and "evidence_ids" in response.get_json()["fields"]
    response = api.post("wendy", "/me/evidence", {"title": "x", "kind": "other", "links": [rid]})
    assert response.status_code == 422 and "links" in response.get_json()["fields"]


def test_unassigned_supervisor_gets_404(api):
    wendy = api.ids["wendy"]
    rid = sign_off_request(api)
    for method, path, body in [
            ("GET", f"/workers/{wendy}/summary", None),
            ("POST", f"/workers/{wendy}/sign-off-requests/{rid}/decision", {"decision": "approve"}),
            ("POST", f"/workers/{wendy}/sign-off-requests/{rid}/revoke", {"reason": "x"}),
            ("POST", f"/workers/{wendy}/supervisions", {"held_on": "2024-01-01", "orientation": "task",
                                                       "format": "group", "mode": "phone", "minutes": 30})]:
        assert api.call("sue", method, path, json=body).status_code == 404, path
    # sam supervises wendy but not walt; walt's request ids under wendy are not found either.
    walt_req = sign_off_request(api, "walt")
    assert api.get("sam", f"/workers/{api.ids['walt']}/summary").status_code == 404
    assert api.post("sam", f"/workers/{wendy}/sign-off-requests/{walt_req}/decision",
                    {"decision": "approve"}).status_code == 404


def test_supervisor_loses_access_when_the_assignment_ends(api, runtime, at):
    with at("2023-06-01"):
        runtime.app.end_supervision(api.ids["wendy"], api.ids["sam"], "2023-06-01")
    assert api.get("sam", f"/workers/{api.ids['wendy']}/summary").status_code == 404
    assert ok(api.get("sam", "/supervisees"))["supervisees"] == []


@pytest.mark.parametrize("who, method, path", [
    ("wendy", "GET", "/supervisees"), ("wendy", "GET", "/queue"), ("wendy", "GET", "/audit"),
    ("wendy", "GET", "/progression"), ("wendy", "POST", "/accounts"), ("sam", "GET", "/me"),
    ("sam", "POST", "/me/training"), ("sam", "GET", "/audit"), ("aud", "POST", "/accounts"),
    ("aud", "GET", "/accounts"), ("ada", "GET", "/me/timeline"), ("aud", "GET", "/queue"),
])
def test_roles_without_the_right_answer_404(api, who, method, path):
    response = api.call(who, method, path, json={} if method == "POST" else None)
    assert response.status_code == 404 and set(response.get_json()) == {"error", "message"}


def test_private_text_never_reaches_staff(api, at):
    """Plant a marker in every kind of private text, then read everything staff can read."""
    wendy = api.ids["wendy"]
    reflection(api, title=f"Private {MARKER}", text=f"Body {MARKER}")
    shared = reflection(api, title=f"Shared {MARKER}", text=f"Body {MARKER}")
    ok(api.post("wendy", f"/me/reflection/{shared}/exposure", {"tier": "supervisors"}))
    ok(api.post("wendy", "/me/goals", {"goal": f"Goal {MARKER}", "due_on": "2030-01-01"}), 201)
    eid = ok(api.post("wendy", "/me/evidence", {"title": "Observation", "kind": "observation",
                                                "description": f"Desc {MARKER}",
                                                "claims": [{"competence": "REL-1", "level": "Basic"}]}), 201)["id"]
    sid = ok(api.post("sam", f"/workers/{wendy}/supervisions", {
        "held_on": "2024-01-01", "orientation": "task", "format": "one_to_one", "mode": "phone", "minutes": 30,
        "agreed_actions": f"Actions {MARKER}", "notes": f"Notes {MARKER}"}), 201)["id"]
    ok(api.post("wendy", f"/me/supervision/{sid}/exposure", {"tier": "supervisors"}))
    rid = ok(api.post("wendy", "/me/sign-off-requests", {"competence": "REL-1", "levels": ["Basic"],
                                                         "evidence_ids": [eid]}), 201)["id"]
    ok(api.post("sam", f"/workers/{wendy}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    ok(api.post("ada", f"/workers/{wendy}/sign-off-requests/{rid}/revoke", {"reason": f"Reason {MARKER}"}))
    rid2 = sign_off_request(api, competence="REL-2")
    ok(api.post("sam", f"/workers/{wendy}/sign-off-requests/{rid2}/decision",
                {"decision": "return", "feedback": f"Feedback {MARKER}"}))
    assert MARKER in api.get("wendy", "/me").get_data(as_text=True)  # the owner reads it (the feedback)

    reads = ["/progression", "/progression?as_of=2023-06-01", "/audit", f"/audit?supervisor_id={api.ids['sam']}",
             "/accounts", "/supervisees", "/queue", f"/workers/{wendy}/summary", "/me", "/me/timeline",
             f"/me/reflections/{shared}", "/openapi.json"]
    for who in ("ada", "aud"):
        for path in reads:
            response = api.get(who, path)
            assert response.status_code in (200, 404), (who, path)
            assert MARKER not in response.get_data(as_text=True), (who, path)
    # The supervisor reads what was shared, never the private reflection.
    summary = api.get("sam", f"/workers/{wendy}/summary").get_data(as_text=True)
    assert f"Shared {MARKER}" in summary and f"Actions {MARKER}" in summary
    assert f"Private {MARKER}" not in summary and f"Notes {MARKER}" not in summary
    assert f"Goal {MARKER}" not in summary and f"Desc {MARKER}" not in summary


# --- invalid input -------------------------------------------------------------------------------
def test_schema_errors_answer_422_per_field(api):
    response = api.post("wendy", "/me/training", {"title": "", "provider": "P", "held_on": "yesterday",
                                                  "hours": 500, "delivery": "online"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid"
    assert set(body["fields"]) == {"title", "held_on", "hours"}
    assert body["fields"]["held_on"] == ["Not a valid date."]
    nested = api.post("wendy", "/me/evidence", {"title": "x", "kind": "other",
                                                "claims": [{"competence": "REL-1", "level": "Expert"}]})
    assert nested.status_code == 422 and "claims.0.level" in nested.get_json()["fields"]
    query = api.get("wendy", "/me/timeline?page=0&as_of=soon")
    assert query.status_code == 422 and set(query.get_json()["fields"]) == {"page", "as_of"}
    audit = api.get("aud", "/audit?supervisor_id=sam")
    assert audit.status_code == 422 and audit.get_json()["fields"]["supervisor_id"] == ["Not a valid UUID."]


def test_domain_field_errors_answer_422_on_the_field(api):
    cases = [
        ("/me/reflections", {"template": "free", "title": "t", "body": {"text": "x"}, "competences": ["NOPE-9"]},
         "competences", "unknown code(s) NOPE-9"),
        ("/me/reflections", {"template": "grow", "title": "t", "body": {"text": "x"}}, "body", "not part of"),
        ("/me/training", {"title": "t", "provider": "p", "held_on": "2024-01-01", "hours": 1, "delivery": "online",
                          "elements": ["TE-99"]}, "elements", "unknown code"),
        ("/me/sign-off-requests", {"competence": "NOPE-1", "levels": ["Basic"],
                                   "evidence_ids": ["00000000-0000-4000-8000-000000000000"]},
         "competence", "unknown competence"),
        ("/me/sign-off-requests", {"competence": "REL-1", "levels": ["Basic", "Advanced"],
                                   "evidence_ids": ["00000000-0000-4000-8000-000000000000"]},
         "levels", "next to each other"),
        ("/me/evidence", {"title": "t", "kind": "other", "claims": [{"competence": "NOPE-1", "level": "Basic"}]},
         "claims", "unknown competence"),
    ]
    for path, body, field, reason in cases:
        response = api.post("wendy", path, body)
        assert response.status_code == 422, (path, response.get_data(as_text=True))
        assert reason in " ".join(response.get_json()["fields"][field]), response.get_json()
    future = api.post("sam", f"/workers/{api.ids['wendy']}/supervisions", {
        "held_on": "2099-01-01", "orientation": "task", "format": "group", "mode": "phone", "minutes": 30})
    assert future.status_code == 422 and "future" in future.get_json()["fields"]["held_on"][0]


def test_state_conflicts_answer_409(api):
    rid = sign_off_request(api)
    eid = evidence(api)
    again = api.post("wendy", "/me/sign-off-requests", {"competence": "REL-1", "levels": ["Basic"],
                                                        "evidence_ids": [eid]})
    assert again.status_code == 409 and "already has an open" in again.get_json()["message"]
    ok(api.post("sam", f"/workers/{api.ids['wendy']}/sign-off-requests/{rid}/decision", {"decision": "approve"}))
    held = api.post("wendy", "/me/sign-off-requests", {"competence": "REL-1", "levels": ["Basic"],
                                                       "evidence_ids": [eid]})
    assert held.status_code == 409 and "already signed off" in held.get_json()["message"]


@pytest.mark.parametrize("data, content_type", [
    ("{not json", "application/json"),
    ('{"title": "x"}', "text/plain"),
    ("title=x", "application/x-www-form-urlencoded"),
    ("", "application/json"),
    ("[" * 100_000 + "]" * 100_000, "application/json"),
])
def test_malformed_or_non_json_bodies_answer_400(api, data, content_type):
    response = api.post("wendy", "/me/goals", data=data, content_type=content_type)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "message"}


@pytest.mark.parametrize("body", [[], ["goal"], "a goal", 42, None, True, {"goal": ["x"]}])
def test_json_of_the_wrong_shape_answers_422(api, body):
    import json

    response = api.post("wendy", "/me/goals", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"] == "invalid"


@pytest.mark.parametrize("text", ["nul \x00 byte", "lone \ud800 surrogate"])
def test_text_the_stores_cannot_keep_answers_422(api, text):
    import json

    body = json.dumps({"title": text, "provider": "p", "held_on": "2024-01-01", "hours": 1, "delivery": "online"})
    response = api.post("wendy", "/me/training", data=body, content_type="application/json")
    assert response.status_code == 422 and "title" in response.get_json()["fields"]
    assert ok(api.get("wendy", "/me/timeline"))  # the read models still work


def test_lists_longer_than_the_read_models_keep_answer_422(api):
    """Topics and claims are kept joined in 600 characters: longer would stop the projection on PostgreSQL."""
    topics = api.post("sam", f"/workers/{api.ids['wendy']}/supervisions", {
        "held_on": "2024-01-01", "orientation": "task", "format": "group", "mode": "phone", "minutes": 30,
        "topics": ["t" * 60] * 10})
    assert topics.status_code == 422 and "600 characters" in topics.get_json()["fields"]["topics"][0]
    claims = api.post("wendy", "/me/evidence", {"title": "x", "kind": "other",
                                                "claims": [{"competence": "PRAC-1", "level": "Intermediate"}] * 40})
    assert claims.status_code == 422 and "600 characters" in claims.get_json()["fields"]["claims"][0]
    fits = api.post("sam", f"/workers/{api.ids['wendy']}/supervisions", {
        "held_on": "2024-01-01", "orientation": "task", "format": "group", "mode": "phone", "minutes": 30,
        "topics": ["t" * 60] * 8})
    assert fits.status_code == 201
    assert ok(api.get("wendy", "/me/timeline"))["rows"][0]["kind"] == "supervision"


def test_unknown_paths_and_methods_answer_json(api):
    assert api.get("wendy", "/me/reflections/not-a-uuid").status_code == 404
    assert api.get("wendy", "/nothing").get_json()["error"] == "Not found"
    response = api.call("wendy", "DELETE", "/me")
    assert response.status_code == 405 and response.get_json()["error"] == "Not allowed"


# --- OpenAPI -------------------------------------------------------------------------------------
def test_openapi_document_is_valid_and_lists_every_route(api):
    response = api.app.test_client().get("/api/v1/openapi.json")  # no token needed
    doc = ok(response)
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens."}
    assert doc["security"] == [{"bearer": []}]

    import re

    routes = {(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
              for rule in api.app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == routes
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}
            assert set(params) == set(re.findall(r"{(\w+)}", path)), path
            for name, p in params.items():
                if name.endswith("_id"):
                    assert p["schema"] == {"type": "string", "format": "uuid"}, (path, name)
            public = path in ("/api/v1/tokens", "/api/v1/openapi.json")
            assert (op.get("security") == []) == public, path
            if not public:
                assert {"401", "404"} <= set(op["responses"]), path
            if "requestBody" in op:
                assert {"400", "422", "409"} <= set(op["responses"]), path
                assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith(
                    "#/components/schemas/")
    assert doc["paths"]["/api/v1/me/training"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Training"}
    assert "201" in doc["paths"]["/api/v1/me/training"]["post"]["responses"]

    import openapi_spec_validator  # in the test extra: a missing validator must fail, not skip

    openapi_spec_validator.validate(doc)


def test_openapi_document_loads_in_schemathesis(api):
    schemathesis = pytest.importorskip("schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app)
    labels = {result.ok().label for result in schema.get_all_operations()}  # ok() raises on an invalid one
    documented = {f"{method.upper()} {path}" for path, ops in api.get(None, "/openapi.json").get_json()["paths"].items()
                  for method in ops}
    assert labels == documented - {"GET /api/v1/openapi.json"}  # schemathesis leaves out the document itself
