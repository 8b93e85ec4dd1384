"""Guidance text quoted verbatim from the seeds (data/guidance/*.yaml): shown on forms, never tagged
or claimed, so it is not a framework."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

GUIDANCE_DIR = Path(__file__).parent / "data" / "guidance"


@functools.cache
def guidance(name: str) -> dict:
    """The guidance document `name` (treat as read-only)."""
    with (GUIDANCE_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def supervision_limits() -> list[dict]:
    """What supervision records must not be used for (004:175, 830, 879-880), each with its line."""
    return guidance("supervision-limits")["items"]
