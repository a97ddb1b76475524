"""Checks of spec/modes.md: every mode is the declared window of the full output."""

from __future__ import annotations

import itertools

from ..cases import Context, Produces, check
from ..inputs import discriminating, random_values, ranks_of

# (N, K) per axis: K = 1, K = N, K > N, odd and even K, length-1 axes.
EDGE_LENGTHS_1D = [
    (1, 1),
    (5, 1),
    (6, 6),
    (7, 7),
    (5, 2),
    (8, 4),
    (9, 3),
    (3, 5),
    (2, 6),
    (4, 7),
    (1, 3),
]


@check("MODE-1", "MODE-2", "MODE-3", "MODE-4", "MODE-5", "MODE-7", "NOT-1")
def edge_lengths(ctx: Context) -> Produces:
    """Each mode at K = 1, K = N, K > N, odd and even K: the declared window of full."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    if not ctx.op.supports_rank(1):
        yield ctx.skip(("MODE-1", "MODE-2", "MODE-3", "MODE-4", "MODE-5"), "1-D not declared")
        return
    for n, k in EDGE_LENGTHS_1D:
        a = random_values((n,), dtype, ctx.rng)
        v = discriminating((k,), dtype, ctx.rng)
        for mode, clause in (("full", "MODE-2"), ("valid", "MODE-3"), ("same", "MODE-4")):
            if not ctx.allows(mode, (n,), (k,)):
                continue
            cited: tuple[str, ...] = ("MODE-1", clause)
            if mode == "same" and k % 2 == 0:
                cited = (*cited, "MODE-5")
            if mode == "same" and ctx.op.same_alignment not in ("lower", "upper"):
                cited = (*cited, "MODE-7")  # another named alignment, or a window function
            if n == 1 or k == 1:
                cited = (*cited, "NOT-1")
            yield ctx.case(cited, f"N={n}, K={k}", a, v, mode)
    for mode in ("full", "valid", "same"):
        if mode not in ctx.op.modes:
            yield ctx.skip(("MODE-1",), f"mode {mode!r} not declared")


@check("MODE-6", "MODE-1", "NOT-1")
def per_axis(ctx: Context) -> Produces:
    """In N-D each axis takes its own window: mixes of odd/even, K > N and length-1 axes."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    ranks = [r for r in ranks_of(ctx.op.ranks) if r > 1]
    if not ranks:
        yield ctx.skip(("MODE-6",), "only 1-D declared")
        return
    per_axis_pairs = [(5, 2), (4, 3), (1, 1), (3, 4), (6, 6)]
    for rank in ranks:
        combos = list(itertools.product(per_axis_pairs, repeat=rank))
        step = 1 if (ctx.full or rank == 2) else 7
        for combo in combos[::step]:
            a_shape = tuple(n for n, _ in combo)
            v_shape = tuple(k for _, k in combo)
            a = random_values(a_shape, dtype, ctx.rng)
            v = discriminating(v_shape, dtype, ctx.rng)
            for mode in ("full", "valid", "same"):
                if ctx.allows(mode, a_shape, v_shape):
                    yield ctx.case(("MODE-6", "MODE-1"), f"per axis (N, K) = {combo}", a, v, mode)
