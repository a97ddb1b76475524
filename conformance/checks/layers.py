"""Checks of spec/layers.md: convolution layers and their transposes (LAYER-1 .. LAYER-13).

Every case draws discriminating data (:meth:`LayerContext.operands`): kernels whose entries
are pairwise distinct, so that no kernel is symmetric along any subset of spatial axes and
every channel pair has its own weights; lengths that strides and dilations do not divide;
pads that differ per side and per axis; axes of pairwise different lengths, so that an
exchanged axis changes the shape or the values.  The expectation is the reference layer
under the declared layouts, flip and accuracy class (:mod:`..layer_conventions`).
"""

from __future__ import annotations

import itertools

import numpy as np

from ..cases import Case, Produces, check
from ..layer_cases import LayerContext, LayerParams

Axes = tuple[int, ...]


def _lengths(rank: int, values: Axes) -> Axes:
    return (
        tuple(values[:rank])
        if rank <= len(values)
        else tuple(values) + (values[-1],) * (rank - len(values))
    )


def _padding_choices(ctx: LayerContext, rank: int) -> list[tuple[tuple[int, int], ...] | str]:
    """Explicit pads that differ per side and per axis, or symmetric ones, as declared."""
    if "explicit" in ctx.op.padding:
        return [
            _pairs(((1, 0), (0, 2), (2, 1)), rank),
            _pairs(((0, 1), (2, 0), (1, 3)), rank),
        ]
    if "symmetric" in ctx.op.padding:
        return [_pairs(((1, 1), (2, 2), (1, 1)), rank)]
    return []


def _pairs(pairs: tuple[tuple[int, int], ...], rank: int) -> tuple[tuple[int, int], ...]:
    return tuple(pairs[axis % len(pairs)] for axis in range(rank))


def _random_params(
    ctx: LayerContext, rank: int, kernel: Axes, c_in: int, c_out: int, groups: int
) -> LayerParams:
    """Random declared stride, dilation, padding and output_padding for one case."""
    rng, op = ctx.rng, ctx.op
    stride = tuple(int(rng.integers(1, 4)) for _ in range(rank)) if op.stride else (1,) * rank
    dilation = tuple(int(rng.integers(1, 4)) for _ in range(rank)) if op.dilation else (1,) * rank
    padding: tuple[tuple[int, int], ...] | str
    if "explicit" in op.padding:
        padding = tuple((int(rng.integers(0, 4)), int(rng.integers(0, 4))) for _ in range(rank))
    elif "symmetric" in op.padding:
        padding = tuple((p, p) for p in (int(rng.integers(0, 3)) for _ in range(rank)))
    else:
        names = [n for n in op.padding if n != "same" or stride == (1,) * rank]
        padding = str(rng.choice(names)) if names else ((0, 0),) * rank
    extra = None
    if op.transposed and op.output_padding:
        below = op.output_padding_below == "stride"
        extra = tuple(
            int(rng.integers(0, s if below else max(s, d)))
            for s, d in zip(stride, dilation, strict=True)
        )
    return LayerParams(stride, padding, dilation, groups, None, extra)


