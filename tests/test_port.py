"""convspec.port: every pair of presets on random layers, refusals, and the CLI.

The port's own proof runs both layers on the input sizes it chose; these tests check the
claim independently, on other input sizes and other data, through the reference layer.
"""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from port_frameworks import write_howto_kernels

import convspec
from convspec.conformance.cli import main
from convspec.frameworks import CONVENTIONS, convention
from convspec.port import Layer, port, run_layer
from convspec.port_code import render

PRESETS = list(CONVENTIONS)
PAIRS = list(itertools.product(PRESETS, PRESETS))
#: Refusals a port may give: a missing argument, or pads the target cannot write.
REFUSALS = (
    "has no groups argument",
    "has no dilation argument",
    "does not combine stride > 1 with dilation > 1",
    "no combination of",
    "depends on the input size",
)


@st.composite
def layers(draw: st.DrawFn, preset: str, transposed: bool = False) -> Layer:
    """A random layer written in ``preset``'s convention (stride 1..3, even and odd K)."""
    conv = convention(preset)
    rank = draw(st.integers(1, 2))
    groups = draw(st.sampled_from([1, 2])) if conv.groups else 1
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(rank)) if conv.dilation else 1
    channels = (c_in, c_out // groups) if transposed else (c_out, c_in // groups)
    canonical = np.random.default_rng(draw(st.integers(0, 2**16))).integers(
        -9, 10, size=(*channels, *k)
    )
    layout = convention("torch").kernel_layout(rank, transposed)
    kernel = convspec.relayout(canonical, layout, conv.kernel_layout(rank, transposed))
    names = list(conv.padding_names)
    if conv.padding_style == "names":
        padding: object = draw(st.sampled_from(names))
    elif conv.padding_style == "symmetric":
        padding = draw(st.sampled_from([*names, *range(3)]))
    else:
        pairs = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(rank)]
        padding = draw(st.sampled_from([*names, "pairs"]))
        if padding == "pairs":
            padding = _spell(preset, pairs)
    layer = Layer(preset, kernel, stride=stride, padding=padding, dilation=dilation, groups=groups)
    try:  # a padding rule that is undefined here (torch 'same' at stride 2): draw again
        run_layer(layer, np.zeros((1, c_in, *(15,) * rank)))
    except (ValueError, TypeError):
        from hypothesis import reject

        reject()
    return layer


def _spell(preset: str, pairs: list[tuple[int, int]]) -> object:
    if preset == "onnx":
        return [b for b, _ in pairs] + [a for _, a in pairs]
    if preset == "tensorflow":
        return [[0, 0], *[list(p) for p in pairs], [0, 0]]
    return pairs


def _same_layer_on(source: Layer, ported_layer: Layer, pre_pad: object, sizes: list[int]) -> None:
    rng = np.random.default_rng(7)
    kernel = source.canonical_kernel()
    c_in = kernel.shape[1] * source.groups
    for n in sizes:
        x = rng.integers(-9, 10, size=(2, c_in, *(n,) * source.rank))
        try:
            expected = run_layer(source, x)
        except ValueError:
            continue  # no output at this size (kernel larger than the padded input)
        actual = run_layer(ported_layer, x, pre_pad)  # type: ignore[arg-type]
        assert np.array_equal(actual, expected), f"differ on input size {n}"


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s}-to-{t}" for s, t in PAIRS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_port_gives_the_same_layer(source: str, target: str, data: st.DataObject) -> None:
    layer = data.draw(layers(source))
    try:
        ported = port(layer, target)
    except ValueError as error:
        assert any(reason in str(error) for reason in REFUSALS), str(error)
        # An input-size-dependent padding can still be ported for one size.
        if "depends on the input size" in str(error):
            size = (17,) * layer.rank
            try:
                ported = port(layer, target, input_size=size)
            except ValueError as again:  # pads at that size the target cannot write (Caffe)
                assert "no combination of" in str(again), str(again)
                return
            assert ported.input_size == size
            _same_layer_on(layer, ported.layer, ported.pre_pad, [17])
        return
    assert ported.proof.integer_difference == 0
    assert ported.proof.float_difference == 0.0
    assert ported.layer.preset == target
    # The claim "the same layer for every input size" holds beyond the sizes it was proved on.
    _same_layer_on(layer, ported.layer, ported.pre_pad, list(range(6, 20)))
    assert render(ported).startswith(f"# {target}:")


