"""Convolution and correlation side by side on asymmetric kernels (CONV-4, CORR-5).

An impulse as the first operand makes each operation print the kernel it uses: convolution
writes the kernel as it is, correlation writes it reversed (in 2-D: turned by a half turn).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

import convspec

from .style import KERNEL, RESULT, SIGNAL, heatmap, stems, tidy

KERNEL_1D = np.array([3.0, 2.0, 1.0])
KERNEL_2D = np.array([[1, 2, 0], [0, 3, 0], [0, 4, 5]])


def impulse(shape: tuple[int, ...], at: tuple[int, ...]) -> np.ndarray:
    x = np.zeros(shape, dtype=int)
    x[at] = 1
    return x


def side_by_side_figure() -> Figure:
    """Row 1: 1-D impulse response; row 2: 2-D impulse response; conv vs corr in each."""
    a1 = impulse((7,), (3,))
    a2 = impulse((5, 5), (2, 2))
    conv1, corr1 = (f(a1, KERNEL_1D, mode="same") for f in (convspec.convolve, convspec.correlate))
    conv2, corr2 = (f(a2, KERNEL_2D, mode="same") for f in (convspec.convolve, convspec.correlate))

    # Two panels a row (1-D on top, 2-D below), so that the figure stays legible at phone width.
    fig, grid = plt.subplots(4, 2, figsize=(5.6, 9.6), layout="constrained")
    axes = np.array([list(grid[0:2].flat), list(grid[2:4].flat)], dtype=object)
    stems(axes[0, 0], list(range(len(a1))), a1.tolist(), SIGNAL)
    axes[0, 0].set_title("a: an impulse", fontsize=10, color=SIGNAL)
    stems(axes[0, 1], list(range(len(KERNEL_1D))), KERNEL_1D.tolist(), KERNEL)
    axes[0, 1].set_title(
        "kernel v = " + str(KERNEL_1D.astype(int).tolist()), fontsize=10, color=KERNEL
    )
    for ax, values, name in ((axes[0, 2], conv1, "convolve"), (axes[0, 3], corr1, "correlate")):
        stems(ax, list(range(len(values))), values.tolist(), RESULT)
        ax.set_title(
            f"{name}(a, v, 'same')\n= {values.astype(int).tolist()}", fontsize=9, color=RESULT
        )
    for ax in axes[0]:
        ax.set_ylim(0, 3.5)
        ax.set_xticks(range(0, 7, 2) if ax is not axes[0, 1] else range(3))
        tidy(ax)
    heatmap(axes[1, 0], a2, "a: an impulse", SIGNAL, "Blues")
    heatmap(axes[1, 1], KERNEL_2D, "kernel v", KERNEL, "Oranges")
    heatmap(axes[1, 2], conv2, "convolve: v as it is", RESULT, "Greens")
    heatmap(axes[1, 3], corr2, "correlate: v turned 180°", RESULT, "Greens")
    return fig
