"""Layer geometry: per-axis arguments, named padding rules and output lengths.

Spec chapter: ``spec/layers.md`` (clauses LAYER-4 .. LAYER-6, LAYER-8 and LAYER-10).

A layer's stride, dilation and output padding are one positive (or nonnegative) integer per
spatial axis; its padding is one ``(before, after)`` pair per spatial axis.  Users may write
them shorter (one int for every axis) or by name; this module turns every accepted spelling
into the explicit form, and rejects the rest naming the argument.

Named rules, for an axis of length ``N``, kernel length ``K``, stride ``s``, dilation ``d``
and effective kernel extent ``E = d (K - 1) + 1``:

* ``"valid"``: no padding.
* ``"same"`` (stride 1 only): total ``E - 1``, ``floor`` of half before, the odd one after;
  the output has length ``N`` (torch ``padding="same"``, TF ``SAME`` at stride 1).
* ``"same-upper"`` / ``"same-lower"`` (any stride): output ``ceil(N / s)``, total
  ``max((ceil(N / s) - 1) s + E - N, 0)``; ``upper`` puts the odd one after (TF ``SAME``,
  ONNX ``SAME_UPPER``), ``lower`` before (ONNX ``SAME_LOWER``).

For ``conv_transpose`` the names follow ONNX ConvTranspose's ``auto_pad``: output ``N s``,
total ``s (N - 1) + output_padding + E - N s`` (which may be negative), split the same way.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Literal, TypeAlias

__all__ = [
    "PADDING_NAMES",
    "TRANSPOSE_PADDING_NAMES",
    "Padding",
    "PaddingName",
    "as_int",
    "conv_output_shape",
    "conv_transpose_output_shape",
    "layer_padding",
    "per_axis",
    "transpose_padding",
]

PaddingName: TypeAlias = Literal["valid", "same", "same-upper", "same-lower"]
Padding: TypeAlias = int | str | Sequence[int] | Sequence[Sequence[int]]
Pads: TypeAlias = tuple[tuple[int, int], ...]

PADDING_NAMES: tuple[str, ...] = ("valid", "same", "same-upper", "same-lower")
TRANSPOSE_PADDING_NAMES: tuple[str, ...] = ("valid", "same-upper", "same-lower")


def as_int(value: object, name: str, func: str, expected: str = "an integer") -> int:
    """``value`` as a Python int; bools and non-integers are refused naming ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"{func}(): argument {name!r} must be {expected}; got the bool {value!r}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{func}(): argument {name!r} must be {expected}; got {value!r} "
            f"of type {type(value).__name__}"
        ) from None


