"""Levels of use (002:607-631): the stage a worker holds, the stage expected of them, what is missing.

The stage <-> competence-level mapping and the triggers are policy passed in as data
(frameworks/data/levels-of-use.yaml): the seed implies the mapping but never states it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta



@dataclass(frozen=True)
class StageReport:
    held: str | None  # code of the highest stage fully signed off, or None
    expected: str | None  # code of the stage expected on that day, or None (no position yet)
    expected_due_on: date | None  # when the expectation falls due (end of induction, 2-year mark)
    in_induction: bool
    missing: list[str] = field(default_factory=list)  # competences lacking a level up to the expected one
    # (competence, level) pairs not signed, for every stage up to the expected one: a revoked Basic
    # is missing even while Intermediate is still held.
    missing_levels: list[tuple[str, str]] = field(default_factory=list)


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def assess(positions: list[dict], held_levels: dict[str, list[str]], competences: list[str],
           policy: dict, on: date) -> StageReport:
    stages = policy["stages"]
    held = None
    for stage in stages:  # stages are ordered: a stage counts only if every one before it does
        if all(stage["level"] in held_levels.get(c, []) for c in competences):
            held = stage["code"]
        else:
            break

    held_positions = [p for p in positions if p["starts_on"] <= on]
    position = held_positions[-1] if held_positions else None
    if position is None:
        return StageReport(held=held, expected=None, expected_due_on=None, in_induction=False)
    first_start = positions[0]["starts_on"]
    expected, due_on, in_induction = None, None, False
    for stage in stages:
        trigger = stage["trigger"]
        if trigger == "position" and position["position"] in stage.get("positions", []):
            expected, due_on = stage["code"], position["starts_on"]
        elif trigger == "tenure" and expected is None:
            mark = _add_years(first_start, int(stage.get("min_years", 2)))
            if on >= mark:
                expected, due_on = stage["code"], mark
    if expected is None:
        start = next(s for s in stages if s["trigger"] == "start-or-induction")
        due_on = position["starts_on"] + timedelta(days=position["induction_days"])
        expected, in_induction = start["code"], on < due_on
    upto = [s["code"] for s in stages].index(expected) + 1
    needed = [s["level"] for s in stages[:upto]]
    missing_levels = [(c, lv) for c in competences for lv in needed if lv not in held_levels.get(c, [])]
    missing = list(dict.fromkeys(c for c, _ in missing_levels))
    return StageReport(held=held, expected=expected, expected_due_on=due_on, in_induction=in_induction,
                       missing=missing, missing_levels=missing_levels)
