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

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import numpy as np

from .notation import Mode, check_mode

__all__ = ["SameAlignment", "mode_slices", "mode_window", "select_mode"]

SameAlignment: TypeAlias = Literal["lower", "upper"]


def mode_window(n: int, k: int, mode: Mode, alignment: SameAlignment = "lower") -> tuple[int, int]:
    """Return ``(start, length)`` of ``mode`` inside a full output of length ``n + k - 1``.

    ``n`` is the length of the first operand along one axis, ``k`` of the second.
    ``alignment`` only matters for ``same`` with an even ``k``: ``"lower"`` (the spec's
    canonical choice, MODE-4) starts at ``(k - 1) // 2``, ``"upper"`` at ``k // 2``.
    """
    if n < 1 or k < 1:
        raise ValueError(f"mode_window(): lengths must be at least 1; got n={n}, k={k}")
    mode = check_mode(mode, "mode_window")
    if mode == "full":
        return 0, n + k - 1
    if mode == "valid":
        return min(n, k) - 1, abs(n - k) + 1
    # mode == "same"
    if alignment == "lower":
        return (k - 1) // 2, n
    if alignment == "upper":
        return k // 2, n
    raise ValueError(
        f"mode_window(): argument 'alignment' must be 'lower' or 'upper'; got {alignment!r}"
    )


def mode_slices(
    a_shape: Sequence[int],
    v_shape: Sequence[int],
    mode: Mode,
    alignment: SameAlignment = "lower",
) -> tuple[slice, ...]:
    """The per-axis slices that cut ``mode`` out of the full output (MODE-1)."""
    windows = (mode_window(n, k, mode, alignment) for n, k in zip(a_shape, v_shape, strict=True))
    return tuple(slice(start, start + length) for start, length in windows)


def select_mode(
    full: np.ndarray[Any, Any],
    a_shape: Sequence[int],
    v_shape: Sequence[int],
    mode: Mode,
    alignment: SameAlignment = "lower",
) -> np.ndarray[Any, Any]:
    """Cut ``mode`` out of a full output (a view when possible, never a copy of full)."""
    expected = tuple(n + k - 1 for n, k in zip(a_shape, v_shape, strict=True))
    if full.shape != expected:
        raise ValueError(
            f"select_mode(): argument 'full' must have the full shape {expected}; got {full.shape}"
        )
    return full[mode_slices(a_shape, v_shape, mode, alignment)]
