"""Move a convolution layer between frameworks, and prove the two layers equal.

Spec chapter: ``spec/frameworks.md`` (FRAME-1, FRAME-2).

:class:`Layer` is one layer written in one framework's convention (a preset of
:mod:`convspec.frameworks`): its kernel in that framework's layout and its padding in that
framework's words.  :func:`port` returns the same layer in another framework's convention
(:class:`Ported`): the converted kernel, the target's own arguments, the explicit pad to
apply before the layer (or the crop after a transposed one) when the target's padding
arguments cannot say it, and a proof: both layers run through the reference layer
(:func:`convspec.conv`, :func:`convspec.conv_transpose`) on the same random input.

The conversion is found, not assumed: each candidate spelling of the padding in the
target's vocabulary is read back (:func:`resolve`) and kept only if it pads exactly as the
source does for every input length that matters (every residue modulo the stride), or for
the given input size.  What no candidate expresses is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .frameworks import Convention, SpecPadding, convention, spec_padding
from .layer_padding import conv_output_shape, layer_padding, transpose_padding
from .layers import conv, conv_transpose
from .layouts import relayout

__all__ = ["Layer", "Ported", "Proof", "port", "prove", "resolve", "run_layer"]

Array = np.ndarray[Any, np.dtype[Any]]
Pairs = tuple[tuple[int, int], ...]


def _per_axis(value: int | Sequence[int], rank: int, name: str) -> tuple[int, ...]:
    values = (value,) * rank if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != rank or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"Layer: {name} must be an int or {rank} ints; got {value!r}")
    return tuple(int(v) for v in values)


@dataclass(frozen=True)
class Layer:
    """One convolution layer, written in the convention of ``preset``.

    ``kernel`` is in the preset's kernel layout (``HWIO`` for TensorFlow, ``OIHW`` for
    torch, ``IOHW`` for a torch transposed layer); ``padding`` is in its vocabulary
    (``"SAME"``, ``1``, ``[(0, 1), (0, 1)]``, ONNX ``pads``...).  ``output_shape`` is the
    spatial output shape of a TensorFlow transposed layer, which TensorFlow requires.
    """

    preset: str
    kernel: Array
    stride: int | Sequence[int] = 1
    padding: Any = 0
    dilation: int | Sequence[int] = 1
    groups: int = 1
    transposed: bool = False
    output_padding: int | Sequence[int] = 0
    output_shape: Sequence[int] | None = None
    bias: Array | None = None

    def __post_init__(self) -> None:
        conv_ = self.convention  # validates the preset name
        kernel = np.asarray(self.kernel)
        if kernel.ndim < 3:
            raise ValueError(
                f"Layer: kernel must have 2 channel axes and >= 1 spatial axis; got shape "
                f"{kernel.shape}"
            )
        object.__setattr__(self, "kernel", kernel)
        if self.transposed:
            conv_.kernel_layout(self.rank, transposed=True)  # refuses presets without one
        elif self.output_shape is not None or any(self.output_pads):
            raise ValueError("Layer: output_padding and output_shape are for transposed layers")
        if self.transposed and conv_.name == "tensorflow" and self.output_shape is None:
            raise ValueError("Layer: a TensorFlow transposed layer needs output_shape")
        if self.groups > 1 and not conv_.groups:
            raise ValueError(f"Layer: preset {conv_.name!r} has no groups argument")

    @property
    def convention(self) -> Convention:
        return convention(self.preset)

    @property
    def rank(self) -> int:
        return int(np.asarray(self.kernel).ndim) - 2

    @property
    def strides(self) -> tuple[int, ...]:
        return _per_axis(self.stride, self.rank, "stride")

    @property
    def dilations(self) -> tuple[int, ...]:
        return _per_axis(self.dilation, self.rank, "dilation")

    @property
    def output_pads(self) -> tuple[int, ...]:
        return _per_axis(self.output_padding, self.rank, "output_padding")

    def canonical_kernel(self) -> Array:
        """The kernel as the spec's layer reads it: ``OI*`` (or ``IO*``), not flipped."""
        conv_ = self.convention
        source = conv_.kernel_layout(self.rank, self.transposed)
        target = convention("torch").kernel_layout(self.rank, self.transposed)
        kernel = relayout(self.kernel, source, target)
        if conv_.flips:  # the framework flips: the spec's (unflipped) kernel is the reverse
            kernel = np.flip(kernel, axis=tuple(range(2, kernel.ndim)))
        return np.ascontiguousarray(kernel)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return tuple(self.canonical_kernel().shape[2:])

    def spec_padding(self) -> SpecPadding:
        return spec_padding(self.preset, self.padding, self.kernel_shape, self.dilations)


