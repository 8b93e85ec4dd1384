"""A worker's learning mix beside the 70:20:10 guide of seed 001 (a guide, not a target).

001 words the guide as: "10% of learning is gained from formal courses and programmes", "20% of
learning is gained from other people", "70% of learning is gained from on-the-job experience".
Formal training and learning with others are timed (hours); learning on the job is counted as
evidence items, which have no duration, so only the first two can share one scale.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

GUIDE = (  # (key, share, 001's words)
    ("formal", 10, "of learning is gained from formal courses and programmes"),
    ("others", 20, "of learning is gained from other people"),
    ("on_the_job", 70, "of learning is gained from on-the-job experience"),
)


def learning_mix(pf, day: date) -> dict:
    """Totals up to and including `day`: training hours, supervision and buddy meeting hours,
    evidence items not withdrawn."""
    formal = sum((t["hours"] for t in pf.trainings.values() if t["held_on"] <= day), Decimal(0))
    supervision = sum(s["minutes"] for s in pf.supervisions.values() if s["held_on"] <= day)
    buddy = sum(m["minutes"] for m in pf.buddy_meetings.values() if m["held_on"] <= day)
    evidence = sum(1 for e in pf.evidence.values() if not e["withdrawn"] and e["added_at"].date() <= day)
    others = Decimal(supervision + buddy) / 60
    timed = formal + others
    share = (lambda h: round(100 * h / timed)) if timed else (lambda h: 0)
    return {"formal_hours": formal.quantize(Decimal("0.1")), "others_hours": others.quantize(Decimal("0.1")),
            "supervision_minutes": supervision, "buddy_minutes": buddy, "evidence_items": evidence,
            "formal_share": share(formal), "others_share": 100 - share(formal) if timed else 0}
