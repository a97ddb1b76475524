"""Colours and small drawing helpers shared by the site's figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

SIGNAL = "#3b6fb6"  # the first operand a (blue)
KERNEL = "#d9822b"  # the kernel v, flipped or not (orange)
RESULT = "#2e8b57"  # the output (green)
MUTED = "#9aa3ad"  # axes, zero lines, positions outside a box


def stems(
    ax: Axes, positions: Sequence[int], values: Sequence[float], color: str, **kw: object
) -> None:
    """A stem plot in one colour with a light base line."""
    markers, lines, base = ax.stem(positions, values, basefmt=" ", **kw)  # type: ignore[arg-type]
    markers.set_color(color)
    lines.set_color(color)
    base.set_visible(False)
    ax.axhline(0, color=MUTED, linewidth=0.8, zorder=0)


def tidy(ax: Axes) -> None:
    """Remove the top and right spines, which carry no information."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def annotate_cells(
    ax: Axes, values: np.ndarray, *, fmt: str = "{:g}", color: str = "black"
) -> None:
    """Write each value of a 2-D array in the centre of its cell of an ``imshow``."""
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, fmt.format(value), ha="center", va="center", color=color, fontsize=9)


def no_ticks(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def heatmap(ax: Axes, values: np.ndarray, title: str, color: str, cmap: str) -> None:
    """A 2-D array as light cells with its values written in, titled in ``color``."""
    ax.imshow(values, cmap=cmap, vmin=0, vmax=max(1, values.max()) * 1.6)
    annotate_cells(ax, values)
    ax.set_title(title, fontsize=10, color=color)
    no_ticks(ax)
