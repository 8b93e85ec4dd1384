"""The worker dashboard says honestly what is missing and which feedback still stands (issue 10)."""

from __future__ import annotations

import re

import pytest

TODAY = "2024-05-01"


@pytest.fixture
def wendy(web, at):
    app = web.app.extensions["portfolio"].app
    w, sam = web.ids["wendy"], web.ids["sam"]

    def sign(competence, levels, when="2024-04-01"):
        with at(when):
            ev = app.add_evidence(w, "Notes", "reflection", "", [(competence, levels[0])])
            rid = app.request_sign_off(w, competence, levels, [ev])
            app.approve_sign_off(w, rid, sam)
        return rid
    return {"app": app, "w": w, "sam": sam, "sign": sign}


def missing_text(body: str) -> str:
    return re.search(r"<dt>Still missing</dt>(.*?)</dd>", body, re.S).group(1)


def test_still_missing_names_competence_and_level(web, wendy, at):
    codes = [c["code"] for c in wendy["app"].framework_document("worker-competences")["items"]]
    for code in codes[1:]:
        wendy["sign"](code, ["Basic"])
    with at(TODAY):
        body = web.client("wendy").get("/me").get_data(as_text=True)
    text = missing_text(body)
    assert f"{codes[0]} at Basic" in text
    assert not any(f"{c} at" in text for c in codes[1:])


def test_after_a_revocation_the_stage_never_says_nothing_missing(web, wendy, at):
    codes = [c["code"] for c in wendy["app"].framework_document("worker-competences")["items"]]
    basics = [wendy["sign"](code, ["Basic"]) for code in codes]
    for code in codes:
        wendy["sign"](code, ["Intermediate"])
    with at("2025-03-01"):  # two years in: Intermediate expected, and held everywhere
        assert "Nothing" in missing_text(web.client("wendy").get("/me").get_data(as_text=True))
        wendy["app"].revoke_sign_off(wendy["w"], basics[0], wendy["sam"], "Signed by mistake.")
        body = web.client("wendy").get("/me").get_data(as_text=True)
    text = missing_text(body)
    assert "Nothing" not in text and f"{codes[0]} at Basic" in text


def test_feedback_on_a_returned_request_goes_once_signed_or_asked_again(web, wendy, at):
    app, w, sam = wendy["app"], wendy["w"], wendy["sam"]
    with at("2024-04-01"):
        ev = app.add_evidence(w, "Notes", "reflection", "", [("REL-1", "Basic")])
        r1 = app.request_sign_off(w, "REL-1", ["Basic"], [ev])
        app.return_sign_off(w, r1, sam, "FEEDBACKONE add an example")
        ev2 = app.add_evidence(w, "Notes", "reflection", "", [("REL-2", "Basic")])
        r2 = app.request_sign_off(w, "REL-2", ["Basic"], [ev2])
        app.return_sign_off(w, r2, sam, "FEEDBACKTWO say more")
    with at("2024-04-02"):
        body = web.client("wendy").get("/me").get_data(as_text=True)
        assert "FEEDBACKONE" in body and "FEEDBACKTWO" in body
        app.request_sign_off(w, "REL-1", ["Basic"], [ev])  # asked again
        wendy["sign"]("REL-2", ["Basic"], "2024-04-02")  # signed through another request
        body = web.client("wendy").get("/me").get_data(as_text=True)
    assert "FEEDBACKONE" not in body and "FEEDBACKTWO" not in body
