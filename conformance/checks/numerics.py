"""Checks of spec/numerics.md: large and cancellation-heavy cases within the declared bound."""

from __future__ import annotations

from ..cases import Context, Produces, check
from ..inputs import discriminating, random_values, ranks_of

LARGE_SHAPES = {1: [((2000,), (64,)), ((4096,), (7,)), ((513,), (512,))], 2: [((96, 80), (7, 6))], 3: [((24, 20, 16), (4, 3, 5))]}


@check("NOT-5")
def large_sizes(ctx: Context) -> Produces:
    """Large operands in every declared float dtype: measured error beside the bound."""
    floats = [d for d in ctx.op.dtypes if d.startswith(("float", "complex"))]
    if not floats:
        yield ctx.skip(("NOT-5",), "no float dtype declared")
        return
    for rank in ranks_of(ctx.op.ranks):
        shapes = LARGE_SHAPES[rank] if ctx.full else LARGE_SHAPES[rank][:1]
        for dtype in floats:
            for a_shape, v_shape in shapes:
                a = random_values(a_shape, dtype, ctx.rng)
                v = discriminating(v_shape, dtype, ctx.rng)
                for mode in ("full", "valid", "same") if ctx.full else ("full",):
                    if ctx.allows(mode, a_shape, v_shape):
                        yield ctx.case(("NOT-5",), f"large {dtype} {a_shape} with {v_shape}", a, v, mode)


@check("NOT-5")
def cancellation(ctx: Context) -> Produces:
    """Sums that nearly cancel: the bound is relative to sum |a||v|, not to the result."""
    floats = [d for d in ("float32", "float64") if d in ctx.op.dtypes]
    for rank in ranks_of(ctx.op.ranks, 1):
        for dtype in floats:
            x = random_values((400,), dtype, ctx.rng)
            a = (x * 1e6).astype(dtype)
            a[1::2] = -a[::2]  # pairs cancel
            v = discriminating((16,), dtype, ctx.rng)
            if ctx.allows("full", a.shape, v.shape):
                yield ctx.case(("NOT-5",), f"cancelling pairs, {dtype}", a, v)
