"""The CLI's status words (pass, fail, skip, n/a, deviation) as survey cells and badges."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from convspec.conformance.report import _word as cli_word

from .reports import Report

#: The CLI's words for a clause cell's status (the Markdown report's, without emphasis).
WORDS = {
    "pass": "pass",
    "fail": "fail",
    "skip": "skip",
    "deviation": "deviation",
    "not covered": "not covered",
    "not run": "not run",
}


#: A cell names at most this many clauses or fields (the backend's details have them all).
SHOWN_NAMES = 3


def status_class(word: str) -> str:
    return "survey-" + word.replace("/", "").replace(" ", "-")


def status_badge(word: str, text: str | None = None) -> nodes.inline:
    label = text or word
    return nodes.inline(label, label, classes=["survey-status", status_class(word)])


def cell_word(cell: dict[str, Any] | None) -> str:
    """The CLI's word for one clause x operation cell; ``n/a`` where the clause has none."""
    if cell is None:
        return "n/a"
    return cli_word({"skip_reasons": [], **cell}, WORDS)


def operation_status(report: Report, operation: str) -> tuple[str, list[str]]:
    """The worst word of one operation over all clauses, and the clauses that have it.

    ``fail`` beats ``deviation`` (the library contradicts its own documentation, as the
    backend declares) beats ``pass``; with no case run at all, ``skip`` if a clause was skipped
    for a reason, else ``n/a``.
    """
    by_word: dict[str, list[str]] = {"fail": [], "deviation": [], "skip": []}
    ran = False
    for clause in report["clauses"]:
        cell = clause["operations"].get(operation)
        if cell is None:
            continue
        ran = ran or cell["cases"] > 0
        word = cell_word(cell)
        if word in by_word:
            by_word[word].append(clause["id"])
    for word in ("fail", "deviation"):
        if by_word[word]:
            return word, by_word[word]
    if ran:
        return "pass", []
    return ("skip", by_word["skip"]) if by_word["skip"] else ("n/a", [])


def some_of(names: list[str]) -> str:
    """The first :data:`SHOWN_NAMES` of ``names``, and how many more there are."""
    more = len(names) - SHOWN_NAMES
    return ", ".join(names[:SHOWN_NAMES]) + (f" and {more} more" if more > 0 else "")
