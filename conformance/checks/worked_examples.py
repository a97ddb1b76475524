"""The spec's worked examples, run against the backend (not only against the reference).

Each example's operands are those the spec prints; the expected result is the reference's
under the operation's declared conventions, so a correlation runs the same example as a
correlation.  ``spec_convolution`` holds the convolution the spec prints; the test suite
proves the reference reproduces it.
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
    #: The convolution the spec prints for this example, in ``mode``.
    spec_convolution: Array


# spec/ndim.md, "The 2-D slide": a 5 x 5 binary image and a 3 x 3 kernel.
SLIDE_IMAGE = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
)

EXAMPLES = [
    WorkedExample(  # spec/convolution.md, the seed example
        "seed 1-D example",
        ("CONV-1", "CORR-1"),
        np.array([1.0, 0.5, 1.0, 1.0]),
        np.array([1.0, 0.5, 0.25]),
        "full",
        np.array([1.0, 1.0, 1.5, 1.625, 0.75, 0.25]),
    ),
    WorkedExample(  # spec/ndim.md: symmetric under every reversal and transposition
        "2-D slide (a symmetric kernel: cannot tell a flip)",
        ("ND-4",),
        SLIDE_IMAGE,
        np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]]),
        "valid",
        np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]]),
    ),
    WorkedExample(  # spec/notation.md, NOT-4
        "int8 exactness",
        ("NOT-4",),
        np.array([100, 100], dtype=np.int8),
        np.array([2, 2], dtype=np.int8),
        "full",
        np.array([200, 400, 200]),
    ),
    WorkedExample(  # spec/ndim.md: the same image with an asymmetric kernel
        "asymmetric 2-D example",
        ("ND-2", "ND-1"),
        SLIDE_IMAGE,
        np.array([[1, 2], [3, 4]]),
        "valid",
        np.array([[8, 10, 7, 2], [3, 8, 10, 7], [0, 4, 10, 9], [1, 6, 9, 4]]),
    ),
]


def _operands(example: WorkedExample, dtypes: tuple[str, ...]) -> tuple[Array, Array] | None:
    """The example's operands in a dtype the operation declares.

    The values are small integers (or dyadic), exact in every integer and float dtype, so
    an integer example may run as float64 or float32 -- except the int8 example, whose
    point is its dtype.
    """
    dtype = example.a.dtype.name
    if dtype in dtypes:
        return example.a, example.v
    if dtype == "int8":
        return None
    for other in ("int64", "float64", "float32"):
        if other in dtypes:
            return example.a.astype(other), example.v.astype(other)
    return None


@check("CONV-1", "CORR-1", "ND-1", "ND-2", "ND-4", "NOT-4")
def spec_examples(ctx: Context) -> Produces:
    """Every worked example of the spec, as this operation declares it."""
    for example in EXAMPLES:
        # The seed example cites the definition of whichever kind this operation is.
        kind_clause = "CONV-1" if ctx.op.flips else "CORR-1"
        clauses = tuple(c for c in example.clauses if c not in ("CONV-1", "CORR-1"))
        if kind_clause in example.clauses:
            clauses = (*clauses, kind_clause)
        rank = example.a.ndim
        if not ctx.op.supports_rank(rank):
            yield ctx.skip(clauses, f"{example.name}: rank {rank} not declared")
            continue
        operands = _operands(example, ctx.op.dtypes)
        if operands is None:
            yield ctx.skip(clauses, f"{example.name}: dtype {example.a.dtype} not declared")
            continue
        a, v = operands
        modes = [example.mode, *(m for m in ctx.op.modes if m != example.mode)]
        allowed = [m for m in modes if ctx.allows(m, a.shape, v.shape)]
        if not allowed:
            yield ctx.skip(clauses, f"{example.name}: no declared mode applies")
            continue
        label = f"{example.name}, {a.dtype}, {allowed[0]}"
        yield ctx.case(clauses, label, a, v, allowed[0])
