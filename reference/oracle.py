"""The exact oracle: convolution and correlation computed exactly, then rounded once.

Spec chapter: ``spec/numerics.md`` (clauses NUM-2 and NUM-3).

* Integer operands give the exact sums: int64 when every value fits, otherwise Python ints
  (dtype object).  Nothing wraps and nothing overflows.
* Floating-point operands are dyadic rationals, so every sum the spec defines has an exact
  value.  The oracle returns that value rounded once, to nearest with ties to even, in
  float64 (complex128 for complex operands: the real and imaginary parts are each summed
  exactly and rounded once).  Whatever the operands' precision, the oracle answers in
  float64, so a float32 result can be compared with the exact value, not with another
  rounding of it.  An integer operand paired with a floating-point one is converted to
  float64 first, as numpy's promotion does; the oracle sums the converted values exactly.

How the float path stays exact and fast:

1. Operands are scaled by powers of two (exact) so that every product and every partial
   sum stays far from overflow and underflow.
2. Every product ``x * y`` is split into ``hi + lo`` with ``hi = fl(x * y)`` and ``lo`` its
   exact rounding error (Dekker's TwoProduct with Veltkamp splitting, vectorised in numpy).
3. Each output element's ``hi`` and ``lo`` terms are summed exactly by repeated
   vectorised extraction (Rump, Ogita and Oishi's AccSum), which leaves a few exact
   floats per element; ``math.fsum`` rounds their sum once, correctly.
4. The result is scaled back.  Where that could round a second time (a result in the
   subnormal range) the element is recomputed with Python integers instead, as is
   everything when the operands' exponents span too wide a range to scale safely.

Special values follow the extended reals, term by term as the spec's sum is written: a NaN
factor or ``0 * inf`` makes a NaN term; terms ``+inf`` and ``-inf`` together make NaN;
otherwise an infinite term makes the sum that infinity.  A sum that is exactly zero is
``-0.0`` when every term is ``-0.0`` and ``+0.0`` otherwise, as IEEE addition gives.
Complex products are expanded as numpy multiplies them, ``(ar*br - ai*bi) + i(ar*bi +
ai*br)``, so ``(inf + 0j) * (1 + 0j)`` has a NaN imaginary part.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from functools import partial
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from .boundaries import Boundary
from .convolution import Request, Windows, convolve, in_box, window_of
from .engine import full_convolution
from .exact import exact_integer_compute_dtype
from .modes import Alignment
from .ndim import flip
from .notation import Mode, as_operand

__all__ = ["exact_convolve", "exact_correlate", "exact_dot"]

Array = np.ndarray[Any, np.dtype[Any]]

_INT64 = np.iinfo(np.int64)
# Veltkamp's splitting constant for binary64: 2**27 + 1.
_SPLITTER = float(2**27 + 1)
# Scaled operands lie within [2**-_HALF_SPAN, 2**_HALF_SPAN] in magnitude, so products lie
# within [2**-960, 2**960]: their TwoProduct error terms are exact (no underflow below
# 2**-970), the splitting cannot overflow, and sums of up to 2**60 terms stay finite.
_HALF_SPAN = 480
# Bytes of product terms formed at once (the rest of the work is chunked).
_CHUNK_BYTES = 16 * 2**20
_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
# The smallest extraction constant: its grid 2**-53 * sigma is the scaled terms' 2**-1064.
_MIN_SIGMA_EXPONENT = -1011


class _Bilinear(NamedTuple):
    """One real convolution ``sign * conv(x, y)`` that contributes to a real result part."""

    x: Array
    y: Array
    sign: int


def exact_convolve(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: Mode = "full",
    *,
    axes: int | Sequence[int] | None = None,
    alignment: Alignment = "lower",
    boundary: Boundary = "constant",
    fill_value: Any = 0,
) -> Array:
    """The exact convolution of ``a`` and ``v`` (CONV-1), rounded once (NUM-2, NUM-3).

    Arguments are those of :func:`convspec.convolve` (``axes``, ``alignment``,
    ``boundary``, ``fill_value`` included).  Returns int64 (or object, holding Python ints,
    when a returned value does not fit in int64) for integer operands; otherwise float64 or
    complex128, each element the exact sum correctly rounded, whatever the operands'
    precision.
    """
    request = Request.of(a, v, mode, axes, alignment, boundary, fill_value, "exact_convolve", True)

    def core(a_i: Array, v_i: Array, windows: Windows) -> Array:
        return window_of(partial(_exact_full, func=request.func), request, a_i, v_i, windows)

    return _exact_window(request.run(core, fold=True))


def exact_correlate(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: Mode = "full",
    *,
    axes: int | Sequence[int] | None = None,
    alignment: Alignment = "lower",
    boundary: Boundary = "constant",
    fill_value: Any = 0,
) -> Array:
    """The exact cross-correlation of ``a`` with ``v`` (CORR-1), rounded once (NUM-3).

    The same sums as ``exact_convolve(a, flip(conj(v)))`` (CORR-4), the flip over
    ``axes`` only; see :func:`exact_convolve` for the arguments and result types.
    """
    request = Request.of(a, v, mode, axes, alignment, boundary, fill_value, "exact_correlate", True)

    def core(a_i: Array, v_i: Array, windows: Windows) -> Array:
        kernel = flip(np.conjugate(v_i))
        return window_of(partial(_exact_full, func=request.func), request, a_i, kernel, windows)

    return _exact_window(request.run(core, fold=True))


def exact_dot(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """``sum(x * y)`` of two real float arrays, exactly, rounded once to float64.

    A small helper for the spec's examples: one output element of a convolution is such a
    dot product.  Special values as in :func:`exact_convolve`.
    """
    x_arr, y_arr = (
        np.ravel(as_operand(value, name, "exact_dot")) for name, value in (("x", x), ("y", y))
    )
    for name, value in (("x", x_arr), ("y", y_arr)):
        if value.dtype.kind not in "iuf":
            raise TypeError(f"exact_dot(): argument {name!r} must be real; got {value.dtype}")
    x_arr, y_arr = x_arr.astype(np.float64), y_arr.astype(np.float64)
    if x_arr.shape != y_arr.shape:
        raise ValueError(
            f"exact_dot(): arguments 'x' and 'y' must have the same size; "
            f"got {x_arr.size} and {y_arr.size}"
        )
    return float(exact_convolve(x_arr, y_arr[::-1], mode="valid")[0])


# --------------------------------------------------------------------------- dispatch


def _exact_full(a: Array, kernel: Array, *, func: str) -> Array:
    """Full exact convolution of validated operands (``kernel`` already flipped if needed)."""
    if a.dtype.kind in "iu" and kernel.dtype.kind in "iu":
        return _exact_integer_full(a, kernel)
    if "O" in (a.dtype.kind, kernel.dtype.kind):  # Python ints beyond int64 (as_operand)
        if not {a.dtype.kind, kernel.dtype.kind} <= set("iuO"):
            raise TypeError(
                f"{func}(): integers beyond int64 combine only with integer operands here; "
                "convert the other operand to Python ints or both to float64"
            )
        return full_convolution(a.astype(object), kernel.astype(object), np.dtype(object))
    for name, operand in (("a", a), ("v", kernel)):
        if operand.dtype.kind in "fc" and np.dtype(operand.dtype).itemsize > (
            8 if operand.dtype.kind == "f" else 16
        ):
            raise TypeError(
                f"{func}(): argument {name!r} has dtype {operand.dtype}; the oracle takes "
                "floats of at most 64 bits (float16, float32, float64, complex64, complex128)"
            )
    if a.dtype.kind == "c" or kernel.dtype.kind == "c":
        ar, ai = _real_parts(a)
        kr, ki = _real_parts(kernel)
        real = _exact_real_full([_Bilinear(ar, kr, 1), _Bilinear(ai, ki, -1)])
        imag = _exact_real_full([_Bilinear(ar, ki, 1), _Bilinear(ai, kr, 1)])
        return _combine_complex(real, imag)
    return _exact_real_full([_Bilinear(a.astype(np.float64), kernel.astype(np.float64), 1)])


def _real_parts(x: Array) -> tuple[Array, Array]:
    """Real and imaginary parts in float64; a real operand is promoted with imaginary 0."""
    x = x.astype(np.complex128)
    return np.ascontiguousarray(x.real), np.ascontiguousarray(x.imag)


def _combine_complex(real: Array, imag: Array) -> Array:
    """complex128 from two float64 arrays, without arithmetic (so NaN and -0.0 survive)."""
    out = np.empty(real.shape, dtype=np.complex128)
    out.real = real
    out.imag = imag
    return out


def _exact_integer_full(a: Array, kernel: Array) -> Array:
    """Exact integer sums: int64, or Python ints (object) when the terms could leave int64.

    Whether the result fits is decided on the returned window (:func:`_exact_window`).
    """
    compute = exact_integer_compute_dtype(a, kernel)
    if compute == np.dtype(object):
        return full_convolution(a.astype(object), kernel.astype(object), compute)
    return full_convolution(a, kernel, compute).astype(np.int64)


def _exact_window(window: Array) -> Array:
    """The returned window of exact sums, int64 when every value in it fits (NUM-2).

    A ``valid`` or ``same`` window can fit in int64 where the full output does not.
    """
    if window.dtype == object and (
        int(window.max()) <= _INT64.max and int(window.min()) >= _INT64.min
    ):
        return window.astype(np.int64)
    return window


# ----------------------------------------------------------------- real exact sums


def _exact_real_full(pairs: list[_Bilinear]) -> Array:
    """``sum over pairs of sign * conv(x, y)``, exact then rounded once to float64."""
    a_shape, k_shape = pairs[0].x.shape, pairs[0].y.shape
    full_shape = tuple(n + k - 1 for n, k in zip(a_shape, k_shape, strict=True))
    finite_pairs = [_Bilinear(_zero_nonfinite(p.x), _zero_nonfinite(p.y), p.sign) for p in pairs]
    scales = _safe_scales(finite_pairs)
    if scales == "zero":
        out = np.zeros(full_shape)
        exact_zero = np.ones(full_shape, dtype=bool)
    elif scales is None:
        # Exponents too far apart to scale into a safe range: Python integers throughout.
        out = np.zeros(full_shape)
        exact_zero = np.zeros(full_shape, dtype=bool)
        for index in np.ndindex(*full_shape):
            total = _exact_sum(finite_pairs, index)
            out[index] = _round_to_float64(total)
            exact_zero[index] = total == 0
    else:
        out, exact_zero = _fsum_full(finite_pairs, full_shape, scales)
    _fix_zero_signs(out, exact_zero, pairs)
    _apply_special_values(out, pairs)
    return out


def _zero_nonfinite(x: Array) -> Array:
    """``x`` with inf and NaN replaced by 0; their elements are decided separately."""
    finite = np.isfinite(x)
    return x if finite.all() else np.where(finite, x, 0.0)


def _exponent_range(arrays: list[Array]) -> tuple[int, int] | None:
    """Smallest and largest binary exponent of the nonzero values, or None if all zero."""
    lows, highs = [], []
    for x in arrays:
        nonzero = x[x != 0]
        if nonzero.size:
            exponents = np.frexp(np.abs(nonzero))[1]
            lows.append(int(exponents.min()))
            highs.append(int(exponents.max()))
    if not lows:
        return None
    return min(lows), max(highs)


def _safe_scales(pairs: list[_Bilinear]) -> tuple[int, int] | Literal["zero"] | None:
    """Powers of two for x and y putting every nonzero value in ``2**±_HALF_SPAN``.

    Returns ``"zero"`` when one side is all zeros (every product is zero) and None when
    some operand's values span more than ``2 * _HALF_SPAN`` binades (then no single scale
    is safe).
    """
    x_range = _exponent_range([p.x for p in pairs])
    y_range = _exponent_range([p.y for p in pairs])
    if x_range is None or y_range is None:
        return "zero"
    scales = []
    for low, high in (x_range, y_range):
        if high - low > 2 * _HALF_SPAN - 2:
            return None
        scales.append(-((low + high) // 2))
    return scales[0], scales[1]


def _split(x: Array) -> tuple[Array, Array]:
    """Veltkamp's split: ``x = hi + lo`` exactly, each with at most 26 significant bits."""
    c = _SPLITTER * x
    hi = c - (c - x)
    return hi, x - hi


