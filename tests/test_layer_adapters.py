"""The bundled layer adapters conform to their declarations, and the facts their notes state
about the libraries hold (each test skips without its library)."""

from __future__ import annotations

import numpy as np
import pytest

import convspec
from convspec.conformance.registry import load
from convspec.conformance.runner import run

NEEDS = {
    "torch-layers": "torch",
    "jax-layers": "jax",
    "onnxruntime": "onnxruntime",
    "onnx-reference": "onnx",
    "tensorflow": "tensorflow",
}
# jax compiles every new shape (about 0.3 s each): the clauses that tell conventions apart.
SELECT = {"jax-layers": ["layers.impulse_response", "layers.named_padding", "layers.groups"]}


@pytest.mark.parametrize("name", list(NEEDS))
def test_layer_adapter_conforms_to_its_declaration(name: str) -> None:
    pytest.importorskip(NEEDS[name])
    result = run(load(name), name, "quick", seed=0, isolation="none", select=SELECT.get(name))
    assert result.results, "no case ran"
    layer_cases = [r for r in result.results if r.case.clauses[0].startswith("LAYER-")]
    assert layer_cases
    failures = [f"{r.case.call.describe()}: {r.message} {r.diagnosis}" for r in result.failures]
    assert failures == []


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_jax_conv_transpose_names_are_tensorflow_rules_not_onnx() -> None:
    """lax 'SAME' is same-upper except where the kernel is 2 or more shorter than the
    stride; lax 'VALID' has length N s + max(K - s, 0), the spec's valid only for K >= s."""
    pytest.importorskip("jax")
    import jax

    jax.config.update("jax_enable_x64", True)
    from jax import lax

    x = _rng().standard_normal((1, 1, 4))

    def lax_t(k: int, s: int, padding: str) -> np.ndarray:
        w = np.arange(1.0, k + 1)[None, None]
        numbers = ("NCH", "OIH", "NCH")
        y = lax.conv_transpose(
            x, w, (s,), padding, dimension_numbers=numbers, transpose_kernel=True
        )
        return np.asarray(y)

    def spec(k: int, s: int, padding: str) -> np.ndarray:
        w = np.arange(1.0, k + 1)[None, None]
        return np.asarray(convspec.conv_transpose(x, w, stride=s, padding=padding))

    np.testing.assert_allclose(lax_t(3, 2, "SAME"), spec(3, 2, "same-upper"))
    # K - s = -1: lax halves the negative total toward zero (the odd output at the end); the
    # spec floors it, as onnx.reference does (the odd output at the start).
    odd, upper = lax_t(2, 3, "SAME"), spec(2, 3, "same-upper")
    assert odd.shape == upper.shape
    np.testing.assert_allclose(odd[..., :-1], upper[..., 1:])
    same, upper = lax_t(1, 3, "SAME"), spec(1, 3, "same-upper")  # K - s = -2
    assert same.shape == upper.shape and not np.allclose(same, upper)
    np.testing.assert_allclose(same[..., ::3], x)  # x at 0, 3, 6, 9: all the zeros at the end
    np.testing.assert_allclose(lax_t(3, 2, "VALID"), spec(3, 2, "valid"))
    assert lax_t(1, 3, "VALID").shape[-1] == 4 * 3 != spec(1, 3, "valid").shape[-1]


def test_tensorflow_transposed_same_puts_every_extra_output_at_the_end() -> None:
    tf = pytest.importorskip("tensorflow")
    x = _rng().standard_normal((1, 4, 1))
    w = np.ones((1, 1, 1))
    y = tf.nn.conv1d_transpose(x, w, (1, 12, 1), 3, "SAME").numpy()[0, :, 0]
    np.testing.assert_allclose(y[::3], x[0, :, 0])
    spec = convspec.conv_transpose(
        np.moveaxis(x, -1, 1), np.ones((1, 1, 1)), stride=3, padding="same-upper"
    )[0, 0]
    np.testing.assert_allclose(spec[1::3], x[0, :, 0])  # the spec (ONNX) splits the -2


def test_tensorflow_transposed_refuses_dilation_on_the_cpu() -> None:
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(tf.errors.InvalidArgumentError, match="dilation rates larger than 1"):
        tf.nn.conv2d_transpose(
            tf.ones((1, 5, 5, 2)), tf.ones((3, 3, 2, 2)), (1, 9, 9, 2), 1, "VALID", dilations=2
        )


def _onnx_transpose(run_model: str, group: int, output_padding: int, dilation: int) -> object:
    from convspec.conformance.adapters.onnx_layers import model_bytes

    x = np.ones((1, 4, 3), np.float32)
    w = np.ones((4, 4 // group, 2), np.float32)
    attributes = dict(
        kernel_shape=[2],
        strides=[1],
        dilations=[dilation],
        group=group,
        pads=[0, 0],
        output_padding=[output_padding],
    )
    model = model_bytes("ConvTranspose", x, w, None, attributes)
    if run_model == "onnxruntime":
        import onnxruntime

        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return session.run(None, {"x": x, "w": w})[0]
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(model).run(None, {"x": x, "w": w})[0]


def test_onnx_reference_conv_transpose_groups_raise_while_onnxruntime_computes_them() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    expected = convspec.conv_transpose(np.ones((1, 4, 3)), np.ones((4, 2, 2)), groups=2)
    np.testing.assert_allclose(_onnx_transpose("onnxruntime", 2, 0, 1), expected)
    with pytest.raises(ValueError, match=r"cannot reshape|could not broadcast"):
        _onnx_transpose("onnx.reference", 2, 0, 1)


@pytest.mark.parametrize("runtime", ["onnxruntime", "onnx.reference"])
def test_onnx_conv_transpose_refuses_output_padding_not_below_the_stride(runtime: str) -> None:
    """The operator documents output_padding below 'stride/dilation'; both runtimes want it
    below the stride, though the spec (and torch) accept it below the dilation."""
    pytest.importorskip("onnx")
    if runtime == "onnxruntime":
        pytest.importorskip("onnxruntime")
    expected = convspec.conv_transpose(
        np.ones((1, 4, 3)), np.ones((4, 4, 2)), output_padding=1, dilation=2
    )
    assert expected.shape == (1, 4, 6)
    with pytest.raises(Exception, match=r"output_padding|sliding blocks"):
        _onnx_transpose(runtime, 1, 1, 2)


def test_torch_same_padding_is_refused_at_stride_two() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="not supported for strided convolutions"):
        torch.nn.functional.conv2d(
            torch.ones(1, 1, 6, 6), torch.ones(1, 1, 3, 3), stride=2, padding="same"
        )
