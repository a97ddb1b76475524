"""The layers' fast path computes the literal sums, and the laws of spec/layers.md hold.

Exact equality where the sums are exact (integers, dyadic floats, IEEE special values);
within the direct-summation bound for random floats.  Ranks 1 to 3, strides, asymmetric
pads, dilations, groups, named padding rules, kernels longer than the data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import given
from hypothesis import strategies as st
from layer_support import (
    Config,
    configs,
    conv_call,
    conv_w_shape,
    dyadic,
    transpose_call,
    transpose_w_shape,
)

import convspec

Array = np.ndarray[Any, np.dtype[Any]]
seeds = st.integers(0, 2**32 - 1)
EXACT_DTYPES = ("float64", "float32", "complex128", "int8", "int64", "uint16")


def data(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> Array:
    """Values whose every layer sum is exact: small integers, or dyadic floats."""
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -100), min(info.max, 100) + 1, size=shape).astype(dtype)
    return dyadic(rng, shape, dtype)


def with_bias(rng: np.random.Generator, channels: int, dtype: str, wanted: bool) -> Array | None:
    return data(rng, (channels,), dtype) if wanted else None


@given(configs(), seeds, st.sampled_from(EXACT_DTYPES), st.booleans(), st.booleans())
def test_conv_fast_equals_literal(
    config: Config, seed: int, dtype: str, bias: bool, flip: bool
) -> None:
    """conv == conv_literal exactly, dtype included, on data whose sums are exact."""
    rng = np.random.default_rng(seed)
    x = data(rng, config.x_shape, dtype)
    w = data(rng, conv_w_shape(config), dtype)
    b = with_bias(rng, config.c_out, dtype, bias)
    kwargs = conv_call(config)
    fast = convspec.conv(x, w, bias=b, flip=flip, **kwargs)
    literal = convspec.conv_literal(x, w, bias=b, flip=flip, **kwargs)
    assert fast.shape == (config.batch, config.c_out, *convspec.conv_output_shape(
        config.spatial, config.kernel, stride=config.stride, padding=config.padding,
        dilation=config.dilation))  # fmt: skip
    assert fast.dtype == literal.dtype
    np.testing.assert_array_equal(fast, literal, strict=True)


@given(configs(transpose=True), seeds, st.sampled_from(EXACT_DTYPES), st.booleans())
def test_conv_transpose_fast_equals_literal(
    config: Config, seed: int, dtype: str, bias: bool
) -> None:
    """conv_transpose == conv_transpose_literal exactly, on data whose sums are exact."""
    rng = np.random.default_rng(seed)
    x = data(rng, config.x_shape, dtype)
    w = data(rng, transpose_w_shape(config), dtype)
    b = with_bias(rng, config.c_out, dtype, bias)
    kwargs = transpose_call(config)
    fast = convspec.conv_transpose(x, w, bias=b, **kwargs)
    literal = convspec.conv_transpose_literal(x, w, bias=b, **kwargs)
    np.testing.assert_array_equal(fast, literal, strict=True)


def _direct_bound(magnitudes: Array, terms: int) -> Array:
    """|fast - literal| for two orders of the same float64 sum of ``terms`` products (+ bias)."""
    unit = np.finfo(np.float64).eps / 2
    n = terms + 2
    gamma = n * unit / (1 - n * unit)
    tiny = n * np.finfo(np.float64).smallest_subnormal
    return 2 * (math.sqrt(2) * gamma * magnitudes * (1 + 4 * unit) + tiny)


@given(configs(), seeds, st.sampled_from(["float64", "complex128"]))
def test_conv_random_floats_within_the_summation_bound(
    config: Config, seed: int, dtype: str
) -> None:
    """Arbitrary floats: the two summation orders differ by at most the direct bound."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(config.x_shape) * 10.0 ** rng.integers(-3, 4)
    w = rng.standard_normal(conv_w_shape(config))
    if dtype == "complex128":
        x = x + 1j * rng.standard_normal(config.x_shape)
        w = w - 1j * rng.standard_normal(w.shape)
    kwargs = conv_call(config)
    fast, literal = convspec.conv(x, w, **kwargs), convspec.conv_literal(x, w, **kwargs)
    magnitudes = convspec.conv_literal(np.abs(x), np.abs(w), **kwargs)
    assert np.all(np.abs(fast - literal) <= _direct_bound(magnitudes, config.terms))