def _two_product(x: Array, y: Array) -> tuple[Array, Array]:
    """Dekker's TwoProduct: ``x * y = p + e`` exactly, ``p = fl(x * y)``.

    Exact when no product underflows or overflows, which the scaling guarantees.
    """
    p = x * y
    x_hi, x_lo = _split(x)
    y_hi, y_lo = _split(y)
    e = ((x_hi * y_hi - p) + x_hi * y_lo + x_lo * y_hi) + x_lo * y_lo
    return p, e


def _fsum_full(
    pairs: list[_Bilinear], full_shape: tuple[int, ...], scales: tuple[int, int]
) -> tuple[Array, Array]:
    """The vectorised path: exact products, then ``math.fsum`` of each element's terms."""
    x_scale, y_scale = scales
    # Taps run over the operand with fewer elements (convolution is commutative).
    swap = pairs[0].y.size > pairs[0].x.size
    scaled = [
        (
            np.ldexp(p.y if swap else p.x, y_scale if swap else x_scale),
            np.ldexp(p.x if swap else p.y, x_scale if swap else y_scale),
            p.sign,
        )
        for p in pairs
    ]
    taps_shape = scaled[0][1].shape
    taps = math.prod(taps_shape)
    terms_per_element = 2 * taps * len(scaled)
    windows = []
    reverse_taps: tuple[Any, ...] = (Ellipsis, *(slice(None, None, -1),) * len(taps_shape))
    for signal, kernel, sign in scaled:
        padded = np.pad(signal, [(k - 1, k - 1) for k in taps_shape])
        view = sliding_window_view(padded, taps_shape)
        # view[n][t] = signal[n - (K - 1) + t]; reversing t gives signal[n - t].
        windows.append((view[reverse_taps], kernel * sign))
    row_elements = math.prod(full_shape[1:])
    rows_per_chunk = max(1, _CHUNK_BYTES // (8 * 4 * terms_per_element * row_elements))
    out = np.empty(full_shape)
    for start in range(0, full_shape[0], rows_per_chunk):
        stop = min(full_shape[0], start + rows_per_chunk)
        elements = (stop - start) * row_elements
        terms = np.empty((elements, terms_per_element))
        for index, (view, kernel) in enumerate(windows):
            hi, lo = _two_product(view[start:stop], kernel)
            column = 2 * taps * index
            terms[:, column : column + taps] = hi.reshape(elements, taps)
            terms[:, column + taps : column + 2 * taps] = lo.reshape(elements, taps)
        sums = _exact_row_sums(terms)
        out[start:stop] = sums.reshape(stop - start, *full_shape[1:])
    with np.errstate(over="ignore", under="ignore"):
        unscaled = np.ldexp(out, -(x_scale + y_scale))
    # Rounded once in the scaled range; scaling back is exact unless the result is (or was)
    # subnormal, where the second rounding could differ: redo those with integers.
    redo = (out != 0) & ((np.abs(out) < _SMALLEST_NORMAL) | (np.abs(unscaled) < _SMALLEST_NORMAL))
    for position in np.argwhere(redo):
        element = tuple(int(i) for i in position)
        unscaled[element] = _round_to_float64(_exact_sum(pairs, element))
    # Scaled sums of nonzero exact values are never 0 (they are multiples of 2**-1064).
    return unscaled, out == 0


def _exact_row_sums(terms: Array) -> Array:
    """Each row's exact sum, rounded once: vectorised extraction, then ``math.fsum``.

    Rump, Ogita and Oishi's extraction (``ExtractVector`` of their AccSum): with
    ``sigma`` a power of two at least ``2**M`` times every ``|x|`` of a row of ``T``
    terms, ``2**M >= T + 2``, ``q = (sigma + x) - sigma`` and ``x - q`` are exact, every
    ``q`` is a multiple of ``2**-53 * sigma``, so their sum is exact in any order, and the
    remainders are at most ``2**-53 * sigma``.  Each pass moves ``53 - M`` bits of every row
    into one exact float; when the remainders are all zero, ``math.fsum`` rounds the few
    floats of each row once.  The scaled terms are multiples of ``2**-1064``, so keeping
    ``sigma >= 2**-1011`` (normal) leaves no remainder below that grid.
    """
    rows, width = terms.shape
    margin = math.ceil(math.log2(width + 2))
    parts: list[Array] = []
    remainder = terms
    while True:
        largest = np.abs(remainder).max(axis=1)
        if not largest.any():
            break
        exponent = np.frexp(largest)[1]  # largest < 2**exponent
        sigma = np.ldexp(1.0, np.maximum(exponent + margin, _MIN_SIGMA_EXPONENT))[:, None]
        extracted = (sigma + remainder) - sigma
        remainder = remainder - extracted
        parts.append(extracted.sum(axis=1))
    if not parts:
        return np.zeros(rows)
    if len(parts) == 1:
        return parts[0]
    columns = np.stack(parts, axis=1).tolist()
    return np.fromiter(map(math.fsum, columns), dtype=np.float64, count=rows)


# ------------------------------------------------------------ Python-integer path


def _element_terms(
    pairs: list[_Bilinear], index: tuple[int, ...]
) -> Iterator[tuple[float, float, int]]:
    """The factors ``(x[m], y[n - m], sign)`` of every term of full output element ``n``."""
    for pair in pairs:
        for tap in np.ndindex(*pair.y.shape):
            m = tuple(n - t for n, t in zip(index, tap, strict=True))
            if in_box(m, pair.x.shape):
                yield float(pair.x[m]), float(pair.y[tap]), pair.sign


def _exact_sum(pairs: list[_Bilinear], index: tuple[int, ...]) -> Fraction:
    """One element's exact sum, a rational with a power-of-two denominator."""
    total = Fraction(0)
    for x, y, sign in _element_terms(pairs, index):
        if x and y:
            total += sign * Fraction(x) * Fraction(y)
    return total


def _round_to_float64(value: Fraction) -> float:
    """``value`` rounded to nearest float64, ties to even; beyond the range, ±inf.

    ``int / int`` in Python is correctly rounded, subnormals included.
    """
    try:
        return value.numerator / value.denominator
    except OverflowError:
        return math.inf if value > 0 else -math.inf


# -------------------------------------------------------------- zeros and specials


def _count(px: Array, py: Array) -> Array:
    """How many terms of each full output element have ``px`` true on x and ``py`` on y."""
    return convolve(px.astype(np.int64), py.astype(np.int64))


def _fix_zero_signs(out: Array, zeros: Array, pairs: list[_Bilinear]) -> None:
    """Give exact zeros IEEE's sign: ``-0.0`` when every term is ``-0.0``.

    ``zeros`` marks the elements whose exact sum is zero; a nonzero sum that rounds to zero
    keeps the sign of the sum.
    """
    if not zeros.any():
        return
    total = np.zeros(out.shape, dtype=np.int64)
    negative_zero_terms = np.zeros(out.shape, dtype=np.int64)
    for x, y, sign in pairs:
        ones_x, ones_y = np.ones(x.shape, bool), np.ones(y.shape, bool)
        total += _count(ones_x, ones_y)
        zx, zy = x == 0, y == 0
        sx, sy = np.signbit(x), np.signbit(y)
        if sign < 0:  # -(x * y) is -0.0 when x * y is +0.0: flip one factor's sign
            sy = ~sy
        negative_zero_terms += (
            _count(zx & sx, ~sy) + _count(zx & ~sx, sy) + _count(~zx & sx, zy & ~sy)
        ) + _count(~zx & ~sx, zy & sy)
    out[zeros] = np.where(negative_zero_terms[zeros] == total[zeros], -0.0, 0.0)


def _apply_special_values(out: Array, pairs: list[_Bilinear]) -> None:
    """Overwrite elements with an infinite or NaN term by their extended-real sum."""
    if all(np.isfinite(p.x).all() and np.isfinite(p.y).all() for p in pairs):
        return
    nan_terms = np.zeros(out.shape, dtype=np.int64)
    plus_inf = np.zeros(out.shape, dtype=np.int64)
    minus_inf = np.zeros(out.shape, dtype=np.int64)
    for x, y, sign in pairs:
        ones_x, ones_y = np.ones(x.shape, bool), np.ones(y.shape, bool)
        nan_terms += _count(np.isnan(x), ones_y) + _count(ones_x, np.isnan(y))
        nan_terms += _count(x == 0, np.isinf(y)) + _count(np.isinf(x), y == 0)
        x_pos_inf, x_neg_inf = x == np.inf, x == -np.inf
        y_pos_inf, y_neg_inf = y == np.inf, y == -np.inf
        x_pos_finite, x_neg_finite = np.isfinite(x) & (x > 0), np.isfinite(x) & (x < 0)
        positive = (
            _count(x_pos_inf, y > 0)
            + _count(x_neg_inf, y < 0)
            + _count(x_pos_finite, y_pos_inf)
            + _count(x_neg_finite, y_neg_inf)
        )
        negative = (
            _count(x_pos_inf, y < 0)
            + _count(x_neg_inf, y > 0)
            + _count(x_pos_finite, y_neg_inf)
            + _count(x_neg_finite, y_pos_inf)
        )
        if sign < 0:
            positive, negative = negative, positive
        plus_inf += positive
        minus_inf += negative
    out[plus_inf > 0] = np.inf
    out[minus_inf > 0] = -np.inf
    out[(nan_terms > 0) | ((plus_inf > 0) & (minus_inf > 0))] = np.nan
