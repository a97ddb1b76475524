"""Checks of spec/ndim.md: the flip reverses every axis, in 2-D a half-turn (ND-1 .. ND-4)."""

from __future__ import annotations

from ..cases import Context, Produces, check
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
