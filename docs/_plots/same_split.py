"""Where each bundled library puts an even kernel in 'same' mode, read from the stored reports.

Every ``docs/data/survey/*.json`` is a conformance run of one bundled backend (the ``survey``
nox session refreshes them).  Its declaration says, per operation, which 'same' window the
operation computes: an array function's ``same_alignment`` (MODE-4, MODE-5, MODE-7), a layer's
'same' padding names; the run tested that declaration with even kernels.  The figure turns each
declaration into its window for N = 5, K = 4 (``convspec.mode_window`` and
``convspec.layer_padding``) and lists the library functions at each.  No library is called
when the site is built, so the figure covers every bundled backend, torch and jax included,
whatever is installed.

Transposed layers are left out: their 'same' names an output size, not a window of a
convolution's full output.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import matplotlib.pyplot as plt
from _ext.library_links import library_function, library_of
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convspec
from convspec.modes import SameAlignment

from .style import KERNEL, MUTED, RESULT, SIGNAL

SURVEY_DIR = Path(__file__).resolve().parents[1] / "data" / "survey"
N = 5
K = 4
LINE_WIDTH = 50  # characters of the list, monospace
#: The two windows of 'same' the spec names for an even kernel: (alignment, clause, colour).
NAMED_WINDOWS: tuple[tuple[SameAlignment, str, str], ...] = (
    ("lower", "MODE-4", SIGNAL),
    ("upper", "MODE-5", KERNEL),
)


@dataclass(frozen=True)
class SameDeclaration:
    """One way an operation of a stored report computes 'same', and the window it gives."""

    backend: str
    operation: str
    library: str  # the library the backend calls (docs/data/library-links.json)
    function: str  # the library function the operation runs, or the operation's name
    rule: str  # how the report declares 'same': "alignment" or (a layer's) "padding"
    value: str  # the declared alignment ("upper") or padding name ("same-lower")
    window: tuple[int, int]  # (start, length) in the full output, at origin 0
    shifted: bool  # whether the operation declares a nonzero origin or anchor (BOUND-8)

    @property
    def label(self) -> str:
        """The function without its library's prefix, and how it declares 'same' unless
        that is a plain lower or upper alignment."""
        name = self.function.removeprefix(self.library + ".")
        if self.rule == "padding":
            return f"{name} [padding='{self.value}']"
        return name if self.value in ("lower", "upper") else f"{name} [{self.value}]"


def stored_reports(folder: Path = SURVEY_DIR) -> list[dict[str, Any]]:
    """The stored survey reports, by file name."""
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise FileNotFoundError(f"no survey reports in {folder} (run: nox -s survey)")
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


def declared_windows(
    declared: dict[str, Any], n: int, k: int
) -> list[tuple[str, str, tuple[int, int]]]:
    """(rule, value, window) for each 'same' an operation declares; none for the others."""
    if declared["kind"] == "transposed layer":
        return []
    if "data_layout" in declared:  # a layer: 'same' is a padding name, at stride 1
        found = []
        for name in declared.get("padding", []):
            if name.startswith("same"):
                ((before, _after),) = convspec.layer_padding(name, (n,), (k,), 1, 1)
                # Output j reads the samples from j - before on: full-output index j + k-1-before.
                found.append(("padding", name, (k - 1 - before, n)))
        return found
    if "same" not in declared.get("modes", []):
        return []
    alignment = cast(SameAlignment, declared["same_alignment"])  # checked by mode_window
    return [("alignment", alignment, convspec.mode_window(n, k, "same", alignment=alignment))]


def same_declarations(
    reports: list[dict[str, Any]], n: int = N, k: int = K
) -> list[SameDeclaration]:
    """Every 'same' declared by an operation of ``reports``, with its window for n and k."""
    found = []
    for report in reports:
        backend = report["backend"]["name"]
        for operation, declared in report["backend"]["operations"].items():
            function = library_function(backend, operation)
            origin = declared.get("origin") or 0
            shifted = any(origin) if isinstance(origin, list) else origin != 0
            name = function.name if function else operation
            for rule, value, window in declared_windows(declared, n, k):
                found.append(
                    SameDeclaration(
                        backend, operation, library_of(backend), name, rule, value, window, shifted
                    )
                )
    return found


def functions_by_window(
    declarations: list[SameDeclaration],
) -> dict[tuple[int, int], dict[str, list[str]]]:
    """window -> library -> the labels of its functions there, each once, sorted.

    Operations with a shifted origin are left out: they are variants of a function drawn here.
    """
    by_window: dict[tuple[int, int], dict[str, set[str]]] = {}
    for declaration in declarations:
        if not declaration.shifted:
            libraries = by_window.setdefault(declaration.window, {})
            libraries.setdefault(declaration.library, set()).add(declaration.label)
    return {
        window: {library: sorted(labels) for library, labels in sorted(libraries.items())}
        for window, libraries in sorted(by_window.items())
    }


def listing(by_window: dict[tuple[int, int], dict[str, list[str]]]) -> list[tuple[str, str]]:
    """The figure's list as (line, colour): a heading per window, a line per library."""
    named = {
        convspec.mode_window(N, K, "same", alignment=a): (a, c, col) for a, c, col in NAMED_WINDOWS
    }
    lines: list[tuple[str, str]] = []
    for window, libraries in by_window.items():
        alignment, clause, colour = named.get(window, ("elsewhere", "", RESULT))
        start, _length = window
        lines.append((f"{alignment} ({clause}), start {start}:" if clause else
                      f"window (start, length) {window}:", colour))  # fmt: skip
        for library, labels in libraries.items():
            wrapped = textwrap.wrap(
                f"{library:<11} " + ", ".join(labels),
                LINE_WIDTH,
                subsequent_indent=" " * 12,
                break_on_hyphens=False,
            )
            lines.extend((line, "black") for line in wrapped)
        lines.append(("", "black"))
    return lines[:-1]


