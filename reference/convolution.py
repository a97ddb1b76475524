"""Convolution: ``(a * v)[n] = sum_m a[m] v[n - m]``.

Spec chapter: ``spec/convolution.md`` (clauses CONV-1 .. CONV-5).

:func:`convolve_literal` computes the sum exactly as CONV-1 writes it, one output element
and one term at a time; it is for small inputs, the docs and the tests.  :func:`convolve`
computes the same sums with the vectorised engine (:mod:`convspec.engine`).  The test suite
proves them equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .engine import full_convolution
from .exact import exact_integer_compute_dtype, exact_to_int64
from .modes import select_mode
from .notation import (
    Mode,
    accumulation_dtype,
    as_operand_pair,
    check_mode,
    result_dtype,
)

__all__ = ["convolve", "convolve_literal", "fast_full_convolution"]

Array = np.ndarray[Any, np.dtype[Any]]


def in_box(index: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Whether ``index`` lies in the box ``0 <= index[i] < shape[i]`` (NOT-1)."""
    return all(0 <= i < n for i, n in zip(index, shape, strict=True))


def exact_values(x: Array, result: np.dtype[Any]) -> Array:
    """The operand's values in the type the literal sums are formed in (NOT-5).

    Integers become Python ints (exact at any size); everything else the accumulation dtype.
    """
    if result.kind in "iu":
        return x.astype(object)
    return x.astype(accumulation_dtype(result))


def finish(total: Array, result: np.dtype[Any], func: str) -> Array:
    """Round the accumulated sums once to the result dtype, or return exact int64.

    ``total`` is the window the caller returns: an integer value outside int64 raises
    ``OverflowError`` only if it is in that window.
    """
    if result.kind in "iu":
        return exact_to_int64(total, func)
    return total.astype(result, copy=False)


def _convolution_sum(a: Array, v: Array, n: tuple[int, ...]) -> Any:
    """``sum over m of a[m] * v[n - m]``, in row-major order of ``m``, from the first term."""
    total = None
    for m in np.ndindex(*a.shape):
        n_minus_m = tuple(n_i - m_i for n_i, m_i in zip(n, m, strict=True))
        if in_box(n_minus_m, v.shape):
            term = a[m] * v[n_minus_m]
            total = term if total is None else total + term
    return total


def convolve_literal(a: npt.ArrayLike, v: npt.ArrayLike, mode: Mode = "full") -> Array:
    """Convolution computed term by term, as CONV-1 writes it.

    ``c[n] = sum over m of a[m] * v[n - m]``, for every ``n`` of the full box, the sum
    running over the ``m`` where both ``m`` and ``n - m`` lie in their boxes, in increasing
    (row-major) order of ``m``.  Then ``mode`` cuts its window out of the full result.
    Meant for small inputs: it costs one Python step per term.
    """
    a_arr, v_arr = as_operand_pair(a, v, "convolve_literal")
    mode = check_mode(mode, "convolve_literal")
    result = result_dtype(a_arr.dtype, v_arr.dtype)
    a_val, v_val = exact_values(a_arr, result), exact_values(v_arr, result)
    full_shape = tuple(n + k - 1 for n, k in zip(a_arr.shape, v_arr.shape, strict=True))
    c = np.empty(full_shape, dtype=a_val.dtype)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        for n in np.ndindex(*full_shape):
            c[n] = _convolution_sum(a_val, v_val, n)
    window = select_mode(c, a_arr.shape, v_arr.shape, mode)
    return finish(window, result, "convolve_literal")


def fast_full_convolution(a: Array, v: Array) -> Array:
    """Full convolution of validated operands by the engine, exact for integers.

    Floating-point results are in the accumulation dtype (NOT-5); integer results are
    exact, in float64, int64 or object (Python ints), whichever
    :func:`convspec.exact.exact_integer_compute_dtype` picks.  :func:`finish` turns the
    window a mode cuts out into the result dtype: the int64 check applies to that window,
    not to the full output (a ``valid`` result can fit where the full one does not).
    """
    result = result_dtype(a.dtype, v.dtype)
    if result.kind in "iu":
        return full_convolution(a, v, exact_integer_compute_dtype(a, v))
    return full_convolution(a, v, accumulation_dtype(result))


def convolve(a: npt.ArrayLike, v: npt.ArrayLike, mode: Mode = "full") -> Array:
    """N-dimensional convolution of ``a`` and ``v`` (CONV-1), fast path.

    Parameters
    ----------
    a, v
        Arrays of equal rank (1-D, 2-D, 3-D or more), integer, real or complex.  Anything
        numpy can convert is accepted, including objects with ``__array__`` or DLPack.
    mode
        ``"full"`` (default), ``"valid"`` or ``"same"``: which window of the full output
        to return, per axis (MODE-1 .. MODE-4).  ``"same"`` has the shape of ``a``.

    Returns
    -------
    numpy.ndarray
        int64 for integer operands (exact; ``OverflowError`` if a value does not fit),
        otherwise ``numpy.result_type(a, v)``, summed in at least float64 (NOT-4, NOT-5).

    Raises
    ------
    TypeError
        For bool, object, string and other non-numeric dtypes.
    ValueError
        For 0-d or empty operands, operands of different rank, or an unknown ``mode``.
    """
    a_arr, v_arr = as_operand_pair(a, v, "convolve")
    mode = check_mode(mode, "convolve")
    full = fast_full_convolution(a_arr, v_arr)
    window = select_mode(full, a_arr.shape, v_arr.shape, mode)
    return finish(window, result_dtype(a_arr.dtype, v_arr.dtype), "convolve")
