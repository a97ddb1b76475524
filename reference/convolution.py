"""Convolution: ``(a * v)[n] = sum_m a[m] v[n - m]``.

Spec chapter: ``spec/convolution.md`` (clauses CONV-1 .. CONV-5).

:func:`convolve_literal` computes the sum exactly as CONV-1 writes it, one output element
and one term at a time; it is for small inputs, the docs and the tests.  :func:`convolve`
computes the same sums with the vectorised engine (:mod:`convspec.engine`).  The test suite
proves them equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .boundaries import Boundary, check_boundary, extended_window, extends, source_index
from .engine import full_convolution
from .exact import exact_integer_compute_dtype, exact_to_int64
from .modes import Alignment, check_alignment, mode_windows
from .ndim import check_axes, over_batches
from .notation import (
    Mode,
    accumulation_dtype,
    as_operand_pair,
    check_mode,
    result_dtype,
)

__all__ = ["Request", "convolve", "convolve_literal", "fast_full_convolution", "window_of"]

Array = np.ndarray[Any, np.dtype[Any]]
Windows = list[tuple[int, int]]
Index = tuple[int, ...]


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


@dataclass(frozen=True)
class Request:
    """One validated call of convolve or correlate (any path): operands and keywords."""

    a: Array
    v: Array
    mode: Mode
    axes: int | Sequence[int] | None
    alignment: Alignment
    boundary: Boundary
    fill_value: Any
    func: str

    @classmethod
    def of(
        cls,
        a: npt.ArrayLike,
        v: npt.ArrayLike,
        mode: object,
        axes: int | Sequence[int] | None,
        alignment: object,
        boundary: object,
        fill_value: object,
        func: str,
        python_ints: bool = False,
    ) -> Request:
        """Validate every argument, each error naming its argument (NOT-7); ``python_ints``
        keeps integers beyond int64 exact (the oracle)."""
        a_arr, v_arr = as_operand_pair(a, v, func, python_ints=python_ints)
        checked_mode = check_mode(mode, func)
        checked_alignment = check_alignment(alignment, checked_mode, func)
        checked_boundary, fill = check_boundary(boundary, fill_value, a_arr.dtype, func)
        check_axes(axes, a_arr.ndim, func)
        return cls(
            a_arr, v_arr, checked_mode, axes, checked_alignment, checked_boundary, fill, func
        )

    @property
    def result(self) -> np.dtype[Any]:
        """The result dtype (NOT-4)."""
        return result_dtype(self.a.dtype, self.v.dtype)

    @property
    def extends(self) -> bool:
        """Whether the boundary gives ``a`` values outside its box (BOUND-1)."""
        return extends(self.boundary, self.fill_value)

    def windows(self, a: Array, v: Array, folded: int) -> Windows:
        """The mode's window along every axis of one batch element (MODE-6, ND-5)."""
        return mode_windows(a.shape, v.shape, self.mode, self.alignment, full_axes=folded)

    def run(self, core: Callable[[Array, Array, Windows], Array], *, fold: bool) -> Array:
        """``core(a_i, v_i, windows)`` over the batches (ND-5), as exact or accumulated sums."""
        return over_batches(
            self.a,
            self.v,
            self.axes,
            lambda a_i, v_i, folded: core(a_i, v_i, self.windows(a_i, v_i, folded)),
            self.func,
            fold=fold,
        )

    def outside(self, a_values: Array) -> Callable[[Index], Any]:
        """The extension of ``a`` (given as ``a_values``) at an index outside its box.

        ``None`` when the boundary adds nothing: the structural zero, no term (NOT-3).
        """
        if not self.extends:
            return lambda m: None
        if self.boundary == "constant":
            fill = exact_values(np.array(self.fill_value, dtype=self.a.dtype), self.result)[()]
            return lambda m: fill
        boundary, shape = self.boundary, a_values.shape
        return lambda m: a_values[
            tuple(source_index(i, n, boundary) for i, n in zip(m, shape, strict=True))
        ]


def window_of(
    full: Callable[[Array, Array], Array],
    request: Request,
    a: Array,
    kernel: Array,
    windows: Windows,
) -> Array:
    """The ``windows`` of the convolution of ``a``, extended by the boundary, with ``kernel``.

    ``full(x, kernel)`` computes a full convolution.  Without a boundary the windows are
    cut from ``full(a, kernel)`` (MODE-1).  With one, output ``n`` sums ``ext(a)[n - t]``
    over every tap ``t`` (BOUND-7): the extension on ``[s - (K - 1), s + L)`` per axis is
    formed and its 'valid' part kept, the kernel inside it everywhere.
    """
    if not request.extends:
        cut = tuple(slice(s, s + length) for s, length in windows)
        return full(a, kernel)[cut]
    ranges = [
        (s - (k - 1), s + length) for (s, length), k in zip(windows, kernel.shape, strict=True)
    ]
    extended = extended_window(a, ranges, request.boundary, request.fill_value)
    cut = tuple(
        slice(k - 1, k - 1 + length) for (_, length), k in zip(windows, kernel.shape, strict=True)
    )
    return full(extended, kernel)[cut]


