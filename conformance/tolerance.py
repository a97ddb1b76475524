"""How far a correct backend may be from the exact result: the tolerance policy.

The policy is :mod:`convspec.numerics` (spec chapter ``numerics``, NUM-1 .. NUM-9): an
operation declares its method (``"direct"`` or ``"fft"``) and the precision it sums in
(``accumulation``), or a full :class:`~convspec.numerics.Accuracy` per result dtype
(``accuracy``, for looser classes such as TF32 tensor cores); the bound follows from it
element by element.  Integer results must be exact; non-finite exact values must be
matched exactly (NUM-8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from convspec import numerics

from .backend import Array, Operation

if TYPE_CHECKING:
    from .layer_backend import LayerOperation

__all__ = ["POLICY", "declared_accuracy", "full_bound", "measure"]

POLICY = "convspec.numerics"


def declared_accuracy(
    op: Operation | LayerOperation, result: np.dtype[Any], kernel_size: int = 1
) -> numerics.Accuracy:
    """The accuracy class ``op`` declares for results of dtype ``result`` (NUM-7), for a
    kernel of ``kernel_size`` elements (an operation may switch to FFT above a size)."""
    if op.accuracy is not None and result.name in op.accuracy:
        return op.accuracy[result.name]
    if result.kind in "iu":
        return numerics.Accuracy("exact", result)
    if op.accumulation == "result":
        precision: Any = result
    else:
        precision = np.dtype(op.accumulation)
        if result.kind == "c":
            precision = np.result_type(precision, np.complex64)
    method = op.method_for(kernel_size)
    return numerics.Accuracy(method, precision, complex_products=op.complex_products)


def full_bound(op: Operation, a: Array, kernel: Array, result: np.dtype[Any]) -> Array:
    """Per-element bound on the full output of ``a`` convolved with ``kernel`` (float64).

    ``kernel`` is the operand as the operation uses it (flipped and conjugated as declared):
    the bound depends only on ``|a|`` and ``|kernel|``.
    """
    if result.kind in "iu":
        shape = tuple(n + k - 1 for n, k in zip(a.shape, kernel.shape, strict=True))
        return np.zeros(shape)
    accuracy = declared_accuracy(op, result, kernel.size)
    return numerics.bound_for(accuracy, a, kernel, "convolve", "full", output=result)


def measure(actual: Array, expected: Array, bound: Array) -> dict[str, Any]:
    """Measured error beside the bound (NUM-9), as a JSON-ready dict with ``passed``."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return numerics.measure_error(actual, expected, bound).to_dict()
