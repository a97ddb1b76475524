"""The flip of a 2-D kernel is a half turn, and convolution is correlation with it (ND-1..3).

An asymmetric kernel (every entry different) shows that ``convspec.flip`` turns it by 180°:
its top-left entry ends bottom-right.  Convolving an image with the kernel and correlating it
with the turned kernel are computed separately by convspec and drawn side by side.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convspec
from convspec.notation import Mode

from .style import KERNEL, RESULT, SIGNAL, heatmap

KERNEL_2X3 = np.array([[1, 2, 3], [4, 5, 6]])
IMAGE = np.array([[1, 0, 2, 1], [0, 3, 1, 0], [2, 1, 0, 1], [1, 0, 1, 2]])
MODE: Mode = "valid"


def mark_cell(ax: Axes, row: int, col: int) -> None:
    """A thick frame around one cell of an ``imshow``."""
    ax.add_patch(
        Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=KERNEL, linewidth=2.5)
    )


def half_turn_figure() -> Figure:
    """Kernel and its flip on top, the image in the middle, the two results below."""
    turned = convspec.flip(KERNEL_2X3)
    convolved = convspec.convolve(IMAGE, KERNEL_2X3, MODE)
    correlated = convspec.correlate(IMAGE, turned, MODE)
    relation = "=" if np.array_equal(convolved, correlated) else "≠"

    fig, axes = plt.subplot_mosaic(
        [["kernel", "turned"], ["image", "image"], ["convolved", "correlated"]],
        figsize=(5.6, 6.4),
        height_ratios=[2, 3, 3],
        layout="constrained",
    )
    heatmap(axes["kernel"], KERNEL_2X3, "kernel v", KERNEL, "Oranges")
    heatmap(axes["turned"], turned, "flip(v): v turned by 180°", KERNEL, "Oranges")
    rows, cols = KERNEL_2X3.shape
    mark_cell(axes["kernel"], 0, 0)
    mark_cell(axes["turned"], rows - 1, cols - 1)
    heatmap(axes["image"], IMAGE, "image a", SIGNAL, "Blues")
    heatmap(axes["convolved"], convolved, f"convolve(a, v, '{MODE}')", RESULT, "Greens")
    heatmap(axes["correlated"], correlated, f"correlate(a, flip(v), '{MODE}')", RESULT, "Greens")
    fig.suptitle(
        f"convolve(a, v) {relation} correlate(a, flip(v)); the framed 1 moved to the far corner",
        fontsize=10,
    )
    return fig
