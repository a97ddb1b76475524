"""The windows a convolution layer reads: stride, dilation and padding (spec/layers.md).

Which data sample each output reads is measured with convspec itself: a batch of one-hot
inputs (sample ``n`` is 1, the rest 0) through ``convspec.conv`` with a kernel of ones marks,
for every output position, the samples of its window.  Padding cells are drawn but never
read as data (the layer's sum skips them, NOT-3).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convspec

from .style import KERNEL, MUTED, SIGNAL, no_ticks

N = 9
K = 3
#: (title, stride, dilation, padding): the panels, left to right.
CASES = (
    ("stride 1, dilation 1, pads (1, 1)", 1, 1, [(1, 1)]),
    ("stride 2, dilation 1, pads (1, 1)", 2, 1, [(1, 1)]),
    ("stride 1, dilation 2, pads (0, 0)", 1, 2, [(0, 0)]),
    ("stride 2, dilation 2, same-upper", 2, 2, "same-upper"),
)


def windows(stride: int, dilation: int, padding: object) -> np.ndarray:
    """``read[p, n]``: whether output ``p`` reads data sample ``n`` (one-hot inputs)."""
    one_hot = np.eye(N, dtype=np.int64)[:, np.newaxis, :]  # batch n: sample n is 1
    kernel = np.ones((1, 1, K), dtype=np.int64)
    out = convspec.conv(one_hot, kernel, stride=stride, dilation=dilation, padding=padding)
    return out[:, 0, :].T != 0


def windows_figure() -> Figure:
    """One panel per case, two a row (legible on a phone): rows are outputs, columns data
    samples (and the padding)."""
    pads = [
        convspec.layer_padding(padding, (N,), (K,), stride, dilation)[0]
        for _, stride, dilation, padding in CASES
    ]
    reads = [windows(stride, dilation, padding) for _, stride, dilation, padding in CASES]
    # One extent for all panels, so that every panel draws its cells at one size.
    widest_before = max(before for before, _ in pads)
    widest_after = max(after for _, after in pads)
    # ... and each row of panels as tall as its longest panel.
    row_outputs = [max(read.shape[0] for read in reads[row : row + 2]) for row in (0, 2)]
    fig, axes = plt.subplots(
        2,
        2,
        figsize=(5.6, 1.0 + 0.2 * sum(outputs + 1.4 for outputs in row_outputs)),
        height_ratios=[outputs + 1.4 for outputs in row_outputs],
        layout="constrained",
    )
    for index, (ax, (title, stride, dilation, _), (before, after), read) in enumerate(
        zip(axes.flat, CASES, pads, reads, strict=True)
    ):
        outputs, most_outputs = read.shape[0], row_outputs[index // 2]
        for p in range(outputs):
            y = outputs - 1 - p
            for n in range(-before, N + after):
                inside = 0 <= n < N
                taps = [p * stride + k * dilation - before for k in range(K)]
                face = "white"
                if n in taps:
                    face = KERNEL if inside and read[p, n] else MUTED
                ax.add_patch(Rectangle((n, y), 1, 1, facecolor=face,
                                       edgecolor=SIGNAL if inside else MUTED,
                                       hatch=None if inside else "//", linewidth=0.8))  # fmt: skip
            ax.text(-before - 0.4, y + 0.5, f"y[{p}]", ha="right", va="center", fontsize=8)
        for n in range(N):
            ax.text(n + 0.5, outputs + 0.3, str(n), ha="center", va="bottom", fontsize=8)
        ax.set_xlim(-widest_before - 2.2, N + widest_after + 0.2)
        ax.set_ylim(outputs - most_outputs - 0.2, outputs + 1.2)  # top-aligned
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=9)
        no_ticks(ax)
        for spine in ax.spines.values():
            spine.set_visible(False)
    fig.suptitle(
        f"Which samples of x (N = {N}) each output reads, K = {K} taps:\n"
        "orange = a term of the sum, grey = a tap on padding (no term)",
        fontsize=10,
    )
    return fig
