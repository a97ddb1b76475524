"""Judging a declared lags function: the lag of each output index, against the spec's.

An operation may declare ``lags(n, k, mode)`` (``scipy.signal.correlation_lags`` is one):
the lag each output index of a 1-D correlation of lengths ``n`` and ``k`` holds.  The
spec's answer is ``convspec.lags`` (CORR-2) of the window the operation declares -- its
'same' alignment and origin -- in the declared lag order.
"""

from __future__ import annotations

import numpy as np

import convspec

from .backend import Array, Operation
from .cases import LAGS, Call
from .conventions import window

__all__ = ["declared_lags", "lag_verdict"]


def declared_lags(op: Operation, n: int, k: int, mode: str) -> Array:
    """``convspec.lags`` of the window ``op`` declares for lengths ``n``, ``k`` and ``mode``."""
    if mode != "same":
        lags = convspec.lags(n, k, mode)  # type: ignore[arg-type]
    else:
        shift = op.origin_of(1)[0]
        named = isinstance(op.same_alignment, str) and op.same_alignment in convspec.ALIGNMENTS
        if named and not shift:
            lags = convspec.lags(n, k, "same", alignment=op.same_alignment)  # type: ignore[arg-type]
        else:  # a callable alignment, or a shifted window: the declared window itself
            start, length = window(op, n, k, "same", shift)
            lags = convspec.lags(n, k, "same", alignment=lambda n_, k_: (start, length))
    return np.flip(lags) if op.lag_order == "descending" else lags


def lag_verdict(op: Operation, call: Call, actual: Array) -> tuple[Array, str, list[str]]:
    """``(expected, problem, diagnosis)`` for the lags a lags call returned (``""``: right)."""
    n, k, mode = call.a.shape[0], call.v.shape[0], call.mode.removeprefix(LAGS)
    expected = declared_lags(op, n, k, mode)
    if actual.shape != expected.shape:
        return expected, f"lags of shape {actual.shape}, expected {expected.shape}", []
    if actual.dtype.kind not in "iu" and not np.array_equal(actual, np.round(actual)):
        return expected, f"lags of dtype {actual.dtype} that are not integers", []
    if np.array_equal(actual, expected):
        return expected, "", []
    problem = f"lags {actual.tolist()}, expected {expected.tolist()}"
    offset = np.unique(actual - expected)
    if offset.size == 1:
        return expected, problem, [f"every lag is {int(offset[0]):+d} from the declared window's"]
    if np.array_equal(actual, np.flip(expected)):
        return expected, problem, ["the lags are in the reverse order"]
    return expected, problem, []
