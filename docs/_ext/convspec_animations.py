"""Animations made at build time: the 2-D slide as an animated GIF.

The GIF is written before any page is read, into ``docs/_build/generated/`` (inside the source
folder, so pages can include it as an ordinary image; ignored by git).  Its frames are drawn by
the same function as the static frames figure, from the reference implementation.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

GENERATED = Path(__file__).resolve().parents[1] / "_build" / "generated"


def write_animations(app: Sphinx) -> None:
    matplotlib.use("Agg")
    from _plots.slide_2d import write_animation

    # matplotlib logs every Animation.save at INFO level; keep the build output quiet.
    logging.getLogger("matplotlib.animation").setLevel(logging.WARNING)
    write_animation(GENERATED / "slide-2d.gif")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", write_animations)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
