"""The erasure request on the web: the person asks and withdraws, admins hear of it and decline or erase."""

from __future__ import annotations

import re

from test_api import api  # noqa: F401  (a fixture)

REASON = "DECLINEMARKER the tribunal needs the record"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_page_explains_erasure_and_needs_the_box_ticked(web, at):
    with at("2024-05-01"):
        wendy = web.client("wendy")
        page = text(wendy.get("/me/erasure"))
        for words in ("Your key is destroyed", "becomes unreadable everywhere", "structure of your sign-offs stays",
                      "cannot be undone", "You have not asked."):
            assert words in page
        refused = wendy.post("/me/erasure", data={})
        assert refused.status_code == 422 and "tick the box" in text(refused)
        assert web.app.extensions["portfolio"].app.person(web.ids["wendy"]).erasure_request is None
        assert 'href="/me/erasure"' in text(wendy.get("/me/privacy"))


def test_ask_once_then_withdraw(web, at):
    with at("2024-05-01"):
        wendy = web.client("wendy")
        done = wendy.post("/me/erasure", data={"confirm": "yes"})
        assert done.status_code == 303 and done.headers["Location"].endswith("/me/erasure")
        page = text(wendy.get("/me/erasure"))
        assert "<strong>Open</strong>: you asked on 2024-05-01" in page and "Withdraw my erasure request" in page
        again = wendy.post("/me/erasure", data={"confirm": "yes"})
        assert again.status_code == 409 and "you already asked for erasure on 2024-05-01" in text(again)
        assert wendy.post("/me/erasure/withdraw").status_code == 303
        assert "You withdrew your last request on 2024-05-01" in text(wendy.get("/me/erasure"))
        nothing = wendy.post("/me/erasure/withdraw")
        assert nothing.status_code == 409 and "no open erasure request" in text(nothing)


def test_any_account_can_ask(web, at):
    with at("2024-05-01"):
        sam = web.client("sam")
        assert sam.post("/me/erasure", data={"confirm": "yes"}).status_code == 303
        assert "<strong>Open</strong>" in text(sam.get("/me/erasure"))


def test_admin_sees_it_in_the_inbox_and_on_accounts_then_declines(web, at):
    w = web.ids["wendy"]
    with at("2024-05-01"):
        web.client("wendy").post("/me/erasure", data={"confirm": "yes"})
        ada = web.client("ada")
        inbox = text(ada.get("/inbox"))
        assert "Wendy Worker asked for their record to be erased" in inbox
        assert f'href="/org/accounts/{w}"' in inbox
        accounts = text(ada.get("/org/accounts"))
        assert "1 person has asked to be erased" in accounts
        assert re.search(r"wendy <span class=\"tag\">erasure requested</span>", accounts)
        only = text(ada.get("/org/accounts?erasure=requested"))
        assert "1 of 5 accounts" in only and ">sam<" not in only
        assert ada.get("/org/accounts?erasure=maybe").status_code == 422
        account = text(ada.get(f"/org/accounts/{w}"))
        assert "<strong>Erasure requested</strong> by wendy on 2024-05-01" in account
        empty = ada.post(f"/org/accounts/{w}/erasure-request/decline", data={}, headers={"HX-Request": "true"})
        assert empty.status_code == 422 and "decline_reason" in text(empty) and "<html" not in text(empty)
        done = ada.post(f"/org/accounts/{w}/erasure-request/decline", data={"decline_reason": REASON})
        assert done.status_code == 302
        assert "The last one was declined" in text(ada.get(f"/org/accounts/{w}"))
        twice = ada.post(f"/org/accounts/{w}/erasure-request/decline", data={"decline_reason": REASON})
        assert twice.status_code == 409 and "no open erasure request" in text(twice)
        wendy = web.client("wendy")
        assert "Ada Admin declined your erasure request" in text(wendy.get("/inbox"))
        mine = text(wendy.get("/me/erasure"))
        assert "<strong>Declined</strong> on 2024-05-01" in mine and REASON in mine
        assert REASON not in text(ada.get("/inbox")) and REASON not in text(wendy.get("/inbox"))


def test_erasing_closes_the_request(web, at):
    w = web.ids["wendy"]
    with at("2024-05-01"):
        web.client("wendy").post("/me/erasure", data={"confirm": "yes"})
        ada = web.client("ada")
        assert ada.post(f"/org/accounts/{w}/erase", data={"reference": "her request of 1 May",
                                                          "confirm": "wendy"}).status_code == 302
        assert "The last one was carried out" in text(ada.get(f"/org/accounts/{w}"))
        assert 'id="erasure-open"' not in text(ada.get("/org/accounts"))


# --- the API: any account asks, sees the state, withdraws ------------------------------------------
def test_the_api_asks_shows_and_withdraws(api, at):
    from test_api import ok

    with at("2024-05-01"):
        assert ok(api.get("sam", "/me/erasure-request")) == {"status": "none", "requested_at": None,
                                                            "closed_at": None, "reason": None}
        missing = api.post("sam", "/me/erasure-request", {})
        assert missing.status_code == 422 and "tick the box" in missing.get_json()["fields"]["confirm"][0]
        asked = ok(api.post("sam", "/me/erasure-request", {"confirm": "yes"}), 201)
        assert asked["status"] == "open" and asked["requested_at"].startswith("2024-05-01")
        again = api.post("sam", "/me/erasure-request", {"confirm": "yes"})
        assert again.status_code == 409 and "already asked" in again.get_json()["message"]
        api.app.extensions["portfolio"].app.decline_erasure_request(api.ids["sam"], api.ids["ada"], REASON)
        declined = ok(api.get("sam", "/me/erasure-request"))
        assert (declined["status"], declined["reason"]) == ("declined", REASON)
        ok(api.post("sam", "/me/erasure-request", {"confirm": "yes"}), 201)
        assert ok(api.post("sam", "/me/erasure-request/withdraw"))["status"] == "withdrawn"
        assert api.post("sam", "/me/erasure-request/withdraw").status_code == 409
        assert api.get(None, "/me/erasure-request").status_code == 401


def test_the_request_and_the_decline_are_in_everything_held_about_me(web, at):
    app, w = web.app.extensions["portfolio"].app, web.ids["wendy"]
    with at("2024-05-01"):
        app.request_erasure(w)
        app.decline_erasure_request(w, web.ids["ada"], REASON)
        page = text(web.client("wendy").get("/me/subject-access.html"))
    assert "You asked for your record to be erased" in page
    assert "An organisation admin declined your erasure request" in page and REASON in page
