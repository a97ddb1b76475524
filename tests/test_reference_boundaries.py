"""Boundaries, axes and alignments of the reference (spec/boundaries.md, ND-5, MODE-7).

The fast path, the literal path and the exact oracle compute the same sums with every
boundary, fill value, alignment and batch layout; the extensions are the spec's functions
on all of Z^d; errors name their argument.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference_support import OPERATIONS, dyadic_arrays, shape_pairs

import convspec
from convspec.boundaries import source_index

Array = np.ndarray[Any, np.dtype[Any]]

ORACLES = {"convolve": convspec.exact_convolve, "correlate": convspec.exact_correlate}
operations = st.sampled_from(sorted(OPERATIONS))
modes = st.sampled_from(convspec.MODES)
boundaries = st.sampled_from(convspec.BOUNDARIES)


# ------------------------------------------------------------------ the extensions


def _pattern(n: int, boundary: str, width: int) -> list[int | None]:
    """Indices ``-width .. n - 1 + width`` mapped by the rule as the spec states it in words."""
    return [source_index(i, n, boundary) for i in range(-width, n + width)]  # type: ignore[arg-type]


def test_the_spec_patterns() -> None:
    """The patterns of BOUND-2 .. BOUND-6 for a b c d (indices 0..3), three samples out."""
    assert _pattern(4, "reflect", 3) == [3, 2, 1, 0, 1, 2, 3, 2, 1, 0]  # d c b | a b c d | c b a
    assert _pattern(4, "symmetric", 3) == [2, 1, 0, 0, 1, 2, 3, 3, 2, 1]  # c b a | a b c d | d c b
    assert _pattern(4, "edge", 3) == [0, 0, 0, 0, 1, 2, 3, 3, 3, 3]
    assert _pattern(4, "wrap", 3) == [1, 2, 3, 0, 1, 2, 3, 0, 1, 2]
    assert _pattern(4, "constant", 3) == [None, None, None, 0, 1, 2, 3, None, None, None]
    assert _pattern(1, "reflect", 2) == [0] * 5  # N = 1: the period 2(N - 1) is 0


@given(st.integers(1, 7), st.integers(-60, 60))
def test_periods_and_mirrors(n: int, i: int) -> None:
    """Every rule on all of Z: periods 2(N-1), 2N and N; mirror axes; edge clamps."""
    reflect, symmetric = source_index(i, n, "reflect"), source_index(i, n, "symmetric")
    wrap, edge = source_index(i, n, "wrap"), source_index(i, n, "edge")
    assert all(x is not None and 0 <= x < n for x in (reflect, symmetric, wrap, edge))
    if n > 1:
        assert source_index(i + 2 * (n - 1), n, "reflect") == reflect
        assert source_index(-i, n, "reflect") == reflect  # mirrored about sample 0
        assert source_index(2 * (n - 1) - i, n, "reflect") == reflect  # and about N - 1
    assert source_index(i + 2 * n, n, "symmetric") == symmetric
    assert source_index(-1 - i, n, "symmetric") == symmetric  # mirrored about -1/2
    assert source_index(i + n, n, "wrap") == wrap == i % n
    assert edge == min(max(i, 0), n - 1)


@given(
    hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)),
    st.data(),
    st.sampled_from(["reflect", "symmetric", "edge", "wrap", "constant"]),
)
def test_extend_is_numpy_pad_for_any_pad_length(
    a: Array, data: st.DataObject, boundary: str
) -> None:
    """numpy.pad implements the same functions (pads far longer than the array included)."""
    pads = [tuple(data.draw(st.integers(0, 9)) for _ in range(2)) for _ in range(a.ndim)]
    got = convspec.extend(
        a, pads, boundary, **({"fill_value": -7} if boundary == "constant" else {})
    )
    mode = {"edge": "edge"}.get(boundary, boundary)
    kwargs = {"constant_values": -7} if boundary == "constant" else {}
    want = np.pad(a, pads, mode=mode, **kwargs)  # type: ignore[call-overload]
    assert got.dtype == a.dtype
    np.testing.assert_array_equal(got, want, strict=True)


def test_extend_forms_and_corners() -> None:
    a = np.array([[1, 2], [3, 4]])
    assert convspec.extend(a, 1, "constant", fill_value=9).tolist() == [
        [9, 9, 9, 9],
        [9, 1, 2, 9],
        [9, 3, 4, 9],
        [9, 9, 9, 9],
    ]
    assert convspec.extend(a, (0, 1), "wrap").tolist() == [[1, 2, 1], [3, 4, 3], [1, 2, 1]]
    assert convspec.extend(a, [(1, 0), (0, 0)], "edge").tolist() == [[1, 2], [1, 2], [3, 4]]
    assert convspec.extend([1, 2, 3], 7, "wrap").tolist() == [
        [1, 2, 3][i % 3] for i in range(-7, 10)
    ]


# ------------------------------------------------- fast == literal == oracle


def _fill(boundary: str, dtype: np.dtype[Any]) -> dict[str, Any]:
    if boundary != "constant":
        return {}
    return {"fill_value": 3 if dtype.kind in "iu" else -1.5}


@given(
    st.one_of(
        shape_pairs().flatmap(
            lambda shapes: st.tuples(
                hnp.arrays(np.int64, shapes[0], elements=st.integers(-99, 99)),
                hnp.arrays(np.int64, shapes[1], elements=st.integers(-99, 99)),
            )
        ),
        shape_pairs((1, 2)).flatmap(
            lambda shapes: st.tuples(
                dyadic_arrays("complex128", shapes[0]), dyadic_arrays("float64", shapes[1])
            )
        ),
    ),
    operations,
    modes,
    boundaries,
    st.booleans(),
)
@example(
    (np.array([1, 2]), np.array([1, 10, 100, 1000, 10000])), "convolve", "full", "reflect", True
)
@example((np.array([5]), np.array([1, 2, 3])), "correlate", "same", "reflect", True)
@example(
    (np.array([[1, 2, 3]]), np.array([[1, 2], [3, 4], [5, 6]])), "correlate", "valid", "wrap", True
)
def test_paths_agree_with_boundaries(
    case: tuple[Array, Array], operation: str, mode: str, boundary: str, upper: bool
) -> None:
    """Exact data (integers, dyadic floats): fast, literal and oracle give the same numbers
    for every boundary and mode, kernels longer than the array included."""
    a, v = case
    fast, literal = OPERATIONS[operation]
    kwargs: dict[str, Any] = {"boundary": boundary, **_fill(boundary, a.dtype)}
    if mode == "same" and upper:
        kwargs["alignment"] = "upper"
    want = literal(a, v, mode, **kwargs)
    got = fast(a, v, mode, **kwargs)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want, strict=True)
    exact = ORACLES[operation](a, v, mode, **kwargs)
    np.testing.assert_array_equal(exact.astype(want.dtype), want)


@given(shape_pairs((1, 2)), operations, modes, boundaries)
def test_boundary_is_a_window_of_the_extended_array(
    shapes: tuple[tuple[int, ...], tuple[int, ...]], operation: str, mode: str, boundary: str
) -> None:
    """BOUND-7 by construction: extend a by K - 1 on both sides, take the plain 'valid' result
    over the full range, and cut the mode's window from it."""
    rng = np.random.default_rng(sum(shapes[0]) * 7 + sum(shapes[1]))
    a, v = rng.integers(-9, 10, shapes[0]), rng.integers(-9, 10, shapes[1])
    fast, _ = OPERATIONS[operation]
    kwargs = {"boundary": boundary, **_fill(boundary, a.dtype)}
    extended = convspec.extend(a, [(k - 1, k - 1) for k in v.shape], **kwargs)  # type: ignore[arg-type]
    over_full = fast(extended, v, "valid")  # every full index, all K taps on the extension
    windows = [convspec.mode_window(n, k, mode) for n, k in zip(a.shape, v.shape, strict=True)]  # type: ignore[arg-type]
    want = over_full[tuple(slice(s, s + length) for s, length in windows)]
    np.testing.assert_array_equal(fast(a, v, mode, **kwargs), want, strict=True)