def random_layers(ctx: LayerContext, clauses: tuple[str, ...], count: int) -> Produces:
    """``count`` random configurations per declared dtype and rank, every parameter drawn."""
    for index, dtype in enumerate(ctx.op.dtypes):
        # quick: the first declared dtype fully, the others a quarter as deep
        per_dtype = count if ctx.full or index == 0 else max(1, count // 4)
        for rank in ctx.ranks():
            made, wanted = 0, per_dtype if rank < 3 else max(1, per_dtype // 3)
            for _ in range(8 * wanted):
                if made == wanted:
                    break
                rng = ctx.rng
                groups = int(rng.choice([1, 1, 2, 3])) if ctx.op.groups else 1
                c_in = groups * int(rng.integers(1, 3))
                c_out = groups * int(rng.integers(1, 3))
                kernel = tuple(int(rng.integers(1, 5 if rank < 3 else 4)) for _ in range(rank))
                params = _random_params(ctx, rank, kernel, c_in, c_out, groups)
                extent = [d * (k - 1) + 1 for d, k in zip(params.dilation, kernel, strict=True)]
                top = 14 if rank == 1 else (9 if rank == 2 else 6)
                spatial = tuple(int(rng.integers(max(1, e - 2), max(e, top) + 1)) for e in extent)
                x, w = ctx.operands(
                    int(rng.integers(1, 3)), c_in, c_out, spatial, kernel, groups, dtype
                )
                if ctx.op.bias and rng.random() < 0.5:
                    params = _with_bias(ctx, params, c_out, dtype)
                cases = ctx.cases_if_fit(clauses, f"random {dtype} {rank}-D", x, w, params)
                made += len(cases)
                yield from cases


def _with_bias(ctx: LayerContext, params: LayerParams, c_out: int, dtype: str) -> LayerParams:
    return LayerParams(
        params.stride,
        params.padding,
        params.dilation,
        params.groups,
        ctx.bias(c_out, dtype),
        params.output_padding,
    )


# --------------------------------------------------------------------------- the layer


@check("LAYER-1", "LAYER-3", applies_to="layer")
def definition(ctx: LayerContext) -> Produces:
    """Random layers: every output element is the sum LAYER-1 defines, every parameter drawn."""
    if ctx.op.transposed:
        yield ctx.skip(("LAYER-1", "LAYER-3"), "a transposed layer (checked by LAYER-7)")
        return
    yield from random_layers(ctx, ("LAYER-1", "LAYER-3"), 40 if ctx.full else 4)


@check("LAYER-13", applies_to="layer")
def bridge(ctx: LayerContext) -> Produces:
    """One batch, one channel, stride 1, no padding: the layer is CORR (no conjugation)."""
    if ctx.op.transposed:
        yield ctx.skip(("LAYER-13",), "a transposed layer")
        return
    for rank in ctx.ranks():
        shapes: tuple[tuple[Axes, Axes], ...] = (((7, 6, 5), (3, 2, 2)), ((6, 5, 4), (4, 3, 2)))
        for spatial, kernel in shapes:
            spatial, kernel = _lengths(rank, spatial), _lengths(rank, kernel)
            x, w = ctx.operands(1, 1, 1, spatial, kernel)
            params = LayerParams.plain(rank)
            yield from ctx.cases_if_fit(
                ("LAYER-13",), f"N = C = 1, {spatial} with {kernel}", x, w, params
            )


@check("LAYER-1", "LAYER-12", applies_to="layer")
def impulse_response(ctx: LayerContext) -> Produces:
    """A unit impulse in one input channel shows every kernel of that channel, unflipped.

    Impulses at the start and in the middle, with an odd and an even kernel; the kernel read
    in another layout, reversed along some spatial axes, or taken from another channel pair
    gives other values.
    """
    clauses = ("LAYER-1", "LAYER-12")
    dtype = ctx.dtype()
    for rank in ctx.ranks():
        spatial = _lengths(rank, (8, 7, 6))
        kernels = (_lengths(rank, (3, 2, 2)), _lengths(rank, (4, 3, 3)))
        for kernel in kernels if ctx.full else kernels[1:]:
            c_in, c_out = 2, 3
            _, w = ctx.operands(1, c_in, c_out, spatial, kernel, dtype=dtype)
            for channel, position in ((0, (0,) * rank), (1, tuple(n // 2 for n in spatial))):
                x = np.zeros((1, c_in, *spatial), dtype=dtype)
                x[(0, channel, *position)] = 1
                pads = _padding_choices(ctx, rank)
                params = (
                    LayerParams.plain(rank, padding=pads[0]) if pads else LayerParams.plain(rank)
                )
                label = f"impulse in channel {channel} at {position}, kernel {kernel}"
                yield from ctx.cases_if_fit(clauses, label, x, w, params)


@check("LAYER-1", "LAYER-2", "LAYER-11", "FRAME-1", applies_to="layer")
def channels_and_layout(ctx: LayerContext) -> Produces:
    """Several channels, every axis of its own length: channel and spatial axes stay apart.

    Batch 2, 3 input and 5 output channels (4 and 6 transposed), spatial lengths and kernel
    lengths all different from each other and from the channel counts, so that a layout read
    wrongly, an exchanged channel and spatial axis or a channel pair mixed up shows.  The
    declared layouts and flip are the backend's framework convention (FRAME-1).
    """
    clauses = ("LAYER-1", "LAYER-2", "LAYER-11", "FRAME-1")
    for dtype in ctx.op.dtypes if ctx.full else (ctx.dtype(),):
        for rank in ctx.ranks():
            spatial = _lengths(rank, (9, 8, 7))[:rank]
            kernel = _lengths(rank, (4, 2, 3))[:rank]
            x, w = ctx.operands(2, 3, 5, spatial, kernel, dtype=dtype)
            yield from ctx.cases_if_fit(clauses, f"{dtype} channels", x, w, LayerParams.plain(rank))


@check("LAYER-2", applies_to="layer")
def groups(ctx: LayerContext) -> Produces:
    """Groups 2 and 3, and depthwise (groups = C_in, with channel multipliers 1 and 2)."""
    if not ctx.op.groups:
        yield ctx.skip(("LAYER-2",), "groups are not declared")
        return
    dtype = ctx.dtype()
    for rank in ctx.ranks():
        spatial, kernel = _lengths(rank, (7, 6, 5)), _lengths(rank, (3, 2, 2))
        configs = [(2, 4, 6), (4, 4, 4), (3, 3, 6)]  # (groups, C_in, C_out)
        if ctx.full:
            configs += [(3, 6, 3), (2, 2, 4), (6, 6, 12), (5, 5, 5)]
        for g, c_in, c_out in configs:
            x, w = ctx.operands(2, c_in, c_out, spatial, kernel, groups=g, dtype=dtype)
            params = LayerParams.plain(rank, groups=g)
            word = "depthwise" if g == c_in else f"groups {g}"
            label = f"{word}: {c_in} -> {c_out} channels"
            yield from ctx.cases_if_fit(("LAYER-2",), label, x, w, params)


@check("LAYER-4", applies_to="layer")
def stride_and_dilation(ctx: LayerContext) -> Produces:
    """Strides and dilations that do not divide the lengths, different per axis."""
    op = ctx.op
    if not (op.stride or op.dilation):
        yield ctx.skip(("LAYER-4",), "neither stride nor dilation is declared")
        return
    dtype = ctx.dtype()
    options: list[tuple[Axes, Axes]] = [
        ((2, 3, 2), (1, 1, 1)),
        ((1, 1, 1), (2, 3, 2)),
        ((3, 2, 2), (2, 1, 2)),
    ]
    if ctx.full:
        options += [((2, 2, 3), (3, 2, 1)), ((3, 3, 3), (1, 2, 1)), ((4, 1, 2), (1, 1, 3))]
    for rank in ctx.ranks():
        spatial, kernel = _lengths(rank, (11, 10, 9)), _lengths(rank, (3, 2, 3))
        for stride, dilation in options:
            stride, dilation = _lengths(rank, stride), _lengths(rank, dilation)
            x, w = ctx.operands(1, 2, 3, spatial, kernel, dtype=dtype)
            params = LayerParams.plain(rank, stride=stride, dilation=dilation)
            if op.transposed and op.output_padding:
                params = LayerParams.plain(
                    rank, stride=stride, dilation=dilation, output_padding=(0,) * rank
                )
            label = f"{spatial} with {kernel}"
            yield from ctx.cases_if_fit(("LAYER-4",), label, x, w, params)


@check("LAYER-5", applies_to="layer")
def explicit_padding(ctx: LayerContext) -> Produces:
    """Pads that differ per side and per axis; the output length LAYER-5 gives."""
    pads = _padding_choices(ctx, 3)
    if not pads or ctx.op.transposed:
        reason = "a transposed layer (LAYER-8)" if ctx.op.transposed else "no explicit pads"
        yield ctx.skip(("LAYER-5",), reason)
        return
    dtype = ctx.dtype()
    for rank in ctx.ranks():
        spatial = _lengths(rank, (7, 6, 5))
        kernels = (_lengths(rank, (4, 3, 2)), _lengths(rank, (3, 2, 2)))
        for kernel in kernels if ctx.full else kernels[:1]:
            for padding in _padding_choices(ctx, rank):
                for stride in ((1,) * rank, _lengths(rank, (2, 3, 2))):
                    x, w = ctx.operands(1, 2, 2, spatial, kernel, dtype=dtype)
                    params = LayerParams.plain(rank, padding=padding, stride=stride)
                    yield from ctx.cases_if_fit(("LAYER-5",), f"kernel {kernel}", x, w, params)


@check("LAYER-6", applies_to="layer")
def named_padding(ctx: LayerContext) -> Produces:
    """Each declared padding name at stride 1 and 2, odd and even kernels and lengths.

    'same' at stride 1 only; with dilation 2 as well where declared; the even effective
    kernels show on which side the odd pad goes.
    """
    names = [n for n in ctx.op.padding if n in ("valid", "same", "same-upper", "same-lower")]
    if ctx.op.transposed or not names:
        why = "a transposed layer (LAYER-10)" if ctx.op.transposed else "no padding names"
        yield ctx.skip(("LAYER-6",), why)
        return
    dtype = ctx.dtype()
    strides = (1, 2, 3) if ctx.full else (1, 2)
    for rank, name, s in itertools.product(ctx.ranks(), names, strides):
        if name == "same" and s != 1:
            continue
        shapes: tuple[tuple[Axes, Axes], ...] = (((8, 7, 6), (4, 3, 2)), ((7, 6, 5), (2, 3, 4)))
        for spatial, kernel in shapes if ctx.full else shapes[(s + len(name)) % 2 :][:1]:
            spatial, kernel = _lengths(rank, spatial), _lengths(rank, kernel)
            for d in (1, 2) if ctx.op.dilation and ctx.full else (1,):
                x, w = ctx.operands(1, 2, 2, spatial, kernel, dtype=dtype)
                params = LayerParams.plain(
                    rank, padding=name, stride=(s,) * rank, dilation=(d,) * rank
                )
                label = f"{name!r}, {spatial} with {kernel}"
                yield from ctx.cases_if_fit(("LAYER-6",), label, x, w, params)


@check("LAYER-5", "LAYER-2", "LAYER-8", applies_to="layer")
def rejected(ctx: LayerContext) -> Produces:
    """Calls the spec refuses raise: no output, groups not dividing, output_padding too big."""
    op = ctx.op
    for clause, rejection in (
        ("LAYER-5", "empty output"),
        ("LAYER-2", "groups"),
        ("LAYER-8", "output_padding"),
    ):
        if rejection not in op.rejects:
            yield ctx.skip((clause,), f"the declaration says {rejection!r} calls are not rejected")
    for rank in ctx.ranks():
        if "empty output" in op.rejects:
            padding = ((0, 0),) * rank
            if op.transposed:  # crop more than the whole transposed output
                x, w = ctx.operands(1, 2, 2, _lengths(rank, (2, 2, 2)), _lengths(rank, (2, 2, 2)))
                padding = ((2, 2),) * rank
            else:
                x, w = ctx.operands(1, 2, 2, _lengths(rank, (3, 3, 3)), _lengths(rank, (5, 2, 2)))
            params = LayerParams.plain(rank, padding=padding)
            if ctx.fits(x, w, params):
                yield _raises(ctx, ("LAYER-5",), "no window fits: empty output", x, w, params)
        if op.groups and "groups" in op.rejects:
            x, w = ctx.operands(1, 3, 4, _lengths(rank, (6, 5, 4)), _lengths(rank, (2, 2, 2)))
            w = w[:, :2] if op.transposed else w[:, :1]
            params = LayerParams.plain(rank, groups=2)
            if ctx.fits(x, w, params):
                yield _raises(ctx, ("LAYER-2",), "groups 2 do not divide 3 channels", x, w, params)
        if op.transposed and op.output_padding and "output_padding" in op.rejects:
            x, w = ctx.operands(1, 2, 2, _lengths(rank, (4, 4, 4)), _lengths(rank, (3, 2, 2)))
            params = LayerParams.plain(rank, stride=(2,) * rank, output_padding=(2,) * rank)
            if ctx.fits(x, w, params):
                yield _raises(ctx, ("LAYER-8",), "output_padding 2 at stride 2", x, w, params)


def _raises(
    ctx: LayerContext,
    clauses: tuple[str, ...],
    label: str,
    x: np.ndarray,
    w: np.ndarray,
    params: LayerParams,
) -> Case:
    case = ctx.case(clauses, label, x, w, params)
    return Case(case.check, case.clauses, case.label, case.call, expect="raises")


# --------------------------------------------------------------------------- transposed


@check("LAYER-7", "LAYER-9", applies_to="layer")
def transposed(ctx: LayerContext) -> Produces:
    """Random transposed layers: the adjoint of the layer, every parameter drawn."""
    if not ctx.op.transposed:
        yield ctx.skip(("LAYER-7", "LAYER-9"), "not a transposed layer")
        return
    yield from random_layers(ctx, ("LAYER-7", "LAYER-9"), 40 if ctx.full else 4)


@check("LAYER-8", applies_to="layer")
def output_padding(ctx: LayerContext) -> Produces:
    """Transposed output length with crops per side and output_padding below the stride."""
    if not ctx.op.transposed:
        yield ctx.skip(("LAYER-8",), "not a transposed layer")
        return
    op, dtype = ctx.op, ctx.dtype()
    for rank in ctx.ranks():
        spatial, kernel = _lengths(rank, (5, 4, 3)), _lengths(rank, (3, 4, 2))
        crops = _padding_choices(ctx, rank) or [((0, 0),) * rank]
        for padding in crops:
            for stride in (_lengths(rank, (2, 3, 2)), _lengths(rank, (3, 2, 3))):
                extras = [(0,) * rank]
                if op.output_padding:
                    extras.append(tuple(s - 1 for s in stride))
                for extra in extras:
                    x, w = ctx.operands(1, 2, 3, spatial, kernel, dtype=dtype)
                    params = LayerParams.plain(
                        rank, stride=stride, padding=padding, output_padding=extra
                    )
                    label = f"stride {stride}, crop {padding}"
                    yield from ctx.cases_if_fit(("LAYER-8",), label, x, w, params)


@check("LAYER-10", applies_to="layer")
def transposed_named_padding(ctx: LayerContext) -> Produces:
    """valid, same-upper and same-lower of a transposed layer (ONNX auto_pad): output N s."""
    names = [n for n in ctx.op.padding if n in ("valid", "same-upper", "same-lower")]
    if not ctx.op.transposed or not names:
        why = "not a transposed layer" if not ctx.op.transposed else "no padding names"
        yield ctx.skip(("LAYER-10",), why)
        return
    dtype = ctx.dtype()
    for rank, name, s in itertools.product(ctx.ranks(), names, (1, 2, 3) if ctx.full else (1, 2)):
        shapes: tuple[tuple[Axes, Axes], ...] = (
            ((5, 4, 3), (4, 3, 2)),
            ((4, 5, 3), (3, 2, 3)),
            ((3, 4, 5), (1, 2, 1)),
        )
        for spatial, kernel in shapes if ctx.full else shapes[(s + len(name)) % 2 :][:1]:
            spatial, kernel = _lengths(rank, spatial), _lengths(rank, kernel)
            x, w = ctx.operands(1, 2, 2, spatial, kernel, dtype=dtype)
            params = LayerParams.plain(rank, padding=name, stride=(s,) * rank)
            label = f"{name!r}, {spatial} with {kernel}"
            yield from ctx.cases_if_fit(("LAYER-10",), label, x, w, params)
