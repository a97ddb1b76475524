"""Strategies and helpers shared by the reference implementation's tests (tests/test_reference_*).

Shapes stay small: the literal sums cost one Python step per term.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import convspec
from convspec.exact import term_count_bound

Array = np.ndarray[Any, np.dtype[Any]]

#: Longest axis per rank: the literal sums of a full output cost prod(N + K - 1) * prod(N).
MAX_SIDE = {1: 9, 2: 5, 3: 3}

INTEGER_DTYPES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
FLOAT_DTYPES = ("float16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")

OPERATIONS = {
    "convolve": (convspec.convolve, convspec.convolve_literal),
    "correlate": (convspec.correlate, convspec.correlate_literal),
}


@st.composite
def shape_pairs(draw: st.DrawFn, ranks: tuple[int, ...] = (1, 2, 3)) -> tuple[tuple[int, ...], ...]:
    """Shapes ``(a_shape, v_shape)`` of equal rank: per axis N > K, N == K, N < K, length 1."""
    rank = draw(st.sampled_from(ranks))
    side = st.integers(1, MAX_SIDE[rank])
    a_shape = tuple(draw(side) for _ in range(rank))
    v_shape = tuple(draw(side) for _ in range(rank))
    return a_shape, v_shape


ArrayMaker = Callable[[str, tuple[int, ...]], st.SearchStrategy[Array]]


@st.composite
def operand_pairs(
    draw: st.DrawFn, make: ArrayMaker, dtypes: Sequence[str], ranks: tuple[int, ...] = (1, 2, 3)
) -> tuple[Array, Array]:
    """``(a, v)`` of drawn shapes; each of a dtype drawn from ``dtypes``, values by ``make``."""
    a_shape, v_shape = draw(shape_pairs(ranks))
    a = draw(make(draw(st.sampled_from(dtypes)), a_shape))
    v = draw(make(draw(st.sampled_from(dtypes)), v_shape))
    return a, v


@st.composite
def integer_arrays(draw: st.DrawFn, dtype: str, shape: tuple[int, ...]) -> Array:
    """Integers of ``dtype``: a drawn magnitude (up to the dtype's extremes) and its edges."""
    info = np.iinfo(dtype)
    bits = draw(st.sampled_from([1, 4, 7, 8, 15, 16, 26, 31, 32, 52, 62, 63, 64]))
    low, high = max(int(info.min), -(2**bits)), min(int(info.max), 2**bits)
    edges = st.sampled_from(sorted({low, high, 0, min(1, high), max(-1, low)}))
    elements = st.one_of(edges, st.integers(low, high))
    return draw(hnp.arrays(np.dtype(dtype), shape, elements=elements))


@st.composite
def dyadic_arrays(draw: st.DrawFn, dtype: str, shape: tuple[int, ...]) -> Array:
    """Integers in [-2**10, 2**10] times 2**-k, k <= 8: every sum of products is exact.

    A product needs at most 21 significant bits and all of them lie between 2**20 and 2**-16,
    so any sum of fewer than 2**16 products is exact in float64 (53 bits), in any order.
    """
    scale = 2.0 ** -draw(st.integers(0, 8))
    ints = st.integers(-(2**10), 2**10)
    real = draw(hnp.arrays(np.int64, shape, elements=ints)) * scale
    if np.dtype(dtype).kind == "c":
        real = real + 1j * draw(hnp.arrays(np.int64, shape, elements=ints)) * scale
    return real.astype(dtype)


def random_arrays(dtype: str, shape: tuple[int, ...], magnitude: float) -> st.SearchStrategy[Array]:
    """Finite values of ``dtype`` with ``|x| <= magnitude`` (subnormals included)."""
    width = np.dtype(dtype).itemsize * 8  # hypothesis counts a complex's width as numpy does
    if np.dtype(dtype).kind == "c":
        elements: st.SearchStrategy[Any] = st.complex_numbers(
            max_magnitude=magnitude, allow_nan=False, allow_infinity=False, width=width
        )
    else:
        elements = st.floats(-magnitude, magnitude, allow_nan=False, width=width)
    return hnp.arrays(np.dtype(dtype), shape, elements=elements)


def outcome(func: Any, a: Any, v: Any, mode: str) -> Any:
    """The result of ``func(a, v, mode)``, or the class ``OverflowError`` if it raised one."""
    try:
        return func(a, v, mode)
    except OverflowError:
        return OverflowError


def direct_sum_bound(a: Array, v: Array, operation: str, mode: str) -> Array:
    """Bound on ``|fast - literal|`` for the float64 sums of ``operation`` in ``mode``.

    Each of the two computes every output as a sum of the same ``n`` products in some order,
    so each is within ``sqrt(2) * gamma_(n+2) * sum |a||v|`` of the exact value (Higham,
    2nd ed., section 3.6; the ``+ 2`` and ``sqrt(2)`` cover complex products); their
    difference is within twice that.  Products that fall below the normal range lose up to
    half the smallest subnormal each, hence the absolute term.
    """
    unit = np.finfo(np.float64).eps / 2
    terms = term_count_bound(a.shape, v.shape) + 2
    gamma = terms * unit / (1 - terms * unit)
    literal = OPERATIONS[operation][1]
    magnitudes = literal(np.abs(a).astype(np.float64), np.abs(v).astype(np.float64), mode)
    tiny = terms * np.finfo(np.float64).smallest_subnormal
    return 2 * (math.sqrt(2) * gamma * magnitudes * (1 + 4 * unit) + tiny)


def assert_within_bound(fast: Array, literal: Array, bound: Array) -> None:
    """``|fast - literal| <= bound`` elementwise, with the worst offender in the message."""
    error = np.abs(fast.astype(np.complex128) - literal.astype(np.complex128))
    excess = error - bound
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
    assert np.all(error <= bound), (
        f"|fast - literal| exceeds the direct-summation bound at {worst}: "
        f"fast={fast[worst]!r}, literal={literal[worst]!r}, bound={bound[worst]!r}"
    )
