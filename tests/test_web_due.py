"""Levels of use coming due on the pages of each role, and the organisation's settings page.

wendy (conftest `org`) started on 2023-01-02 with 90 days of induction: Essential is due on 2023-04-02;
sam supervises her, sue does not.
"""

from __future__ import annotations

import pytest

SOON = "Essential due on <time datetime=\"2023-04-02\">2 April 2023</time>: 11 levels still missing"
LATE = "Essential was due on <time datetime=\"2023-04-02\">2 April 2023</time>: 11 levels still missing"


def page(web, who: str, url: str, **kw) -> str:
    response = web.client(who).get(url, **kw)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("today, text", [("2023-01-31", None), ("2023-02-01", SOON), ("2023-04-03", LATE)])
def test_worker_and_supervisor_see_what_is_coming_due(web, at, today, text):
    w = web.ids["wendy"]
    with at(today):
        pages = [page(web, "wendy", "/me"), page(web, "sam", "/supervise"),
                 page(web, "sam", "/supervise/supervisees"), page(web, "sam", f"/supervise/workers/{w}/summary")]
        others = [page(web, "sue", "/supervise"), page(web, "sue", "/supervise/supervisees")]
    for body in pages:
        assert (text in body) if text else ("levels still missing" not in body)
    assert all("levels still missing" not in body for body in others)
    if text:
        assert "Levels of use coming due" in pages[0] and "Wendy Worker</a>: " in pages[1]


def test_the_warning_window_is_the_organisations_setting(web, at):
    with at("2023-01-20"):
        assert SOON not in page(web, "wendy", "/me")
        web.app.extensions["portfolio"].app.change_org_settings(web.ids["ada"], due_warning_days=90)
        assert SOON in page(web, "wendy", "/me")


def test_org_due_lists_counts_filters_and_pages(web, at, monkeypatch):
    app = web.app.extensions["portfolio"].app
    with at("2023-03-01"):
        olga = app.register_person("olga", "Olga Other", ["peer_worker"], "2023-03-01")
        app.start_position(olga, "peer_worker", "2023-03-01", 180)  # in induction until 2023-08-28
        body = page(web, "ada", "/org/due")
        assert "Behind (overdue): 0" in body and "Due soon: 1" in body and "In induction: 2" in body
        assert "Wendy Worker" in body and "Olga Other" in body and "Sam Supervisor" in body
        soon = page(web, "aud", "/org/due?status=soon")
        assert "Wendy Worker" in soon and "Olga Other" not in soon and "1 worker." in soon
        fragment = page(web, "aud", "/org/due?status=induction", headers={"HX-Request": "true"})
        assert "<html" not in fragment and "2 workers." in fragment
        assert "Nobody here." in page(web, "ada", f"/org/due?supervisor_id={web.ids['sue']}")
        assert "Olga Other" not in page(web, "ada", f"/org/due?supervisor_id={web.ids['sam']}")
        monkeypatch.setattr("portfolio.web.org_due.PER_PAGE", 1)
        first, second = page(web, "ada", "/org/due"), page(web, "ada", "/org/due?page=2")
        assert "page 1 of 2" in first and "Wendy Worker" in first and "Olga Other" not in first
        assert "Olga Other" in second and "Wendy Worker" not in second  # due soon first, then induction
    for query, field in (("status=late", "status"), ("stage=NOPE", "stage"), ("supervisor_id=x", "supervisor_id"),
                         ("page=0", "page")):
        response = web.client("ada").get(f"/org/due?{query}")
        assert response.status_code == 422 and f"{field}: " in response.get_data(as_text=True), query


def test_settings_page_changes_and_shows_history(web, at):
    ada = web.client("ada")
    with at("2024-05-01"):
        bad = ada.post("/org/settings", data={"due_warning_days": "400", "supervision_every_days": ""})
        body = bad.get_data(as_text=True)
        assert bad.status_code == 422
        assert "due_warning_days: must be between 1 and 365 days" in body and "supervision_every_days: is required" in body
        done = ada.post("/org/settings", data={"due_warning_days": "30", "supervision_every_days": "14"},
                        headers={"HX-Request": "true"})
        assert done.status_code == 200 and done.headers["HX-Redirect"] == "/org/settings"
    body = page(web, "aud", "/org/settings")
    assert "Ada Admin" in body and "2024-05-01" in body and "60 → 30" in body and "28 → 14" in body
    assert 'name="due_warning_days"' not in body  # auditors read, admins change
    assert 'name="due_warning_days"' in page(web, "ada", "/org/settings")
    with at("2024-05-01"):
        assert "every 14 days" in page(web, "sam", "/supervise/supervisees")


def test_supervision_due_follows_the_setting(web, at):
    app, w = web.app.extensions["portfolio"].app, web.ids["wendy"]
    with at("2024-04-05"):
        app.record_supervision(w, web.ids["sam"], "2024-04-05", "task", "one_to_one", "in_person", 60,
                               [], "", "")
        app.change_org_settings(web.ids["ada"], supervision_every_days=14)
        assert 'Due on <time datetime="2024-04-19">' in page(web, "sam", f"/supervise/workers/{w}/summary")
