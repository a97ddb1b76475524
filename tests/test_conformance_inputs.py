"""Inputs that discriminate, the declared windows, and the spec's worked examples."""

from __future__ import annotations

import numpy as np
import pytest

import convspec
from convspec.conformance.backend import Operation
from convspec.conformance.checks.worked_examples import EXAMPLES
from convspec.conformance.conventions import expectation, window
from convspec.conformance.inputs import assert_discriminating, discriminating


@pytest.mark.parametrize(
    "kernel",
    [
        np.ones((3, 3)),  # all-ones: the ONNX/WebNN blind spot
        np.array([1.0, 2.0, 1.0]),  # symmetric
        np.array([[1.0, 2.0], [2.0, 5.0]]),  # equal to its transpose
        np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]),  # symmetric along axis 0
        np.array([[1.0, 0, 1], [0, 1, 0], [1, 0, 1]]),  # the 2-D slide's kernel
    ],
)
def test_non_discriminating_kernels_are_refused(kernel: np.ndarray) -> None:
    with pytest.raises(AssertionError, match="ND-4"):
        assert_discriminating(kernel)


@pytest.mark.parametrize("shape", [(1,), (2,), (5,), (3, 3), (2, 3), (1, 4), (2, 2, 2), (3, 1, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int8", "int64"])
def test_discriminating_kernels_differ_from_every_flip_and_transpose(shape, dtype) -> None:
    v = discriminating(shape, dtype, np.random.default_rng(1))
    assert v.shape == shape and v.dtype == np.dtype(dtype)
    for axis in range(v.ndim):
        if v.shape[axis] > 1:
            assert not np.array_equal(np.flip(v, axis), v)
    if v.ndim == 2 and v.shape[0] == v.shape[1] > 1:
        assert not np.array_equal(v.T, v)


def _noop(a, v, mode):  # pragma: no cover - never called
    raise AssertionError


@pytest.mark.parametrize("n", range(1, 8))
@pytest.mark.parametrize("k", range(1, 8))
def test_numpy_alignments_match_numpy_itself(n: int, k: int) -> None:
    a = np.arange(1.0, n + 1) * 10.0 ** np.arange(n) % 97 + 1
    v = np.arange(1.0, k + 1) ** 2 + 0.5
    conv = Operation(_noop, flips=True, same_alignment="numpy-convolve")
    corr = Operation(_noop, flips=False, same_alignment="numpy-correlate")
    for mode in ("full", "valid", "same"):
        assert np.allclose(expectation(conv, a, v, mode).values, np.convolve(a, v, mode))
        assert np.allclose(expectation(corr, a, v, mode).values, np.correlate(a, v, mode))


def test_upper_window_starts_at_k_over_2() -> None:
    op = Operation(_noop, flips=True, same_alignment="upper")
    assert window(op, 5, 4, "same") == (2, 5)
    assert window(Operation(_noop, flips=True), 5, 4, "same") == (1, 5)


def test_worked_examples_print_what_the_reference_computes() -> None:
    for example in EXAMPLES:
        printed = convspec.convolve(example.a, example.v, example.mode)  # type: ignore[arg-type]
        assert np.array_equal(printed, example.spec_convolution), example.name


def test_the_slide_kernel_cannot_tell_a_flip_and_the_asymmetric_one_can() -> None:
    slide = next(e for e in EXAMPLES if e.name.startswith("2-D slide"))
    asym = next(e for e in EXAMPLES if e.name.startswith("asymmetric"))
    for example, same in ((slide, True), (asym, False)):
        conv = convspec.convolve(example.a, example.v, "valid")
        corr = convspec.correlate(example.a, example.v, "valid")
        assert np.array_equal(conv, corr) is same
    assert_discriminating(asym.v)