def per_axis(value: object, rank: int, name: str, func: str, minimum: int) -> tuple[int, ...]:
    """``value`` (an int, or one int per spatial axis) as a tuple of ``rank`` ints >= minimum."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != rank:
            raise ValueError(
                f"{func}(): argument {name!r} must be one integer or {rank} (one per spatial "
                f"axis); got {len(value)} values {tuple(value)!r}"
            )
        values = tuple(as_int(item, name, func) for item in value)
    else:
        values = (as_int(value, name, func, "an integer or one per spatial axis"),) * rank
    for axis, item in enumerate(values):
        if item < minimum:
            bound = "positive" if minimum == 1 else f"at least {minimum}"
            raise ValueError(
                f"{func}(): argument {name!r} must be {bound} on every spatial axis; "
                f"got {item} on spatial axis {axis}"
            )
    return values


def _explicit_pads(padding: object, rank: int, func: str) -> Pads:
    """An int, one int per axis, or one (before, after) pair per axis, as pairs; pads >= 0."""
    if isinstance(padding, Sequence) and not isinstance(padding, str):
        items = list(padding)
        nested = [isinstance(item, Sequence) and not isinstance(item, str) for item in items]
        if items and all(nested):
            if len(items) != rank or any(len(item) != 2 for item in items):
                raise ValueError(
                    f"{func}(): argument 'padding' given as pairs must have one (before, after) "
                    f"pair per spatial axis ({rank}); got {padding!r}"
                )
            pairs = tuple(
                (as_int(b, "padding", func), as_int(a, "padding", func)) for b, a in items
            )
        else:
            if len(items) != rank:
                raise ValueError(
                    f"{func}(): argument 'padding' must be an int, {rank} ints (one per spatial "
                    f"axis), {rank} (before, after) pairs, or one of "
                    f"{', '.join(map(repr, PADDING_NAMES))}; got {padding!r}"
                    + (
                        "; for per-side pads write pairs, e.g. ((1, 2),)"
                        if len(items) == 2 * rank
                        else ""
                    )
                )
            pairs = tuple((p, p) for p in (as_int(item, "padding", func) for item in items))
    else:
        pad = as_int(padding, "padding", func)
        pairs = ((pad, pad),) * rank
    for axis, (before, after) in enumerate(pairs):
        if before < 0 or after < 0:
            raise ValueError(
                f"{func}(): argument 'padding' must be nonnegative; got ({before}, {after}) "
                f"on spatial axis {axis}"
            )
    return pairs


def _unknown_name(padding: str, names: tuple[str, ...], func: str) -> ValueError:
    hint = ""
    if padding.lower().replace("_", "-") in names:
        hint = f" (did you mean {padding.lower().replace('_', '-')!r}?)"
    return ValueError(
        f"{func}(): argument 'padding' names no padding rule: {padding!r}; the rules are "
        f"{', '.join(map(repr, names))}{hint}"
    )


def _split(total: int, name: str) -> tuple[int, int]:
    """Split a total pad: ``floor(total / 2)`` on one side, the rest on the other.

    ``upper`` puts the odd one after, ``lower`` before.  A negative total (a transposed
    output longer than the full one) splits the same way, floor first: ``upper`` then
    extends the start by the odd one, as onnx.reference does.
    """
    half = total // 2
    return (half, total - half) if name != "same-lower" else (total - half, half)


def layer_padding(
    padding: Padding,
    spatial_shape: Sequence[int],
    kernel_shape: Sequence[int],
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
) -> Pads:
    """The explicit ``(before, after)`` pad of every spatial axis of a ``conv`` (LAYER-5, LAYER-6).

    ``padding`` is an int, one int per axis, one pair per axis, or a rule name (see the
    module docstring); ``spatial_shape`` and ``kernel_shape`` are the spatial lengths of the
    data and of the kernel.
    """
    func = "layer_padding"
    rank = len(spatial_shape)
    if len(kernel_shape) != rank:
        raise ValueError(
            f"{func}(): 'spatial_shape' {tuple(spatial_shape)} and 'kernel_shape' "
            f"{tuple(kernel_shape)} must have the same length"
        )
    strides = per_axis(stride, rank, "stride", func, 1)
    dilations = per_axis(dilation, rank, "dilation", func, 1)
    spatial, kernel = tuple(spatial_shape), tuple(kernel_shape)
    return resolve_padding(padding, spatial, kernel, strides, dilations, func)


def resolve_padding(
    padding: object,
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    func: str,
) -> Pads:
    """:func:`layer_padding` on validated per-axis values; errors name ``func``."""
    if not isinstance(padding, str):
        return _explicit_pads(padding, len(spatial), func)
    if padding not in PADDING_NAMES:
        raise _unknown_name(padding, PADDING_NAMES, func)
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    if padding == "valid":
        return ((0, 0),) * len(spatial)
    if padding == "same":
        if any(s != 1 for s in strides):
            raise ValueError(
                f"{func}(): padding='same' is defined at stride 1 only; got stride "
                f"{strides}. At a larger stride use 'same-upper' (TensorFlow SAME, ONNX "
                "SAME_UPPER) or 'same-lower' (ONNX SAME_LOWER), or explicit pads"
            )
        return tuple(_split(e - 1, "same-upper") for e in extents)
    pads = []
    for n, e, s in zip(spatial, extents, strides, strict=True):
        out = -(-n // s)
        pads.append(_split(max((out - 1) * s + e - n, 0), padding))
    return tuple(pads)


def transpose_padding(
    padding: object,
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    output_padding: tuple[int, ...],
    func: str,
) -> Pads:
    """The crop ``(before, after)`` of each axis of a ``conv_transpose`` (LAYER-8, LAYER-10).

    Explicit pads crop the full transposed output.  Names follow ONNX ConvTranspose's
    ``auto_pad``: output ``N s``, so the total crop ``s (N - 1) + output_padding + E - N s``
    may be negative (the output then extends past the full one, with zeros).
    """
    if not isinstance(padding, str):
        return _explicit_pads(padding, len(spatial), func)
    if padding not in TRANSPOSE_PADDING_NAMES:
        if padding == "same":
            raise ValueError(
                f"{func}(): padding='same' is not defined for conv_transpose; use 'same-upper' "
                "or 'same-lower' (ONNX ConvTranspose auto_pad: output length N * stride), "
                "or explicit pads"
            )
        raise _unknown_name(padding, TRANSPOSE_PADDING_NAMES, func)
    if padding == "valid":
        return ((0, 0),) * len(spatial)
    pads = []
    for n, k, s, d, extra in zip(spatial, kernel, strides, dilations, output_padding, strict=True):
        total = s * (n - 1) + extra + d * (k - 1) + 1 - n * s
        pads.append(_split(total, padding))
    return tuple(pads)


def output_lengths(
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    pads: Pads,
    dilations: tuple[int, ...],
    func: str,
) -> tuple[int, ...]:
    """``floor((N + p_before + p_after - d (K - 1) - 1) / s) + 1`` per axis (LAYER-5).

    A length below 1 is refused: the padded input is shorter than the dilated kernel, so no
    window fits and the layer has no output.
    """
    lengths = []
    for axis, (n, k, s, (before, after), d) in enumerate(
        zip(spatial, kernel, strides, pads, dilations, strict=True)
    ):
        padded, extent = n + before + after, d * (k - 1) + 1
        length = (padded - extent) // s + 1
        if length < 1:
            raise ValueError(
                f"{func}(): the output would have length {length} along spatial axis {axis}: "
                f"floor(({n} + {before} + {after} - {d}*({k} - 1) - 1) / {s}) + 1 = {length}. "
                f"The padded input ({padded}) is shorter than the dilated kernel's extent "
                f"dilation*(K - 1) + 1 = {extent}, so no window fits; pad more or use a "
                "smaller kernel or dilation"
            )
        lengths.append(length)
    return tuple(lengths)


def transpose_output_lengths(
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    pads: Pads,
    dilations: tuple[int, ...],
    output_padding: tuple[int, ...],
    func: str,
) -> tuple[int, ...]:
    """``(N - 1) s - p_before - p_after + d (K - 1) + output_padding + 1`` per axis (LAYER-8)."""
    lengths = []
    for axis, (n, k, s, (before, after), d, extra) in enumerate(
        zip(spatial, kernel, strides, pads, dilations, output_padding, strict=True)
    ):
        length = (n - 1) * s - before - after + d * (k - 1) + extra + 1
        if length < 1:
            raise ValueError(
                f"{func}(): the output would have length {length} along spatial axis {axis}: "
                f"({n} - 1)*{s} - {before} - {after} + {d}*({k} - 1) + {extra} + 1 = {length}; "
                "the padding crops away the whole transposed output"
            )
        lengths.append(length)
    return tuple(lengths)


def check_output_padding(
    output_padding: tuple[int, ...], strides: tuple[int, ...], dilations: tuple[int, ...], func: str
) -> None:
    """``output_padding`` must be smaller than the stride or the dilation, on every axis."""
    for axis, (extra, s, d) in enumerate(zip(output_padding, strides, dilations, strict=True)):
        if extra >= s and extra >= d:
            raise ValueError(
                f"{func}(): argument 'output_padding' must be smaller than the stride or the "
                f"dilation on every spatial axis; got {extra} on spatial axis {axis} with "
                f"stride {s} and dilation {d}. It selects one of the input lengths that give "
                "the same conv output length; larger values name no such length"
            )


def _geometry(
    spatial_shape: Sequence[int], kernel_shape: Sequence[int], func: str
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    spatial = per_axis(list(spatial_shape), len(spatial_shape), "spatial_shape", func, 1)
    if len(kernel_shape) != len(spatial):
        raise ValueError(
            f"{func}(): 'spatial_shape' {spatial} and 'kernel_shape' {tuple(kernel_shape)} "
            "must have the same length"
        )
    kernel = per_axis(list(kernel_shape), len(spatial), "kernel_shape", func, 1)
    return spatial, kernel


def conv_output_shape(
    spatial_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: int | Sequence[int] = 1,
    padding: Padding = 0,
    dilation: int | Sequence[int] = 1,
) -> tuple[int, ...]:
    """The spatial shape of ``conv``'s output (LAYER-5); ``ValueError`` if it would be empty."""
    func = "conv_output_shape"
    spatial, kernel = _geometry(spatial_shape, kernel_shape, func)
    strides = per_axis(stride, len(spatial), "stride", func, 1)
    dilations = per_axis(dilation, len(spatial), "dilation", func, 1)
    pads = resolve_padding(padding, spatial, kernel, strides, dilations, func)
    return output_lengths(spatial, kernel, strides, pads, dilations, func)


def conv_transpose_output_shape(
    spatial_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: int | Sequence[int] = 1,
    padding: Padding = 0,
    output_padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
) -> tuple[int, ...]:
    """The spatial shape of ``conv_transpose``'s output (LAYER-8)."""
    func = "conv_transpose_output_shape"
    spatial, kernel = _geometry(spatial_shape, kernel_shape, func)
    rank = len(spatial)
    strides = per_axis(stride, rank, "stride", func, 1)
    dilations = per_axis(dilation, rank, "dilation", func, 1)
    extra = per_axis(output_padding, rank, "output_padding", func, 0)
    check_output_padding(extra, strides, dilations, func)
    pads = transpose_padding(padding, spatial, kernel, strides, dilations, extra, func)
    return transpose_output_lengths(spatial, kernel, strides, pads, dilations, extra, func)
