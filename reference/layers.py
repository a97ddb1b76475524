"""Convolution layers: batch, channels, groups, stride, dilation, padding, bias; transposed.

Spec chapter: ``spec/layers.md`` (clauses LAYER-1 .. LAYER-13).

What deep-learning frameworks call a convolution layer is a sum of cross-correlations
(LAYER-1): for data ``x`` of shape ``(B, C_in, *N)`` and a kernel ``w`` of shape
``(C_out, C_in / groups, *K)``,

    y[b, o, p] = bias[o] + sum over c in group g(o), k in B(K) of
                 x[b, c, p s + k d - pad_before] * w[o, c - g(o) C_in / groups, k],

with ``x`` zero outside its box (the sum runs over the in-box terms only, NOT-3): no flip and
no conjugation.  The transposed layer is its adjoint (LAYER-7).

:func:`conv_literal` and :func:`conv_transpose_literal` compute these sums term by term, one
Python step per term; :func:`conv` and :func:`conv_transpose` compute the same sums on BLAS
(:mod:`convspec.layer_engine`).  The tests prove them equal.  Dtypes and exactness are the
core's (NOT-4, NOT-5): integer data give exact int64 results or ``OverflowError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .convolution import exact_values, finish, in_box
from .engine import products_cannot_overflow
from .exact import exact_integer_compute_dtype, exact_to_int64
from .layer_engine import Geometry, conv_blas, conv_taps, conv_transpose_blas, conv_transpose_taps
from .layer_padding import (
    Padding,
    as_int,
    check_output_padding,
    output_lengths,
    per_axis,
    resolve_padding,
    transpose_output_lengths,
    transpose_padding,
)
from .notation import accumulation_dtype, as_operand, result_dtype

__all__ = ["conv", "conv_literal", "conv_transpose", "conv_transpose_literal"]

Array = np.ndarray[Any, np.dtype[Any]]
IntOrTuple = int | Sequence[int]
Engine = Callable[[Array, Array, Geometry, np.dtype[Any]], Array]


@dataclass(frozen=True)
class Layer(Geometry):
    """A validated layer call: operands, geometry and the result's dtype.

    For ``conv``: ``x`` is ``(B, c_in, *spatial)``, ``w`` is ``(c_out, c_in / groups, *K)``
    and the result ``(B, c_out, *out_spatial)``.  For ``conv_transpose``: ``w`` is
    ``(c_in, c_out / groups, *K)``; ``pads`` then crop the full transposed output.
    """

    x: Array
    w: Array
    bias: Array | None
    c_in: int
    c_out: int
    result: np.dtype[Any]

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(self.w.shape[2:])

    @property
    def spatial(self) -> tuple[int, ...]:
        return tuple(self.x.shape[2:])


def _operands(x: npt.ArrayLike, w: npt.ArrayLike, func: str) -> tuple[Array, Array]:
    x_arr = as_operand(x, "x", func)
    w_arr = as_operand(w, "w", func)
    if x_arr.ndim < 3:
        raise ValueError(
            f"{func}(): argument 'x' must have shape (batch, channels, *spatial), at least 3 "
            f"axes; got shape {x_arr.shape}. Add the missing axes, e.g. x[np.newaxis] for one "
            "unbatched example"
        )
    if w_arr.ndim != x_arr.ndim:
        raise ValueError(
            f"{func}(): argument 'w' must have {x_arr.ndim} axes (two channel axes and one per "
            f"spatial axis of x, whose shape is {x_arr.shape}); got shape {w_arr.shape}"
        )
    return x_arr, w_arr


def _groups(groups: object, c_in: int, c_out: int, func: str) -> int:
    count = as_int(groups, "groups", func)
    if count < 1:
        raise ValueError(f"{func}(): argument 'groups' must be positive; got {count}")
    for name, channels in (("input", c_in), ("output", c_out)):
        if channels % count:
            raise ValueError(
                f"{func}(): argument 'groups' ({count}) must divide both channel counts; "
                f"the {name} has {channels} channels"
            )
    return count


def _bias(bias: npt.ArrayLike | None, c_out: int, func: str) -> Array | None:
    if bias is None:
        return None
    array = as_operand(bias, "bias", func)
    if array.shape != (c_out,):
        raise ValueError(
            f"{func}(): argument 'bias' must have shape ({c_out},), one value per output "
            f"channel; got shape {array.shape}"
        )
    return array


def _result(x: Array, w: Array, bias: Array | None) -> np.dtype[Any]:
    """NOT-4 for the products, then NOT-4 again for adding the bias."""
    products = result_dtype(x.dtype, w.dtype)
    return products if bias is None else result_dtype(products, bias.dtype)


def conv_layer(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    groups: int,
    bias: npt.ArrayLike | None,
    flip: bool,
    func: str,
) -> Layer:
    """Validate a ``conv`` call (every check names the argument) and fix its geometry."""
    x_arr, w_arr = _operands(x, w, func)
    rank = x_arr.ndim - 2
    c_in, c_out = x_arr.shape[1], w_arr.shape[0]
    count = _groups(groups, c_in, c_out, func)
    if w_arr.shape[1] * count != c_in:
        raise ValueError(
            f"{func}(): argument 'w' must have shape (C_out, C_in // groups, *K) = "
            f"({c_out}, {c_in // count}, ...) for x with {c_in} channels and groups={count}; "
            f"got shape {w_arr.shape}"
        )
    if not isinstance(flip, bool | np.bool_):
        raise TypeError(f"{func}(): argument 'flip' must be True or False; got {flip!r}")
    if flip:  # a true convolution: the spatial axes reversed, never the channel axes
        w_arr = w_arr[(slice(None), slice(None)) + (slice(None, None, -1),) * rank]
    strides = per_axis(stride, rank, "stride", func, 1)
    dilations = per_axis(dilation, rank, "dilation", func, 1)
    spatial, kernel = tuple(x_arr.shape[2:]), tuple(w_arr.shape[2:])
    pads = resolve_padding(padding, spatial, kernel, strides, dilations, func)
    out_spatial = output_lengths(spatial, kernel, strides, pads, dilations, func)
    bias_arr = _bias(bias, c_out, func)
    return Layer(
        strides=strides, dilations=dilations, pads=pads, groups=count, out_spatial=out_spatial,
        x=x_arr, w=w_arr, bias=bias_arr, c_in=c_in, c_out=c_out,
        result=_result(x_arr, w_arr, bias_arr),
    )  # fmt: skip


def conv_transpose_layer(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    stride: IntOrTuple,
    padding: Padding,
    output_padding: IntOrTuple,
    dilation: IntOrTuple,
    groups: int,
    bias: npt.ArrayLike | None,
    func: str,
) -> Layer:
    """Validate a ``conv_transpose`` call and fix its geometry (LAYER-8, LAYER-10)."""
    x_arr, w_arr = _operands(x, w, func)
    rank = x_arr.ndim - 2
    c_in = x_arr.shape[1]
    if w_arr.shape[0] != c_in:
        raise ValueError(
            f"{func}(): argument 'w' must have shape (C_in, C_out // groups, *K) with "
            f"C_in = {c_in}, the channels of x (torch's layout for a transposed kernel); "
            f"got shape {w_arr.shape}"
        )
    count = _groups(groups, c_in, c_in, func)
    c_out = w_arr.shape[1] * count
    strides = per_axis(stride, rank, "stride", func, 1)
    dilations = per_axis(dilation, rank, "dilation", func, 1)
    extra = per_axis(output_padding, rank, "output_padding", func, 0)
    check_output_padding(extra, strides, dilations, func)
    spatial, kernel = tuple(x_arr.shape[2:]), tuple(w_arr.shape[2:])
    pads = transpose_padding(padding, spatial, kernel, strides, dilations, extra, func)
    out_spatial = transpose_output_lengths(spatial, kernel, strides, pads, dilations, extra, func)
    bias_arr = _bias(bias, c_out, func)
    return Layer(
        strides=strides, dilations=dilations, pads=pads, groups=count, out_spatial=out_spatial,
        x=x_arr, w=w_arr, bias=bias_arr, c_in=c_in, c_out=c_out,
        result=_result(x_arr, w_arr, bias_arr),
    )  # fmt: skip


# ------------------------------------------------------------------- the literal sums


def _with_bias(sums: Array, layer: Layer) -> Array:
    """``bias[o] + sum`` element by element, in the sums' (exact) type."""
    if layer.bias is None:
        return sums
    bias = exact_values(layer.bias, layer.result)
    out = np.empty_like(sums)
    with np.errstate(all="ignore"):
        for index in np.ndindex(*sums.shape):
            out[index] = bias[index[1]] + sums[index]
    return out


