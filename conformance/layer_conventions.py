"""The result a layer operation should give under the conventions it declares.

The reference computes it (:func:`convspec.conv`, :func:`convspec.conv_transpose`): the
operands are relabelled from the declared layouts to the spec's (:func:`convspec.relayout`),
the kernel's spatial axes reversed if the operation declares a flip, and the result
relabelled back to the declared data layout.  The bound is the direct-summation bound of
the declared accuracy class (NUM-4, NUM-5, NUM-7) applied to each output element's sum
of ``C_in / groups * prod(K)`` products (and the bias), widened by the reference's own
float64 error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

import convspec
from convspec import numerics

from .backend import Array
from .conventions import Expectation, cast_exact, declared_result_dtype
from .layer_backend import LayerOperation, spatial_letters
from .tolerance import declared_accuracy

__all__ = [
    "layer_bound",
    "layer_expectation",
    "named_transposed_crops",
    "reference_layer",
    "spec_layouts",
    "to_spec",
    "unclamped_named_pads",
]


def spec_layouts(op: LayerOperation, rank: int) -> tuple[str, str]:
    """The spec's layouts for ``rank`` spatial axes: ``NC...`` and ``OI...`` (``IO...``)."""
    spatial = spatial_letters(rank)
    return "NC" + spatial, ("IO" if op.transposed else "OI") + spatial


def to_spec(op: LayerOperation, x: Array, w: Array) -> tuple[Array, Array]:
    """``x`` and ``w`` from the declared layouts to the spec's (no flip applied)."""
    rank = x.ndim - 2
    data, kernel = op.layouts(rank)
    spec_data, spec_kernel = spec_layouts(op, rank)
    return (
        np.ascontiguousarray(convspec.relayout(x, data, spec_data)),
        np.ascontiguousarray(convspec.relayout(w, kernel, spec_kernel)),
    )


def from_spec(op: LayerOperation, y: Array) -> Array:
    """A channels-first result relabelled to the declared data layout."""
    rank = y.ndim - 2
    return np.ascontiguousarray(
        convspec.relayout(y, spec_layouts(op, rank)[0], op.layouts(rank)[0])
    )


def _spatially_flipped(w: Array) -> Array:
    return np.ascontiguousarray(np.flip(w, axis=tuple(range(2, w.ndim))))


def reference_layer(transposed: bool, x: Array, w: Array, params: Mapping[str, Any]) -> Array:
    """The reference layer on spec-layout operands; complex operands by their real parts."""
    function: Any = convspec.conv_transpose if transposed else convspec.conv
    if x.dtype.kind == "c" or w.dtype.kind == "c":
        # No conjugation anywhere (LAYER): (xr + i xi)(wr + i wi) summed term by term.
        bias = params.get("bias")
        real = dict(params, bias=None if bias is None else np.real(bias))
        imag = dict(params, bias=None if bias is None else np.imag(bias))
        none = dict(params, bias=None)
        xr, xi, wr, wi = x.real, x.imag, w.real, w.imag
        out_real = function(xr, wr, **real) - function(xi, wi, **none)
        out_imag = function(xr, wi, **imag) + function(xi, wr, **none)
        return np.asarray(out_real + 1j * out_imag)
    return np.asarray(function(x, w, **params))


def _wide(x: Array) -> Array:
    return x if x.dtype.kind in "iu" else x.astype(np.result_type(x.dtype, np.float64))


def _spec_params(params: Mapping[str, Any], dtype: np.dtype[Any]) -> dict[str, Any]:
    out = dict(params)
    if out.get("bias") is not None:
        out["bias"] = np.asarray(out["bias"]).astype(dtype)
    return out