@dataclass(frozen=True)
class Resolved:
    """A layer's padding for one input shape: explicit pads, and output padding."""

    pads: Pairs
    output_padding: tuple[int, ...]


def resolve(layer: Layer, spatial: Sequence[int], pre_pad: Pairs | None = None) -> Resolved:
    """The explicit pads ``layer`` applies to input of spatial shape ``spatial``.

    ``pre_pad`` is a zero pad applied before a convolution; for a transposed layer it is a
    crop of its output (``(before, after)`` per axis), folded into the crop its padding
    makes.
    """
    rank = layer.rank
    extra = pre_pad or ((0, 0),) * rank
    k, s, d = layer.kernel_shape, layer.strides, layer.dilations
    if not layer.transposed:
        padded = [n + b + a for n, (b, a) in zip(spatial, extra, strict=True)]
        pads = layer_padding(layer.spec_padding(), padded, k, s, d)
        return Resolved(
            tuple((b + eb, a + ea) for (b, a), (eb, ea) in zip(pads, extra, strict=True)),
            (0,) * rank,
        )
    full = [
        (n - 1) * st + dl * (kk - 1) + 1 for n, st, dl, kk in zip(spatial, s, d, k, strict=True)
    ]
    if layer.convention.name == "tensorflow":
        assert layer.output_shape is not None
        out = _per_axis(layer.output_shape, rank, "output_shape")
        forward = layer_padding(layer.spec_padding(), out, k, s, d)
        if tuple(conv_output_shape(out, k, stride=s, padding=forward, dilation=d)) != tuple(
            spatial
        ):
            raise ValueError(
                f"output_shape {list(out)} is not one a TensorFlow transposed layer accepts for "
                f"input {list(spatial)}: its forward convolution would not give the input shape"
            )
        crop = tuple(
            (b, max(f - b - m, 0)) for (b, _), f, m in zip(forward, full, out, strict=True)
        )
        op = tuple(max(m - (f - b), 0) for (b, _), f, m in zip(forward, full, out, strict=True))
    else:
        op = layer.output_pads
        crop = transpose_padding(layer.spec_padding(), tuple(spatial), k, s, d, op, "port")
    # The window kept is full[b : full - a + o]: a crop after the layer moves its ends, and
    # output padding cancels a crop at the end.  Written with the least output padding, so
    # that equal windows have equal Resolved values.
    kept: list[tuple[int, int]] = []
    ops: list[int] = []
    for (b, a), o, (cb, ca) in zip(crop, op, extra, strict=True):
        after = a + ca
        take = max(min(o, after), 0)
        kept.append((b + cb, after - take))
        ops.append(o - take)
    return Resolved(tuple(kept), tuple(ops))


def run_layer(layer: Layer, x: npt.ArrayLike, pre_pad: Pairs | None = None) -> Array:
    """``layer`` applied to channels-first ``x`` by the reference layer (spec/layers.md)."""
    x_arr = np.asarray(x)
    resolved = resolve(layer, x_arr.shape[2:], pre_pad)
    kernel = layer.canonical_kernel()
    common: dict[str, Any] = dict(
        stride=layer.strides, dilation=layer.dilations, groups=layer.groups, bias=layer.bias
    )
    if layer.transposed:
        return conv_transpose(
            x_arr, kernel, padding=resolved.pads, output_padding=resolved.output_padding, **common
        )
    return conv(x_arr, kernel, padding=resolved.pads, **common)


def probe_shapes(layer: Layer) -> list[tuple[int, ...]]:
    """Input shapes on which two layers must agree: every residue modulo each stride."""
    k, s, d = layer.kernel_shape, layer.strides, layer.dilations
    base = [dl * (kk - 1) + 1 + 2 * st for kk, st, dl in zip(k, s, d, strict=True)]
    return [tuple(b + r for b in base) for r in range(max(s))]


