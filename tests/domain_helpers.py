"""Small builders shared by the domain-rule tests (not a test module itself)."""

from __future__ import annotations

COMPETENCES = ["REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "GOAL-4",
               "PRAC-1", "PRAC-2", "PRAC-3", "PRAC-4"]
DAY = "2024-05-01"  # the default "today" of the rule tests; sam is assigned to wendy since 2023-01-02


def evidence(app, worker, competence="REL-1", level="Basic", title="Observed practice"):
    return app.add_evidence(worker, title, "observation", "what I did", claims=[(competence, level)])


def request(app, worker, competence="REL-1", levels=("Basic",), evidence_ids=None):
    if evidence_ids is None:
        evidence_ids = [evidence(app, worker, competence, levels[0])]
    return app.request_sign_off(worker, competence, list(levels), evidence_ids)


def sign_off(app, worker, supervisor, competence="REL-1", levels=("Basic",), evidence_ids=None):
    rid = request(app, worker, competence, levels, evidence_ids)
    app.approve_sign_off(worker, rid, supervisor)
    return rid


def new_worker(app, username, roles=("peer_worker",), supervisor=None, starts_on="2023-01-02",
               position="peer_worker", induction_days=90):
    """A worker with a position from `starts_on` and (optionally) a supervisor from the same day."""
    pid = app.register_person(username, username.title(), list(roles), starts_on)
    app.start_position(pid, position, starts_on, induction_days)
    if supervisor is not None:
        app.assign_supervisor(pid, supervisor, starts_on)
    return pid
