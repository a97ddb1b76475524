"""Checks of spec/correlation.md: a declared correlation does not flip (CORR-1 .. CORR-5)."""

from __future__ import annotations

import numpy as np

import convspec

from ..backend import Operation
from ..cases import Call, Case, Context, Produces, check
from ..inputs import (
    assert_discriminating,
    discriminating,
    impulse,
    random_shape_pair,
    random_values,
    ranks_of,
)
from .convolution import random_cases, swapped_cases


@check("CORR-1", "ND-3", applies_to="correlation")
def definition(ctx: Context) -> Produces:
    """Random operands: every element is the sum CORR-1 defines."""
    yield from random_cases(ctx, ("CORR-1",), 150 if ctx.full else 8)


@check("CORR-2", "ND-4", applies_to="correlation")
def lag_order(ctx: Context) -> Produces:
    """An impulse signal shows the lags in the declared order: lag -(K-1) first."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in ranks_of(ctx.op.ranks):
        a_shape = (8, 6, 5)[:rank]
        v = discriminating((4, 3, 2)[:rank], dtype, ctx.rng)
        for position in ((0,) * rank, (5, 4, 3)[:rank]):
            a = impulse(a_shape, position, dtype)
            for mode in ("full", "valid", "same"):
                if ctx.allows(mode, a_shape, v.shape):
                    yield ctx.case(("CORR-2", "ND-4"), f"impulse signal at {position}", a, v, mode)


@check("CORR-3", applies_to="correlation")
def swapped_operands(ctx: Context) -> Produces:
    """Correlating v with a gives the reversed (conjugated) correlation of a with v."""
    yield from swapped_cases(ctx, "CORR-3")


def _convolutions(ctx: Context) -> list[tuple[str, Operation]]:
    """The backend's convolutions that extend ``a`` and shift 'same' as this correlation does."""
    same = ("boundary", "fill_value", "origin", "normalize")
    return [
        (name, op)
        for name, op in ctx.backend.operations.items()
        if isinstance(op, Operation)
        and op.flips
        and all(getattr(op, f) == getattr(ctx.op, f) for f in same)
    ]


def _odd_at_most(k: int, n: int) -> int:
    """An odd kernel length near ``k`` and at most ``n``."""
    if k % 2:
        return k
    return k + 1 if k + 1 <= n else k - 1


@check("CORR-4", applies_to="correlation")
def flip_identity(ctx: Context) -> Produces:
    """correlate(a, v) equals the backend's own convolve(a, flip(v)) (real data)."""
    partners = _convolutions(ctx)
    dtype = "float64" if "float64" in ctx.op.dtypes else ctx.float_dtype()
    if not partners or dtype is None:
        yield ctx.skip(("CORR-4",), "the backend declares no convolution to compare with")
        return
    for conv_name, conv in partners:
        common = [m for m in ("full", "valid", "same") if m in ctx.op.modes and m in conv.modes]
        if not common:
            continue
        # In 'same' mode alignments may differ for even K; odd K agree in every alignment.
        mode = common[0]
        for rank in ranks_of(ctx.op.ranks):
            if not conv.supports_rank(rank) or dtype not in conv.dtypes:
                continue
            for _ in range(10 if ctx.full else 2):
                a_shape, v_shape = random_shape_pair(rank, ctx.rng, 20, allow_k_gt_n=False)
                if mode == "same":
                    v_shape = tuple(
                        _odd_at_most(k, n) for n, k in zip(a_shape, v_shape, strict=True)
                    )
                if not ctx.allows(mode, a_shape, v_shape):
                    continue
                a = random_values(a_shape, dtype, ctx.rng)
                v = discriminating(v_shape, dtype, ctx.rng)
                flipped = np.ascontiguousarray(convspec.flip(v))
                yield Case(
                    ctx.check_name,
                    ("CORR-4",),
                    f"{ctx.op_name}(a, v) against {conv_name}(a, flip(v)), {a_shape} {v_shape}",
                    Call(ctx.op_name, a, v, mode),
                    expect="identity",
                    partner=Call(conv_name, a, flipped, mode),
                )


@check("CORR-5", "ND-4", applies_to="correlation")
def impulse_kernel(ctx: Context) -> Produces:
    """A unit-impulse kernel returns the signal unreversed (the kernel is not flipped)."""
    dtype = ctx.float_dtype() or ctx.op.dtypes[0]
    for rank in ranks_of(ctx.op.ranks):
        a = discriminating((7, 5, 4)[:rank], dtype, ctx.rng)
        for v_shape, position in (((3, 2, 4)[:rank], (0, 1, 3)), ((4, 2, 3)[:rank], (1, 0, 2))):
            v = impulse(v_shape, position[:rank], dtype)
            assert_discriminating(v)
            for mode in ("full", "valid", "same"):
                if ctx.allows(mode, a.shape, v_shape):
                    label = f"impulse kernel {v_shape} at {position}"
                    yield ctx.case(("CORR-5", "ND-4"), label, a, v, mode)
