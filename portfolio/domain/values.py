"""Vocabularies of the domain, in the seeds' words. Plain strings keep events JSON-friendly."""

from __future__ import annotations

from datetime import date, timedelta

from portfolio.domain import clock
from portfolio.domain.errors import InvalidValue

# Competence table columns, in order (002: "moving from basic all the way to leader roles").
LEVELS = ("Basic", "Intermediate", "Advanced", "Leader")

# Account roles: what a person may do in the product.
ACCOUNT_ROLES = ("peer_worker", "supervisor", "org_admin", "auditor")

# Positions held in the organisation: drive the expected level of use (002:615-625).
POSITIONS = ("peer_worker", "team_leader", "line_manager", "organisational_leader")

# Periods away that move a due date (004:718 flexibility about leave). A kind only, never a reason:
# leave may be health-related and no diagnosis is held (004:624-625).
LEAVE_KINDS = ("leave", "career break")

TRAINING_DELIVERY = ("online", "face_to_face")
SUPERVISION_ORIENTATION = ("task", "process")  # 004:699
# Structures of supervision: one-to-one, group and peer (004:911-921 peer support structures) and
# mentoring (004:692 "Mentoring and supervision"; the mentor may be non-peer staff, 004:709). New
# values are appended: recorded events keep their meaning.
SUPERVISION_FORMAT = ("one_to_one", "group", "peer", "mentoring")
SUPERVISION_FORMAT_NAMES = {"one_to_one": "One-to-one", "group": "Group", "peer": "Peer supervision",
                            "mentoring": "Mentoring"}
SUPERVISION_MODE = ("in_person", "phone", "video")  # 004:699
# A supervisor's background as 004:696 distinguishes it: "Ideally, supervisors are people who have worked in
# peer roles before". Two values, no free text.
SUPERVISOR_BACKGROUNDS = ("peer", "not_peer")
SUPERVISOR_BACKGROUND_NAMES = {"peer": "Has worked in peer roles", "not_peer": "Has not worked in peer roles"}
REFLECTION_TEMPLATES = ("free", "grow", "learning_cycle", "ideal_helper", "circles_of_helpers")
# How each template is named to people (the course's names for its exercises, 002:408, 676, 763).
REFLECTION_TEMPLATE_NAMES = {"free": "Free writing", "grow": "GROW", "learning_cycle": "Learning cycle",
                             "ideal_helper": "The IDEAL HELPER", "circles_of_helpers": "Circles of helpers"}
EVIDENCE_KINDS = (
    "training_record",
    "supervision_record",
    "reflection",
    "observation",
    "testimonial",
    "work_product",
    "performance_review",
    "other",
)
# Who can read an item: private by default (002:767 "You will not have to share this.").
EXPOSURE_TIERS = ("private", "supervisors", "accreditation")
GOAL_STATUSES = ("open", "achieved", "dropped")

# Marks text that events of class version 1 held in clear (training, supervision topics, evidence
# titles): shown only while its owner's key exists, never copied to a read model.
LEGACY_CLEAR = "p0."

# 000:388 "One training session should not take more than 4 hours." A warning, not a refusal.
SESSION_HOURS_WARNING = 4


def one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidValue(field, f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


def all_of(field: str, values: list[str], allowed: tuple[str, ...]) -> list[str]:
    for v in values:
        one_of(field, v, allowed)
    return list(values)


def level_index(level: str) -> int:
    one_of("level", level, LEVELS)
    return LEVELS.index(level)


def printable(field: str, value: str) -> str:
    """Refuse control characters and lone surrogates: they cannot be stored as text everywhere
    (PostgreSQL refuses NUL; UTF-8 refuses surrogates)."""
    for ch in value:
        if (ord(ch) < 32 and ch not in "\n\r\t") or 0xD800 <= ord(ch) <= 0xDFFF:
            raise InvalidValue(field, f"contains a character that cannot be stored ({ord(ch):#06x})")
    return value


def non_empty(field: str, value: str, max_len: int = 200) -> str:
    value = printable(field, (value or "").strip())
    if not value:
        raise InvalidValue(field, "is required")
    if len(value) > max_len:
        raise InvalidValue(field, f"is longer than {max_len} characters")
    return value


def date_range_ok(start: date, end: date | None, field: str = "ends_on") -> None:
    if end is not None and end < start:
        raise InvalidValue(field, f"{end.isoformat()} is before the start {start.isoformat()}")


# The days the product accepts. No peer support record is older or further ahead, and outside them
# date arithmetic (90 days back, a month ahead, the end of a day) would overflow Python's dates.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def in_range(field: str, day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidValue(field, f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()} "
                                  f"(got {day.isoformat()})")
    return day


def happened(field: str, day: date, what: str) -> date:
    """A day on which something took place: not before 1900, not in the future (a day's grace for
    time zones ahead of UTC)."""
    in_range(field, day)
    if day > clock.today() + timedelta(days=1):
        raise InvalidValue(field, f"{what} cannot be recorded in the future ({day.isoformat()})")
    return day
