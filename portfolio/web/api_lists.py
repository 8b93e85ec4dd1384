"""The worker's own lists over the API (/api/v1/me/reflections, …/evidence, …/training, …/supervision,
…/goals), one reflection with every version, amending it, and withdrawing evidence. Filters, rows and
versions come from portfolio/web/lists.py, shared with the pages; commands are the application's."""

from __future__ import annotations

from flask import abort, g, request, url_for

from portfolio.web.access import app_service, runtime
from portfolio.web.api_base import Invalid, route
from portfolio.web.api_schemas import (LIST_PAGES, ReflectionOutSchema, ReflectionVersionsSchema, StatusSchema,
                                      TagsResultSchema)
from portfolio.web import lists
from portfolio.web.lists import FILTER_SCHEMAS, KINDS, PER_PAGE, TITLES, filter_errors, list_row, owner_reader
from portfolio.web.schemas import ReflectionAmendSchema, TagsSchema
from portfolio.web.tags import ITEM_KINDS, keys

WORKER = ("peer_worker",)


def _page_link(page: int, filters: dict) -> str:
    query = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.items()}
    return url_for(request.endpoint, page=page, **query)


def _list(kind: str, args: dict) -> dict:
    errors = filter_errors(kind, request.args, args)
    if errors:
        raise Invalid(errors)
    filters = dict(args)
    page = filters.pop("page")
    rows, total = runtime().read_models().my_list(kind, str(g.user.id), page=page, per_page=PER_PAGE, **filters)
    pages = max(1, -(-total // PER_PAGE))
    read = owner_reader(g.user.id)
    return {"items": [list_row(kind, r, read) for r in rows], "total": total, "page": page, "per_page": PER_PAGE,
            "pages": pages, "next": _page_link(page + 1, filters) if page < pages else None,
            "prev": _page_link(min(page - 1, pages), filters) if page > 1 else None}


def _list_view(kind: str):
    def view(args):
        return _list(kind, args)
    view.__name__ = f"my_{kind}"
    return view


for _kind in KINDS:
    route(f"/me/{_kind}", "GET", summary=f"{TITLES[_kind]}, newest first, {PER_PAGE} a page", tag="worker",
          roles=WORKER, query=FILTER_SCHEMAS[_kind], response=LIST_PAGES[_kind])(_list_view(_kind))


def _reflection(reflection_id) -> dict:
    item = app_service().portfolio(g.user.id).reflections.get(str(reflection_id)) or abort(404)
    versions = lists.reflection_versions(g.user.id, item)
    return {"id": reflection_id, "template": item["template"], "competences": item["competences"],
            "tags": keys(item.get("tags")), "exposure": item["exposure"], "versions": versions, "current": versions[-1]}


@route("/me/reflections/<uuid:reflection_id>", "GET", summary="One of my reflections, every version",
       tag="worker", roles=WORKER, response=ReflectionOutSchema)
def reflection(reflection_id):
    return _reflection(reflection_id)


@route("/me/reflections/<uuid:reflection_id>/versions", "GET", summary="Every version of one of my reflections",
       tag="worker", roles=WORKER, response=ReflectionVersionsSchema)
def reflection_versions(reflection_id):
    return _reflection(reflection_id)


@route("/me/reflections/<uuid:reflection_id>/amend", "POST", summary="Amend a reflection (a new version; "
       "the earlier ones are kept)", tag="worker", roles=WORKER, body=ReflectionAmendSchema,
       response=ReflectionOutSchema, example={"title": "Listening, again", "body": {"text": "I listen more now"},
                                              "competences": ["REL-1"]})
def amend_reflection(reflection_id, data):
    """Without "tags" the reflection keeps its tags."""
    app_service().amend_reflection(g.user.id, reflection_id, data["title"], data["body"], data["competences"],
                                   tags=data["tags"])
    return _reflection(reflection_id)


@route("/me/<any(reflections, evidence):kind>/<uuid:item_id>/tags", "POST", summary="Replace the tags of one of "
       "my reflections or evidence (no new reflection version)", tag="worker", roles=WORKER, body=TagsSchema,
       response=TagsResultSchema, example={"tags": ["who-roles:ROLE-1", "core-clusters:C2"]})
def change_tags(kind, item_id, data):
    item_kind = ITEM_KINDS[kind]
    changed = app_service().change_tags(g.user.id, item_kind, item_id, data["tags"])
    item = getattr(app_service().portfolio(g.user.id), kind)[str(item_id)]
    return {"id": item_id, "kind": item_kind, "tags": keys(item.get("tags")), "changed": changed}


@route("/me/evidence/<uuid:evidence_id>/withdraw", "POST", summary="Withdraw evidence (kept, marked withdrawn, "
       "no longer counts)", tag="worker", roles=WORKER, response=StatusSchema)
def withdraw_evidence(evidence_id):
    app_service().withdraw_evidence(g.user.id, evidence_id)
    return {"id": evidence_id, "status": "withdrawn"}
