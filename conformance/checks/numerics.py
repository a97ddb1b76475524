"""Checks of spec/numerics.md: large and cancellation-heavy cases within the declared bound.

Every value check of the suite compares with the exact oracle (NUM-3) under the bound of
the declared accuracy class (NUM-7); these checks add the cases where the bound matters
most: long sums, big N-D operands, and sums that cancel.
"""

from __future__ import annotations

from ..cases import Context, Produces, check
from ..inputs import discriminating, random_values, ranks_of

LARGE_SHAPES: dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {
    1: [((2000,), (64,)), ((4096,), (7,)), ((513,), (512,))],
    2: [((96, 80), (7, 6))],
    3: [((24, 20, 16), (4, 3, 5))],
}


@check("NUM-1", "NUM-4", "NUM-5", "NUM-6", "NUM-7", "NUM-9", "NOT-5")
def large_sizes(ctx: Context) -> Produces:
    """Large operands in every declared float dtype: measured error beside the bound."""
    floats = [d for d in ctx.op.dtypes if d.startswith(("float", "complex"))]
    if not floats:
        yield ctx.skip(("NUM-1", "NUM-4", "NUM-5", "NUM-6", "NUM-7", "NUM-9"), "no float dtype")
        return
    method_clause = "NUM-6" if ctx.op.method == "fft" else "NUM-4"
    other = "NUM-4" if ctx.op.method == "fft" else "NUM-6"
    yield ctx.skip((other,), f"the operation declares method {ctx.op.method!r}")
    if not any(d.startswith("complex") for d in floats):
        yield ctx.skip(("NUM-5",), "no complex dtype declared")
    for rank in ranks_of(ctx.op.ranks):
        shapes = LARGE_SHAPES[rank] if ctx.full else LARGE_SHAPES[rank][:1]
        for dtype in floats:
            for a_shape, v_shape in shapes:
                a = random_values(a_shape, dtype, ctx.rng)
                v = discriminating(v_shape, dtype, ctx.rng)
                for mode in ("full", "valid", "same") if ctx.full else ("full",):
                    if ctx.allows(mode, a_shape, v_shape):
                        cited: tuple[str, ...] = ("NUM-1", method_clause, "NUM-7", "NUM-9", "NOT-5")
                        if dtype.startswith("complex"):
                            cited = (*cited, "NUM-5")
                        label = f"large {dtype} {a_shape} with {v_shape}"
                        yield ctx.case(cited, label, a, v, mode)


@check("NUM-3", "NUM-4", "NUM-6")
def cancellation(ctx: Context) -> Produces:
    """Sums that nearly cancel: the bound is relative to sum |a||v|, not to the result."""
    floats = [d for d in ("float32", "float64") if d in ctx.op.dtypes]
    tail = (1,) * (ranks_of(ctx.op.ranks)[0] - 1)
    for dtype in floats:
        x = random_values((400, *tail), dtype, ctx.rng)
        a = (x * 1e6).astype(dtype)
        a[1::2] = -a[::2]  # pairs cancel
        v = discriminating((16, *tail), dtype, ctx.rng)
        mode = ctx.any_mode()
        if ctx.allows(mode, a.shape, v.shape):
            method_clause = "NUM-6" if ctx.op.method == "fft" else "NUM-4"
            yield ctx.case(("NUM-3", method_clause), f"cancelling pairs, {dtype}", a, v, mode)
