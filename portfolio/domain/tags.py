"""Tags on reflections and evidence: a (catalogue, code) pair from a loaded tag catalogue.

A tag is structure, not personal text: a code of a framework file copied verbatim from the seeds
(WHO's roles and ethical principles, the core concepts, the six clusters, the HEE competences).
The domain checks each tag against the catalogue versions the application hands it, and records
the version it was checked against.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.domain.errors import InvalidValue

MAX_TAGS = 100  # more than every catalogue's codes together: a bound, not a rule a person meets


@dataclass(frozen=True)
class TagCatalogue:
    """One loaded catalogue version: its id, version and item codes."""
    id: str
    version: str
    codes: frozenset[str]


def tag_key(tag: dict) -> str:
    """A tag as one string, 'catalogue:code' (how forms, filters and the read model name it)."""
    return f"{tag['catalogue']}:{tag['code']}"


def clean_tags(field: str, tags, catalogues: dict[str, TagCatalogue]) -> list[dict]:
    """'catalogue:code' strings (or (catalogue, code) pairs) -> sorted, unique tag dicts; an unknown
    catalogue or code is refused, naming the field."""
    tags = list(tags or [])
    if len(tags) > MAX_TAGS:
        raise InvalidValue(field, f"at most {MAX_TAGS} tags")
    out: dict[str, dict] = {}
    for tag in tags:
        catalogue, _, code = tag.partition(":") if isinstance(tag, str) else (tag[0], ":", tag[1])
        known = catalogues.get(catalogue)
        if known is None:
            raise InvalidValue(field, f"{tag!s} is not a tag: {catalogue!r} is not a tag catalogue "
                                      f"({', '.join(sorted(catalogues)) or 'none loaded'})")
        if code not in known.codes:
            raise InvalidValue(field, f"{tag!s} is not a tag: {code!r} is not a code of {catalogue} "
                                      f"version {known.version}")
        clean = {"catalogue": catalogue, "code": code, "version": known.version}
        out[tag_key(clean)] = clean
    return [out[k] for k in sorted(out)]


def same_tags(a: list[dict], b: list[dict]) -> bool:
    return {tag_key(t) for t in a} == {tag_key(t) for t in b}
