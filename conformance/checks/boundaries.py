"""Checks of spec/boundaries.md: a declared boundary, origin, normalisation and lags.

An operation declares how it extends ``a`` beyond its box (``boundary``, ``fill_value``),
how far its 'same' window is shifted (``origin``), whether it divides the kernel by its
sum (``normalize``) and, for a correlation, the lags it reports (``lags``).  Each is
checked where it shows: signals short enough that the kernel reaches far beyond both
edges (K > N, K > 2N: the periods of BOUND-3 .. BOUND-6), odd and even kernels, every
declared mode and rank.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..cases import LAGS, Call, Case, Context, Produces, check
from ..inputs import discriminating, impulse, random_values, ranks_of

#: The clause of each boundary (spec/boundaries.md).
BOUNDARY_CLAUSES = {
    "constant": "BOUND-2",
    "reflect": "BOUND-3",
    "symmetric": "BOUND-4",
    "edge": "BOUND-5",
    "wrap": "BOUND-6",
}

#: Signal lengths, and kernel lengths from 1 to beyond three signal lengths, odd and even.
SIGNAL_LENGTHS = (1, 2, 3, 4, 5, 8)
KERNEL_LENGTHS = (1, 2, 3, 4, 5, 7, 8, 11, 16)
QUICK_PAIRS = ((1, 3), (2, 5), (3, 8), (4, 4), (5, 2), (5, 3), (8, 7), (8, 16))

#: (N, K) per axis in 2-D and 3-D: corners of the box, K > N on one axis only.
PER_AXIS_PAIRS = ((3, 2), (2, 5), (1, 3), (4, 4), (5, 1))


def _pairs(ctx: Context) -> list[tuple[int, int]]:
    if ctx.full:
        return list(itertools.product(SIGNAL_LENGTHS, KERNEL_LENGTHS))
    return list(QUICK_PAIRS)


def _dtypes(ctx: Context) -> list[str]:
    """The preferred float dtype, and an integer one (exact sums over the extension)."""
    first = ctx.float_dtype() or ctx.op.dtypes[0]
    ints = [d for d in ctx.op.dtypes if np.dtype(d).kind in "iu" and d != first]
    return [first, *ints[:1]]


def _cited(ctx: Context, mode: str, k: tuple[int, ...], n: tuple[int, ...]) -> tuple[str, ...]:
    cited: tuple[str, ...] = ("BOUND-1", BOUNDARY_CLAUSES[ctx.op.boundary], "BOUND-7")
    if mode == "same":
        cited = (*cited, "MODE-5" if any(x % 2 == 0 for x in k) else "MODE-4")
        if ctx.op.origin != 0:
            cited = (*cited, "BOUND-8")
    if len(n) > 1:
        cited = (*cited, "MODE-6")
    return cited


@check("BOUND-1", "BOUND-2", "BOUND-3", "BOUND-4", "BOUND-5", "BOUND-6", "BOUND-7", "MODE-4")
def extension(ctx: Context) -> Produces:
    """1-D: every mode is the window of the convolution of the declared extension, K > N too."""
    if not ctx.op.extends:
        yield ctx.skip(("BOUND-1", "BOUND-7"), "no boundary declared (zero outside the box)")
        return
    if not ctx.op.supports_rank(1):
        yield ctx.skip(("BOUND-7",), "1-D not declared; see boundaries.per_axis")
        return
    for dtype in _dtypes(ctx):
        for n, k in _pairs(ctx):
            a = random_values((n,), dtype, ctx.rng)
            v = discriminating((k,), dtype, ctx.rng)
            for mode in ctx.op.modes:
                if ctx.allows(mode, (n,), (k,)):
                    label = f"{ctx.op.boundary} boundary, N={n}, K={k}, {dtype}"
                    yield ctx.case(_cited(ctx, mode, (k,), (n,)), label, a, v, mode)


@check("BOUND-1", "BOUND-7", "MODE-6")
def per_axis(ctx: Context) -> Produces:
    """2-D and 3-D: every axis extended by its own rule, corners included, K > N on some axes."""
    if not ctx.op.extends:
        yield ctx.skip(("BOUND-1",), "no boundary declared (zero outside the box)")
        return
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in [r for r in ranks_of(ctx.op.ranks) if r > 1]:
        combos = list(itertools.product(PER_AXIS_PAIRS, repeat=rank))
        step = 1 if ctx.full and rank == 2 else (4 if ctx.full else 9)
        for combo in combos[::step]:
            a_shape = tuple(n for n, _ in combo)
            v_shape = tuple(k for _, k in combo)
            a = random_values(a_shape, dtype, ctx.rng)
            v = discriminating(v_shape, dtype, ctx.rng)
            for mode in ctx.op.modes:
                if ctx.allows(mode, a_shape, v_shape):
                    label = f"{ctx.op.boundary} boundary, per axis (N, K) = {combo}"
                    yield ctx.case(_cited(ctx, mode, v_shape, a_shape), label, a, v, mode)


@check("BOUND-8", "MODE-4", "MODE-5")
def origin(ctx: Context) -> Produces:
    """An impulse signal shows where the shifted 'same' window starts, odd and even K."""
    if ctx.op.origin == 0:
        yield ctx.skip(("BOUND-8",), "no origin or anchor declared")
        return
    if "same" not in ctx.op.modes:
        yield ctx.skip(("BOUND-8",), "mode 'same' not declared")
        return
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in ranks_of(ctx.op.ranks, 2):
        for k in (3, 4, 5, 6) if ctx.full else (3, 4):
            a_shape, v_shape = (9,) * rank, (k,) * rank
            if not ctx.allows("same", a_shape, v_shape):
                continue
            v = discriminating(v_shape, dtype, ctx.rng)
            for position in ((0,) * rank, (4,) * rank, (8,) * rank):
                a = impulse(a_shape, position, dtype)
                cited = ("BOUND-8", "MODE-5" if k % 2 == 0 else "MODE-4")
                label = f"origin {ctx.op.origin}, impulse at {position}, K={k}"
                yield ctx.case(cited, label, a, v, "same")


@check("BOUND-10", "NOT-7")
def normalisation(ctx: Context) -> Produces:
    """A normalised kernel: the result divided by the kernel's sum; a zero sum is refused."""
    if not ctx.op.normalize:
        yield ctx.skip(("BOUND-10",), "no kernel normalisation declared")
        return
    dtype = ctx.float_dtype()
    if dtype is None:
        yield ctx.skip(("BOUND-10",), "no real float dtype declared")
        return
    rank = ranks_of(ctx.op.ranks)[0]
    mode = "same" if "same" in ctx.op.modes else ctx.any_mode()
    for k in (1, 3, 5, 7) if ctx.full else (3, 5):
        a_shape, v_shape = (9,) * rank, (k,) * rank
        if not ctx.allows(mode, a_shape, v_shape):
            continue
        a = random_values(a_shape, dtype, ctx.rng)
        for scale in (1.0, 1e3, -0.01):  # sums far from 1, and a negative one
            v = (np.abs(discriminating(v_shape, "float64", ctx.rng)) * scale).astype(dtype)
            label = f"kernel of sum {float(v.sum()):.4g}, K={k}"
            yield ctx.case(("BOUND-10",), label, a, v, mode)
        if k > 1:  # distinct small integers summing to exactly 0
            taps = ctx.rng.permutation(v.size) + 1.0
            taps[-1] = -taps[:-1].sum()
            zero = taps.reshape(v_shape).astype(dtype)
            call = Call(ctx.op_name, a, zero, mode)
            label = f"kernel of sum 0, K={k}: refused"
            yield Case(ctx.check_name, ("BOUND-10", "NOT-7"), label, call, "raises")


@check("CORR-2", "BOUND-9", "MODE-4", "MODE-5", applies_to="correlation")
def lags(ctx: Context) -> Produces:
    """The declared lags function gives the spec's lags for every small (N, K, mode)."""
    if ctx.op.lags is None:
        yield ctx.skip(("CORR-2", "BOUND-9"), "no lags function declared")
        return
    limit = 9 if ctx.full else 6
    for n, k in itertools.product(range(1, limit), repeat=2):
        for mode in ctx.op.modes:
            if not ctx.allows(mode, (n,), (k,)):
                continue
            cited: tuple[str, ...] = ("CORR-2",)
            if mode == "same":
                cited = (*cited, "MODE-5" if k % 2 == 0 else "MODE-4")
            if mode == "full" and n == k:
                cited = (*cited, "BOUND-9")  # xcorr's lags -(N-1) .. N-1
            call = Call(ctx.op_name, np.zeros(n), np.zeros(k), f"{LAGS}{mode}")
            label = f"lags of N={n}, K={k}, {mode}"
            yield Case(ctx.check_name, cited, label, call, "lags")
