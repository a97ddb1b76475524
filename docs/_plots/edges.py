"""A hand-designed kernel (Sobel) under convolution and under correlation.

A Sobel kernel is antisymmetric along one axis, so flipping it negates it: the same printed
kernel gives edge responses of opposite sign under the two operations.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

import convspec

from .style import KERNEL, RESULT, SIGNAL, annotate_cells, no_ticks

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def ramp_image(size: int = 6) -> np.ndarray:
    """Dark on the left, bright on the right: one vertical edge in the middle."""
    image = np.zeros((size, size), dtype=int)
    image[:, size // 2 :] = 1
    return image


def sobel_figure() -> Figure:
    image = ramp_image()
    correlated = convspec.correlate(image, SOBEL_X, mode="valid")
    convolved = convspec.convolve(image, SOBEL_X, mode="valid")
    limit = int(np.abs(np.concatenate([correlated.ravel(), convolved.ravel()])).max())
    norm = TwoSlopeNorm(vcenter=0, vmin=-2 * limit, vmax=2 * limit)  # muted: text stays legible

    # Two panels a row, so that the figure stays legible at phone width.
    fig, grid = plt.subplots(2, 2, figsize=(5.6, 5.6), layout="constrained")
    axes = list(grid.flat)
    axes[0].imshow(image, cmap="Greys", vmin=0, vmax=3)
    annotate_cells(axes[0], image)
    axes[0].set_title("image: an edge", fontsize=10, color=SIGNAL)
    axes[1].imshow(SOBEL_X, cmap="PuOr_r", norm=TwoSlopeNorm(vcenter=0, vmin=-5, vmax=5))
    annotate_cells(axes[1], SOBEL_X)
    axes[1].set_title("Sobel x kernel, as printed", fontsize=10, color=KERNEL)
    for ax, values, name in (
        (axes[2], correlated, "correlate (deep learning)"),
        (axes[3], convolved, "convolve (flipped)"),
    ):
        ax.imshow(values, cmap="RdBu_r", norm=norm)
        annotate_cells(ax, values)
        ax.set_title(name, fontsize=10, color=RESULT)
    for ax in axes:
        no_ticks(ax)
    return fig
