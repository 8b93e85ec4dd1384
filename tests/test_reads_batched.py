"""Reads of shared content are logged once per request (issue 9): a supervisor's GET of a queue of 10
open requests appends one AccessLog.ContentsRead event per worker, not one per card, and every item
read is still in the worker's "who read this" report. If the reads cannot be recorded, nothing is shown."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain_helpers import COMPETENCES, new_worker
from portfolio.domain.access_log import AccessLog
from portfolio.privacy import exposure_history

TODAY = "2024-05-01"
MARKER = "quartz-lantern-heron"  # in every evidence description: shown only when the read is recorded


def _notifications_after(app, start: int) -> list:
    return list(app.recorder.select_notifications(start=start + 1, limit=1000))


def reads_events(notifications) -> list[str]:
    """Event types appended, leaving out the creation of a worker's access log on its first read."""
    return [n.topic.split(":")[-1] for n in notifications if not n.topic.endswith("AccessLog.Opened")]


@pytest.fixture
def queue(web, runtime, at):
    """Ten open sign-off requests from wendy (one per competence, each with its evidence) for sam."""
    app = runtime.app
    w = web.ids["wendy"]
    evidence = []
    with at(TODAY):
        for code in COMPETENCES[:10]:
            ev = app.add_evidence(w, f"Evidence {code}", "observation", f"{MARKER} {code}", [(code, "Basic")])
            app.request_sign_off(w, code, ["Basic"], [ev])
            evidence.append(ev)
    return evidence


def test_a_queue_of_ten_requests_is_one_event_per_get(web, runtime, at, queue):
    app, w = runtime.app, web.ids["wendy"]
    client = web.client("sam")
    for _ in range(2):
        before = app.recorder.max_notification_id()
        with at(TODAY):
            response = client.get("/supervise")
        assert response.status_code == 200 and response.get_data(as_text=True).count(MARKER) == 10
        new = _notifications_after(app, before)
        assert reads_events(new) == ["AccessLog.ContentsRead"]
        assert {n.originator_id for n in new} == {AccessLog.create_id(w)}
    # The "who read this" report of each item still lists sam's reads.
    for ev in queue:
        reads = exposure_history(app, w, "evidence", ev)["reads"]
        assert [(r["reader_id"], r["where"]) for r in reads] == [(web.ids["sam"], "sign-off queue")] * 2


def test_two_workers_in_the_queue_are_two_events(web, runtime, at, queue):
    app = runtime.app
    with at(TODAY):
        will = new_worker(app, "will", supervisor=web.ids["sam"])
        ev = app.add_evidence(will, "Evidence", "observation", MARKER, [("REL-1", "Basic")])
        app.request_sign_off(will, "REL-1", ["Basic"], [ev])
        before = app.recorder.max_notification_id()
        assert web.client("sam").get("/supervise").status_code == 200
    new = _notifications_after(app, before)
    assert {n.originator_id for n in new} == {AccessLog.create_id(web.ids["wendy"]), AccessLog.create_id(will)}
    assert reads_events(new) == ["AccessLog.ContentsRead"] * 2
    assert [r["item_id"] for r in app.access_log(will)] == [ev]


def test_the_workers_privacy_page_shows_every_read(web, runtime, at, queue):
    with at(TODAY):
        web.client("sam").get("/supervise")
        body = web.client("wendy").get("/me/privacy").get_data(as_text=True)
    assert body.count("sign-off queue") >= 10


def test_api_summary_is_one_event_per_get(web, runtime, at):
    app, w = runtime.app, web.ids["wendy"]
    with at(TODAY):
        for n in range(3):
            rid = app.write_reflection(w, "free", f"Shared {n}", "body", [])
            app.change_exposure(w, "reflection", rid, "supervisors")
    token = app.issue_api_token(web.ids["sam"])
    before = app.recorder.max_notification_id()
    with at(TODAY):
        response = web.app.test_client().get(f"/api/v1/workers/{w}/summary",
                                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    new = _notifications_after(app, before)
    assert reads_events(new) == ["AccessLog.ContentsRead"]
    assert sorted(r["where"] for r in app.access_log(w)) == ["API supervision summary"] * 3


def test_nothing_is_shown_when_the_reads_cannot_be_recorded(web, runtime, at, queue, monkeypatch):
    web.app.config["PROPAGATE_EXCEPTIONS"] = False
    app, w = runtime.app, web.ids["wendy"]
    with at(TODAY):
        rid = app.write_reflection(w, "free", f"Title {MARKER}", "body", [])
        app.change_exposure(w, "reflection", rid, "supervisors")
    token = app.issue_api_token(web.ids["sam"])
    client = web.client("sam")

    def fails(self, reader, reads):
        raise OSError("the event store is unavailable")

    monkeypatch.setattr(type(web.app.extensions["portfolio"].app), "record_request_reads", fails)
    with at(TODAY):
        page = client.get("/supervise")
        summary = client.get(f"/supervise/workers/{w}/summary")
        api = web.app.test_client().get(f"/api/v1/workers/{w}/summary", headers={"Authorization": f"Bearer {token}"})
    for response in (page, summary, api):
        assert response.status_code == 500 and MARKER not in response.get_data(as_text=True)
    assert api.is_json


def test_logs_written_with_one_event_per_read_still_load_and_report(runtime, org, at):
    app, w, sam = runtime.app, org["wendy"], org["sam"]
    with at(TODAY):
        rid = app.write_reflection(w, "free", "Old", "body", [])
        log = AccessLog(worker_id=w)
        log._read(reader_id=sam, reader_role="supervisor", item_kind="reflection", item_id=rid,
                  where="supervision summary", read_at=datetime.now(timezone.utc))  # an older version's event
        app.save(log)
        app.record_read(w, app.person(sam), "reflection", rid, "supervision summary")
    reads = exposure_history(app, w, "reflection", rid)["reads"]
    assert [r["reader_id"] for r in reads] == [sam, sam]
    runtime.read_models()  # the projections handle or ignore both events
