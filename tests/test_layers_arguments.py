"""Layer arguments: named padding rules, output lengths, layouts, and the errors for bad input.

Every error names the argument and says what was expected (spec/layers.md, NOT-7).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import convspec

X = np.ones((2, 4, 7, 6))
W = np.ones((6, 2, 3, 2))  # groups=2
WT = np.ones((4, 3, 3, 2))  # conv_transpose: (C_in, C_out / groups, *K)


# ----------------------------------------------------------------- named padding rules


@pytest.mark.parametrize("n", range(1, 12))
@pytest.mark.parametrize("k", range(1, 6))
@pytest.mark.parametrize("s", [1, 2, 3])
@pytest.mark.parametrize("d", [1, 2])
def test_same_upper_and_lower_give_ceil_n_over_s(n: int, k: int, s: int, d: int) -> None:
    """LAYER-6: out = ceil(N / s); total pad max((out - 1) s + d (K - 1) + 1 - N, 0), the
    odd one after (upper) or before (lower)."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    upper = convspec.layer_padding("same-upper", (n,), (k,), s, d)
    lower = convspec.layer_padding("same-lower", (n,), (k,), s, d)
    assert upper == ((total // 2, total - total // 2),)
    assert lower == ((total - total // 2, total // 2),)
    for rule in ("same-upper", "same-lower"):
        assert convspec.conv_output_shape((n,), (k,), stride=s, padding=rule, dilation=d) == (out,)
    if s == 1:
        assert convspec.layer_padding("same", (n,), (k,), 1, d) == upper
        assert convspec.conv_output_shape((n,), (k,), padding="same", dilation=d) == (n,)


def test_valid_and_explicit_spellings() -> None:
    assert convspec.layer_padding("valid", (5, 5), (3, 3)) == ((0, 0), (0, 0))
    assert convspec.layer_padding(2, (5, 5), (3, 3)) == ((2, 2), (2, 2))
    assert convspec.layer_padding((1, 2), (5, 5), (3, 3)) == ((1, 1), (2, 2))
    assert convspec.layer_padding(((0, 1), (2, 3)), (5, 5), (3, 3)) == ((0, 1), (2, 3))
    assert convspec.layer_padding([np.int64(1)], (5,), (3,)) == ((1, 1),)


@pytest.mark.parametrize(
    ("n", "k", "s", "pads", "want"),
    [(7, 3, 2, (1, 1), 4), (7, 3, 2, (0, 0), 3), (8, 3, 3, (0, 2), 3), (3, 3, 1, (0, 0), 1),
     (2, 3, 1, (0, 1), 1), (1, 1, 5, (0, 0), 1)],
)  # fmt: skip
def test_output_length_formula(n: int, k: int, s: int, pads: tuple[int, int], want: int) -> None:
    """LAYER-5: floor((N + p_before + p_after - d (K - 1) - 1) / s) + 1."""
    assert convspec.conv_output_shape((n,), (k,), stride=s, padding=[pads]) == (want,)
    x = np.ones((1, 1, n))
    assert convspec.conv(x, np.ones((1, 1, k)), stride=s, padding=[pads]).shape == (1, 1, want)


def test_transpose_output_length_formula() -> None:
    """LAYER-8: (N - 1) s - p_before - p_after + d (K - 1) + output_padding + 1."""
    got = convspec.conv_transpose_output_shape(
        (5, 4), (3, 2), stride=(2, 3), padding=((1, 0), (0, 2)), output_padding=(1, 0),
        dilation=(1, 2),
    )  # fmt: skip
    assert got == (4 * 2 - 1 + 2 + 1 + 1, 3 * 3 - 2 + 2 + 1)
    assert convspec.conv_transpose(np.ones((1, 1, 5, 4)), np.ones((1, 1, 3, 2)), stride=(2, 3),
                                   padding=((1, 0), (0, 2)), output_padding=(1, 0),
                                   dilation=(1, 2)).shape == (1, 1, *got)  # fmt: skip


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("k", range(1, 5))
@pytest.mark.parametrize("s", [1, 2, 3])
def test_transpose_named_padding_gives_n_times_s(n: int, k: int, s: int) -> None:
    """LAYER-10: 'same-upper' / 'same-lower' make the transposed output N s long, ONNX's
    auto_pad; the total crop s (N - 1) + E - N s is split as for conv."""
    total = s * (n - 1) + k - n * s
    for rule in ("same-upper", "same-lower"):
        assert convspec.conv_transpose_output_shape((n,), (k,), stride=s, padding=rule) == (n * s,)
    y = np.arange(1, n + 1, dtype=np.int64)[np.newaxis, np.newaxis]
    w = np.arange(1, k + 1, dtype=np.int64)[np.newaxis, np.newaxis]
    full = convspec.conv_transpose(y, w, stride=s)[0, 0]
    upper = convspec.conv_transpose(y, w, stride=s, padding="same-upper")[0, 0]
    lower = convspec.conv_transpose(y, w, stride=s, padding="same-lower")[0, 0]
    half = total // 2  # floor, also when negative
    begin_upper, begin_lower = half, total - half
    for got, begin in ((upper, begin_upper), (lower, begin_lower)):
        padded = np.concatenate([np.zeros(max(-begin, 0), np.int64), full, np.zeros(n * s)])
        start = max(begin, 0)
        np.testing.assert_array_equal(got, padded[start : start + n * s])
    assert convspec.conv_transpose_output_shape((n,), (k,), stride=s, padding="valid") == (
        (n - 1) * s + k,
    )


# ----------------------------------------------------------------- layouts


def test_relayout_is_a_relabeling() -> None:
    """LAYER-11: a TF HWIO kernel and NHWC data, relabeled, give torch's OIHW / NCHW."""
    rng = np.random.default_rng(0)
    x_nchw = rng.integers(-9, 10, size=(2, 3, 5, 4))
    w_oihw = rng.integers(-9, 10, size=(4, 3, 2, 3))
    x_nhwc = convspec.relayout(x_nchw, "NCHW", "NHWC")
    w_hwio = convspec.relayout(w_oihw, "OIHW", "HWIO")
    assert x_nhwc.shape == (2, 5, 4, 3) and w_hwio.shape == (2, 3, 3, 4)
    assert x_nhwc[1, 4, 2, 0] == x_nchw[1, 0, 4, 2]
    assert w_hwio[1, 2, 0, 3] == w_oihw[3, 0, 1, 2]
    np.testing.assert_array_equal(
        convspec.conv(convspec.relayout(x_nhwc, "NHWC", "NCHW"),
                      convspec.relayout(w_hwio, "HWIO", "OIHW")),
        convspec.conv(x_nchw, w_oihw),
    )  # fmt: skip
    assert convspec.relayout(w_oihw, "OIHW", "IOHW").shape == (3, 4, 2, 3)
    assert np.shares_memory(convspec.relayout(x_nchw, "NCHW", "NHWC"), x_nchw)


@pytest.mark.parametrize(
    ("source", "target", "match"),
    [("NCH", "NHC", "has 4 axes but .source. .NCH. names 3"), ("NCHW", "NCWH", "keep their order"),
     ("NCHW", "NCHX", "same axes"), ("NCHH", "NCHH", "twice"), ("nchw", "NCHW", "capital")],
)  # fmt: skip
def test_relayout_errors(source: str, target: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        convspec.relayout(np.ones((1, 2, 3, 4)), source, target)


# ----------------------------------------------------------------- errors


def call_conv(**kwargs: Any) -> Any:
    args = dict(x=X, w=W, groups=2) | kwargs
    return convspec.conv(args.pop("x"), args.pop("w"), **args)


def call_transpose(**kwargs: Any) -> Any:
    args = dict(x=X, w=WT, groups=2) | kwargs
    return convspec.conv_transpose(args.pop("x"), args.pop("w"), **args)


CONV_ERRORS = [
    (dict(stride=0), ValueError, r"argument 'stride' must be positive .* got 0 on spatial axis 0"),
    (dict(stride=(1, -2)), ValueError, r"'stride' must be positive .* -2 on spatial axis 1"),
    (dict(stride=(1, 2, 3)), ValueError, r"'stride' must be one integer or 2 .* got 3 values"),
    (dict(stride=1.5), TypeError, r"'stride' must be an integer or one per spatial axis"),
    (dict(stride=True), TypeError, r"'stride' must be .* got the bool True"),
    (dict(dilation=0), ValueError, r"argument 'dilation' must be positive"),
    (dict(groups=3), ValueError, r"'groups' \(3\) must divide both .* input has 4 channels"),
    (dict(groups=0), ValueError, r"argument 'groups' must be positive; got 0"),
    (dict(groups=2.0), TypeError, r"argument 'groups' must be an integer"),
    (dict(w=np.ones((5, 2, 3, 2))), ValueError, r"'groups' \(2\) .* output has 5 channels"),
    (dict(w=np.ones((6, 4, 3, 2))), ValueError, r"argument 'w' must have shape \(C_out, C_in"),
    (dict(w=np.ones((6, 2, 3))), ValueError, r"argument 'w' must have 4 axes"),
    (dict(x=np.ones((4, 7))), ValueError, r"argument 'x' must have shape \(batch, channels"),
    (dict(x=np.ones((2, 4, 0, 6))), ValueError, r"argument 'x' is empty"),
    (dict(x=np.ones((2, 4, 7, 6), bool)), TypeError, r"argument 'x' has dtype bool"),
    (dict(w=np.ones((6, 2, 8, 2))), ValueError,
     r"output would have length 0 along spatial axis 0: floor\(\(7 \+ 0 \+ 0 - 1\*\(8 - 1\) - 1\)"
     r" / 1\) \+ 1 = 0\. The padded input \(7\) is shorter than the dilated kernel's extent"),
    (dict(dilation=4), ValueError, r"output would have length -1 along spatial axis 0"),
    (dict(padding=-1), ValueError, r"argument 'padding' must be nonnegative; got \(-1, -1\)"),
    (dict(padding=((0, 1), (2, -1))), ValueError, r"nonnegative; got \(2, -1\) on spatial axis 1"),
    (dict(padding=(1, 2, 3, 4)), ValueError, r"for per-side pads write pairs"),
    (dict(padding=((1, 2),)), ValueError, r"one \(before, after\) pair per spatial axis \(2\)"),
    (dict(padding="SAME"), ValueError, r"names no padding rule: 'SAME'.*did you mean 'same'"),
    (dict(padding="same_upper"), ValueError, r"did you mean 'same-upper'"),
    (dict(padding="full"), ValueError, r"names no padding rule: 'full'; the rules are 'valid'"),
    (dict(padding="same", stride=2), ValueError, r"padding='same' is defined at stride 1 only"),
    (dict(bias=np.ones(4)), ValueError, r"argument 'bias' must have shape \(6,\), one value"),
    (dict(bias=np.ones((6, 1))), ValueError, r"argument 'bias' must have shape \(6,\)"),
    (dict(bias=np.array(["a"] * 6)), TypeError, r"argument 'bias' has dtype <U1"),
    (dict(flip=1), TypeError, r"argument 'flip' must be True or False"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "error", "match"), CONV_ERRORS)
@pytest.mark.parametrize("func", ["conv", "conv_literal"])
def test_conv_errors_name_the_argument(
    func: str, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    args = dict(x=X, w=W, groups=2) | kwargs
    with pytest.raises(error, match=match):
        getattr(convspec, func)(args.pop("x"), args.pop("w"), **args)


TRANSPOSE_ERRORS = [
    (dict(output_padding=2, stride=2), ValueError,
     r"'output_padding' must be smaller than the stride or the dilation .* got 2 on spatial axis 0"
     r" with stride 2 and dilation 1"),
    (dict(output_padding=1), ValueError, r"'output_padding' must be smaller"),
    (dict(output_padding=-1), ValueError, r"'output_padding' must be at least 0"),
    (dict(padding="same"), ValueError, r"'same' is not defined for conv_transpose; use 'same-up"),
    (dict(padding="lower"), ValueError, r"names no padding rule: 'lower'; the rules are 'valid'"),
    (dict(w=np.ones((6, 3, 3, 2))), ValueError, r"'w' must have shape \(C_in, C_out // groups"),
    (dict(groups=3), ValueError, r"'groups' \(3\) must divide both"),
    (dict(padding=5), ValueError, r"output would have length -1 along spatial axis 0: \(7 - 1\)"),
    (dict(bias=np.ones(3)), ValueError, r"argument 'bias' must have shape \(6,\)"),
    (dict(stride=(0, 1)), ValueError, r"argument 'stride' must be positive"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "error", "match"), TRANSPOSE_ERRORS)
@pytest.mark.parametrize("func", ["conv_transpose", "conv_transpose_literal"])
def test_conv_transpose_errors_name_the_argument(
    func: str, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    args = dict(x=X, w=WT, groups=2) | kwargs
    with pytest.raises(error, match=match):
        getattr(convspec, func)(args.pop("x"), args.pop("w"), **args)


def test_geometry_helpers_reject_bad_shapes() -> None:
    with pytest.raises(ValueError, match="same length"):
        convspec.conv_output_shape((5, 5), (3,))
    with pytest.raises(ValueError, match="'kernel_shape' must be positive"):
        convspec.conv_output_shape((5,), (0,))
    with pytest.raises(ValueError, match="output would have length"):
        convspec.conv_output_shape((2,), (3,))
    with pytest.raises(ValueError, match="'output_padding' must be smaller"):
        convspec.conv_transpose_output_shape((2,), (3,), output_padding=1)
