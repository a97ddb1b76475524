"""1-D convolution as a slide: the reversed kernel under the signal at every shift n."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

import convspec

from .style import KERNEL, RESULT, SIGNAL, stems, tidy

OFFSET = 0.14  # horizontal offset that keeps a's and b's stems apart where both are present


def convolution_terms(
    a: Sequence[float], b: Sequence[float], n: int
) -> list[tuple[int, float, float]]:
    """``(m, a[m], b[n - m])`` for every m where both factors lie inside their boxes (NOT-3)."""
    return [(m, a[m], b[n - m]) for m in range(len(a)) if 0 <= n - m < len(b)]


def operands_figure(a: Sequence[float], b: Sequence[float]) -> Figure:
    """Four stem plots: a, b, b reversed, and c = a * b from the reference."""
    c = convspec.convolve_literal(a, b)
    panels = [
        ("a[m]", range(len(a)), a, SIGNAL),
        ("b[m]", range(len(b)), b, KERNEL),
        ("b[−m]: b reversed", range(-(len(b) - 1), 1), list(convspec.flip(np.asarray(b))), KERNEL),
        ("c[n] = (a ∗ b)[n]", range(len(c)), c.tolist(), RESULT),
    ]
    # Two panels a row, so that the figure stays legible at phone width.
    fig, grid = plt.subplots(2, 2, figsize=(5.6, 4.4), sharey=True, layout="constrained")
    for ax, (title, positions, values, color) in zip(grid.flat, panels, strict=True):
        stems(ax, list(positions), list(values), color)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(list(positions))
        tidy(ax)
    return fig


def shifts_figure(a: Sequence[float], b: Sequence[float], columns: int = 1) -> Figure:
    """One panel per output index n: a[m] and b[n − m] side by side, and the sum c[n].

    The reversed kernel b[n − m] starts with b[0] under a[n] and extends to the left; the
    shaded positions are those where both factors are inside their boxes, the only terms of
    the sum.  Each panel's title is the sum written out, from the reference's values.
    """
    c = convspec.convolve_literal(a, b).tolist()
    first, last = -(len(b) - 1), len(a) + len(b) - 2
    rows = -(-len(c) // columns)
    top = max(max(a), max(b)) * 1.15
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(5.6 * columns, 2.0 * rows),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for n, ax in enumerate(axes.flat):
        if n >= len(c):
            ax.set_visible(False)
            continue
        terms = convolution_terms(a, b, n)
        for m, _, _ in terms:
            ax.axvspan(m - 0.4, m + 0.4, color=RESULT, alpha=0.12, linewidth=0)
        stems(ax, [m - OFFSET for m in range(len(a))], a, SIGNAL)
        kernel_positions = [n - j for j in range(len(b))]
        stems(ax, [m + OFFSET for m in kernel_positions], b, KERNEL)
        sum_text = " + ".join(f"{x:g}·{y:g}" for _, x, y in terms)
        ax.set_title(f"n = {n}:  c[{n}] = {sum_text} = {c[n]:g}", fontsize=9, loc="left")
        ax.set_xlim(first - 0.6, last + 0.6)
        ax.set_ylim(0, top)
        ax.set_xticks(range(first, last + 1))
        ax.tick_params(labelsize=8)
        tidy(ax)
    for ax in axes[-1]:
        ax.set_xlabel("m", fontsize=9)
    handles = [
        plt.Line2D([], [], color=SIGNAL, marker="o", linestyle="-", label="a[m]"),
        plt.Line2D([], [], color=KERNEL, marker="o", linestyle="-", label="b[n − m]"),
        plt.Rectangle((0, 0), 1, 1, color=RESULT, alpha=0.25, label="terms of the sum"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    fig.get_layout_engine().set(h_pad=0.06)  # type: ignore[union-attr]
    return fig
