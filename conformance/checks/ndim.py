"""Checks of spec/ndim.md: the flip reverses every axis, in 2-D a half-turn (ND-1 .. ND-4)."""

from __future__ import annotations

from ..cases import Call, Case, Context, Produces, check
from ..inputs import discriminating, impulse, random_values, ranks_of


@check("ND-1", "ND-2", "ND-4")
def every_axis_flipped(ctx: Context) -> Produces:
    """Square and non-square kernels, asymmetric along every axis subset and not transposes."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    ranks = [r for r in ranks_of(ctx.op.ranks) if r > 1]
    if not ranks:
        yield ctx.skip(("ND-1", "ND-2"), "only 1-D declared")
        return
    for rank in ranks:
        cited = ("ND-1", "ND-2", "ND-4") if rank == 2 else ("ND-1", "ND-4")
        for v_shape in ((3,) * rank, (2, 3, 4)[:rank], (4, 2, 3)[:rank]):
            v = discriminating(v_shape, dtype, ctx.rng)  # proven discriminating (ND-4)
            a_shape = (6, 5, 4)[:rank]
            signals = {
                "impulse": impulse(a_shape, (1,) * rank, dtype),
                "random": random_values(a_shape, dtype, ctx.rng),
            }
            for what, a in signals.items():
                for mode in ("full", "same"):
                    if ctx.allows(mode, a_shape, v_shape):
                        yield ctx.case(cited, f"{what} signal, kernel {v_shape}", a, v, mode)


@check("ND-5", "MODE-6")
def batched_axes(ctx: Context) -> Produces:
    """``axes=``: some axes convolved, the others batched, with equal lengths or 1 broadcast."""
    if not ctx.op.axes:
        yield ctx.skip(("ND-5",), "axes= not declared")
        return
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    # (a shape, v shape, axes): a batch of rows with a kernel each, one kernel broadcast, the
    # batch axis last, and a batch in the middle of three axes.
    layouts = [
        ((3, 7), (3, 4), (1,)),
        ((3, 7), (1, 4), (1,)),
        ((7, 2), (3, 2), (0,)),
        ((4, 2, 5), (3, 1, 2), (0, 2)),
    ]
    for a_shape, v_shape, axes in layouts:
        if not ctx.op.supports_rank(len(a_shape)):
            continue
        a = random_values(a_shape, dtype, ctx.rng)
        v = discriminating(v_shape, dtype, ctx.rng)
        for mode in ctx.op.modes:
            convolved = tuple(a_shape[i] for i in axes), tuple(v_shape[i] for i in axes)
            if not ctx.allows(mode, *convolved):
                continue
            call = Call(ctx.op_name, a, v, mode, params={"axes": axes})
            yield Case(ctx.check_name, ("ND-5", "MODE-6"), f"axes={list(axes)}", call)
