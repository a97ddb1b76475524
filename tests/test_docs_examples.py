"""Every Python example on the site's own pages (docs/**/*.md) runs and prints what it shows.

The tutorial and guides show interactive sessions (``>>>`` lines with their output); sybil
runs them as doctests, so a page cannot show a result the code does not give.  Pages whose
Python blocks are copy-paste templates for other projects (the nox sessions of the CI guide)
are listed in ``TEMPLATES`` and only compiled, not run.  Skips when sybil is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("sybil", reason="sybil is not installed")

from port_frameworks import write_howto_kernels
from sybil import Sybil
from sybil.parsers.myst import PythonCodeBlockParser

DOCS = Path(__file__).resolve().parents[1] / "docs"
SKIPPED_FOLDERS = {"_build", "_static", "_extra", "_ext", "_plots", "snippets", "data", "examples"}
TEMPLATES = {"how-to/nox-and-ci.md"}
PYTHON_FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

PAGES = sorted(
    path.relative_to(DOCS).as_posix()
    for path in DOCS.rglob("*.md")
    if not SKIPPED_FOLDERS & set(path.relative_to(DOCS).parts[:-1]) and path.name != "README.md"
)


def read(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def expected_examples(block: str) -> int:
    """A doctest block is one example per ``>>>`` statement; any other block is one example."""
    prompts = sum(line.startswith(">>> ") for line in block.splitlines())
    return prompts or 1


#: Files a page's examples read from the working folder, and what writes them.
PAGE_FILES = {"how-to/port-weights.md": write_howto_kernels}


@pytest.mark.parametrize("page", sorted(set(PAGES) - TEMPLATES))
def test_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    if page in PAGE_FILES:
        PAGE_FILES[page](tmp_path)
    document = Sybil(parsers=[PythonCodeBlockParser()]).parse(DOCS / page)
    examples = list(document)
    expected = sum(expected_examples(block) for block in PYTHON_FENCE.findall(read(page)))
    assert len(examples) == expected, f"{page}: sybil collected {len(examples)} of {expected}"
    for example in examples:
        example.evaluate()


@pytest.mark.parametrize("page", sorted(TEMPLATES))
def test_templates_compile(page: str) -> None:
    blocks = PYTHON_FENCE.findall(read(page))
    assert blocks, f"{page} has no Python template"
    for block in blocks:
        compile(block, page, "exec")
