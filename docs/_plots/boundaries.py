"""One signal extended beyond its box under each boundary (spec/boundaries.md, BOUND-1..6).

A ramp of five samples, extended eleven samples to each side: longer than the signal, so the
periods of reflect (2(N - 1) = 8), symmetric (2N = 10) and wrap (N = 5) show.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

import convspec

from .style import MUTED, RESULT, SIGNAL, stems, tidy

RAMP = np.array([1, 2, 3, 4, 5])
PAD = 11


def extensions_figure() -> Figure:
    n = len(RAMP)
    positions = np.arange(-PAD, n + PAD)
    inside = (positions >= 0) & (positions < n)
    fig, axes = plt.subplots(
        len(convspec.BOUNDARIES), 1, figsize=(5.6, 6.4), sharex=True, layout="constrained"
    )
    for ax, boundary in zip(axes, convspec.BOUNDARIES, strict=True):
        extended = convspec.extend(RAMP, PAD, boundary)
        ax.axvspan(-0.5, n - 0.5, color=MUTED, alpha=0.18, linewidth=0)
        stems(ax, positions[~inside].tolist(), extended[~inside].tolist(), RESULT)
        stems(ax, positions[inside].tolist(), extended[inside].tolist(), SIGNAL)
        title = "constant (fill 0)" if boundary == "constant" else boundary
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylim(-0.4, 5.8)
        ax.set_yticks([0, 5])
        tidy(ax)
    axes[-1].set_xlabel("index i (the box 0..4 shaded)")
    axes[-1].set_xticks(positions[3::4])  # every 4th from -8: the box ends 0 and 4 among them
    return fig
