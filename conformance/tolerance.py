"""How far a correct backend may be from the exact result: the tolerance policy.

The policy is :mod:`convspec.numerics` (spec chapter ``numerics``): a per-element bound for
the method and accumulation precision a backend declares.  Until that module is
installed, a provisional policy stands in, documented here and reported as such
(``policy`` in every report):

* direct summation in precision ``u``: ``gamma_m * (|a| conv |v|)`` per element, with
  ``m`` the most terms any element sums and ``gamma_m = m u / (1 - m u)``;
* FFT evaluation: ``10 * u * log2(L) * ||a||_2 * ||v||_2`` for every element (normwise),
  ``L`` the number of full-output elements;
* when the accumulation is wider than the result, one more rounding: ``u_result * |exact|``.

Integer results must be exact (bound 0).  Non-finite expected values must be matched
exactly: NaN by NaN, each infinity by itself (NOT-6).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import convspec
from convspec.exact import term_count_bound

from .backend import Array, Operation

try:  # the numerics issue's module; optional until it lands
    from convspec import numerics as _numerics
except ImportError:  # pragma: no cover - depends on the tree's state
    _numerics = None  # type: ignore[assignment]

__all__ = ["POLICY", "full_bound", "measure"]

POLICY = "convspec.numerics" if _numerics is not None else "provisional (conformance.tolerance)"


def _unit_roundoff(dtype: np.dtype[Any]) -> float:
    return float(np.finfo(dtype).eps) / 2


def accumulation_precision(op: Operation, result: np.dtype[Any]) -> np.dtype[Any]:
    """The dtype the sums are formed in, as ``op`` declares it."""
    if op.accumulation == "result":
        return result
    declared = np.dtype(op.accumulation)
    return np.result_type(declared, result) if result.kind == "c" else declared


def _provisional_bound(op: Operation, a: Array, v: Array, precision: np.dtype[Any]) -> Array:
    u = _unit_roundoff(precision)
    abs_a, abs_v = np.abs(a).astype(np.float64), np.abs(v).astype(np.float64)
    kernel = abs_v if op.flips else convspec.flip(abs_v)
    magnitude = convspec.convolve(abs_a, kernel)
    complex_factor = 2.0 if (a.dtype.kind == "c" or v.dtype.kind == "c") else 1.0
    if op.method == "fft":
        length = math.prod(n + k - 1 for n, k in zip(a.shape, v.shape, strict=True))
        norm = float(np.linalg.norm(abs_a.ravel()) * np.linalg.norm(abs_v.ravel()))
        return np.full(magnitude.shape, 10 * u * max(1.0, math.log2(length)) * norm)
    m = term_count_bound(a.shape, v.shape) + 1
    gamma = m * u / (1 - m * u)
    return complex_factor * gamma * magnitude


def full_bound(op: Operation, a: Array, v: Array, result: np.dtype[Any], exact: Array) -> Array:
    """Per-element bound on ``|computed - exact|`` over the full output (float64)."""
    if result.kind in "iu":
        return np.zeros(exact.shape)
    precision = accumulation_precision(op, result)
    if _numerics is not None:
        bound = np.asarray(
            _numerics.error_bound(
                a,
                v,
                operation="convolve" if op.flips else "correlate",
                mode="full",
                method=op.method,
                precision=precision,
            ),
            dtype=np.float64,
        )
    else:
        bound = _provisional_bound(op, a, v, precision)
    if np.finfo(precision).eps < np.finfo(result).eps:
        with np.errstate(invalid="ignore", over="ignore"):
            bound = bound + _unit_roundoff(result) * np.abs(exact).astype(np.float64)
    return np.nan_to_num(bound, nan=0.0, posinf=np.inf)


def _nonfinite_mismatch(actual: Array, expected: Array) -> Array:
    """Where non-finite expected values are not matched exactly (per real component)."""
    parts = [(actual.real, expected.real)]
    if np.iscomplexobj(actual) or np.iscomplexobj(expected):
        parts.append((np.imag(actual), np.imag(expected)))
    bad = np.zeros(expected.shape, dtype=bool)
    for act, exp in parts:
        special = ~np.isfinite(exp)
        same = (np.isnan(act) & np.isnan(exp)) | (act == exp)
        bad |= special & ~same
        bad |= np.isfinite(exp) & ~np.isfinite(act)
    return bad


def measure(actual: Array, expected: Array, bound: Array) -> dict[str, Any]:
    """Measured error beside the bound: max error, ulps, fraction of bound, worst index.

    ``actual`` and ``expected`` have the same shape.  ``passed`` is whether every element
    is within its bound (and every non-finite value matched).
    """
    with np.errstate(all="ignore"):
        act = actual.astype(np.result_type(actual.dtype, np.float64))
        exp = expected.astype(np.result_type(expected.dtype, np.float64))
        special = _nonfinite_mismatch(act, exp)
        finite = np.isfinite(exp) & np.isfinite(act)
        error = np.where(finite, np.abs(act - exp), 0.0)
        error = np.where(special, np.inf, error)
        fraction = np.where(bound > 0, error / np.where(bound > 0, bound, 1), np.inf)
        fraction = np.where(error == 0, 0.0, fraction)
        over = error > bound
        if actual.dtype.kind in "fc":
            spacing = np.spacing(np.abs(exp).astype(np.dtype(actual.real.dtype)))
            ulps = np.where(finite, error / spacing.astype(np.float64), 0.0)
            max_ulps = float(ulps.max()) if ulps.size else 0.0
        else:
            max_ulps = float(error.max()) if error.size else 0.0
    worst = np.unravel_index(int(np.argmax(fraction)), fraction.shape) if fraction.size else ()
    return {
        "max_abs_error": float(error.max()) if error.size else 0.0,
        "max_ulps": max_ulps,
        "max_fraction_of_bound": float(fraction.max()) if fraction.size else 0.0,
        "bound_at_worst": float(bound[worst]) if fraction.size else 0.0,
        "worst_index": [int(i) for i in worst],
        "count_over_bound": int(over.sum()),
        "nonfinite_mismatches": int(special.sum()),
        "passed": bool(not over.any()),
    }
