"""The spec's normative clauses: stable ids and their titles.

Every clause of ``spec/*.md`` is written as a ``{clause}`` directive whose argument is the
id and the title (``:::{clause} CONV-1 Definition``).  This registry lets installed code
(the conformance suite, reports) name clauses without the spec's source files; the test
``tests/test_clauses.py`` proves it equal to the spec, in both directions.
"""

from __future__ import annotations

__all__ = ["CLAUSES", "clause_title"]

CLAUSES: dict[str, str] = {
    # spec/notation.md
    "NOT-1": "Operands are finite arrays on an index box",
    "NOT-2": "Both operands have the same rank",
    "NOT-3": "Sums run over the overlap only",
    "NOT-4": "Result dtype",
    "NOT-5": "Accumulation precision",
    "NOT-6": "IEEE special values",
    "NOT-7": "Rejected input",
    # spec/convolution.md
    "CONV-1": "Definition of convolution",
    "CONV-2": "Full output length",
    "CONV-3": "Commutativity",
    "CONV-4": "Impulse response: the kernel is flipped",
    "CONV-5": "Linearity and shift equivariance",
    # spec/correlation.md
    "CORR-1": "Definition of cross-correlation",
    "CORR-2": "Lag order",
    "CORR-3": "Swapping the operands",
    "CORR-4": "Flip identity",
    "CORR-5": "Impulse response: the kernel is not flipped",
    # spec/modes.md
    "MODE-1": "Every mode is a window of the full output",
    "MODE-2": "Full mode",
    "MODE-3": "Valid mode",
    "MODE-4": "Same mode",
    "MODE-5": "Upper alignment of same mode",
    "MODE-6": "Modes apply per axis",
    "MODE-7": "Named alignments and window functions",
    # spec/ndim.md
    "ND-1": "Flip reverses every axis",
    "ND-2": "In 2-D the flip is a half-turn rotation",
    "ND-3": "Convolution and correlation in N dimensions",
    "ND-4": "Kernels that cannot tell a flip",
    "ND-5": "Convolving over some axes, the others batched",
    # spec/complex.md
    "CPLX-1": "Which operand is conjugated",
    "CPLX-2": "Hermitian symmetry of autocorrelation",
    "CPLX-3": "Unconjugated correlation",
    # spec/numerics.md
    "NUM-1": "Floating-point model",
    "NUM-2": "Integer operands give exact results",
    "NUM-3": "The exact oracle rounds once",
    "NUM-4": "Direct summation bound",
    "NUM-5": "Complex operands in the direct bound",
    "NUM-6": "FFT bound",
    "NUM-7": "The bound follows the declared method and precision",
    "NUM-8": "Special values must match exactly",
    "NUM-9": "Measured error is reported beside its bound",
    # spec/layers.md
    "LAYER-1": "Definition of a convolution layer",
    "LAYER-2": "Batch, channels and groups",
    "LAYER-3": "Kernel shape",
    "LAYER-4": "Stride and dilation",
    "LAYER-5": "Explicit padding and output length",
    "LAYER-6": "Named padding rules",
    "LAYER-7": "Transposed convolution is the adjoint",
    "LAYER-8": "Transposed output length and output padding",
    "LAYER-9": "At stride 1 the transposed layer is a true convolution",
    "LAYER-10": "Named padding of a transposed layer",
    "LAYER-11": "Layouts are relabelings",
    "LAYER-12": "Flipping a layer kernel reverses its spatial axes only",
    "LAYER-13": "The layer is unconjugated cross-correlation",
    # spec/boundaries.md
    "BOUND-1": "A boundary extends the first operand to all of Z^d",
    "BOUND-2": "Constant",
    "BOUND-3": "Reflect",
    "BOUND-4": "Symmetric",
    "BOUND-5": "Edge",
    "BOUND-6": "Wrap",
    "BOUND-7": "Every mode is a window of the convolution of the extension",
    "BOUND-8": "An origin or anchor shifts the same window",
    "BOUND-9": "Scaled correlation with a maximum lag (xcorr)",
    "BOUND-10": "Kernel normalisation divides by the sum of the kernel",
    # spec/frameworks.md
    "FRAME-1": "A convention is a relabeling, a flip and a padding vocabulary",
    "FRAME-2": "Named rules at stride above 1 pad by the input size",
}


def clause_title(clause_id: str) -> str:
    """The title of ``clause_id``, or ``KeyError`` naming the unknown id."""
    try:
        return CLAUSES[clause_id]
    except KeyError:
        raise KeyError(f"unknown clause id {clause_id!r}; known: {', '.join(CLAUSES)}") from None
