"""Tags on the pages: the catalogues as grouped checkboxes (verbatim titles), the tags an item carries,
and the counts (the worker's page to change an item's tags is worker_tags.py). A tag goes wherever its item goes: only
a reader who may see the item is shown its tags."""

from __future__ import annotations

from portfolio.application import TAG_FRAMEWORKS
from portfolio.domain.errors import NotFound
from portfolio.domain.tags import tag_key
from portfolio.web.access import app_service

ITEM_KINDS = {"reflections": "reflection", "evidence": "evidence"}  # list name -> item kind that has tags


def catalogues() -> list[dict]:
    """Each loaded tag catalogue: id, title and items (code, title), in form order."""
    out = []
    for fid in TAG_FRAMEWORKS:
        try:
            doc = app_service().framework_document(fid)
        except NotFound:
            continue
        out.append({"id": fid, "title": doc["title"],
                    "items": [{"code": i["code"], "title": i.get("title", i["code"]),
                               "key": f"{fid}:{i['code']}"} for i in doc["items"]]})
    return out


def tag_titles() -> dict[str, str]:
    """'catalogue:code' -> the item's verbatim title (for showing a tag)."""
    return {i["key"]: i["title"] for c in catalogues() for i in c["items"]}


def keys(tags: list[dict] | None) -> list[str]:
    """An item's tags as 'catalogue:code' strings (items from before tags carry none)."""
    return [tag_key(t) for t in tags or []]


def count_rows(counts: dict) -> list[dict]:
    """Read-model counts as rows per catalogue, in catalogue order, each tag with its title."""
    rows = []
    for c in catalogues():
        per = counts.get(c["id"], {})
        tags = [dict(i, **per[i["code"]]) for i in c["items"] if i["code"] in per]
        if tags:
            rows.append({"id": c["id"], "title": c["title"], "tags": tags})
    return rows