def test_zero_fill_is_the_spec_zero() -> None:
    """constant with fill 0 forms no terms outside the box (NOT-3): inf meets no 0 there."""
    a, v = np.array([1.0, 2.0]), np.array([np.inf, 1.0])
    for function in (convspec.convolve, convspec.convolve_literal, convspec.exact_convolve):
        plain = function(a, v, "same")
        np.testing.assert_array_equal(function(a, v, "same", boundary="constant"), plain)
        np.testing.assert_array_equal(function(a, v, "same", fill_value=0.0), plain)
    # A fill of 1 does form the term 1 * inf at the edge.
    assert convspec.convolve(a, v, "full", fill_value=1.0).tolist() == [np.inf, np.inf, np.inf]


def test_nonfinite_extension_agrees() -> None:
    a = np.array([np.nan, 1.0, 2.0, np.inf])
    v = np.array([1.0, -1.0, 0.5])
    for boundary in convspec.BOUNDARIES:
        for mode in convspec.MODES:
            want = convspec.convolve_literal(a, v, mode, boundary=boundary)
            np.testing.assert_array_equal(convspec.convolve(a, v, mode, boundary=boundary), want)
            np.testing.assert_array_equal(
                convspec.exact_convolve(a, v, mode, boundary=boundary), want
            )


