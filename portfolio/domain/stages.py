"""Levels of use (002:607-631): the stage a worker holds, the stage expected of them, what is missing.

The stage <-> competence-level mapping, the triggers, which levels each stage needs, the role kinds
tenure is counted in and where the core competencies count are policy passed in as data
(frameworks/data/levels-of-use.yaml): the seed implies them but never states them. assess() is a pure
function of its arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

Missing = list[tuple[str, str]]  # (competence, level) pairs not signed


@dataclass(frozen=True)
class StageReport:
    held: str | None  # code of the highest stage fully signed off, or None
    expected: str | None  # code of the stage expected on that day, or None (no position yet)
    expected_due_on: date | None  # when the expectation falls due (end of induction, 2-year mark), leave added
    in_induction: bool
    missing: list[str] = field(default_factory=list)  # competences lacking a level up to the expected one
    # (competence, level) pairs not signed, for every stage up to the expected one: a revoked Basic
    # is missing even while Intermediate is still held.
    missing_levels: Missing = field(default_factory=list)
    # What keeping the held stage needs and lacks: empty whenever held is consistent (a revoked level
    # drops every stage that needs it), so the pages can say "nothing missing to keep it" truthfully.
    missing_for_held: Missing = field(default_factory=list)
    missing_for_expected: Missing = field(default_factory=list)  # what the expected stage needs and lacks
    core_missing: list[str] = field(default_factory=list)  # core clusters/concepts not shown, where they count
    role: str | None = None  # the role kind tenure is counted in (policy.roles), e.g. "peer-worker"
    role_since: date | None = None  # start of the current role: a change of role restarts the clock
    leave_days: int = 0  # days of recorded leave that moved expected_due_on
    # When the tenure stage falls due in the current role (leave added), reached or not, and the days
    # of leave in that: what a page or a warning needs before the mark (None: no tenure stage).
    tenure_due_on: date | None = None
    tenure_leave_days: int = 0


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _overlap_days(leave: dict, first: date, last: date, on: date) -> int:
    """Days of one leave period inside first..last (inclusive); an open leave runs to `on`."""
    start, end = max(leave["starts_on"], first), min(leave["ends_on"] or on, last)
    return max((end - start).days + 1, 0)


def extend_for_leave(start: date, due: date, leave: list[dict], on: date) -> tuple[date, int]:
    """Move `due` on by the days of leave between `start` and it; the later date can take in more
    leave, so repeat until it settles (004:718 asks for flexibility about leave)."""
    extra = 0
    while True:
        end = due + timedelta(days=extra)
        days = sum(_overlap_days(lv, start, end - timedelta(days=1), on) for lv in leave)
        if days == extra:
            return end, extra
        extra = days


def _role_of(position: str, roles: dict[str, list[str]]) -> str:
    return next((kind for kind, names in roles.items() if position in names), position)


def _role_start(held_positions: list[dict], roles: dict[str, list[str]]) -> tuple[str, date]:
    """The current role and when it began: positions of the same role kind in a row are one role."""
    kind = _role_of(held_positions[-1]["position"], roles)
    since = held_positions[-1]["starts_on"]
    for p in reversed(held_positions):
        if _role_of(p["position"], roles) != kind:
            break
        since = p["starts_on"]
    return kind, since


def stage_needs(policy: dict, code: str) -> list[str]:
    """Levels a stage needs: its own, and those of every stage before it when policy.cumulative."""
    stages = policy["stages"]
    upto = [s["code"] for s in stages].index(code) + 1
    if policy.get("cumulative", True):
        return [s["level"] for s in stages[:upto]]
    return [stages[upto - 1]["level"]]


def _lacking(policy: dict, code: str | None, held_levels: dict[str, list[str]], competences: list[str]) -> Missing:
    if code is None:
        return []
    needed = stage_needs(policy, code)
    return [(c, lv) for c in competences for lv in needed if lv not in held_levels.get(c, [])]


def core_codes(tags) -> set[str]:
    """Codes a reflection shows, from its competences or its catalogue tags ('core-clusters:C2'):
    a cluster statement (C1.2) shows its cluster (C1)."""
    codes = set()
    for tag in tags:
        catalogue, _, code = tag.rpartition(":")
        if catalogue in ("", "core-clusters", "core-concepts"):  # policy.core.frameworks
            codes.add(code.split(".")[0])
    return codes


def _core_missing(policy: dict, stage: str | None, core_shown: set[str] | None) -> list[str]:
    core = policy.get("core") or {}
    if stage is None or core_shown is None or stage not in core.get("stages", []):
        return []
    return [c for c in core.get("codes", []) if c not in core_shown]


def _held(policy: dict, held_levels: dict[str, list[str]], competences: list[str],
          core_shown: set[str] | None) -> str | None:
    held = None
    for stage in policy["stages"]:  # the highest stage all of whose needs are met
        gated = (policy.get("core") or {}).get("gates_held") and _core_missing(policy, stage["code"], core_shown)
        if not _lacking(policy, stage["code"], held_levels, competences) and not gated:
            held = stage["code"]
    return held


def assess(positions: list[dict], held_levels: dict[str, list[str]], competences: list[str],
           policy: dict, on: date, *, leave: list[dict] | None = None,
           core_shown: set[str] | None = None) -> StageReport:
    """`positions`: {position, starts_on, induction_days} in order; `leave`: {starts_on, ends_on|None}
    periods still recorded (withdrawn ones left out by the caller); `core_shown`: core cluster and
    concept codes the worker's records show (None: not known, nothing reported)."""
    stages, leave = policy["stages"], leave or []
    held = _held(policy, held_levels, competences, core_shown)
    held_positions = [p for p in positions if p["starts_on"] <= on]
    if not held_positions:
        return StageReport(held=held, expected=None, expected_due_on=None, in_induction=False,
                           missing_for_held=_lacking(policy, held, held_levels, competences))
    position = held_positions[-1]
    role, role_since = _role_start(held_positions, policy.get("roles") or {})
    induction_end, induction_leave = extend_for_leave(
        position["starts_on"], position["starts_on"] + timedelta(days=position["induction_days"]), leave, on)
    expected, due_on, in_induction, leave_days = None, None, False, 0
    tenure_due_on, tenure_leave = None, 0
    for stage in stages:  # a later stage that applies overrides an earlier one
        trigger = stage["trigger"]
        if trigger == "position" and position["position"] in stage.get("positions", []):
            # Every position has its own agreed induction (002:615), managers' too.
            expected, due_on, in_induction = stage["code"], induction_end, on < induction_end
            leave_days = induction_leave
        elif trigger == "tenure" and expected is None:
            mark, days = extend_for_leave(role_since, _add_years(role_since, int(stage.get("min_years", 2))),
                                          leave, on)
            tenure_due_on, tenure_leave = mark, days
            if on >= mark:
                expected, due_on, leave_days = stage["code"], mark, days
    if expected is None:
        start = next(s for s in stages if s["trigger"] == "start-or-induction")
        expected, due_on, in_induction, leave_days = start["code"], induction_end, on < induction_end, induction_leave
    missing_levels = _lacking(policy, expected, held_levels, competences)
    return StageReport(held=held, expected=expected, expected_due_on=due_on, in_induction=in_induction,
                       missing=list(dict.fromkeys(c for c, _ in missing_levels)), missing_levels=missing_levels,
                       missing_for_held=_lacking(policy, held, held_levels, competences),
                       missing_for_expected=missing_levels, core_missing=_core_missing(policy, expected, core_shown),
                       role=role, role_since=role_since, leave_days=leave_days, tenure_due_on=tenure_due_on,
                       tenure_leave_days=tenure_leave)
