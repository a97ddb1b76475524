"""The spec's worked examples, exact, from both implementations.

The seed's 1-D sum, the 2-D slide (whose kernel cannot tell a flip), an asymmetric 2-D
kernel that can, and int8 exactness: each must come out to the last bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import convspec

Array = np.ndarray[Any, np.dtype[Any]]

CONVOLVES = pytest.mark.parametrize(
    "convolve", [convspec.convolve, convspec.convolve_literal], ids=["fast", "literal"]
)
CORRELATES = pytest.mark.parametrize(
    "correlate", [convspec.correlate, convspec.correlate_literal], ids=["fast", "literal"]
)

IMAGE = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0],
    ]
)
CROSS = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


@CONVOLVES
def test_seed_example(convolve: Any) -> None:
    """The seed's sum: [1, 0.5, 1, 1] * [1, 0.5, 0.25] = [1, 1, 1.5, 1.625, 0.75, 0.25]."""
    got = convolve([1, 0.5, 1, 1], [1, 0.5, 0.25])
    np.testing.assert_array_equal(got, np.array([1, 1, 1.5, 1.625, 0.75, 0.25]), strict=True)


@CONVOLVES
@CORRELATES
def test_2d_slide(convolve: Any, correlate: Any) -> None:
    """The 5x5 image and the X-shaped kernel, valid mode; the kernel is its own flip."""
    want = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]], dtype=np.int64)
    np.testing.assert_array_equal(correlate(IMAGE, CROSS, "valid"), want, strict=True)
    np.testing.assert_array_equal(convolve(IMAGE, CROSS, "valid"), want, strict=True)
    np.testing.assert_array_equal(convspec.flip(CROSS), CROSS)


@CONVOLVES
@CORRELATES
def test_asymmetric_kernel_tells_convolution_from_correlation(
    convolve: Any, correlate: Any
) -> None:
    """ND-4: with a kernel unequal to its flip, convolution and correlation differ."""
    kernel = np.array([[1, 2], [3, 4]])
    correlated = correlate(IMAGE, kernel, "valid")
    convolved = convolve(IMAGE, kernel, "valid")
    assert correlated[0, 0] == 1 * 1 + 1 * 2 + 0 * 3 + 1 * 4
    assert convolved[0, 0] == 1 * 4 + 1 * 3 + 0 * 2 + 1 * 1
    assert not np.array_equal(correlated, convolved)
    np.testing.assert_array_equal(convolved, correlate(IMAGE, convspec.flip(kernel), "valid"))


@CONVOLVES
@CORRELATES
def test_int8_is_exact_not_wrapped(convolve: Any, correlate: Any) -> None:
    """int8 [100, 100] with [2, 2] is [200, 400, 200] in int64; numpy would wrap to -112."""
    a, v = np.array([100, 100], np.int8), np.array([2, 2], np.int8)
    want = np.array([200, 400, 200], dtype=np.int64)
    np.testing.assert_array_equal(convolve(a, v), want, strict=True)
    np.testing.assert_array_equal(correlate(a, v), want, strict=True)
