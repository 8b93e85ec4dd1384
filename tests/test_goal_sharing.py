"""Goals have exposure tiers (issue 10): private by default, shared by a recorded ExposureChanged; the
supervision summary (page and API) shows the text and latest review of shared goals only, and each
such read is in the worker's access log. Both backends."""

from __future__ import annotations

import pytest

from portfolio.domain.portfolio import Portfolio

HX = {"HX-Request": "true"}


@pytest.fixture
def h(web, at):
    """Wendy's goals: one shared with review notes, one private due soon, one shared and achieved."""
    app = web.app.extensions["portfolio"].app
    w = web.ids["wendy"]
    with at("2024-04-01"):
        shared = app.set_goal(w, "SHAREDGOAL co-facilitate a group", ["GOAL-1"], None)
        app.review_goal(w, shared, "open", 6, "FIRSTNOTE")
        app.review_goal(w, shared, "open", 8, "LATESTNOTE booked a room")
        private = app.set_goal(w, "PRIVATEGOAL mine", ["REL-1"], "2024-04-20")
        app.review_goal(w, private, "open", 3, "PRIVATENOTE")
        done = app.set_goal(w, "DONEGOAL", [], "2024-06-01")
    with at("2024-04-02"):
        app.change_exposure(w, "goal", shared, "supervisors")
        app.change_exposure(w, "goal", done, "accreditation")
        app.review_goal(w, done, "achieved", None, "")
    tokens = {name: app.issue_api_token(pid) for name, pid in web.ids.items()}
    return {"app": app, "w": w, "shared": shared, "private": private, "done": done, "tokens": tokens}


def reads(h):
    return [(r["item_kind"], str(r["item_id"]), r["where"]) for r in h["app"].access_log(h["w"])]


def api_summary(web, h, who="sam"):
    return web.app.test_client().get(f"/api/v1/workers/{h['w']}/summary",
                                     headers={"Authorization": f"Bearer {h['tokens'][who]}"})


# --- domain ------------------------------------------------------------------------------------------
def test_a_goal_is_private_until_shared_and_each_change_is_recorded(app, org, at):
    w = org["wendy"]
    with at("2024-05-01"):
        gid = app.set_goal(w, "Run a group", [], None)
    goal = app.portfolio(w).goals[str(gid)]
    assert goal["exposure"] == "private" and goal["set_at"].isoformat().startswith("2024-05-01")
    version = app.portfolio(w).version
    with at("2024-05-02"):
        app.change_exposure(w, "goal", gid, "supervisors")
        app.change_exposure(w, "goal", gid, "supervisors")  # no change, nothing recorded
    pf = app.portfolio(w)
    assert pf.version == version + 1 and pf.goals[str(gid)]["exposure"] == "supervisors"
    assert [c["tier"] for c in pf.goals[str(gid)]["exposure_history"]] == ["supervisors"]
    from portfolio.privacy import readers_on, tier_periods
    assert [p["tier"] for p in tier_periods(pf, "goal", gid)] == ["private", "supervisors"]
    from datetime import datetime, timezone
    then = readers_on(app, w, "goal", gid, datetime(2024, 4, 30, tzinfo=timezone.utc))
    assert then["tier"] is None  # not set yet
    now = readers_on(app, w, "goal", gid, datetime(2024, 5, 3, tzinfo=timezone.utc))
    assert [r["as"] for r in now["readers"]] == ["the worker", "supervisor"]


def test_old_goal_events_and_snapshots_read_as_private(app, org, at):
    """A GoalSet of class version 1 (no set_at) and a v2 snapshot (goals without a tier) still load."""
    state = {"goal_id": "x", "text_sealed": "s", "competences": [], "due_on": None, "timestamp": "T"}
    Portfolio.GoalSet.upcast_v1_v2(state)
    assert state["set_at"] == "T"
    snapshot = {"goals": {"g": {"text_sealed": "s", "competences": [], "due_on": None, "status": "open",
                                "reviews": []}}}
    Portfolio.upcast_v2_v3(snapshot)
    assert snapshot["goals"]["g"]["exposure"] == "private" and snapshot["goals"]["g"]["set_at"] is None
    w = org["wendy"]
    with at("2024-05-01"):
        gid = app.set_goal(w, "Old one", [], None)
    stored = list(app.recorder.select_events(Portfolio.create_id(w)))[-1]
    event = app.mapper.to_domain_event(stored)
    assert isinstance(event, Portfolio.GoalSet) and event.set_at.date().isoformat() == "2024-05-01"


