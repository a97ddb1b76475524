"""The spec's worked examples, run against the backend (not only against the reference).

Each example's operands are those the spec prints; the expected result is the reference's
under the operation's declared conventions, so a correlation runs the same example as a
correlation.  ``SPEC_RESULTS`` holds the convolutions the spec prints; the test suite
proves the reference reproduces them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..backend import Array
from ..cases import Context, Produces, check


@dataclass(frozen=True)
class WorkedExample:
    name: str
    clauses: tuple[str, ...]
    a: Array
    v: Array
    mode: str
    #: The full convolution the spec prints (None where the spec prints no result).
    spec_convolution: Array | None = None


SLIDE_IMAGE = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
)

EXAMPLES = [
    WorkedExample(
        "seed 1-D example",
        ("CONV-1", "CORR-1"),
        np.array([1.0, 0.5, 1.0, 1.0]),
        np.array([1.0, 0.5, 0.25]),
        "full",
        np.array([1.0, 1.0, 1.5, 1.625, 0.75, 0.25]),
    ),
    WorkedExample(
        "2-D slide (a symmetric kernel: cannot tell a flip)",
        ("ND-4",),
        SLIDE_IMAGE.astype(np.float64),
        np.array([[1.0, 0, 1], [0, 1, 0], [1, 0, 1]]),
        "valid",
        None,
    ),
    WorkedExample(
        "int8 exactness",
        ("NOT-4",),
        np.array([100, 100], dtype=np.int8),
        np.array([2, 2], dtype=np.int8),
        "full",
        np.array([200, 400, 200]),
    ),
    WorkedExample(
        "asymmetric 2-D example",
        ("ND-2", "ND-1"),
        np.arange(16, dtype=np.float64).reshape(4, 4),
        np.array([[1.0, 2.0], [3.0, 4.0]]),
        "full",
        None,
    ),
]


@check("CONV-1", "CORR-1", "ND-1", "ND-2", "ND-4", "NOT-4")
def spec_examples(ctx: Context) -> Produces:
    """Every worked example of the spec, as this operation declares it."""
    for example in EXAMPLES:
        rank = example.a.ndim
        dtype = example.a.dtype.name
        if not ctx.op.supports_rank(rank):
            yield ctx.skip(example.clauses, f"{example.name}: rank {rank} not declared")
            continue
        if dtype not in ctx.op.dtypes:
            yield ctx.skip(example.clauses, f"{example.name}: dtype {dtype} not declared")
            continue
        modes = [example.mode, *(m for m in ctx.op.modes if m != example.mode)]
        allowed = [m for m in modes if ctx.allows(m, example.a.shape, example.v.shape)]
        if not allowed:
            yield ctx.skip(example.clauses, f"{example.name}: no declared mode applies")
            continue
        clauses = (
            tuple(c for c in example.clauses if c not in ("CONV-1", "CORR-1"))
            + (("CONV-1",) if ctx.op.flips and "CONV-1" in example.clauses else ())
            + (("CORR-1",) if not ctx.op.flips and "CORR-1" in example.clauses else ())
        )
        yield ctx.case(clauses, f"{example.name}, {allowed[0]}", example.a, example.v, allowed[0])
