"""The checks have teeth: wrong backends are rejected, correct libraries are accepted.

A check measures a backend's result against the exact oracle and the bound of the class the
backend declares (NUM-7, NUM-9).  Three wrong backends (one element perturbed just beyond its
bound, float32 data accumulated in float16, one kernel tap dropped) must fail; numpy, scipy
(direct and FFT), torch and jax must pass on random and cancellation-heavy data.  The
libraries and the cases are those of ``bench/accuracy.py``, which measures the same thing at
length for the docs.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import convspec
from convspec.numerics import LOOSE_CLASSES, Accuracy, bound_for, looseness, measure_error

Array = np.ndarray[Any, np.dtype[Any]]


def _load_accuracy_bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("convspec_bench_accuracy", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


accuracy = _load_accuracy_bench()


def random_operands(dtype: Any, n: int = 500, k: int = 32, seed: int = 0) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n).astype(dtype), rng.standard_normal(k).astype(dtype)


def check(actual: Array, a: Array, v: Array, declared: Accuracy) -> Any:
    """What a conformance check does: exact values, the declared bound, the measurement."""
    exact = convspec.exact_convolve(a, v)
    return measure_error(actual, exact, bound_for(declared, a, v))


# ---------------------------------------------------------------- wrong backends


def perturbed_backend(a: Array, v: Array, index: int) -> Array:
    """numpy's result with element ``index`` moved to just beyond its bound."""
    result = np.convolve(a, v)
    exact = convspec.exact_convolve(a, v)[index]
    bound = bound_for(Accuracy("direct", a.dtype), a, v)[index]
    value = result.dtype.type(exact + bound)
    while abs(float(value) - exact) <= bound:  # the next representable value past the bound
        value = np.nextafter(value, result.dtype.type(np.inf))
    result[index] = value
    return result


def float16_accumulating_backend(a: Array, v: Array) -> Array:
    """Direct convolution with every product and sum rounded to float16, returned as float32."""
    a16, v16 = a.astype(np.float16), v.astype(np.float16)
    out = np.zeros(a.size + v.size - 1, dtype=np.float16)
    for tap, weight in enumerate(v16):
        out[tap : tap + a.size] = out[tap : tap + a.size] + a16 * weight
    return out.astype(a.dtype)


def dropped_tap_backend(a: Array, v: Array, tap: int) -> Array:
    """Convolution that forgets one kernel tap."""
    kernel = v.copy()
    kernel[tap] = 0
    return np.convolve(a, kernel)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_element_just_beyond_its_bound_is_rejected(dtype: Any) -> None:
    a, v = random_operands(dtype)
    index = 300
    result = check(perturbed_backend(a, v, index), a, v, Accuracy("direct", dtype))
    assert not result.passed
    assert result.over_bound == 1 and result.worst_index == (index,)
    assert 1 < result.max_fraction < 1.01


def test_float16_accumulation_of_float32_data_is_rejected() -> None:
    a, v = random_operands(np.float32)
    wrong = float16_accumulating_backend(a, v)
    result = check(wrong, a, v, Accuracy("direct", np.float32))
    assert not result.passed
    assert result.max_fraction > 100
    # Declared honestly, the same backend passes, and the report says it is looser.
    honest = LOOSE_CLASSES["float16-accumulation"]
    assert check(wrong, a, v, honest).passed
    assert "looser class" in (looseness(honest, np.float32) or "")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tap", [0, 13, 31])
def test_a_dropped_kernel_tap_is_rejected(dtype: Any, tap: int) -> None:
    a, v = random_operands(dtype)
    result = check(dropped_tap_backend(a, v, tap), a, v, Accuracy("direct", dtype))
    assert not result.passed
    assert result.over_bound > a.size // 2


def test_a_dropped_tap_is_rejected_even_under_the_fft_bound() -> None:
    a, v = random_operands(np.float32)
    result = check(dropped_tap_backend(a, v, 5), a, v, Accuracy("fft", np.float32))
    assert not result.passed


