"""The 2-D slide: a kernel window moving over an image, the output filling in.

The output is the reference's valid-mode correlation (the kernel laid on each patch as it is);
the example kernel equals its own half-turn, so it is the convolution as well (ND-4).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
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


def positions(image: np.ndarray, kernel: np.ndarray) -> list[tuple[int, int]]:
    """Top-left corners of the kernel window in valid mode, row by row."""
    rows, cols = (n - k + 1 for n, k in zip(image.shape, kernel.shape, strict=True))
    return [(i, j) for i in range(rows) for j in range(cols)]


def draw_grid(ax: Axes, values: np.ndarray, fill: np.ndarray, shown: np.ndarray) -> None:
    """Cells with a background colour per cell, and the value written where ``shown``."""
    ax.imshow(fill, vmin=0, vmax=1, cmap="Blues", alpha=0.55)
    for (row, col), value in np.ndenumerate(values):
        if shown[row, col]:
            ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=10)
    ax.set_xticks(np.arange(-0.5, values.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, values.shape[0]), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    no_ticks(ax)


def draw_frame(
    target: Figure | SubFigure, image: np.ndarray, kernel: np.ndarray, step: int
) -> tuple[Axes, Axes]:
    """Frame ``step``: the window on the image (left) and the output so far (right)."""
    output = convspec.correlate(image, kernel, mode="valid")
    where = positions(image, kernel)
    i, j = where[step]
    left, right = target.subplots(
        1, 2, gridspec_kw={"width_ratios": [image.shape[1], output.shape[1] + 0.6]}
    )
    draw_grid(left, image, image * 0.6, np.ones_like(image, dtype=bool))
    kh, kw = kernel.shape
    left.add_patch(
        Rectangle((j - 0.5, i - 0.5), kw, kh, fill=False, edgecolor=KERNEL, linewidth=3, zorder=5)
    )
    for (r, c), weight in np.ndenumerate(kernel):
        left.text(
            j + c + 0.3,
            i + r + 0.32,
            f"×{weight:g}",
            ha="center",
            va="center",
            fontsize=6.5,
            color=KERNEL,
            fontweight="bold",
        )
    done = np.zeros(output.shape, dtype=bool)
    for r, c in where[: step + 1]:
        done[r, c] = True
    current = np.zeros(output.shape)
    current[i, j] = 1
    draw_grid(right, output, current * 0.5, done)
    right.add_patch(
        Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=RESULT, linewidth=3, zorder=5)
    )
    patch = image[i : i + kh, j : j + kw]
    left.set_title(f"window at ({i}, {j})", fontsize=9, color=SIGNAL)
    right.set_title(f"Σ patch·kernel = {int(np.sum(patch * kernel))}", fontsize=9, color=RESULT)
    return left, right


def frames_figure(image: np.ndarray = IMAGE, kernel: np.ndarray = KERNEL_3X3) -> Figure:
    """Every window position as one frame, in a grid (row-major, like the output)."""
    where = positions(image, kernel)
    rows, cols = (n - k + 1 for n, k in zip(image.shape, kernel.shape, strict=True))
    fig = plt.figure(figsize=(3.4 * cols, 2.1 * rows), layout="constrained")
    for step, subfigure in enumerate(fig.subfigures(rows, cols).flat):
        if step < len(where):
            draw_frame(subfigure, image, kernel, step)
    return fig


def write_animation(path: Path, image: np.ndarray = IMAGE, kernel: np.ndarray = KERNEL_3X3) -> None:
    """The same frames as an animated GIF (matplotlib's PillowWriter), one second each."""
    fig = plt.figure(figsize=(4.2, 2.3), layout="constrained", dpi=100)
    steps = len(positions(image, kernel))

    def show(step: int) -> list[object]:
        fig.clear()
        draw_frame(fig, image, kernel, step)
        return []

    animation = FuncAnimation(fig, show, frames=steps, blit=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    animation.save(str(path), writer=PillowWriter(fps=1))
    plt.close(fig)
