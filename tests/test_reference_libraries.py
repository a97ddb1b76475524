"""Agreement with numpy and scipy on random data, where the conventions are shared.

``numpy.convolve``/``numpy.correlate`` (1-D): full and valid, and same when ``K <= N`` (numpy's
same has length ``max(N, K)``, so it is the spec's window only then).  ``scipy.signal.convolve``
and ``correlate`` with ``method="direct"`` (N-D): full, same, and valid when one operand is at
least as large on every axis (scipy rejects the rest).  Both libraries sum the same products
in float64, so the difference is bounded by the direct-summation bound.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import assume, given
from hypothesis import strategies as st
from reference_support import (
    assert_within_bound,
    direct_sum_bound,
    operand_pairs,
    random_arrays,
)

import convspec

Array = np.ndarray[Any, np.dtype[Any]]
RANDOM = partial(random_arrays, magnitude=1e3)
FLOATS = ("float64", "complex128")

try:
    import scipy.signal as scipy_signal
except ImportError:  # scipy is an optional extra
    scipy_signal = None


def shares_same_window_with_numpy(a: Array, v: Array) -> bool:
    """numpy's same mode has length max(N, K): it is the spec's window only when K <= N."""
    return v.shape[0] <= a.shape[0]


def scipy_accepts_valid(a: Array, v: Array) -> bool:
    """scipy's valid mode needs one operand at least as large as the other on every axis."""
    pairs = list(zip(a.shape, v.shape, strict=True))
    return all(n >= k for n, k in pairs) or all(n <= k for n, k in pairs)


@given(operand_pairs(RANDOM, FLOATS, ranks=(1,)), st.sampled_from(convspec.MODES))
def test_agrees_with_numpy(pair: tuple[Array, Array], mode: str) -> None:
    a, v = pair
    assume(mode != "same" or shares_same_window_with_numpy(a, v))
    assert_within_bound(
        convspec.convolve(a, v, mode),
        np.convolve(a, v, mode),
        direct_sum_bound(a, v, "convolve", mode),
    )
    assert_within_bound(
        convspec.correlate(a, v, mode),
        np.correlate(a, v, mode),
        direct_sum_bound(a, v, "correlate", mode),
    )


@pytest.mark.skipif(scipy_signal is None, reason="scipy is not installed")
@given(operand_pairs(RANDOM, FLOATS), st.sampled_from(convspec.MODES))
def test_agrees_with_scipy_signal(pair: tuple[Array, Array], mode: str) -> None:
    a, v = pair
    assume(mode != "valid" or scipy_accepts_valid(a, v))
    for operation, ours, theirs in [
        ("convolve", convspec.convolve, scipy_signal.convolve),
        ("correlate", convspec.correlate, scipy_signal.correlate),
    ]:
        assert_within_bound(
            ours(a, v, mode),
            theirs(a, v, mode, method="direct"),
            direct_sum_bound(a, v, operation, mode),
        )
