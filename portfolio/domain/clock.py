"""The time the domain believes it is.

Event timestamps and decision times come from here, so that the demo (and tests)
can write a believable history in the past while production uses the real clock.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from typing import Iterator

_fixed: ContextVar[datetime | None] = ContextVar("portfolio_clock", default=None)


def now() -> datetime:
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(timezone.utc)


def today() -> date:
    return now().date()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
