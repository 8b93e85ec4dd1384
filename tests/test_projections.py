"""Projections on both backends: hand-computed expectations, exactly-once catch-up, rebuilds."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from eventsourcing.utils import get_topic
from sqlalchemy import select

from domain_helpers import COMPETENCES
from portfolio.domain.due import LevelDueNotice
from portfolio.domain.organisation import Organisation
from portfolio.domain.frameworks import Framework
from portfolio.domain.people import Person, Username
from portfolio.domain.portfolio import Portfolio
from portfolio.domain.self_assessment import SelfAssessment
from portfolio.domain.programmes import Programme
from portfolio.projections.base import ProjectionError
from portfolio.projections.runner import PROJECTIONS, Projector
from portfolio.projections.tables import metadata, projection_active


@pytest.fixture
def story(app, org, at):
    """A scripted history with a hand-known outcome."""
    w, sam = org["wendy"], org["sam"]
    ids = {}
    with at("2023-03-01"):
        ids["training"], _ = app.record_training(w, "Recovery and hope", "College", "2023-03-01", 6, "online",
                                                 ["TE-1"], False, "")
        ids["supervision"] = app.record_supervision(w, sam, "2023-03-01", "process", "one_to_one", "video", 60,
                                                    ["stress"], "Book training", "Notes")
        ids["reflection"] = app.write_reflection(w, "free", "Title", "Body", ["REL-1"])
        app.change_exposure(w, "reflection", ids["reflection"], "supervisors")
        ids["goal"] = app.set_goal(w, "Co-facilitate a group", [], "2023-04-15")
    with at("2023-04-03"):
        ids["ev1"] = app.add_evidence(w, "Training notes", "training_record", "", [("REL-1", "Basic")],
                                      links=[ids["training"]])
        ids["req1"] = app.request_sign_off(w, "REL-1", "Basic", [ids["ev1"]])
        ids["ev2"] = app.add_evidence(w, "Group practice", "work_product", "", [("REL-2", "Basic")])
        ids["req2"] = app.request_sign_off(w, "REL-2", ["Basic", "Intermediate"], [ids["ev2"]])
        ids["ev3"] = app.add_evidence(w, "Privacy notes", "reflection", "", [("REL-3", "Basic")])
        ids["req3"] = app.request_sign_off(w, "REL-3", "Basic", [ids["ev3"]])
    with at("2023-04-10"):
        app.approve_sign_off(w, ids["req1"], sam)
        app.return_sign_off(w, ids["req2"], sam, "Add an example")
        app.withdraw_sign_off(w, ids["req3"])
        app.amend_reflection(w, ids["reflection"], "Title 2", "Body 2", [])
    return ids


def dump(runtime, projection_name: str) -> dict[str, list[tuple]]:
    """Every row of a projection's live generation, without the generation column, sorted."""
    projection = next(cls for cls in PROJECTIONS if cls.name == projection_name)
    with runtime.engine.connect() as conn:
        gen = conn.execute(select(projection_active.c.gen).where(projection_active.c.name == projection_name)
                           ).scalar() or 1
        out = {}
        for table in projection.tables:
            cols = [c for c in table.c if c.name != "gen"]
            rows = conn.execute(select(*cols).where(table.c.gen == gen))
            out[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
        return out


def test_matrix_queue_and_timeline_match_the_story(runtime, org, story):
    w, sam = str(org["wendy"]), str(org["sam"])
    rm = runtime.read_models()
    cells = {k: v["state"] for k, v in rm.matrix(w).items()}
    assert cells == {("REL-1", "Basic"): "signed", ("REL-2", "Basic"): "returned",
                     ("REL-2", "Intermediate"): "returned", ("REL-3", "Basic"): "withdrawn"}
    assert rm.matrix(w)[("REL-1", "Basic")]["signed_by"] == sam
    queue = rm.queue(sam, date(2023, 4, 5))
    assert queue == []  # the read model is as of now: every request is decided
    timeline, total = rm.timeline(w, per_page=3)
    assert total == 20  # 2 person events, 15 portfolio events, 3 evidence shared by the requests
    assert [r.label for r in timeline] == ["Reflection amended (version 2)", "Sign-off withdrawn: REL-3 Basic",
                                           "Sign-off returned with feedback: REL-2 Basic + Intermediate"]
    page2, _ = rm.timeline(w, page=2, per_page=3)
    assert page2[0].label == "Sign-off approved: REL-1 Basic"
    assert rm.stage(w, date(2023, 4, 10)).missing == [c for c in COMPETENCES if c != "REL-1"]


def test_supervisor_queue_lists_open_requests_oldest_first(app, runtime, org, at):
    w, sam, sue = org["wendy"], org["sam"], org["sue"]
    with at("2023-05-01"):
        e1 = app.add_evidence(w, "One", "reflection", "", [("GOAL-1", "Basic")])
        app.request_sign_off(w, "GOAL-1", "Basic", [e1])
    with at("2023-05-03"):
        e2 = app.add_evidence(w, "Two", "reflection", "", [("GOAL-2", "Basic")])
        e3 = app.add_evidence(w, "Three", "reflection", "", [("GOAL-2", "Basic")])
        app.request_sign_off(w, "GOAL-2", "Basic", [e2, e3])
    rm = runtime.read_models()
    queue = rm.queue(str(sam), date(2023, 5, 10))
    assert [(q["competence"], q["evidence_count"], q["age_days"]) for q in queue] == [("GOAL-1", 1, 9),
                                                                                      ("GOAL-2", 2, 7)]
    assert rm.queue(str(sue), date(2023, 5, 10)) == []  # not her supervisee


def test_supervision_summary(app, runtime, org, story, at):
    w = str(org["wendy"])
    summary = runtime.read_models().supervision_summary(w, date(2023, 4, 12))
    assert summary["last_session"] == date(2023, 3, 1) and summary["days_since_last"] == 42
    assert summary["sessions_90_days"] == 1
    assert app.read_text(w, summary["open_actions"]) == "Book training"
    assert [str(r.reflection_id) for r in summary["shared_reflections"]] == [str(story["reflection"])]
    assert {str(r.request_id) for r in summary["sign_offs"]} == {str(story[k]) for k in ("req1", "req2", "req3")}
    assert [str(g.goal_id) for g in summary["goals_due"]] == [str(story["goal"])]
    assert summary["stage"].expected == "ESSENTIAL"


def test_organisation_progression(app, runtime, org, story, at):
    rm = runtime.read_models()
    progress = rm.progression(date(2023, 4, 12))
    assert progress["workers"] == 1 and progress["stages"]["none"] == 1
    assert progress["signed"][("REL-1", "Basic")] == 1 and progress["signed"][("REL-2", "Basic")] == 0
    months = rm.progression_by_month(date(2023, 3, 1), date(2023, 5, 31))
    assert [(m["month"], m["signed"]["Basic"]) for m in months] == [("2023-03", 0), ("2023-04", 1), ("2023-05", 1)]


def test_rebuild_equals_incremental(runtime, story):
    runtime.projector.catch_up_all()
    before = {name: dump(runtime, name) for name in runtime.projector.projections}
    for name in runtime.projector.projections:  # one at a time, then all together in one pass
        (status,) = runtime.projector.rebuild(name)
        assert status.generation == 2 and status.lag == 0
        assert dump(runtime, name) == before[name]
    assert [s.generation for s in runtime.projector.rebuild()] == [3] * len(runtime.projector.projections)
    assert {name: dump(runtime, name) for name in runtime.projector.projections} == before


def test_a_projection_stopped_mid_page_restarts_to_identical_tables(app, runtime, story, monkeypatch):
    runtime.projector.catch_up_all()
    expected = dump(runtime, "portfolio")
    fresh = Projector(app, runtime.engine, page_size=7)
    fresh.rebuild("portfolio")  # another generation, small pages
    # Now break the projection in the middle of a page, rebuild again, and see nothing half-written.
    broken = Projector(app, runtime.engine, page_size=7)
    calls = {"n": 0}
    original = broken.projections["portfolio"].approved

    def flaky(e, w):
        calls["n"] += 1
        raise RuntimeError("power cut")

    monkeypatch.setattr(broken.projections["portfolio"], "approved", flaky)
    broken.projections["portfolio"]._by_topic[get_topic(Portfolio.SignOffApproved)] = flaky
    with pytest.raises(ProjectionError, match=r"projection 'portfolio' stopped at position \d+: RuntimeError"):
        broken.rebuild("portfolio")
    assert dump(runtime, "portfolio") == expected  # the live generation is untouched
    broken.projections["portfolio"]._by_topic[get_topic(Portfolio.SignOffApproved)] = original
    broken.rebuild("portfolio")  # restarts cleanly
    assert dump(runtime, "portfolio") == expected
    assert calls["n"] == 1


def test_catch_up_is_exactly_once(app, runtime, org, at):
    """Running catch-up again, or from another projector, never applies an event twice."""
    w = org["wendy"]
    with at("2023-03-01"):
        app.write_reflection(w, "free", "T", "B", [])
    runtime.projector.catch_up_all()
    once = dump(runtime, "portfolio")
    Projector(app, runtime.engine).catch_up_all()
    runtime.projector.catch_up_all()
    assert dump(runtime, "portfolio") == once
    assert all(s.lag == 0 for s in runtime.projector.status())


def test_read_your_writes(app, runtime, org, at):
    w = str(org["wendy"])
    runtime.read_models()  # caught up before the command below
    with at("2023-03-01"):
        app.record_training(w, "Stigma and rights", "College", "2023-03-01", 2, "online", [], True, "Uni")
    row = runtime.read_models().timeline(w)[0][0]
    assert row.label == "Training on 2023-03-01 (2.00 h, online)"  # metadata only; the title is sealed
    assert app.read_text(w, row.title_sealed) == "Stigma and rights"


def test_unknown_event_type_stops_the_projection_naming_the_position(app, runtime, org):
    from eventsourcing.persistence import StoredEvent

    runtime.projector.catch_up_all()
    app.recorder.insert_events([StoredEvent(originator_id=org["wendy"], originator_version=999,
                                            topic="portfolio.domain.portfolio:Portfolio.Invented",
                                            state=b"{}")])
    head = app.recorder.max_notification_id()
    with pytest.raises(ProjectionError, match=f"projection 'people' stopped at position {head}: unknown event "
                                              "type 'portfolio.domain.portfolio:Portfolio.Invented'"):
        runtime.projector.catch_up("people")
    assert next(s for s in runtime.projector.status() if s.name == "people").position == head - 1


def test_every_event_type_is_handled_or_ignored_by_every_projection():
    events = set()
    for aggregate in (Person, Username, Portfolio, Framework, Organisation, LevelDueNotice, SelfAssessment,
                      Programme):
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, aggregate.Event) and value.__name__ not in (
                    "Event", "Created", "Snapshot"):
                events.add(value)
    assert len(events) >= 29
    for cls in PROJECTIONS:
        declared = set(cls.handlers) | set(cls.ignored)
        assert events <= declared, f"{cls.name} does not declare {sorted(e.__name__ for e in events - declared)}"


