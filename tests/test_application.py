"""The application service end to end, on both backends: the whole life of a portfolio."""

from __future__ import annotations

import copy

from portfolio.frameworks import catalogue

COMPETENCES = ["REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "GOAL-4", "PRAC-1", "PRAC-2", "PRAC-3",
               "PRAC-4"]


def test_a_portfolio_from_first_training_to_essential(app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2023-01-20"):
        tid, warnings = app.record_training(w, "Recovery and hope", "Recovery College", "2023-01-20", "3.5",
                                           "face_to_face", ["TE-1", "TE-11"], True, "Ulm University",
                                           {"RELEVANCE": 5, "SAFETY": 4})
        assert warnings == []
        sid = app.record_supervision(w, sam, "2023-01-20", "process", "one_to_one", "in_person", 60,
                                     ["boundaries"], "Co-facilitate a group", "Talked about boundaries")
        rid = app.write_reflection(w, "learning_cycle", "Trying a check-in",
                                   {"PLANNING": "plan", "DOING": "did it"}, ["REL-2"])
        goal = app.set_goal(w, "Finish basic training", ["REL-1"], "2023-06-30")
    pf = app.portfolio(w)
    assert pf.trainings[str(tid)]["elements"] == ["TE-1", "TE-11"]
    assert pf.supervisions[str(sid)]["supervisor_id"] == sam
    assert pf.reflections[str(rid)]["exposure"] == "private"
    assert app.stage_report(w, on="2023-02-01").in_induction

    # Evidence and a first request, returned with feedback; then more evidence and approval.
    with at("2023-04-03"):
        ev1 = app.add_evidence(w, "Notes on equality", "reflection", "What I learned", [("REL-1", "Basic")])
        req1 = app.request_sign_off(w, "REL-1", "Basic", [ev1])
    with at("2023-04-10"):
        app.return_sign_off(w, req1, sam, "Add an example from practice, please.")
    pf = app.portfolio(w)
    assert pf.requests[str(req1)]["status"] == "returned"
    assert app.read_text(w, pf.requests[str(req1)]["feedback_sealed"]) == "Add an example from practice, please."
    assert pf.held_levels("REL-1") == []
    with at("2023-04-20"):
        ev2 = app.add_evidence(w, "Example from practice", "work_product", "A group session", [("REL-1", "Basic")])
        req2 = app.request_sign_off(w, "REL-1", "Basic", [ev1, ev2])
    with at("2023-04-25"):
        app.approve_sign_off(w, req2, sam)
    pf = app.portfolio(w)
    assert pf.held_levels("REL-1") == ["Basic"]
    decided = pf.requests[str(req2)]
    assert decided["decided_by"] == sam and decided["decided_role"] == "supervisor"
    assert (decided["framework_id"], decided["framework_version"]) == ("worker-competences", "1")
    assert str(decided["decided_at"].date()) == "2023-04-25"

    # The rest of Basic: the worker then holds the Essential stage.
    with at("2023-05-02"):
        for code in COMPETENCES[1:]:
            ev = app.add_evidence(w, f"Evidence {code}", "reflection", "", [(code, "Basic")])
            app.approve_sign_off(w, app.request_sign_off(w, code, ["Basic"], [ev]), sam)
        app.review_goal(w, goal, "achieved", 9, "Done")
    report = app.stage_report(w, on="2023-05-02")
    assert report.held == "ESSENTIAL" and report.expected == "ESSENTIAL" and report.missing == []
    # Two years in role: Peer practitioner is now expected; Intermediate is what is missing.
    later = app.stage_report(w, on="2025-01-03")
    assert later.expected == "PEER-PRACTITIONER" and later.missing == COMPETENCES


def test_new_framework_version_does_not_touch_history(app, org, at):
    w, sam = org["wendy"], org["sam"]
    with at("2023-04-03"):
        ev = app.add_evidence(w, "Notes", "reflection", "", [("REL-1", "Basic")])
        req = app.request_sign_off(w, "REL-1", "Basic", [ev])
    doc = copy.deepcopy(next(d for d in catalogue.builtin_documents() if d["id"] == "worker-competences"))
    doc["version"] = "2"
    doc["items"][0]["statements"]["Basic"] = "A locally reworded statement."
    assert app.load_framework(doc) == ("worker-competences", "2")
    with at("2023-04-04"):
        app.approve_sign_off(w, req, sam)
        ev2 = app.add_evidence(w, "More", "reflection", "", [("REL-2", "Basic")])
        req2 = app.request_sign_off(w, "REL-2", "Basic", [ev2])
    pf = app.portfolio(w)
    assert pf.evidence[str(ev)]["framework_version"] == "1"
    assert pf.requests[str(req)]["framework_version"] == "1"
    assert pf.evidence[str(ev2)]["framework_version"] == "2"
    assert pf.requests[str(req2)]["framework_version"] == "2"
    old = app.framework_document("worker-competences", "1")["items"][0]["statements"]["Basic"]
    assert old.startswith("Can describe the concept of equality")


def test_people_listing_and_username_lookup(app, org):
    assert {p.username for p in app.people()} == {"sam", "sue", "ada", "aud", "wendy"}
    assert app.find_username("WENDY") == org["wendy"]
    assert app.display_name(app.person(org["sam"])) == "Sam Supervisor"
