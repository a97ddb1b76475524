"""Cross-correlation: ``R[i] = sum_n a[n + k] conj(v[n])`` at lag ``k = i - (K - 1)``.

Spec chapter: ``spec/correlation.md`` (clauses CORR-1 .. CORR-5).

:func:`correlate_literal` computes the sum term by term as CORR-1 writes it;
:func:`correlate` uses the flip identity (CORR-4), ``correlate(a, v) ==
convolve(a, flip(conj(v)))``, and the fast convolution engine.  The tests prove them equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .convolution import exact_values, fast_full_convolution, finish, in_box
from .modes import SameAlignment, mode_window, select_mode
from .ndim import flip
from .notation import Mode, as_operand_pair, check_mode, result_dtype

__all__ = ["correlate", "correlate_literal", "lags"]

Array = np.ndarray[Any, np.dtype[Any]]


def lags(n: int, k: int, mode: Mode = "full", alignment: SameAlignment = "lower") -> Array:
    """The lag of each output index along one axis (CORR-2): output ``i`` is lag ``i - (k - 1)``.

    ``n`` and ``k`` are the lengths of ``a`` and ``v``; ``mode`` and ``alignment`` pick the
    window as :func:`convspec.modes.mode_window` does.
    """
    mode = check_mode(mode, "lags")
    start, length = mode_window(n, k, mode, alignment)
    return np.arange(start, start + length) - (k - 1)


def _correlation_sum(a: Array, conj_v: Array, lag: tuple[int, ...]) -> Any:
    """``sum over n of a[n + lag] * conj(v)[n]``, row-major in ``n``, from the first term."""
    total = None
    for n in np.ndindex(*conj_v.shape):
        n_plus_lag = tuple(n_ax + k_ax for n_ax, k_ax in zip(n, lag, strict=True))
        if in_box(n_plus_lag, a.shape):
            term = a[n_plus_lag] * conj_v[n]
            total = term if total is None else total + term
    return total


def correlate_literal(a: npt.ArrayLike, v: npt.ArrayLike, mode: Mode = "full") -> Array:
    """Cross-correlation computed term by term, as CORR-1 writes it.

    For every lag ``k`` from ``-(K - 1)`` to ``N - 1`` (per axis), ``R = sum over n of
    a[n + k] * conj(v[n])``, the sum running over the ``n`` where both ``n`` and ``n + k``
    lie in their boxes, in increasing (row-major) order of ``n``.  Full output index ``i``
    holds lag ``i - (K - 1)``.  Then ``mode`` cuts its window out of the full result.
    """
    a_arr, v_arr = as_operand_pair(a, v, "correlate_literal")
    mode = check_mode(mode, "correlate_literal")
    result = result_dtype(a_arr.dtype, v_arr.dtype)
    a_val = exact_values(a_arr, result)
    conj_v = exact_values(np.conjugate(v_arr), result)
    full_shape = tuple(n + k - 1 for n, k in zip(a_arr.shape, v_arr.shape, strict=True))
    r = np.empty(full_shape, dtype=a_val.dtype)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        for i in np.ndindex(*full_shape):
            lag = tuple(i_ax - (k - 1) for i_ax, k in zip(i, v_arr.shape, strict=True))
            r[i] = _correlation_sum(a_val, conj_v, lag)
    window = select_mode(r, a_arr.shape, v_arr.shape, mode)
    return finish(window, result, "correlate_literal")


def correlate(a: npt.ArrayLike, v: npt.ArrayLike, mode: Mode = "full") -> Array:
    """N-dimensional cross-correlation of ``a`` with ``v`` (CORR-1), fast path.

    The second operand is conjugated, as numpy and scipy do (CPLX-1); lags run from
    ``-(K - 1)`` to ``N - 1`` per axis (CORR-2).  Parameters, result dtype and errors are
    those of :func:`convspec.convolve`.
    """
    a_arr, v_arr = as_operand_pair(a, v, "correlate")
    mode = check_mode(mode, "correlate")
    full = fast_full_convolution(a_arr, flip(np.conjugate(v_arr)))
    window = select_mode(full, a_arr.shape, v_arr.shape, mode)
    return finish(window, result_dtype(a_arr.dtype, v_arr.dtype), "correlate")
