"""Checks of spec/notation.md: operands, overlap-only sums, dtypes, IEEE values (NOT-1 .. NOT-7)."""

from __future__ import annotations

import numpy as np

from convspec import numerics

from ..backend import Array
from ..cases import Call, Case, Context, Produces, check
from ..conventions import declared_operands, declared_result_dtype
from ..inputs import discriminating, random_values, ranks_of


def _empty_shapes(rank: int) -> list[tuple[int, ...]]:
    """Shapes with one axis of length 0: the first axis, and in N-D also the last."""
    shapes = [(0,) + (3,) * (rank - 1)]
    if rank > 1:
        shapes.append((3,) * (rank - 1) + (0,))
    return shapes


@check("NOT-2", "NOT-7")
def rejected_input(ctx: Context) -> Produces:
    """Empty operands and operands of different rank raise instead of returning garbage.

    Every declared dtype is fed; an operation that declares ``rejects_empty=False`` or
    ``rejects_rank_mismatch=False`` is not held to that half.
    """
    if not ctx.op.rejects_empty:
        yield ctx.skip(("NOT-7",), "the operation declares rejects_empty=False")
    if not ctx.op.rejects_rank_mismatch:
        yield ctx.skip(("NOT-2",), "the operation declares rejects_rank_mismatch=False")
    rank = ranks_of(ctx.op.ranks)[0]
    mode = ctx.any_mode()
    for dtype in ctx.op.dtypes:
        v = discriminating((2,) * rank, dtype, ctx.rng)
        a = random_values((4,) * rank, dtype, ctx.rng)
        bad: list[tuple[tuple[str, ...], str, Array, Array]] = []
        if ctx.op.rejects_empty:
            for shape in _empty_shapes(rank):
                empty = np.zeros(shape, dtype=dtype)
                bad.append((("NOT-7",), f"empty signal {shape}, {dtype}", empty, v))
                bad.append((("NOT-7",), f"empty kernel {shape}, {dtype}", a, empty))
        if ctx.op.rejects_rank_mismatch:
            deeper = random_values((4,) * (rank + 1), dtype, ctx.rng)
            bad.append(
                (("NOT-2", "NOT-7"), f"ranks differ: {rank + 1} and {rank}, {dtype}", deeper, v)
            )
        for clauses, label, x, kernel in bad:
            yield Case(ctx.check_name, clauses, label, Call(ctx.op_name, x, kernel, mode), "raises")


def _edge_pairs(
    ctx: Context, mode: str, rank: int
) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """(why, a_shape, v_shape) at the edge of each restriction declared for ``mode``."""
    op, tail_a, tail_v = ctx.op, (5,) * (rank - 1), (3,) * (rank - 1)
    pairs = []
    if mode in op.needs_n_ge_k:
        for k in (5, 6):
            for n in (k - 1, k - 2):
                pairs.append((f"N = {n} < K = {k}", (n, *tail_a), (k, *tail_v)))
    if mode in op.needs_one_larger and rank > 1:
        pairs.append(
            (
                "N > K on axis 0, N < K on the last axis",
                (6,) + (2,) * (rank - 1),
                (3,) + (4,) * (rank - 1),
            )
        )
    if mode in op.needs_odd_k:
        for k in (2, 4):
            pairs.append((f"even K = {k}", (7, *tail_a), (k, *tail_v)))
    return pairs


@check("NOT-7")
def declared_restrictions(ctx: Context) -> Produces:
    """A declared restriction (needs_n_ge_k, needs_one_larger, needs_odd_k) is a promise
    that the operation raises there: its edge is fed at every declared dtype."""
    if not (ctx.op.needs_n_ge_k or ctx.op.needs_one_larger or ctx.op.needs_odd_k):
        yield ctx.skip(("NOT-7",), "no restriction declared")
        return
    for rank in ranks_of(ctx.op.ranks, 2):
        for mode in ctx.op.modes:
            for why, a_shape, v_shape in _edge_pairs(ctx, mode, rank):
                if not ctx.op.restricted(mode, a_shape, v_shape):
                    continue  # e.g. N < K on every axis satisfies needs_one_larger
                for dtype in ctx.op.dtypes:
                    a = random_values(a_shape, dtype, ctx.rng)
                    v = random_values(v_shape, dtype, ctx.rng)
                    label = f"declared to raise: {why}, {mode}, {dtype} {a_shape} with {v_shape}"
                    call = Call(ctx.op_name, a, v, mode)
                    yield Case(ctx.check_name, ("NOT-7",), label, call, "raises")


@check("NOT-4")
def result_dtype(ctx: Context) -> Produces:
    """Each declared dtype (and mixed pairs, if declared) gives the declared result dtype."""
    rank = ranks_of(ctx.op.ranks)[0]
    pairs = [(d, d) for d in ctx.op.dtypes]
    if ctx.op.mixed_dtypes:
        pairs += [(d, e) for d in ctx.op.dtypes for e in ctx.op.dtypes if d != e]
    for a_dtype, v_dtype in pairs:
        a = random_values((6, 5, 4)[:rank], a_dtype, ctx.rng)
        v_shape = tuple(max(k, ctx.op.min_kernel) for k in (3, 2, 2)[:rank])
        v = discriminating(v_shape, v_dtype, ctx.rng)
        yield ctx.case(("NOT-4",), f"{a_dtype} with {v_dtype}", a, v, ctx.any_mode())


