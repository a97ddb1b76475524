"""Where libraries put an even kernel in 'same' mode, measured when the site is built.

Only numpy and scipy are called (importing torch or jax would cost the build more time than
everything else together; the survey page has their verdicts).  Each 'same' output is located
inside the reference's full output; the figure draws the two windows (MODE-4 'lower', MODE-5
'upper') and lists who picked which.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convspec
from convspec.modes import SameAlignment

from .style import KERNEL, MUTED, RESULT, SIGNAL

SIGNAL_5 = np.array([1, 2, 3, 4, 5])
KERNEL_4 = np.array([1, 10, 100, 1000])  # every window of the full output is distinct

Same = Callable[[np.ndarray, np.ndarray], np.ndarray]


def library_same_modes() -> dict[str, tuple[str, Same]]:
    """name -> (operation it computes, its 'same' call), for the libraries installed here."""
    calls: dict[str, tuple[str, Same]] = {
        "numpy.convolve": ("convolve", lambda a, v: np.convolve(a, v, "same")),
        "numpy.correlate": ("correlate", lambda a, v: np.correlate(a, v, "same")),
    }
    try:
        import scipy.ndimage
        import scipy.signal
    except ImportError:
        pass
    else:
        calls |= {
            "scipy.signal.convolve": ("convolve", lambda a, v: scipy.signal.convolve(a, v, "same")),
            "scipy.signal.correlate": (
                "correlate",
                lambda a, v: scipy.signal.correlate(a, v, "same"),
            ),
            "scipy.signal.convolve2d": (
                "convolve",
                lambda a, v: scipy.signal.convolve2d(a[None], v[None], "same")[0],
            ),
            "scipy.signal.correlate2d": (
                "correlate",
                lambda a, v: scipy.signal.correlate2d(a[None], v[None], "same")[0],
            ),
            "scipy.ndimage.convolve1d": (
                "convolve",
                lambda a, v: scipy.ndimage.convolve1d(a, v, mode="constant"),
            ),
            "scipy.ndimage.correlate1d": (
                "correlate",
                lambda a, v: scipy.ndimage.correlate1d(a, v, mode="constant"),
            ),
        }
    return calls


def window_start(result: np.ndarray, full: np.ndarray) -> int | None:
    """Start of ``result`` as a run of ``full``, or None if it is not one."""
    result_list, full_list = np.asarray(result).tolist(), full.tolist()
    for start in range(len(full_list) - len(result_list) + 1):
        if full_list[start : start + len(result_list)] == result_list:
            return start
    return None


def same_windows() -> dict[SameAlignment, tuple[int, int]]:
    """'lower' / 'upper' -> (start, length) of that 'same' window inside the full output."""
    n, k = len(SIGNAL_5), len(KERNEL_4)
    alignments: tuple[SameAlignment, ...] = ("lower", "upper")
    return {name: convspec.mode_window(n, k, "same", alignment=name) for name in alignments}


def measured_windows() -> dict[str, list[str]]:
    """'lower' / 'upper' / 'other' -> the library calls whose 'same' output sits there."""
    alignment_at: dict[int | None, str] = {
        start: name for name, (start, _) in same_windows().items()
    }
    full = {
        "convolve": convspec.convolve(SIGNAL_5, KERNEL_4),
        "correlate": convspec.correlate(SIGNAL_5, KERNEL_4),
    }
    found: dict[str, list[str]] = {"lower": [], "upper": [], "other": []}
    for name, (operation, call) in library_same_modes().items():
        start = window_start(np.rint(call(SIGNAL_5, KERNEL_4)).astype(int), full[operation])
        found[alignment_at.get(start, "other")].append(name)
    return found


def split_figure() -> Figure:
    n, k = len(SIGNAL_5), len(KERNEL_4)
    full_length = convspec.mode_window(n, k, "full")[1]
    found = measured_windows()
    fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
    for index in range(full_length):
        ax.add_patch(Rectangle((index, 0), 1, 1, facecolor="white", edgecolor=MUTED))
        ax.text(index + 0.5, 0.5, f"full[{index}]", ha="center", va="center", fontsize=9)
    drawn_at = {"lower": (SIGNAL, 1.25), "upper": (KERNEL, -0.45)}  # colour, height
    for name, (start, length) in same_windows().items():
        color, y = drawn_at[name]
        ax.add_patch(Rectangle((start + 0.05, y), length - 0.1, 0.2, facecolor=color, alpha=0.85))
        rule = "(K − 1) // 2" if name == "lower" else "K // 2"
        libraries = "\n".join(
            textwrap.wrap(", ".join(found[name]) or "none of the installed libraries", 60)
        )
        text_y = y + 0.45 if y > 0 else y - 0.25
        ax.text(
            start,
            text_y,
            f"{name}: start {rule} = {start}\n{libraries}",
            fontsize=10,
            color=color,
            va="bottom" if y > 0 else "top",
        )
    if found["other"]:
        ax.text(0, -1.6, "elsewhere: " + ", ".join(found["other"]), fontsize=10, color=RESULT)
    ax.set_xlim(-0.2, full_length + 0.2)
    ax.set_ylim(-1.3, 3.4)
    ax.set_title(
        f"'same' with N = {n}, K = {k}: which {n} of the {full_length} full outputs", fontsize=11
    )
    ax.axis("off")
    return fig