def test_boundary_int64_window() -> None:
    """The int64 check applies to the returned window with a boundary too."""
    a = np.array([2**62, 2**62, 2**62])
    assert convspec.convolve(a, [1, -1], "same", boundary="edge").tolist() == [0, 0, 0]
    with pytest.raises(OverflowError, match="convolve"):
        convspec.convolve(a, [1, 1], "same", boundary="edge")
    assert convspec.exact_convolve(a, [1, 1], "same", boundary="edge").dtype == object


# --------------------------------------------------------------------------- axes


@given(
    st.data(),
    operations,
    modes,
    st.sampled_from(["constant", "wrap", "reflect"]),
)
def test_axes_batches_agree(data: st.DataObject, operation: str, mode: str, boundary: str) -> None:
    """axes=: each batch element is the convolution of its slices; fast == literal == oracle."""
    ndim = data.draw(st.integers(2, 3))
    axes = data.draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    a_shape, v_shape = [], []
    for ax in range(ndim):
        if ax in axes:
            a_shape.append(data.draw(st.integers(1, 4)))
            v_shape.append(data.draw(st.integers(1, 4)))
        else:
            n = data.draw(st.integers(1, 3))
            a_shape.append(data.draw(st.sampled_from([n, 1])))
            v_shape.append(data.draw(st.sampled_from([n, 1])) if a_shape[-1] != 1 else n)
    rng = np.random.default_rng(len(axes))
    a = rng.integers(-9, 10, a_shape)
    v = rng.integers(-9, 10, v_shape)
    fast, literal = OPERATIONS[operation]
    kwargs = {"axes": axes, "boundary": boundary, **_fill(boundary, a.dtype)}
    got = fast(a, v, mode, **kwargs)
    np.testing.assert_array_equal(got, literal(a, v, mode, **kwargs), strict=True)
    np.testing.assert_array_equal(ORACLES[operation](a, v, mode, **kwargs), got, strict=True)
    # One batch element by hand: the first index along every batch axis.
    conv = sorted(ax % ndim for ax in axes)
    pick = tuple(slice(None) if ax in conv else 0 for ax in range(ndim))
    alone = fast(a[pick], v[pick], mode, boundary=boundary, **_fill(boundary, a.dtype))
    np.testing.assert_array_equal(got[pick], alone, strict=True)


def test_axes_match_scipy_fftconvolve() -> None:
    """Shapes and values as scipy.signal.fftconvolve(axes=...) gives them (its broadcasting),
    but for one deliberate difference: 'same' keeps a broadcast batch axis whole."""
    scipy_signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(3)
    for a_shape, v_shape, axes in [
        ((3, 8), (3, 4), 1),
        ((3, 8), (1, 4), -1),
        ((1, 8), (3, 4), [1]),
        ((2, 5, 6), (2, 3, 1), [2, 1]),
        ((4, 2, 5), (1, 2, 3), (0, 2)),
    ]:
        a, v = rng.integers(-4, 5, a_shape) / 4, rng.integers(-4, 5, v_shape) / 2
        for mode in convspec.MODES:
            want = scipy_signal.fftconvolve(a, v, mode, axes=axes)
            got = convspec.convolve(a, v, mode, axes=axes)
            if mode == "same" and a_shape[0] == 1 < v_shape[0]:
                # scipy cuts every axis to a's length in 'same', batch axes too: of the
                # three batch elements it returns the middle one.
                assert want.shape == a_shape and got.shape == (v_shape[0], a_shape[1])
                np.testing.assert_allclose(got[1:2], want, atol=1e-12)
                continue
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, atol=1e-12)