def _source_shapes(layer: Layer, input_size: Sequence[int] | None) -> list[tuple[int, ...]]:
    """The one input shape a TensorFlow transposed layer's output_shape implies."""
    assert layer.output_shape is not None
    out = _per_axis(layer.output_shape, layer.rank, "output_shape")
    k, s, d = layer.kernel_shape, layer.strides, layer.dilations
    forward = layer_padding(layer.spec_padding(), out, k, s, d)
    implied = tuple(conv_output_shape(out, k, stride=s, padding=forward, dilation=d))
    if input_size is not None and tuple(input_size) != implied:
        raise ValueError(f"input_size {list(input_size)}: output_shape implies {list(implied)}")
    return [implied]


@dataclass(frozen=True)
class Proof:
    """Both layers run by the reference on the same random input: the largest difference."""

    input_shapes: tuple[tuple[int, ...], ...]
    integer_difference: int
    float_difference: float

    def __str__(self) -> str:
        shapes = ", ".join("x".join(map(str, s)) for s in self.input_shapes)
        return (
            f"proof: both layers run by the convspec reference on inputs {shapes}: "
            f"max |difference| = {self.integer_difference} on integer data, "
            f"{self.float_difference:g} on float64 data"
        )


@dataclass(frozen=True)
class Ported:
    """The source layer in the target's convention, and the proof that it is the same."""

    source: Layer
    layer: Layer
    #: Zero pad before the layer ``(before, after)`` per spatial axis (a crop of the
    #: output, for a transposed layer); None when the target's arguments say it all.
    pre_pad: Pairs | None
    proof: Proof
    #: Input size the conversion holds for; None when it holds for every input size.
    input_size: tuple[int, ...] | None = None
    #: What the port had to do, in words.
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def kernel(self) -> Array:
        return self.layer.kernel

    @property
    def arguments(self) -> dict[str, Any]:
        """The target layer's own arguments (its padding in its own vocabulary)."""
        layer = self.layer
        args: dict[str, Any] = {
            "stride": layer.strides,
            "padding": layer.padding,
            "dilation": layer.dilations,
            "groups": layer.groups,
        }
        if layer.transposed:
            if layer.convention.name == "tensorflow":
                args["output_shape"] = tuple(layer.output_shape or ())
            else:
                args["output_padding"] = layer.output_pads
        return args


def _target_kernel(source: Layer, target: Convention) -> Array:
    kernel = source.canonical_kernel()
    if target.flips:
        kernel = np.flip(kernel, axis=tuple(range(2, kernel.ndim)))
    canonical = convention("torch").kernel_layout(source.rank, source.transposed)
    return np.ascontiguousarray(
        relayout(kernel, canonical, target.kernel_layout(source.rank, source.transposed))
    )


def _padding_candidates(
    source: Layer, target: Convention, wanted: Resolved | None
) -> Iterator[tuple[dict[str, Any], Pairs | None]]:
    """Spellings of the padding in the target's vocabulary, most idiomatic first.

    Each is ``(Layer fields, pre_pad)``.  Named rules come first, then explicit pads (when
    the source's pads are known: ``wanted``), then explicit pads with a pre-pad or crop.
    """
    dilated = any(d > 1 for d in source.dilations)
    names = [
        ({"padding": name}, None)
        for name in target.padding_names
        if target.names_with_dilation or not dilated or name.lower() == "valid"
    ]
    if target.padding_style != "symmetric" or wanted is None:
        yield from names  # named rules are these frameworks' idiom
    if wanted is None:
        return
    pads, op = wanted.pads, wanted.output_padding
    if not source.transposed:
        if target.padding_style == "pairs":
            yield {"padding": _spell_pairs(target, pads)}, None
        elif target.padding_style == "symmetric":
            common = tuple(min(b, a) for b, a in pads)
            pre = tuple((b - c, a - c) for (b, a), c in zip(pads, common, strict=True))
            if any(map(any, pre)):  # a name that needs no extra pad beats an extra pad
                yield from names
                yield {"padding": common}, pre
            else:
                yield {"padding": common}, None
                yield from names
        else:
            yield {"padding": "valid"}, pads
        return
    # Transposed layers: the target crops (before, after) and adds output padding.
    if target.name == "tensorflow":
        trimmed = tuple((b, max(a - o, 0)) for (b, a), o in zip(pads, op, strict=True))
        yield {"padding": _spell_pairs(target, trimmed)}, None
        return
    if target.padding_style == "pairs":
        yield {"padding": _spell_pairs(target, pads), "output_padding": op}, None
        return
    # symmetric crops (torch): crop p on both sides, output padding at the end, and a crop
    # of the layer's output for what is left.
    limit = [max(s, d) for s, d in zip(source.strides, source.dilations, strict=True)]
    exact = [(b, b - a + o) for (b, a), o in zip(pads, op, strict=True)]
    if all(0 <= o2 < lim for (_, o2), lim in zip(exact, limit, strict=True)):
        yield (
            {"padding": tuple(p for p, _ in exact), "output_padding": tuple(o for _, o in exact)},
            None,
        )
    ps, os_, crops = [], [], []
    for (b, a), o in zip(pads, op, strict=True):
        p = min(b, a)
        o_t = max(o - (a - p), 0)
        ps.append(p)
        os_.append(o_t)
        crops.append((b - p, a - p + o_t - o))
    if all(0 <= o_t < lim for o_t, lim in zip(os_, limit, strict=True)):
        yield {"padding": tuple(ps), "output_padding": tuple(os_)}, tuple(crops)


