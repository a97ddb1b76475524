"""The site's figures: each plot has its own output file, made by its own code.

matplotlib's plot directive numbers unnamed plots per parsed document, and every MyST
``{eval-rst}`` block is a document of its own, so two unnamed plots on one page both became
``<page>-1.png`` and one page showed the other's picture.  The static test requires a
``:filename-prefix:`` on every plot, unique over the site (all plots share ``_images/``), and
one name per plotting call.  The build test builds the site and checks, page by page, that
each plot's image is the file named after it, that no two images on a page share a file or
its bytes, and that each has a 2x version in its ``srcset``.

Skips the build when Sphinx or myst-parser is absent.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