@check("NOT-4", "NOT-1", "NUM-2")
def integer_extremes(ctx: Context) -> Produces:
    """Integer extremes: exact results, or wrap-around where the declared dtype rule says so."""
    ints = [d for d in ctx.op.dtypes if np.dtype(d).kind in "iu"]
    if not ints:
        yield ctx.skip(("NOT-4", "NUM-2"), "no integer dtype declared")
        return
    rank = ranks_of(ctx.op.ranks)[0]
    for name in ints:
        info = np.iinfo(name)
        extremes = np.array([info.max, info.min, info.max, 1, info.min], dtype=name)
        a = extremes.reshape((5,) + (1,) * (rank - 1))
        kernels = {"[1]": np.array([1], dtype=name), "[2, 1]": np.array([2, 1], dtype=name)}
        if info.min < 0:
            kernels["[-1, 2]"] = np.array([-1, 2], dtype=name)
        for label, v in kernels.items():
            v = v.reshape(v.shape + (1,) * (rank - 1))
            cited = ("NOT-4", "NOT-1", "NUM-2")
            if ctx.op.integer_overflow == "undefined" and _overflows(ctx, a, v):
                yield ctx.skip(("NOT-4",), f"{name}: overflow declared undefined")
                continue
            yield ctx.case(cited, f"{name} extremes with {label}", a, v, ctx.any_mode())
        if info.max >= 100:
            shape = (2,) + (1,) * (rank - 1)
            a100 = np.array([100, 100], dtype=name).reshape(shape)
            v23 = np.array([2, 3], dtype=name).reshape(shape)
            label = f"{name} [100, 100] with [2, 3]"
            yield ctx.case(("NOT-4",), label, a100, v23, ctx.any_mode())


def _overflows(ctx: Context, a: Array, v: Array) -> bool:
    """Whether an exact result of ``op(a, v)`` falls outside the declared result dtype."""
    exact = numerics.exact_convolve(*declared_operands(ctx.op, a, v)).astype(object)
    info = np.iinfo(declared_result_dtype(ctx.op, a.dtype, v.dtype))
    return bool(exact.max() > info.max or exact.min() < info.min)


@check("NOT-5")
def accumulation(ctx: Context) -> Produces:
    """Many small terms and one large one: the error must fit the declared accumulation."""
    rank = ranks_of(ctx.op.ranks)[0]
    for name in ("float32", "float64"):
        if name not in ctx.op.dtypes:
            continue
        tiny = np.finfo(name).eps / 4
        n = 1000 if ctx.allows("full", (1000,) + (1,) * (rank - 1), (1,) * rank) else 100
        a = np.full((n,) + (1,) * (rank - 1), tiny, dtype=name)
        a[0] = 1.0
        v = np.ones((n,) + (1,) * (rank - 1), dtype=name)
        mode = "valid" if "valid" in ctx.op.modes else ctx.any_mode()
        if ctx.allows(mode, a.shape, v.shape):
            yield ctx.case(("NOT-5",), f"{name}: 1 + {n - 1} terms of eps/4", a, v, mode)
        rng_a = ctx.rng.standard_normal((300,) + (1,) * (rank - 1)).astype(name)
        rng_v = discriminating((200,) + (1,) * (rank - 1), name, ctx.rng)
        mode = ctx.any_mode()
        if ctx.allows(mode, rng_a.shape, rng_v.shape):
            yield ctx.case(("NOT-5",), f"{name}: 200-term random sums", rng_a, rng_v, mode)


@check("NOT-3", "NOT-6", "NUM-8")
def special_values(ctx: Context) -> Produces:
    """inf and NaN propagate element by element; outputs outside their reach stay finite.

    The sign of a zero result is not checked: the spec leaves it to the summation order.
    """
    dtype = ctx.float_dtype()
    if dtype is None:
        yield ctx.skip(("NOT-3", "NOT-6", "NUM-8"), "no real float dtype declared")
        return
    if not ctx.op.nonfinite:
        yield ctx.skip(
            ("NOT-3", "NOT-6", "NUM-8"), "the operation declares that inf/NaN are not supported"
        )
        return
    rank = ranks_of(ctx.op.ranks)[0]
    tail = (1,) * (rank - 1)
    v = discriminating((3, *tail), dtype, ctx.rng)
    signals = {
        "inf at the start": [np.inf, 1, 2, 3, 4, 5],
        "-inf at the end": [1, 2, 3, 4, 5, -np.inf],
        "NaN in the middle": [1, 2, np.nan, 4, 5, 6],
        "inf and -inf": [1, np.inf, 3, 4, -np.inf, 6],
    }
    for label, values in signals.items():
        a = np.array(values, dtype=dtype).reshape((6, *tail))
        for mode in ("full", "valid", "same"):
            if ctx.allows(mode, a.shape, v.shape):
                yield ctx.case(("NOT-3", "NOT-6", "NUM-8"), label, a, v, mode)
    a = np.array([-0.0, 1.0, -0.0, 0.0], dtype=dtype).reshape((4, *tail))
    if ctx.allows(ctx.any_mode(), a.shape, v.shape):
        yield ctx.case(("NOT-6",), "signed zeros (compared by value)", a, v, ctx.any_mode())
