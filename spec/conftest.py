"""Run every code block of the spec's MyST pages under pytest, with sybil, and count them.

Each page declares how many Python examples it has, in a comment near its top::

    % examples: 7

An example is a fenced ```` ```python ```` block or a hidden ``% invisible-code-block: python``.
The guard below makes the run fail when a page executes a different number of examples than it
declares, or when its source holds a Python fence that sybil does not collect (a fence such as
```` ```python title="x" ```` is silently skipped by sybil's parser; ``count_python_fences``
finds it by a plain regular expression over the raw text).  A block that is skipped with
``% skip: next`` is not executed and so counts as missing.

The guard is enforced for every page the run covers in full: a page named on the command line,
or lying under a directory named there (``python -m pytest`` covers ``spec/`` through
``testpaths``).  Runs that select examples (``-k``, ``-m``, ``--deselect``, ``--lf``, a node id
such as ``page.md::line:12,column:1``) and runs that stop early are partial and not enforced.
Every run that reaches the spec prints a line such as ``spec examples: 57 run across 8 pages``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers.myst import ClearNamespaceParser, PythonCodeBlockParser, SkipParser

SPEC_DIR = Path(__file__).resolve().parent

#: ``% examples: N`` on a line of its own.
DECLARATION = re.compile(r"^%\s*examples:\s*(\d+)\s*$", re.MULTILINE)
#: An opening fence whose info string mentions python: ```python, ```python title=...,
#: ```{code-block} python, ~~~python ...
PYTHON_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})[^\n`]*python", re.MULTILINE)
#: A hidden block, ``% invisible-code-block: python``.
INVISIBLE_BLOCK = re.compile(r"^%\s*invisible-code(-block)?:\s*python\s*$", re.MULTILINE)

#: The user property a sybil report carries when its Python example was executed.
EXECUTED = "spec_example_executed"


def declared_examples(text: str) -> int | None:
    """The page's ``% examples: N`` declaration, or None when it has none."""
    found = DECLARATION.findall(text)
    if len(found) > 1:
        raise ValueError(f"more than one '% examples:' declaration: {found}")
    return int(found[0]) if found else None


def count_python_fences(text: str) -> int:
    """Python blocks in the raw text, found without sybil: fences and hidden blocks."""
    return len(PYTHON_FENCE.findall(text)) + len(INVISIBLE_BLOCK.findall(text))


# --- recording which examples were executed -------------------------------------------------

_executed: set[tuple[str, int]] = set()


class RecordingPythonCodeBlockParser(PythonCodeBlockParser):
    """sybil's MyST Python parser, with each region's evaluator wrapped to record its run."""

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in super().__call__(document):
            region.evaluator = _recording(region.evaluator)
            yield region


def _recording(evaluate: Callable[[Example], str | None]) -> Callable[[Example], str | None]:
    def evaluate_and_record(example: Example) -> str | None:
        _executed.add((str(example.path), example.line))
        return evaluate(example)

    return evaluate_and_record


pytest_collect_file = Sybil(
    parsers=[RecordingPythonCodeBlockParser(), SkipParser(), ClearNamespaceParser()],
    patterns=["*.md"],
).pytest()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Mark the report of an executed example (user properties travel to xdist's controller)."""
    report = yield
    example = getattr(item, "example", None)
    ran = example is not None and (str(example.path), example.line) in _executed
    if call.when == "call" and ran:
        report.user_properties.append((EXECUTED, Path(example.path).name))
    return report


# --- the guard ------------------------------------------------------------------------------


@dataclass
class PageCount:
    """What one page declares, holds and ran."""

    name: str
    declared: int | None
    fences: int
    executed: int

    def problems(self) -> list[str]:
        found = []
        if self.declared is None:
            found.append("declares no '% examples: N'")
        elif self.executed != self.declared:
            found.append(f"ran {self.executed} examples but declares {self.declared}")
        if self.fences != self.executed:
            found.append(
                f"has {self.fences} python blocks in its source but {self.executed} ran "
                "(a fence sybil ignores, or a skipped block)"
            )
        return found


_executed_per_page: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, page in report.user_properties:
        if name == EXECUTED:
            _executed_per_page[page] += 1


def _selects_examples(config: pytest.Config) -> bool:
    """Whether options narrow the run below whole files."""
    option = config.option
    return bool(
        getattr(option, "keyword", "")
        or getattr(option, "markexpr", "")
        or getattr(option, "deselect", None)
        or getattr(option, "lf", False)
        or getattr(option, "stepwise", False)
        or getattr(option, "collectonly", False)
    )


def _pages_in_full(config: pytest.Config) -> list[Path]:
    """The spec pages this run covers in full: named, or under a named directory."""
    source_dir = (
        config.rootpath
        if config.args_source is pytest.Config.ArgsSource.TESTPATHS
        else config.invocation_params.dir
    )
    targets = []
    for arg in config.args:
        if "::" in arg:
            continue  # a node id: part of a file
        targets.append((source_dir / arg).resolve())
    ignored = [(source_dir / p).resolve() for p in (getattr(config.option, "ignore", None) or [])]

    def covered(page: Path) -> bool:
        return any(t == page or t in page.parents for t in targets) and not any(
            i == page or i in page.parents for i in ignored
        )

    return [page for page in sorted(SPEC_DIR.glob("*.md")) if covered(page)]


def page_counts(pages: Iterable[Path], executed: Counter[str]) -> list[PageCount]:
    counts = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        counts.append(
            PageCount(
                page.name, declared_examples(text), count_python_fences(text), executed[page.name]
            )
        )
    return counts


_guard_failures: list[str] = []
_guard_note: list[str] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller counts the reports
    stopped = bool(session.shouldstop or session.shouldfail)
    if _selects_examples(session.config) or stopped:
        _guard_note.append("not checked against the declarations: a partial run")
        return
    for count in page_counts(_pages_in_full(session.config), _executed_per_page):
        _guard_failures.extend(f"{count.name}: {problem}" for problem in count.problems())
    if _guard_failures and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return
    pages = len(_executed_per_page)
    total = sum(_executed_per_page.values())
    line = f"spec examples: {total} run across {pages} page{'s' if pages != 1 else ''}"
    terminalreporter.write_sep("-", line)
    for note in _guard_note:
        terminalreporter.write_line(f"spec examples {note}")
    for failure in _guard_failures:
        terminalreporter.write_line(f"SPEC EXAMPLE GUARD FAILED: {failure}", red=True, bold=True)


# --- xdist: a page's examples share one namespace, so they must run on one worker, in order.


def _explicit_dist(argv: list[str]) -> bool:
    """Whether the command line chose an xdist distribution mode itself (``--dist``/``-d``)."""
    return any(arg == "-d" or arg.startswith("--dist") for arg in argv)


def pytest_configure(config: pytest.Config) -> None:
    """Unless ``--dist`` was given, run xdist as ``--dist loadfile``: each page on one worker.

    xdist's default ``load`` spreads single examples over workers, and a page's later blocks
    then miss the names its earlier blocks define.  (``loadgroup`` with per-page marks would
    keep test files finer-grained, but xdist 3.8 does not group under pytest 9.2.)
    Scheduling is the controller's alone, so workers need nothing.
    """
    if getattr(config.option, "dist", "no") == "load" and not _explicit_dist(
        list(config.invocation_params.args)
    ):
        config.option.dist = "loadfile"
