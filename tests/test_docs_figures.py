"""The site's figures: each plot has its own output file, made by its own code.

matplotlib's plot directive numbers unnamed plots per parsed document, and every MyST
``{eval-rst}`` block is a document of its own, so two unnamed plots on one page both became
``<page>-1.png`` and one page showed the other's picture.  The static test requires a
``:filename-prefix:`` on every plot, unique over the site (all plots share ``_images/``), and
one name per plotting call.  The build test builds the site and checks, page by page, that
each plot's image is the file named after it, that no two images on a page share a file or
its bytes, and that each has a 2x version in its ``srcset``.

The 'same'-split figure is drawn from the stored survey reports: its data must hold every
stored operation that has a 'same', in the window the spec names for its declaration, and
drawing it must import none of the bundled libraries.

Skips the build when Sphinx or myst-parser is absent.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SURVEY_REPORTS = sorted((ROOT / "docs" / "data" / "survey").glob("*.json"))
PLOT = re.compile(r"^\.\. plot::\n((?:[ \t]+.*\n|\n)*)", re.MULTILINE)
PREFIX = re.compile(r"^\s+:filename-prefix:\s*(\S+)\s*$", re.MULTILINE)


def pages() -> list[Path]:
    return sorted(
        p
        for folder in ("docs", "spec")
        for p in (ROOT / folder).rglob("*.md")
        if "_build" not in p.parts and p.name != "README.md"
    )


def plots(page: Path) -> list[tuple[str | None, str]]:
    """(filename prefix or None, code) of each plot directive of a page, in order."""
    found = []
    for match in PLOT.finditer(page.read_text(encoding="utf-8")):
        body = match.group(1)
        prefix = PREFIX.search(body)
        # The options (":name: value" and their indented continuations) end at the first
        # blank line; the code follows.
        _options, _, code_part = body.partition("\n\n")
        code = "\n".join(line.strip() for line in code_part.splitlines() if line.strip())
        found.append((prefix.group(1) if prefix else None, code))
    return found


def all_plots() -> list[tuple[Path, str | None, str]]:
    return [(page, prefix, code) for page in pages() for prefix, code in plots(page)]


def test_every_plot_is_named_uniquely() -> None:
    found = all_plots()
    assert found, "no plot directives found"
    unnamed = [str(page.relative_to(ROOT)) for page, prefix, _ in found if prefix is None]
    assert not unnamed, f"plots without :filename-prefix: on {unnamed}"
    names = [prefix for _, prefix, _ in found]
    assert len(names) == len(set(names)), f"a filename prefix is used twice: {sorted(names)}"


def test_no_page_draws_one_figure_twice() -> None:
    """Two plots of one page with the same code would show one picture twice."""
    for page in pages():
        codes = [code for _, code in plots(page)]
        assert len(codes) == len(set(codes)), f"{page.relative_to(ROOT)} repeats a plot"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The whole site's extensions: the docs extra (pip install -e ".[docs]").
    for module in (
        "sphinx", "myst_parser", "furo", "matplotlib", "sphinxcontrib.katex", "sphinxarg",
        "sphinxcontrib.programoutput",
    ):  # fmt: skip
        pytest.importorskip(module, reason=f"{module} is not installed (the docs extra)")
    out = tmp_path_factory.mktemp("site") / "html"
    env = dict(os.environ)
    # sphinxcontrib-programoutput runs the convspec command: the one next to this Python.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", "docs", ".", str(out)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return out


IMG = re.compile(r"<img\b[^>]*>")


def images(html: str) -> list[tuple[str, str]]:
    """(src, srcset) of each image of a built page that lives in _images/."""
    found = []
    for tag in IMG.findall(html):
        src = re.search(r'src="([^"]+)"', tag)
        if src and "_images/" in src.group(1):
            srcset = re.search(r'srcset="([^"]+)"', tag)
            found.append((src.group(1), srcset.group(1) if srcset else ""))
    return found


@pytest.mark.parametrize(
    "page",
    sorted({page for page, _, _ in all_plots()}),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_built_page_shows_its_own_figures(site: Path, page: Path) -> None:
    html_file = site / page.relative_to(ROOT).with_suffix(".html")
    html = html_file.read_text(encoding="utf-8")
    shown = images(html)
    plot_sources = [src for src, _ in shown if re.search(r"_images/[^/]+\.png$", src)]
    expected = [f"{prefix}.png" for prefix, _ in plots(page)]
    # figmpl (which writes the srcset) prefixes the page's path: docs-tutorial-by-hand-NAME.png
    plotted = [src.rsplit("/", 1)[-1] for src in plot_sources]
    matched = [e for name in plotted for e in expected if name == e or name.endswith("-" + e)]
    assert matched == expected, f"images {plotted}, expected one per plot: {expected}"
    assert len(plot_sources) == len(set(plot_sources)), f"an image shown twice: {plot_sources}"
    digests = {}
    for src in plot_sources:
        data = (html_file.parent / src).resolve().read_bytes()
        digests.setdefault(hashlib.sha256(data).hexdigest(), []).append(src)
    same = [names for names in digests.values() if len(names) > 1]
    assert not same, f"images with identical bytes: {same}"
    for src, srcset in shown:
        name = src.rsplit("/", 1)[-1]
        if any(name == e or name.endswith("-" + e) for e in expected):
            assert re.search(r"\s2(\.0+)?x$", srcset), f"{src} has no 2x version: {srcset!r}"
            hires = srcset.split(",")[-1].split()[0]
            assert (html_file.parent / hires).resolve().is_file()


# ------------------------------------------------- the 'same'-split figure's data


def plot_module(name: str) -> object:
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        return importlib.import_module(f"_plots.{name}")
    finally:
        sys.path.remove(str(ROOT / "docs"))


def declared_same(declared: dict[str, object]) -> list[tuple[str, str]]:
    """(declared value, the spec's name of its window) for each 'same' an operation declares.

    A layer's ``same`` and ``same-upper`` paddings put the odd padding element at the end,
    which for its correlation is the upper window (MODE-5); ``same-lower`` is the lower one.
    """
    if declared["kind"] == "transposed layer":
        return []
    if "data_layout" in declared:
        names = [p for p in declared["padding"] if str(p).startswith("same")]  # type: ignore[attr-defined]
        return [(name, "lower" if name == "same-lower" else "upper") for name in names]
    alignment = str(declared["same_alignment"])
    return [(alignment, alignment)] if "same" in declared["modes"] else []  # type: ignore[operator]


#: Where each declared 'same' starts for N = 5, K = 4: (K - 1) // 2 = 1 or K // 2 = 2; numpy's
#: alignments (MODE-7) start at (min(N, K) - 1) // 2 = 1 and (K - 1) // 2 = 1 for K <= N.
START_FOR_N5_K4 = {"lower": 1, "upper": 2, "numpy-convolve": 1, "numpy-correlate": 1}


@pytest.mark.parametrize("path", SURVEY_REPORTS, ids=lambda p: p.stem)
def test_same_split_figure_holds_every_stored_same(path: Path) -> None:
    same_split = plot_module("same_split")
    report = json.loads(path.read_text(encoding="utf-8"))
    declarations = same_split.same_declarations([report], 5, 4)  # type: ignore[attr-defined]
    assert {d.backend for d in declarations} <= {report["backend"]["name"]}
    found = {(d.operation, d.value, d.window) for d in declarations}
    expected = {
        (operation, value, (START_FOR_N5_K4[name], 5))
        for operation, declared in report["backend"]["operations"].items()
        for value, name in declared_same(declared)
    }
    assert found == expected
    drawn = same_split.functions_by_window(declarations)  # type: ignore[attr-defined]
    for declaration in declarations:
        if not declaration.shifted:
            labels = drawn[declaration.window][declaration.library]
            assert declaration.label in labels, f"{declaration} is not in the figure"


def test_same_split_figure_covers_torch_and_jax() -> None:
    same_split = plot_module("same_split")
    reports = same_split.stored_reports()  # type: ignore[attr-defined]
    drawn = same_split.functions_by_window(same_split.same_declarations(reports))  # type: ignore[attr-defined]
    libraries = {library for by_library in drawn.values() for library in by_library}
    assert {"torch", "jax", "numpy", "scipy", "tensorflow"} <= libraries


def test_same_split_figure_calls_no_library() -> None:
    """Drawing the figure reads the stored reports; it imports no bundled library."""
    pytest.importorskip("matplotlib")
    code = (
        "import sys, matplotlib; matplotlib.use('Agg'); sys.path.insert(0, 'docs');"
        "from _plots.same_split import split_figure; split_figure();"
        "print(' '.join(sorted(m for m in ('torch', 'jax', 'tensorflow', 'scipy', 'cv2',"
        " 'onnx', 'onnxruntime', 'astropy') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# ------------------------------------------------- plots redrawn when their files change


def plot_data_extension() -> Any:
    pytest.importorskip("sphinx")
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        return importlib.import_module("plot_data")
    finally:
        sys.path.remove(str(ROOT / "docs" / "_ext"))


def test_a_plot_is_redrawn_when_a_file_it_reads_changes(tmp_path: Path) -> None:
    plot_data = plot_data_extension()
    source = tmp_path / "source"
    (source / "data").mkdir(parents=True)
    report = source / "data" / "one.json"
    report.write_text("{}")
    # The plot directive draws beside the doctree folder, in a folder per page's directory.
    drawn = tmp_path / "html" / "plot_directive" / "explanation"
    drawn.mkdir(parents=True)
    ours = ["split.png", "split.2x.png", "split_00.png"]
    others = ["split-other.png", "splitting.png"]  # other plots, whose names start alike
    app = SimpleNamespace(
        config=SimpleNamespace(plot_data_files={"split": ("explanation/page", ["data/*.json"])}),
        doctreedir=str(tmp_path / "html" / ".doctrees"),
        srcdir=str(source),
    )
    env = SimpleNamespace(found_docs={"explanation/page", "index"})

    def build() -> tuple[list[str], list[str]]:
        """The pages read again, and the images left: after drawing any that were missing."""
        for name in ours + others:
            (drawn / name).touch()
        pages = plot_data.stale_plot_pages(app, env, set(), set(), set())
        return pages, sorted(path.name for path in drawn.iterdir())

    assert build() == (["explanation/page"], sorted(others))  # no build has seen its files
    assert build() == ([], sorted(ours + others))  # nothing changed
    report.write_text('{"changed": 1}')
    assert build() == (["explanation/page"], sorted(others))
    os.utime(report, ns=(report.stat().st_atime_ns, report.stat().st_mtime_ns + 10**9))
    assert build()[0] == ["explanation/page"]  # touched, same size
    (source / "data" / "two.json").write_text("{}")
    assert build()[0] == ["explanation/page"]  # a file added
    report.unlink()
    assert build()[0] == ["explanation/page"]  # a file removed
    assert build()[0] == []


def test_a_plot_of_no_page_or_no_file_is_refused(tmp_path: Path) -> None:
    plot_data = plot_data_extension()
    from sphinx.errors import ConfigError

    (tmp_path / "data").mkdir()
    env = SimpleNamespace(found_docs={"index"})
    for entry, message in (
        (("missing/page", ["data/*.json"]), "no page 'missing/page'"),
        (("index", ["data/*.json"]), r"no file matches \['data/\*\.json'\]"),
    ):
        app = SimpleNamespace(
            config=SimpleNamespace(plot_data_files={"split": entry}),
            doctreedir=str(tmp_path / ".doctrees"),
            srcdir=str(tmp_path),
        )
        with pytest.raises(ConfigError, match=rf"plot_data_files\['split'\]: {message}"):
            plot_data.stale_plot_pages(app, env, set(), set(), set())


def test_the_same_split_figure_is_redrawn_when_a_stored_report_changes() -> None:
    """conf.py names every file the figure reads, and the page that holds it."""
    pytest.importorskip("sphinxcontrib.katex")
    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    assert "plot_data" in conf["extensions"]
    page, patterns = conf["plot_data_files"]["same-split-windows"]
    assert any(prefix == "same-split-windows" for prefix, _ in plots(ROOT / f"{page}.md"))
    plot_data = plot_data_extension()
    watched = {name for name, _, _ in plot_data.data_signature(ROOT, patterns)}
    reports = {path.relative_to(ROOT).as_posix() for path in SURVEY_REPORTS}
    assert reports | {"docs/data/library-links.json", "docs/_plots/same_split.py"} <= watched
