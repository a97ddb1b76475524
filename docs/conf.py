"""Sphinx configuration of the convspec site.

Build from the repository root (the source folder is the root, this file's folder the
configuration folder), so that ``spec/`` and ``docs/`` are one site::

    sphinx-build -W --keep-going -n -b html -c docs . docs/_build/html

or ``nox -s docs``.  Math is prerendered to HTML by KaTeX at build time (node runs the
``katex.min.js`` that sphinxcontrib-katex ships) and styled by the stylesheet and fonts vendored
in ``_static/katex``, so pages read without internet access.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sphinxcontrib.katex

import convspec

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS))  # for the plotting modules in docs/_plots

project = "convspec"
author = "the convspec authors"
copyright = "2026, the convspec authors"
release = convspec.__version__
version = ".".join(release.split(".")[:2])

root_doc = "docs/index"
include_patterns = ["docs/**", "spec/**"]
exclude_patterns = [
    "docs/_build/**",
    "docs/_static/**",
    "docs/_extra/**",
    "docs/_ext/**",
    "docs/_plots/**",
    "docs/_templates/**",
    "docs/snippets/**",
    "docs/data/**",
    "**/README.md",
]

extensions = [
    "myst_parser",
    "sphinxcontrib.katex",
    "matplotlib.sphinxext.plot_directive",
    "matplotlib.sphinxext.figmpl_directive",  # the srcset (2x images) of plot_srcset
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
    "sphinxcontrib.programoutput",
    "katex_server_fix",
    "alias_refs",
    "attribute_docstrings",
    "convspec_clauses",
    "convspec_survey",
    "convspec_schema",
    "convspec_animations",
    "plot_data",
]

# -- MyST ------------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}

# -- Cross-references: every reference must resolve ------------------------------------------
nitpicky = True
nitpick_ignore: list[tuple[str, str]] = [
    # numpy's and the standard library's types: their inventories (intersphinx) would have to
    # be fetched from the internet, and this site builds offline.
    ("py:class", "numpy.ndarray"),
    ("py:class", "numpy.dtype"),
    ("py:class", "numpy.typing.ArrayLike"),
    ("py:class", "numpy.typing.DTypeLike"),
    ("py:class", "collections.abc.Callable"),
    ("py:class", "collections.abc.Mapping"),
    ("py:func", "math.fsum"),
]

# -- API reference from docstrings (numpy style) ---------------------------------------------
autodoc_member_order = "bysource"
# Signatures without annotations: the numpy-style docstrings name the types in words.  (With
# annotations, numpy's ArrayLike expands into private numpy names, and Sphinx 9 renders
# aliases inside compound annotations as "TypeAliasForwardRef".)
autodoc_typehints = "none"
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# -- Math: KaTeX, prerendered at build time, no CDN ------------------------------------------
VENDORED_KATEX = "0.16.22"
if sphinxcontrib.katex.katex_version != VENDORED_KATEX:
    raise RuntimeError(
        f"sphinxcontrib-katex renders with KaTeX {sphinxcontrib.katex.katex_version} but "
        f"docs/_static/katex holds the stylesheet and fonts of {VENDORED_KATEX}; "
        "update docs/_static/katex (see its README.md)"
    )
katex_prerender = True
katex_css_path = "katex/katex.min.css"

# -- Plots made at build time by matplotlib's plot directive ---------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 144)]
# A 2x image for high-density screens, offered through the <img> srcset.
plot_srcset = ["2x"]
plot_rcparams = {"savefig.bbox": "tight"}
plot_pre_code = "import numpy as np\nimport convspec\n"
# Plots that read files: per filename prefix, the page holding it and the files it reads
# (source-relative globs), so that a change to them redraws the plot (docs/_ext/plot_data.py).
plot_data_files = {
    "same-split-windows": (
        "docs/explanation/same-split",
        ["docs/data/survey/*.json", "docs/data/library-links.json", "docs/_plots/same_split.py"],
    ),
}

# -- HTML ------------------------------------------------------------------------------------
html_theme = "furo"
highlight_language = "text"  # blocks without a language (argparse usage) are not Python
html_title = f"convspec {release}"
html_static_path = ["_static"]
html_extra_path = ["_extra"]  # index.html at the site root: a redirect to docs/index.html
html_css_files = ["convspec.css", "convspec-tables.css"]
html_copy_source = False
html_show_sourcelink = False