def _convolution_sum(a: Array, v: Array, n: Index, outside: Callable[[Index], Any]) -> Any:
    """``sum over m of a[m] * v[n - m]``, in row-major order of ``m``, from the first term.

    ``m`` runs over ``n - t`` for every tap ``t`` of ``v``; where ``m`` leaves ``a``'s box
    the boundary's value ``outside(m)`` is the factor, or there is no term (``None``).
    """
    total = None
    for t in reversed(list(np.ndindex(*v.shape))):  # t decreasing: m = n - t increasing
        m = tuple(n_i - t_i for n_i, t_i in zip(n, t, strict=True))
        value = a[m] if in_box(m, a.shape) else outside(m)
        if value is not None:
            term = value * v[t]
            total = term if total is None else total + term
    return total


def _literal_convolution(request: Request, a: Array, v: Array, windows: Windows) -> Array:
    """CONV-1 term by term at every output index of the windows (BOUND-7 with a boundary)."""
    a_val, v_val = exact_values(a, request.result), exact_values(v, request.result)
    outside = request.outside(a_val)
    c = np.empty(tuple(length for _, length in windows), dtype=a_val.dtype)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        for j in np.ndindex(*c.shape):
            n = tuple(s + j_i for (s, _), j_i in zip(windows, j, strict=True))
            c[j] = _convolution_sum(a_val, v_val, n, outside)
    return c


def convolve_literal(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: Mode = "full",
    *,
    axes: int | Sequence[int] | None = None,
    alignment: Alignment = "lower",
    boundary: Boundary = "constant",
    fill_value: Any = 0,
) -> Array:
    """Convolution computed term by term, as CONV-1 writes it.

    ``c[n] = sum over m of a[m] * v[n - m]``, for every ``n`` of the mode's window, the sum
    running over the ``m`` where ``n - m`` lies in ``v``'s box, in increasing (row-major)
    order of ``m``; ``m`` outside ``a``'s box contributes only with a boundary (BOUND-7).
    Batches (``axes``) are looped over one by one.  Meant for small inputs: it costs one
    Python step per term.  Arguments as :func:`convolve`.
    """
    request = Request.of(a, v, mode, axes, alignment, boundary, fill_value, "convolve_literal")
    sums = request.run(lambda a_i, v_i, w: _literal_convolution(request, a_i, v_i, w), fold=False)
    return finish(sums, request.result, request.func)


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


def convolve(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: Mode = "full",
    *,
    axes: int | Sequence[int] | None = None,
    alignment: Alignment = "lower",
    boundary: Boundary = "constant",
    fill_value: Any = 0,
) -> Array:
    """N-dimensional convolution of ``a`` and ``v`` (CONV-1), fast path.

    Parameters
    ----------
    a, v
        Arrays of equal rank (1-D, 2-D, 3-D or more), integer, real or complex.  Anything
        numpy can convert is accepted, including objects with ``__array__`` or DLPack.
    mode
        ``"full"`` (default), ``"valid"`` or ``"same"``: which window of the full output
        to return, per axis (MODE-1 .. MODE-4).  ``"same"`` has the shape of ``a``.
    axes
        The axes to convolve over (ND-5); the others are batched, their lengths equal or 1
        (broadcast), as in ``scipy.signal.fftconvolve``.  ``None`` (default): every axis.
    alignment
        The ``"same"`` window (MODE-7): ``"lower"`` (default, MODE-4), ``"upper"``
        (MODE-5), ``"numpy-convolve"``, ``"numpy-correlate"``, or a callable
        ``(N, K) -> (start, length)``.  Any other value than ``"lower"`` with another
        mode is an error.
    boundary, fill_value
        How ``a`` continues beyond its box (BOUND-1 .. BOUND-6): ``"constant"`` (default,
        with ``fill_value``, default 0: the spec's zero), ``"reflect"`` (``d c b | a b c d
        | c b a``), ``"symmetric"`` (``c b a | a b c d | d c b``), ``"edge"`` or
        ``"wrap"``.  With a boundary every mode is a window of the convolution of the
        extended ``a`` (BOUND-7); ``v`` is never extended.

    Returns
    -------
    numpy.ndarray
        int64 for integer operands (exact; ``OverflowError`` if a returned value does not
        fit), otherwise ``numpy.result_type(a, v)``, summed in at least float64 (NOT-4,
        NOT-5).

    Raises
    ------
    TypeError
        For bool, object, string and other non-numeric dtypes.
    ValueError
        For 0-d or empty operands, operands of different rank, an unknown ``mode``,
        ``alignment`` or ``boundary``, bad ``axes``, batch axes that do not broadcast, or a
        ``fill_value`` the operand's dtype cannot hold or that has no use.
    """
    request = Request.of(a, v, mode, axes, alignment, boundary, fill_value, "convolve")
    sums = request.run(
        lambda a_i, v_i, w: window_of(fast_full_convolution, request, a_i, v_i, w), fold=True
    )
    return finish(sums, request.result, request.func)