def test_migrated_schema_equals_the_models(runtime):
    """Alembic's autogenerate finds nothing to do (the event tables belong to the library)."""
    ours = set(metadata.tables)

    def include_name(name, type_, parent_names):
        return type_ != "table" or name in ours

    with runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name, "compare_type": True})
        assert compare_metadata(context, metadata) == []
        assert len(ours) >= 15


def test_people_projection(app, runtime, org, at):
    with at("2023-06-01"):
        app.end_supervision(org["wendy"], org["sam"], "2023-05-31")
        app.assign_supervisor(org["wendy"], org["sue"], "2023-06-01")
        app.change_roles(org["sue"], ["supervisor", "auditor"])
    rm = runtime.read_models()
    people = {p.username: p for p in rm.people()}
    assert set(people) == {"sam", "sue", "ada", "aud", "wendy"}
    assert people["sue"].roles == "auditor,supervisor"
    assert app.read_text(people["wendy"].person_id, people["wendy"].name_sealed) == "Wendy Worker"
    assert rm.supervisees(str(org["sam"]), date(2023, 5, 31)) == [str(org["wendy"])]
    assert rm.supervisees(str(org["sam"]), date(2023, 6, 1)) == []
    assert rm.supervisees(str(org["sue"]), date(2023, 6, 1)) == [str(org["wendy"])]