def test_axes_errors() -> None:
    a, v = np.ones((3, 4)), np.ones((2, 2))
    with pytest.raises(
        ValueError, match="do not broadcast along axis 0, which 'axes' leaves batched"
    ):
        convspec.convolve(a, v, axes=1)
    with pytest.raises(ValueError, match="argument 'axes' must name each axis once"):
        convspec.convolve(a, v, axes=[1, -1])
    with pytest.raises(ValueError, match=r"argument 'axes' has \[2\] outside \[-2, 2\)"):
        convspec.correlate(a, v, axes=2)
    with pytest.raises(ValueError, match="argument 'axes' must name at least one axis"):
        convspec.convolve_literal(a, v, axes=[])
    with pytest.raises(TypeError, match="argument 'axes' must be None, an int"):
        convspec.exact_convolve(a, v, axes=1.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------- alignment


def test_alignments() -> None:
    x, k = np.array([1, 2, 3]), np.array([1, 10, 100, 1000])  # N = 3 < K = 4
    full = convspec.convolve(x, k).tolist()
    for name, window in convspec.ALIGNMENTS.items():
        start, length = window(3, 4)
        for function in (convspec.convolve, convspec.convolve_literal, convspec.exact_convolve):
            got = function(x, k, "same", alignment=name)  # type: ignore[arg-type]
            assert got.tolist() == full[start : start + length], (name, function)
    assert (
        convspec.convolve(x, k, "same", alignment="numpy-convolve").tolist()
        == np.convolve(x, k, "same").tolist()
    )
    assert (
        convspec.correlate(x, k, "same", alignment="numpy-correlate").tolist()
        == np.correlate(x, k, "same").tolist()
    )

    def origin_right(n: int, k: int) -> tuple[int, int]:
        return (k - 1) // 2 + 1, n

    assert convspec.correlate(x, k, "same", alignment=origin_right).tolist() == (
        convspec.correlate(x, k)[2:5].tolist()
    )


def test_alignment_errors() -> None:
    x, k = [1, 2, 3], [1, 1]
    with pytest.raises(ValueError, match=r"argument 'alignment'.*mode 'same' only.*'full'"):
        convspec.convolve(x, k, alignment="upper")
    with pytest.raises(ValueError, match=r"argument 'alignment'.*mode 'same' only.*'valid'"):
        convspec.correlate_literal(x, k, "valid", alignment=lambda n, k: (0, n))
    with pytest.raises(ValueError, match="argument 'alignment' must be one of 'lower'"):
        convspec.convolve(x, k, "same", alignment="centre")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"returned \(start, length\) = \(3, 3\)"):
        convspec.convolve(x, k, "same", alignment=lambda n, k: (3, 3))
    with pytest.raises(ValueError, match="must return \\(start, length\\), two integers"):
        convspec.convolve(x, k, "same", alignment=lambda n, k: (0.5, 3))  # type: ignore[arg-type,return-value]


# ---------------------------------------------------------------------- errors


def test_boundary_errors() -> None:
    x = np.array([1, 2, 3], dtype=np.uint8)
    with pytest.raises(ValueError, match="argument 'boundary' must be one of 'constant'"):
        convspec.convolve(x, [1], boundary="mirror")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'fill_value' is only used with boundary='constant'"):
        convspec.correlate(x, [1], boundary="wrap", fill_value=2)
    with pytest.raises(ValueError, match=r"'fill_value' must be an integer in the range.*uint8"):
        convspec.convolve(x, [1], fill_value=300)
    with pytest.raises(ValueError, match="'fill_value' must be an integer"):
        convspec.convolve(x, [1], fill_value=0.5)
    with pytest.raises(ValueError, match="'fill_value' must be an integer"):
        convspec.convolve(x, [1], fill_value=float("nan"))
    with pytest.raises(ValueError, match="'fill_value' is complex"):
        convspec.convolve([1.0, 2.0], [1], fill_value=1j)
    with pytest.raises(ValueError, match=r"'fill_value' 1e\+300 overflows"):
        convspec.convolve(np.ones(2, np.float32), [1], fill_value=1e300)
    with pytest.raises(TypeError, match="'fill_value' must be a number"):
        convspec.extend(x, 1, "constant", fill_value="0")
    with pytest.raises(TypeError, match="'fill_value' must be a number"):
        convspec.convolve(x, [1], fill_value=True)
    with pytest.raises(ValueError, match="argument 'pad_widths' must be"):
        convspec.extend(x, -1, "edge")
    with pytest.raises(ValueError, match="argument 'pad_widths' must be"):
        convspec.extend(x, [(1, 2), (3, 4)], "edge")
    # Fill values the dtype holds are taken as they are.
    assert convspec.convolve([1.0], [1.0], "full", fill_value=np.nan).tolist() == [1.0]
    assert np.isnan(convspec.convolve([1.0], [1.0, 1.0], "same", fill_value=np.nan)).all()
    assert convspec.convolve(x, [1, 1], "same", fill_value=255).tolist() == [256, 3, 5]