def split_figure() -> Figure:
    """The full output for N = 5, K = 4; the lower and upper windows; who computes each."""
    full_length = convspec.mode_window(N, K, "full")[1]
    declarations = same_declarations(stored_reports())
    lines = listing(functions_by_window(declarations))
    shifted = sorted({d.operation for d in declarations if d.shifted})
    if shifted:
        lines += [
            ("", "black"),
            (f"Left out: {len(shifted)} operations declared with a shifted", MUTED),
            ("origin or anchor (BOUND-8), variants of functions above.", MUTED),
        ]
    line_height = 0.19  # inches
    strip_height = 1.6
    fig = plt.figure(figsize=(4.6, strip_height + line_height * len(lines)), layout="constrained")
    strip, text = fig.subplots(2, 1, height_ratios=[strip_height, line_height * len(lines)])
    for index in range(full_length):
        strip.add_patch(Rectangle((index, 1), 1, 0.8, facecolor="white", edgecolor=MUTED))
        strip.text(index + 0.5, 1.4, str(index), ha="center", va="center", fontsize=9)
    for row, (alignment, clause, colour) in enumerate(NAMED_WINDOWS):
        start, length = convspec.mode_window(N, K, "same", alignment=alignment)
        y = 0.5 - 0.5 * row
        strip.add_patch(Rectangle((start + 0.05, y), length - 0.1, 0.4, facecolor=colour))
        strip.text(
            start + length / 2, y + 0.2, f"{alignment} ({clause}): start {start}",
            ha="center", va="center", fontsize=9, color="white",
        )  # fmt: skip
    strip.set_xlim(-0.05, full_length + 0.05)
    strip.set_ylim(-0.05, 1.85)
    strip.set_title(
        f"'same' with N = {N}, K = {K}: which {N} of the\n"
        f"{full_length} elements of the full output (numbered)",
        fontsize=10,
    )
    strip.axis("off")
    for row, (line, colour) in enumerate(lines):
        text.text(0, 1 - row / len(lines), line, fontsize=8.5, color=colour, va="top",
                  family="monospace" if colour == "black" else None)  # fmt: skip
    text.set_ylim(0, 1)
    text.axis("off")
    return fig
