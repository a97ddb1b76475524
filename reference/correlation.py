"""Cross-correlation: ``R[i] = sum_n a[n + k] conj(v[n])`` at lag ``k = i - (K - 1)``.

Spec chapter: ``spec/correlation.md`` (clauses CORR-1 .. CORR-5).

:func:`correlate_literal` computes the sum term by term as CORR-1 writes it;
:func:`correlate` uses the flip identity (CORR-4), ``correlate(a, v) ==
convolve(a, flip(conj(v)))``, and the fast convolution engine.  The tests prove them equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from .boundaries import Boundary
from .convolution import (
    Index,
    Request,
    Windows,
    exact_values,
    fast_full_convolution,
    finish,
    in_box,
    window_of,
)
from .modes import Alignment, mode_window
from .ndim import flip
from .notation import Mode, as_operand, check_mode

__all__ = ["SCALES", "Scale", "correlate", "correlate_literal", "lags", "xcorr"]

Array = np.ndarray[Any, np.dtype[Any]]
Scale: TypeAlias = Literal["none", "biased", "unbiased", "coeff"]
SCALES: tuple[Scale, ...] = ("none", "biased", "unbiased", "coeff")


def lags(n: int, k: int, mode: Mode = "full", alignment: Alignment = "lower") -> Array:
    """The lag of each output index along one axis (CORR-2): output ``i`` is lag ``i - (k - 1)``.

    ``n`` and ``k`` are the lengths of ``a`` and ``v``; ``mode`` and ``alignment`` pick the
    window as :func:`convspec.modes.mode_window` does.
    """
    mode = check_mode(mode, "lags")
    start, length = mode_window(n, k, mode, alignment)
    return np.arange(start, start + length) - (k - 1)


def _correlation_sum(a: Array, conj_v: Array, lag: Index, outside: Callable[[Index], Any]) -> Any:
    """``sum over n of a[n + lag] * conj(v)[n]``, row-major in ``n``, from the first term.

    Where ``n + lag`` leaves ``a``'s box the boundary's value ``outside(n + lag)`` is the
    factor, or there is no term (``None``).
    """
    total = None
    for n in np.ndindex(*conj_v.shape):
        n_plus_lag = tuple(n_ax + k_ax for n_ax, k_ax in zip(n, lag, strict=True))
        value = a[n_plus_lag] if in_box(n_plus_lag, a.shape) else outside(n_plus_lag)
        if value is not None:
            term = value * conj_v[n]
            total = term if total is None else total + term
    return total


def _literal_correlation(request: Request, a: Array, v: Array, windows: Windows) -> Array:
    """CORR-1 term by term at every output index of the windows (BOUND-7 with a boundary)."""
    a_val = exact_values(a, request.result)
    conj_v = exact_values(np.conjugate(v), request.result)
    outside = request.outside(a_val)
    r = np.empty(tuple(length for _, length in windows), dtype=a_val.dtype)
    with np.errstate(all="ignore"):  # IEEE results, no warnings (NOT-6)
        for j in np.ndindex(*r.shape):
            lag = tuple(
                s + j_ax - (k - 1) for (s, _), j_ax, k in zip(windows, j, v.shape, strict=True)
            )
            r[j] = _correlation_sum(a_val, conj_v, lag, outside)
    return r


def correlate_literal(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: Mode = "full",
    *,
    axes: int | Sequence[int] | None = None,
    alignment: Alignment = "lower",
    boundary: Boundary = "constant",
    fill_value: Any = 0,
) -> Array:
    """Cross-correlation computed term by term, as CORR-1 writes it.

    For every lag ``k`` from ``-(K - 1)`` to ``N - 1`` (per axis) in the mode's window,
    ``R = sum over n of a[n + k] * conj(v[n])``, the sum running over ``v``'s box, in
    increasing (row-major) order of ``n``, where ``n + k`` lies in ``a``'s box or the
    boundary extends ``a`` there (BOUND-7).  Full output index ``i`` holds lag
    ``i - (K - 1)``.  Arguments as :func:`correlate`.
    """
    request = Request.of(a, v, mode, axes, alignment, boundary, fill_value, "correlate_literal")
    sums = request.run(lambda a_i, v_i, w: _literal_correlation(request, a_i, v_i, w), fold=False)
    return finish(sums, request.result, request.func)


def correlate(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: Mode = "full",
    *,
    axes: int | Sequence[int] | None = None,
    alignment: Alignment = "lower",
    boundary: Boundary = "constant",
    fill_value: Any = 0,
) -> Array:
    """N-dimensional cross-correlation of ``a`` with ``v`` (CORR-1), fast path.

    The second operand is conjugated, as numpy and scipy do (CPLX-1); lags run from
    ``-(K - 1)`` to ``N - 1`` per axis (CORR-2).  ``axes``, ``alignment``, ``boundary``
    and ``fill_value``, the result dtype and the errors are those of
    :func:`convspec.convolve`; the boundary extends ``a``, never ``v``.
    """
    request = Request.of(a, v, mode, axes, alignment, boundary, fill_value, "correlate")

    def core(a_i: Array, v_i: Array, windows: Windows) -> Array:
        return window_of(fast_full_convolution, request, a_i, flip(np.conjugate(v_i)), windows)

    return finish(request.run(core, fold=True), request.result, request.func)


def _check_maxlag(maxlag: object, longest: int, func: str) -> int:
    """``maxlag`` as an int >= 0; the default is ``N - 1``, every lag that has terms."""
    if maxlag is None:
        return longest - 1
    if isinstance(maxlag, bool) or not isinstance(maxlag, (int, np.integer)) or maxlag < 0:
        raise ValueError(f"{func}(): argument 'maxlag' must be an integer >= 0; got {maxlag!r}")
    return int(maxlag)


def xcorr(
    a: npt.ArrayLike,
    v: npt.ArrayLike | None = None,
    *,
    maxlag: int | None = None,
    scale: Scale = "none",
) -> tuple[Array, Array]:
    """Cross-correlation as MATLAB's and Octave's ``xcorr`` define it (BOUND-9): ``(values, lags)``.

    ``a`` and ``v`` are vectors; the shorter is zero-padded at its end to the longer's
    length ``N``.  ``v=None`` correlates ``a`` with itself.  ``values[i]`` is the
    correlation at lag ``lags[i]``, ``R(m) = sum over n of a[n + m] * conj(v[n])`` (CORR-1),
    for ``m`` from ``-maxlag`` to ``maxlag`` (default ``N - 1``).  Beyond ``|m| = N - 1``
    there are no terms: those values are 0 whatever the scale.  ``scale``:

    * ``"none"``: ``R(m)`` itself (int64 for integer operands, exact);
    * ``"biased"``: ``R(m) / N``;
    * ``"unbiased"``: ``R(m) / (N - |m|)``;
    * ``"coeff"``: ``R(m) / sqrt(sum |a|^2 * sum |v|^2)``, so an autocorrelation is 1 at
      lag 0; an all-zero operand gives NaN (0 / 0), as in MATLAB and Octave.

    A scale other than ``"none"`` needs operands of equal length, as in MATLAB and Octave.
    Scaled values are float64 for integer operands, otherwise the operands' dtype.
    """
    func = "xcorr"
    a_arr = as_operand(a, "a", func)
    v_arr = a_arr if v is None else as_operand(v, "v", func)
    for name, x in (("a", a_arr), ("v", v_arr)):
        if x.ndim != 1:
            raise ValueError(f"{func}(): argument {name!r} must be 1-D; got shape {x.shape}")
    if not isinstance(scale, str) or scale not in SCALES:
        raise ValueError(
            f"{func}(): argument 'scale' must be one of {', '.join(map(repr, SCALES))}; "
            f"got {scale!r}"
        )
    if scale != "none" and len(a_arr) != len(v_arr):
        raise ValueError(
            f"{func}(): scale={scale!r} needs operands of equal length (as MATLAB and Octave); "
            f"got {len(a_arr)} and {len(v_arr)}. Use scale='none' or pad them yourself"
        )
    longest = max(len(a_arr), len(v_arr))
    lag_limit = _check_maxlag(maxlag, longest, func)
    padded = [np.pad(x, (0, longest - len(x))) for x in (a_arr, v_arr)]
    full = correlate(padded[0], padded[1])  # lags -(N - 1) .. N - 1 (CORR-2)
    reach = min(lag_limit, longest - 1)  # the lags that have terms
    inner = full[longest - 1 - reach : longest + reach]
    inner_lags = np.arange(-reach, reach + 1)
    if scale != "none":
        out = np.dtype(np.float64) if inner.dtype.kind in "iu" else inner.dtype
        if scale == "biased":
            inner = inner / longest
        elif scale == "unbiased":
            inner = inner / (longest - np.abs(inner_lags))
        else:
            energy = [np.vdot(x, x).real for x in (a_arr.astype(out), v_arr.astype(out))]
            with np.errstate(invalid="ignore", divide="ignore"):
                inner = inner / np.sqrt(energy[0] * energy[1])
        inner = inner.astype(out, copy=False)
    values = np.zeros(2 * lag_limit + 1, dtype=inner.dtype)
    values[lag_limit - reach : lag_limit + reach + 1] = inner
    return values, np.arange(-lag_limit, lag_limit + 1)