def conv_literal(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    bias: npt.ArrayLike | None = None,
    flip: bool = False,
) -> Array:
    """The layer computed term by term, as LAYER-1 writes it.

    For every output element ``(b, o, p)``: the sum over the input channels ``c`` of the
    group of ``o`` and the kernel offsets ``k`` (row-major, channel first) of
    ``x[b, c, p*s + k*d - pad_before] * w[o, c - g*C_in/groups, k]``, over the terms whose
    data index lies in ``x``'s box; then ``bias[o]`` is added.  Arguments as :func:`conv`.
    Meant for small inputs: it costs one Python step per term.
    """
    func = "conv_literal"
    layer = conv_layer(x, w, stride, padding, dilation, groups, bias, flip, func)
    xv, wv = exact_values(layer.x, layer.result), exact_values(layer.w, layer.result)
    c_group, o_group = layer.c_in // layer.groups, layer.c_out // layer.groups
    before = tuple(pad[0] for pad in layer.pads)
    batch = layer.x.shape[0]
    sums = np.empty((batch, layer.c_out, *layer.out_spatial), dtype=xv.dtype)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        for b, o, *p in np.ndindex(*sums.shape):
            g = o // o_group
            total = None
            for c in range(g * c_group, (g + 1) * c_group):
                for k in np.ndindex(*layer.kernel):
                    index = tuple(
                        p_i * s + k_i * d - pad
                        for p_i, k_i, s, d, pad in zip(
                            p, k, layer.strides, layer.dilations, before, strict=True
                        )
                    )
                    if in_box(index, layer.spatial):
                        term = xv[(b, c, *index)] * wv[(o, c - g * c_group, *k)]
                        total = term if total is None else total + term
            sums[(b, o, *p)] = xv.dtype.type(0) if total is None else total
    return finish(_with_bias(sums, layer), layer.result, func)


