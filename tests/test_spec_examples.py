"""The guard of spec/conftest.py: every spec page runs exactly the examples it declares.

The guard itself runs at the end of every pytest session that covers spec pages (see
spec/conftest.py).  These tests check the pages' declarations against their source, and prove
the guard has teeth: a page with a fence sybil ignores, a page declaring more examples than it
has, or a page with a skipped block makes a run fail; partial runs are not failed by it.
Those runs are separate pytest processes over a temporary directory holding a copy of the
conftest and one page.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("sybil")

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"
CONFTEST = SPEC_DIR / "conftest.py"
PAGES = sorted(SPEC_DIR.glob("*.md"))


def load_guard() -> ModuleType:
    """spec/conftest.py as a plain module, for its counting functions."""
    spec = importlib.util.spec_from_file_location("spec_example_guard", CONFTEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


guard = load_guard()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_declares_as_many_examples_as_its_source_has(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    declared = guard.declared_examples(text)
    assert declared is not None, f"{page.name} has no '% examples: N' line"
    assert declared == guard.count_python_fences(text)


def test_every_chapter_has_a_page() -> None:
    chapters = {
        "index",
        "notation",
        "convolution",
        "correlation",
        "modes",
        "ndim",
        "complex",
        "numerics",
        "errata",
    }
    assert chapters <= {p.stem for p in PAGES}


def test_fence_count_sees_fences_sybil_would_ignore() -> None:
    text = "\n".join(
        [
            "```python",
            "x = 1",
            "```",
            '```python title="t"',
            "y = 2",
            "```",
            "```{code-block} python",
            "z = 3",
            "```",
            "% invisible-code-block: python",
            "% w = 4",
            "```text",
            "not python",
            "```",
        ]
    )
    assert guard.count_python_fences(text) == 4


def test_a_page_may_declare_only_once() -> None:
    with pytest.raises(ValueError, match="more than one"):
        guard.declared_examples("% examples: 1\n\n% examples: 2\n")
    assert guard.declared_examples("no declaration") is None


# --- the guard in a real pytest run ---------------------------------------------------------

GOOD_PAGE = """\
# A page
% examples: 3

```python
x = 2
```

% invisible-code-block: python
% y = x + 1

```python
assert y == 3
```
"""

IGNORED_FENCE = """\
# A page
% examples: 2

```python
x = 2
```

```python title="sybil does not collect this"
assert x == 3
```
"""

OVERSTATED = """\
# A page
% examples: 3

```python
x = 2
```

```python
assert x == 2
```
"""

SKIPPED = """\
# A page
% examples: 2

```python
x = 2
```

% skip: next

```python
assert x == 2
```
"""


def run_spec(tmp_path: Path, page: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on a directory holding the spec conftest and ``page``."""
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "page.md").write_text(page, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:doctest"]
    # Installed plugins (hypothesis, xdist, ...) are not needed: loading none keeps this fast.
    environment = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [*command, *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_full_page_passes_and_the_run_prints_the_count(tmp_path: Path) -> None:
    result = run_spec(tmp_path, GOOD_PAGE)
    assert result.returncode == 0, result.stdout
    assert "spec examples: 3 run across 1 page" in result.stdout
    assert "GUARD FAILED" not in result.stdout


def test_a_fence_sybil_ignores_fails_the_run(tmp_path: Path) -> None:
    result = run_spec(tmp_path, IGNORED_FENCE)
    assert result.returncode == 1, result.stdout
    assert "page.md: ran 1 examples but declares 2" in result.stdout
    assert "page.md: has 2 python blocks in its source but 1 ran" in result.stdout


def test_declaring_more_examples_than_the_page_has_fails_the_run(tmp_path: Path) -> None:
    result = run_spec(tmp_path, OVERSTATED)
    assert result.returncode == 1, result.stdout
    assert "page.md: ran 2 examples but declares 3" in result.stdout


def test_a_skipped_block_counts_as_not_run(tmp_path: Path) -> None:
    result = run_spec(tmp_path, SKIPPED)
    assert result.returncode == 1, result.stdout
    assert "page.md: ran 1 examples but declares 2" in result.stdout
    assert "page.md: has 2 python blocks in its source but 1 ran" in result.stdout


def test_the_guard_also_fails_a_run_named_by_file(tmp_path: Path) -> None:
    result = run_spec(tmp_path, IGNORED_FENCE, "page.md")
    assert result.returncode == 1, result.stdout
    assert "page.md: ran 1 examples but declares 2" in result.stdout


def test_a_run_selecting_examples_is_partial_and_not_failed(tmp_path: Path) -> None:
    result = run_spec(tmp_path, IGNORED_FENCE, "-k", "line")
    assert result.returncode == 0, result.stdout
    assert "not checked against the declarations: a partial run" in result.stdout


def test_the_guard_counts_under_xdist(tmp_path: Path) -> None:
    pytest.importorskip("xdist")
    result = run_spec(tmp_path, IGNORED_FENCE, "-p", "xdist.plugin", "-n", "1")
    assert result.returncode == 1, result.stdout
    assert "page.md: ran 1 examples but declares 2" in result.stdout


def test_pages_stay_whole_on_several_xdist_workers() -> None:
    """A page's later blocks use names its earlier blocks define: xdist must not split it."""
    pytest.importorskip("xdist")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "spec"],
        cwd=SPEC_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "NameError" not in result.stdout


# --- setup code folded in <details>: hidden on the page, still executed ----------------------

#: The fold of a chapter's setup block: ``<details class="convspec-setup">`` ... ``</details>``.
SETUP_FOLD = re.compile(r'<details class="convspec-setup">(.*?)</details>', re.DOTALL)

FOLDED_SETUP_PAGE = """\
# A page
% examples: 2

<details class="convspec-setup">
<summary>Setup</summary>

```python
import fractions
```

</details>

```python
assert fractions.Fraction(1, 2) * 2 == 1
```
"""


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_folded_setup_is_one_python_block_sybil_collects(page: Path) -> None:
    """Each fold holds exactly one Python block, and sybil makes an example of it: folding
    hides the setup from the reader, never from the test run."""
    from sybil import Sybil
    from sybil.parsers.myst import PythonCodeBlockParser

    text = page.read_text(encoding="utf-8")
    folds = list(SETUP_FOLD.finditer(text))
    if not folds:
        pytest.skip(f"{page.name} folds no setup")
    document = Sybil(parsers=[PythonCodeBlockParser()]).parse(page)
    example_starts = [example.start for example in document]
    for fold in folds:
        inside = fold.group(1)
        assert guard.count_python_fences(inside) == 1, f"{page.name}: a fold holds not one block"
        assert "% skip" not in inside, f"{page.name}: the folded setup is skipped"
        collected = [start for start in example_starts if fold.start(1) <= start < fold.end(1)]
        assert len(collected) == 1, f"{page.name}: sybil collects no example in the fold"


def test_a_folded_setup_runs_before_the_blocks_that_use_it(tmp_path: Path) -> None:
    result = run_spec(tmp_path, FOLDED_SETUP_PAGE)
    assert result.returncode == 0, result.stdout
    assert "spec examples: 2 run across 1 page" in result.stdout


def test_a_skipped_folded_setup_fails_the_run(tmp_path: Path) -> None:
    skipped = FOLDED_SETUP_PAGE.replace(
        "<summary>Setup</summary>\n", "<summary>Setup</summary>\n\n% skip: next\n"
    )
    result = run_spec(tmp_path, skipped)
    assert result.returncode == 1, result.stdout
