"""Deliberately broken backends: the suite's own proof that it catches what it claims.

Each is a small :class:`~convspec.conformance.Backend` whose declaration is honest except
for one bug, named in its ``notes``.  ``convspec check convspec.conformance.mutants:NAME``
must exit 1 and name the bug; the test suite checks the failing clauses and diagnoses.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

import convspec

from .backend import Array, Backend, Operation

__all__ = [
    "ARRAY_LIKE_RESULT",
    "CONJUGATES_FIRST",
    "CORRELATES",
    "EXITS",
    "FLOAT16_SUMS",
    "HANGS",
    "RAISES",
    "RETURNS_NAN",
    "TRANSPOSES",
    "UPPER_DECLARED_LOWER",
    "WRAPS",
    "WRONG_SHAPE",
]

REAL = ("float64",)
BOTH = ("float64", "complex128")


def _one(function: Any, note: str, **declared: Any) -> Backend:
    declared.setdefault("flips", True)
    return Backend(
        name=f"mutant: {note}",
        version="0",
        operations={
            "convolve" if declared["flips"] else "correlate": Operation(function, **declared)
        },
        notes=(note,),
    )


def _upper_same(a: Array, v: Array, mode: str) -> Array:
    full = convspec.convolve(a, v)
    if mode != "same":
        return np.asarray(convspec.convolve(a, v, mode))  # type: ignore[arg-type]
    start = v.shape[0] // 2
    return full[start : start + a.shape[0]]


def _float16_sums(a: Array, v: Array, mode: str) -> Array:
    out = np.zeros(a.shape[0] + v.shape[0] - 1, dtype=np.float16)
    for m, x in enumerate(a.astype(np.float16)):
        out[m : m + v.shape[0]] += x * v.astype(np.float16)
    start, length = convspec.mode_window(a.shape[0], v.shape[0], mode)  # type: ignore[arg-type]
    return out[start : start + length].astype(np.result_type(a, v))


def _hangs_on_same(a: Array, v: Array, mode: Any) -> Any:
    if mode == "same":
        time.sleep(3600)
    return np.convolve(a, v, mode)


def _exits_on_valid(a: Array, v: Array, mode: Any) -> Any:
    if mode == "valid":
        os._exit(3)
    return np.convolve(a, v, mode)


class _ArrayLike:
    """A result that is not an ndarray but offers ``__array__``."""

    def __init__(self, values: Array) -> None:
        self.values = values

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        return self.values if dtype is None else self.values.astype(dtype)


#: A "convolution" that does not flip the kernel (numpy.correlate).
CORRELATES = _one(lambda a, v, mode: np.correlate(a, v, mode), "correlates", dtypes=REAL)
#: A correlation that conjugates the first operand instead of the second.
CONJUGATES_FIRST = _one(
    lambda a, v, mode: np.conjugate(np.correlate(a, v, mode)),
    "conjugates the first operand",
    flips=False,
    dtypes=BOTH,
    same_alignment="numpy-correlate",
)
#: 'same' mode starts at K // 2 while the declaration says (K - 1) // 2.
UPPER_DECLARED_LOWER = _one(_upper_same, "upper 'same' alignment declared lower", dtypes=REAL)
#: Raises on every call.
RAISES = _one(
    lambda a, v, mode: (_ for _ in ()).throw(RuntimeError("backend failure")),
    "raises",
    dtypes=REAL,
)
#: Returns the full output whatever the mode.
WRONG_SHAPE = _one(lambda a, v, mode: np.convolve(a, v, "full"), "ignores mode", dtypes=REAL)
#: Returns NaN everywhere.
RETURNS_NAN = _one(
    lambda a, v, mode: np.full(np.convolve(a, v, mode).shape, np.nan), "returns NaN", dtypes=REAL
)
#: Hangs on every 'same' call.
HANGS = _one(_hangs_on_same, "hangs on mode 'same'", dtypes=REAL, same_alignment="numpy-convolve")
#: Kills its interpreter on every 'valid' call.
EXITS = _one(
    _exits_on_valid, "os._exit on mode 'valid'", dtypes=REAL, same_alignment="numpy-convolve"
)
#: Declares exact int64 results but wraps around in int8.
WRAPS = _one(
    lambda a, v, mode: np.convolve(a, v, mode),
    "declares exact integers, wraps in int8",
    dtypes=("int8",),
    same_alignment="numpy-convolve",
)
#: Declares float32 summation but sums in float16.
FLOAT16_SUMS = _one(_float16_sums, "sums float32 input in float16", dtypes=("float32",))
#: 2-D: transposes the kernel instead of rotating it by a half-turn.
TRANSPOSES = _one(
    lambda a, v, mode: convspec.convolve(a, np.ascontiguousarray(v.T), mode),
    "transposes the kernel",
    dtypes=REAL,
    ranks=(2,),
)
#: Correct, but returns an array-like object (``__array__``), not an ndarray: passes.
ARRAY_LIKE_RESULT = _one(
    lambda a, v, mode: _ArrayLike(np.convolve(a, v, mode)),
    "correct, returns an __array__ object",
    dtypes=REAL,
    same_alignment="numpy-convolve",
)
