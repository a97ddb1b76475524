"""Boundaries: a finite array extended to every index of Z^d.

Spec chapter: ``spec/boundaries.md`` (clauses BOUND-1 .. BOUND-7).

An operand is a function on its index box, zero outside it (NOT-1).  A *boundary* gives it
other values outside the box, by a rule that is defined at every integer index, however far
from the box: so an extension is exact for any pad length, including kernels longer than
the array.  Per axis of length ``N``, index ``i`` reads the sample ``source_index(i)``:

=============  ==============================  =========================================
boundary       pattern (``a b c d`` in box)    sample read at index ``i``
=============  ==============================  =========================================
``constant``   ``x x x | a b c d | x x x``     ``a[i]`` in the box, else ``fill_value``
``reflect``    ``d c b | a b c d | c b a``     period ``2(N-1)``, mirrored about the edge
                                               samples (``N = 1``: ``a[0]`` everywhere)
``symmetric``  ``c b a | a b c d | d c b``     period ``2N``, the edge samples repeated
``edge``       ``a a a | a b c d | d d d``     the nearest in-box sample
``wrap``       ``b c d | a b c d | a b c``     period ``N``: ``a[i mod N]``
=============  ==============================  =========================================

In several dimensions every axis maps its own index (the corners of ``constant`` are
``fill_value``).  :func:`extend` returns the extension on a larger box, as ``numpy.pad``
does; :func:`extended_window` on any box, which may also cut into the array.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from .notation import as_operand

__all__ = [
    "BOUNDARIES",
    "Boundary",
    "check_boundary",
    "extend",
    "extended_window",
    "extends",
    "source_index",
]

Array = np.ndarray[Any, np.dtype[Any]]
Boundary: TypeAlias = Literal["constant", "reflect", "symmetric", "edge", "wrap"]
BOUNDARIES: tuple[Boundary, ...] = ("constant", "reflect", "symmetric", "edge", "wrap")


def source_index(i: int, n: int, boundary: Boundary) -> int | None:
    """The in-box index whose sample the extension holds at index ``i`` of an axis of length ``n``.

    ``None`` for ``constant`` outside the box (the fill value is there).  This is the
    spec's rule read literally (BOUND-2 .. BOUND-6); :func:`extended_window` computes the
    same for whole ranges.
    """
    if 0 <= i < n:
        return i
    if boundary == "constant":
        return None
    if boundary == "edge":
        return 0 if i < 0 else n - 1
    if boundary == "wrap":
        return i % n
    if boundary == "symmetric":
        r = i % (2 * n)
        return r if r < n else 2 * n - 1 - r
    # reflect
    if n == 1:
        return 0
    r = i % (2 * (n - 1))
    return r if r < n else 2 * (n - 1) - r


def _source_indices(indices: Array, n: int, boundary: Boundary) -> Array:
    """:func:`source_index` of every index of ``indices`` (-1 for constant outside the box)."""
    if boundary == "constant":
        return np.where((indices >= 0) & (indices < n), indices, -1)
    if boundary == "edge":
        return np.clip(indices, 0, n - 1)
    if boundary == "wrap":
        return indices % n
    if boundary == "symmetric":
        r = indices % (2 * n)
        return np.where(r < n, r, 2 * n - 1 - r)
    if n == 1:
        return np.zeros_like(indices)
    r = indices % (2 * (n - 1))
    return np.where(r < n, r, 2 * (n - 1) - r)


def check_boundary(
    boundary: object, fill_value: object, dtype: np.dtype[Any], func: str
) -> tuple[Boundary, Any]:
    """Validate ``boundary`` and ``fill_value`` for an operand of ``dtype``; return them.

    The fill value is converted to ``dtype`` and must survive the conversion exactly (so
    ``0.5`` or ``nan`` for an integer operand, ``300`` for uint8, or a complex fill for a
    real operand are errors, not silently changed).  A fill value other than 0 with a
    boundary other than ``constant`` is an error: that boundary has no fill.
    """
    if not isinstance(boundary, str) or boundary not in BOUNDARIES:
        raise ValueError(
            f"{func}(): argument 'boundary' must be one of {', '.join(map(repr, BOUNDARIES))}; "
            f"got {boundary!r}"
        )
    if boundary != "constant":
        if _is_zero(fill_value):
            return boundary, dtype.type(0)
        raise ValueError(
            f"{func}(): argument 'fill_value' is only used with boundary='constant'; got "
            f"fill_value={fill_value!r} with boundary={boundary!r}"
        )
    return boundary, _fill_of_dtype(fill_value, dtype, func)


def _is_zero(value: object) -> bool:
    """Whether ``value`` is a number equal to 0 (the default fill)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return False
    number: Any = value
    return bool(number == 0)


