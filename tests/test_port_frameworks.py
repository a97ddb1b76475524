"""Ports checked against the real frameworks (each test skips without its framework).

Two facts are measured here.  First, each measured preset's row of spec/frameworks.md: a
layer run by its framework equals the same layer run by the reference
(:func:`convspec.port.run_layer`).  Second, the round trip: a layer ported from one
framework to another computes, in the target framework, what the source layer computes in
the source framework, on the same input.  Data are small integers held as float32, so every
sum is exact in every framework and the outputs are compared for equality.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from port_frameworks import RUNNERS

import convspec
from convspec.frameworks import convention
from convspec.port import Layer, port, run_layer


def _needs(*presets: str) -> None:
    for preset in presets:
        pytest.importorskip(RUNNERS[preset][0])


def _layer(
    preset: str,
    rng: np.random.Generator,
    rank: int,
    stride: int,
    k: int,
    dilation: int,
    groups: int,
    padding: object,
) -> Layer:
    c_in, c_out = 2 * groups, 3 * groups
    canonical = rng.integers(-9, 10, size=(c_out, c_in // groups, *(k,) * rank))
    kernel = convspec.relayout(
        canonical, convention("torch").kernel_layout(rank), convention(preset).kernel_layout(rank)
    )
    bias = rng.integers(-9, 10, size=c_out)
    return Layer(
        preset, kernel, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias
    )


#: (rank, stride, K, dilation, groups) configurations: strides 1-3, odd and even K.
CONFIGS = [
    (1, 1, 3, 1, 1),
    (1, 2, 4, 1, 2),
    (1, 3, 2, 2, 1),
    (2, 2, 3, 1, 1),
    (2, 1, 4, 2, 1),
    (2, 2, 2, 1, 2),
    (2, 3, 3, 1, 1),
    (2, 1, 5, 1, 1),
]
#: Every preset's own padding words, per preset, for the row checks.
PADDINGS = {
    "torch": [0, 1, "valid", "same"],
    "tensorflow": ["SAME", "VALID", [[0, 0], [0, 1], [2, 0], [0, 0]]],
    "keras": ["same", "valid"],
    "jax": ["SAME", "SAME_LOWER", "VALID", [(1, 0), (0, 2)]],
    "onnx": ["SAME_UPPER", "SAME_LOWER", "VALID", [1, 0, 0, 2]],
}


def _spatial_padding(preset: str, padding: object, rank: int) -> object:
    """A 2-D explicit padding cut down to ``rank`` axes."""
    if isinstance(padding, (str, int)) or rank == 2:
        return padding
    if preset == "tensorflow":
        return [[0, 0], *padding[1:-1][:rank], [0, 0]]  # type: ignore[index]
    if preset == "onnx":
        return [padding[0], padding[2]]  # type: ignore[index]
    return list(padding)[:rank]  # type: ignore[call-overload]


def _cases(preset: str):  # type: ignore[no-untyped-def]
    for config, padding in itertools.product(CONFIGS, PADDINGS[preset]):
        yield preset, config, padding


ROW_CASES = [c for p in RUNNERS for c in _cases(p)]


@pytest.mark.parametrize(("preset", "config", "padding"), ROW_CASES)
def test_each_measured_row_is_what_its_framework_computes(
    preset: str, config: tuple[int, ...], padding: object
) -> None:
    _needs(preset)
    rank, stride, k, dilation, groups = config
    conv = convention(preset)
    if not conv.stride_with_dilation and stride > 1 and dilation > 1:
        pytest.skip(f"{preset} does not combine stride > 1 with dilation > 1")
    rng = np.random.default_rng(abs(hash((preset, config, str(padding)))) % 2**32)
    layer = _layer(
        preset, rng, rank, stride, k, dilation, groups, _spatial_padding(preset, padding, rank)
    )
    if (
        not conv.names_with_dilation
        and isinstance(padding, str)
        and padding != "VALID"
        and (dilation > 1)
    ):
        with pytest.raises(Exception, match="Dilation not supported for AutoPadType"):
            RUNNERS[preset][1](layer, np.zeros((1, layer.groups * 2, *(9,) * rank)), None)
        return  # onnxruntime refuses it (the preset's note); the port writes pads instead
    for n in (9, 10, 11):
        x = rng.integers(-9, 10, size=(2, layer.groups * 2, *(n,) * rank)).astype(np.float32)
        try:
            expected = run_layer(layer, x)
        except ValueError:
            pytest.skip("the reference defines no output here (torch 'same' at stride > 1)")
        actual = RUNNERS[preset][1](layer, x, None)
        assert actual.shape == expected.shape, (n, actual.shape, expected.shape)
        assert np.array_equal(actual, expected), f"input size {n}"


PORT_PAIRS = [(s, t) for s in RUNNERS for t in RUNNERS if s != t]


@pytest.mark.parametrize(("source", "target"), PORT_PAIRS)
@pytest.mark.parametrize("config", CONFIGS)
def test_ported_layer_in_the_target_framework_equals_the_source_in_its_own(
    source: str, target: str, config: tuple[int, ...]
) -> None:
    _needs(source, target)
    rank, stride, k, dilation, groups = config
    if not all(convention(p).stride_with_dilation for p in (source, target)) and (
        stride > 1 and dilation > 1
    ):
        pytest.skip("TensorFlow does not combine stride > 1 with dilation > 1")
    rng = np.random.default_rng(sum(map(ord, source + target)) + 31 * sum(config))
    padding = {
        "torch": 1,
        "tensorflow": "SAME",
        "keras": "same",
        "jax": "SAME_LOWER",
        "onnx": [0, 1, 2, 0],
    }[source]
    layer = _layer(
        source, rng, rank, stride, k, dilation, groups, _spatial_padding(source, padding, rank)
    )
    size = (11,) * rank
    ported = port(layer, target, input_size=size)
    assert ported.proof.integer_difference == 0
    x = rng.integers(-9, 10, size=(2, 2 * groups, *size)).astype(np.float32)
    in_source = RUNNERS[source][1](layer, x, None)
    in_target = RUNNERS[target][1](ported.layer, x, ported.pre_pad)
    assert np.array_equal(in_target, in_source)


@pytest.mark.parametrize("target", ["tensorflow", "onnx"])
@pytest.mark.parametrize(
    ("stride", "k", "padding", "output_padding"),
    [(2, 4, 1, 0), (2, 3, 1, 1), (3, 3, 0, 2), (1, 3, 1, 0), (2, 2, 0, 1)],
)
def test_torch_conv_transpose_ported_runs_the_same_in_the_target(
    target: str, stride: int, k: int, padding: int, output_padding: int
) -> None:
    _needs("torch", target)
    rng = np.random.default_rng(stride * 100 + k * 10 + padding)
    kernel = rng.integers(-9, 10, size=(2, 3, k, k))
    layer = Layer(
        "torch",
        kernel,
        stride=stride,
        padding=padding,
        transposed=True,
        output_padding=output_padding,
        bias=rng.integers(-9, 10, size=3),
    )
    x = rng.integers(-9, 10, size=(2, 2, 5, 6)).astype(np.float32)
    ported = port(layer, target, input_size=(5, 6))
    in_torch = RUNNERS["torch"][1](layer, x, None)
    in_target = RUNNERS[target][1](ported.layer, x, ported.pre_pad)
    assert np.array_equal(in_target, in_torch)
    assert np.array_equal(in_torch, run_layer(layer, x))
