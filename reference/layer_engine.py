"""The layers' fast path: im2col and col2im around one matrix product per group (BLAS).

Every function here computes exactly the sums of :mod:`convspec.layers`'s literal
implementation, in another order; the tests prove them equal.  Callers validate the
arguments and choose the compute dtype (float64 or complex128 for real data, an exact dtype
for integers).

* :func:`conv_blas` (im2col).  The data are padded with zeros once; a strided view
  (no copy) lays out, for every output position ``p`` and tap ``k``, the sample
  ``x[b, c, p s + k d - pad_before]``.  A piece of that view (some batch elements and
  output rows, at most ``_CHUNK_BYTES``) is copied into a column buffer of shape
  ``(C_in / groups * prod(K), positions)``, and the kernel of each group, a
  ``(C_out / groups, C_in / groups * prod(K))`` matrix, multiplies it.  The padding zeros
  are structural: they add nothing to a finite sum.
* :func:`conv_transpose_blas` (col2im).  The kernel's transpose multiplies the data of each
  group, giving every product sum ``sum_i x[b, i, p] w[i, j, k]`` at once; then each tap
  ``k`` adds its plane into the output at ``p s + k d - pad_before`` (a strided slice).
* :func:`conv_taps` and :func:`conv_transpose_taps` form each in-box product on its own,
  one pass per tap and channel, with no structural zero and no matrix product: for data
  with inf or NaN (``0 * inf`` is NaN) or whose partial sums could overflow.

Memory: the padded copy of the data, the output, and one column buffer of at most
``_CHUNK_BYTES`` (or one batch element's output row, if that is larger).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["Geometry", "conv_blas", "conv_taps", "conv_transpose_blas", "conv_transpose_taps"]

Array = np.ndarray[Any, np.dtype[Any]]
Pads = tuple[tuple[int, int], ...]

# Most bytes of one column buffer (im2col) or product buffer (col2im).
_CHUNK_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Geometry:
    """Where a layer's windows lie: per spatial axis the stride, dilation and (before, after)
    pad (a crop, for a transposed layer); the groups; the output's spatial shape."""

    strides: tuple[int, ...]
    dilations: tuple[int, ...]
    pads: Pads
    groups: int
    out_spatial: tuple[int, ...]


