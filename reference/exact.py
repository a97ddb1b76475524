"""Exact integer results: choosing a dtype that cannot wrap, and returning int64 or failing.

Spec clause NOT-4: integer operands give int64 results equal to the exact sums.  numpy and
scipy keep the input dtype and wrap (int8 ``[100, 100] * [2, 2]`` gives ``-112`` where the
exact value is 400); convspec never does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["exact_integer_compute_dtype", "exact_to_int64", "term_count_bound"]

_INT64 = np.iinfo(np.int64)


def _max_abs(x: np.ndarray[Any, Any]) -> int:
    """Largest absolute value as a Python int (no overflow for int64.min or uint64)."""
    return max(abs(int(x.max())), abs(int(x.min())))


def term_count_bound(a_shape: tuple[int, ...], v_shape: tuple[int, ...]) -> int:
    """Most terms any output element sums: ``prod(min(N_i, K_i))``."""
    return math.prod(min(n, k) for n, k in zip(a_shape, v_shape, strict=True))


def exact_integer_compute_dtype(
    a: np.ndarray[Any, Any], v: np.ndarray[Any, Any], terms: int | None = None
) -> np.dtype[Any]:
    """The cheapest dtype in which every partial sum of integer ``a``, ``v`` is exact.

    Every partial sum is bounded by ``max|a| * max|v| * terms``.  Below 2**53 float64 holds
    it exactly (and BLAS can be used); below 2**63 int64 does; beyond that Python ints.
    ``terms`` is the most products an output element sums; by default that of a
    convolution of the two shapes (:func:`term_count_bound`).  A layer passes its own.
    """
    if terms is None:
        terms = term_count_bound(a.shape, v.shape)
    bound = _max_abs(a) * _max_abs(v) * terms
    if bound < 2**53:
        return np.dtype(np.float64)
    if bound <= _INT64.max:
        return np.dtype(np.int64)
    return np.dtype(object)


def exact_to_int64(values: np.ndarray[Any, Any], func: str) -> np.ndarray[Any, Any]:
    """Convert exact integer values (float64, int64 or Python ints) to int64, never wrapping."""
    if values.dtype == object:
        high, low = int(values.max()), int(values.min())
        if high > _INT64.max or low < _INT64.min:
            raise OverflowError(
                f"{func}(): the exact result has values in [{low}, {high}], outside int64; "
                "convspec does not wrap integer results. Convert the operands to float64 "
                "(rounded) or object (exact Python ints) and use the exact oracle."
            )
    return values.astype(np.int64)
