"""N dimensions: the flip reverses every axis.

Spec chapter: ``spec/ndim.md`` (clauses ND-1 .. ND-4).  In 2-D the flip is a rotation by
180 degrees, not a transpose and not a reflection about one axis.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .notation import as_operand

__all__ = ["check_axes", "flip", "over_batches"]

Array = np.ndarray[Any, np.dtype[Any]]


def flip(v: npt.ArrayLike) -> np.ndarray[Any, np.dtype[Any]]:
    """Reverse ``v`` along every axis: ``flip(v)[n] = v[K - 1 - n]`` (ND-1).

    Returns a view of ``v`` when ``v`` is already a numpy array.
    """
    v_arr = as_operand(v, "v", "flip")
    return v_arr[(slice(None, None, -1),) * v_arr.ndim]


def check_axes(axes: int | Sequence[int] | None, ndim: int, func: str) -> tuple[int, ...]:
    """The axes to convolve over, as sorted non-negative ints (ND-5); all axes for ``None``.

    One int or a sequence of distinct ints in ``[-ndim, ndim)``, not empty; as
    ``scipy.signal.fftconvolve`` takes them.
    """
    if axes is None:
        return tuple(range(ndim))
    where = f"{func}(): argument 'axes'"
    try:
        listed = [operator.index(axes)] if not isinstance(axes, Sequence) else list(axes)
        values = [operator.index(ax) for ax in listed]
    except TypeError:
        raise TypeError(
            f"{where} must be None, an int or a sequence of ints; got {axes!r}"
        ) from None
    if not values:
        raise ValueError(f"{where} must name at least one axis; got {axes!r}")
    out_of_range = [ax for ax in values if not -ndim <= ax < ndim]
    if out_of_range:
        raise ValueError(
            f"{where} has {out_of_range} outside [-{ndim}, {ndim}) for operands of rank {ndim}"
        )
    normalized = sorted(ax % ndim for ax in values)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{where} must name each axis once; got {axes!r}")
    return tuple(normalized)


def _batch_shape(
    a_shape: tuple[int, ...], v_shape: tuple[int, ...], batch: Sequence[int], func: str
) -> dict[int, int]:
    """Length of every batch axis: equal lengths, or 1 broadcast to the other (ND-5)."""
    lengths = {}
    for ax in batch:
        n, k = a_shape[ax], v_shape[ax]
        if n != k and 1 not in (n, k):
            raise ValueError(
                f"{func}(): operands of shapes {a_shape} and {v_shape} do not broadcast along "
                f"axis {ax}, which 'axes' leaves batched: lengths {n} and {k} must be equal "
                "or one of them 1"
            )
        lengths[ax] = max(n, k)
    return lengths


Core = Callable[[Array, Array, int], Array]


def over_batches(
    a: Array, v: Array, axes: int | Sequence[int] | None, core: Core, func: str, *, fold: bool
) -> Array:
    """Apply ``core`` to every batch of ``a`` and ``v``, convolving over ``axes`` (ND-5).

    The axes not in ``axes`` are batched: ``core(a_i, v_i, 0)`` computes one batch element
    from subarrays holding the ``axes`` only, in increasing order; results are stacked
    along the batch axes, each where it was.  With ``fold``, batch axes along which ``v``
    has length 1 are not looped over but handed to ``core`` as leading axes, ``core(a_i,
    v_i, folded)``: ``core`` must give them the full window, which is then a convolution
    with a length-1 kernel, the batch itself.  (This is what makes the fast path fast.)
    """
    conv = check_axes(axes, a.ndim, func)
    batch = [ax for ax in range(a.ndim) if ax not in conv]
    lengths = _batch_shape(a.shape, v.shape, batch, func)
    folded = [ax for ax in batch if fold and v.shape[ax] == 1]
    looped = [ax for ax in batch if ax not in folded]
    order = [*looped, *folded, *conv]
    a_t, v_t = a.transpose(order), v.transpose(order)
    if not looped:
        out = core(a_t, v_t, len(folded))
    else:
        loop_shape = tuple(lengths[ax] for ax in looped)
        pieces = []
        for index in np.ndindex(*loop_shape):
            a_i = a_t[tuple(i if n > 1 else 0 for i, n in zip(index, a_t.shape, strict=False))]
            v_i = v_t[tuple(i if k > 1 else 0 for i, k in zip(index, v_t.shape, strict=False))]
            pieces.append(core(a_i, v_i, len(folded)))
        out = np.stack(pieces).reshape(loop_shape + pieces[0].shape)
    return out.transpose(np.argsort(order))
