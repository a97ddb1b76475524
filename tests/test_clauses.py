"""The clauses written in spec/*.md and the registry convspec.clauses.CLAUSES agree exactly."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from convspec.clauses import CLAUSES, clause_title

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"

#: ``:::{clause} CONV-1 Definition`` -- three or more colons (more when the clause nests).
CLAUSE_LINE = re.compile(r"^\s*:{3,}\{clause\}[ \t]+(?P<argument>.*?)\s*$", re.MULTILINE)
CLAUSE_ID = re.compile(r"^[A-Z]+-[1-9][0-9]*$")
#: A backtick or tilde fence line; code fences may show clause syntax without defining a clause.
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def closes(line: str, opening: str) -> bool:
    """Whether ``line`` closes a fence opened by ``opening``: same character, no shorter, bare."""
    return line.startswith(opening) and not line.lstrip(opening[0])


def outside_code_fences(text: str) -> str:
    """``text`` with the content of fenced code blocks blanked out (MyST colon fences kept)."""
    kept, opening = [], None
    for line in text.splitlines():
        fence = FENCE.match(line)
        if opening is None:
            if fence:
                opening = fence[1]
            kept.append("" if fence else line)
        else:
            if fence and closes(line.strip(), opening):
                opening = None
            kept.append("")
    return "\n".join(kept)


def spec_clauses() -> list[tuple[str, str, str]]:
    """(id, title, page) of every clause directive of every spec page."""
    found = []
    for page in sorted(SPEC_DIR.glob("*.md")):
        for match in CLAUSE_LINE.finditer(outside_code_fences(page.read_text(encoding="utf-8"))):
            clause_id, _, title = match["argument"].partition(" ")
            found.append((clause_id, " ".join(title.split()), page.name))
    return found


def test_the_spec_has_clauses() -> None:
    assert len(spec_clauses()) >= 30


def test_clause_syntax_inside_a_code_fence_is_not_a_clause() -> None:
    text = "````markdown\n:::{clause} X-1 Shown\n:::\n````\n\n:::{clause} Y-2 Real one\n:::\n"
    assert [m["argument"] for m in CLAUSE_LINE.finditer(outside_code_fences(text))] == [
        "Y-2 Real one"
    ]


def test_clause_ids_are_unique() -> None:
    ids = Counter(clause_id for clause_id, _, _ in spec_clauses())
    assert [clause_id for clause_id, count in ids.items() if count > 1] == []


@pytest.mark.parametrize("clause_id", sorted(CLAUSES))
def test_registry_ids_have_the_form_prefix_number(clause_id: str) -> None:
    assert CLAUSE_ID.match(clause_id), clause_id


def test_spec_ids_have_the_form_prefix_number() -> None:
    assert [c for c, _, _ in spec_clauses() if not CLAUSE_ID.match(c)] == []


def test_spec_and_registry_agree_on_ids_and_titles() -> None:
    written = {(clause_id, title) for clause_id, title, _ in spec_clauses()}
    registered = set(CLAUSES.items())
    assert sorted(written - registered) == [], "in the spec, not in reference/clauses.py"
    assert sorted(registered - written) == [], "in reference/clauses.py, not in the spec"


def test_each_chapter_keeps_its_prefix() -> None:
    """A chapter's clauses share one prefix, and no prefix is spread over two chapters."""
    pages_of_prefix: dict[str, set[str]] = {}
    prefixes_of_page: dict[str, set[str]] = {}
    for clause_id, _, page in spec_clauses():
        prefix = clause_id.split("-")[0]
        pages_of_prefix.setdefault(prefix, set()).add(page)
        prefixes_of_page.setdefault(page, set()).add(prefix)
    assert {prefix: pages for prefix, pages in pages_of_prefix.items() if len(pages) > 1} == {}
    assert {page: found for page, found in prefixes_of_page.items() if len(found) > 1} == {}


def test_clause_title_names_an_unknown_id() -> None:
    assert clause_title("CONV-1") == CLAUSES["CONV-1"]
    with pytest.raises(KeyError, match="CONV-99"):
        clause_title("CONV-99")
