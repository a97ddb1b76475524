"""The layer reference equals torch's F.conv* / F.conv_transpose* and jax's lax convolutions.

Random configurations (strides, asymmetric pads, dilations, groups, ranks 1 to 3) in float64,
where both libraries compute in float64 on the CPU; agreement within a few ulps of the sums'
magnitude.  Each library's tests skip cleanly when it is not installed.  The last tests tie
the spec's worked example (spec/layers.md, TensorFlow SAME against torch padding=K//2 at
stride 2) to the frameworks themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from hypothesis import given
from hypothesis import strategies as st
from layer_support import Config, configs, conv_call, conv_w_shape, transpose_w_shape

import convspec

Array = np.ndarray[Any, np.dtype[Any]]
seeds = st.integers(0, 2**32 - 1)


def close(got: Array, want: Array, x: Array, w: Array, kwargs: dict[str, Any], op: Any) -> None:
    """``got == want`` within 64 ulps of the sum of magnitudes at each element."""
    assert got.shape == want.shape
    magnitude = op(np.abs(x), np.abs(w), **kwargs)
    tolerance = 64 * np.finfo(np.float64).eps * (magnitude + 1e-300)
    assert np.all(np.abs(got - want) <= tolerance), np.max(np.abs(got - want))


def operands(config: Config, seed: int, w_shape: tuple[int, ...]) -> tuple[Array, Array, Array]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(config.x_shape)
    w = rng.standard_normal(w_shape)
    return x, w, rng.standard_normal(config.c_out)


# ----------------------------------------------------------------- torch


def _torch_conv(torch: Any, x: Array, w: Array, bias: Array, config: Config) -> Array:
    """torch.nn.functional.conv{1,2,3}d; asymmetric pads as an explicit F.pad first."""
    functional = torch.nn.functional
    conv = getattr(functional, f"conv{config.rank}d")
    data = torch.from_numpy(x)
    padding: Any = config.padding
    if not isinstance(padding, str) or padding.startswith("same-"):
        pads = convspec.layer_padding(padding, config.spatial, config.kernel, config.stride,
                                      config.dilation)  # fmt: skip
        flat = [p for pair in reversed(pads) for p in pair]  # F.pad: last axis first
        data, padding = functional.pad(data, flat), 0
    out = conv(data, torch.from_numpy(w), torch.from_numpy(bias), stride=config.stride,
               padding=padding, dilation=config.dilation, groups=config.groups)  # fmt: skip
    return np.asarray(out.numpy())


@given(configs(), seeds)
def test_conv_equals_torch(config: Config, seed: int) -> None:
    torch = pytest.importorskip("torch")
    x, w, bias = operands(config, seed, conv_w_shape(config))
    kwargs = conv_call(config)
    got = convspec.conv(x, w, bias=bias, **kwargs)
    close(got, _torch_conv(torch, x, w, bias, config), x, w, kwargs, convspec.conv)


@given(configs(transpose=True, named=False), seeds)
def test_conv_transpose_equals_torch(config: Config, seed: int) -> None:
    """torch pads both sides equally: asymmetric crops are cut from its uncropped output."""
    torch = pytest.importorskip("torch")
    x, w, bias = operands(config, seed, transpose_w_shape(config))
    pads = convspec.layer_padding(config.padding, config.spatial, config.kernel)
    conv_t = getattr(torch.nn.functional, f"conv_transpose{config.rank}d")
    full = conv_t(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(bias),
                  stride=config.stride, padding=0, output_padding=config.output_padding,
                  groups=config.groups, dilation=config.dilation).numpy()  # fmt: skip
    want = full[(..., *(slice(b, n - a) for (b, a), n in zip(pads, full.shape[2:], strict=True)))]
    kwargs = dict(stride=config.stride, padding=config.padding, dilation=config.dilation,
                  groups=config.groups, output_padding=config.output_padding)  # fmt: skip
    got = convspec.conv_transpose(x, w, bias=bias, **kwargs)
    close(got, want, x, w, kwargs, convspec.conv_transpose)


def test_torch_same_padding_puts_the_odd_pad_at_the_end() -> None:
    """torch padding='same' (stride 1) with an even kernel: the extra zero goes after."""
    torch = pytest.importorskip("torch")
    x = np.arange(1.0, 7.0).reshape(1, 1, 6)
    w = np.array([[[1.0, 10.0, 100.0, 1000.0]]])
    got = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(w), padding="same")
    np.testing.assert_array_equal(got.numpy(), convspec.conv(x, w, padding="same"))
    assert convspec.layer_padding("same", (6,), (4,)) == ((1, 2),)


# ----------------------------------------------------------------- jax


@pytest.fixture(scope="module")
def lax() -> Any:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # as the bundled jax adapter does
    from jax import lax

    return lax


def _jax_padding(padding: Any, config: Config) -> Any:
    names = {"valid": "VALID", "same": "SAME", "same-upper": "SAME", "same-lower": "SAME_LOWER"}
    if isinstance(padding, str):
        return names[padding]
    return convspec.layer_padding(padding, config.spatial, config.kernel)


def _specs(rank: int) -> tuple[str, str, str]:
    spatial = "DHW"[-rank:] if rank <= 3 else ""
    return ("NC" + spatial, "OI" + spatial, "NC" + spatial)


@given(configs(), seeds)
def test_conv_equals_jax_conv_general_dilated(lax: Any, config: Config, seed: int) -> None:
    """jax's 'SAME' is same-upper (TensorFlow's), 'SAME_LOWER' same-lower."""
    x, w, _ = operands(config, seed, conv_w_shape(config))
    want = lax.conv_general_dilated(
        x, w, window_strides=config.stride, padding=_jax_padding(config.padding, config),
        rhs_dilation=config.dilation, dimension_numbers=_specs(config.rank),
        feature_group_count=config.groups,
    )  # fmt: skip
    kwargs = conv_call(config)
    close(convspec.conv(x, w, **kwargs), np.asarray(want), x, w, kwargs, convspec.conv)


@given(configs(transpose=True, max_groups=1, named=False), seeds)
def test_conv_transpose_equals_jax_conv_transpose(lax: Any, config: Config, seed: int) -> None:
    """lax.conv_transpose(transpose_kernel=True) with torch's kernel read as the forward
    kernel (OIH..) is conv_transpose when its pads are d (K - 1) - p_before and
    d (K - 1) - p_after + output_padding (jax pads the stride-dilated input)."""
    x, w, _ = operands(config, seed, transpose_w_shape(config))
    pads = convspec.layer_padding(config.padding, config.spatial, config.kernel)
    extents = [d * (k - 1) for d, k in zip(config.dilation, config.kernel, strict=True)]
    jax_pads = [
        (e - b, e - a + extra)
        for e, (b, a), extra in zip(extents, pads, config.output_padding, strict=True)
    ]
    want = lax.conv_transpose(x, w, strides=config.stride, padding=jax_pads,
                              rhs_dilation=config.dilation, dimension_numbers=_specs(config.rank),
                              transpose_kernel=True)  # fmt: skip
    kwargs = dict(stride=config.stride, padding=config.padding, dilation=config.dilation,
                  output_padding=config.output_padding)  # fmt: skip
    got = convspec.conv_transpose(x, w, **kwargs)
    close(got, np.asarray(want), x, w, kwargs, convspec.conv_transpose)


# ----------------------------------------------------------------- the spec's worked example

#: spec/layers.md's example: 1 x 1 x 6 x 6 data, one 3 x 3 kernel, stride 2.
SPEC_X = np.arange(36.0).reshape(1, 1, 6, 6)
SPEC_W = np.array([[[[1.0, 2.0, 0.0], [0.0, -1.0, 3.0], [4.0, 0.0, -2.0]]]])


def test_spec_example_torch_padding_k_over_2() -> None:
    """torch Conv2d(padding=K//2, stride=2) is convspec.conv(padding=1): pads (1, 1)."""
    torch = pytest.importorskip("torch")
    got = torch.nn.functional.conv2d(torch.from_numpy(SPEC_X), torch.from_numpy(SPEC_W),
                                     stride=2, padding=1).numpy()  # fmt: skip
    np.testing.assert_array_equal(got, convspec.conv(SPEC_X, SPEC_W, stride=2, padding=1))


def test_spec_example_tensorflow_same(lax: Any) -> None:
    """TF SAME at stride 2 on even N is same-upper, pads (0, 1): jax's 'SAME' is TF's."""
    got = lax.conv_general_dilated(SPEC_X, SPEC_W, (2, 2), "SAME")
    want = convspec.conv(SPEC_X, SPEC_W, stride=2, padding="same-upper")
    np.testing.assert_array_equal(np.asarray(got), want)
    assert convspec.layer_padding("same-upper", (6, 6), (3, 3), 2) == ((0, 1), (0, 1))
    assert not np.array_equal(want, convspec.conv(SPEC_X, SPEC_W, stride=2, padding=1))


def test_spec_example_tensorflow_itself() -> None:
    tf = pytest.importorskip("tensorflow")
    x = convspec.relayout(SPEC_X, "NCHW", "NHWC")
    w = convspec.relayout(SPEC_W, "OIHW", "HWIO")
    got = tf.nn.conv2d(x, w, strides=2, padding="SAME").numpy()
    want = convspec.conv(SPEC_X, SPEC_W, stride=2, padding="same-upper")
    np.testing.assert_array_equal(convspec.relayout(got, "NHWC", "NCHW"), want)