def _fill_of_dtype(fill_value: object, dtype: np.dtype[Any], func: str) -> Any:
    """``fill_value`` as a scalar of the operand's ``dtype``, or an error if it is not one.

    An integer operand takes an integer in its dtype's range (``0.5``, ``nan`` or ``300``
    for uint8 are errors); a real operand takes a real number, rounded to its precision
    (one that overflows it is an error); a complex operand takes any number.
    """
    where = f"{func}(): argument 'fill_value'"
    if isinstance(fill_value, (bool, np.bool_)) or not isinstance(fill_value, numbers.Number):
        raise TypeError(f"{where} must be a number; got {fill_value!r}")
    value: Any = fill_value
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        integral = isinstance(value, numbers.Real) and math.isfinite(value)
        if not integral or value != int(value) or not info.min <= value <= info.max:
            raise ValueError(
                f"{where} must be an integer in the range of the operand's dtype {dtype} "
                f"([{info.min}, {info.max}]); got {fill_value!r}. convspec does not round or "
                "wrap a fill value: convert the operand to a floating-point dtype instead"
            )
        return dtype.type(int(value))
    if dtype.kind == "f" and not isinstance(value, numbers.Real):
        raise ValueError(
            f"{where} is complex ({fill_value!r}) but the operand is real ({dtype}); "
            "convert the operand to a complex dtype to fill with a complex value"
        )
    with np.errstate(over="ignore"):
        converted = dtype.type(value)
    if np.isinf(converted) and not np.isinf(complex(value)):
        raise ValueError(f"{where} {fill_value!r} overflows the operand's dtype {dtype}")
    return converted


def extends(boundary: Boundary, fill_value: Any) -> bool:
    """Whether the boundary changes anything: every one except ``constant`` with fill 0.

    ``constant`` with fill value 0 is the operand's own zero outside its box (NOT-1); its
    terms are not formed (NOT-3), so ``0 * inf`` never appears there.
    """
    return boundary != "constant" or not _is_zero(fill_value)


def extended_window(
    a: Array, ranges: Sequence[tuple[int, int]], boundary: Boundary, fill_value: Any
) -> Array:
    """The extension of ``a`` on the box ``ranges[i] = (start, stop)`` (``start <= stop``).

    Element ``j`` of the result along axis ``i`` is the extension at index ``start + j``.
    The box may lie anywhere on Z^d: before, after, around or inside ``a``'s own box.
    ``a``, ``boundary`` and ``fill_value`` must already be validated.
    """
    maps = [
        _source_indices(np.arange(start, stop), n, boundary)
        for (start, stop), n in zip(ranges, a.shape, strict=True)
    ]
    if boundary != "constant":
        return a[np.ix_(*maps)]
    out = np.full(tuple(len(m) for m in maps), fill_value, dtype=a.dtype)
    inside = [np.flatnonzero(m >= 0) for m in maps]
    if all(len(i) for i in inside):
        out[np.ix_(*inside)] = a[np.ix_(*(m[i] for m, i in zip(maps, inside, strict=True)))]
    return out


def _pad_pairs(pad_widths: object, ndim: int, func: str) -> list[tuple[int, int]]:
    """``pad_widths`` as one ``(before, after)`` pair of ints >= 0 per axis (numpy.pad's forms)."""
    message = (
        f"{func}(): argument 'pad_widths' must be an int, a (before, after) pair, or one "
        f"(before, after) pair per axis ({ndim}), all integers >= 0; got {pad_widths!r}"
    )
    try:
        widths = np.asarray(pad_widths)
    except (ValueError, TypeError):
        raise ValueError(message) from None
    if widths.dtype.kind not in "iu" or widths.ndim > 2 or (widths < 0).any():
        raise ValueError(message)
    if widths.ndim == 0:
        widths = np.full((ndim, 2), int(widths))
    elif widths.ndim == 1:
        if widths.shape != (2,):
            raise ValueError(message)
        widths = np.broadcast_to(widths, (ndim, 2))
    elif widths.shape != (ndim, 2):
        raise ValueError(message)
    return [(int(before), int(after)) for before, after in widths]


def extend(
    a: npt.ArrayLike,
    pad_widths: int | Sequence[int] | Sequence[Sequence[int]],
    boundary: Boundary,
    fill_value: Any = 0,
) -> Array:
    """``a`` on a box larger by ``pad_widths``, its values outside the box given by ``boundary``.

    ``pad_widths`` takes ``numpy.pad``'s forms: one int for every side, one ``(before,
    after)`` pair for every axis, or a pair per axis.  Unlike ``numpy.pad`` the rule is
    defined for every pad length (BOUND-1): ``extend([1, 2, 3], 7, "wrap")`` repeats the
    period ``[1, 2, 3]``.  The result has ``a``'s dtype; ``fill_value`` (``constant``
    only) must be exactly representable in it.

    >>> extend([1, 2, 3, 4], 3, "reflect").tolist()
    [4, 3, 2, 1, 2, 3, 4, 3, 2, 1]
    >>> extend([1, 2, 3, 4], 3, "symmetric").tolist()
    [3, 2, 1, 1, 2, 3, 4, 4, 3, 2]
    """
    func = "extend"
    a_arr = as_operand(a, "a", func)
    checked, fill = check_boundary(boundary, fill_value, a_arr.dtype, func)
    pairs = _pad_pairs(pad_widths, a_arr.ndim, func)
    ranges = [(-before, n + after) for (before, after), n in zip(pairs, a_arr.shape, strict=True)]
    return extended_window(a_arr, ranges, checked, fill)
