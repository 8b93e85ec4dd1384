"""Point in time: a view captured at T equals the as-of-T view computed from the log later."""

from __future__ import annotations

from datetime import date, datetime, timezone

from portfolio.projections.asof import organisation_as_of, worker_as_of


def capture(rm, worker: str, day: date) -> dict:
    timeline, total = rm.timeline(worker, per_page=500)
    return {
        "matrix": rm.matrix(worker),
        "timeline": [(r.at, r.kind, r.label, r.item_id) for r in timeline],
        "total": total,
        "stage": rm.stage(worker, day),
        "progression": rm.progression(day),
        "summary": {k: v for k, v in rm.supervision_summary(worker, day).items()
                    if k not in ("shared_reflections", "sign_offs", "goals_due")},
    }


def test_as_of_views_equal_what_was_captured_then(app, runtime, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2023-03-01"):
        app.record_supervision(w, sam, "2023-03-01", "process", "one_to_one", "video", 60, [], "a", "n")
        for code in ("REL-1", "REL-2"):
            ev = app.add_evidence(w, f"E {code}", "reflection", "", [(code, "Basic")])
            app.approve_sign_off(w, app.request_sign_off(w, code, "Basic", [ev]), sam)
        ev = app.add_evidence(w, "Open one", "reflection", "", [("REL-3", "Basic")])
        open_request = app.request_sign_off(w, "REL-3", "Basic", [ev])
    t = datetime(2023, 3, 1, 18, tzinfo=timezone.utc)
    captured = capture(runtime.read_models(), str(w), t.date())
    # Keep writing after T: decisions, revocations, a new worker, a promotion.
    with at("2023-05-01"):
        app.approve_sign_off(w, open_request, sam)
        rel1 = next(rid for rid, r in app.portfolio(w).requests.items() if r["competence"] == "REL-1")
        app.revoke_sign_off(w, rel1, org["ada"], "Recheck")
        app.start_position(w, "team_leader", "2023-05-01")
        other = app.register_person("olga", "Olga Other", ["peer_worker"], "2023-05-01")
        app.start_position(other, "peer_worker", "2023-05-01")
    assert capture(runtime.read_models(), str(w), t.date()) != captured  # the live view moved on
    policy = runtime.policy()
    assert capture(worker_as_of(app, policy, w, t), str(w), t.date())["matrix"] == captured["matrix"]
    worker_view = capture(worker_as_of(app, policy, w, t), str(w), t.date())
    for key in ("matrix", "timeline", "total", "stage", "summary"):
        assert worker_view[key] == captured[key], key
    assert capture(organisation_as_of(app, policy, t), str(w), t.date()) == captured


def test_as_of_before_anything_is_empty(app, runtime, org):
    t = datetime(2020, 1, 1, tzinfo=timezone.utc)
    view = worker_as_of(app, runtime.policy(), org["wendy"], t)
    assert view.matrix(str(org["wendy"])) == {} and view.timeline(str(org["wendy"]))[1] == 0
    assert organisation_as_of(app, runtime.policy(), t).progression(t.date())["workers"] == 0
