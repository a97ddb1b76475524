"""The fast path computes the spec's sums: ``convolve == convolve_literal`` and the same for
``correlate``.

Exact equality where the sums are exact (integers, dyadic floats, IEEE special values);
within the direct-summation error bound for arbitrary floats; within one final rounding of
the float64 answer for float16/float32 results.  Ranks 1 to 3, every mode, shapes with
N > K, N == K, N < K and length-1 axes, mixed per axis.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference_support import (
    INTEGER_DTYPES,
    OPERATIONS,
    assert_within_bound,
    direct_sum_bound,
    dyadic_arrays,
    integer_arrays,
    operand_pairs,
    outcome,
    random_arrays,
    shape_pairs,
)

import convspec
from convspec import engine

Array = np.ndarray[Any, np.dtype[Any]]

operations = st.sampled_from(sorted(OPERATIONS))
modes = st.sampled_from(convspec.MODES)


I64 = np.iinfo(np.int64)


@given(operand_pairs(integer_arrays, INTEGER_DTYPES), operations, modes)
@example((np.array([127, -128, 127], np.int8), np.array([-128, -128], np.int8)), "convolve", "full")
@example(
    (np.array([2**32 - 1] * 3, np.uint32), np.array([2**32 - 1], np.uint32)), "correlate", "same"
)
@example((np.array([2**62, 2**62], np.int64), np.array([1], np.int64)), "convolve", "full")
@example((np.array([I64.max, 1], np.int64), np.array([1, 1], np.int64)), "convolve", "full")
@example((np.array([I64.max, I64.max], np.int64), np.array([1, 1], np.int64)), "correlate", "full")
@example((np.array([I64.min], np.int64), np.array([-1], np.int64)), "convolve", "valid")
@example((np.array([2**64 - 1], np.uint64), np.array([2**64 - 1], np.uint64)), "convolve", "full")
@example((np.array([[2**40, -(2**40)]]), np.array([[2**20], [3]])), "correlate", "valid")
def test_integers_exact(case: tuple[Array, Array], operation: str, mode: str) -> None:
    """Integers: int64 results equal to the exact sums, or OverflowError from both."""
    a, v = case
    fast, literal = OPERATIONS[operation]
    got, want = outcome(fast, a, v, mode), outcome(literal, a, v, mode)
    if want is OverflowError:
        assert got is OverflowError
        return
    assert got is not OverflowError
    assert got.dtype == want.dtype == np.int64
    np.testing.assert_array_equal(got, want, strict=True)


def test_integer_paths_are_all_reached() -> None:
    """Cases like the examples above take every integer strategy: float64, int64, Python ints,
    and overflow (checked here, since hypothesis does not report which path a case took)."""
    from convspec.exact import exact_integer_compute_dtype

    cases = [
        (np.array([127], np.int8), np.array([-128], np.int8), np.float64),
        (np.array([2**62], np.int64), np.array([1], np.int64), np.int64),
        (np.array([I64.max, 1]), np.array([1, 1]), object),
    ]
    for a, v, compute in cases:
        assert exact_integer_compute_dtype(a, v) == np.dtype(compute)
    # int64.max + 1 needs a Python int on the way and does not fit at the end.
    with pytest.raises(OverflowError, match=r"convolve\(\)"):
        convspec.convolve(np.array([I64.max, 1]), np.array([1, 1]))
    # int64.max * 1 + 1 * (-1) fits although its terms' bound does not.
    np.testing.assert_array_equal(
        convspec.convolve(np.array([I64.max, 1]), np.array([1, -1])),
        np.array([I64.max, -I64.max + 1, -1]),
    )


@given(
    operand_pairs(dyadic_arrays, ("float32", "float64", "complex64", "complex128")),
    operations,
    modes,
)
@example((np.array([0.5, -0.25, 1024.0]), np.array([0.125])), "convolve", "full")
@example((np.ones((3, 1)), np.ones((1, 3))), "correlate", "same")
@example((np.array([[1.0 + 2j, 3.0]]), np.array([[1.0], [2.0 - 1j]])), "correlate", "full")
def test_dyadic_floats_exact(case: tuple[Array, Array], operation: str, mode: str) -> None:
    """Dyadic data: every sum is exact in float64 in any order, so fast == literal exactly."""
    a, v = case
    fast, literal = OPERATIONS[operation]
    got, want = fast(a, v, mode), literal(a, v, mode)
    assert got.dtype == want.dtype == np.result_type(a, v)
    np.testing.assert_array_equal(got, want, strict=True)


@given(
    st.sampled_from(["float64", "complex128"]).flatmap(
        lambda dtype: operand_pairs(partial(random_arrays, magnitude=1e3), (dtype,))
    ),
    operations,
    modes,
)
@example((np.array([1e-300, 3.0, 1e300]), np.array([1e-10, 7.0])), "correlate", "full")
def test_random_floats_within_bound(case: tuple[Array, Array], operation: str, mode: str) -> None:
    """Arbitrary finite float64 and complex128: they differ only by the order of summation."""
    a, v = case
    fast, literal = OPERATIONS[operation]
    got, want = fast(a, v, mode), literal(a, v, mode)
    assert got.dtype == want.dtype == np.result_type(a, v)
    assert_within_bound(got, want, direct_sum_bound(a, v, operation, mode))


@given(
    st.sampled_from(["float16", "float32", "complex64"]).flatmap(
        lambda dtype: operand_pairs(
            partial(random_arrays, magnitude=8.0 if dtype == "float16" else 1e3), (dtype,)
        )
    ),
    operations,
    modes,
)
def test_narrow_floats_one_rounding(case: tuple[Array, Array], operation: str, mode: str) -> None:
    """float16/float32 keep their dtype and are summed in float64 (NOT-5).

    So the fast result is the float64 answer rounded once: within half an ulp of the result
    dtype, plus the float64 summation bound (and half a subnormal near zero).
    """
    a, v = case
    fast, literal = OPERATIONS[operation]
    dtype = np.result_type(a, v)
    got = fast(a, v, mode)
    assert got.dtype == dtype
    wide = literal(a.astype(np.complex128), v.astype(np.complex128), mode)
    if dtype.kind == "f":
        wide = wide.real
    unit = np.finfo(dtype).eps / 2
    bound = direct_sum_bound(a, v, operation, mode)
    rounding = unit * np.abs(wide) + np.finfo(dtype).smallest_subnormal
    assert_within_bound(got, wide, bound * (1 + unit) + rounding)
    # The literal path rounds the same float64 sums: the two agree as closely.
    assert_within_bound(got, literal(a, v, mode), 2 * (bound * (1 + unit) + rounding))


SPECIALS = [np.inf, -np.inf, np.nan]


@st.composite
def nonfinite_cases(draw: st.DrawFn) -> tuple[Array, Array]:
    """Small dyadic data with at least one inf or NaN planted in one operand or both."""
    a_shape, v_shape = draw(shape_pairs())
    dtype = draw(st.sampled_from(["float64", "complex128"]))
    values = [0.0, 1.0, -1.0, 0.5, -2.0, 3.0, *SPECIALS]
    arrays = []
    for shape in (a_shape, v_shape):
        x = np.zeros(shape, dtype=dtype)
        x.real = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from(values)))
        if dtype == "complex128":
            x.imag = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from(values)))
        arrays.append(x)
    target = draw(st.sampled_from([0, 1]))
    where = draw(st.integers(0, arrays[target].size - 1))
    arrays[target].real.flat[where] = draw(st.sampled_from(SPECIALS))
    return arrays[0], arrays[1]


@given(nonfinite_cases(), operations, modes)
@example((np.array([np.inf, 0.0, 0.0, 1.0]), np.array([1.0, 1.0])), "convolve", "full")
@example((np.array([np.inf, -np.inf]), np.array([1.0, 1.0])), "correlate", "full")
@example((np.array([[np.nan, 1.0], [2.0, 3.0]]), np.array([[1.0]])), "convolve", "same")
@example((np.array([1.0, 2.0]), np.array([0.0, np.inf, 0.0])), "correlate", "valid")
@example((np.array([1e308, 1e308, 1.0]), np.array([10.0, -10.0])), "convolve", "full")
@example((np.array([[1e200, 1.0], [1e200, -1e200]]), np.array([[1e200, 2.0]])), "correlate", "full")
def test_nonfinite_exact(case: tuple[Array, Array], operation: str, mode: str) -> None:
    """inf and NaN come out exactly where the literal sum puts them, and nowhere else (NOT-6).

    The last examples are finite data whose products overflow: each such term is inf.
    """
    a, v = case
    fast, literal = OPERATIONS[operation]
    got, want = fast(a, v, mode), literal(a, v, mode)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want, strict=True)


def test_inf_is_not_spread_by_structural_zeros() -> None:
    """The worked case for the fallback: the sum at n = 2..4 holds no inf at all.

    A Toeplitz product would multiply inf by the matrix's structural zeros and write NaN
    there; the spec's sums run over the overlap only (NOT-3), so they are finite.
    """
    got = convspec.convolve([np.inf, 0.0, 0.0, 1.0], [1.0, 1.0])
    np.testing.assert_array_equal(got, [np.inf, np.inf, 0.0, 1.0, 1.0])
    got = convspec.correlate([1.0, 2.0, 3.0], [np.nan, 0.0])
    np.testing.assert_array_equal(got, [0.0, np.nan, np.nan, np.nan])


@given(
    operand_pairs(dyadic_arrays, ("float64", "complex128")),
    operations,
    modes,
    st.sampled_from([64, 600, 5000]),
    st.sampled_from([1, 400, 2**20]),
)
@example((np.ones((1, 40)), np.ones((1, 3))), "convolve", "full", 64, 2**20)
@example((np.ones((2, 3, 30)), np.ones((2, 2, 3))), "correlate", "valid", 600, 2**20)
@example((np.ones((4, 9)), np.ones((3, 5))), "convolve", "same", 5000, 1)
def test_engine_chunking_exact(
    case: tuple[Array, Array], operation: str, mode: str, chunk_bytes: int, matrix_bytes: int
) -> None:
    """With tiny buffers the engine splits rows and blocks and shortens the blocks (down to
    one output each); the sums stay the same."""
    a, v = case
    fast, literal = OPERATIONS[operation]
    want = literal(a, v, mode)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_CHUNK_BYTES", chunk_bytes)
        patch.setattr(engine, "_MATRIX_BYTES", matrix_bytes)
        patch.setattr(engine, "_BLOCK", 4)
        got = fast(a, v, mode)
    np.testing.assert_array_equal(got, want, strict=True)


EDGE_SHAPES = [
    ((5,), (1,)),  # K = 1
    ((4,), (4,)),  # K = N
    ((3,), (7,)),  # K > N
    ((1,), (1,)),
    ((1, 5), (3, 1)),  # length-1 axes, N > K on one axis and N < K on the other
    ((4, 2), (2, 4)),
    ((2, 6), (5, 3)),  # non-square, mixed
    ((2, 3, 1), (1, 3, 4)),
    ((3, 3, 3), (3, 3, 3)),
    ((1, 1, 1), (2, 2, 2)),
]


@pytest.mark.parametrize(("a_shape", "v_shape"), EDGE_SHAPES)
@pytest.mark.parametrize("mode", convspec.MODES)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_edge_shapes_exact(
    a_shape: tuple[int, ...], v_shape: tuple[int, ...], mode: str, operation: str
) -> None:
    """The shape cases hypothesis is meant to find, made certain; complex dyadic data."""
    rng = np.random.default_rng(len(a_shape) * 100 + sum(a_shape) * 10 + sum(v_shape))
    a = (rng.integers(-9, 10, a_shape) + 1j * rng.integers(-9, 10, a_shape)) / 4
    v = (rng.integers(-9, 10, v_shape) - 1j * rng.integers(-9, 10, v_shape)) / 2
    fast, literal = OPERATIONS[operation]
    np.testing.assert_array_equal(fast(a, v, mode), literal(a, v, mode), strict=True)


LARGER_SHAPES = [
    ((300,), (7,)),
    ((7,), (300,)),
    ((40, 1), (9, 1)),
    ((9, 1), (40, 1)),
    ((3, 50), (4, 2)),
    ((12, 2, 11), (3, 3, 1)),
    ((2, 3, 2, 20), (2, 1, 2, 3)),
]


@pytest.mark.parametrize(("a_shape", "v_shape"), LARGER_SHAPES)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_larger_shapes_exact(
    a_shape: tuple[int, ...], v_shape: tuple[int, ...], operation: str
) -> None:
    """Shapes past the hypothesis sizes: several blocks per line, roles and line axis swapped."""
    rng = np.random.default_rng(sum(a_shape) * 31 + sum(v_shape))
    a = rng.integers(-64, 65, size=a_shape) / 8
    v = rng.integers(-64, 65, size=v_shape) / 4
    fast, literal = OPERATIONS[operation]
    np.testing.assert_array_equal(fast(a, v), literal(a, v), strict=True)


def test_plans_cover_both_roles_and_axes() -> None:
    """The shapes above make the engine pick either operand as kernel, and any line axis."""
    plans = {
        (plan.kernel_is_a, plan.axis == len(a) - 1)
        for a, v in LARGER_SHAPES
        for plan in [engine.plan_toeplitz(a, v)]
    }
    assert plans == {(False, True), (True, True), (False, False), (True, False)}


@pytest.mark.parametrize(
    ("a_shape", "v_shape"),
    [
        ((10**6,), (33,)),
        ((1024, 1024), (7, 7)),
        ((500, 500), (400, 600)),
        ((9, 9, 9), (80, 80, 80)),
    ],
)
@pytest.mark.parametrize("itemsize", [8, 16])
def test_toeplitz_matrix_stays_small(
    a_shape: tuple[int, ...], v_shape: tuple[int, ...], itemsize: int
) -> None:
    """Memory: the planned matrix holds at most _MATRIX_BYTES, or its blocks are one long."""
    plan = engine.plan_toeplitz(a_shape, v_shape, itemsize)
    kernel = a_shape if plan.kernel_is_a else v_shape
    k = kernel[plan.axis]
    matrix_bytes = np.prod(kernel) // k * (plan.block + k - 1) * plan.block * itemsize
    assert plan.block == 1 or matrix_bytes <= engine._MATRIX_BYTES
    assert 1 <= plan.block <= engine._BLOCK


LAYOUTS = {
    "reversed": lambda x: x[(slice(None, None, -1),) * x.ndim],
    "every-other": lambda x: x[(slice(None, None, 2),) * x.ndim],
    "fortran": np.asfortranarray,
    "transposed-copy": lambda x: np.ascontiguousarray(x.T).T,
    "big-endian": lambda x: x.astype(x.dtype.newbyteorder(">")),
    "read-only": lambda x: np.lib.stride_tricks.as_strided(x, writeable=False),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_memory_layouts(layout: str, operation: str) -> None:
    """Views with any strides, Fortran order, big-endian and read-only data: same sums.

    The expectation is computed from fresh copies that are C-ordered, native-endian and
    writable (``astype`` always copies), so no layout reaches both sides.
    """
    rng = np.random.default_rng(7)
    arrange = LAYOUTS[layout]
    a = arrange(rng.integers(-8, 9, size=(9, 12, 14)) / 4)
    v = arrange(rng.integers(-8, 9, size=(3, 4, 5)) / 2)
    fast, _ = OPERATIONS[operation]
    want = fast(*(x.astype(x.dtype.newbyteorder("="), order="C") for x in (a, v)))
    np.testing.assert_array_equal(fast(a, v), want, strict=True)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_longdouble_is_kept(operation: str) -> None:
    """Extended precision is accumulated in itself, not cut to float64."""
    a = np.array([1.0, 2.0**-60, 3.0], dtype=np.longdouble)
    v = np.array([1.0, 1.0], dtype=np.longdouble)
    fast, literal = OPERATIONS[operation]
    got = fast(a, v)
    assert got.dtype == np.longdouble
    np.testing.assert_array_equal(got, literal(a, v), strict=True)


WINDOW_FITS = [
    # full [2**63, 0, -2**63] leaves int64; the valid window [0] does not.
    ((np.array([2**62, 2**62]), np.array([2, -2])), "convolve", "valid", [0]),
    # full [0, -2**63, 0, 0, 2**63]: the 'same' window of a correlation fits.
    ((np.array([2**62] * 3), np.array([2, -2, 0])), "correlate", "same", [-(2**63), 0, 0]),
    # 2-D: full rows [2**63, 0, 0, -2**63] per column; the valid rows are zero.
    ((np.full((3, 2), 2**62), np.array([[2], [-2]])), "convolve", "valid", [[0, 0], [0, 0]]),
]


@pytest.mark.parametrize(("case", "operation", "mode", "want"), WINDOW_FITS)
def test_int64_check_applies_to_the_returned_window(
    case: tuple[Array, Array], operation: str, mode: str, want: list[int]
) -> None:
    """A 'valid' or 'same' result that fits int64 is returned although the full one does not
    fit: by the fast path, the literal path and the exact oracle (NUM-2), all as int64."""
    a, v = case
    fast, literal = OPERATIONS[operation]
    with pytest.raises(OverflowError, match=operation):
        fast(a, v, "full")
    oracle = {"convolve": convspec.exact_convolve, "correlate": convspec.exact_correlate}[operation]
    assert oracle(a, v, "full").dtype == object  # the full exact sums do not fit
    for function in (fast, literal, oracle):
        got = function(a, v, mode)
        assert got.dtype == np.int64, function
        assert got.tolist() == want, function
