"""N dimensions: the flip reverses every axis.

Spec chapter: ``spec/ndim.md`` (clauses ND-1 .. ND-4).  In 2-D the flip is a rotation by
180 degrees, not a transpose and not a reflection about one axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .notation import as_operand

__all__ = ["flip"]


def flip(v: npt.ArrayLike) -> np.ndarray[Any, np.dtype[Any]]:
    """Reverse ``v`` along every axis: ``flip(v)[n] = v[K - 1 - n]`` (ND-1).

    Returns a view of ``v`` when ``v`` is already a numpy array.
    """
    v_arr = as_operand(v, "v", "flip")
    return v_arr[(slice(None, None, -1),) * v_arr.ndim]