def _terms(x: Array, w: Array, params: Mapping[str, Any]) -> int:
    """Products each output element sums, at most (and the bias)."""
    groups = int(params.get("groups", 1))
    count = (int(x.shape[1]) // groups) * int(math.prod(w.shape[2:]))
    return count + int(params.get("bias") is not None)


def layer_bound(
    accuracy: numerics.Accuracy,
    transposed: bool,
    x: Array,
    w: Array,
    params: Mapping[str, Any],
    output: np.dtype[Any],
) -> Array:
    """Per-element bound of a direct layer sum under ``accuracy`` (NUM-4, NUM-5), float64.

    ``x``, ``w`` in the spec's layouts as the operation uses them (flipped if declared).
    """
    if output.kind in "iu":
        return np.zeros(reference_layer(transposed, x, w, params).shape)
    if accuracy.method == "exact":  # correctly rounded: half an ulp of the output
        exact = np.abs(reference_layer(transposed, _wide(x), _wide(w), params))
        half_ulp = 0.5 * numerics.ulp(exact, output)
        return np.asarray(half_ulp * (math.sqrt(2) if output.kind == "c" else 1.0))
    acc = numerics.precision_of(accuracy.precision)
    out = numerics.precision_of(output)
    rounding = acc if accuracy.inputs is None else numerics.precision_of(accuracy.inputs)
    ua, uw = _input_rounding(x, rounding), _input_rounding(w, rounding)
    magnitude = _magnitudes(params)
    n = _terms(x, w, params)
    if x.dtype.kind == "c" or w.dtype.kind == "c":
        xr, xi, wr, wi = (
            np.abs(part).astype(np.float64) for part in (x.real, x.imag, w.real, w.imag)
        )
        if accuracy.complex_products == "gauss":
            sums = math.sqrt(2) * 2 * reference_layer(transposed, xr + xi, wr + wi, magnitude)
            n = 3 * n + 2
        else:
            real = reference_layer(transposed, xr, wr, magnitude)
            real = real + reference_layer(transposed, xi, wi, dict(magnitude, bias=None))
            imag = reference_layer(transposed, xr, wi, dict(magnitude, bias=None))
            imag = imag + reference_layer(transposed, xi, wr, dict(magnitude, bias=None))
            sums = np.hypot(real, imag)
            n = 2 * n
        parts = math.sqrt(2)
    else:
        sums = reference_layer(
            transposed, np.abs(x).astype(np.float64), np.abs(w).astype(np.float64), magnitude
        )
        parts = 1.0
    sums = np.asarray(sums, dtype=np.float64) * (1 + numerics.gamma(n + 2, 2.0**-53))
    input_factor = (1 + ua) * (1 + uw)
    underflow = (
        (rounding.smallest_subnormal / 2)
        * (float(np.abs(x).sum()) + float(np.abs(w).sum()))
        * (1.0 if ua or uw else 0.0)
    )
    relative = input_factor * (1 + numerics.gamma(n, acc.unit_roundoff)) - 1
    bound = relative * sums + parts * n * (acc.smallest_subnormal / 2) + underflow
    if out.unit_roundoff > acc.unit_roundoff:  # one more rounding to a coarser output
        bound = bound + out.unit_roundoff * (sums + bound) + out.smallest_subnormal / 2
    largest = min(acc.largest, out.largest)
    return np.where(sums * input_factor + bound < largest, bound, np.inf).astype(np.float64)


def _magnitudes(params: Mapping[str, Any]) -> dict[str, Any]:
    bias = params.get("bias")
    return dict(params, bias=None if bias is None else np.abs(np.asarray(bias)).astype(np.float64))


def _input_rounding(operand: Array, inputs: numerics.Precision) -> float:
    """The unit roundoff of rounding ``operand`` to ``inputs``; 0 if its own is finer."""
    if operand.dtype.kind in "iu":
        return inputs.unit_roundoff
    own = numerics.precision_of(operand.dtype)
    return inputs.unit_roundoff if inputs.unit_roundoff > own.unit_roundoff else 0.0


def layer_values(
    op: LayerOperation, x: Array, w: Array, params: Mapping[str, Any]
) -> tuple[Array, Array, np.dtype[Any]]:
    """``(values, bound, dtype)`` of ``op(x, w, **params)`` in the declared data layout.

    Values are float64 (complex128) or exact integers; the bound is the declared accuracy
    class's plus the reference's own float64 error.
    """
    dtype = declared_result_dtype(op, x.dtype, w.dtype)
    if dtype.kind in "iu" and (x.dtype.kind not in "iu" or w.dtype.kind not in "iu"):
        raise ValueError(f"declared integer result {dtype} for non-integer operands")
    x_s, w_s = to_spec(op, x, w)
    if op.flips:
        w_s = _spatially_flipped(w_s)
    integers = x.dtype.kind in "iu" and w.dtype.kind in "iu"
    wide = np.dtype(np.int64) if integers else np.result_type(x.dtype, w.dtype, np.float64)
    spec_params = _spec_params(params, wide)
    values = reference_layer(op.transposed, _wide(x_s), _wide(w_s), spec_params)
    accuracy = declared_accuracy(op, dtype)
    bound = layer_bound(accuracy, op.transposed, x_s, w_s, params, dtype)
    if not integers:
        own = numerics.Accuracy("direct", np.dtype(values.dtype))
        bound = bound + layer_bound(
            own, op.transposed, _wide(x_s), _wide(w_s), spec_params, np.dtype(values.dtype)
        )
    values, bound = from_spec(op, values), from_spec(op, bound)
    if dtype.kind in "iu":
        values = cast_exact(values, dtype)
    elif dtype.kind == "f" and values.dtype.kind == "c":
        values = values.real
    return values, bound, dtype


def layer_expectation(
    op: LayerOperation, x: Array, w: Array, params: Mapping[str, Any]
) -> Expectation:
    """The declared result of ``op(x, w, **params)`` (see :func:`layer_values`)."""
    values, bound, dtype = layer_values(op, x, w, params)
    return Expectation(values, dtype, bound)


def named_transposed_crops(
    name: str,
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    params: Mapping[str, Any],
) -> tuple[tuple[int, int], ...]:
    """The crop ``(before, after)`` per axis that a transposed layer's padding name means.

    ONNX ConvTranspose's ``auto_pad`` (LAYER-10): output ``N s``, total crop
    ``s (N - 1) + output_padding + d (K - 1) + 1 - N s`` -- negative when the dilated kernel
    is shorter than the stride -- halved toward zero, the odd one after for ``same-upper``.
    """
    rank = len(spatial)
    stride = params.get("stride", (1,) * rank)
    dilation = params.get("dilation", (1,) * rank)
    extra = params.get("output_padding") or (0,) * rank
    crops = []
    for n, k, s, d, e in zip(spatial, kernel, stride, dilation, extra, strict=True):
        if name == "valid":
            crops.append((0, 0))
            continue
        total = s * (n - 1) + e + d * (k - 1) + 1 - n * s
        half = int(total / 2)
        crops.append((half, total - half) if name == "same-upper" else (total - half, half))
    return tuple(crops)


def unclamped_named_pads(
    name: str,
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    params: Mapping[str, Any],
) -> tuple[tuple[int, int], ...]:
    """A layer's same-upper / same-lower pads per axis with the total NOT clamped at 0.

    The spec's total is ``max((ceil(N / s) - 1) s + d (K - 1) + 1 - N, 0)`` (LAYER-6); an
    implementation that forgets the ``max`` pads a negative amount -- it drops input -- when
    the stride overshoots the input.  Halved toward zero, the odd one after for upper.
    """
    rank = len(spatial)
    stride = params.get("stride", (1,) * rank)
    dilation = params.get("dilation", (1,) * rank)
    pads = []
    for n, k, s, d in zip(spatial, kernel, stride, dilation, strict=True):
        total = (-(-n // s) - 1) * s + d * (k - 1) + 1 - n
        half = int(total / 2)
        pads.append((half, total - half) if name != "same-lower" else (total - half, half))
    return tuple(pads)
