"""Input limits (issue 9, "smaller"): days outside 1900-01-01..2100-12-31 answer 4xx naming the field
(never a 500 from date arithmetic), occurrences cannot be dated in the future, and an error on a field
a form does not show inline (the evidence file, a select) is still shown."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portfolio.domain import clock


@pytest.fixture
def tokens(web, runtime):
    return {name: runtime.app.issue_api_token(pid) for name, pid in web.ids.items()}


def api(web, tokens, who, method, path, **kwargs):
    return web.app.test_client().open("/api/v1" + path, method=method,
                                      headers={"Authorization": f"Bearer {tokens[who]}"}, **kwargs)


def shown_errors(response) -> str:
    body = response.get_data(as_text=True)
    return " ".join(re.findall(r'class="error"[^>]*>(.*?)</(?:p|div)>', body, re.S))


FAR_DAYS = ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]


# --- item 2: days in range ------------------------------------------------------------------------
@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize("who, url, field", [
    ("wendy", "/me?as_of={}", "as_of"), ("wendy", "/me/timeline?as_of={}", "as_of"),
    ("ada", "/org/progression?as_of={}", "as_of"), ("ada", "/org/audit?start={}", "start"),
    ("ada", "/org/audit?end={}", "end"),
])
def test_far_days_on_pages_answer_422_on_the_field(web, who, url, field, day):
    response = web.client(who).get(url.format(day))
    assert response.status_code == 422, response.status_code
    assert "must be between 1900-01-01 and 2100-12-31" in shown_errors(response)


@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize("who, path, field", [
    ("wendy", "/me?as_of={}", "as_of"), ("wendy", "/me/timeline?as_of={}", "as_of"),
    ("ada", "/progression?as_of={}", "as_of"), ("ada", "/audit?start={}", "start"),
])
def test_far_days_in_the_api_answer_422_on_the_field(web, tokens, who, path, field, day):
    response = api(web, tokens, who, "GET", path.format(day))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["fields"][field] == ["must be between 1900-01-01 and 2100-12-31"]


@pytest.mark.parametrize("path, body, field", [
    ("/me/goals", {"goal": "Lead a group", "due_on": "9999-12-31"}, "due_on"),
    ("/accounts/{wendy}/assignments", {"supervisor_id": "{sue}", "starts_on": "0001-01-01"}, "starts_on"),
    ("/accounts/{wendy}/assignments", {"supervisor_id": "{sue}", "starts_on": "2024-01-01",
                                       "ends_on": "9999-12-31"}, "ends_on"),
])
def test_far_days_in_api_bodies_answer_422(web, tokens, path, body, field):
    who = "wendy" if path.startswith("/me") else "ada"
    fill = {k: str(v) for k, v in web.ids.items()}
    body = {k: v.format(**fill) for k, v in body.items()}
    response = api(web, tokens, who, "POST", path.format(**fill), json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["fields"]


def test_the_application_refuses_far_days_too(app, org):
    from portfolio.domain.errors import InvalidValue

    with pytest.raises(InvalidValue, match="due_on: must be between"):
        app.set_goal(org["wendy"], "Lead a group", [], date.max)
    with pytest.raises(InvalidValue, match="starts_on: must be between"):
        app.assign_supervisor(org["wendy"], org["sue"], "0001-01-01")


# --- item 4: occurrences are not in the future ------------------------------------------------------
TRAINING = {"title": "Stigma", "provider": "College", "hours": "2", "delivery": "online"}


def _future_days():
    return [(clock.today() + timedelta(days=2)).isoformat(), "2100-12-31", "9999-12-31", "1899-12-31"]


def test_training_cannot_be_dated_in_the_future_or_before_1900(web, tokens):
    client = web.client("wendy")
    for day in _future_days():
        response = client.post("/me/training/new", data=dict(TRAINING, held_on=day))
        assert response.status_code == 422 and "held_on" not in (response.headers.get("Location") or "")
        errors = shown_errors(response)
        assert "cannot be recorded in the future" in errors or "must be between" in errors, (day, errors)
        response = api(web, tokens, "wendy", "POST", "/me/training", json=dict(TRAINING, held_on=day))
        assert response.status_code == 422 and "held_on" in response.get_json()["fields"], day
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()  # time zones ahead of UTC
    assert api(web, tokens, "wendy", "POST", "/me/training", json=dict(TRAINING, held_on=tomorrow)).status_code == 201
    assert client.post("/me/training/new", data=dict(TRAINING, held_on=clock.today().isoformat())).status_code == 302


def test_the_domain_refuses_future_and_ancient_training_and_supervision(app, org):
    from portfolio.domain.errors import InvalidValue

    far = clock.today() + timedelta(days=30)
    with pytest.raises(InvalidValue, match="held_on: a training cannot be recorded in the future"):
        app.record_training(org["wendy"], "Stigma", "College", far, "2", "online")
    with pytest.raises(InvalidValue, match="held_on: must be between"):
        app.record_training(org["wendy"], "Stigma", "College", date(1, 1, 1), "2", "online")
    with pytest.raises(InvalidValue, match="held_on: must be between"):
        app.record_supervision(org["wendy"], org["sam"], date(1800, 1, 1), "task", "group", "video", 30)
    with pytest.raises(InvalidValue, match="held_on: a supervision session cannot be recorded in the future"):
        app.record_supervision(org["wendy"], org["sam"], clock.today() + timedelta(days=3), "task", "group",
                               "video", 30)


def test_supervision_dated_before_1900_answers_422(web, tokens):
    body = {"held_on": "1899-12-31", "orientation": "task", "format": "group", "mode": "video", "minutes": 30}
    response = api(web, tokens, "sam", "POST", f"/workers/{web.ids['wendy']}/supervisions", json=body)
    assert response.status_code == 422 and "held_on" in response.get_json()["fields"]


# --- item 5: errors on fields the form does not show inline ----------------------------------------
def test_a_too_long_file_name_is_shown_on_the_file_field(web):
    from io import BytesIO

    response = web.client("wendy").post("/me/evidence/new", content_type="multipart/form-data", data={
        "title": "Certificate", "kind": "training_record",
        "file": (BytesIO(b"plain text"), "n" * 300 + ".txt", "text/plain")})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    match = re.search(r'<p class="error" id="e-file">([^<]*)</p>', body)
    assert match and "file name" in match.group(1) and "255" in match.group(1), shown_errors(response)


def test_an_error_on_a_select_the_form_does_not_mark_is_still_shown(web):
    response = web.client("sam").post(f"/supervise/workers/{web.ids['wendy']}/supervision/new", data={
        "held_on": "2024-05-01", "orientation": "sideways", "format": "group", "mode": "video", "minutes": "30"})
    assert response.status_code == 422
    assert "Orientation: Must be one of" in shown_errors(response)
