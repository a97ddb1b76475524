"""Checks of spec/convolution.md: a declared convolution flips its kernel (CONV-1 .. CONV-5)."""

from __future__ import annotations

import numpy as np

from ..cases import Context, Produces, check
from ..inputs import discriminating, impulse, random_shape_pair, random_values, ranks_of


def random_cases(ctx: Context, clauses: tuple[str, ...], count: int) -> Produces:
    """``count`` random 1-D cases per declared dtype in random declared modes (a quarter as
    many per higher rank, where each case is costlier; ND-3)."""
    for dtype in ctx.op.dtypes:
        for rank in ranks_of(ctx.op.ranks):
            cited = (*clauses, "ND-3") if rank > 1 else clauses
            made, wanted = 0, count if rank == 1 else max(2, count // 4)
            for _ in range(4 * wanted):
                if made == wanted:
                    break
                mode = str(ctx.rng.choice(ctx.op.modes))
                allow = mode not in ctx.op.needs_n_ge_k
                a_shape, v_shape = random_shape_pair(rank, ctx.rng, 48 if ctx.full else 24, allow)
                if not ctx.allows(mode, a_shape, v_shape):
                    continue
                a = random_values(a_shape, dtype, ctx.rng)
                v = discriminating(v_shape, dtype, ctx.rng)
                label = f"random {dtype} {a_shape} with {v_shape}, {mode}"
                yield ctx.case(cited, label, a, v, mode)
                made += 1


@check("CONV-1", "CONV-2", "ND-3", applies_to="convolution")
def definition(ctx: Context) -> Produces:
    """Random operands: every element is the sum CONV-1 defines, full length N + K - 1."""
    yield from random_cases(ctx, ("CONV-1", "CONV-2"), 150 if ctx.full else 8)


def swapped_cases(ctx: Context, clause: str) -> Produces:
    """Random discriminating pairs called with the operands swapped, ``op(v, a)``, in full mode.

    The expected value comes from the declared conventions as for any case; the clause says
    which law the swap exercises (CONV-3 commutativity, CORR-3 the swap law).
    """
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in ranks_of(ctx.op.ranks):
        for _ in range(20 if ctx.full else 3):
            a_shape, v_shape = random_shape_pair(rank, ctx.rng, 16)
            a = discriminating(a_shape, dtype, ctx.rng)
            v = discriminating(v_shape, dtype, ctx.rng)
            if ctx.allows("full", v_shape, a_shape):
                yield ctx.case((clause,), f"operands swapped: {v_shape} with {a_shape}", v, a)


@check("CONV-3", applies_to="convolution")
def commutativity(ctx: Context) -> Produces:
    """Swapping the operands gives the same full result."""
    yield from swapped_cases(ctx, "CONV-3")


@check("CONV-4", "ND-4", applies_to="convolution")
def impulse_response(ctx: Context) -> Produces:
    """A unit impulse at p returns the kernel, unreversed, starting at p."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in ranks_of(ctx.op.ranks):
        a_shape = (7, 6, 5)[:rank]
        for v_shape in ((3, 2, 2)[:rank], (4, 3, 2)[:rank]):
            v = discriminating(v_shape, dtype, ctx.rng)
            for position in ((0,) * rank, tuple(n // 2 for n in a_shape)):
                a = impulse(a_shape, position, dtype)
                for mode in ("full", "valid", "same"):
                    if ctx.allows(mode, a_shape, v_shape):
                        label = f"impulse at {position} with a kernel of shape {v_shape}"
                        yield ctx.case(("CONV-4", "ND-4"), label, a, v, mode)


@check("CONV-5", applies_to="convolution")
def linearity_and_shift(ctx: Context) -> Produces:
    """A shifted, scaled sum of signals gives the shifted, scaled sum of outputs."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in ranks_of(ctx.op.ranks):
        shape = (9, 5, 4)[:rank]
        v = discriminating((3, 2, 2)[:rank], dtype, ctx.rng)
        x = random_values(shape, dtype, ctx.rng)
        shifted = np.zeros(tuple(n + 2 for n in shape), dtype=dtype)
        shifted[(slice(2, None),) * rank] = x
        mode = ctx.any_mode()
        if ctx.allows(mode, shifted.shape, v.shape):
            label = f"signal shifted by 2 per axis, {shape}"
            yield ctx.case(("CONV-5",), label, shifted, v, mode)
            y = random_values(shape, dtype, ctx.rng)
            combined = (2 * x - y).astype(dtype)
            yield ctx.case(("CONV-5",), "linear combination 2x - y", combined, v, mode)
