"""The result an operation should give under the conventions it declares.

Everything is computed with the reference (:mod:`convspec`): the declared conjugation is
applied to the operands, a correlation is a convolution with the flipped kernel (CORR-4),
and the declared window of the full output is cut out per axis (MODE-1, MODE-6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

import convspec
from convspec import numerics
from convspec.notation import result_dtype

from .backend import Array, Operation

if TYPE_CHECKING:
    from .layer_backend import LayerOperation
from .tolerance import full_bound

__all__ = [
    "Expectation",
    "batched_expectation",
    "declared_layout",
    "declared_operands",
    "declared_result_dtype",
    "declared_windows",
    "expectation",
    "extended_operand",
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


def window(op: Operation, n: int, k: int, mode: str, shift: int = 0) -> tuple[int, int]:
    """``(start, length)`` of ``mode`` inside the full output, as ``op`` declares it.

    ``shift`` (the declared origin of this axis) moves the 'same' window; the start may
    then lie outside the full output, where a boundary gives the values.
    """
    if mode == "same":
        start, length = same_window(op, n, k)
        return start + shift, length
    return convspec.mode_window(n, k, mode)  # type: ignore[arg-type]


def declared_windows(
    op: Operation, a_shape: tuple[int, ...], v_shape: tuple[int, ...], mode: str
) -> list[tuple[int, int]]:
    """``(start, length)`` per axis of the declared window of ``mode`` (MODE-6, origins)."""
    shifts = op.origin_of(len(a_shape))
    return [
        window(op, n, k, mode, shift) for n, k, shift in zip(a_shape, v_shape, shifts, strict=True)
    ]


def declared_layout(
    op: Operation, full: Array, a_shape: tuple[int, ...], v_shape: tuple[int, ...], mode: str
) -> Array:
    """Cut the declared window of ``mode`` out of ``full`` and order the lags as declared."""
    windows = declared_windows(op, a_shape, v_shape, mode)
    return _ordered(op, full[tuple(slice(s, s + length) for s, length in windows)])


def _ordered(op: Operation, out: Array) -> Array:
    return np.flip(out) if op.lag_order == "descending" else out


def check_boundary(op: Operation) -> None:
    """Raise ``ValueError`` naming the field unless the boundary is one of the spec's."""
    if op.boundary not in convspec.BOUNDARIES:
        raise ValueError(
            f"Operation.boundary must be one of {', '.join(convspec.BOUNDARIES)}; "
            f"got {op.boundary!r}"
        )
    if op.boundary != "constant" and op.fill_value != 0:
        raise ValueError(
            f"Operation.fill_value is only used with boundary='constant'; got "
            f"fill_value={op.fill_value!r} with boundary={op.boundary!r}"
        )


@dataclass(frozen=True)
class Extended:
    """``a`` on the box the declared windows need, and where those windows lie in it.

    Output ``n`` of a window sums ``ext(a)[n - t]`` over the taps ``t`` (BOUND-7), so the
    window ``[s, s + L)`` needs the extension on ``[s - (K - 1), s + L)``: ``array`` is the
    extension on a box holding that range, ``cut`` the window inside the full convolution
    of ``array`` with the kernel.
    """

    array: Array
    cut: tuple[slice, ...]


def extended_operand(op: Operation, a: Array, kernel_shape: tuple[int, ...], mode: str) -> Extended:
    """``a`` extended by the declared boundary as far as the declared windows of ``mode`` need.

    Without a boundary ``a`` stays as it is (its zero outside the box forms no terms, NOT-3)
    unless a shifted window leaves the full output; then it is padded with zeros that far.
    """
    windows = declared_windows(op, a.shape, kernel_shape, mode)
    if op.extends:
        check_boundary(op)
        reach = [k - 1 for k in kernel_shape]  # output n reads ext(a) down to n - (K - 1)
        limits = list(a.shape)
    else:
        reach = [0] * a.ndim  # the full output's own box: [0, N + K - 1)
        limits = [n + k - 1 for n, k in zip(a.shape, kernel_shape, strict=True)]
    pads = [
        (max(0, r - s), max(0, s + length - limit))
        for (s, length), r, limit in zip(windows, reach, limits, strict=True)
    ]
    cut = tuple(
        slice(s + before, s + before + length)
        for (s, length), (before, _) in zip(windows, pads, strict=True)
    )
    if not op.extends:
        return Extended(np.pad(a, pads) if any(map(any, pads)) else a, cut)
    fill = np.conjugate(op.fill_value) if op.conjugation == "first" else op.fill_value
    return Extended(convspec.extend(a, pads, op.boundary, fill), cut)  # type: ignore[arg-type]


