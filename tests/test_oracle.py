"""The exact oracle (NUM-2, NUM-3): exact integers, correctly rounded floats, special values.

Every float result is checked against an exact ``fractions.Fraction`` sum by the definition
of correct rounding (nearest float64, ties to even), not by another rounding routine.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convspec
from convspec.numerics import exact_dot
from convspec.oracle import exact_convolve, exact_correlate

settings.register_profile("oracle", max_examples=60, deadline=None, derandomize=True)
LEAN = settings.get_profile("oracle")

FLOAT64_MAX = float(np.finfo(np.float64).max)
# Exact values at or beyond this round to infinity (half an ulp above the largest float).
OVERFLOW_THRESHOLD = Fraction(2**1024 - 2**970)


def literal_convolution(a: list[Any], v: list[Any]) -> list[Any]:
    """``c[n] = sum_m a[m] v[n - m]`` with exact arithmetic (Python ints or Fractions)."""
    n_a, n_v = len(a), len(v)
    return [
        sum((a[m] * v[n - m] for m in range(n_a) if 0 <= n - m < n_v), start=0 * a[0])
        for n in range(n_a + n_v - 1)
    ]


def as_fractions(x: np.ndarray[Any, Any]) -> list[Fraction]:
    return [Fraction(float(value)) for value in x.ravel()]


def next_toward(x: float, direction: float) -> float:
    return float(np.nextafter(x, direction))


def is_correctly_rounded(result: float, exact: Fraction) -> bool:
    """Whether ``result`` is ``exact`` rounded to nearest float64, ties to even."""
    if abs(exact) >= OVERFLOW_THRESHOLD:
        return result == (math.inf if exact > 0 else -math.inf)
    if not math.isfinite(result):
        return False
    error = abs(Fraction(result) - exact)
    for direction in (math.inf, -math.inf):
        neighbour = next_toward(result, direction)
        if not math.isfinite(neighbour):
            continue
        other = abs(Fraction(neighbour) - exact)
        if other < error:
            return False
        if other == error:  # a tie: the even significand wins
            mantissa = np.frexp(result)[0] * 2.0**53
            if int(mantissa) % 2:
                return False
    return True


# ------------------------------------------------------------------- integers (NUM-2)


@LEAN
@given(
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=6),
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=6),
)
def test_integers_of_any_size_are_exact(a: list[int], v: list[int]) -> None:
    result = exact_convolve(np.array(a, dtype=np.int64), np.array(v, dtype=np.int64))
    expected = literal_convolution(a, v)
    assert [int(x) for x in result] == expected
    fits = all(-(2**63) <= x < 2**63 for x in expected)
    assert result.dtype == (np.int64 if fits else object)


def test_unsigned_64_bit_extremes_are_exact() -> None:
    top = 2**64 - 1
    result = exact_correlate(np.array([top, 1], dtype=np.uint64), np.array([top], dtype=np.uint64))
    assert result.tolist() == [top * top, top]


@LEAN
@given(
    st.lists(st.integers(-1000, 1000), min_size=1, max_size=8),
    st.lists(st.integers(-1000, 1000), min_size=1, max_size=8),
)
def test_small_integers_give_int64(a: list[int], v: list[int]) -> None:
    result = exact_convolve(np.array(a, dtype=np.int16), np.array(v, dtype=np.int16))
    assert result.dtype == np.int64
    assert result.tolist() == literal_convolution(a, v)


# -------------------------------------------------------------- floats (NUM-3)

any_float = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True, width=64)
tiny_or_huge = st.one_of(
    any_float,
    st.floats(min_value=-1e-300, max_value=1e-300, allow_subnormal=True),
    st.sampled_from([5e-324, -5e-324, 2.0**-1022, 1e308, -1e308, 0.0, -0.0, 1.0]),
)


@LEAN
@given(
    st.lists(tiny_or_huge, min_size=1, max_size=6),
    st.lists(tiny_or_huge, min_size=1, max_size=5),
)
def test_floats_are_correctly_rounded(a: list[float], v: list[float]) -> None:
    a_arr, v_arr = np.array(a), np.array(v)
    result = exact_convolve(a_arr, v_arr)
    exact = literal_convolution(as_fractions(a_arr), as_fractions(v_arr))
    assert result.dtype == np.float64
    for got, want in zip(result.tolist(), exact, strict=True):
        assert is_correctly_rounded(got, want), (got, want)


@LEAN
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=12), st.integers(0, 2**32 - 1))
def test_cancellation_is_exact(values: list[float], seed: int) -> None:
    """Signals that repeat themselves: differences cancel exactly or nearly so."""
    rng = np.random.default_rng(seed)
    base = np.array(values)
    a = np.concatenate([base, base * (1 + 2.0**-40), -base])
    v = np.array([1.0, rng.standard_normal(), -1.0])
    result = exact_convolve(a, v)
    exact = literal_convolution(as_fractions(a), as_fractions(v))
    for got, want in zip(result.tolist(), exact, strict=True):
        assert is_correctly_rounded(got, want)


def test_subnormal_results_are_rounded_once() -> None:
    """Results in the subnormal range, where a scaled computation could round twice."""
    a = np.array([3 * 2.0**-1074, 2.0**-1060, 2.0**-600])
    v = np.array([0.75, 2.0**-20, 2.0**-470])
    result = exact_convolve(a, v)
    exact = literal_convolution(as_fractions(a), as_fractions(v))
    for got, want in zip(result.tolist(), exact, strict=True):
        assert is_correctly_rounded(got, want)
    assert result[0] == 2 * 2.0**-1074  # 2.25 subnormal units round to 2


def test_results_beyond_float64_round_to_infinity() -> None:
    result = exact_convolve(np.array([1e308, 1e308]), np.array([10.0, -10.0]))
    assert result.tolist() == [math.inf, 0.0, -math.inf]


@LEAN
@given(st.integers(0, 2**32 - 1), st.sampled_from([np.float16, np.float32, np.float64]))
def test_any_input_precision_gives_the_float64_rounding_of_its_exact_sum(
    seed: int, dtype: type[np.floating[Any]]
) -> None:
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(9) * 4).astype(dtype)
    v = (rng.standard_normal(4) * 4).astype(dtype)
    result = exact_convolve(a, v)
    assert result.dtype == np.float64
    exact = literal_convolution(as_fractions(a), as_fractions(v))
    # float(Fraction) divides two ints: correctly rounded, ties to even.
    assert result.tolist() == [float(x) for x in exact]


@LEAN
@given(st.integers(0, 2**32 - 1))
def test_complex_parts_are_each_rounded_once(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-20, 20, size=(2, 6))
    a = rng.standard_normal(6) * scale[0] + 1j * rng.standard_normal(6) * scale[1]
    v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    result = exact_correlate(a, v)
    assert result.dtype == np.complex128
    conj_v = np.conjugate(v)
    for i, got in enumerate(result.tolist()):
        lag = i - (len(v) - 1)
        terms = [(a[n + lag], conj_v[n]) for n in range(len(v)) if 0 <= n + lag < len(a)]
        real = sum(
            (Fraction(x.real) * Fraction(y.real) - Fraction(x.imag) * Fraction(y.imag))
            for x, y in terms
        )
        imag = sum(
            (Fraction(x.real) * Fraction(y.imag) + Fraction(x.imag) * Fraction(y.real))
            for x, y in terms
        )
        assert is_correctly_rounded(got.real, Fraction(real))
        assert is_correctly_rounded(got.imag, Fraction(imag))


def test_two_dimensional_sums_are_exact() -> None:
    rng = np.random.default_rng(11)
    a = rng.standard_normal((4, 5)) * 10.0 ** rng.integers(-8, 8, (4, 5))
    v = rng.standard_normal((3, 2))
    result = exact_convolve(a, v)
    assert result.shape == (6, 6)
    for n0, n1 in np.ndindex(*result.shape):
        total = sum(
            (
                Fraction(a[m0, m1]) * Fraction(v[n0 - m0, n1 - m1])
                for m0 in range(4)
                for m1 in range(5)
                if 0 <= n0 - m0 < 3 and 0 <= n1 - m1 < 2
            ),
            start=Fraction(0),
        )
        assert is_correctly_rounded(float(result[n0, n1]), total)


def test_large_case_agrees_with_the_fast_path_within_float64_rounding() -> None:
    rng = np.random.default_rng(5)
    a, v = rng.standard_normal(3000), rng.standard_normal(40)
    exact = exact_convolve(a, v)
    bound = convspec.error_bound(a, v)
    assert (np.abs(convspec.convolve(a, v) - exact) <= bound).all()


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("alignment", ["lower", "upper"])
def test_modes_are_windows_of_the_exact_full_result(mode: str, alignment: str) -> None:
    rng = np.random.default_rng(2)
    a, v = rng.standard_normal(9), rng.standard_normal(4)
    full = exact_convolve(a, v)
    start, length = convspec.mode_window(9, 4, mode, alignment)  # type: ignore[arg-type]
    if mode != "same" and alignment != "lower":  # an alignment chooses a 'same' window only
        with pytest.raises(ValueError, match=r"argument 'alignment'.*mode 'same' only"):
            exact_convolve(a, v, mode, alignment=alignment)  # type: ignore[arg-type]
        return
    windowed = exact_convolve(a, v, mode, alignment=alignment)  # type: ignore[arg-type]
    assert windowed.tolist() == full[start : start + length].tolist()


def test_correlation_is_convolution_with_the_flipped_conjugate() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal(7) + 1j * rng.standard_normal(7)
    v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    assert exact_correlate(a, v).tolist() == exact_convolve(a, np.conj(v[::-1])).tolist()


def test_exact_dot_keeps_what_float64_summation_loses() -> None:
    assert exact_dot([1e100, 1.0, -1e100], [1.0, 1.0, 1.0]) == 1.0
    with pytest.raises(ValueError, match="same size"):
        exact_dot([1.0, 2.0], [1.0])


# ------------------------------------------------------- special values (NUM-3)

special_or_small = st.one_of(
    st.integers(-3, 3).map(float),
    st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0]),
)


def _same_special_pattern(result: np.ndarray[Any, Any], literal: np.ndarray[Any, Any]) -> None:
    assert (np.isnan(result) == np.isnan(literal)).all()
    finite_or_inf = ~np.isnan(literal)
    assert (result[finite_or_inf] == literal[finite_or_inf]).all()


@LEAN
@given(
    st.lists(special_or_small, min_size=1, max_size=6),
    st.lists(special_or_small, min_size=1, max_size=4),
)
def test_special_values_follow_the_literal_sums(a: list[float], v: list[float]) -> None:
    """Small-integer finite values: the literal's float64 sums are exact, so all must agree."""
    _same_special_pattern(exact_convolve(a, v), convspec.convolve_literal(a, v))
    _same_special_pattern(exact_correlate(a, v), convspec.correlate_literal(a, v))


