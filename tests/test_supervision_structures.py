"""Structures of supervision per 004: one-to-one, group, peer and mentoring (004:692, 709, 911-921)."""

from __future__ import annotations

import pytest

from portfolio.domain.errors import SupervisorNotAssigned
from portfolio.domain.values import SUPERVISION_FORMAT, SUPERVISION_FORMAT_NAMES


def _session(app, org, format, supervisor="sam", held_on="2024-04-30"):
    return app.record_supervision(org["wendy"], org[supervisor], held_on, "process", format, "video", 30, ["x"])


def test_old_structures_keep_their_place_and_mentoring_is_added():
    assert SUPERVISION_FORMAT[:3] == ("one_to_one", "group", "peer")  # recorded events keep their meaning
    assert "mentoring" in SUPERVISION_FORMAT and set(SUPERVISION_FORMAT_NAMES) == set(SUPERVISION_FORMAT)


def test_mentoring_is_recorded_and_a_mentor_need_not_be_the_assigned_supervisor(app, org, at):
    with at("2024-05-01"):
        sid = _session(app, org, "mentoring", supervisor="sue")  # 004:709: the mentor was a staff attendant
        assert app.portfolio(org["wendy"]).supervisions[str(sid)]["format"] == "mentoring"
        with pytest.raises(SupervisorNotAssigned):
            _session(app, org, "one_to_one", supervisor="sue")


@pytest.fixture
def sessions(web, at):
    app = web.app.extensions["portfolio"].app
    with at("2024-05-01"):
        for day, fmt in (("2024-04-01", "one_to_one"), ("2024-04-02", "mentoring"), ("2024-04-03", "group")):
            app.record_supervision(web.ids["wendy"], web.ids["sam"], day, "task", fmt, "phone", 30, [])
    return app


def test_supervisor_form_offers_the_structures_by_name(web, sessions):
    body = web.client("sam").get(f"/supervise/workers/{web.ids['wendy']}/supervision/new").get_data(as_text=True)
    assert '<label for="f-format">Structure' in body
    for value, name in SUPERVISION_FORMAT_NAMES.items():
        assert f'<option value="{value}">{name}</option>' in body


def test_supervisor_records_a_mentoring_contact(web, sessions, at):
    form = {"held_on": "2024-04-30", "orientation": "task", "format": "mentoring", "mode": "in_person",
            "minutes": "20"}
    with at("2024-05-01"):
        assert web.client("sam").post(f"/supervise/workers/{web.ids['wendy']}/supervision/new",
                                      data=form).status_code == 302
    formats = [s["format"] for s in sessions.portfolio(web.ids["wendy"]).supervisions.values()]
    assert formats.count("mentoring") == 2


def test_my_supervision_filters_by_structure(web, sessions):
    wendy = web.client("wendy")
    body = wendy.get("/me/supervision?format=mentoring").get_data(as_text=True)
    assert "1 item," in body and "2024-04-02" in body and "2024-04-01" not in body
    assert '<option value="mentoring" selected>Mentoring</option>' in body and "<small>Mentoring</small>" in body
    everything = wendy.get("/me/supervision").get_data(as_text=True)
    assert "3 items," in everything and "<small>One-to-one</small>" in everything
    refused = wendy.get("/me/supervision?format=solo")
    assert refused.status_code == 422 and "format: Must be one of" in refused.get_data(as_text=True)
    assert wendy.get("/me/training?format=mentoring").status_code == 422  # a list without the filter refuses it
