"""Framework data files must quote the seed documents verbatim.

Every file in ``portfolio/frameworks/data`` is checked against the seed text it
claims to copy: each verbatim field must occur in its seed file once runs of
whitespace are collapsed to one space on both sides (line breaks in the seed
become spaces; nothing else is changed -- hyphens, typos and curly quotes must
match the seed character for character).  Where a text is not contiguous in
the seed (a table cell crossing a page break, a hyphenated compound split by a
line break) the item carries ``source_fragments``: each fragment must occur in
the seed and the fragments, re-joined, must give the stored text exactly.

Verbatim fields: ``text``, ``bullets``, ``guidance``, ``statements`` values,
``recommendation_title``, ``reading_title``; ``title`` only with
``verbatim_title: true`` and ``group`` only with ``verbatim_group: true``;
top-level ``heading``/``intro``; ``about`` entries; ``domains`` entries (same
rules as items).
"""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

DATA_DIR = Path(__file__).parents[1] / "portfolio/frameworks/data"
_DEFAULT_SEEDS = Path(__file__).parents[2] / "shared" / "seeds"

KINDS = {
    "levelled-competences", "clusters", "concepts", "levels-of-use",
    "template", "tags", "training-elements", "programme",
}
CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
SLACK = 2  # lines of slack either side of a declared line range
LIST_FIELDS = ("bullets", "guidance")
STR_FIELDS = ("text", "recommendation_title", "reading_title")


def _seeds_dir() -> Path | None:
    if _DEFAULT_SEEDS.is_dir():
        return _DEFAULT_SEEDS
    env = os.environ.get("PORTFOLIO_SEEDS_DIR")
    if env and Path(env).is_dir():
        return Path(env)
    return None


def _norm(s: str) -> str:
    return " ".join(s.split())


@lru_cache(maxsize=None)
def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def _seed_lines(name: str) -> tuple[str, ...]:
    return tuple((_seeds_dir() / name).read_text(encoding="utf-8").split("\n"))


@lru_cache(maxsize=None)
def _seed_norm(name: str) -> str:
    return _norm("\n".join(_seed_lines(name)))


def _seed_span(name: str, lines: list[int] | None) -> str:
    if not lines:
        return _seed_norm(name)
    a, b = lines
    seed = _seed_lines(name)
    return _norm("\n".join(seed[max(0, a - 1 - SLACK) : b + SLACK]))


@pytest.fixture(scope="session")
def seeds() -> Path:
    d = _seeds_dir()
    if d is None:
        pytest.skip(
            f"seed documents not found at {_DEFAULT_SEEDS} (or $PORTFOLIO_SEEDS_DIR): "
            "cannot check verbatim framework text"
        )
    return d


FILES = sorted(DATA_DIR.glob("*.yaml"))


def _file_id(path: Path) -> str:
    return path.stem


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize("path", FILES, ids=_file_id)
def test_file_structure(path: Path) -> None:
    doc = _load(path)
    assert isinstance(doc, dict), f"{path.name}: top level must be a mapping"
    for key in ("id", "version", "title", "kind", "source", "items"):
        assert key in doc, f"{path.name}: missing top-level key {key!r}"
    assert isinstance(doc["version"], str), f"{path.name}: version must be a string"
    assert doc["kind"] in KINDS, f"{path.name}: unknown kind {doc['kind']!r}"
    src = doc["source"]
    assert isinstance(src.get("file"), str), f"{path.name}: source.file missing"
    _check_range(path.name, "source.lines", src.get("lines"))
    assert isinstance(doc["items"], list) and doc["items"], f"{path.name}: items must be a non-empty list"
    codes = [it.get("code") for it in doc["items"]] + [d.get("code") for d in doc.get("domains", [])]
    for c in codes:
        assert isinstance(c, str) and c and set(c) <= CODE_CHARS, f"{path.name}: bad code {c!r}"
    dup = [c for c, n in Counter(codes).items() if n > 1]
    assert not dup, f"{path.name}: duplicate codes {dup}"
    if doc["kind"] == "levelled-competences":
        levels = doc.get("levels")
        assert levels, f"{path.name}: levelled-competences needs levels"
        for it in doc["items"]:
            assert list(it["statements"]) == levels, f"{path.name}:{it['code']}: statements keys != levels"
            assert list(it["statement_lines"]) == levels, f"{path.name}:{it['code']}: statement_lines keys != levels"


def test_ids_unique() -> None:
    ids = [_load(p)["id"] for p in FILES]
    assert len(ids) == len(set(ids)), f"duplicate framework ids: {ids}"


