"""What supervision records must not be used for (004:175, 830, 879-880): verbatim data, shown on the
supervisor's session form and the worker's evidence form, next to the topics, notes and description."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from portfolio.frameworks.guidance import guidance, supervision_limits

HX = {"HX-Request": "true"}


def _seed_lines(name: str) -> list[str]:
    for d in (os.environ.get("PORTFOLIO_SEEDS_DIR"), Path(__file__).parents[2] / "shared" / "seeds",
              "/work/shared/seeds"):
        if d and (Path(d) / name).is_file():
            return (Path(d) / name).read_text(encoding="utf-8").split("\n")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"seed {name} not found: CI=true, so the verbatim check must run")
    pytest.skip(f"seed {name} not found")


def test_limits_are_verbatim_at_their_lines():
    doc = guidance("supervision-limits")
    seed = _seed_lines(doc["source"]["file"])
    assert [i["code"] for i in doc["items"]] == ["NO-REPORTING-BACK", "NO-PRIVATE-DETAILS",
                                                 "NO-MEDICATION-REPORTS", "NO-PROGRESS-REPORTS"]
    for item in doc["items"]:
        a, b = item["lines"]
        assert " ".join(item["text"].split()) in " ".join(" ".join(seed[a - 1:b]).split()), item["code"]
        if "under" in item:
            assert item["under"] in seed[item["under_line"] - 1], item["code"]


def _limits_shown(body: str) -> None:
    body = html.unescape(body)
    assert 'id="supervision-limits"' in body
    for item in supervision_limits():
        assert f"<q>{item['text']}</q>" in body and f"004:{item['lines'][0]}" in body


@pytest.mark.parametrize("headers", [{}, HX])
def test_supervisor_form_says_what_records_are_not_for(web, headers):
    body = web.client("sam").get(f"/supervise/workers/{web.ids['wendy']}/supervision/new",
                                 headers=headers).get_data(as_text=True)
    _limits_shown(body)
    assert body.index('id="supervision-limits"') < body.index('id="f-topics"') < body.index('id="f-notes"')


def test_supervisor_form_keeps_the_limits_on_a_refused_post(web):
    response = web.client("sam").post(f"/supervise/workers/{web.ids['wendy']}/supervision/new",
                                      data={"minutes": "2"}, headers=HX)
    assert response.status_code == 422
    _limits_shown(response.get_data(as_text=True))


def test_worker_evidence_form_says_what_records_are_not_for(web):
    body = web.client("wendy").get("/me/evidence/new").get_data(as_text=True)
    _limits_shown(body)
    assert body.index('id="supervision-limits"') < body.index('id="f-description"')
