"""Inputs that discriminate: kernels no flip, transpose or lag reversal leaves unchanged.

ND-4: a kernel equal to its own flip along some set of axes (all-ones, symmetric stencils)
cannot tell a convolution from a correlation along those axes.  Every kernel the suite
builds has pairwise distinct entries, which rules out every non-trivial permutation of its
indices; :func:`assert_discriminating` proves it for each kernel before use.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .backend import Array

__all__ = [
    "assert_discriminating",
    "discriminating",
    "impulse",
    "random_values",
]


def _integer_range(dtype: np.dtype[Any], size: int) -> tuple[int, int]:
    info = np.iinfo(dtype)
    span = max(size, 8)
    low = max(int(info.min), -span) if info.min < 0 else 0
    high = min(int(info.max), span)
    return low, high


def random_values(shape: tuple[int, ...], dtype: Any, rng: np.random.Generator) -> Array:
    """Random values of ``dtype``: normal reals, complex with both parts, small integers."""
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        low, high = _integer_range(dt, 16)
        return rng.integers(low, high, size=shape, endpoint=True).astype(dt)
    if dt.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    return rng.standard_normal(shape).astype(dt)


def discriminating(shape: tuple[int, ...], dtype: Any, rng: np.random.Generator) -> Array:
    """A kernel with pairwise distinct entries (checked): see :func:`assert_discriminating`."""
    dt = np.dtype(dtype)
    size = int(np.prod(shape))
    if dt.kind in "iu":
        low, high = _integer_range(dt, size)
        if high - low + 1 < size:
            raise ValueError(f"{dt} cannot hold {size} distinct values")
        pool = np.arange(low, high + 1)
        pool = pool[pool != 0] if pool.size > size else pool
        values = rng.choice(pool, size=size, replace=False)
    elif dt.kind == "c":
        values = rng.permutation(size) + 1 + 1j * (rng.permutation(size) - size / 2)
        values = values + 0.25j
    else:
        values = rng.permutation(size) + 1 + rng.uniform(0.1, 0.9, size)
        values = values * rng.choice([-1, 1], size)
    kernel = values.reshape(shape).astype(dt)
    assert_discriminating(kernel)
    return kernel


def assert_discriminating(v: Array) -> None:
    """Raise unless ``v`` differs from its flip along every axis subset and its transposes.

    Axes of length 1 cannot be flipped or transposed visibly and are left out (ND-4).
    """
    flippable = [axis for axis, n in enumerate(v.shape) if n > 1]
    for count in range(1, len(flippable) + 1):
        for axes in itertools.combinations(flippable, count):
            if np.array_equal(np.flip(v, axis=axes), v):
                raise AssertionError(f"ND-4: kernel equals its flip along axes {axes}: {v!r}")
    for perm in itertools.permutations(range(v.ndim)):
        if all(v.shape[axis] == 1 for axis, p in enumerate(perm) if p != axis):
            continue  # moves only length-1 axes (or none): the same index set
        if tuple(v.shape[p] for p in perm) == v.shape and np.array_equal(np.transpose(v, perm), v):
            raise AssertionError(f"ND-4: kernel equals its transpose {perm}: {v!r}")


def impulse(shape: tuple[int, ...], position: tuple[int, ...], dtype: Any) -> Array:
    """Zeros with a single one at ``position``."""
    x = np.zeros(shape, dtype=dtype)
    x[position] = 1
    return x


def ranks_of(ranks: tuple[int, ...] | None, limit: int = 3) -> list[int]:
    """The ranks to test: the declared ones up to ``limit`` (``None``: 1 .. limit)."""
    if ranks is None:
        return list(range(1, limit + 1))
    return sorted(r for r in ranks if r <= limit)


def random_shape_pair(
    rank: int, rng: np.random.Generator, max_n: int, allow_k_gt_n: bool = True
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes of ``a`` and ``v``: per axis ``N`` in 1..max_n and ``K`` in 1..N (or beyond)."""
    per_axis_max = max(2, round(max_n ** (1 / rank))) if rank > 1 else max_n
    a_shape, v_shape = [], []
    for _ in range(rank):
        n = int(rng.integers(1, per_axis_max + 1))
        k_max = n + 3 if allow_k_gt_n else n
        a_shape.append(n)
        v_shape.append(int(rng.integers(1, k_max + 1)))
    return tuple(a_shape), tuple(v_shape)
