"""When a layer's result is wrong, what does the backend compute instead?

Each hypothesis is one defect a layer implementation (or a port between frameworks) is
known to have: the stride or the dilation ignored, the odd pad on the other side, groups
split wrongly, channel and spatial axes exchanged, the kernel read in another layout, the
kernel flipped (or not), output_padding at the wrong end, the bias dropped.  Each rewrites
the declaration, the parameters or the operands, and the reference computes what the
backend would then return (:func:`~.layer_conventions.layer_values`).  Hypotheses that
reproduce the actual output -- and that this case can tell from the declaration -- are
named, the likeliest first.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

import convspec

from .backend import Array
from .cases import Call
from .layer_backend import LayerOperation, spatial_letters
from .layer_conventions import (
    from_spec,
    layer_values,
    named_transposed_crops,
    spec_layouts,
    to_spec,
    unclamped_named_pads,
)
from .tolerance import measure

__all__ = ["diagnose_layer", "layer_hypotheses"]

Params = Mapping[str, Any]
Prediction = tuple[Array, Array] | None
Hypothesis = tuple[str, Callable[[], Prediction]]


def _predict(op: LayerOperation, x: Array, w: Array, params: Params) -> Prediction:
    try:
        values, bound, _ = layer_values(op, x, w, params)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return values, bound


def _swapped(padding: Any, x: Array, w: Array, op: LayerOperation, params: Params) -> Any:
    """The padding with before and after exchanged on every axis (names resolved)."""
    if padding in ("same-upper", "same-lower"):
        return {"same-upper": "same-lower", "same-lower": "same-upper"}[padding]
    if isinstance(padding, str):
        if op.transposed or padding == "valid":
            return None
        rank = x.ndim - 2
        x_s, w_s = to_spec(op, x, w)
        pairs = convspec.layer_padding(
            padding,
            x_s.shape[2:],
            w_s.shape[2:],
            params.get("stride", (1,) * rank),
            params.get("dilation", (1,) * rank),
        )
    else:
        pairs = padding
    swapped = tuple((after, before) for before, after in pairs)
    return None if swapped == tuple(tuple(p) for p in pairs) else swapped


def _layouts_like(layout: str, roles: str) -> list[str]:
    """Every layout with the same letters: the role letters around the spatial block."""
    spatial = "".join(c for c in layout if c not in roles)
    a, b = roles[0], roles[1]
    options = [a + b + spatial, b + a + spatial, spatial + a + b, spatial + b + a]
    options += [a + spatial + b, b + spatial + a]
    return [option for option in options if option != layout]


def _interleaved_groups(op: LayerOperation, x: Array, w: Array, params: Params) -> Prediction:
    """Channel c in group c % groups instead of c // (C / groups), for inputs and outputs."""
    groups = int(params.get("groups", 1))
    if groups == 1:
        return None
    x_s, w_s = to_spec(op, x, w)
    c_in = x_s.shape[1]
    c_out = w_s.shape[1] * groups if op.transposed else w_s.shape[0]
    if c_in % groups or c_out % groups:
        return None
    perm_in = [g + j * groups for g in range(groups) for j in range(c_in // groups)]
    perm_out = [g + i * groups for g in range(groups) for i in range(c_out // groups)]
    rank = x.ndim - 2
    spec_op = dataclasses.replace(
        op, data_layout=spec_layouts(op, rank)[0], kernel_layout=spec_layouts(op, rank)[1]
    )
    # A transposed kernel's rows follow the input channels, a layer kernel's the outputs.
    w_perm = w_s[perm_in] if op.transposed else w_s[perm_out]
    bias = params.get("bias")
    changed = dict(params)
    if bias is not None:
        changed["bias"] = np.asarray(bias)[perm_out]
    predicted = _predict(spec_op, x_s[:, perm_in], np.ascontiguousarray(w_perm), changed)
    if predicted is None:
        return None
    values, bound = predicted
    inverse = np.argsort(perm_out)
    return from_spec(op, values[:, inverse]), from_spec(op, bound[:, inverse])


def _relabelled(predicted: Prediction, layout: str, other: str) -> Prediction:
    """A result in ``layout`` as a backend returning it in ``other`` would: the same array,
    its axes in ``other``'s order (a channels-first result where channels-last is declared)."""
    if predicted is None:
        return None
    values, bound = predicted
    return (
        np.ascontiguousarray(convspec.relayout(values, layout, other)),
        np.ascontiguousarray(convspec.relayout(bound, layout, other)),
    )


def _relabelled_prediction(
    op: LayerOperation, x: Array, w: Array, params: Params, layout: str, other: str
) -> Prediction:
    """The declared result, returned in layout ``other`` instead of ``layout``."""
    return _relabelled(_predict(op, x, w, params), layout, other)


def _negative_pads(
    op: LayerOperation, x: Array, w: Array, params: Params, pads: tuple[tuple[int, int], ...]
) -> Prediction:
    """The layer with pads that may be negative: a negative pad drops that much input."""
    x_s, w_s = to_spec(op, x, w)
    rank = x.ndim - 2
    cut = tuple(
        slice(max(-before, 0), n - max(-after, 0))
        for n, (before, after) in zip(x_s.shape[2:], pads, strict=True)
    )
    kept = tuple((max(before, 0), max(after, 0)) for before, after in pads)
    spec_op = dataclasses.replace(
        op, data_layout=spec_layouts(op, rank)[0], kernel_layout=spec_layouts(op, rank)[1]
    )
    predicted = _predict(
        spec_op, x_s[(slice(None), slice(None), *cut)], w_s, dict(params, padding=kept)
    )
    if predicted is None:
        return None
    return from_spec(op, predicted[0]), from_spec(op, predicted[1])


def layer_hypotheses(op: LayerOperation, call: Call) -> Iterator[Hypothesis]:
    """The defects worth trying for this call, each with its prediction (lazily)."""
    x, w, params = call.a, call.v, dict(call.params)
    rank = x.ndim - 2
    ones = (1,) * rank

    def with_params(**changes: Any) -> Callable[[], Prediction]:
        return lambda: _predict(op, x, w, dict(params, **changes))

    data, kernel = op.layouts(rank)

    def declared(**changes: Any) -> Callable[[], Prediction]:
        def predict() -> Prediction:
            # layouts for this rank, so that a changed one still matches the other
            layouts = {"data_layout": data, "kernel_layout": kernel, **changes}
            try:
                other = dataclasses.replace(op, **layouts)
            except ValueError:
                return None
            return _predict(other, x, w, params)

        return predict

    if tuple(params.get("stride", ones)) != ones:
        yield "ignores the stride (computes at stride 1)", with_params(stride=ones)
    if tuple(params.get("dilation", ones)) != ones:
        yield "ignores the dilation (computes at dilation 1)", with_params(dilation=ones)
    if "padding" in params:
        swapped = _swapped(params["padding"], x, w, op, params)
        if swapped is not None:
            yield (
                "puts the odd pad on the other side (before and after exchanged)",
                with_params(padding=swapped),
            )
    if int(params.get("groups", 1)) > 1:
        yield (
            "splits the groups wrongly (channel c in group c % groups, not c // (C / groups))",
            lambda: _interleaved_groups(op, x, w, params),
        )
    for other in _layouts_like(data, "NC"):
        yield (
            f"reads the data as {other}, not {data} (channel and spatial axes exchanged)",
            declared(data_layout=other),
        )
    for other in _layouts_like(data, "NC"):
        yield (
            f"returns the result as {other}, not {data} (channel and spatial axes exchanged)",
            functools.partial(_relabelled_prediction, op, x, w, params, data, other),
        )
    for other in _layouts_like(kernel, "OI"):
        yield f"reads the kernel as {other}, not {kernel}", declared(kernel_layout=other)
    spatial_axes = [i for i, c in enumerate(kernel) if c not in "OI"]
    if rank >= 2:
        spatial = spatial_letters(rank)
        for perm in itertools.permutations(spatial):
            if "".join(perm) == spatial:
                continue
            swapped_kernel = "".join(perm[spatial.index(c)] if c in spatial else c for c in kernel)
            yield (
                f"transposes the kernel's spatial axes (reads it as {swapped_kernel})",
                declared(kernel_layout=swapped_kernel),
            )
    flip_words = "does not flip the kernel" if op.flips else "flips the kernel (a true convolution)"
    yield flip_words, declared(flips=not op.flips)
    for count in range(1, rank):
        for axes in itertools.combinations(spatial_axes, count):
            flipped = np.ascontiguousarray(np.flip(w, axis=axes))
            names = [kernel[a] for a in axes]
            yield (
                f"reverses the kernel along spatial axes {names} only",
                functools.partial(_predict, op, x, flipped, params),
            )
    extra = params.get("output_padding")
    if (
        op.transposed
        and extra is not None
        and any(extra)
        and not isinstance(params.get("padding"), str)
    ):
        pads = params["padding"]
        moved = tuple(
            (before - e, after + e) for (before, after), e in zip(pads, extra, strict=True)
        )
        if all(before >= 0 for before, _ in moved):
            yield (
                "adds output_padding at the start instead of the end",
                with_params(padding=moved, output_padding=(0,) * rank),
            )
    padding = params.get("padding")
    if op.transposed and padding in ("same-upper", "same-lower"):
        x_s, w_s = to_spec(op, x, w)
        crops = named_transposed_crops(padding, x_s.shape[2:], w_s.shape[2:], params)
        if any(b < 0 or a < 0 for b, a in crops):
            clamped = tuple((max(b, 0), max(a, 0)) for b, a in crops)
            yield (
                f"clamps the negative crop of {padding!r} to 0 (output shorter than N * stride)",
                with_params(padding=clamped),
            )
    if not op.transposed and padding in ("same-upper", "same-lower"):
        x_s, w_s = to_spec(op, x, w)
        pads = unclamped_named_pads(padding, x_s.shape[2:], w_s.shape[2:], params)
        if any(b < 0 or a < 0 for b, a in pads):
            yield (
                f"does not clamp a negative total pad of {padding!r} at 0 (drops input)",
                functools.partial(_negative_pads, op, x, w, params, pads),
            )
    if params.get("bias") is not None:
        yield "ignores the bias", with_params(bias=None)


def _agrees(actual: Array, predicted: Prediction) -> bool:
    if predicted is None or predicted[0].shape != actual.shape:
        return False
    values, bound = predicted
    if values.dtype.kind in "iu" or actual.dtype.kind in "iu":
        return bool(np.array_equal(actual.astype(values.dtype), values))
    return bool(measure(actual, values, bound)["passed"])


def _same(one: Prediction, other: Prediction) -> bool:
    if one is None or other is None or one[0].shape != other[0].shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(one[0], other[0], equal_nan=True, rtol=1e-12, atol=0))


def _precision(op: LayerOperation, call: Call, actual: Array) -> list[str]:
    if actual.dtype.kind not in "fc":
        return []
    for precision in ("float16", "float32"):
        if np.finfo(precision).eps <= np.finfo(actual.dtype).eps:
            continue
        lower = dataclasses.replace(op, accumulation=precision, accuracy=None)
        if _agrees(actual, _predict(lower, call.a, call.v, call.params)):
            return [f"error fits {precision} accumulation, not the declared precision"]
    return []


def diagnose_layer(op: LayerOperation, call: Call, actual: Array) -> list[str]:
    """Names of the layer defects that reproduce ``actual`` (possibly none)."""
    declared = _predict(op, call.a, call.v, call.params)
    found = []
    for words, predict in layer_hypotheses(op, call):
        predicted = predict()
        if _agrees(actual, predicted) and not _same(predicted, declared):
            found.append(words)
    return found or _precision(op, call, actual)
