"""The organisation's self-assessment on the seven components of meaningful peer involvement
(004:942-1012). An organisation admin fills it in and revisits it; every visit is kept as it was
submitted, with who and when, and none is ever changed: a revisit is a new AssessmentCompleted.

Notes are the organisation's text: they arrive sealed (ciphertext) like every typed text.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from portfolio.domain import clock
from portfolio.domain.base import PortfolioAggregate
from portfolio.domain.errors import InvalidValue

SELF_ASSESSMENT_NS = uuid5(NAMESPACE_URL, "https://portfolio.invalid/self-assessment")


class SelfAssessment(PortfolioAggregate):
    """One per organisation and checklist (the framework it answers)."""

    @staticmethod
    def create_id(framework_id: str) -> UUID:
        return uuid5(SELF_ASSESSMENT_NS, framework_id)

    @event("Opened")
    def __init__(self, framework_id: str):
        self.framework_id = framework_id
        self.visits: list[dict] = []

    def complete(self, by: UUID, framework_version: str, components: list[str], scale: list[str],
                 answers: dict[str, dict]) -> int:
        """answers: component code -> {"rating": a scale code, "notes_sealed": ciphertext or ""}.
        Every component of the checklist is rated (the scale's first step says "not started")."""
        unknown = sorted(set(answers) - set(components))
        if unknown:
            raise InvalidValue("answers", f"unknown component(s) {', '.join(unknown)}")
        for code in components:
            rating = (answers.get(code) or {}).get("rating")
            if rating not in scale:
                raise InvalidValue(f"rating_{code}", f"choose one of {', '.join(scale)}"
                                                     + (f" (got {rating!r})" if rating else ""))
        clean = {code: {"rating": answers[code]["rating"], "notes_sealed": answers[code].get("notes_sealed") or ""}
                 for code in components}
        self._completed(by=by, framework_version=framework_version, answers=clean, completed_at=clock.now())
        return len(self.visits)

    @event("AssessmentCompleted")
    def _completed(self, by: UUID, framework_version: str, answers: dict[str, dict], completed_at: datetime) -> None:
        self.visits.append({"number": len(self.visits) + 1, "by": by, "framework_version": framework_version,
                            "answers": answers, "completed_at": completed_at})


def rating_changes(previous: dict | None, current: dict) -> list[dict]:
    """The components whose rating moved between two visits, in the current visit's order."""
    if previous is None:
        return []
    before = previous["answers"]
    return [{"code": code, "before": before.get(code, {}).get("rating"), "after": answer["rating"]}
            for code, answer in current["answers"].items() if before.get(code, {}).get("rating") != answer["rating"]]
