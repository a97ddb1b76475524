"""The 2-D slide: a kernel window moving over an image, the output filling in.

The output is the reference's valid-mode correlation (the kernel laid on each patch as it is);
the example kernel equals its own half-turn, so it is the convolution as well (ND-4).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convspec

from .style import KERNEL, RESULT, SIGNAL, no_ticks

IMAGE = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0],
    ]
)
KERNEL_3X3 = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


def draw_grid(ax: Axes, values: np.ndarray, fill: np.ndarray, shown: np.ndarray) -> None:
    """Cells with a background colour per cell, and the value written where ``shown``."""
    rows, cols = values.shape
    # One mesh for all cells (white edges draw the grid): far cheaper than ticks and gridlines.
    ax.pcolormesh(
        np.arange(cols + 1) - 0.5,
        np.arange(rows + 1) - 0.5,
        fill,
        vmin=0,
        vmax=1,
        cmap="Blues",
        alpha=0.55,
        edgecolors="white",
        linewidth=1.5,
    )
    for (row, col), value in np.ndenumerate(values):
        if shown[row, col]:
            ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=10)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    no_ticks(ax)


def valid_output(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The slide's output; its index (i, j) is also the window's top-left corner on the image."""
    return convspec.correlate(image, kernel, mode="valid")


def draw_frame(
    left: Axes, right: Axes, image: np.ndarray, kernel: np.ndarray, output: np.ndarray, step: int
) -> None:
    """Frame ``step``: the window on the image (left axes) and the output so far (right).

    The window visits the output's positions row by row; ``output`` is ``valid_output``.
    """
    i, j = np.unravel_index(step, output.shape)
    draw_grid(left, image, image * 0.6, np.ones_like(image, dtype=bool))
    kh, kw = kernel.shape
    left.add_patch(
        Rectangle((j - 0.5, i - 0.5), kw, kh, fill=False, edgecolor=KERNEL, linewidth=3, zorder=5)
    )
    for (r, c), weight in np.ndenumerate(kernel):
        left.text(
            j + c + 0.18,  # inside the cell, clear of the frame in the right-hand column
            i + r + 0.32,
            f"×{weight:g}",
            ha="center",
            va="center",
            fontsize=6.5,
            color=KERNEL,
            fontweight="bold",
            zorder=6,  # over the window's frame
        )
    done = np.arange(output.size).reshape(output.shape) <= step
    current = np.zeros(output.shape)
    current[i, j] = 1
    draw_grid(right, output, current * 0.5, done)
    right.add_patch(
        Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=RESULT, linewidth=3, zorder=5)
    )
    left.set_title(f"window at ({i}, {j})", fontsize=9, color=SIGNAL)
    right.set_title(f"Σ patch·kernel = {output[i, j]:g}", fontsize=9, color=RESULT)


def frames_figure(
    image: np.ndarray = IMAGE, kernel: np.ndarray = KERNEL_3X3, frames_per_row: int = 2
) -> Figure:
    """Every window position as one frame, in the order the window visits them (row-major).

    Two frames a row by default, so that the numbers stay legible at phone width.
    """
    output = valid_output(image, kernel)
    rows = -(-output.size // frames_per_row)
    ratios = [image.shape[1], output.shape[1] + 0.6] * frames_per_row
    fig, axes = plt.subplots(
        rows,
        2 * frames_per_row,
        figsize=(2.8 * frames_per_row, 1.75 * rows),
        gridspec_kw={"width_ratios": ratios, "wspace": 0.15, "hspace": 0.35},
        squeeze=False,
    )
    fig.subplots_adjust(left=0.01, right=0.99, top=0.96, bottom=0.01)
    for index, ax in enumerate(axes.flat):
        step = index // 2
        if step >= output.size:
            ax.set_visible(False)
    for step in range(output.size):
        row, col = divmod(step, frames_per_row)
        draw_frame(axes[row, 2 * col], axes[row, 2 * col + 1], image, kernel, output, step)
    return fig


def write_animation(path: Path, image: np.ndarray = IMAGE, kernel: np.ndarray = KERNEL_3X3) -> None:
    """The same frames as an animated GIF (matplotlib's PillowWriter), one second each."""
    output = valid_output(image, kernel)
    cols = output.shape[1]
    fig, (left, right) = plt.subplots(
        1,
        2,
        figsize=(4.2, 2.3),
        dpi=100,
        gridspec_kw={"width_ratios": [image.shape[1], cols + 0.6]},
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.02, wspace=0.15)

    def show(step: int) -> list[Artist]:
        left.clear()
        right.clear()
        draw_frame(left, right, image, kernel, output, step)
        return []

    animation = FuncAnimation(fig, show, frames=output.size, blit=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    animation.save(str(path), writer=PillowWriter(fps=1))
    plt.close(fig)