# --- the worker: My goals and My privacy --------------------------------------------------------------
def test_worker_changes_a_goals_tier_from_my_goals(web, h, at):
    client = web.client("wendy")
    page = client.get("/me/goals").get_data(as_text=True)
    assert f'action="/me/goal/{h["private"]}/exposure"' in page
    with at("2024-04-03"):
        response = client.post(f"/me/goal/{h['private']}/exposure", data={"tier": "supervisors"},
                               headers={"Referer": "http://localhost/me/goals"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/goals")
    assert h["app"].portfolio(h["w"]).goals[str(h["private"])]["exposure"] == "supervisors"
    shared = client.get("/me/goals?tier=supervisors").get_data(as_text=True)
    assert "PRIVATEGOAL" in shared and "SHAREDGOAL" in shared and "DONEGOAL" not in shared
    assert client.post(f"/me/goal/{h['private']}/exposure", data={"tier": "public"}).status_code == 400


def test_goals_are_grouped_on_my_privacy_and_change_in_place(web, h, at):
    client = web.client("wendy")
    page = client.get("/me/privacy").get_data(as_text=True)
    assert 'id="h-goal"' in page and "Goals (3)" in page and "PRIVATEGOAL" in page
    only = client.get("/me/privacy?kind=goal&tier=supervisors").get_data(as_text=True)
    assert "SHAREDGOAL" in only and "PRIVATEGOAL" not in only
    with at("2024-04-03"):
        row = client.post(f"/me/goal/{h['shared']}/exposure", data={"tier": "private", "in_place": "privacy"},
                          headers=HX)
    assert row.status_code == 200 and f'id="item-{h["shared"]}"' in row.get_data(as_text=True)
    assert h["app"].portfolio(h["w"]).goals[str(h["shared"])]["exposure"] == "private"
    history = client.get(f"/me/goal/{h['shared']}/exposure").get_data(as_text=True)
    assert "supervisors from" in history and "private from" in history


# --- the supervisor: the summary page and the API -----------------------------------------------------
def test_summary_shows_shared_goal_text_and_latest_review_only(web, h, at):
    with at("2024-04-10"):
        body = web.client("sam").get(f"/supervise/workers/{h['w']}/summary").get_data(as_text=True)
    assert "SHAREDGOAL" in body and "LATESTNOTE booked a room" in body and "commitment 8/10" in body
    assert "FIRSTNOTE" not in body  # only the latest review
    assert "DONEGOAL" in body and "Achieved" in body  # shared, closed in the last 30 days
    assert "PRIVATEGOAL" not in body and "PRIVATENOTE" not in body
    assert "Text not shared" in body and "REL-1" in body  # the private one: competences and due date
    logged = reads(h)
    assert ("goal", str(h["shared"]), "supervision summary") in logged
    assert ("goal", str(h["done"]), "supervision summary") in logged
    assert not any(i == str(h["private"]) for _, i, _ in logged)
    log = h["app"].access_log(h["w"])
    assert len({r["read_at"] for r in log}) == 1  # one ContentsRead for the request


def test_a_goal_made_private_again_is_no_longer_shown(web, h, at):
    with at("2024-04-05"):
        h["app"].change_exposure(h["w"], "goal", h["shared"], "private")
    with at("2024-04-10"):
        response = web.client("sam").get(f"/supervise/workers/{h['w']}/summary", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Wendy Worker" in body  # the summary itself was shown
    assert "SHAREDGOAL" not in body and "LATESTNOTE" not in body  # open, no due date: not in the list at all
    assert ("goal", str(h["shared"]), "supervision summary") not in reads(h)


def test_api_summary_has_goal_text_only_where_shared_and_logs_it(web, h, at):
    with at("2024-04-10"):
        response = api_summary(web, h)
    assert response.status_code == 200, response.get_data(as_text=True)
    goals = {g["id"]: g for g in response.get_json()["goals_due"]}
    shared, private = goals[str(h["shared"])], goals[str(h["private"])]
    assert shared["text"] == "SHAREDGOAL co-facilitate a group" and shared["exposure"] == "supervisors"
    assert shared["latest_review"]["note"] == "LATESTNOTE booked a room"
    assert shared["latest_review"]["status"] == "open" and shared["latest_review"]["commitment"] == 8
    assert goals[str(h["done"])]["latest_review"]["status"] == "achieved"
    assert private["text"] is None and private["latest_review"] is None and private["competences"] == ["REL-1"]
    assert private["due_on"] == "2024-04-20"
    assert ("goal", str(h["shared"]), "API supervision summary") in reads(h)
    assert not any(i == str(h["private"]) for _, i, _ in reads(h))


def test_a_supervisor_not_assigned_sees_nothing_and_nothing_is_logged(web, h, at):
    with at("2024-04-10"):
        assert web.client("sue").get(f"/supervise/workers/{h['w']}/summary").status_code == 404
        assert api_summary(web, h, "sue").status_code == 404
    assert reads(h) == []


def test_migration_0008_adds_the_goal_tier_and_rebuilds_from_the_log(app, runtime, org, at):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, select

    from portfolio.projections.tables import goals
    from portfolio.runtime import MIGRATIONS

    w = str(org["wendy"])
    with at("2024-05-01"):
        gid = app.set_goal(w, "Run a group", [], None)
        app.review_goal(w, gid, "open", 5, "Booked a room")
        app.change_exposure(w, "goal", gid, "supervisors")
    runtime.read_models()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))

    def migrate(step, target):
        with runtime.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    migrate(command.downgrade, "0007")
    with runtime.engine.connect() as conn:
        assert "exposure" not in {c["name"] for c in inspect(conn).get_columns("rm_goals")}
    migrate(command.upgrade, "head")
    runtime.read_models()  # catches up from the start of the log
    with runtime.engine.connect() as conn:
        (row,) = conn.execute(select(goals).where(goals.c.goal_id == str(gid))).all()
    assert row.exposure == "supervisors" and row.exposure_changed_at is not None
    assert app.read_text(w, row.note_sealed) == "Booked a room"