def conv_transpose_literal(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    bias: npt.ArrayLike | None = None,
) -> Array:
    """The transposed layer computed term by term, as the adjoint's scatter sum (LAYER-7).

    Every input element ``x[b, i, p]`` and kernel tap ``w[i, j, k]`` send the product
    ``x[b, i, p] * w[i, j, k]`` to the output ``(b, g*C_out/groups + j, p*s + k*d -
    pad_before)`` when that index lies in the output's box; then ``bias`` is added.  This
    is the sum that makes ``<conv(z, w), x> = <z, conv_transpose(x, w)>`` hold.  Arguments
    as :func:`conv_transpose`.
    """
    func = "conv_transpose_literal"
    layer = conv_transpose_layer(
        x, w, stride, padding, output_padding, dilation, groups, bias, func
    )
    xv, wv = exact_values(layer.x, layer.result), exact_values(layer.w, layer.result)
    c_group, o_group = layer.c_in // layer.groups, layer.c_out // layer.groups
    before = tuple(pad[0] for pad in layer.pads)
    sums = np.zeros((layer.x.shape[0], layer.c_out, *layer.out_spatial), dtype=xv.dtype)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        for b, i, *p in np.ndindex(*layer.x.shape):
            g = i // c_group
            for j in range(o_group):
                for k in np.ndindex(*layer.kernel):
                    q = tuple(
                        p_i * s + k_i * d - pad
                        for p_i, k_i, s, d, pad in zip(
                            p, k, layer.strides, layer.dilations, before, strict=True
                        )
                    )
                    if in_box(q, layer.out_spatial):
                        target = (b, g * o_group + j, *q)
                        sums[target] = sums[target] + xv[(b, i, *p)] * wv[(i, j, *k)]
    return finish(_with_bias(sums, layer), layer.result, func)


# ------------------------------------------------------------------- the fast path