@given(configs(ranks=(1, 2)), seeds, st.sampled_from(["inf", "-inf", "nan", "huge"]))
def test_conv_special_values_form_only_in_box_terms(config: Config, seed: int, kind: str) -> None:
    """inf, NaN and overflowing products: the fast path forms the literal's terms and no
    others (a padding zero times inf would be NaN), so the results are identical."""
    rng = np.random.default_rng(seed)
    x = dyadic(rng, config.x_shape)
    w = dyadic(rng, conv_w_shape(config))
    value = {"inf": np.inf, "-inf": -np.inf, "nan": np.nan, "huge": 1e308}[kind]
    w.flat[rng.integers(w.size)] = value
    x.flat[rng.integers(x.size)] = 1e300 if kind == "huge" else value
    kwargs = conv_call(config)
    fast, literal = convspec.conv(x, w, **kwargs), convspec.conv_literal(x, w, **kwargs)
    np.testing.assert_array_equal(fast, literal, strict=True)
    fast_t = convspec.conv_transpose(fast, w, **_adjoint_kwargs(config))
    literal_t = convspec.conv_transpose_literal(fast, w, **_adjoint_kwargs(config))
    np.testing.assert_array_equal(fast_t, literal_t, strict=True)


def _adjoint_kwargs(config: Config) -> dict[str, Any]:
    """conv_transpose arguments whose output has the conv input's shape (the adjoint)."""
    pads = convspec.layer_padding(
        config.padding, config.spatial, config.kernel, config.stride, config.dilation
    )
    out = convspec.conv_output_shape(
        config.spatial, config.kernel, stride=config.stride, padding=pads,
        dilation=config.dilation,
    )  # fmt: skip
    base = convspec.conv_transpose_output_shape(
        out, config.kernel, stride=config.stride, padding=pads, dilation=config.dilation
    )
    extra = tuple(n - m for n, m in zip(config.spatial, base, strict=True))
    return dict(stride=config.stride, padding=pads, dilation=config.dilation,
                groups=config.groups, output_padding=extra)  # fmt: skip


@given(configs(), seeds)
def test_adjoint_identity_exact_on_integers(config: Config, seed: int) -> None:
    """LAYER-7: <conv(x, w), y> == <x, conv_transpose(y, w)>, exactly, with the same w,
    stride, padding, dilation and groups (output_padding picks x's length)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-(2**20), 2**20, size=config.x_shape)
    w = rng.integers(-(2**20), 2**20, size=conv_w_shape(config))
    y_conv = convspec.conv(x, w, **conv_call(config))
    y = rng.integers(-(2**20), 2**20, size=y_conv.shape)
    kwargs = _adjoint_kwargs(config)
    extra = kwargs["output_padding"]
    if any(e >= max(s, d) for e, s, d in zip(extra, config.stride, config.dilation, strict=True)):
        # this x length is not reachable by output_padding: pad the result by hand
        kwargs["output_padding"] = tuple(0 for _ in extra)
        x_t = convspec.conv_transpose(y, w, **kwargs)
        x_t = np.pad(x_t, [(0, 0), (0, 0), *((0, e) for e in extra)])
    else:
        x_t = convspec.conv_transpose(y, w, **kwargs)
    assert x_t.shape == x.shape
    left = int((y_conv.astype(object) * y).sum())
    right = int((x.astype(object) * x_t).sum())
    assert left == right


@given(configs(ranks=(1, 2)), seeds)
def test_stride_one_transpose_is_a_true_convolution(config: Config, seed: int) -> None:
    """LAYER-9: at stride 1 conv_transpose(y, w, padding=p) == conv(y, w', flip=True,
    padding=d (K - 1) - p), w' the kernel with its channel axes swapped per group."""
    rng = np.random.default_rng(seed)
    pads = convspec.layer_padding(config.padding, config.spatial, config.kernel, 1,
                                  config.dilation)  # fmt: skip
    crops = [(b, a) for b, a in pads]
    full = [d * (k - 1) for d, k in zip(config.dilation, config.kernel, strict=True)]
    if any(b > f or a > f for (b, a), f in zip(crops, full, strict=True)):
        return  # a crop deeper than the full extension has no conv padding to match
    y = rng.integers(-50, 50, size=(config.batch, config.c_in, *config.spatial))
    w = rng.integers(-50, 50, size=transpose_w_shape(config))
    g, c_group, o_group = config.groups, config.c_in // config.groups, w.shape[1]
    swapped = (
        w.reshape(g, c_group, o_group, *config.kernel)
        .swapaxes(1, 2)
        .reshape(g * o_group, c_group, *config.kernel)
    )
    padding = [(f - b, f - a) for (b, a), f in zip(crops, full, strict=True)]
    transpose = dict(padding=crops, dilation=config.dilation, groups=config.groups)
    same_as_conv = dict(padding=padding, dilation=config.dilation, groups=config.groups)
    try:
        got = convspec.conv_transpose(y, w, **transpose)
    except ValueError:  # cropped to nothing: the convolution has no output either
        with pytest.raises(ValueError, match="output would have length"):
            convspec.conv(y, swapped, flip=True, **same_as_conv)
        return
    want = convspec.conv(y, swapped, flip=True, **same_as_conv)
    np.testing.assert_array_equal(got, want, strict=True)


