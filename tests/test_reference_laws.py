"""The algebraic laws of the spec hold for both implementations, exactly.

Data are Gaussian integers (``int + 1j * int``) or plain integers, so every sum is exact and
every law is checked with ``==``: commutativity (CONV-3), the flip identity (CORR-4), the
swap law (CORR-3), Hermitian autocorrelation (CPLX-2), linearity and shift equivariance
(CONV-5), modes as windows of full (MODE-1 .. MODE-6), the flip (ND-1, ND-2), impulse
responses (CONV-4, CORR-5) and the lag order (CORR-2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference_support import shape_pairs

import convspec

Array = np.ndarray[Any, np.dtype[Any]]
Operation = Callable[..., Array]

IMPLEMENTATIONS = {
    "fast": (convspec.convolve, convspec.correlate),
    "literal": (convspec.convolve_literal, convspec.correlate_literal),
}
implementations = pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
modes = st.sampled_from(convspec.MODES)
small_ints = st.integers(-20, 20)


def integers(shape: tuple[int, ...]) -> st.SearchStrategy[Array]:
    return hnp.arrays(np.int64, shape, elements=small_ints)


@st.composite
def gaussian_integers(draw: st.DrawFn, shape: tuple[int, ...]) -> Array:
    return draw(integers(shape)) + 1j * draw(integers(shape))


#: One operand of any rank and shape the pairs draw (its partner's shape is dropped).
gaussian_arrays = shape_pairs().flatmap(lambda shapes: gaussian_integers(shapes[0]))


@st.composite
def integer_pairs(draw: st.DrawFn) -> tuple[Array, Array]:
    a_shape, v_shape = draw(shape_pairs())
    return draw(integers(a_shape)), draw(integers(v_shape))


@st.composite
def complex_pairs(draw: st.DrawFn) -> tuple[Array, Array]:
    a_shape, v_shape = draw(shape_pairs())
    return draw(gaussian_integers(a_shape)), draw(gaussian_integers(v_shape))


def assert_same(got: Array, want: Array) -> None:
    np.testing.assert_array_equal(got, want, strict=True)


@implementations
@given(integer_pairs(), st.sampled_from(["full", "valid"]))
def test_convolution_commutes(impl: str, pair: tuple[Array, Array], mode: str) -> None:
    """CONV-3: a * v == v * a, in full and valid mode (same has the first operand's shape)."""
    convolve, _ = IMPLEMENTATIONS[impl]
    a, v = pair
    assert_same(convolve(a, v, mode), convolve(v, a, mode))


@implementations
@given(complex_pairs(), modes)
def test_flip_identity(impl: str, pair: tuple[Array, Array], mode: str) -> None:
    """CORR-4: corr(a, v) == conv(a, flip(conj(v))), in every mode."""
    convolve, correlate = IMPLEMENTATIONS[impl]
    a, v = pair
    assert_same(correlate(a, v, mode), convolve(a, convspec.flip(np.conj(v)), mode))


@implementations
@given(complex_pairs())
def test_swapping_operands(impl: str, pair: tuple[Array, Array]) -> None:
    """CORR-3: corr(v, a) == conj(flip(corr(a, v))) in full mode; not corr(a, v) itself."""
    _, correlate = IMPLEMENTATIONS[impl]
    a, v = pair
    assert_same(correlate(v, a), np.conj(convspec.flip(correlate(a, v))))


@implementations
@given(gaussian_arrays)
def test_autocorrelation_is_hermitian(impl: str, a: Array) -> None:
    """CPLX-2: r = corr(a, a) equals conj(flip(r)); its centre is sum |a|**2, real."""
    _, correlate = IMPLEMENTATIONS[impl]
    r = correlate(a, a)
    assert_same(r, np.conj(convspec.flip(r)))
    centre = tuple(n - 1 for n in a.shape)
    assert r[centre] == np.sum(a.real**2 + a.imag**2)


@implementations
@given(st.data(), st.sampled_from(["convolve", "correlate"]), modes, small_ints, small_ints)
def test_linearity(
    impl: str, data: st.DataObject, operation: str, mode: str, alpha: int, beta: int
) -> None:
    """CONV-5: linear in a; in v linear (convolution) or conjugate-linear (correlation)."""
    convolve, correlate = IMPLEMENTATIONS[impl]
    op = convolve if operation == "convolve" else correlate
    a_shape, v_shape = data.draw(shape_pairs())
    a, b = data.draw(gaussian_integers(a_shape)), data.draw(gaussian_integers(a_shape))
    v, w = data.draw(gaussian_integers(v_shape)), data.draw(gaussian_integers(v_shape))
    scalar = alpha + 1j * beta
    assert_same(op(scalar * a + b, v, mode), scalar * op(a, v, mode) + op(b, v, mode))
    second = scalar if operation == "convolve" else np.conj(scalar)
    assert_same(op(a, scalar * v + w, mode), second * op(a, v, mode) + op(a, w, mode))


@implementations
@given(integer_pairs(), st.sampled_from(["convolve", "correlate"]), st.data())
def test_shift_equivariance(
    impl: str, pair: tuple[Array, Array], operation: str, data: st.DataObject
) -> None:
    """CONV-5: prepending s zeros to a along an axis shifts the full output by s on that axis."""
    convolve, correlate = IMPLEMENTATIONS[impl]
    op = convolve if operation == "convolve" else correlate
    a, v = pair
    axis = data.draw(st.integers(0, a.ndim - 1))
    shift = data.draw(st.integers(1, 3))
    before = [(0, 0)] * a.ndim
    before[axis] = (shift, 0)
    assert_same(op(np.pad(a, before), v), np.pad(op(a, v), before))


@implementations
@given(integer_pairs(), st.sampled_from(["convolve", "correlate"]), modes)
def test_mode_is_a_window_of_full(
    impl: str, pair: tuple[Array, Array], operation: str, mode: str
) -> None:
    """MODE-1 .. MODE-4, MODE-6: every mode is full[start:start+length] on every axis.

    Starts and lengths are the spec's formulas, written here rather than taken from
    ``convspec.mode_window`` (which the implementations themselves use).
    """
    convolve, correlate = IMPLEMENTATIONS[impl]
    op = convolve if operation == "convolve" else correlate
    a, v = pair
    axes = list(zip(a.shape, v.shape, strict=True))
    windows = {
        "full": [(0, n + k - 1) for n, k in axes],
        "valid": [(min(n, k) - 1, abs(n - k) + 1) for n, k in axes],
        "same": [((k - 1) // 2, n) for n, k in axes],
    }[mode]
    assert [convspec.mode_window(n, k, mode) for n, k in axes] == windows
    window = tuple(slice(start, start + length) for start, length in windows)
    assert_same(op(a, v, mode), op(a, v, "full")[window])


@pytest.mark.parametrize(
    ("n", "k", "valid_start", "same_start", "upper_start"),
    [(5, 3, 2, 1, 1), (6, 4, 3, 1, 2), (3, 5, 2, 2, 2), (4, 6, 3, 2, 3), (4, 1, 0, 0, 0)],
)
def test_mode_window_starts(
    n: int, k: int, valid_start: int, same_start: int, upper_start: int
) -> None:
    """MODE-3 .. MODE-5 written out: odd and even K, and K > N."""
    assert convspec.mode_window(n, k, "full") == (0, n + k - 1)
    assert convspec.mode_window(n, k, "valid") == (valid_start, abs(n - k) + 1)
    assert convspec.mode_window(n, k, "same") == (same_start, n)
    assert convspec.mode_window(n, k, "same", "upper") == (upper_start, n)


@given(gaussian_arrays)
def test_flip_reverses_every_axis(v: Array) -> None:
    """ND-1: flip(v)[n] == v[K - 1 - n] on every axis; flipping twice gives v back."""
    flipped = convspec.flip(v)
    assert flipped.shape == v.shape
    for index in np.ndindex(*v.shape):
        mirrored = tuple(k - 1 - i for i, k in zip(index, v.shape, strict=True))
        assert flipped[index] == v[mirrored]
    assert_same(convspec.flip(flipped), v)


def test_flip_in_2d_is_a_half_turn_not_a_transpose() -> None:
    """ND-2: in 2-D the flip is a rotation by 180 degrees."""
    v = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert_same(convspec.flip(v), np.array([[9, 8, 7], [6, 5, 4], [3, 2, 1]]))
    assert_same(convspec.flip(v), np.rot90(v, 2))
    assert not np.array_equal(convspec.flip(v), v.T)
    assert not np.array_equal(convspec.flip(v), v[::-1])


@implementations
@given(gaussian_arrays)
def test_impulse_responses(impl: str, v: Array) -> None:
    """CONV-4, CORR-5: conv(delta, v) == v; corr(delta, v) == flip(conj(v)); corr(v, delta) == v."""
    convolve, correlate = IMPLEMENTATIONS[impl]
    delta = np.ones((1,) * v.ndim, dtype=np.int64)
    assert_same(convolve(delta, v), v)
    assert_same(convolve(v, delta), v)
    assert_same(correlate(delta, v), convspec.flip(np.conj(v)))
    assert_same(correlate(v, delta), v)


@implementations
@given(st.data())
def test_lag_of_two_impulses(impl: str, data: st.DataObject) -> None:
    """CORR-2: a spike at p correlated with a spike at q peaks at lag p - q, per axis."""
    _, correlate = IMPLEMENTATIONS[impl]
    a_shape, v_shape = data.draw(shape_pairs())
    p = tuple(data.draw(st.integers(0, n - 1)) for n in a_shape)
    q = tuple(data.draw(st.integers(0, k - 1)) for k in v_shape)
    a, v = np.zeros(a_shape, np.int64), np.zeros(v_shape, np.int64)
    a[p], v[q] = 1, 1
    r = correlate(a, v)
    peak = np.unravel_index(int(np.argmax(r)), r.shape)
    assert r.sum() == 1
    for axis, (n, k) in enumerate(zip(a_shape, v_shape, strict=True)):
        assert convspec.lags(n, k)[peak[axis]] == p[axis] - q[axis]