def _compute_dtype(layer: Layer) -> tuple[np.dtype[Any], bool]:
    """The dtype the fast path sums in, and whether BLAS products may be used.

    Integers: the cheapest exact dtype (float64 below 2**53, then int64, then Python ints).
    Real and complex: the accumulation dtype (NOT-5); BLAS only when the data are finite and
    no partial sum can overflow (otherwise each in-box product is formed on its own).
    """
    products = result_dtype(layer.x.dtype, layer.w.dtype)
    terms = (layer.c_in // layer.groups) * math.prod(layer.kernel)
    if products.kind in "iu":
        return exact_integer_compute_dtype(layer.x, layer.w, terms), True
    compute = accumulation_dtype(np.result_type(products, layer.result))
    return compute, products_cannot_overflow(layer.x, layer.w, compute, terms)


def _fast(layer: Layer, blas: Engine, taps: Engine, func: str) -> Array:
    """The layer's sums by the BLAS path where it forms the same terms, else tap by tap."""
    compute, use_blas = _compute_dtype(layer)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        sums = (blas if use_blas else taps)(layer.x, layer.w, layer, compute)
    return _finish_fast(sums, layer, func)


def _finish_fast(sums: Array, layer: Layer, func: str) -> Array:
    """Add the bias and return the result dtype: exact int64 for integers, else one rounding."""
    if layer.result.kind in "iu":
        exact = exact_to_int64(sums, func)
        if layer.bias is None:
            return exact
        return _add_bias_exact(exact, layer.bias, func)
    if layer.bias is not None:
        shape = (1, -1) + (1,) * len(layer.out_spatial)
        with np.errstate(all="ignore"):
            sums += layer.bias.astype(sums.dtype).reshape(shape)
    return sums.astype(layer.result, copy=False)


def _add_bias_exact(sums: Array, bias: Array, func: str) -> Array:
    """``sums + bias`` per output channel in int64 when it cannot wrap, else exactly or fail."""
    shape = (1, -1) + (1,) * (sums.ndim - 2)
    info = np.iinfo(np.int64)
    high, low = int(sums.max()) + int(bias.max()), int(sums.min()) + int(bias.min())
    bias_fits = info.min <= int(bias.min()) and int(bias.max()) <= info.max
    if bias_fits and info.min <= low and high <= info.max:
        return sums + bias.astype(np.int64).reshape(shape)
    exact = sums.astype(object) + bias.astype(object).reshape(shape)
    return exact_to_int64(exact, func)


def conv(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    bias: npt.ArrayLike | None = None,
    flip: bool = False,
) -> Array:
    """A convolution layer (LAYER-1): cross-correlation of each channel pair, summed.

    Parameters
    ----------
    x
        Data, channels first: ``(batch, C_in, *spatial)`` with one or more spatial axes.
    w
        Kernel ``(C_out, C_in // groups, *K)`` (OIHW; :func:`convspec.relayout` converts).
    stride, dilation
        A positive int, or one per spatial axis (LAYER-4).
    padding
        An int, one int per spatial axis, one ``(before, after)`` pair per spatial axis, or
        a rule name: ``"valid"``, ``"same"`` (stride 1; the odd pad of an even kernel goes
        at the end), ``"same-upper"`` (TensorFlow SAME, ONNX SAME_UPPER) or
        ``"same-lower"`` (ONNX SAME_LOWER) (LAYER-5, LAYER-6).
    groups
        Channel groups; it must divide both channel counts.  ``groups == C_in`` is
        depthwise (LAYER-2).
    bias
        ``(C_out,)``, added to every output element of its channel.
    flip
        ``True`` reverses the kernel's spatial axes (never its channel axes): a true
        convolution, Theano's ``filter_flip`` (LAYER-12).

    Returns
    -------
    numpy.ndarray
        ``(batch, C_out, *out)`` with ``out`` from :func:`convspec.conv_output_shape`.
        int64 for integer operands (exact, or ``OverflowError``); otherwise numpy's
        promotion of the operands' dtypes, summed in at least float64 (NOT-4, NOT-5).
    """
    func = "conv"
    layer = conv_layer(x, w, stride, padding, dilation, groups, bias, flip, func)
    return _fast(layer, conv_blas, conv_taps, func)


def conv_transpose(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    bias: npt.ArrayLike | None = None,
) -> Array:
    """A transposed convolution layer: the adjoint of :func:`conv` (LAYER-7).

    ``w`` has shape ``(C_in, C_out // groups, *K)``: the same array as the kernel of the
    ``conv`` it is the adjoint of (torch's layout).  ``padding`` (ints or pairs) crops the
    full transposed output; the names ``"valid"``, ``"same-upper"`` and ``"same-lower"``
    follow ONNX ConvTranspose's ``auto_pad`` (output ``N * stride``) (LAYER-10).
    ``output_padding`` (smaller than the stride or the dilation) lengthens the output at
    the end.  Output length per axis: ``(N - 1) s - p_before - p_after + d (K - 1) +
    output_padding + 1`` (LAYER-8).  Dtypes as :func:`conv`.
    """
    func = "conv_transpose"
    layer = conv_transpose_layer(
        x, w, stride, padding, output_padding, dilation, groups, bias, func
    )
    return _fast(layer, conv_transpose_blas, conv_transpose_taps, func)