def _check_range(where: str, what: str, lines) -> None:
    if lines is None:
        return
    assert (
        isinstance(lines, list) and len(lines) == 2 and all(isinstance(x, int) for x in lines)
        and 1 <= lines[0] <= lines[1]
    ), f"{where}: {what} must be [first, last] 1-based line numbers, got {lines!r}"


@pytest.mark.parametrize("path", FILES, ids=_file_id)
def test_source_files_exist(path: Path, seeds: Path) -> None:
    doc = _load(path)
    names = {doc["source"]["file"]}
    for entry in _entries(doc):
        names.add(entry[2])
    for name in sorted(names):
        assert (seeds / name).is_file(), f"{path.name}: seed file {name!r} not found in {seeds}"
    for _, _, name, _, lines in _entries(doc):
        if lines:
            n = len(_seed_lines(name))
            assert lines[1] <= n, f"{path.name}: line range {lines} beyond end of {name} ({n} lines)"


# --------------------------------------------------------------------------- verbatim
def _entries(doc: dict):
    """Yield (where, field, seed file, text-or-fragments, line range) for every verbatim text.

    text-or-fragments is a str, or a tuple (joined text, [fragments]) for
    texts that are stored with source_fragments.
    """
    fid = doc["id"]
    dfile = doc["source"]["file"]
    dlines = doc["source"].get("lines")

    for key in ("heading", "intro"):
        val = doc.get(key)
        for i, t in enumerate([val] if isinstance(val, str) else (val or [])):
            yield f"{fid}:{key}[{i}]", key, dfile, t, dlines
    for i, a in enumerate(doc.get("about", [])):
        yield f"{fid}:about[{i}]", "about", a["file"], a["text"], a.get("lines")

    for group_name in ("domains", "items"):
        for it in doc.get(group_name, []):
            code = it.get("code")
            src = it.get("source", {})
            sfile = src.get("file", dfile)
            ilines = src.get("lines", dlines if sfile == dfile else None)
            flines = it.get("field_lines", {})
            frags = it.get("source_fragments")

            def rng(field):
                return flines.get(field, ilines)

            def one(field, text, lines, frag_key=None):
                where = f"{fid}:{code}:{field}"
                fr = None
                if frags is not None:
                    if isinstance(frags, list) and field == "text":
                        fr = frags
                    elif isinstance(frags, dict) and frag_key in frags:
                        fr = frags[frag_key]
                yield where, field, sfile, (text, fr) if fr is not None else text, lines

            if it.get("verbatim_title"):
                yield from one("title", it["title"], rng("title"), "title")
            if it.get("verbatim_group"):
                yield from one("group", it["group"], rng("group"), "group")
            for f in STR_FIELDS:
                if f in it:
                    yield from one(f, it[f], rng(f), f)
            for f in LIST_FIELDS:
                for i, t in enumerate(it.get(f, [])):
                    yield from one(f"{f}[{i}]", t, rng(f), f"{f}[{i}]")
            sl = it.get("statement_lines", {})
            for lvl, t in it.get("statements", {}).items():
                yield from one(f"statements.{lvl}", t, sl.get(lvl, ilines), lvl)


def _all_entries():
    out = []
    for p in FILES:
        out.extend(_entries(_load(p)))
    return out


ENTRIES = _all_entries()


def _join(fragments: list[str]) -> str:
    out = ""
    for f in fragments:
        f = _norm(f)
        if not out:
            out = f
        elif out.endswith("-"):
            out += f  # compound hyphenated across a line break: "peer-" + "led"
        else:
            out += " " + f
    return out