def _tap_range(offset: int, n: int, s: int, lo: int, hi: int) -> tuple[int, int]:
    """The ``p`` in ``[lo, hi)`` with ``0 <= p s + offset < n``, as ``[start, stop)``."""
    start = max(lo, -(offset // s))  # ceil(-offset / s)
    stop = min(hi, (n - 1 - offset) // s + 1)
    return start, max(start, stop)


def _tap_slices(
    tap: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    pads: Pads,
    box: tuple[int, ...],
    ranges: tuple[tuple[int, int], ...],
) -> tuple[tuple[slice, ...], tuple[slice, ...]] | None:
    """Slices of the positions ``p`` (within ``ranges``) whose index ``p s + k d - pad`` lies in
    ``box``, and of those indices; None if there are none."""
    p_slices, index_slices = [], []
    for k, s, d, (before, _), n, (lo, hi) in zip(
        tap, strides, dilations, pads, box, ranges, strict=True
    ):
        offset = k * d - before
        start, stop = _tap_range(offset, n, s, lo, hi)
        if start == stop:
            return None
        p_slices.append(slice(start, stop))
        index_slices.append(slice(start * s + offset, (stop - 1) * s + offset + 1, s))
    return tuple(p_slices), tuple(index_slices)


def _pieces(batch: int, rows: int, bytes_per_row: int) -> Iterator[tuple[int, int, int, int]]:
    """``(b0, b1, r0, r1)``: whole batch elements while they fit the budget, else row ranges."""
    per_batch = rows * bytes_per_row
    if per_batch <= _CHUNK_BYTES:
        step = max(1, _CHUNK_BYTES // max(per_batch, 1))
        for b in range(0, batch, step):
            yield b, min(b + step, batch), 0, rows
        return
    step = max(1, _CHUNK_BYTES // bytes_per_row)
    for b in range(batch):
        for r in range(0, rows, step):
            yield b, b + 1, r, min(r + step, rows)


def _padded(x: Array, pads: Pads, compute: np.dtype[Any]) -> Array:
    """``x`` in ``compute`` with zeros around each spatial axis."""
    shape = (*x.shape[:2], *(n + b + a for n, (b, a) in zip(x.shape[2:], pads, strict=True)))
    padded = np.zeros(shape, dtype=compute)
    inner = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape[2:], pads, strict=True))
    padded[(slice(None), slice(None), *inner)] = x
    return padded


def conv_blas(x: Array, w: Array, geometry: Geometry, compute: np.dtype[Any]) -> Array:
    """The layer's sums by im2col and one matrix product per group and piece."""
    strides, dilations, pads = geometry.strides, geometry.dilations, geometry.pads
    groups, out_spatial = geometry.groups, geometry.out_spatial
    batch, c_in = x.shape[:2]
    c_out, c_group, *kernel = w.shape
    o_group = c_out // groups
    padded = _padded(x, pads, compute)
    # (B, C, *K, *P) -> padded[b, c, p s + k d]: a view, no copy.
    st = padded.strides
    windows = as_strided(
        padded,
        shape=(batch, c_in, *kernel, *out_spatial),
        strides=(
            st[0],
            st[1],
            *(st[2 + i] * d for i, d in enumerate(dilations)),
            *(st[2 + i] * s for i, s in enumerate(strides)),
        ),
        writeable=False,
    )
    taps = math.prod(kernel)
    rest = math.prod(out_spatial[1:])
    out = np.empty((batch, c_out, *out_spatial), dtype=compute)
    matrices = w.astype(compute, copy=False).reshape(groups, o_group, c_group * taps)
    itemsize = compute.itemsize
    buffer = np.empty(0, dtype=compute)
    kernel_axes = (slice(None),) * len(kernel)
    for b0, b1, r0, r1 in _pieces(batch, out_spatial[0], c_group * taps * rest * itemsize):
        size = (b1 - b0) * c_group * taps * (r1 - r0) * rest
        if buffer.size < size:
            buffer = np.empty(size, dtype=compute)
        for g in range(groups):
            channels = slice(g * c_group, (g + 1) * c_group)
            piece = windows[(slice(b0, b1), channels, *kernel_axes, slice(r0, r1))]
            columns = buffer[:size].reshape(piece.shape)
            columns[...] = piece
            products = columns.reshape(b1 - b0, c_group * taps, (r1 - r0) * rest)
            target = out[b0:b1, g * o_group : (g + 1) * o_group, r0:r1]
            if target.flags.c_contiguous:
                np.matmul(matrices[g], products, out=target.reshape(b1 - b0, o_group, -1))
            else:
                target[...] = (matrices[g] @ products).reshape(target.shape)
    return out


def conv_taps(x: Array, w: Array, geometry: Geometry, compute: np.dtype[Any]) -> Array:
    """The layer's sums with each in-box product formed on its own (non-finite data)."""
    strides, dilations, pads = geometry.strides, geometry.dilations, geometry.pads
    groups, out_spatial = geometry.groups, geometry.out_spatial
    c_out, c_group, *kernel = w.shape
    o_group = c_out // groups
    data, weights = x.astype(compute, copy=False), w.astype(compute, copy=False)
    out = np.zeros((x.shape[0], c_out, *out_spatial), dtype=compute)
    spread = (1, o_group) + (1,) * len(out_spatial)
    ranges = tuple((0, p) for p in out_spatial)
    for tap in np.ndindex(*kernel):
        found = _tap_slices(tap, strides, dilations, pads, x.shape[2:], ranges)
        if found is None:
            continue
        positions, indices = found
        for g in range(groups):
            outputs = slice(g * o_group, (g + 1) * o_group)
            target = out[(slice(None), outputs, *positions)]
            for c in range(c_group):
                channel = g * c_group + c
                sample = data[(slice(None), slice(channel, channel + 1), *indices)]
                target += weights[(outputs, c, *tap)].reshape(spread) * sample
    return out


def conv_transpose_blas(x: Array, w: Array, geometry: Geometry, compute: np.dtype[Any]) -> Array:
    """The transposed layer's scatter sums by one matrix product per group and col2im."""
    strides, dilations, pads = geometry.strides, geometry.dilations, geometry.pads
    groups, out_spatial = geometry.groups, geometry.out_spatial
    batch, c_in, *spatial = x.shape
    _, o_group, *kernel = w.shape
    c_group = c_in // groups
    taps = math.prod(kernel)
    rest = math.prod(spatial[1:])
    data = x.astype(compute, copy=False)
    # matrices[g] is (C_out/groups * prod(K), C_in/groups): w of group g, transposed.
    matrices = np.swapaxes(
        w.astype(compute, copy=False).reshape(groups, c_group, o_group * taps), 1, 2
    )
    out = np.zeros((batch, groups * o_group, *out_spatial), dtype=compute)
    for b0, b1, r0, r1 in _pieces(batch, spatial[0], o_group * taps * rest * compute.itemsize):
        ranges = ((r0, r1), *((0, n) for n in spatial[1:]))
        for g in range(groups):
            inputs = data[b0:b1, g * c_group : (g + 1) * c_group, r0:r1]
            products = (matrices[g] @ inputs.reshape(b1 - b0, c_group, -1)).reshape(
                b1 - b0, o_group, *kernel, r1 - r0, *spatial[1:]
            )
            target = out[b0:b1, g * o_group : (g + 1) * o_group]
            for tap in np.ndindex(*kernel):
                found = _tap_slices(tap, strides, dilations, pads, out_spatial, ranges)
                if found is None:
                    continue
                positions, indices = found
                local = (slice(positions[0].start - r0, positions[0].stop - r0), *positions[1:])
                target[(slice(None), slice(None), *indices)] += products[
                    (slice(None), slice(None), *tap, *local)
                ]
    return out


def conv_transpose_taps(x: Array, w: Array, geometry: Geometry, compute: np.dtype[Any]) -> Array:
    """The transposed layer's scatter sums, each product formed on its own (non-finite data)."""
    strides, dilations, pads = geometry.strides, geometry.dilations, geometry.pads
    groups, out_spatial = geometry.groups, geometry.out_spatial
    batch, c_in, *spatial = x.shape
    _, o_group, *kernel = w.shape
    c_group = c_in // groups
    data, weights = x.astype(compute, copy=False), w.astype(compute, copy=False)
    out = np.zeros((batch, groups * o_group, *out_spatial), dtype=compute)
    spread = (1, o_group) + (1,) * len(spatial)
    ranges = tuple((0, n) for n in spatial)
    for tap in np.ndindex(*kernel):
        found = _tap_slices(tap, strides, dilations, pads, out_spatial, ranges)
        if found is None:
            continue
        positions, indices = found
        for i in range(c_in):
            g = i // c_group
            target = out[(slice(None), slice(g * o_group, (g + 1) * o_group), *indices)]
            sample = data[(slice(None), slice(i, i + 1), *positions)]
            target += weights[(i, slice(None), *tap)].reshape(spread) * sample
    return out
