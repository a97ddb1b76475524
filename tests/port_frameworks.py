"""Run a :class:`convspec.port.Layer` in its real framework (test support).

Each runner takes a layer in its framework's convention, channels-first input ``x`` (the
runner moves the channels where its framework wants them) and an optional pre-pad (or, for
a transposed layer, crop), and returns the framework's output channels-first.  Data are
integer-valued float32, so every framework's sums are exact and outputs compare exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from convspec.port import Layer, Pairs

Runner = Callable[[Layer, np.ndarray, Pairs | None], np.ndarray]


def _last(x: np.ndarray) -> np.ndarray:
    return np.moveaxis(x, 1, -1)


def _first(y: Any) -> np.ndarray:
    return np.moveaxis(np.asarray(y), -1, 1)


def _crop(y: np.ndarray, crop: Pairs | None, spatial_from: int) -> np.ndarray:
    if crop is None:
        return y
    index = [slice(None)] * y.ndim
    for axis, (b, a) in enumerate(crop, start=spatial_from):
        index[axis] = slice(b, y.shape[axis] - a)
    return y[tuple(index)]


def run_torch(layer: Layer, x: np.ndarray, pre_pad: Pairs | None) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    rank = layer.rank
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    w = torch.from_numpy(np.ascontiguousarray(layer.kernel, dtype=np.float32))
    b = None if layer.bias is None else torch.from_numpy(np.asarray(layer.bias, np.float32))
    padding = layer.padding
    if layer.transposed:
        fn = getattr(F, f"conv_transpose{rank}d")
        y = fn(xt, w, b, layer.strides, padding, layer.output_pads, layer.groups, layer.dilations)
        return _crop(y.numpy(), pre_pad, 2)
    if pre_pad is not None:
        xt = F.pad(xt, [v for pair in reversed(pre_pad) for v in pair])
    fn = getattr(F, f"conv{rank}d")
    return fn(xt, w, b, layer.strides, padding, layer.dilations, layer.groups).numpy()


def run_tensorflow(layer: Layer, x: np.ndarray, pre_pad: Pairs | None) -> np.ndarray:
    import tensorflow as tf

    rank = layer.rank
    xt = tf.constant(_last(np.asarray(x, np.float32)))
    w = tf.constant(np.asarray(layer.kernel, np.float32))
    padding = layer.padding
    if layer.transposed:
        assert layer.output_shape is not None
        shape = [x.shape[0], *layer.output_shape, layer.kernel.shape[-2]]
        fn = {1: tf.nn.conv1d_transpose, 2: tf.nn.conv2d_transpose, 3: tf.nn.conv3d_transpose}
        y = fn[rank](xt, w, shape, list(layer.strides), padding, dilations=list(layer.dilations))
        out = _first(y)
    else:
        if pre_pad is not None:
            xt = tf.pad(xt, [[0, 0], *[list(p) for p in pre_pad], [0, 0]])
        if not isinstance(padding, str) and rank != 2:
            xt, padding = tf.pad(xt, padding), "VALID"
        if rank == 2:
            y = tf.nn.conv2d(xt, w, list(layer.strides), padding, dilations=list(layer.dilations))
        else:
            y = tf.nn.convolution(
                xt, w, list(layer.strides), padding, dilations=list(layer.dilations)
            )
        out = _first(y)
    if layer.bias is not None:
        out = out + np.asarray(layer.bias, np.float32).reshape(1, -1, *([1] * rank))
    return _crop(out, pre_pad, 2) if layer.transposed else out


def run_keras(layer: Layer, x: np.ndarray, pre_pad: Pairs | None) -> np.ndarray:
    import keras

    rank = layer.rank
    xk = _last(np.asarray(x, np.float32))
    if pre_pad is not None:
        xk = np.pad(xk, [(0, 0), *pre_pad, (0, 0)])
    conv = getattr(keras.layers, f"Conv{rank}D")(
        layer.kernel.shape[-1],
        layer.kernel.shape[:rank],
        strides=layer.strides,
        padding=layer.padding,
        dilation_rate=layer.dilations,
        groups=layer.groups,
        use_bias=layer.bias is not None,
    )
    conv.build(xk.shape)
    weights = [np.asarray(layer.kernel, np.float32)]
    if layer.bias is not None:
        weights.append(np.asarray(layer.bias, np.float32))
    conv.set_weights(weights)
    return _first(keras.ops.convert_to_numpy(conv(xk)))


def run_jax(layer: Layer, x: np.ndarray, pre_pad: Pairs | None) -> np.ndarray:
    import jax
    import jax.numpy as jnp

    from convspec.frameworks import spatial_letters

    letters = spatial_letters(layer.rank)
    xj = jnp.asarray(_last(np.asarray(x, np.float32)))
    if pre_pad is not None:
        xj = jnp.pad(xj, [(0, 0), *pre_pad, (0, 0)])
    padding = layer.padding
    padding = padding if isinstance(padding, str) else [tuple(p) for p in padding]
    y = jax.lax.conv_general_dilated(
        xj,
        jnp.asarray(layer.kernel, jnp.float32),
        window_strides=layer.strides,
        padding=padding,
        rhs_dilation=layer.dilations,
        dimension_numbers=(f"N{letters}C", f"{letters}IO", f"N{letters}C"),
        feature_group_count=layer.groups,
    )
    out = _first(y)
    if layer.bias is not None:
        out = out + np.asarray(layer.bias, np.float32).reshape(1, -1, *([1] * layer.rank))
    return out


def run_onnx(layer: Layer, x: np.ndarray, pre_pad: Pairs | None) -> np.ndarray:

    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    x32 = np.asarray(x, np.float32)
    if pre_pad is not None and not layer.transposed:
        x32 = np.pad(x32, [(0, 0), (0, 0), *pre_pad])
    kernel = np.asarray(layer.kernel, np.float32)
    inits = [numpy_helper.from_array(kernel, "W")]
    inputs = ["x", "W"]
    if layer.bias is not None:
        inits.append(numpy_helper.from_array(np.asarray(layer.bias, np.float32), "B"))
        inputs.append("B")
    attrs: dict[str, Any] = dict(
        kernel_shape=list(kernel.shape[2:]),
        strides=list(layer.strides),
        dilations=list(layer.dilations),
        group=layer.groups,
    )
    if isinstance(layer.padding, str):
        attrs["auto_pad"] = layer.padding
    else:
        attrs["pads"] = list(layer.padding)
    if layer.transposed:
        attrs["output_padding"] = list(layer.output_pads)
    node = helper.make_node("ConvTranspose" if layer.transposed else "Conv", inputs, ["y"], **attrs)
    graph = helper.make_graph(
        [node],
        "port",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x32.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    (y,) = session.run(None, {"x": x32})
    return _crop(np.asarray(y), pre_pad, 2) if layer.transposed else np.asarray(y)


#: The framework behind each measured preset, and the module it needs.
RUNNERS: dict[str, tuple[str, Runner]] = {
    "torch": ("torch", run_torch),
    "tensorflow": ("tensorflow", run_tensorflow),
    "keras": ("keras", run_keras),
    "jax": ("jax", run_jax),
    "onnx": ("onnxruntime", run_onnx),
}


def write_howto_kernels(folder: Any) -> None:
    """The kernel files docs/how-to/port-weights.md names, written into ``folder``."""
    from pathlib import Path

    folder = Path(folder)
    rng = np.random.default_rng(0)
    np.save(folder / "kernel.npy", rng.standard_normal((3, 3, 16, 32)))
    np.save(folder / "kernel_oihw.npy", rng.standard_normal((32, 16, 3, 3)))
    kernel, bias = rng.standard_normal((16, 8, 4, 4)), rng.standard_normal(8)
    np.savez(folder / "up.npz", kernel=kernel, bias=bias)