def _spell_pairs(target: Convention, pads: Pairs) -> Any:
    """Explicit pads as ``target`` writes them."""
    if target.name == "onnx":
        return [b for b, _ in pads] + [a for _, a in pads]
    if target.name == "tensorflow":
        return [[0, 0], *[[b, a] for b, a in pads], [0, 0]]
    return [tuple(p) for p in pads]


def _tf_output_shape(
    source: Layer, spatial: Sequence[int], wanted: Resolved | None
) -> tuple[int, ...]:
    assert wanted is not None
    k, s, d = source.kernel_shape, source.strides, source.dilations
    return tuple(
        (n - 1) * st + dl * (kk - 1) + 1 - b - a + o
        for n, st, dl, kk, (b, a), o in zip(
            spatial, s, d, k, wanted.pads, wanted.output_padding, strict=True
        )
    )


def _refusal(source: Layer, target: Convention) -> str | None:
    if source.groups > 1 and not target.groups:
        return f"{target.name} has no groups argument (groups={source.groups})"
    if any(d > 1 for d in source.dilations) and not target.dilation:
        return f"{target.name} has no dilation argument (dilation={list(source.dilations)})"
    if (
        not target.stride_with_dilation
        and any(s > 1 for s in source.strides)
        and any(d > 1 for d in source.dilations)
    ):
        return f"{target.name} does not combine stride > 1 with dilation > 1"
    if source.transposed and target.transposed_kernel is None:
        return f"{target.name} has no transposed layer in convspec port"
    if source.transposed and target.name == "tensorflow" and source.groups > 1:
        return "tf.nn.conv2d_transpose has no groups argument"
    return None


def port(source: Layer, to: str, input_size: Sequence[int] | None = None) -> Ported:
    """``source`` written in the convention of preset ``to``, with its proof.

    ``input_size`` (spatial) is needed only when the source pads by an amount that depends
    on the input size (a named rule at stride > 1, as TensorFlow's SAME) and the target has
    no rule that does the same, or when the target is a TensorFlow transposed layer (whose
    ``output_shape`` depends on it): the port then holds for that input size.
    """
    target = convention(to)
    reason = _refusal(source, target)
    if (
        reason is None
        and _needs_tf_output_shape(source, target)
        and input_size is None
        and not _fixed_by_output_shape(source)
    ):
        reason = (
            "tf.nn.conv2d_transpose takes output_shape, which depends on the input size; "
            "give the input size (input_size=, --input-size)"
        )
    if reason is not None:
        raise ValueError(f"cannot port from {source.convention.name} to {target.name}: {reason}")
    only_for = None
    if _fixed_by_output_shape(source):
        shapes = _source_shapes(source, input_size)
        only_for = "the source's output_shape is written for it"
    else:
        shapes = probe_shapes(source)
        depends = len({resolve(source, shape) for shape in shapes}) > 1
        if input_size is not None:
            given = _per_axis(input_size, source.rank, "input_size")
            if depends or _needs_tf_output_shape(source, target):
                shapes = [given]
                only_for = (
                    "tf.nn.conv2d_transpose's output_shape is written for it"
                    if _needs_tf_output_shape(source, target)
                    else "the source's padding depends on the input size"
                )
            else:
                shapes.append(given)
    wanted = {shape: resolve(source, shape) for shape in shapes}
    distinct = set(wanted.values())
    known = next(iter(distinct)) if len(distinct) == 1 else None
    base: dict[str, Any] = dict(
        preset=target.name,
        kernel=_target_kernel(source, target),
        padding=0,
        output_padding=0,
        output_shape=None,
    )
    for fields, pre_pad in _padding_candidates(source, target, known):
        if pre_pad is not None and not target.pads_separately:
            continue
        if _needs_tf_output_shape(source, target):
            fields = {**fields, "output_shape": _tf_output_shape(source, shapes[0], known)}
        try:
            candidate = replace(source, **{**base, **fields})
        except ValueError:
            continue
        if all(_agrees(candidate, shape, pre_pad, want) for shape, want in wanted.items()):
            size: tuple[int, ...] | None = None if only_for is None else shapes[0]
            notes = _notes(source, target, size, only_for)
            proof = prove(source, candidate, shapes, pre_pad)
            return Ported(source, candidate, pre_pad, proof, size, notes)
    if known is None:
        raise ValueError(
            f"cannot port from {source.convention.name} to {target.name} for every input size: "
            f"the source's padding {source.padding!r} at stride {list(source.strides)} pads by "
            f"an amount that depends on the input size (modulo the stride), and "
            f"{target.name} has no rule that does the same; give the input size "
            "(input_size=, --input-size) to port it for that size"
        )
    raise ValueError(
        f"cannot port from {source.convention.name} to {target.name}: no combination of "
        f"{target.name}'s padding arguments (with a zero pad before the layer, or a crop after "
        f"a transposed one) gives the source's pads {[list(p) for p in known.pads]}"
    )


