"""Tags from the catalogues (WHO roles and ethical principles, core concepts, the six clusters, HEE
competences) on reflections and evidence: checked in the domain, changed by a new event, projected,
filtered and counted; on both backends."""

from __future__ import annotations

import json

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from portfolio.domain.errors import InvalidValue
from portfolio.domain.portfolio import Portfolio


def test_tags_are_checked_against_the_loaded_catalogues(app, org):
    w = org["wendy"]
    rid = app.write_reflection(w, "free", "Listening", "I listened.", tags=["who-roles:ROLE-1", "core-clusters:C2",
                                                                           "who-roles:ROLE-1"])
    item = app.portfolio(w).reflections[str(rid)]
    assert item["tags"] == [{"catalogue": "core-clusters", "code": "C2", "version": "1"},
                            {"catalogue": "who-roles", "code": "ROLE-1", "version": "1"}]
    for bad, reason in (("who-roles:ROLE-13", "'ROLE-13' is not a code of who-roles"),
                        ("worker-competences:REL-1", "'worker-competences' is not a tag catalogue"),
                        ("ROLE-1", "'ROLE-1' is not a tag catalogue"),
                        ("core-clusters:C1.1", "'C1.1' is not a code of core-clusters")):  # clusters, not statements
        with pytest.raises(InvalidValue) as exc:
            app.write_reflection(w, "free", "Bad", "x", tags=[bad])
        assert exc.value.field == "tags" and reason in exc.value.reason
        with pytest.raises(InvalidValue):
            app.add_evidence(w, "Bad", "observation", tags=[bad])
    assert len(app.portfolio(w).reflections) == 1 and not app.portfolio(w).evidence


def test_every_catalogue_offers_its_codes(app):
    cats = app.tag_catalogues()
    assert list(cats) == ["who-roles", "ethical-principles", "core-concepts", "core-clusters", "hee-competences"]
    assert len(cats["who-roles"].codes) == 12 and len(cats["ethical-principles"].codes) == 12
    assert cats["core-concepts"].codes == {"ACCEPTANCE", "GENUINENESS", "EMPATHY"}
    assert cats["core-clusters"].codes == {f"C{n}" for n in range(1, 7)}


def test_tags_change_by_a_new_event_and_amend_keeps_them(app, org):
    w = org["wendy"]
    rid = app.write_reflection(w, "free", "Listening", "I listened.", tags=["who-roles:ROLE-1"])
    eid = app.add_evidence(w, "Notes", "observation", tags=["ethical-principles:E1"])
    app.amend_reflection(w, rid, "Listening, again", "More.")
    assert [t["code"] for t in app.portfolio(w).reflections[str(rid)]["tags"]] == ["ROLE-1"]
    version = app.portfolio(w).version
    assert app.change_tags(w, "evidence", eid, ["ethical-principles:E2", "core-concepts:EMPATHY"]) is True
    assert app.change_tags(w, "evidence", eid, ["core-concepts:EMPATHY", "ethical-principles:E2"]) is False
    pf = app.portfolio(w)
    assert pf.version == version + 1  # one TagsChanged; the same tags again record nothing
    assert [t["code"] for t in pf.evidence[str(eid)]["tags"]] == ["EMPATHY", "E2"]
    app.amend_reflection(w, rid, "Listening, third", "Yet more.", tags=[])
    assert app.portfolio(w).reflections[str(rid)]["tags"] == []
    assert len(app.portfolio(w).reflections[str(rid)]["versions"]) == 3
    with pytest.raises(InvalidValue) as exc:
        app.change_tags(w, "supervision", eid, [])
    assert exc.value.field == "item_kind"
    with pytest.raises(InvalidValue):
        app.change_tags(w, "evidence", eid, ["who-roles:nope"])


def test_events_from_before_tags_read_as_none(app, org, runtime):
    """ReflectionWritten v1 and EvidenceAdded v2 held no tags: they load (and project) with none."""
    w = org["wendy"]
    app.write_reflection(w, "free", "New", "x", tags=["who-roles:ROLE-2"])
    app.add_evidence(w, "New", "observation", tags=["who-roles:ROLE-2"])
    pf_id = Portfolio.create_id(w)
    stored = {e.topic: e for e in app.recorder.select_events(pf_id)}
    version = app.portfolio(w).version
    olds = []
    for cls, was, key in ((Portfolio.ReflectionWritten, 1, "reflection_id"), (Portfolio.EvidenceAdded, 2, "evidence_id")):
        state = json.loads(stored[get_topic(cls)].state)
        del state["tags"]
        state["class_version"] = was
        if was == 1:
            del state["class_version"]
        state[key] = {"_type_": "uuid_hex", "_data_": ("%032x" % (len(olds) + 1))}
        olds.append((cls, state))
    app.recorder.insert_events([StoredEvent(originator_id=pf_id, originator_version=version + n, topic=get_topic(cls),
                                            state=json.dumps(state).encode())
                                for n, (cls, state) in enumerate(olds, start=1)])
    pf = app.portfolio(w)
    old_r, old_e = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"
    assert pf.reflections[old_r]["tags"] == [] and pf.evidence[old_e]["tags"] == []
    views = runtime.read_models()
    rows, _ = views.my_list("reflections", str(w))
    assert {r.reflection_id: r.tags for r in rows}[old_r] == ""
    assert views.tag_counts(str(w)) == {"who-roles": {"ROLE-2": {"reflections": 1, "evidence": 1}}}


def test_projection_filter_and_counts(app, org, runtime):
    w = org["wendy"]
    shared = app.write_reflection(w, "free", "Shared", "x", tags=["who-roles:ROLE-1", "core-clusters:C1"])
    app.change_exposure(w, "reflection", shared, "supervisors")
    private = app.write_reflection(w, "free", "Private", "x", tags=["who-roles:ROLE-1"])
    ev = app.add_evidence(w, "Ev", "observation", tags=["who-roles:ROLE-1"])
    gone = app.add_evidence(w, "Gone", "observation", tags=["who-roles:ROLE-1"])
    app.withdraw_evidence(w, gone)
    app.change_tags(w, "reflection", private, ["who-roles:ROLE-10"])  # ROLE-10 must not match ROLE-1
    views = runtime.read_models()
    rows, total = views.my_list("reflections", str(w), tag="who-roles:ROLE-1")
    assert total == 1 and rows[0].reflection_id == str(shared)
    assert [r.reflection_id for r in views.my_list("reflections", str(w), tag="who-roles:ROLE-10")[0]] == [str(private)]
    assert views.my_list("evidence", str(w), tag="who-roles:ROLE-1")[1] == 2  # the list still shows withdrawn
    assert views.my_list("evidence", str(w), tag="who_roles:ROLE-1")[1] == 0  # '_' is not a wildcard
    assert views.tag_counts(str(w)) == {
        "who-roles": {"ROLE-1": {"reflections": 1, "evidence": 1}, "ROLE-10": {"reflections": 1, "evidence": 0}},
        "core-clusters": {"C1": {"reflections": 1, "evidence": 0}}}
    # The supervisor's count: only what is shared (the private reflection and the private evidence are not).
    assert views.tag_counts(str(w), shared_only=True) == {
        "who-roles": {"ROLE-1": {"reflections": 1, "evidence": 0}},
        "core-clusters": {"C1": {"reflections": 1, "evidence": 0}}}
    app.change_exposure(w, "evidence", ev, "supervisors")
    assert runtime.read_models().tag_counts(str(w), shared_only=True)["who-roles"]["ROLE-1"]["evidence"] == 1
