"""The result an operation should give under the conventions it declares.

Everything is computed with the reference (:mod:`convspec`): the declared conjugation is
applied to the operands, a correlation is a convolution with the flipped kernel (CORR-4),
and the declared window of the full output is cut out per axis (MODE-1, MODE-6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import convspec
from convspec import numerics
from convspec.notation import result_dtype

from .backend import Array, Operation
from .tolerance import full_bound

__all__ = [
    "Expectation",
    "declared_layout",
    "declared_operands",
    "declared_result_dtype",
    "expectation",
    "same_window",
    "window",
]


def _numpy_convolve_same(n: int, k: int) -> tuple[int, int]:
    """numpy.convolve 'same': length ``max(N, K)``, start ``(min(N, K) - 1) // 2``."""
    return (min(n, k) - 1) // 2, max(n, k)


def _numpy_correlate_same(n: int, k: int) -> tuple[int, int]:
    """numpy.correlate 'same': length ``max(N, K)``, start ``(K-1)//2``, or ``N//2`` if K > N."""
    return ((k - 1) // 2 if k <= n else n // 2), max(n, k)


NAMED_ALIGNMENTS: dict[str, Callable[[int, int], tuple[int, int]]] = {
    "lower": lambda n, k: convspec.mode_window(n, k, "same", "lower"),
    "upper": lambda n, k: convspec.mode_window(n, k, "same", "upper"),
    "numpy-convolve": _numpy_convolve_same,
    "numpy-correlate": _numpy_correlate_same,
}


def same_window(op: Operation, n: int, k: int) -> tuple[int, int]:
    """``(start, length)`` of the declared 'same' window along one axis."""
    alignment = op.same_alignment
    if callable(alignment):
        return alignment(n, k)
    try:
        return NAMED_ALIGNMENTS[alignment](n, k)
    except KeyError:
        raise ValueError(
            f"Operation.same_alignment must be one of {', '.join(NAMED_ALIGNMENTS)} or a "
            f"callable (n, k) -> (start, length); got {alignment!r}"
        ) from None


def window(op: Operation, n: int, k: int, mode: str) -> tuple[int, int]:
    """``(start, length)`` of ``mode`` inside the full output, as ``op`` declares it."""
    if mode == "same":
        return same_window(op, n, k)
    return convspec.mode_window(n, k, mode)  # type: ignore[arg-type]


def declared_layout(
    op: Operation, full: Array, a_shape: tuple[int, ...], v_shape: tuple[int, ...], mode: str
) -> Array:
    """Cut the declared window of ``mode`` out of ``full`` and order the lags as declared."""
    slices = []
    for n, k in zip(a_shape, v_shape, strict=True):
        start, length = window(op, n, k, mode)
        slices.append(slice(start, start + length))
    out = full[tuple(slices)]
    if op.lag_order == "descending":
        out = np.flip(out)
    return out


def _conjugated(op: Operation, a: Array, v: Array) -> tuple[Array, Array]:
    if op.conjugation == "first":
        return np.conjugate(a), v
    if op.conjugation == "second":
        return a, np.conjugate(v)
    return a, v


def _wide(x: Array) -> Array:
    """float64 / complex128 for the fast reference (integers stay as they are)."""
    return x if x.dtype.kind in "iu" else x.astype(np.result_type(x.dtype, np.float64))


def declared_operands(op: Operation, a: Array, v: Array) -> tuple[Array, Array]:
    """``(a', kernel)`` such that ``op(a, v)`` is, in full, the convolution ``a' * kernel``."""
    a_c, v_c = _conjugated(op, a, v)
    kernel = v_c if op.flips else convspec.flip(v_c)
    return a_c, np.ascontiguousarray(kernel)


def declared_result_dtype(op: Operation, a_dtype: Any, v_dtype: Any) -> np.dtype[Any]:
    """The result dtype ``op`` declares for operands of these dtypes (NOT-4)."""
    a_dt: np.dtype[Any] = np.dtype(a_dtype)
    v_dt: np.dtype[Any] = np.dtype(v_dtype)
    both_int = a_dt.kind in "iu" and v_dt.kind in "iu"
    rule = op.result_dtype
    if callable(rule):
        return np.dtype(rule(a_dt, v_dt))
    if rule == "spec":
        return result_dtype(a_dt, v_dt)
    if rule == "promote":
        return np.dtype(np.result_type(a_dt, v_dt))
    if rule == "first":
        return a_dt
    if rule == "float64":
        return np.dtype(np.float64) if both_int else np.dtype(np.result_type(a_dt, v_dt))
    raise ValueError(
        "Operation.result_dtype must be 'spec', 'promote', 'first', 'float64' or a callable; "
        f"got {rule!r}"
    )


def cast_exact(values: Array, dtype: np.dtype[Any], overflow: str = "wrap") -> Array:
    """Exact integer values as ``dtype``, wrapping around modulo 2**bits, or clipped to the
    dtype's limits with ``overflow="saturate"``."""
    if overflow == "saturate":
        info = np.iinfo(dtype)
        clipped: Array = np.clip(values.astype(object), int(info.min), int(info.max))
        return clipped.astype(dtype)
    if values.dtype == object:
        bits = 8 * dtype.itemsize
        values = np.vectorize(lambda x: int(x) % (1 << bits), otypes=[object])(values)
        values = values.astype(np.uint64)
    with np.errstate(all="ignore"):
        return values.astype(dtype)


@dataclass(frozen=True)
class Expectation:
    """What a call must return: exact values, the declared dtype, the per-element bound."""

    values: Array
    dtype: np.dtype[Any]
    bound: Array


def expectation(
    op: Operation, a: Array, v: Array, mode: str, exact: bool = True, bound: bool = True
) -> Expectation:
    """The declared result of ``op(a, v, mode)``, from the exact oracle (NUM-3).

    Values are the exact sums rounded once to float64 / complex128, or exact integers
    (wrapped into the declared integer dtype where the declaration says so); the bound is
    the tolerance policy's for the declared accuracy class.  ``exact=False`` (diagnosis)
    uses the fast reference in float64 instead and widens the bound by its own error;
    ``bound=False`` skips the bound (zeros), for a caller that brings its own tolerance.
    """
    a_c, kernel = declared_operands(op, a, v)
    dtype = declared_result_dtype(op, a.dtype, v.dtype)
    if dtype.kind in "iu" and (a.dtype.kind not in "iu" or v.dtype.kind not in "iu"):
        raise ValueError(f"declared integer result {dtype} for non-integer operands")
    shape = tuple(n + k - 1 for n, k in zip(a_c.shape, kernel.shape, strict=True))
    full = full_bound(op, a_c, kernel, dtype) if bound else np.zeros(shape)
    if exact or (a.dtype.kind in "iu" and v.dtype.kind in "iu"):
        computed = numerics.exact_convolve(a_c, kernel)
    else:
        wide_a, wide_k = _wide(a_c), _wide(kernel)
        computed = convspec.convolve(wide_a, wide_k)
        if bound:
            reference = numerics.Accuracy("direct", computed.dtype)
            full = full + numerics.bound_for(reference, wide_a, wide_k, "convolve", "full")
    values = declared_layout(op, computed, a.shape, v.shape, mode)
    limit = declared_layout(op, full, a.shape, v.shape, mode)
    if dtype.kind in "iu":
        values = cast_exact(values, dtype, op.integer_overflow)
    elif values.dtype == object:
        values = values.astype(np.float64)
    if dtype.kind == "f" and values.dtype.kind == "c":
        values = values.real
    return Expectation(values, dtype, limit)