def test_keywords_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        convspec.convolve([1], [1], "full", None)  # type: ignore[misc]


# -------------------------------------------------------------------------- lags


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("k", range(1, 7))
def test_lags_label_the_correlation(n: int, k: int) -> None:
    """lags(n, k, mode, alignment)[j] is the lag whose CORR-1 sum is output j, for every small
    (N, K), mode and named alignment: computed from the definition, not from mode_window."""
    rng = np.random.default_rng(n * 10 + k)
    a, v = rng.integers(-9, 10, n), rng.integers(-9, 10, k)

    def at_lag(lag: int) -> int:
        return sum(int(a[i + lag]) * int(v[i]) for i in range(k) if 0 <= i + lag < n)

    for mode in convspec.MODES:
        for alignment in convspec.ALIGNMENTS if mode == "same" else ["lower"]:
            kwargs = {"alignment": alignment}
            got = convspec.correlate(a, v, mode, **kwargs)  # type: ignore[arg-type]
            labels = convspec.lags(n, k, mode, alignment)  # type: ignore[arg-type]
            assert len(labels) == len(got)
            assert np.all(np.diff(labels) == 1)
            assert got.tolist() == [at_lag(int(lag)) for lag in labels], (mode, alignment)
    # The spec's ranges (CORR-2, MODE-3, MODE-4, MODE-5).
    assert convspec.lags(n, k).tolist() == list(range(-(k - 1), n))
    assert convspec.lags(n, k, "same").tolist() == list(range(-(k // 2), n - k // 2))
    assert convspec.lags(n, k, "same", "upper").tolist() == list(
        range(-((k - 1) // 2), n - (k - 1) // 2)
    )
    valid = convspec.lags(n, k, "valid").tolist()
    assert valid == (list(range(0, n - k + 1)) if k <= n else list(range(n - k, 1)))


# ------------------------------------------------------------------------- xcorr


def _xcorr_by_definition(x: list[complex], y: list[complex], maxlag: int) -> list[complex]:
    n = max(len(x), len(y))
    x, y = x + [0] * (n - len(x)), y + [0] * (n - len(y))
    return [
        sum(x[i + m] * np.conj(y[i]) for i in range(n) if 0 <= i + m < n)
        for m in range(-maxlag, maxlag + 1)
    ]


@given(
    st.lists(st.integers(-9, 9), min_size=1, max_size=6),
    st.lists(st.integers(-9, 9), min_size=1, max_size=6),
    st.integers(0, 8),
)
def test_xcorr_is_the_definition(x: list[int], y: list[int], maxlag: int) -> None:
    values, lags = convspec.xcorr(x, y, maxlag=maxlag)
    assert lags.tolist() == list(range(-maxlag, maxlag + 1))
    assert values.dtype == np.int64
    assert values.tolist() == _xcorr_by_definition(x, y, maxlag)  # type: ignore[arg-type]


def test_xcorr_scales() -> None:
    x, y = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    raw, lags = convspec.xcorr(x, y)
    assert raw.tolist() == [6.0, 17.0, 32.0, 23.0, 12.0]
    np.testing.assert_allclose(convspec.xcorr(x, y, scale="biased")[0], raw / 3)
    np.testing.assert_allclose(convspec.xcorr(x, y, scale="unbiased")[0], raw / (3 - np.abs(lags)))
    np.testing.assert_allclose(convspec.xcorr(x, y, scale="coeff")[0], raw / np.sqrt(14 * 77))
    auto, auto_lags = convspec.xcorr([1, 2, 3], scale="coeff")
    assert auto.dtype == np.float64 and auto[auto_lags == 0].tolist() == [1.0]
    # No terms beyond N - 1: zeros, whatever the scale (as Octave pads them).
    padded, _ = convspec.xcorr(x, y, maxlag=4, scale="unbiased")
    assert padded[[0, 1, -2, -1]].tolist() == [0.0] * 4
    assert np.isnan(convspec.xcorr([0, 0], scale="coeff")[0]).all()
    assert convspec.xcorr(np.ones(2, np.float32), scale="biased")[0].dtype == np.float32
    complex_values, _ = convspec.xcorr([1 + 2j, 3], [1j, 2])
    assert complex_values.tolist() == [2 + 4j, 8 - 1j, -3j]


def test_xcorr_errors() -> None:
    with pytest.raises(ValueError, match="scale='biased' needs operands of equal length"):
        convspec.xcorr([1, 2, 3], [1, 2], scale="biased")
    with pytest.raises(ValueError, match="argument 'scale' must be one of 'none'"):
        convspec.xcorr([1, 2], scale="normalized")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="argument 'maxlag' must be an integer >= 0"):
        convspec.xcorr([1, 2], maxlag=-1)
    with pytest.raises(ValueError, match="argument 'maxlag' must be an integer >= 0"):
        convspec.xcorr([1, 2], maxlag=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="argument 'v' must be 1-D"):
        convspec.xcorr([1, 2], [[1, 2]])


#: Measured with GNU Octave 7.3.0 and its signal package (1.4.x) on Debian 12:
#: ``[r, l] = xcorr(x, y, ...)``.  The test re-measures when ``octave`` is installed.
OCTAVE_XCORR = [
    (([1, 2, 3], [4, 5, 6, 7]), {}, [7, 20, 38, 32, 23, 12, 0]),
    (([1, 2, 3], [4, 5, 6]), {"maxlag": 4}, [0, 0, 6, 17, 32, 23, 12, 0, 0]),
    (([1, 2, 3], [4, 5, 6]), {"maxlag": 1, "scale": "biased"}, [17 / 3, 32 / 3, 23 / 3]),
    (([1, 2, 3], [4, 5, 6]), {"scale": "unbiased"}, [6.0, 8.5, 32 / 3, 11.5, 12.0]),
    (
        ([1, 2, 3], [4, 5, 6]),
        {"maxlag": 4, "scale": "unbiased"},
        [0, 0, 6.0, 8.5, 32 / 3, 11.5, 12.0, 0, 0],
    ),
    (([1, 2, 3], None), {"scale": "coeff"}, [3 / 14, 8 / 14, 1.0, 8 / 14, 3 / 14]),
]


def _octave_args(x: list[int], y: list[int] | None, kwargs: dict[str, Any]) -> str:
    args = [str(x).replace(",", "")] + ([str(y).replace(",", "")] if y is not None else [])
    if "maxlag" in kwargs:
        args.append(str(kwargs["maxlag"]))
    if "scale" in kwargs:
        args.append(f"'{kwargs['scale']}'")
    return ", ".join(args)


@pytest.mark.parametrize(("operands", "kwargs", "octave"), OCTAVE_XCORR)
def test_xcorr_matches_octave(
    operands: tuple[list[int], list[int] | None], kwargs: dict[str, Any], octave: list[float]
) -> None:
    x, y = operands
    values, lags = convspec.xcorr(x, y, **kwargs)
    np.testing.assert_allclose(values, octave, rtol=1e-15)
    assert len(lags) == len(octave)


def test_xcorr_octave_table_is_measured() -> None:
    """Re-run the table above in Octave (skipped where Octave and its signal package are absent)."""
    import shutil
    import subprocess

    if shutil.which("octave") is None:
        pytest.skip("octave is not installed")
    script = "pkg load signal; " + " ".join(
        f"disp(num2str(xcorr({_octave_args(x, y, kwargs)}), 17));"
        for (x, y), kwargs, _ in OCTAVE_XCORR
    )
    run = subprocess.run(
        ["octave", "--no-gui", "--quiet", "--eval", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "package" in run.stderr and "not installed" in run.stderr:
        pytest.skip("the Octave signal package is not installed")
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == len(OCTAVE_XCORR), run.stdout + run.stderr
    for line, (_, _, want) in zip(lines, OCTAVE_XCORR, strict=True):
        np.testing.assert_allclose([float(x) for x in line.split()], want, rtol=1e-15)
