"""Precisions, error bounds, the tolerance policy and error measurement (NUM-1, NUM-4..NUM-9)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convspec
from convspec import numerics
from convspec.numerics import (
    LOOSE_CLASSES,
    Accuracy,
    bound_for,
    default_accuracy,
    error_bound,
    gamma,
    looseness,
    measure_error,
    precision_of,
    ulp,
)

settings.register_profile("numerics", max_examples=40, deadline=None, derandomize=True)
LEAN = settings.get_profile("numerics")

Array = np.ndarray[Any, np.dtype[Any]]


# -------------------------------------------------------------------- NUM-1


@pytest.mark.parametrize(
    ("precision", "u"),
    [
        (np.float16, 2.0**-11),
        (np.float32, 2.0**-24),
        (np.float64, 2.0**-53),
        (np.complex64, 2.0**-24),
        (np.complex128, 2.0**-53),
        ("bfloat16", 2.0**-8),
        ("tf32", 2.0**-11),
        (np.int32, 0.0),
    ],
)
def test_unit_roundoff(precision: Any, u: float) -> None:
    assert precision_of(precision).unit_roundoff == u


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_precisions_agree_with_numpy(dtype: type[np.floating[Any]]) -> None:
    info, ours = np.finfo(dtype), precision_of(dtype)
    assert ours.unit_roundoff == float(info.eps) / 2
    assert ours.smallest_subnormal == float(info.smallest_subnormal)
    assert ours.largest == float(info.max)


def test_unknown_precision_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'precision'"):
        precision_of("float8")
    with pytest.raises(ValueError, match="'precision'"):
        precision_of(np.bool_)


def test_gamma() -> None:
    u = 2.0**-24
    assert gamma(1, u) == u / (1 - u)
    assert gamma(10, u) == 10 * u / (1 - 10 * u)
    assert gamma(2**24, u) == math.inf
    assert gamma(np.array([1, 2]), u).tolist() == [gamma(1, u), gamma(2, u)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_ulp_is_the_spacing_of_the_format(dtype: type[np.floating[Any]]) -> None:
    rng = np.random.default_rng(0)
    info = np.finfo(dtype)
    values = np.concatenate(
        [
            rng.standard_normal(50).astype(dtype),
            np.array([1.0, 2.0, 0.75, float(info.tiny), float(info.smallest_subnormal)], dtype),
        ]
    )
    values = values[np.isfinite(values)]
    assert (ulp(values, dtype) == np.spacing(np.abs(values)).astype(np.float64)).all()
    assert ulp(0.0, dtype)[()] == float(info.smallest_subnormal)


def test_ulp_in_integer_precision_is_one() -> None:
    assert ulp([5.0, 0.0], np.int64).tolist() == [1.0, 1.0]


# --------------------------------------------------------- NUM-4, NUM-5: direct


def ordered_sum(terms: Array, dtype: Any, order: str) -> Any:
    """Sum float ``terms`` in ``dtype``: forward, backward or pairwise, each step rounded."""
    values = [dtype(t) for t in terms]
    if order == "backward":
        values = values[::-1]
    if order == "pairwise":
        while len(values) > 1:
            pairs = [dtype(values[i] + values[i + 1]) for i in range(0, len(values) - 1, 2)]
            values = pairs + ([values[-1]] if len(values) % 2 else [])
        return values[0]
    total = values[0]
    for value in values[1:]:
        total = dtype(total + value)
    return total


def simulated_direct(a: Array, v: Array, dtype: Any, order: str) -> Array:
    """Full convolution summed in ``dtype`` in a chosen order, every product rounded."""
    out = []
    for n in range(a.size + v.size - 1):
        products = [dtype(a[m] * v[n - m]) for m in range(a.size) if 0 <= n - m < v.size]
        out.append(ordered_sum(np.array(products, dtype=dtype), dtype, order))
    return np.array(out, dtype=dtype)


@LEAN
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([np.float16, np.float32]),
    st.sampled_from(["forward", "backward", "pairwise"]),
    st.sampled_from(["normal", "cancelling", "wide"]),
)
def test_direct_bound_holds_for_any_summation_order(
    seed: int, dtype: Any, order: str, kind: str
) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 30)), int(rng.integers(1, 12))
    a, v = rng.standard_normal(n), rng.standard_normal(k)
    if kind == "cancelling":
        a = 1 + 1e-3 * a
        v = v - v.mean()
    if kind == "wide":
        a = a * 10.0 ** rng.uniform(-3, 3, n)
    a, v = a.astype(dtype), v.astype(dtype)
    computed = simulated_direct(a, v, dtype, order)
    bound = error_bound(a, v, precision=dtype)
    result = measure_error(computed, convspec.exact_convolve(a, v), bound)
    assert result.passed, result.summary()


def test_direct_bound_uses_the_terms_each_element_sums() -> None:
    a, v = np.ones(10, dtype=np.float32), np.ones(4, dtype=np.float32)
    bound = error_bound(a, v)
    counts = np.array([1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 3, 2, 1])
    magnitudes = counts.astype(float)
    expected = gamma(counts, 2.0**-24) * magnitudes
    assert np.allclose(bound, expected, rtol=1e-12, atol=0)
    assert (bound[:3] < bound[3]).all() and bound[3] == bound[4]


def test_integer_operands_have_a_zero_bound() -> None:
    bound = error_bound([1, 2, 3], [4, 5])
    assert bound.tolist() == [0.0] * 4
    # Integers computed in a floating-point precision get that precision's bound.
    assert (error_bound([1, 2, 3], [4, 5], precision=np.float32) > 0).all()


def test_integer_precision_for_float_operands_is_refused() -> None:
    with pytest.raises(ValueError, match="exact integer precision"):
        error_bound([1.0, 2.0], [1.0], precision=np.int64)


def test_complex_bound_covers_both_parts() -> None:
    rng = np.random.default_rng(1)
    a = (rng.standard_normal(40) + 1j * rng.standard_normal(40)).astype(np.complex64)
    v = (rng.standard_normal(9) + 1j * rng.standard_normal(9)).astype(np.complex64)
    exact = convspec.exact_convolve(a, v)
    bound = error_bound(a, v)
    result = measure_error(np.convolve(a, v), exact, bound)
    assert result.passed and result.precision == "float32"
    # Each part alone: twice the terms of a real sum.
    real_only = error_bound(a.real.copy(), v.real.copy())
    assert (bound > real_only).all()


def test_output_rounding_is_added_when_the_result_is_coarser() -> None:
    a = np.linspace(1, 2, 20, dtype=np.float32)
    v = np.array([0.5, 0.25], dtype=np.float32)
    in_float64 = error_bound(a, v, precision=np.float64)
    in_float32 = error_bound(a, v, precision=np.float32)
    assert (in_float64 < in_float32).all()
    # The float64 accumulation still ends in one float32 rounding.
    magnitudes = convspec.convolve(np.abs(a).astype(np.float64), np.abs(v).astype(np.float64))
    assert (in_float64 >= 2.0**-24 * magnitudes).all()


def test_overflow_gives_an_infinite_bound() -> None:
    a = np.array([3e38, 3e38], dtype=np.float32)
    bound = error_bound(a, np.array([1.0, 1.0], dtype=np.float32))
    assert bound.tolist()[1] == math.inf
    assert math.isfinite(bound[0])


def test_bound_of_a_mode_is_its_window() -> None:
    rng = np.random.default_rng(3)
    a, v = rng.standard_normal(11), rng.standard_normal(4)
    full = error_bound(a, v, operation="correlate")
    for mode in ("valid", "same"):
        for alignment in ("lower", "upper"):
            start, length = convspec.mode_window(11, 4, mode, alignment)  # type: ignore[arg-type]
            window = error_bound(a, v, operation="correlate", mode=mode, alignment=alignment)  # type: ignore[arg-type]
            assert window.tolist() == full[start : start + length].tolist()


def test_correlation_bound_uses_the_unflipped_kernel() -> None:
    a = np.array([1.0, 0.0, 0.0, 0.0])
    v = np.array([100.0, 1.0])
    conv, corr = error_bound(a, v), error_bound(a, v, operation="correlate")
    assert conv[0] > conv[1] and corr[0] < corr[1]


def test_bad_arguments_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'operation'"):
        error_bound([1.0], [1.0], operation="dilate")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'method'"):
        error_bound([1.0], [1.0], method="winograd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'mode'"):
        error_bound([1.0], [1.0], mode="wide")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'a'"):
        error_bound([True], [1.0])


# ------------------------------------------------------------------ NUM-6: FFT


@LEAN
@given(st.integers(0, 2**32 - 1), st.sampled_from([np.float32, np.float64]))
def test_fft_bound_holds_for_a_numpy_fft_convolution(seed: int, dtype: Any) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 400)), int(rng.integers(1, 60))
    a = (rng.standard_normal(n) * 10.0 ** rng.uniform(-4, 4, n)).astype(dtype)
    v = rng.standard_normal(k).astype(dtype)
    length = n + k - 1
    # numpy's FFT computes float32 data in float32.
    by_fft = np.fft.irfft(np.fft.rfft(a, length) * np.fft.rfft(v, length), length)
    assert by_fft.dtype == dtype
    bound = error_bound(a, v, method="fft", precision=dtype)
    assert measure_error(by_fft, convspec.exact_convolve(a, v), bound).passed


def test_fft_bound_is_the_same_for_every_element_without_output_rounding() -> None:
    rng = np.random.default_rng(5)
    a, v = rng.standard_normal(100), rng.standard_normal(8)
    bound = error_bound(a, v, method="fft")
    assert np.unique(bound).size == 1


def test_fft_bound_exceeds_the_direct_bound_where_outputs_are_small() -> None:
    a = np.concatenate([np.full(50, 1e6), np.full(50, 1e-6)])
    v = np.ones(3)
    direct, fft = error_bound(a, v), error_bound(a, v, method="fft")
    assert fft[-1] > 1e9 * direct[-1]


# ------------------------------------------------------------- NUM-7: policy


def test_accuracy_normalises_its_precision() -> None:
    declared = Accuracy("fft", np.complex64)
    assert declared.precision == "float32" and declared.inputs is None
    assert Accuracy("direct", "tf32").precision == "tf32"
    assert declared.to_dict() == {
        "method": "fft",
        "precision": "float32",
        "inputs": None,
        "note": "",
        "complex_products": "naive",
    }
    assert "FFT in float32" in declared.describe()


def test_accuracy_refuses_unknown_methods() -> None:
    with pytest.raises(ValueError, match="'method'"):
        Accuracy("winograd", np.float32)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'precision'"):
        Accuracy("direct", "float8")


def test_bound_for_follows_the_declaration() -> None:
    rng = np.random.default_rng(8)
    a = rng.standard_normal(64).astype(np.float32)
    v = rng.standard_normal(5).astype(np.float32)
    for method in ("direct", "fft"):
        declared = Accuracy(method, np.float32)  # type: ignore[arg-type]
        assert (
            bound_for(declared, a, v, "correlate", "same").tolist()
            == error_bound(
                a,
                v,
                operation="correlate",
                mode="same",
                method=method,
                precision=np.float32,  # type: ignore[arg-type]
            ).tolist()
        )
    with pytest.raises(TypeError, match="'declared'"):
        bound_for("direct", a, v)  # type: ignore[arg-type]


def test_exact_class_allows_half_an_ulp() -> None:
    a = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    v = np.array([0.7, 0.9], dtype=np.float32)
    exact = convspec.exact_convolve(a, v)
    bound = bound_for(Accuracy("exact", np.float32), a, v)
    assert (bound == 0.5 * ulp(exact, np.float32)).all()
    correctly_rounded = exact.astype(np.float32)
    assert measure_error(correctly_rounded, exact, bound).passed
    # One ulp off somewhere is not correctly rounded.
    off = correctly_rounded.copy()
    off[1] = np.nextafter(off[1], np.float32(np.inf))
    assert not measure_error(off, exact, bound).passed


def test_loose_classes_are_reported_as_looser() -> None:
    assert looseness(default_accuracy(np.float32), np.float32) is None
    assert looseness(default_accuracy(np.float64, "fft"), np.float64) is None
    for name, declared in LOOSE_CLASSES.items():
        note = looseness(declared, np.float32)
        assert note is not None and "looser class" in note, name
    assert looseness(LOOSE_CLASSES["float16-accumulation"], np.float16) is None
    float32_for_float64 = looseness(Accuracy("direct", np.float32), np.complex128)
    assert float32_for_float64 is not None and "float32" in float32_for_float64


def test_a_looser_class_gets_a_looser_bound() -> None:
    a = np.linspace(-1, 1, 30, dtype=np.float32)
    v = np.array([0.3, -0.7, 0.2], dtype=np.float32)
    strict = bound_for(default_accuracy(np.float32), a, v)
    for declared in LOOSE_CLASSES.values():
        assert (bound_for(declared, a, v) > 100 * strict).all()


# ------------------------------------------------------ NUM-8, NUM-9: measuring


def test_measure_error_figures() -> None:
    exact = np.array([1.0, 2.0, 4.0, 0.0])
    actual = np.array([1.0, 2.0 + 2**-50, 4.0, 2.0**-1070], dtype=np.float64)
    bound = np.array([0.0, 2**-49, 1.0, 2**-1060])
    result = measure_error(actual, exact, bound)
    assert result.passed
    assert result.max_abs_error == 2**-50
    assert result.max_fraction == 0.5
    assert result.worst_index == (1,)
    # 2 ulps at 2.0 (ulp 2**-51); 16 at 0.0, whose ulp is the smallest subnormal 2**-1074.
    assert result.max_ulps == 16.0
    assert result.elements == 4 and result.over_bound == 0 and result.unbounded == 0


def test_measure_error_counts_elements_over_their_bound() -> None:
    exact = np.zeros(5)
    actual = np.array([0.0, 1e-3, 0.0, 2e-3, 0.0])
    result = measure_error(actual, exact, np.full(5, 1e-3))
    assert not result.passed
    assert result.over_bound == 1 and result.worst_index == (3,)
    assert result.max_fraction == 2.0


def test_ulps_are_counted_in_the_results_precision() -> None:
    exact = np.array([1.0])
    result = measure_error(np.array([1 + 2.0**-22], dtype=np.float32), exact, np.array([1.0]))
    assert result.max_ulps == 2.0 and result.precision == "float32"


def test_zero_bound_requires_equality() -> None:
    assert measure_error([3, 4], np.array([3, 4]), 0.0).passed
    failed = measure_error([3, 5], np.array([3, 4]), 0.0)
    assert not failed.passed and failed.max_fraction == math.inf


def test_python_int_results_are_compared_exactly() -> None:
    exact = np.array([2**70, 5], dtype=object)
    assert measure_error(np.array([2**70, 5], dtype=object), exact, 0.0).passed
    off = measure_error(np.array([2**70 + 1, 5], dtype=object), exact, 0.0)
    assert not off.passed and off.max_abs_error == 1.0


@pytest.mark.parametrize(
    ("actual", "passes"),
    [
        ([np.nan, np.inf, -np.inf, 1.0], True),
        ([1.0, np.inf, -np.inf, 1.0], False),  # NaN expected
        ([np.nan, -np.inf, -np.inf, 1.0], False),  # wrong infinity
        ([np.nan, np.nan, -np.inf, 1.0], False),
        ([np.nan, np.inf, -np.inf, np.inf], False),  # infinite where exact is finite
    ],
)
def test_special_values_must_match_exactly(actual: list[float], passes: bool) -> None:
    exact = np.array([np.nan, np.inf, -np.inf, 1.0])
    result = measure_error(np.array(actual), exact, np.full(4, 0.5))
    assert result.passed is passes
    assert result.special_mismatches == (0 if passes else 1)


def test_special_values_are_checked_part_by_part_for_complex() -> None:
    exact = np.array([complex(np.inf, 1.0), complex(2.0, np.nan)])
    good = np.array([complex(np.inf, 5.0), complex(2.5, np.nan)])
    assert measure_error(good, exact, 0.1).passed
    bad = np.array([complex(np.inf, 1.0), complex(2.0, 3.0)])
    result = measure_error(bad, exact, 0.1)
    assert result.special_mismatches == 1 and result.first_special_mismatch == (1,)


def test_an_infinite_bound_accepts_overflow() -> None:
    exact = np.array([4e38, 1.0])
    actual = np.array([np.inf, 1.0], dtype=np.float32)
    assert measure_error(actual, exact, np.array([np.inf, 0.0])).passed
    assert not measure_error(actual, exact, np.array([1e30, 0.0])).passed


def test_measurement_is_json_ready() -> None:
    result = measure_error(np.array([[1.0, 2.5]]), np.array([[1.0, 2.0]]), np.array([[1.0, 1.0]]))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["worst_index"] == [0, 1] and data["passed"] is True
    assert data["max_fraction"] == 0.5
    assert "of bound" in result.summary()


def test_measure_error_refuses_mismatched_input() -> None:
    with pytest.raises(ValueError, match="same shape"):
        measure_error(np.zeros(3), np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="'bound'"):
        measure_error(np.zeros(3), np.zeros(3), -1.0)
    with pytest.raises(TypeError, match="'actual'"):
        measure_error(np.array(["x"]), np.zeros(1), 1.0)


def test_public_names_are_exported() -> None:
    for name in ("exact_convolve", "exact_correlate", "error_bound", "bound_for", "measure_error"):
        assert getattr(convspec, name) is getattr(numerics, name)
    assert convspec.Accuracy is Accuracy


def gauss_direct(a: Array, v: Array) -> Array:
    """Complex convolution in complex64 with Gauss's three real products per term."""
    f32 = np.float32
    out = np.zeros(a.size + v.size - 1, dtype=np.complex64)
    for tap, w in enumerate(v):
        x = a
        c, d = f32(w.real), f32(w.imag)
        t1 = c * (x.real + x.imag)
        re = t1 - x.imag * (c + d)
        im = t1 + x.real * (d - c)
        out[tap : tap + a.size] += (re + 1j * im).astype(np.complex64)
    return out


def test_gauss_complex_products_have_their_own_bound() -> None:
    rng = np.random.default_rng(12)
    a = (rng.standard_normal(300) + 1j * rng.standard_normal(300)).astype(np.complex64)
    v = (rng.standard_normal(20) + 1j * rng.standard_normal(20)).astype(np.complex64)
    exact = convspec.exact_convolve(a, v)
    gauss = error_bound(a, v, complex_products="gauss")
    assert measure_error(gauss_direct(a, v), exact, gauss).passed
    assert (gauss > error_bound(a, v)).all()
    declared = Accuracy("direct", np.complex64, complex_products="gauss")
    assert bound_for(declared, a, v).tolist() == gauss.tolist()
    assert "Gauss" in declared.describe()
    with pytest.raises(ValueError, match="'complex_products'"):
        Accuracy("direct", np.complex64, complex_products="karatsuba")  # type: ignore[arg-type]


def test_fft_bound_of_non_finite_data_is_inf_without_a_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bound = error_bound(np.array([np.inf, 1.0]), np.array([1.0, 1.0]), method="fft")
    assert np.all(np.isinf(bound))
