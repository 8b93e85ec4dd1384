"""Training, reflections, evidence and goals: rules through the application service, both backends."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain_helpers import DAY
from portfolio.domain.errors import DomainError, InvalidValue, NotFound
from portfolio.files import MAX_BYTES

PDF = b"%PDF-1.4\n% a tiny test file\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture
def today(at):
    with at(DAY):
        yield


# --- training ----------------------------------------------------------------------------------------
def _training(app, w, hours=2, **kw):
    args = dict(title="Boundaries", provider="Recovery College", held_on="2024-04-10", hours=hours,
                delivery="face_to_face") | kw
    return app.record_training(w, **args)


def test_training_is_recorded(app, org, today):
    w = org["wendy"]
    tid, warnings = _training(app, w, hours="3.5", elements=["TE-2", "TE-1", "TE-2"], accredited=True,
                              accredited_by=" Open College ", ratings={"RELEVANCE": 5, "SAFETY": 1})
    assert warnings == []
    t = app.portfolio(w).trainings[str(tid)]
    assert t["hours"] == Decimal("3.50") and t["held_on"] == date(2024, 4, 10)
    assert t["elements"] == ["TE-1", "TE-2"]
    assert t["accredited"] and app.read_text(w, t["accredited_by_sealed"]) == "Open College"
    assert app.read_text(w, t["title_sealed"]) == "Boundaries"
    assert app.read_text(w, t["provider_sealed"]) == "Recovery College"
    assert "Boundaries" not in str(t) and "Open College" not in str(t)  # sealed in the aggregate too
    assert t["ratings"] == {"RELEVANCE": 5, "SAFETY": 1}


@pytest.mark.parametrize("hours, warned", [("4", False), ("4.01", True), (6, True)])
def test_long_session_warns_but_is_recorded(app, org, today, hours, warned):
    w = org["wendy"]
    tid, warnings = _training(app, w, hours=hours)
    if warned:
        assert warnings == ["One training session should not take more than 4 hours (000:388)."]
    else:
        assert warnings == []
    assert app.portfolio(w).trainings[str(tid)]["warnings"] == warnings


@pytest.mark.parametrize("hours, message", [
    (0, "hours: must be more than 0"), (-1, "hours: must be more than 0"), ("0.001", "more than 0"),
    (201, "at most 200"), ("lots", "hours: 'lots' is not a number")])
def test_training_hours_refused(app, org, today, hours, message):
    with pytest.raises(InvalidValue, match=message):
        _training(app, org["wendy"], hours=hours)
    assert app.portfolio(org["wendy"]).trainings == {}


@pytest.mark.parametrize("by", ["", "   ", None])
def test_accredited_needs_accredited_by(app, org, today, by):
    with pytest.raises(InvalidValue, match="accredited_by: name who accredited the programme"):
        _training(app, org["wendy"], accredited=True, accredited_by=by)


def test_unknown_training_elements_refused(app, org, today):
    with pytest.raises(InvalidValue, match="elements: unknown code\\(s\\) TE-16, REL-1"):
        _training(app, org["wendy"], elements=["TE-1", "TE-16", "REL-1"])
    tid, _ = _training(app, org["wendy"], elements=[f"TE-{n}" for n in range(1, 16)])
    assert len(app.portfolio(org["wendy"]).trainings[str(tid)]["elements"]) == 15


@pytest.mark.parametrize("value", [0, 6, -3, "0", 99])
def test_ratings_outside_1_to_5_refused(app, org, today, value):
    with pytest.raises(InvalidValue, match="ratings.RELEVANCE: must be .*between 1 and 5"):
        _training(app, org["wendy"], ratings={"RELEVANCE": value})


@pytest.mark.parametrize("value", ["great", "3.5", 2.5, None, True])
def test_ratings_must_be_whole_numbers(app, org, today, value):
    with pytest.raises(InvalidValue, match="ratings.RELEVANCE: must be a whole number between 1 and 5"):
        _training(app, org["wendy"], ratings={"RELEVANCE": value})


def test_ratings_given_as_text_are_stored_as_numbers(app, org, today):
    tid, _ = _training(app, org["wendy"], ratings={"RELEVANCE": "4"})
    assert app.portfolio(org["wendy"]).trainings[str(tid)]["ratings"] == {"RELEVANCE": 4}


@pytest.mark.parametrize("ratings", [{"_type_": 1, "_data_": 2}, {"": 3}, {"  ": 3}, {"relevance": 3}])
def test_rating_scales_are_the_001_evaluation_scales(app, org, today, ratings):
    """Only the seed's scales; a name like the event store's own markers would also poison the log."""
    w = org["wendy"]
    with pytest.raises(InvalidValue, match="ratings: unknown code"):
        _training(app, w, ratings=ratings)
    assert app.portfolio(w).trainings == {}


def test_training_delivery_and_title(app, org, today):
    with pytest.raises(InvalidValue, match="delivery: must be one of online, face_to_face"):
        _training(app, org["wendy"], delivery="carrier_pigeon")
    with pytest.raises(InvalidValue, match="title: is required"):
        _training(app, org["wendy"], title="  ")


# --- reflections -------------------------------------------------------------------------------------
def _body(app, w, version: dict) -> dict:
    return json.loads(app.read_text(w, version["body_sealed"]))


def test_reflection_is_private_and_sealed(app, org, today):
    w = org["wendy"]
    rid = app.write_reflection(w, "free", "A hard day", "I stayed calm", ["REL-1", "C1.1"])
    r = app.portfolio(w).reflections[str(rid)]
    assert r["exposure"] == "private"
    assert r["competences"] == ["C1.1", "REL-1"]
    assert "calm" not in r["versions"][0]["body_sealed"]
    assert app.read_text(w, r["versions"][0]["title_sealed"]) == "A hard day"
    assert _body(app, w, r["versions"][0]) == {"text": "I stayed calm"}


def test_amending_keeps_every_version(app, org, at):
    w = org["wendy"]
    with at("2024-05-01"):
        rid = app.write_reflection(w, "free", "v1", "first words")
    with at("2024-05-02"):
        app.amend_reflection(w, rid, "v2", "second words", ["REL-2"])
    with at("2024-05-03"):
        app.amend_reflection(w, rid, "v3", "third words")
    r = app.portfolio(w).reflections[str(rid)]
    assert len(r["versions"]) == 3
    assert [app.read_text(w, v["title_sealed"]) for v in r["versions"]] == ["v1", "v2", "v3"]
    assert [_body(app, w, v)["text"] for v in r["versions"]] == ["first words", "second words", "third words"]
    assert [v["written_at"].date().isoformat() for v in r["versions"]] == ["2024-05-01", "2024-05-02",
                                                                           "2024-05-03"]
    assert r["competences"] == []  # the latest amendment's tags


def test_amending_an_unknown_reflection(app, org, today):
    with pytest.raises(NotFound, match="no reflection"):
        app.amend_reflection(org["wendy"], uuid4(), "t", "b")


def test_grow_template_sections(app, org, today):
    w = org["wendy"]
    rid = app.write_reflection(w, "grow", "My goal", {"G": "goal", "R": "reality", "O": "options", "W": "will"})
    v = app.portfolio(w).reflections[str(rid)]["versions"][0]
    assert _body(app, w, v) == {"G": "goal", "R": "reality", "O": "options", "W": "will"}
    app.amend_reflection(w, rid, "My goal", {"W": "start on Monday"})
    for bad in ({"X": "x"}, {"INTRO": "x"}, {"text": "plain"}, "plain text"):
        with pytest.raises(InvalidValue, match="body: section\\(s\\) .* are not part of the grow template "
                                               "\\(G, O, R, W\\)"):
            app.write_reflection(w, "grow", "t", bad)
        with pytest.raises(InvalidValue, match="not part of the grow template"):
            app.amend_reflection(w, rid, "t", bad)
    assert len(app.portfolio(w).reflections) == 1
    assert len(app.portfolio(w).reflections[str(rid)]["versions"]) == 2


def test_learning_cycle_template_sections(app, org, today):
    w = org["wendy"]
    app.write_reflection(w, "learning_cycle", "t", {"PLANNING": "p", "REFLECTING": "r"})
    with pytest.raises(InvalidValue, match="not part of the learning_cycle template"):
        app.write_reflection(w, "learning_cycle", "t", {"G": "g"})


@pytest.mark.parametrize("template, body", [
    ("free", ""), ("free", "   "), ("free", {"text": ""}), ("grow", {"G": "", "R": "  "}), ("grow", {})])
def test_empty_reflection_body_refused(app, org, today, template, body):
    with pytest.raises(InvalidValue, match="body: write something in at least one section"):
        app.write_reflection(org["wendy"], template, "A title", body)
    assert app.portfolio(org["wendy"]).reflections == {}


def test_reflection_template_title_and_tags_checked(app, org, today):
    w = org["wendy"]
    with pytest.raises(InvalidValue, match="template: must be one of free, grow, learning_cycle"):
        app.write_reflection(w, "diary", "t", "b")
    with pytest.raises(InvalidValue, match="title: is required"):
        app.write_reflection(w, "free", " ", "b")
    with pytest.raises(InvalidValue, match="competences: unknown code\\(s\\) NOPE"):
        app.write_reflection(w, "free", "t", "b", ["REL-1", "NOPE"])


def test_change_exposure_is_recorded(app, org, today):
    w = org["wendy"]
    rid = app.write_reflection(w, "free", "t", "b")
    version = app.portfolio(w).version
    app.change_exposure(w, "reflection", rid, "supervisors")
    pf = app.portfolio(w)
    assert pf.reflections[str(rid)]["exposure"] == "supervisors"
    assert pf.version == version + 1
    app.change_exposure(w, "reflection", rid, "supervisors")  # no change, nothing recorded
    assert app.portfolio(w).version == version + 1
    app.change_exposure(w, "reflection", rid, "private")
    assert app.portfolio(w).reflections[str(rid)]["exposure"] == "private"


def test_change_exposure_refusals(app, org, today):
    w = org["wendy"]
    rid = app.write_reflection(w, "free", "t", "b")
    with pytest.raises(InvalidValue, match="tier: must be one of private, supervisors, accreditation "
                                           "\\(got 'public'\\)"):
        app.change_exposure(w, "reflection", rid, "public")
    with pytest.raises(InvalidValue, match="item_kind: must be reflection, supervision, evidence or goal"):
        app.change_exposure(w, "training", rid, "supervisors")
    with pytest.raises(NotFound, match="no goal"):
        app.change_exposure(w, "goal", rid, "supervisors")
    with pytest.raises(NotFound, match="no evidence"):
        app.change_exposure(w, "evidence", rid, "supervisors")
    assert app.portfolio(w).reflections[str(rid)]["exposure"] == "private"


# --- evidence ----------------------------------------------------------------------------------------
def test_evidence_is_recorded_private_with_claims(app, org, today):
    w = org["wendy"]
    eid = app.add_evidence(w, "Testimonial", "testimonial", "from a colleague",
                           claims=[("REL-1", "Basic"), ("PRAC-4", "Leader")])
    ev = app.portfolio(w).evidence[str(eid)]
    assert ev["claims"] == [{"competence": "REL-1", "level": "Basic"}, {"competence": "PRAC-4", "level": "Leader"}]
    assert (ev["exposure"], ev["withdrawn"], ev["file"]) == ("private", False, None)
    assert app.read_text(w, ev["description_sealed"]) == "from a colleague"
    with pytest.raises(NotFound, match="this evidence has no file"):
        app.evidence_file(w, eid)


@pytest.mark.parametrize("claim, message", [
    (("REL-9", "Basic"), "claims: unknown competence 'REL-9'"),
    (("REL-1", "Expert"), "claims: unknown level 'Expert'"),
    (("REL-1", "basic"), "claims: unknown level 'basic'")])
def test_evidence_claims_must_be_known(app, org, today, claim, message):
    with pytest.raises(InvalidValue, match=message):
        app.add_evidence(org["wendy"], "t", "observation", claims=[("REL-2", "Basic"), claim])
    assert app.portfolio(org["wendy"]).evidence == {}


def test_evidence_kind_and_title(app, org, today):
    with pytest.raises(InvalidValue, match="kind: must be one of training_record"):
        app.add_evidence(org["wendy"], "t", "rumour")
    with pytest.raises(InvalidValue, match="title: is required"):
        app.add_evidence(org["wendy"], "", "other")


@pytest.mark.parametrize("media_type, data, message", [
    ("application/pdf", b"%PDF-" + b"x" * MAX_BYTES, "file: is 10,485,765 bytes; the limit is 10,485,760"),
    ("application/zip", b"PK\x03\x04rest", "file: type 'application/zip' is not accepted"),
    ("text/html", b"<p>hi</p>", "file: type 'text/html' is not accepted"),
    ("image/png", PDF, "file: content does not look like image/png"),
    ("application/pdf", PNG, "file: content does not look like application/pdf"),
    ("text/plain", b"\xff\xfe\xfa", "file: is not UTF-8 plain text"),
    ("text/plain", b"", "file: is empty"),
])
def test_evidence_file_limits(app, org, today, media_type, data, message):
    w = org["wendy"]
    with pytest.raises(InvalidValue, match=message) as exc:
        app.add_evidence(w, "Certificate", "training_record", file=("cert.bin", media_type, data))
    assert exc.value.field == "file"
    assert app.portfolio(w).evidence == {}


@pytest.mark.parametrize("name, media_type, data", [
    ("certificate.pdf", "application/pdf", PDF),
    ("photo.png", "image/png", PNG),
    ("notes.txt", "text/plain", "café notes\n".encode()),
    ("big.pdf", "application/pdf", b"%PDF-" + bytes(range(256)) * (MAX_BYTES // 256 - 1)),
])
def test_stored_file_comes_back_identical(app, org, today, name, media_type, data):
    w = org["wendy"]
    eid = app.add_evidence(w, "Certificate", "training_record", file=(name, media_type, data))
    meta = app.portfolio(w).evidence[str(eid)]["file"]
    assert (meta["size"], meta["media_type"]) == (len(data), media_type)
    assert name not in meta["name_sealed"]
    assert app.evidence_file(w, eid) == (name, media_type, data)


# --- goals -------------------------------------------------------------------------------------------
def test_goal_is_set_open_and_sealed(app, org, today):
    w = org["wendy"]
    gid = app.set_goal(w, "Co-facilitate a group", ["GOAL-2"], "2024-09-30")
    g = app.portfolio(w).goals[str(gid)]
    assert (g["status"], g["due_on"], g["competences"], g["reviews"]) == ("open", date(2024, 9, 30), ["GOAL-2"], [])
    assert app.read_text(w, g["text_sealed"]) == "Co-facilitate a group"
    with pytest.raises(InvalidValue, match="goal: is required"):
        app.set_goal(w, " ")
    with pytest.raises(InvalidValue, match="competences: unknown code\\(s\\) GOAL-9"):
        app.set_goal(w, "x", ["GOAL-9"])


@pytest.mark.parametrize("commitment", [1, 7, 10, None])
def test_goal_review_with_commitment(app, org, today, commitment):
    w = org["wendy"]
    gid = app.set_goal(w, "Co-facilitate a group", due_on="2024-09-30")
    app.review_goal(w, gid, "open", commitment, "on track")
    app.review_goal(w, gid, "open", 5, "new date", due_on="2024-12-31")
    g = app.portfolio(w).goals[str(gid)]
    assert [r["commitment"] for r in g["reviews"]] == [commitment, 5]
    assert app.read_text(w, g["reviews"][0]["note_sealed"]) == "on track"
    assert g["due_on"] == date(2024, 12, 31)


@pytest.mark.parametrize("commitment", [0, 11, -1])
def test_goal_commitment_outside_1_to_10_refused(app, org, today, commitment):
    w = org["wendy"]
    gid = app.set_goal(w, "Co-facilitate a group")
    with pytest.raises(InvalidValue, match="commitment: must be between 1 and 10"):
        app.review_goal(w, gid, "open", commitment)
    assert app.portfolio(w).goals[str(gid)]["reviews"] == []


@pytest.mark.parametrize("final", ["achieved", "dropped"])
def test_closed_goal_cannot_be_reviewed(app, org, today, final):
    w = org["wendy"]
    gid = app.set_goal(w, "Co-facilitate a group")
    app.review_goal(w, gid, final, 9, "done")
    with pytest.raises(DomainError, match=f"this goal is already {final}"):
        app.review_goal(w, gid, "open", 5)
    g = app.portfolio(w).goals[str(gid)]
    assert g["status"] == final and len(g["reviews"]) == 1


def test_goal_review_status_and_unknown_goal(app, org, today):
    w = org["wendy"]
    gid = app.set_goal(w, "x")
    with pytest.raises(InvalidValue, match="status: must be one of open, achieved, dropped"):
        app.review_goal(w, gid, "finished")
    with pytest.raises(NotFound, match="no goal"):
        app.review_goal(w, uuid4(), "open")


@pytest.mark.parametrize("bad", ["nul\x00inside", "lone \ud800 surrogate", "bell\x07"])
def test_text_that_cannot_be_stored_is_refused(app, org, today, bad):
    with pytest.raises(InvalidValue, match="contains a character that cannot be stored"):
        _training(app, org["wendy"], title=bad)
    with pytest.raises(InvalidValue, match="contains a character that cannot be stored"):
        app.write_reflection(org["wendy"], "free", "T", bad, [])


def test_too_many_topics_or_claims_refused(app, org, today):
    with pytest.raises(InvalidValue, match="topics: name at most 8 topics"):
        app.record_supervision(org["wendy"], org["sam"], DAY, "task", "one_to_one", "video", 60,
                               [f"topic {n}" for n in range(9)])
    with pytest.raises(InvalidValue, match="topics: is longer than 60 characters"):
        app.record_supervision(org["wendy"], org["sam"], DAY, "task", "one_to_one", "video", 60, ["x" * 61])
    claims = [(c, lv) for c in ("REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3")
              for lv in ("Basic", "Intermediate", "Advanced", "Leader")]
    with pytest.raises(InvalidValue, match="claims: one evidence item can support at most 20"):
        app.add_evidence(org["wendy"], "Everything", "other", "", claims)
