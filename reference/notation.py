"""Operands: finite arrays on an integer index box, and the types of their results.

Spec chapter: ``spec/notation.md`` (clauses NOT-1 .. NOT-7).

An operand is a finite array ``x`` of shape ``(N_0, ..., N_{d-1})``.  It is read as a
function on the index box ``{0..N_0-1} x ... x {0..N_{d-1}-1}``, zero outside it (NOT-1).
This module turns user input into such operands, rejecting what the spec does not define,
and fixes the dtype a result has (NOT-4, NOT-5).
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "MODES",
    "Mode",
    "as_operand",
    "as_operand_pair",
    "check_mode",
    "result_dtype",
]

Mode: TypeAlias = Literal["full", "valid", "same"]
MODES: tuple[Mode, ...] = ("full", "valid", "same")

# dtype kinds the spec defines: signed and unsigned integers, reals, complex (NOT-4).
_ACCEPTED_KINDS = {"i": "integer", "u": "unsigned integer", "f": "real", "c": "complex"}


def as_operand(
    x: npt.ArrayLike, name: str, func: str, *, python_ints: bool = False
) -> np.ndarray[Any, np.dtype[Any]]:
    """Return ``x`` as a numpy array the spec defines, or raise naming ``name``.

    Anything numpy can convert is accepted (lists, scalars nested in lists, objects with
    ``__array__`` or ``__dlpack__``).  Rejected, each with a message naming the argument:
    ragged nesting, 0-d input, empty axes, dtypes other than integer, real and complex
    (bool, object, strings, bytes, datetimes, structured types), masked arrays with masked
    values (a masked array with none masked is read as its data), and integers beyond
    int64 and uint64, which numpy would read as rounded floats or objects.  With
    ``python_ints`` (the exact oracle) such integers, or an object array of Python ints,
    are kept exact as an object array.
    """
    where = f"{func}(): argument {name!r}"
    if isinstance(x, np.ma.MaskedArray):
        masked = int(np.ma.getmaskarray(x).sum())
        if masked:
            raise ValueError(
                f"{where} is a masked array with {masked} masked values; convspec does not "
                "define convolution of masked data (numpy would sum the masked values). "
                "Fill them explicitly, for example with x.filled(0)."
            )
        x = np.ma.getdata(x)
    try:
        # np.asarray does not read DLPack: an object that offers only __dlpack__ would
        # become a 0-d object array.  np.from_dlpack reads it (a view, no copy).
        if hasattr(x, "__dlpack__") and not hasattr(x, "__array__"):
            array = np.from_dlpack(cast(Any, x))
        else:
            array = np.asarray(x)
    except (ValueError, TypeError, BufferError, RuntimeError) as error:
        raise ValueError(f"{where} could not be read as an array: {error}") from error
    big_ints = _python_integers(x, array)
    if big_ints is not None and python_ints:
        array = big_ints
    elif big_ints is not None and array.dtype.kind == "f":
        raise OverflowError(
            f"{where} holds integers outside int64 and uint64, which numpy reads as float64 "
            "(rounded). Give them to the exact oracle (exact_convolve, exact_correlate), "
            "which keeps Python ints exact, or convert explicitly with np.asarray(x, float)."
        )
    kind = array.dtype.kind
    if kind == "O" and python_ints and array.size and big_ints is not None:
        return array
    if kind == "b":
        raise TypeError(
            f"{where} has dtype bool; convspec does not define convolution of booleans "
            "(numpy would return a logical OR of ANDs). Convert explicitly, for example "
            "with x.astype(np.int64), to count overlaps."
        )
    if kind not in _ACCEPTED_KINDS:
        hint = (
            " (object arrays of Python ints are taken by the exact oracle, exact_convolve)"
            if kind == "O" and big_ints is not None
            else ""
        )
        raise TypeError(
            f"{where} has dtype {array.dtype}; expected an integer, real or complex dtype" + hint
        )
    if array.ndim == 0:
        raise ValueError(
            f"{where} is 0-dimensional (a scalar); expected an array with at least one axis"
        )
    if array.size == 0:
        raise ValueError(
            f"{where} is empty (shape {array.shape}); every axis must have length at least 1"
        )
    return array


def _python_integers(x: object, array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """``x`` as an object array of Python ints when numpy could not hold its integers in
    an integer dtype (it read them as float64 or object); else None."""
    if array.dtype.kind not in "fO" or array.ndim == 0 or array.size == 0:
        return None
    if array.dtype.kind == "f" and isinstance(x, np.ndarray):
        return None  # a float array is floats, whatever its values
    try:
        objects = np.asarray(x, dtype=object)
    except (ValueError, TypeError):
        return None
    if objects.shape != array.shape:
        return None
    kinds = {type(e) for e in objects.flat}
    if all(issubclass(t, (int, np.integer)) and not issubclass(t, (bool, np.bool_)) for t in kinds):
        exact: np.ndarray[Any, Any] = np.vectorize(int, otypes=[object])(objects)
        return exact
    return None


def as_operand_pair(
    a: npt.ArrayLike, v: npt.ArrayLike, func: str, *, python_ints: bool = False
) -> tuple[np.ndarray[Any, np.dtype[Any]], np.ndarray[Any, np.dtype[Any]]]:
    """Validate both operands and check that they have the same rank (NOT-2)."""
    a_arr = as_operand(a, "a", func, python_ints=python_ints)
    v_arr = as_operand(v, "v", func, python_ints=python_ints)
    if a_arr.ndim != v_arr.ndim:
        raise ValueError(
            f"{func}(): arguments 'a' and 'v' must have the same number of dimensions; "
            f"got a.ndim={a_arr.ndim} (shape {a_arr.shape}) and "
            f"v.ndim={v_arr.ndim} (shape {v_arr.shape})"
        )
    return a_arr, v_arr


def check_mode(mode: object, func: str) -> Mode:
    """Return ``mode`` if it is one of :data:`MODES`, else raise naming the argument."""
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(
            f"{func}(): argument 'mode' must be one of {', '.join(map(repr, MODES))}; got {mode!r}"
        )
    return mode


def result_dtype(a: npt.DTypeLike, v: npt.DTypeLike) -> np.dtype[Any]:
    """The dtype of ``convolve(a, v)`` and ``correlate(a, v)`` for operands of these dtypes (NOT-4).

    * both operands integer (signed or unsigned, any width): ``int64``.  Results are exact;
      a result that does not fit in int64 raises ``OverflowError`` instead of wrapping.
    * otherwise: numpy's promotion of the two dtypes, ``np.result_type(a, v)``, so
      float32 with float32 stays float32 and int16 with float32 gives float32.
    """
    a_dtype, v_dtype = np.dtype(a), np.dtype(v)
    if a_dtype.kind in "iu" and v_dtype.kind in "iu":
        return np.dtype(np.int64)
    return np.result_type(a_dtype, v_dtype)


def accumulation_dtype(result: np.dtype[Any]) -> np.dtype[Any]:
    """The precision the reference sums in (NOT-5): at least float64 / complex128.

    Products of two float32 numbers are exact in float64, so float32 and float16 results
    carry one final rounding plus the (much smaller) float64 summation error.
    """
    if result.kind in "iu":
        return np.dtype(np.int64)
    return np.result_type(result, np.float64)