@LEAN
@given(
    st.lists(st.tuples(special_or_small, special_or_small), min_size=1, max_size=4),
    st.lists(st.tuples(special_or_small, special_or_small), min_size=1, max_size=3),
)
def test_complex_special_values_follow_the_literal_part_by_part(
    a: list[tuple[float, float]], v: list[tuple[float, float]]
) -> None:
    a_arr = np.array([complex(*z) for z in a])
    v_arr = np.array([complex(*z) for z in v])
    result, literal = exact_convolve(a_arr, v_arr), convspec.convolve_literal(a_arr, v_arr)
    _same_special_pattern(result.real, literal.real)
    _same_special_pattern(result.imag, literal.imag)


def test_exact_zero_has_the_sign_ieee_addition_gives() -> None:
    result = exact_convolve([-0.0, 1.0], [1.0, -1.0])
    assert [math.copysign(1, x) for x in result.tolist()] == [-1.0, 1.0, -1.0]
    assert result.tolist() == [0.0, 1.0, -1.0]
    # A nonzero sum too small for any float rounds to a zero of its own sign.
    tiny = exact_convolve([-(2.0**-1074)], [0.25])
    assert tiny[0] == 0 and math.copysign(1, tiny[0]) == -1.0


def test_rejects_what_the_reference_rejects() -> None:
    with pytest.raises(TypeError, match="exact_convolve"):
        exact_convolve([True, False], [1, 2])
    with pytest.raises(ValueError, match="mode"):
        exact_correlate([1.0], [1.0], mode="wide")  # type: ignore[arg-type]
    if np.dtype(np.longdouble).itemsize > 8:
        with pytest.raises(TypeError, match="at most 64 bits"):
            exact_convolve(np.ones(2, dtype=np.longdouble), [1.0])


def test_python_ints_beyond_int64_are_exact_as_the_overflow_error_advises() -> None:
    with pytest.raises(OverflowError, match="object"):
        convspec.convolve(np.array([2**62, 2**62]), np.array([2, 2]))
    big = np.array([2**70, 1], dtype=object)
    assert list(convspec.exact_convolve(big, np.array([3, 1], dtype=object))) == [
        3 * 2**70,
        2**70 + 3,
        1,
    ]
    assert list(convspec.exact_convolve([2**64 - 1, 1], [1])) == [2**64 - 1, 1]  # not 2**64
    fits = convspec.exact_convolve(np.array([2**62, 2**62], dtype=object), [2, -2], "valid")
    assert fits.dtype == np.int64 and fits.tolist() == [0]
    with pytest.raises(TypeError, match="combine only with integer operands"):
        convspec.exact_convolve(big, [1.5])


@pytest.mark.parametrize("bad", [["a"], [None], [np.datetime64("2026-01-01")]])
def test_exact_dot_takes_real_numbers_only(bad: list[object]) -> None:
    with pytest.raises(TypeError, match="exact_dot\\(\\): argument 'x'"):
        exact_dot(bad, [1.0])