def test_migration_0006_drops_clear_titles_and_rebuilds_from_the_log(app, runtime, org, at):
    """A database from before sealing (clear title columns, rows already projected) is upgraded: the
    clear rows go, the portfolio read models rebuild from the log with sealed columns."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import insert, inspect, text

    from portfolio.domain import clock
    from portfolio.projections.tables import READ_MODEL_TABLES, projection_tracking
    from portfolio.runtime import MIGRATIONS

    w = str(org["wendy"])
    with at("2023-03-01"):
        tid, _ = app.record_training(w, "Stigma and rights", "College", "2023-03-01", 2, "online")
    runtime.read_models()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))

    def migrate(step, target):
        with runtime.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    migrate(command.downgrade, "0003")
    with runtime.engine.begin() as conn:  # as a 0003 database held it: the title in clear
        assert "title" in {c["name"] for c in inspect(conn).get_columns("rm_trainings")}
        conn.execute(text("INSERT INTO rm_trainings (gen, training_id, worker_id, title, provider, held_on, hours, "
                          "delivery, elements, accredited, accredited_by, over_four_hours) VALUES (1, :t, :w, "
                          "'CLEARTITLE', 'CLEARPROVIDER', '2023-03-01', 2, 'online', '', false, '', false)"),
                     {"t": str(tid), "w": w})
        conn.execute(insert(projection_tracking).values(name="portfolio", gen=1, position=10 ** 6,
                                                        updated_at=clock.now()))
    migrate(command.upgrade, "head")
    rm = runtime.read_models()  # catches up from the start of the log
    row = rm.timeline(w)[0][0]
    assert row.kind == "training" and app.read_text(w, row.title_sealed) == "Stigma and rights"
    with runtime.engine.connect() as conn:
        rows = " ".join(str(tuple(r)) for table in READ_MODEL_TABLES for r in conn.execute(select(table)))
        (training,) = conn.execute(text("SELECT title_sealed FROM rm_trainings")).all()
    assert "CLEAR" not in rows and app.read_text(w, training[0]) == "Stigma and rights"
