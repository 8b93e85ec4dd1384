"""A supervisor's background as 004:696 distinguishes it (worked in peer roles before, or not): recorded by an
org admin as a Person event, shown with the last session on the supervision summary."""

from __future__ import annotations

import pytest

from portfolio.domain.errors import DomainError, InvalidValue


def test_an_admin_records_and_corrects_a_supervisors_background(app, org, at):
    with at("2024-05-01"):
        app.record_supervisor_background(org["sam"], org["ada"], "peer")
        assert app.person(org["sam"]).supervisor_background == "peer"
        app.record_supervisor_background(org["sam"], org["ada"], "not_peer")  # a correction: a new event
        app.record_supervisor_background(org["sam"], org["ada"], "not_peer")  # unchanged: nothing recorded
    assert app.person(org["sam"]).supervisor_background == "not_peer"
    stored = [n.topic.rsplit(".", 1)[-1] for n in app.recorder.select_events(app.person(org["sam"]).id)]
    assert stored.count("SupervisorBackgroundRecorded") == 2


@pytest.mark.parametrize("who, person, background, error, match", [
    ("ada", "sam", "lived experience", InvalidValue, "background: must be one of peer, not_peer"),
    ("ada", "wendy", "peer", InvalidValue, "only a supervisor's background"),
    ("sam", "sam", "peer", DomainError, "only an organisation admin"),
])
def test_background_is_one_of_two_values_set_by_an_admin(app, org, at, who, person, background, error, match):
    with at("2024-05-01"), pytest.raises(error, match=match):
        app.record_supervisor_background(org[person], org[who], background)


def test_account_page_form_and_summary(web, at):
    app = web.app.extensions["portfolio"].app
    sam, w = web.ids["sam"], web.ids["wendy"]
    ada = web.client("ada")
    page = ada.get(f"/org/accounts/{sam}").get_data(as_text=True)
    assert 'id="background-form"' in page and "Has worked in peer roles" in page
    assert 'id="background-form"' not in ada.get(f"/org/accounts/{w}").get_data(as_text=True)
    bad = ada.post(f"/org/accounts/{sam}/supervisor-background", data={"background": "yes"},
                   headers={"HX-Request": "true"})
    assert bad.status_code == 422 and 'id="e-background"' in bad.get_data(as_text=True)
    with at("2024-05-01"):
        app.record_supervision(w, sam, "2024-04-20", "task", "mentoring", "phone", 30, [])
        summary = lambda: web.client("sam").get(f"/supervise/workers/{w}/summary").get_data(as_text=True)  # noqa: E731
        assert "Mentoring, by you\n      (background: not recorded)" in summary()
        assert ada.post(f"/org/accounts/{sam}/supervisor-background", data={"background": "peer"}).status_code == 302
        assert "(background: has worked in peer roles)" in summary()
    assert 'value="peer" checked' in ada.get(f"/org/accounts/{sam}").get_data(as_text=True)
