"""The windows of the output modes inside the full output (spec/modes.md, MODE-1..5).

Every window is ``convspec.mode_window(N, K, mode)``: a start and a length within the
``N + K - 1`` elements of the full output.  One panel for an odd kernel and one for an even
one, so that the only disagreement (where 'same' puts an even kernel's extra element) shows.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convspec
from convspec.modes import SameAlignment
from convspec.notation import Mode

from .style import KERNEL, MUTED, RESULT, SIGNAL

N = 6
KERNEL_LENGTHS = (3, 4)  # odd, even
#: (label, clause, mode, alignment, colour): the rows of a panel, top to bottom.
ROWS: tuple[tuple[str, str, Mode, SameAlignment, str], ...] = (
    ("full", "MODE-2", "full", "lower", MUTED),
    ("valid", "MODE-3", "valid", "lower", RESULT),
    ("same", "MODE-4, canonical", "same", "lower", SIGNAL),
    ("same, upper", "MODE-5, a variant", "same", "upper", KERNEL),
)
LABEL_WIDTH = 3.2  # cells left of the full output, for the row labels
NOTE_WIDTH = 3.6  # cells right of it, for (s, L)


def windows(n: int, k: int) -> list[tuple[str, str, tuple[int, int], str]]:
    """(label, clause, (start, length), colour) of each row, from ``convspec.mode_window``."""
    return [
        (label, clause, convspec.mode_window(n, k, mode, alignment=alignment), colour)
        for label, clause, mode, alignment, colour in ROWS
    ]


def draw_windows(ax: Axes, n: int, k: int, width: int) -> None:
    """One row per window: the full output's indices that the window keeps, filled.

    ``width`` is the number of cells the axes make room for (the longest full output of the
    figure), so that every panel draws its cells at one size.
    """
    full_length = n + k - 1
    rows = windows(n, k)
    for row, (label, clause, (start, length), colour) in enumerate(rows):
        y = len(rows) - 1 - row
        for index in range(full_length):
            kept = start <= index < start + length
            ax.add_patch(
                Rectangle(
                    (index, y + 0.1),
                    1,
                    0.8,
                    facecolor=colour if kept else "white",
                    alpha=0.85 if kept else 1.0,
                    edgecolor=MUTED,
                    linewidth=0.8,
                )
            )
            if kept:
                ax.text(index + 0.5, y + 0.5, str(index), ha="center", va="center", fontsize=9)
        ax.text(-0.3, y + 0.62, label, ha="right", va="center", fontsize=10)
        ax.text(-0.3, y + 0.27, clause, ha="right", va="center", fontsize=8, color="#555555")
        ax.text(full_length + 0.3, y + 0.5, f"s = {start}, L = {length}", va="center", fontsize=9)
    parity = "odd" if k % 2 else "even"
    ax.set_title(
        f"N = {n}, K = {k} ({parity}): the full output has N + K − 1 = {full_length} elements",
        fontsize=10,
        loc="left",
    )
    ax.set_xlim(-LABEL_WIDTH, width + NOTE_WIDTH)
    ax.set_ylim(-0.1, len(rows) + 0.05)
    ax.set_aspect("equal")
    ax.axis("off")


def windows_figure() -> Figure:
    """A panel per kernel length in :data:`KERNEL_LENGTHS`, stacked (legible on a phone)."""
    longest = N + max(KERNEL_LENGTHS) - 1
    cells_wide = longest + LABEL_WIDTH + NOTE_WIDTH
    cells_high = (len(ROWS) + 0.15) * len(KERNEL_LENGTHS)
    fig, axes = plt.subplots(
        len(KERNEL_LENGTHS),
        1,
        figsize=(5.6, 5.6 * cells_high / cells_wide + 0.8),
        layout="constrained",
    )
    for ax, k in zip(axes, KERNEL_LENGTHS, strict=True):
        draw_windows(ax, N, k, longest)
    return fig