@given(configs(ranks=(1, 2)), seeds)
def test_output_shape_functions_agree_with_the_layers(config: Config, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=config.x_shape)
    w = rng.integers(-3, 4, size=conv_w_shape(config))
    y = convspec.conv(x, w, **conv_call(config))
    assert y.shape[2:] == convspec.conv_output_shape(
        config.spatial, config.kernel, stride=config.stride, padding=config.padding,
        dilation=config.dilation,
    )  # fmt: skip


def test_flip_reverses_spatial_axes_only() -> None:
    """LAYER-12: flip=True is conv with w[:, :, ::-1, ::-1]; channel order is untouched."""
    rng = np.random.default_rng(1)
    x = rng.integers(-9, 10, size=(2, 3, 5, 6))
    w = rng.integers(-9, 10, size=(4, 3, 2, 3))
    got = convspec.conv(x, w, flip=True, padding=1)
    np.testing.assert_array_equal(got, convspec.conv(x, w[:, :, ::-1, ::-1], padding=1))
    assert not np.array_equal(got, convspec.conv(x, w[::-1, ::-1, ::-1, ::-1], padding=1))
    # One channel, stride 1: flip=True is convolve in valid mode.
    np.testing.assert_array_equal(
        convspec.conv(x[:1, :1], w[:1, :1], flip=True)[0, 0],
        convspec.convolve(x[0, 0], w[0, 0], "valid"),
    )


@given(st.sampled_from([1, 2, 3]), seeds, st.booleans())
def test_bridge_to_unconjugated_correlation(rank: int, seed: int, full: bool) -> None:
    """LAYER-13: one batch, one channel, stride 1, dilation 1, zero padding: conv is CORR
    with conjugation 'none', i.e. correlate(x, conj(w)) (valid; full with pads K - 1)."""
    rng = np.random.default_rng(seed)
    n = tuple(int(v) for v in rng.integers(1, 6, size=rank))
    k = tuple(int(v) for v in rng.integers(1, 4, size=rank))
    if not full:
        n = tuple(max(a, b) for a, b in zip(n, k, strict=True))
    x = dyadic(rng, n, "complex128")
    w = dyadic(rng, k, "complex128")
    padding = [(b - 1, b - 1) for b in k] if full else 0
    got = convspec.conv(x[np.newaxis, np.newaxis], w[np.newaxis, np.newaxis], padding=padding)
    want = convspec.correlate(x, np.conj(w), "full" if full else "valid")
    np.testing.assert_array_equal(got[0, 0], want, strict=True)


I64 = np.iinfo(np.int64)


@pytest.mark.parametrize("func", [convspec.conv, convspec.conv_literal])
def test_integer_results_are_exact_int64(func: Any) -> None:
    x = np.full((1, 2, 3), 2**40, dtype=np.int64)
    w = np.full((1, 2, 2), 2**20, dtype=np.int64)
    got = func(x, w)
    assert got.dtype == np.int64
    assert got.tolist() == [[[4 * 2**60, 4 * 2**60]]]  # past float64's 2**53, exact
    small = func(np.array([[[100, 100]]], np.int8), np.array([[[2, 2]]], np.int8))
    assert small.dtype == np.int64 and small.tolist() == [[[400]]]  # int8 would wrap to -112