@pytest.mark.parametrize("target", ["torch", "tensorflow", "onnx"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_transposed_port_gives_the_same_layer(target: str, data: st.DataObject) -> None:
    conv = convention("torch")
    rank = data.draw(st.integers(1, 2))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(rank))
    k = tuple(data.draw(st.integers(1, 4)) for _ in range(rank))
    padding = tuple(data.draw(st.integers(0, kk - 1)) for kk in k)
    output_padding = tuple(data.draw(st.integers(0, s - 1)) for s in stride)
    kernel = np.random.default_rng(3).integers(-9, 10, size=(2, 3, *k))
    layer = Layer(
        conv.name,
        kernel,
        stride=stride,
        padding=padding,
        transposed=True,
        output_padding=output_padding,
    )
    size = tuple(data.draw(st.integers(2, 6)) for _ in range(rank))
    x = np.random.default_rng(5).integers(-9, 10, size=(2, 2, *size))
    try:
        expected = run_layer(layer, x)
    except ValueError:
        return  # the crop leaves no output
    ported = port(layer, target, input_size=size if target == "tensorflow" else None)
    assert ported.proof.integer_difference == 0
    actual = run_layer(ported.layer, x, ported.pre_pad)
    assert actual.shape == expected.shape
    assert np.array_equal(actual, expected)


def test_tensorflow_same_stride_2_to_torch_needs_the_input_size() -> None:
    kernel = np.ones((3, 3, 1, 1), dtype=np.int64)
    layer = Layer("tensorflow", kernel, stride=2, padding="SAME")
    with pytest.raises(ValueError, match="depends on the input size"):
        port(layer, "torch")
    odd, even = port(layer, "torch", (225, 225)), port(layer, "torch", (224, 224))
    assert odd.pre_pad is None and odd.arguments["padding"] == (1, 1)
    assert even.pre_pad == ((0, 1), (0, 1)) and even.arguments["padding"] == (0, 0)
    # To a framework that has the same rule, no input size is needed.
    assert port(layer, "onnx").arguments["padding"] == "SAME_UPPER"
    assert port(layer, "jax").arguments["padding"] == "SAME"


def test_caffe_cannot_write_an_asymmetric_pad() -> None:
    layer = Layer("onnx", np.ones((1, 1, 3, 3)), padding=[0, 0, 1, 1])
    with pytest.raises(ValueError, match="no combination of caffe's padding arguments"):
        port(layer, "caffe")
    assert port(layer, "torch").pre_pad == ((0, 1), (0, 1))


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        (Layer("torch", np.ones((4, 1, 3, 3)), groups=2), "lasagne", "no groups argument"),
        (Layer("torch", np.ones((2, 1, 3, 3)), dilation=2), "lasagne", "no dilation"),
        (Layer("jax", np.ones((3, 3, 1, 1)), stride=2, dilation=2), "keras", "stride > 1"),
        (Layer("torch", np.ones((1, 1, 3)), transposed=True), "keras", "no transposed layer"),
    ],
)
def test_refusals_name_the_reason(source: Layer, target: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        port(source, target)


def test_bad_layers_are_refused_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="unknown framework preset 'mxnet'"):
        Layer("mxnet", np.ones((1, 1, 3)))
    with pytest.raises(ValueError, match="unknown name 'SAME'"):
        run_layer(Layer("torch", np.ones((1, 1, 3)), padding="SAME"), np.ones((1, 1, 5)))
    with pytest.raises(ValueError, match="needs output_shape"):
        Layer("tensorflow", np.ones((3, 1, 1)), transposed=True)
    with pytest.raises(ValueError, match="kernel must have 2 channel axes"):
        Layer("torch", np.ones((3, 3)))


def test_round_trip_returns_the_kernel() -> None:
    oihw = np.arange(2 * 3 * 3 * 4).reshape(2, 3, 3, 4)
    layer = Layer("torch", oihw, padding=1)
    there = port(layer, "theano")
    back = port(there.layer, "torch")
    assert np.array_equal(back.kernel, oihw)
    assert np.array_equal(there.kernel, oihw[:, :, ::-1, ::-1])


def test_cli_prints_arguments_pad_and_proof_and_writes_the_kernel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hwio = np.random.default_rng(0).standard_normal((3, 3, 2, 4))
    np.save(tmp_path / "kernel.npy", hwio)
    status = main(
        [
            "port",
            "--from",
            "tensorflow",
            "--to",
            "torch",
            str(tmp_path / "kernel.npy"),
            "--stride",
            "2",
            "--padding",
            "SAME",
            "--input-size",
            "224,224",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    written = np.load(tmp_path / "kernel.torch.npy")
    assert np.array_equal(written, np.transpose(hwio, (3, 2, 0, 1)))
    assert "torch arguments: stride=(2, 2), padding=(0, 0)" in out
    assert (
        "extra zero pad before the layer (before, after) per spatial axis: [[0, 1], [0, 1]]" in out
    )
    assert "torch.nn.functional.pad(x, (0, 1, 0, 1))" in out
    assert "max |difference| = 0 on integer data" in out


def test_cli_refusal_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    np.save(tmp_path / "k.npy", np.ones((3, 3, 1, 1)))
    status = main(
        [
            "port",
            "--from",
            "tf",
            "--to",
            "torch",
            str(tmp_path / "k.npy"),
            "--stride",
            "2",
            "--padding",
            "SAME",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "give the input size" in err


HOWTO = Path(__file__).parents[1] / "docs" / "how-to" / "port-weights.md"


def _console_blocks(text: str) -> list[tuple[str, str]]:
    blocks = re.findall(r"```console\n\$ (.*?)\n(.*?)```", text, flags=re.DOTALL)
    return [(command, output) for command, output in blocks]


@pytest.mark.parametrize("block", range(len(_console_blocks(HOWTO.read_text()))))
def test_the_how_to_shows_what_the_commands_print(
    block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command, shown = _console_blocks(HOWTO.read_text())[block]
    monkeypatch.chdir(tmp_path)
    write_howto_kernels(tmp_path)
    args = shlex.split(command)
    assert args[0] == "convspec"
    main(args[1:])
    printed = capsys.readouterr()
    assert " ".join((printed.out + printed.err).split()) == " ".join(shown.split())
