"""A person's own erasure request: the rules, who hears of it, and e-mail; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from portfolio.domain.errors import DomainError, Erased, OpenRequestExists, RequestNotOpen
from test_notification_mail import smtp_server  # noqa: F401  (a fixture)
from portfolio.projections.inbox import inbox

REASON = "DECLINEMARKER we must keep the record for a tribunal"


def test_one_open_request_at_a_time_and_withdrawal(app, org, at):
    w = org["wendy"]
    with at("2024-05-01"):
        app.request_erasure(w)
        assert app.person(w).erasure_request["at"].date().isoformat() == "2024-05-01"
        with pytest.raises(OpenRequestExists, match="you already asked for erasure on 2024-05-01"):
            app.request_erasure(w)
        app.withdraw_erasure_request(w)
        person = app.person(w)
        assert person.erasure_request is None and person.erasure_closed["outcome"] == "withdrawn"
        with pytest.raises(RequestNotOpen, match="wendy has no open erasure request"):
            app.withdraw_erasure_request(w)
        app.request_erasure(w)  # a new request after the withdrawal is allowed
        assert app.person(w).erasure_request is not None


def test_decline_needs_an_admin_an_open_request_and_seals_the_reason(app, org, at):
    w = org["wendy"]
    with at("2024-05-01"):
        with pytest.raises(RequestNotOpen):
            app.decline_erasure_request(w, org["ada"], REASON)
        app.request_erasure(w)
        with pytest.raises(DomainError, match="only an organisation admin"):
            app.decline_erasure_request(w, org["sam"], REASON)
        with pytest.raises(DomainError, match="reason"):
            app.decline_erasure_request(w, org["ada"], "  ")
        app.decline_erasure_request(w, org["ada"], REASON)
        closed = app.person(w).erasure_closed
        assert closed["outcome"] == "declined" and closed["by"] == org["ada"]
        assert "DECLINEMARKER" not in closed["reason_sealed"]
        assert app.read_text(w, closed["reason_sealed"]) == REASON


def test_an_admin_cannot_decline_their_own_request(app, org, at):
    with at("2024-05-01"):
        other = app.register_person("ann", "Ann Admin", ["org_admin"])
        app.request_erasure(org["ada"])
        with pytest.raises(DomainError, match="not by the person"):
            app.decline_erasure_request(org["ada"], org["ada"], "no")
        app.decline_erasure_request(org["ada"], other, "no")


def test_erasure_closes_the_request_and_the_declined_reason_goes_with_the_key(app, org, at):
    w = org["wendy"]
    with at("2024-05-01"):
        app.request_erasure(w)
        app.decline_erasure_request(w, org["ada"], REASON)
        sealed = app.person(w).erasure_closed["reason_sealed"]
        app.request_erasure(w)
        app.erase_worker(w, org["ada"], "ticket 7")
        person = app.person(w)
        assert person.erasure_request is None and person.erasure_closed["outcome"] == "erased"
        assert app.read_text(w, sealed) is None
        with pytest.raises(Erased):
            app.request_erasure(w)


def _inbox(runtime, who) -> list[dict]:
    runtime.projector.catch_up("notifications")
    return inbox(runtime.engine, str(who))


def test_every_admin_of_the_moment_hears_of_a_request_and_the_person_of_a_decline(runtime, org, at):
    app, w = runtime.app, org["wendy"]
    with at("2024-05-01"):
        ann = app.register_person("ann", "Ann Admin", ["org_admin"])
        app.change_roles(org["sam"], ["supervisor", "org_admin"])
        app.change_roles(ann, ["auditor"])  # no longer an admin: hears nothing
        app.request_erasure(w)
        app.decline_erasure_request(w, org["ada"], REASON)
    for who in ("ada", "sam"):
        items = _inbox(runtime, org[who])
        assert [(i["kind"], i["worker_id"], i["actor_id"]) for i in items] == [("erasure_requested", str(w), str(w))]
    assert _inbox(runtime, ann) == [] and _inbox(runtime, org["aud"]) == []
    mine = _inbox(runtime, w)
    assert [(i["kind"], i["actor_id"]) for i in mine] == [("erasure_declined", str(org["ada"]))]
    runtime.projector.rebuild("notifications")  # the same from the log alone
    assert [i["kind"] for i in _inbox(runtime, org["sam"])] == ["erasure_requested"]


def test_erasure_notifications_are_mailed_without_text(runtime, org, at, smtp_server):
    from portfolio.mail import send_pending

    server, url = smtp_server
    app, w = runtime.app, org["wendy"]
    with at("2024-05-01"):
        app.request_erasure(w)
        app.decline_erasure_request(w, org["ada"], REASON)
        assert send_pending(runtime, url).sent == 2
    by_to = {tuple(to): body for to, body in server.messages}
    assert "asked for their record to be erased" in by_to[("ada@example.org",)]
    assert f"https://portfolio.example.org/org/accounts/{w}\r\n" in by_to[("ada@example.org",)]
    assert "declined" in by_to[("wendy@example.org",)]
    assert "https://portfolio.example.org/me/erasure\r\n" in by_to[("wendy@example.org",)]
    for _, body in server.messages:
        for marker in ("DECLINEMARKER", "Wendy Worker", "Ada Admin"):
            assert marker not in body