def _needs_tf_output_shape(source: Layer, target: Convention) -> bool:
    return source.transposed and target.name == "tensorflow"


def _agrees(
    candidate: Layer, shape: tuple[int, ...], pre_pad: Pairs | None, want: Resolved
) -> bool:
    try:
        return resolve(candidate, shape, pre_pad) == want
    except (ValueError, TypeError):
        return False


def _notes(
    source: Layer, target: Convention, size: tuple[int, ...] | None, only_for: str | None
) -> tuple[str, ...]:
    notes = []
    if source.convention.flips != target.flips:
        notes.append("kernel reversed along its spatial axes (one side flips, the other does not)")
    if size is not None:
        notes.append(f"holds for input size {list(size)} only: {only_for}")
    return tuple(notes)


def _fixed_by_output_shape(layer: Layer) -> bool:
    """A TensorFlow transposed layer: its output_shape fixes its input shape."""
    return layer.transposed and layer.convention.name == "tensorflow"


def prove(
    source: Layer,
    target: Layer,
    shapes: Sequence[Sequence[int]],
    pre_pad: Pairs | None = None,
    seed: int = 0,
) -> Proof:
    """Run both layers by the reference on the same random inputs; the largest differences."""
    rng = np.random.default_rng(seed)
    kernel = source.canonical_kernel()
    c_in = kernel.shape[0] if source.transposed else kernel.shape[1] * source.groups
    integer, real = 0.0, 0.0
    int_source, int_target = _with_integer_weights(source, target, rng)
    for shape in shapes:
        x_int = rng.integers(-9, 10, size=(2, c_in, *shape))
        integer = max(integer, _max_difference(int_source, int_target, x_int, pre_pad))
        x_float = rng.standard_normal((2, c_in, *shape))
        real = max(real, _max_difference(source, target, x_float, pre_pad))
    return Proof(tuple(tuple(s) for s in shapes), int(integer), float(real))


def _max_difference(source: Layer, target: Layer, x: Array, pre_pad: Pairs | None) -> float:
    y_source = run_layer(source, x)
    y_target = run_layer(target, x, pre_pad)
    if y_source.shape != y_target.shape:
        raise AssertionError(f"output shapes differ: {y_source.shape} and {y_target.shape}")
    return float(np.max(np.abs(y_source - y_target), initial=0))


def _with_integer_weights(
    source: Layer, target: Layer, rng: np.random.Generator
) -> tuple[Layer, Layer]:
    """Both layers with the same integer weights (and bias): the proof on exact data."""
    kernel: Array = np.asarray(rng.integers(-9, 10, size=source.kernel.shape))
    bias = None if source.bias is None else np.asarray(rng.integers(-9, 10, size=source.bias.shape))
    source = replace(source, kernel=kernel, bias=bias)
    return source, replace(target, kernel=_target_kernel(source, target.convention), bias=bias)
