"""My privacy at real size: grouped by kind, filtered, tiers changed in place, an access log that names
what was read; the record of everything held reads in plain words (the JSON stays complete)."""

from __future__ import annotations

import re

HX = {"HX-Request": "true"}


def _fill(app, w, sam, at, reflections=30, evidence=20):
    ids = []
    with at("2024-04-01"):
        for n in range(reflections):
            ids.append(app.write_reflection(w, "free", f"Reflection {n}", f"text {n}", []))
        for n in range(evidence):
            app.add_evidence(w, f"Evidence {n}", "work_product", "", [("REL-1", "Basic")])
        app.record_supervision(w, sam, "2024-03-30", "process", "one_to_one", "video", 60, [], "", "")
        for rid in ids[:3]:
            app.change_exposure(w, "reflection", rid, "supervisors")
    return ids


def test_grouped_and_filtered(web, at):
    app, w = web.app.extensions["portfolio"].app, web.ids["wendy"]
    _fill(app, w, web.ids["sam"], at)
    client = web.client("wendy")
    page = client.get("/me/privacy").get_data(as_text=True)
    assert "Reflections (30)" in page and "Evidence (20)" in page and "Supervision sessions (1)" in page
    shared = client.get("/me/privacy?tier=supervisors").get_data(as_text=True)
    assert "Reflections (3)" in shared and "Evidence (0)" in shared and "3 items shown" in shared
    only = client.get("/me/privacy?kind=evidence").get_data(as_text=True)
    assert "Evidence (20)" in only and "Reflections (" not in only
    bad = client.get("/me/privacy?tier=everyone")
    assert bad.status_code == 422 and "tier: Must be one of" in bad.get_data(as_text=True)


def test_the_tier_changes_in_place(web, at):
    app, w = web.app.extensions["portfolio"].app, web.ids["wendy"]
    rid = _fill(app, w, web.ids["sam"], at, reflections=1, evidence=0)[0]
    client = web.client("wendy")
    form = {"tier": "private", "in_place": "privacy"}
    row = client.post(f"/me/reflection/{rid}/exposure", data=form, headers=HX)
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.lstrip().startswith(f'<tr id="item-{rid}"') and "<html" not in html
    assert app.portfolio(w).reflections[str(rid)]["exposure"] == "private"
    with at("2024-04-02"):
        story = app.write_reflection(w, "free", "A friend's story", "told", [], others_story=True)
    refused = client.post(f"/me/reflection/{story}/exposure", data=dict(form, tier="supervisors"), headers=HX)
    assert refused.status_code == 422 and f'id="e-tier-{story}"' in refused.get_data(as_text=True)
    plain = client.post(f"/me/reflection/{rid}/exposure", data={"tier": "supervisors"})
    assert plain.status_code == 302  # without script: the form posts and the page comes back


def test_the_access_log_names_the_item_the_reader_and_the_time(web, at):
    app, w, sam = web.app.extensions["portfolio"].app, web.ids["wendy"], web.ids["sam"]
    ids = _fill(app, w, sam, at, reflections=3, evidence=0)
    with at("2024-04-05T10:15:00"):
        for _ in range(60):  # more reads than one page of the log holds
            app.record_read(w, app.person(sam), "reflection", ids[0], "supervision summary")
        app.record_read(w, app.person(sam), "reflection", ids[1], "sign-off queue")
    client = web.client("wendy")
    page = client.get("/me/privacy").get_data(as_text=True)
    assert "Access log (61 reads by others)" in page and "Page 1 of 2" in page
    newest = re.search(r"<tbody>\s*<tr><td>(.*?)</tr>", page.split('id="access-log"')[1], re.S).group(1)
    assert "2024-04-05 10:15" in newest and "Sam Supervisor" in newest and "Reflection 1" in newest
    older = client.get("/me/privacy?log_page=2", headers=HX).get_data(as_text=True)
    assert "<html" not in older and "Page 2 of 2" in older and "Reflection 0" in older


def test_everything_held_reads_as_a_record(web, at):
    app, w, sam = web.app.extensions["portfolio"].app, web.ids["wendy"], web.ids["sam"]
    ids = _fill(app, w, sam, at, reflections=2, evidence=1)
    with at("2024-04-05T10:15:00"):
        app.record_read(w, app.person(sam), "reflection", ids[0], "supervision summary")
    client = web.client("wendy")
    page = client.get("/me/subject-access.html").get_data(as_text=True)
    assert "You wrote a reflection" in page and "Your portfolio was started" in page
    assert "Sam Supervisor (supervisor) read the reflection “Reflection 0”" in page
    for class_name in ("ReflectionWritten", "EvidenceAdded", "ContentsRead", "Portfolio.Opened", "_sealed"):
        assert class_name not in page
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", page), "microseconds on the page"
    data = client.get("/me/subject-access.json").get_json()
    assert {"Portfolio.ReflectionWritten", "Portfolio.EvidenceAdded"} <= {e["type"] for e in data["events"]}
    assert all(e["what"] for e in data["events"]) and data["access_log"][0]["item_title"] == "Reflection 0"
