"""A ported layer written out as code for its framework.

:func:`render` turns a :class:`convspec.port.Ported` into the few lines a user pastes: the
explicit pad (or crop) when one is needed, then the layer call with its arguments, each in
that framework's own spelling.  The layer's semantics are not here: they are in
:mod:`convspec.port`, whose proof this code does not affect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .frameworks import spatial_letters
from .port import Pairs, Ported

__all__ = ["render"]


def _tuple(values: Sequence[int]) -> str:
    values = list(values)
    return f"({values[0]},)" if len(values) == 1 else "(" + ", ".join(map(str, values)) + ")"


def _list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(map(str, values)) + "]"


def _crop(crop: Pairs) -> str:
    """A numpy-style slice of the spatial axes (channels-first or -last alike)."""
    parts = [f"{b}:{'' if a == 0 else -a}" for b, a in crop]
    return ", ".join(parts)


def _torch(p: Ported) -> list[str]:
    layer, rank = p.layer, p.layer.rank
    lines = []
    if p.pre_pad is not None and not layer.transposed:
        flat = [x for pair in reversed(p.pre_pad) for x in pair]
        lines.append(f"x = torch.nn.functional.pad(x, {_tuple(flat)})  # last spatial axis first")
    args = (
        f"stride={_tuple(layer.strides)}, padding={_padding_repr(layer.padding)}, "
        f"dilation={_tuple(layer.dilations)}, groups={layer.groups}"
    )
    if layer.transposed:
        lines.append(
            f"y = torch.nn.functional.conv_transpose{rank}d(x, weight, bias, {args}, "
            f"output_padding={_tuple(layer.output_pads)})"
        )
        if p.pre_pad is not None:
            lines.append(f"y = y[:, :, {_crop(p.pre_pad)}]")
    else:
        lines.append(f"y = torch.nn.functional.conv{rank}d(x, weight, bias, {args})")
    return lines


def _padding_repr(padding: Any) -> str:
    if isinstance(padding, str):
        return repr(padding)
    if isinstance(padding, (tuple, list)) and all(isinstance(v, int) for v in padding):
        return _tuple(padding)
    return repr(padding)


def _tensorflow(p: Ported) -> list[str]:
    layer, rank = p.layer, p.layer.rank
    lines, padding = [], layer.padding
    if p.pre_pad is not None:
        pads = [[0, 0], *[list(x) for x in p.pre_pad], [0, 0]]
        lines.append(f"x = tf.pad(x, {pads})")
    if not isinstance(padding, str) and rank != 2 and not layer.transposed:
        # only tf.nn.conv2d takes explicit pads: pad first, then VALID
        lines.append(f"x = tf.pad(x, {padding})")
        padding = "VALID"
    strides, dilations = _list(layer.strides), _list(layer.dilations)
    if layer.transposed:
        shape = ["batch", *(layer.output_shape or ()), layer.kernel.shape[-2]]
        lines.append(
            f"y = tf.nn.conv{rank}d_transpose(x, filters, output_shape={_list(shape)}, "
            f"strides={strides}, padding={padding!r}, dilations={dilations})"
        )
    else:
        name = "conv2d" if rank == 2 else "convolution"
        lines.append(
            f"y = tf.nn.{name}(x, filters, strides={strides}, padding={padding!r}, "
            f"dilations={dilations})"
        )
    if layer.bias is not None:
        lines.append("y = tf.nn.bias_add(y, bias)")
    return lines


def _keras(p: Ported) -> list[str]:
    layer, rank = p.layer, p.layer.rank
    lines = []
    if p.pre_pad is not None:
        pads = p.pre_pad[0] if rank == 1 else tuple(p.pre_pad)
        lines.append(f"x = keras.layers.ZeroPadding{rank}D({pads})(x)")
    kernel_size = tuple(layer.kernel.shape[:rank])
    lines += [
        f"conv = keras.layers.Conv{rank}D({layer.kernel.shape[-1]}, {_tuple(kernel_size)}, "
        f"strides={_tuple(layer.strides)}, padding={layer.padding!r}, "
        f"dilation_rate={_tuple(layer.dilations)}, groups={layer.groups}, "
        f"use_bias={layer.bias is not None})",
        "y = conv(x)",
        "conv.set_weights([kernel" + (", bias])" if layer.bias is not None else "])"),
    ]
    return lines


def _jax(p: Ported) -> list[str]:
    layer, rank = p.layer, p.layer.rank
    lines = []
    if p.pre_pad is not None:
        lines.append(f"x = jnp.pad(x, {[(0, 0), *p.pre_pad, (0, 0)]})")
    letters = spatial_letters(rank)
    numbers = (f"N{letters}C", f"{letters}IO", f"N{letters}C")
    lines.append(
        f"y = jax.lax.conv_general_dilated(x, kernel, window_strides={_tuple(layer.strides)}, "
        f"padding={layer.padding!r}, rhs_dilation={_tuple(layer.dilations)}, "
        f"dimension_numbers={numbers}, feature_group_count={layer.groups})"
    )
    if layer.bias is not None:
        lines.append("y = y + bias")
    lines.append(
        f"# flax.linen.Conv(features, kernel_size={_tuple(layer.kernel.shape[:rank])}, "
        f"strides={_tuple(layer.strides)}, padding={layer.padding!r}, "
        f"kernel_dilation={_tuple(layer.dilations)}, feature_group_count={layer.groups}) "
        "computes the same with params {'kernel': kernel, 'bias': bias}"
    )
    return lines


def _onnx(p: Ported) -> list[str]:
    layer = p.layer
    op = "ConvTranspose" if layer.transposed else "Conv"
    inputs = ["x", "W"] + (["B"] if layer.bias is not None else [])
    attrs = [
        f"kernel_shape={_list(layer.kernel.shape[2:])}",
        f"strides={_list(layer.strides)}",
        f"dilations={_list(layer.dilations)}",
        f"group={layer.groups}",
    ]
    if isinstance(layer.padding, str):
        attrs.append(f"auto_pad={layer.padding!r}")
    else:
        attrs.append(f"pads={_list(layer.padding)}")
    if layer.transposed:
        attrs.append(f"output_padding={_list(layer.output_pads)}")
    lines = [f"node = onnx.helper.make_node({op!r}, {inputs}, ['y'], {', '.join(attrs)})"]
    if p.pre_pad is not None:
        lines.append(f"# then crop y: y[:, :, {_crop(p.pre_pad)}]")
    return lines


def _theano(p: Ported) -> list[str]:
    layer = p.layer
    lines = []
    if p.pre_pad is not None:
        lines.append(f"# zero-pad x first by {[list(x) for x in p.pre_pad]} (before, after)")
    lines.append(
        f"y = theano.tensor.nnet.conv2d(x, W, border_mode={_padding_repr(layer.padding)}, "
        f"subsample={_tuple(layer.strides)}, filter_dilation={_tuple(layer.dilations)}, "
        "filter_flip=True)"
    )
    return lines


def _lasagne(p: Ported) -> list[str]:
    layer, rank = p.layer, p.layer.rank
    lines = []
    if p.pre_pad is not None:
        width = [tuple(x) for x in p.pre_pad]
        lines.append(f"incoming = lasagne.layers.PadLayer(incoming, width={width})")
    lines.append(
        f"layer = lasagne.layers.Conv{rank}DLayer(incoming, num_filters={layer.kernel.shape[0]}, "
        f"filter_size={_tuple(layer.kernel.shape[2:])}, stride={_tuple(layer.strides)}, "
        f"pad={_padding_repr(layer.padding)}, flip_filters=True, W=kernel, b=bias)"
    )
    return lines


def _caffe(p: Ported) -> list[str]:
    layer = p.layer
    pads = layer.padding if isinstance(layer.padding, tuple) else ()
    fields = [f"num_output: {layer.kernel.shape[0]}"]
    fields += [f"kernel_size: {k}" for k in layer.kernel.shape[2:]]
    fields += [f"stride: {s}" for s in layer.strides]
    fields += [f"pad: {x}" for x in pads]
    fields += [f"dilation: {d}" for d in layer.dilations]
    fields.append(f"group: {layer.groups}")
    return ["convolution_param { " + " ".join(fields) + " }"]


_RENDERERS: dict[str, Callable[[Ported], list[str]]] = {
    "torch": _torch,
    "tensorflow": _tensorflow,
    "keras": _keras,
    "jax": _jax,
    "onnx": _onnx,
    "theano": _theano,
    "lasagne": _lasagne,
    "caffe": _caffe,
}


def render(ported: Ported) -> str:
    """The target layer as code for its framework (the kernel file holds its weights)."""
    layer = ported.layer
    conv = layer.convention
    header = (
        f"# {conv.name}: kernel {conv.kernel_layout(layer.rank, layer.transposed)} "
        f"{list(layer.kernel.shape)}, data {conv.data_layout(layer.rank)}"
    )
    return "\n".join([header, *_RENDERERS[conv.name](ported)])