def normalised(kernel: Array) -> Array:
    """The kernel divided by its sum, in float64 / complex128 (``Operation.normalize``)."""
    wide = _wide(kernel)
    total = wide.sum()
    if total == 0 or not np.isfinite(total):
        raise ValueError(f"a normalised kernel needs a finite non-zero sum; got {total}")
    return np.asarray(wide / total)


def normalisation_error(kernel: Array) -> float:
    """Relative error of each element of :func:`normalised`, however the sum is formed.

    The sum of ``K`` terms is off by at most ``(K - 1) u sum|v|`` (NUM-4), which divides
    into each element as a relative error of ``(K - 1) u sum|v| / |sum v|``, plus the
    rounding of the quotient itself.
    """
    wide = _wide(kernel)
    u = float(np.finfo(wide.real.dtype).eps) / 2
    condition = float(np.abs(wide).sum() / abs(wide.sum()))
    return (kernel.size + 1) * u * condition


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
    if op.normalize:
        kernel = normalised(kernel)
    return a_c, np.ascontiguousarray(kernel)


def declared_result_dtype(
    op: Operation | LayerOperation, a_dtype: Any, v_dtype: Any
) -> np.dtype[Any]:
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
    ext = extended_operand(op, a_c, kernel.shape, mode)
    x = ext.array
    shape = tuple(n + k - 1 for n, k in zip(x.shape, kernel.shape, strict=True))
    full = full_bound(op, x, kernel, dtype) if bound else np.zeros(shape)
    if op.normalize and bound:
        # The library's own division by its own sum: a relative error in every tap.
        magnitudes = convspec.convolve(np.abs(_wide(x)), np.abs(kernel))
        full = full + normalisation_error(v) * magnitudes
    if exact or (x.dtype.kind in "iu" and kernel.dtype.kind in "iu"):
        computed = numerics.exact_convolve(x, kernel)
    else:
        wide_x, wide_k = _wide(x), _wide(kernel)
        computed = convspec.convolve(wide_x, wide_k)
        if bound:
            reference = numerics.Accuracy("direct", computed.dtype)
            full = full + numerics.bound_for(reference, wide_x, wide_k, "convolve", "full")
    values = _ordered(op, computed[ext.cut])
    limit = _ordered(op, full[ext.cut])
    if dtype.kind in "iu":
        values = cast_exact(values, dtype, op.integer_overflow)
    elif values.dtype == object:
        values = values.astype(np.float64)
    if dtype.kind == "f" and values.dtype.kind == "c":
        values = values.real
    return Expectation(values, dtype, limit)


def batched_expectation(
    op: Operation, a: Array, v: Array, mode: str, axes: tuple[int, ...]
) -> Expectation:
    """The declared result over ``axes`` with every other axis batched (ND-5).

    Each batch index is an independent call under the declaration (a length-1 batch axis is
    broadcast), so the expectation is :func:`expectation` of every pair of subarrays,
    stacked back along the batch axes, which keep their places.
    """
    batch = [i for i in range(a.ndim) if i not in axes]
    lengths = [max(a.shape[i], v.shape[i]) for i in batch]
    first: Expectation | None = None
    values: Array | None = None
    bound: Array | None = None
    for index in np.ndindex(*lengths):
        pick_a: list[slice | int] = [slice(None)] * a.ndim
        pick_v: list[slice | int] = [slice(None)] * v.ndim
        for axis, i in zip(batch, index, strict=True):
            pick_a[axis] = i if a.shape[axis] > 1 else 0
            pick_v[axis] = i if v.shape[axis] > 1 else 0
        one = expectation(op, a[tuple(pick_a)], v[tuple(pick_v)], mode)
        if first is None:
            first = one
            values = np.empty((*lengths, *one.values.shape), dtype=one.values.dtype)
            bound = np.empty((*lengths, *one.bound.shape), dtype=one.bound.dtype)
        assert values is not None and bound is not None
        values[index] = one.values
        bound[index] = one.bound
    assert first is not None and values is not None and bound is not None
    # batch axes first -> their own places
    order = list(range(len(batch), values.ndim))
    positions = batch + list(axes)
    inverse = np.argsort(positions)
    layout = [*range(len(batch)), *order]
    return Expectation(
        np.transpose(values, [layout[i] for i in inverse]),
        first.dtype,
        np.transpose(bound, [layout[i] for i in inverse]),
    )