@pytest.mark.parametrize(
    "func", [convspec.conv, convspec.conv_literal, convspec.conv_transpose,
             convspec.conv_transpose_literal]
)  # fmt: skip
def test_integer_overflow_raises(func: Any) -> None:
    x = np.full((1, 1, 2), I64.max, dtype=np.int64)
    w = np.full((1, 1, 2), 2, dtype=np.int64)
    with pytest.raises(OverflowError, match="outside int64"):
        func(x, w)


@pytest.mark.parametrize("func", [convspec.conv, convspec.conv_literal])
def test_bias_overflow_raises_and_bias_near_the_edge_is_exact(func: Any) -> None:
    x = np.array([[[1, 1]]], dtype=np.int64)
    w = np.array([[[1]]], dtype=np.int64)
    with pytest.raises(OverflowError, match="outside int64"):
        func(x, w, bias=np.array([I64.max], dtype=np.int64))
    got = func(-x, w, bias=np.array([2**63], dtype=np.uint64))
    assert got.tolist() == [[[I64.max, I64.max]]]


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "bias_dtype", "result"),
    [
        ("float32", "float32", None, "float32"),
        ("float16", "float16", "float16", "float16"),
        ("int16", "float32", None, "float32"),
        ("complex64", "float32", None, "complex64"),
        ("int8", "uint8", "int32", "int64"),
        ("int8", "int8", "float32", "float64"),
        ("float32", "float64", None, "float64"),
    ],
)
def test_result_dtype_follows_not_4(
    x_dtype: str, w_dtype: str, bias_dtype: str | None, result: str
) -> None:
    x = np.ones((1, 2, 4), dtype=x_dtype)
    w = np.ones((3, 2, 2), dtype=w_dtype)
    bias = None if bias_dtype is None else np.ones(3, dtype=bias_dtype)
    for func in (convspec.conv, convspec.conv_literal):
        assert func(x, w, bias=bias).dtype == np.dtype(result)
    wt = np.ones((2, 3, 2), dtype=w_dtype)
    for func in (convspec.conv_transpose, convspec.conv_transpose_literal):
        assert func(x, wt, bias=bias).dtype == np.dtype(result)


def test_float32_is_summed_in_float64_and_rounded_once() -> None:
    """NOT-5: 1 + 2**-30 - 1 in float32 steps would give 0; summed in float64 it is 2**-30."""
    x = np.array([[[1.0, 2.0**-30, -1.0]]], dtype=np.float32)
    w = np.ones((1, 1, 3), dtype=np.float32)
    for func in (convspec.conv, convspec.conv_literal):
        got = func(x, w)
        assert got.dtype == np.float32 and got.tolist() == [[[2.0**-30]]]


def test_large_inputs_take_chunked_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row and batch pieces of the column buffer give the same result as one piece."""
    from convspec import layer_engine

    rng = np.random.default_rng(3)
    x = rng.integers(-9, 10, size=(3, 4, 11, 7))
    w = rng.integers(-9, 10, size=(6, 2, 3, 2))
    whole = convspec.conv(x, w, stride=(2, 1), padding=((1, 2), (0, 1)), groups=2)
    whole_t = convspec.conv_transpose(x, w.swapaxes(0, 1).reshape(4, 3, 3, 2)[:, :3], groups=2,
                                      stride=2, output_padding=1)  # fmt: skip
    monkeypatch.setattr(layer_engine, "_CHUNK_BYTES", 200)
    np.testing.assert_array_equal(
        convspec.conv(x, w, stride=(2, 1), padding=((1, 2), (0, 1)), groups=2), whole
    )
    np.testing.assert_array_equal(
        convspec.conv_transpose(x, w.swapaxes(0, 1).reshape(4, 3, 3, 2)[:, :3], groups=2,
                                stride=2, output_padding=1),
        whole_t,
    )  # fmt: skip
    assert convspec.conv_literal(x, w, stride=(2, 1), padding=((1, 2), (0, 1)), groups=2
                                 ).tolist() == whole.tolist()  # fmt: skip
