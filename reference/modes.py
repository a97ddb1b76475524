"""Output modes: full, valid and same, each an exact slice of the full output.

Spec chapter: ``spec/modes.md`` (clauses MODE-1 .. MODE-6).

Per axis, with ``N`` the length of the first operand and ``K`` of the second, the full
output has length ``N + K - 1`` and every other mode is the window ``full[start:start+length]``:

============  ==========================  ===================
mode          start                       length
============  ==========================  ===================
``full``      ``0``                       ``N + K - 1``
``valid``     ``min(N, K) - 1``           ``|N - K| + 1``
``same``      ``(K - 1) // 2``            ``N``
============  ==========================  ===================

``same`` with ``alignment="upper"`` starts at ``K // 2`` instead (MODE-5): that is where
torch, ``lax`` 'SAME', ``scipy.signal.correlate2d`` and MATLAB put an even kernel.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np

from .notation import Mode, check_mode

__all__ = [
    "ALIGNMENTS",
    "Alignment",
    "SameAlignment",
    "check_alignment",
    "mode_slices",
    "mode_window",
    "mode_windows",
    "select_mode",
]

SameAlignment: TypeAlias = Literal["lower", "upper", "numpy-convolve", "numpy-correlate"]
#: A named alignment, or a function ``(N, K) -> (start, length)`` giving the 'same' window.
Alignment: TypeAlias = SameAlignment | Callable[[int, int], tuple[int, int]]


def _numpy_convolve_same(n: int, k: int) -> tuple[int, int]:
    """numpy.convolve 'same': length ``max(N, K)``, start ``(min(N, K) - 1) // 2``."""
    return (min(n, k) - 1) // 2, max(n, k)


def _numpy_correlate_same(n: int, k: int) -> tuple[int, int]:
    """numpy.correlate 'same': length ``max(N, K)``, start ``(K-1)//2``, or ``N//2`` if K > N."""
    return ((k - 1) // 2 if k <= n else n // 2), max(n, k)


#: The named 'same' windows (MODE-4, MODE-5, MODE-7): name -> ``(N, K) -> (start, length)``.
ALIGNMENTS: dict[str, Callable[[int, int], tuple[int, int]]] = {
    "lower": lambda n, k: ((k - 1) // 2, n),
    "upper": lambda n, k: (k // 2, n),
    "numpy-convolve": _numpy_convolve_same,
    "numpy-correlate": _numpy_correlate_same,
}


def check_alignment(alignment: object, mode: Mode, func: str) -> Alignment:
    """Validate ``alignment`` for ``mode``: a name of :data:`ALIGNMENTS` or a callable.

    An alignment other than the default ``"lower"`` chooses a 'same' window, so with any
    other mode it is an error, not ignored.
    """
    if not (callable(alignment) or (isinstance(alignment, str) and alignment in ALIGNMENTS)):
        raise ValueError(
            f"{func}(): argument 'alignment' must be one of {', '.join(map(repr, ALIGNMENTS))} "
            f"or a callable (n, k) -> (start, length); got {alignment!r}"
        )
    if mode != "same" and not (isinstance(alignment, str) and alignment == "lower"):
        raise ValueError(
            f"{func}(): argument 'alignment' chooses the window of mode 'same' only; got "
            f"alignment={alignment!r} with mode={mode!r}"
        )
    return alignment  # type: ignore[return-value]


def _same_window(n: int, k: int, alignment: object, func: str) -> tuple[int, int]:
    """The 'same' window of ``alignment``, checked to be a window of the full output."""
    if isinstance(alignment, str) and alignment in ALIGNMENTS:
        return ALIGNMENTS[alignment](n, k)
    if not callable(alignment):
        raise ValueError(
            f"{func}(): argument 'alignment' must be one of {', '.join(map(repr, ALIGNMENTS))} "
            f"or a callable (n, k) -> (start, length); got {alignment!r}"
        )
    window = alignment(n, k)
    try:
        start, length = (operator.index(x) for x in window)
    except (TypeError, ValueError):
        raise ValueError(
            f"{func}(): the alignment callable must return (start, length), two integers; "
            f"for n={n}, k={k} it returned {window!r}"
        ) from None
    if start < 0 or length < 1 or start + length > n + k - 1:
        raise ValueError(
            f"{func}(): the alignment callable returned (start, length) = ({start}, {length}) "
            f"for n={n}, k={k}; it must be a window of the full output: start >= 0, "
            f"length >= 1, start + length <= n + k - 1 = {n + k - 1}"
        )
    return start, length


def mode_window(n: int, k: int, mode: Mode, alignment: Alignment = "lower") -> tuple[int, int]:
    """Return ``(start, length)`` of ``mode`` inside a full output of length ``n + k - 1``.

    ``n`` is the length of the first operand along one axis, ``k`` of the second.
    ``alignment`` only matters for ``same``: ``"lower"`` (the spec's canonical choice,
    MODE-4) starts at ``(k - 1) // 2``, ``"upper"`` at ``k // 2`` (MODE-5); the numpy
    names and a callable ``(n, k) -> (start, length)`` are the other windows MODE-7 allows.
    """
    for name, length in (("n", n), ("k", k)):
        if isinstance(length, (bool, np.bool_)) or not isinstance(length, (int, np.integer)):
            raise TypeError(f"mode_window(): argument {name!r} must be an int; got {length!r}")
    if n < 1 or k < 1:
        raise ValueError(f"mode_window(): lengths must be at least 1; got n={n}, k={k}")
    mode = check_mode(mode, "mode_window")
    if mode == "full":
        return 0, n + k - 1
    if mode == "valid":
        return min(n, k) - 1, abs(n - k) + 1
    return _same_window(n, k, alignment, "mode_window")


def mode_windows(
    a_shape: Sequence[int],
    v_shape: Sequence[int],
    mode: Mode,
    alignment: Alignment = "lower",
    *,
    full_axes: int = 0,
) -> list[tuple[int, int]]:
    """``(start, length)`` of ``mode`` along every axis (MODE-6); the first ``full_axes``
    axes get the full window (batch axes folded into a convolution, ND-5)."""
    return [
        (0, n + k - 1) if axis < full_axes else mode_window(n, k, mode, alignment)
        for axis, (n, k) in enumerate(zip(a_shape, v_shape, strict=True))
    ]


def mode_slices(
    a_shape: Sequence[int],
    v_shape: Sequence[int],
    mode: Mode,
    alignment: Alignment = "lower",
) -> tuple[slice, ...]:
    """The per-axis slices that cut ``mode`` out of the full output (MODE-1)."""
    windows = (mode_window(n, k, mode, alignment) for n, k in zip(a_shape, v_shape, strict=True))
    return tuple(slice(start, start + length) for start, length in windows)


def select_mode(
    full: np.ndarray[Any, Any],
    a_shape: Sequence[int],
    v_shape: Sequence[int],
    mode: Mode,
    alignment: Alignment = "lower",
) -> np.ndarray[Any, Any]:
    """Cut ``mode`` out of a full output (a view when possible, never a copy of full)."""
    expected = tuple(n + k - 1 for n, k in zip(a_shape, v_shape, strict=True))
    if full.shape != expected:
        raise ValueError(
            f"select_mode(): argument 'full' must have the full shape {expected}; got {full.shape}"
        )
    return full[mode_slices(a_shape, v_shape, mode, alignment)]
