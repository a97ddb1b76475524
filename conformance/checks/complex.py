"""Checks of spec/complex.md: which operand is conjugated (CPLX-1 .. CPLX-3)."""

from __future__ import annotations

from ..cases import Context, Produces, check
from ..inputs import discriminating, random_values, ranks_of


def _complex_dtype(ctx: Context) -> str | None:
    for name in ("complex128", "complex64"):
        if name in ctx.op.dtypes:
            return name
    return None


@check("CPLX-1", "CPLX-3")
def conjugation(ctx: Context) -> Produces:
    """Complex operands: exactly the declared operand is conjugated (or none)."""
    dtype = _complex_dtype(ctx)
    cited = (
        ("CPLX-1", "CPLX-3") if ctx.op.conjugation == "none" and not ctx.op.flips else ("CPLX-1",)
    )
    if dtype is None:
        yield ctx.skip(("CPLX-1", "CPLX-3"), "no complex dtype declared")
        return
    if "CPLX-3" not in cited:
        yield ctx.skip(("CPLX-3",), f"{ctx.op.kind} declared with conjugation {ctx.op.conjugation}")
    for rank in ranks_of(ctx.op.ranks, 2):
        for a_shape, v_shape in (
            ((6, 4)[:rank], (3, 2)[:rank]),
            ((5, 5)[:rank], (4, 3)[:rank]),
            ((3, 2)[:rank], (5, 4)[:rank]),  # kernel larger: libraries swap the operands
        ):
            a = random_values(a_shape, dtype, ctx.rng)
            v = discriminating(v_shape, dtype, ctx.rng)
            for mode in ("full", "valid", "same"):
                if ctx.allows(mode, a_shape, v_shape):
                    yield ctx.case(cited, f"complex {a_shape} with {v_shape}", a, v, mode)


@check("CPLX-2", applies_to="correlation")
def autocorrelation(ctx: Context) -> Produces:
    """The autocorrelation of a complex signal, R[-k] = conj(R[k]) when conjugating."""
    dtype = _complex_dtype(ctx)
    if dtype is None:
        yield ctx.skip(("CPLX-2",), "no complex dtype declared")
        return
    for rank in ranks_of(ctx.op.ranks, 2):
        a = random_values((7, 4)[:rank], dtype, ctx.rng)
        if ctx.allows("full", a.shape, a.shape):
            yield ctx.case(("CPLX-2",), f"autocorrelation of {a.shape}", a, a.copy(), "full")