def test_direct_results_misdeclared_as_exact_are_rejected() -> None:
    a, v = random_operands(np.float32)
    result = check(np.convolve(a, v), a, v, Accuracy("exact", np.float32))
    assert not result.passed


# ------------------------------------------------------------ correct libraries

ENTRIES, SKIPPED = accuracy.library_entries()
EXPECTED = [
    "numpy.convolve",
    "numpy.correlate",
    "scipy.signal.convolve (direct)",
    "scipy.signal.correlate (direct)",
    "scipy.signal.convolve (fft)",
    "scipy.signal.correlate (fft)",
    "torch conv1d (CPU)",
    "jax.numpy.convolve",
    "jax.numpy.correlate",
    "scipy.ndimage.convolve1d",
    "scipy.ndimage.correlate1d",
    "cv2.sepFilter2D (one row)",
    "astropy.convolution.convolve",
    "astropy.convolution.convolve_fft",
    "tf.nn.conv1d (CPU)",
    "ONNX Conv (onnxruntime CPU)",
    "jax.lax.conv_general_dilated",
    "ONNX Conv (onnx.reference)",
]
CASES = [case for case in accuracy.random_cases(40, seed=7) if case.a.size * case.v.size < 2e5][:10]


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("name", EXPECTED)
def test_correct_libraries_are_accepted(name: str, dtype: str) -> None:
    library = next((entry for entry in ENTRIES if entry.name == name), None)
    if library is None:
        package = name.split(".")[0].split(" ")[0]
        pytest.skip(f"{package}: {SKIPPED.get(package, 'not available')}")
    if not library.runs(dtype):
        pytest.skip(f"{name} does not take {dtype}")
    complex_data = dtype.startswith("complex")
    declared = Accuracy(library.method, dtype, complex_products=library.complex_products)
    kinds = set()
    for case in CASES[:5] if complex_data else CASES:
        a, v = case.a, case.v
        if complex_data:
            a, v = a + 1j * a[::-1], v + 1j * v[::-1]
        a, v = a.astype(dtype), v.astype(dtype)
        exact = accuracy._exact(library, a, v, {})
        bound = bound_for(declared, a, v, library.operation)
        result = measure_error(np.asarray(library.compute(a, v)), exact, bound)
        assert result.passed, f"{name} {dtype} {case.label}: {result.summary()}"
        kinds.add(case.kind)
    assert {"difference", "pairs"} <= kinds  # cancellation-heavy data was among the cases


@pytest.mark.parametrize("name", ["torch conv1d (CPU)", "jax.numpy.correlate"])
def test_three_multiplication_complex_products_exceed_the_four_product_bound(name: str) -> None:
    """torch and jax form complex products with Gauss's formula: the default class fails."""
    library = next((entry for entry in ENTRIES if entry.name == name), None)
    if library is None:
        pytest.skip(f"{name} not available")
    rng = np.random.default_rng(0)
    worst = {"naive": 0.0, "gauss": 0.0}
    n, k = 16, 3  # one shape: jax compiles once
    for _ in range(60):
        a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
        v = (rng.standard_normal(k) + 1j * rng.standard_normal(k)).astype(np.complex64)
        actual = np.asarray(library.compute(a, v))
        exact = accuracy._exact(library, a, v, {})
        for products in worst:
            declared = Accuracy("direct", np.complex64, complex_products=products)  # type: ignore[arg-type]
            result = measure_error(actual, exact, bound_for(declared, a, v, "correlate"))
            worst[products] = max(worst[products], result.max_fraction)
    assert worst["naive"] > 1 > worst["gauss"]


def test_docs_page_shows_the_committed_measurements() -> None:
    """docs/reference/accuracy.md holds the table bench/accuracy.py made from the JSON."""
    data = json.loads(accuracy.JSON_PATH.read_text())
    page = accuracy.PAGE_PATH.read_text()
    assert data["schema_version"] == accuracy.SCHEMA_VERSION
    assert accuracy.markdown_table(data) in page
    assert all(row["cases_over_bound"] == 0 for row in data["rows"])
