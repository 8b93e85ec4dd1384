"""Accounts a real deployment can trust: sessions end server-side, passwords are the person's own,
deactivation and erasure close the account everywhere (web, API, commands, other processes)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask.sessions import SecureCookieSessionInterface

from portfolio.domain import clock
from portfolio.domain.errors import AccountInactive, DomainError, Erased, InvalidValue
from portfolio.passwords import check_policy

from tests.conftest import PASSWORD

NEW = "lantern orchard pebble"


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(flask_app, value: str):
    client = flask_app.test_client()
    client.set_cookie("session", value)
    return client


def _signed_in(client) -> bool:
    response = client.get("/account/password")
    return response.status_code == 200


# --- sessions ------------------------------------------------------------------------------------
def test_a_copied_cookie_stops_working_after_logout(web):
    wendy = web.client("wendy")
    copied = _cookie(wendy)
    assert _signed_in(_with_cookie(web.app, copied))
    assert wendy.post("/logout").status_code == 302
    assert not _signed_in(_with_cookie(web.app, copied))


def test_the_cookie_carries_no_part_of_the_password_hash(web):
    wendy = web.client("wendy")
    serializer = SecureCookieSessionInterface().get_signing_serializer(web.app)
    data = serializer.loads(_cookie(wendy))
    password_hash = web.app.extensions["portfolio"].app.person(web.ids["wendy"]).password_hash
    assert set(data) <= {"sid", "_permanent", "csrf_token", "_flashes"}
    for value in map(str, data.values()):
        assert not any(password_hash[i:i + 8] in value for i in range(len(password_hash) - 8))


def test_logout_in_one_process_ends_the_session_in_another(web, runtime):
    from portfolio.web import create_app

    other = create_app(runtime.settings, testing=True)  # a second web process on the same store
    try:
        wendy = web.client("wendy")
        copied = _cookie(wendy)
        assert _signed_in(_with_cookie(other, copied))
        wendy.post("/logout")
        assert not _signed_in(_with_cookie(other, copied))
    finally:
        other.extensions["portfolio"].close()


def test_sessions_end_after_idle_time_and_lifetime(web, at):
    with at("2024-05-01T09:00:00"):
        wendy = web.client("wendy")
        copied = _cookie(wendy)
    with at("2024-05-01T10:30:00"):
        assert _signed_in(_with_cookie(web.app, copied))
    with at("2024-05-01T12:31:00"):  # more than two hours since it was last used
        assert not _signed_in(_with_cookie(web.app, copied))
    with at("2024-05-01T09:00:00"):
        busy = _cookie(web.client("wendy"))
    for hour in range(10, 18):
        with at(f"2024-05-01T{hour:02d}:30:00"):
            assert _signed_in(_with_cookie(web.app, busy)) == (hour < 17)  # eight hours at most


# --- passwords -------------------------------------------------------------------------------------
@pytest.mark.parametrize("password, reason", [
    ("short words", "at least 12 characters"),
    ("wendy-and-more-words", "must not contain your username"),
    ("123qweasdzxc", "most common passwords"),
    ("football2024", "too easy to guess"),
    ("abcabcabcabc", "too easy to guess"),
])
def test_password_policy(password, reason):
    with pytest.raises(InvalidValue, match=reason):
        check_policy(password, "wendy")
    assert check_policy(NEW, "wendy") == NEW


def test_change_my_password_ends_my_other_sessions(web):
    phone, laptop = web.client("wendy"), web.client("wendy")
    wrong = laptop.post("/account/password", data={"current_password": "not it at all", "new_password": NEW,
                                                   "confirm_password": NEW})
    assert wrong.status_code == 422 and "is not your current password" in wrong.get_data(as_text=True)
    weak = laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": "123qweasdzxc",
                                                  "confirm_password": "123qweasdzxc"})
    assert weak.status_code == 422 and 'id="e-new_password"' in weak.get_data(as_text=True)
    differ = laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW,
                                                    "confirm_password": NEW + "x"})
    assert differ.status_code == 422 and 'id="e-confirm_password"' in differ.get_data(as_text=True)
    done = laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW,
                                                  "confirm_password": NEW})
    assert done.status_code == 302
    assert _signed_in(laptop)  # this one got a fresh session
    assert not _signed_in(phone)  # every other one ended
    assert web.app.test_client().post("/login", data={"username": "wendy", "password": PASSWORD}).status_code == 422
    assert web.app.test_client().post("/login", data={"username": "wendy", "password": NEW}).status_code == 302


def _link(page: str) -> str:
    return re.search(r"http://localhost(/set-password/[^ <\"]+)", page).group(1)


def test_set_password_links_work_once_expire_and_are_replaced(web, at):
    ada = web.client("ada")
    sue = web.ids["sue"]
    with at("2024-05-01T09:00:00"):
        first = _link(ada.post(f"/org/accounts/{sue}/password-link").get_data(as_text=True))
        second = _link(ada.post(f"/org/accounts/{sue}/password-link").get_data(as_text=True))
        app = web.app.extensions["portfolio"].app
        assert app.person(sue).password_hash  # the old password still works until the link is used
        assert web.app.test_client().get(first).status_code == 410  # replaced by the newer link
        assert web.app.test_client().get(second).status_code == 200
    with at("2024-05-04T09:01:00"):  # 72 hours and a minute later
        assert web.app.test_client().get(second).status_code == 410
        third = _link(ada.post(f"/org/accounts/{sue}/password-link").get_data(as_text=True))
        person = web.app.test_client()
        assert person.post(third, data={"new_password": NEW, "confirm_password": NEW}).status_code == 302
        assert _signed_in(person)
        assert web.app.test_client().post(third, data={"new_password": NEW,
                                                       "confirm_password": NEW}).status_code == 410
    # What the admin could have seen: the link's token only as a hash in the log, and never the password.
    events = [n.state for n in app.recorder.select_notifications(1, 10_000)]
    assert not any(NEW.encode() in state for state in events)
    assert not any(third.rsplit("/", 1)[1].encode() in state for state in events)


def test_a_temporary_password_must_be_changed_at_first_sign_in(web):
    app = web.app.extensions["portfolio"].app
    temporary = app.set_temporary_password(web.ids["sue"])
    client = web.app.test_client()
    response = client.post("/login", data={"username": "sue", "password": temporary})
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    gated = client.get("/supervise")
    assert gated.status_code == 302 and gated.headers["Location"] == "/account/password"
    assert "Choose your own before you go on" in client.get("/account/password").get_data(as_text=True)
    api = web.app.test_client().post("/api/v1/tokens", json={"username": "sue", "password": temporary})
    assert api.status_code == 403
    client.post("/account/password", data={"current_password": temporary, "new_password": NEW,
                                           "confirm_password": NEW})
    assert client.get("/supervise").status_code == 200


# --- deactivation ----------------------------------------------------------------------------------
def test_deactivate_and_reactivate(web):
    app = web.app.extensions["portfolio"].app
    ada, sam = web.client("ada"), web.ids["sam"]
    sams_browser = web.client("sam")
    token = app.issue_api_token(sam)
    missing = ada.post(f"/org/accounts/{sam}/deactivate", data={})
    assert missing.status_code == 422 and 'id="e-reason"' in missing.get_data(as_text=True)
    assert ada.post(f"/org/accounts/{sam}/deactivate", data={"reason": "Left in May"}).status_code == 302
    person = app.person(sam)
    assert not person.active and app.read_text(sam, person.deactivated["reason_sealed"]) == "Left in May"
    assert not _signed_in(sams_browser)
    assert web.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    refused = web.app.test_client().post("/login", data={"username": "sam", "password": PASSWORD})
    assert refused.status_code == 422 and "This account is closed" in refused.get_data(as_text=True)
    assert web.app.test_client().post("/api/v1/tokens", json={"username": "sam", "password": PASSWORD}
                                      ).status_code == 403
    assert "Deactivated" in ada.get(f"/org/accounts/{sam}").get_data(as_text=True)
    assert ada.post(f"/org/accounts/{sam}/reactivate").status_code == 302
    assert web.app.test_client().post("/login", data={"username": "sam", "password": PASSWORD}).status_code == 302
    assert "is already active" in ada.post(f"/org/accounts/{sam}/reactivate").get_data(as_text=True)
    own = ada.post(f"/org/accounts/{web.ids['ada']}/deactivate", data={"reason": "x"})
    assert own.status_code == 422 and "another organisation admin" in own.get_data(as_text=True)


# --- erasure closes the account ----------------------------------------------------------------------
def test_an_erased_supervisor_can_no_longer_sign_in_use_tokens_or_sign_off(web, at):
    app = web.app.extensions["portfolio"].app
    w, sam = web.ids["wendy"], web.ids["sam"]
    with at("2024-05-01"):
        ev = app.add_evidence(w, "Practice record", "work_product", "what I did", [("REL-1", "Basic")])
        request_id = app.request_sign_off(w, "REL-1", "Basic", [ev])
    sams_browser = web.client("sam")
    token = app.issue_api_token(sam)
    app.erase_worker(sam, web.ids["ada"], "REQ-7")
    assert not _signed_in(sams_browser)
    assert sams_browser.post(f"/supervisor/requests/{request_id}/approve").status_code in (302, 404)
    assert web.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert web.app.test_client().post("/login", data={"username": "sam", "password": PASSWORD}).status_code == 422
    assert web.app.test_client().post("/api/v1/tokens", json={"username": "sam", "password": PASSWORD}
                                      ).status_code == 401
    with pytest.raises(Erased):
        app.issue_api_token(sam)
    with pytest.raises(Erased, match="can no longer act"):
        app.approve_sign_off(w, request_id, sam)
    assert app.portfolio(w).requests[str(request_id)]["status"] == "open"
    with pytest.raises(Erased):
        app.assign_supervisor(web.ids["wendy"], sam, "2024-06-01")
    # The admin sees that Wendy's open request now waits on no active supervisor.
    page = web.client("ada").get("/org/accounts").get_data(as_text=True)
    assert "1 open sign-off request" in page and "waits on no active supervisor" in page


def test_a_deactivated_person_cannot_act(app, org):
    app.deactivate_person(org["sam"], org["ada"], "on leave")
    with pytest.raises(AccountInactive):
        app.revoke_sign_off(org["wendy"], org["wendy"], org["sam"], "x")
    with pytest.raises(AccountInactive):
        app.issue_password_reset(org["wendy"], org["sam"])
    with pytest.raises(DomainError):
        app.deactivate_person(org["wendy"], org["sam"], "x")  # a deactivated admin-to-be cannot act either


def test_every_command_for_an_erased_person_is_refused(app, org):
    app.erase_worker(org["sam"], org["ada"], "REQ-9")
    sam = org["sam"]
    for command in (lambda: app.change_roles(sam, ["supervisor", "auditor"]),
                    lambda: app.start_position(sam, "peer_worker", "2025-01-01"),
                    lambda: app.set_password_hash(sam, "x"),
                    lambda: app.set_temporary_password(sam),
                    lambda: app.issue_password_reset(sam, org["ada"]),
                    lambda: app.deactivate_person(sam, org["ada"], "x"),
                    lambda: app.reactivate_person(sam, org["ada"]),
                    lambda: app.erase_worker(sam, org["ada"], "again"),
                    lambda: app.revoke_sign_off(org["wendy"], org["wendy"], sam, "x"),
                    lambda: app.erase_worker(org["wendy"], sam, "x")):
        with pytest.raises(Erased):
            command()


def test_a_person_snapshot_from_before_the_account_lifecycle_loads(app, org):
    """Snapshots of class version 1 have no deactivation, password-reset or erasure-request attributes: the
    upcasters add them."""
    import json

    from eventsourcing.persistence import StoredEvent

    from portfolio.domain.people import Person

    sam = app.person(org["sam"])
    snap = app.mapper.to_stored_event(Person.Snapshot.take(sam))
    old = json.loads(snap.state)
    assert old["state"].pop("class_version") == 4
    for name in ("deactivated", "must_change_password", "password_reset", "erasure_request", "erasure_closed",
                 "buddies", "supervisor_background"):
        del old["state"][name]
    app.snapshots.recorder.insert_events([StoredEvent(originator_id=sam.id, originator_version=snap.originator_version,
                                                      topic=snap.topic, state=json.dumps(old).encode())])
    loaded = app.repository.get(sam.id)
    assert loaded.active and not loaded.must_change_password and loaded.password_reset is None
    assert loaded.erasure_request is None and loaded.erasure_closed is None and loaded.buddies == []
    assert loaded.supervisor_background is None
    app.deactivate_person(sam.id, org["ada"], "on leave")
    assert not app.person(sam.id).active


# --- findings of the security review ---------------------------------------------------------------
def test_a_new_or_temporary_password_retires_the_api_token(web):
    app = web.app.extensions["portfolio"].app
    for change in (lambda pid: app.set_temporary_password(pid),
                   lambda pid: app.change_password(pid, PASSWORD, NEW)):
        pid = web.ids["sam"]
        app.set_password_hash(pid, hash_password_for_test())
        token = app.issue_api_token(pid)
        headers = {"Authorization": f"Bearer {token}"}
        assert web.app.test_client().get("/api/v1/me", headers=headers).status_code != 401
        change(pid)
        assert web.app.test_client().get("/api/v1/me", headers=headers).status_code == 401


def hash_password_for_test():
    from portfolio.passwords import hash_password

    return hash_password(PASSWORD)


def test_a_link_from_before_a_deactivation_does_not_work_after_reactivation(app, org):
    token = app.issue_password_reset(org["sue"], org["ada"])
    assert app.reset_link_valid(org["sue"], token)
    app.deactivate_person(org["sue"], org["ada"], "away")
    app.reactivate_person(org["sue"], org["ada"])
    assert not app.reset_link_valid(org["sue"], token)


def test_an_erasure_that_crashed_halfway_can_be_finished(app, org, monkeypatch):
    real_destroy = app.keys.destroy
    monkeypatch.setattr(app.keys, "destroy", lambda pid: (_ for _ in ()).throw(RuntimeError("power cut")))
    with pytest.raises(RuntimeError):
        app.erase_worker(org["wendy"], org["ada"], "REQ-1")
    assert app.person(org["wendy"]).erased_at is not None and app.keys.has_key(org["wendy"])
    monkeypatch.setattr(app.keys, "destroy", real_destroy)
    app.erase_worker(org["wendy"], org["ada"], "REQ-1")  # finishes the shredding
    assert not app.keys.has_key(org["wendy"])
    with pytest.raises(Erased, match="already erased"):
        app.erase_worker(org["wendy"], org["ada"], "REQ-1")


def test_erasure_leaves_no_session_rows(web):
    from sqlalchemy import func, select

    from portfolio.db import web_sessions

    web.client("wendy")
    app = web.app.extensions["portfolio"].app
    app.erase_worker(web.ids["wendy"], web.ids["ada"], "REQ-2")
    with app.sessions.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(web_sessions).where(
            web_sessions.c.person_id == str(web.ids["wendy"]))).scalar() == 0


def test_signing_in_as_someone_else_ends_the_first_session(web):
    client = web.client("wendy")
    first = _cookie(client)
    client.post("/login", data={"username": "sam", "password": PASSWORD})
    assert not _signed_in(_with_cookie(web.app, first))