@pytest.mark.parametrize("entry", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_verbatim(entry, seeds: Path) -> None:
    where, field, seed, text, lines = entry
    assert (seeds / seed).is_file(), f"{where}: seed file {seed} missing"
    if isinstance(text, tuple):
        joined, fragments = text
        assert isinstance(fragments, list) and len(fragments) >= 2, f"{where}: source_fragments must list >= 2 fragments"
        assert _join(fragments) == _norm(joined), (
            f"{where}: source_fragments do not re-join to the stored text\n"
            f"  joined:  {_join(fragments)!r}\n  stored:  {_norm(joined)!r}"
        )
        pieces = fragments
    else:
        assert isinstance(text, str) and text.strip(), f"{where}: empty or non-string text {text!r}"
        pieces = [text]
    for piece in pieces:
        needle = _norm(piece)
        assert needle in _seed_norm(seed), (
            f"{where}: text not found in seed {seed} (after whitespace normalisation):\n  {needle!r}"
        )
        if lines:
            assert needle in _seed_span(seed, lines), (
                f"{where}: text found in {seed} but not within lines {lines[0]}-{lines[1]} (±{SLACK}):\n  {needle!r}"
            )


# --------------------------------------------------------------------------- counts
def _doc(fid: str) -> dict:
    for p in FILES:
        d = _load(p)
        if d["id"] == fid:
            return d
    pytest.fail(f"framework file with id {fid!r} not found in {DATA_DIR}")


def test_worker_competences_counts() -> None:
    d = _doc("worker-competences")
    assert d["levels"] == ["Basic", "Intermediate", "Advanced", "Leader"]
    assert [i["code"] for i in d["items"]] == [
        "REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "GOAL-4",
        "PRAC-1", "PRAC-2", "PRAC-3", "PRAC-4",
    ]
    assert sum(len(i["statements"]) for i in d["items"]) == 44
    assert {i["group"] for i in d["items"]} == {
        "RELATIONSHIPS AND PEER WORK", "GOAL ORIENTATION AND PEER SUPPORT", "PEER SUPPORT PRACTICES",
    }


def test_core_clusters_counts() -> None:
    d = _doc("core-clusters")
    assert [i["code"] for i in d["items"]] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert [len(i["bullets"]) for i in d["items"]] == [5, 5, 4, 4, 5, 5]
    assert sum(len(i["bullets"]) for i in d["items"]) == 28


def test_core_concepts_counts() -> None:
    d = _doc("core-concepts")
    assert [(i["code"], len(i["bullets"])) for i in d["items"]] == [
        ("ACCEPTANCE", 7), ("GENUINENESS", 5), ("EMPATHY", 4),
    ]


def test_levels_of_use_and_policy() -> None:
    d = _doc("levels-of-use")
    codes = [i["code"] for i in d["items"]]
    assert codes == ["ESSENTIAL", "PEER-PRACTITIONER", "PEER-MANAGER", "PEER-LEADER"]
    pol = d["policy"]
    assert pol["inferred"] is True
    wc = _doc(pol["competence_framework"])
    assert [s["code"] for s in pol["stages"]] == codes
    assert [s["level"] for s in pol["stages"]] == wc["levels"]


def test_grow_counts() -> None:
    d = _doc("grow")
    assert [(i["code"], len(i["bullets"])) for i in d["items"]] == [("G", 3), ("R", 8), ("O", 8), ("W", 10)]
    scales = [(i["code"], s["bullet"]) for i in d["items"] for s in i.get("scales", [])]
    assert len(scales) == 2
    for code, idx in scales:
        item = next(i for i in d["items"] if i["code"] == code)
        assert "scale of 1-10" in item["bullets"][idx]


def test_learning_cycle_counts() -> None:
    d = _doc("learning-cycle")
    assert [i["title"] for i in d["items"]] == ["Planning", "Doing", "Concluding", "Reflecting"]


def test_who_roles_counts() -> None:
    d = _doc("who-roles")
    assert [i["code"] for i in d["items"]] == [f"ROLE-{n}" for n in range(1, 13)]
    assert all(i["bullets"] for i in d["items"])


def test_ethical_principles_counts() -> None:
    d = _doc("ethical-principles")
    assert [i["code"] for i in d["items"]] == [f"E{n}" for n in range(1, 13)]
    assert sum(len(i["bullets"]) for i in d["items"]) == 56


def test_training_elements_counts() -> None:
    d = _doc("training-elements")
    assert [i["code"] for i in d["items"]] == [f"TE-{n}" for n in range(1, 16)]
    tiers = Counter(i["tier"] for i in d["items"])
    assert tiers == {"basic": 12, "advanced": 3}


def test_hee_programme_maps_to_known_competences() -> None:
    prog = _doc("hee-programme")
    assert len(prog["items"]) == 9
    frameworks = {}
    for it in prog["items"]:
        assert it.get("maps_to"), f"hee-programme:{it['code']}: no maps_to"
        for m in it["maps_to"]:
            fw = frameworks.setdefault(m["framework"], {i["code"] for i in _doc(m["framework"])["items"]})
            unknown = [c for c in m["codes"] if c not in fw]
            assert not unknown, f"hee-programme:{it['code']}: unknown {m['framework']} codes {unknown}"
    comp = _doc("hee-competences")
    assert len(comp["items"]) == 30
    assert len(comp["domains"]) == 9
    used = {c for it in prog["items"] for m in it["maps_to"] for c in m["codes"]}
    assert used == {i["code"] for i in comp["items"]}, "every listed HEE competence comes from the session map"
