"""The fast path: full N-D convolution, vectorised with numpy and BLAS.

``full_convolution(a, v)`` returns exactly the set of sums the spec defines (CONV-1): every
output element is the sum of the products ``a[m] * v[n - m]`` over the indices where both
factors lie inside their boxes, plus products with structural zeros, which add nothing to a
finite sum.  Only the order of summation differs from
:func:`convspec.convolution.convolve_literal`; the tests prove the two equal (exactly for
integers and dyadic data, within the direct-summation error bound otherwise).

Two strategies:

* **Blocked Toeplitz product** (finite real or complex data).  One operand plays the
  *kernel*, the other the *signal*, and one axis is the *line* axis (the cheapest choice is
  made by :func:`plan_toeplitz`; convolution is commutative and permuting axes permutes the
  result).  Each output line is cut into blocks of ``B`` outputs.  A block needs a window of
  ``B + K - 1`` signal samples (zero outside the signal) from each of the ``P`` signal lines
  the kernel's ``P`` lines meet, and is that window times a ``(P * (B + K - 1)) x B`` banded
  Toeplitz matrix built from the kernel.  So all blocks of all lines are the rows of one
  matrix product (BLAS), written straight into the output.  The windows are copied, a
  chunk at a time, into a buffer of a few megabytes (at most a quarter of the output when
  that is larger), and the matrix is kept to a few megabytes by shortening the blocks for
  big kernels: peak memory stays under twice the output plus a constant.  Work per output
  element is ``P * (B + K - 1)`` multiply-adds with ``B`` bounded, so the cost grows as
  ``N * K``.
* **Shift and add** (non-finite data or data whose products could overflow, and integers
  too large for float64 to hold exactly).  One pass per tap of the smaller operand:
  ``out[window(tap)] += w[tap] * s``.  The Toeplitz matrix holds structural zeros, and
  ``0 * inf`` is NaN, so data with inf or NaN takes this path, which forms only the
  products the spec's sum contains, each rounded on its own (no fused multiply-add hides
  an overflowing product).

Threads: the matrix products run in numpy's BLAS as the user configured it (OpenBLAS uses
every core by default); convspec never changes that.  Where other work keeps the cores
busy, threaded BLAS can be several times slower than one thread: hold it to one with
``threadpoolctl.threadpool_limits(1)`` or ``OPENBLAS_NUM_THREADS=1``.
``bench/bench_reference.py`` times both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .exact import term_count_bound

__all__ = ["ToeplitzPlan", "full_convolution", "plan_toeplitz", "products_cannot_overflow"]

Array = np.ndarray[Any, np.dtype[Any]]

# Most outputs per block along the line axis (blocks of a line are made equal in length).
_BLOCK = 24
# Bytes of the window buffer that feeds one matrix product (or a quarter of the output).
_CHUNK_BYTES = 2 * 2**20
# Most bytes of the Toeplitz matrix: about B times the kernel, so big kernels get short blocks.
_MATRIX_BYTES = 2 * 2**20
# Relative cost of copying one window element, in multiply-adds (for the plan only).
_COPY_COST = 8
# A line axis other than the last reads the signal with a stride: make it earn its place.
_STRIDED_PENALTY = 1.25


def full_convolution(a: Array, v: Array, compute: np.dtype[Any]) -> Array:
    """Full convolution of two validated operands of equal rank, in dtype ``compute``.

    ``compute`` is float64/complex128 (or wider) for the Toeplitz path, or any dtype
    (int64, object) for shift and add.  Integer inputs are the caller's business: see
    :func:`convspec.convolution.convolve` for how it picks an exact dtype.  The result may
    be a view of a slightly larger buffer.
    """
    # IEEE arithmetic is the specified result (NOT-6): inf - inf is NaN without a warning.
    with np.errstate(all="ignore"):
        if compute.kind in "fc" and products_cannot_overflow(a, v, compute):
            return _toeplitz_convolution(a, v, compute)
        signal, kernel = (a, v) if a.size >= v.size else (v, a)
        return _shift_and_add(
            signal.astype(compute, copy=False), kernel.astype(compute, copy=False)
        )


def products_cannot_overflow(
    a: Array, v: Array, compute: np.dtype[Any], terms: int | None = None
) -> bool:
    """Whether all data are finite and no product or partial sum can overflow ``compute``.

    ``terms`` is the most products an output element sums; by default that of a
    convolution of the two shapes (:func:`convspec.exact.term_count_bound`).

    Then every term is finite, so the structural zeros add nothing and the order of the
    sum (and BLAS's fused multiply-adds) cannot turn an overflow into inf or NaN where the
    spec's terms (NOT-6) would give another.
    """
    if terms is None:
        terms = term_count_bound(a.shape, v.shape)
    bound = _largest_magnitude(a) * _largest_magnitude(v) * terms
    return bound <= float(np.finfo(compute).max)  # False for inf and NaN


def _largest_magnitude(x: Array) -> float:
    """An upper bound on ``max |x|`` (sqrt 2 loose for complex); inf or NaN if x holds one."""
    parts = (x.real, x.imag) if x.dtype.kind == "c" else (x,)
    largest = 0.0
    for part in parts:
        high, low = float(part.max()), float(part.min())
        if not (math.isfinite(high) and math.isfinite(low)):
            return math.inf
        largest = max(largest, high, -low)
    return largest * math.sqrt(2) if x.dtype.kind == "c" else largest


def _shift_and_add(signal: Array, kernel: Array) -> Array:
    """Sum ``kernel[tap] * signal`` shifted by ``tap``, one pass per kernel tap."""
    full_shape = tuple(n + k - 1 for n, k in zip(signal.shape, kernel.shape, strict=True))
    out = np.zeros(full_shape, dtype=signal.dtype)
    for tap in np.ndindex(kernel.shape):
        window = tuple(slice(t, t + n) for t, n in zip(tap, signal.shape, strict=True))
        out[window] += kernel[tap] * signal
    return out


@dataclass(frozen=True)
class ToeplitzPlan:
    """How the Toeplitz path splits a convolution: roles, line axis and block length."""

    kernel_is_a: bool  # the first operand plays the kernel (else the second does)
    axis: int  # the line axis
    block: int  # outputs per block along the line axis
    cost: float  # estimated work, in multiply-adds (comparable between plans only)


def plan_toeplitz(
    a_shape: tuple[int, ...], v_shape: tuple[int, ...], itemsize: int = 8
) -> ToeplitzPlan:
    """The cheapest (kernel operand, line axis, block length) for these shapes.

    ``itemsize`` is that of the compute dtype; it bounds the block length so that the
    Toeplitz matrix, ``taps * (B + K - 1) * B`` elements, stays within ``_MATRIX_BYTES``.
    """
    full = tuple(n + k - 1 for n, k in zip(a_shape, v_shape, strict=True))
    best: ToeplitzPlan | None = None
    for kernel_is_a, kernel_shape in ((False, v_shape), (True, a_shape)):
        for axis in reversed(range(len(full))):
            k = kernel_shape[axis]
            line = full[axis]
            taps = math.prod(kernel_shape) // k
            longest = min(_BLOCK, _longest_block(taps, k, itemsize))
            n_blocks = -(-line // longest)
            block = -(-line // n_blocks)  # blocks of equal length, at most `longest`
            width = block + k - 1
            rows = math.prod(full) // line * n_blocks
            penalty = 1.0 if axis == len(full) - 1 else _STRIDED_PENALTY
            cost = penalty * rows * taps * width * (block + _COPY_COST)
            if best is None or cost < best.cost:
                best = ToeplitzPlan(kernel_is_a, axis, block, cost)
    assert best is not None
    return best


def _longest_block(taps: int, k: int, itemsize: int) -> int:
    """Largest ``B >= 1`` with ``taps * (B + K - 1) * B * itemsize <= _MATRIX_BYTES``."""
    limit = _MATRIX_BYTES // (taps * itemsize)
    block = int((math.isqrt((k - 1) ** 2 + 4 * limit) - (k - 1)) // 2)
    return max(1, block)


def _toeplitz_convolution(a: Array, v: Array, compute: np.dtype[Any]) -> Array:
    """Full convolution by blocked Toeplitz products; requires finite data."""
    plan = plan_toeplitz(a.shape, v.shape, compute.itemsize)
    signal, kernel = (v, a) if plan.kernel_is_a else (a, v)
    # Line axis last; a leading axis of length 1 gives 1-D data a row to chunk by.
    signal = np.moveaxis(signal, plan.axis, -1)
    kernel = np.moveaxis(kernel, plan.axis, -1).astype(compute, copy=False)
    if signal.ndim == 1:
        signal, kernel = signal[np.newaxis], kernel[np.newaxis]
    out = _blocked_toeplitz(signal, kernel, plan.block, compute)
    if a.ndim == 1:
        out = out[0]
    return np.moveaxis(out, -1, plan.axis)


def _toeplitz_matrix(kernel: Array, block: int) -> Array:
    """``T[p, c + u, c] = kernel[p][K - 1 - u]``, reshaped to ``(P * (block + K - 1), block)``.

    ``p`` runs over the kernel's lines (its leading indices, flattened).  A window ``w`` of
    ``block + K - 1`` signal samples times ``T[p]`` is the block of outputs
    ``sum over u of w[c + u] * kernel[p][K - 1 - u]``: convolution with line ``p``.
    """
    k = kernel.shape[-1]
    lines = kernel.reshape(-1, k)[:, ::-1]
    width = block + k - 1
    matrix = np.zeros((lines.shape[0], width, block), dtype=kernel.dtype)
    for c in range(block):
        matrix[:, c : c + k, c] = lines
    return matrix.reshape(lines.shape[0] * width, block)


def _blocked_toeplitz(signal: Array, kernel: Array, block: int, compute: np.dtype[Any]) -> Array:
    """Full convolution along every axis, of rank >= 2, lines along the last axis.

    Returns a view of the output buffer, whose line axis is padded to whole blocks.
    """
    *lead_n, n = signal.shape
    *lead_k, k = kernel.shape
    line = n + k - 1
    n_blocks = -(-line // block)
    width = block + k - 1
    taps = math.prod(lead_k)
    lead_full = tuple(p + q - 1 for p, q in zip(lead_n, lead_k, strict=True))
    matrix = _toeplitz_matrix(kernel, block)
    out = np.empty((*lead_full, n_blocks * block), dtype=compute)
    itemsize = out.itemsize

    chunks = _chunks(lead_full, n_blocks, taps * width * itemsize, out.nbytes)
    # One buffer each for the padded signal piece and the windows, reused by every chunk.
    row_chunk = max(stop - start for start, stop, _, _ in chunks)
    block_chunk = max(stop - start for _, _, start, stop in chunks)
    piece_buffer = np.empty(
        math.prod(_piece_shape(signal.shape, kernel.shape, row_chunk, block_chunk, block)),
        dtype=compute,
    )
    window_buffer = np.empty(
        row_chunk * math.prod(lead_full[1:]) * block_chunk * taps * width, dtype=compute
    )
    for row_start, row_stop, block_start, block_stop in chunks:
        piece = _padded_piece(
            signal,
            kernel.shape,
            (row_start, row_stop),
            (block_start, block_stop),
            block,
            piece_buffer,
        )
        # Window of output (row, lines..., block) for kernel line p (row-major, as in the
        # matrix): piece[row + K_0 - 1 - p_0, line + K_d - 1 - p_d ..., block * B :][:width].
        lines = (row_stop - row_start, *lead_full[1:])
        blocks = block_stop - block_start
        shape = (*lines, blocks, *lead_k, width)
        windows = window_buffer[: math.prod(shape)].reshape(shape)
        windows[...] = as_strided(
            piece[tuple(slice(q - 1, None) for q in lead_k)],  # a view at tap 0's start
            shape=shape,
            strides=(
                *piece.strides[:-1],
                block * itemsize,
                *(-stride for stride in piece.strides[:-1]),
                itemsize,
            ),
            writeable=False,
        )
        products = windows.reshape(-1, taps * width)
        target = out[row_start:row_stop, ..., block_start * block : block_stop * block]
        if target.flags.c_contiguous:
            np.matmul(products, matrix, out=target.reshape(-1, block))
        else:
            target[...] = (products @ matrix).reshape(target.shape)
    return out[..., :line]


def _chunks(
    lead_full: tuple[int, ...], n_blocks: int, bytes_per_block: int, out_bytes: int
) -> list[tuple[int, int, int, int]]:
    """``(row_start, row_stop, block_start, block_stop)`` pieces of the output to compute.

    Whole rows (first axis) while their windows fit the buffer budget, which is
    ``_CHUNK_BYTES`` or a quarter of the output, whichever is larger; else single rows cut
    into ranges of blocks.
    """
    budget = max(_CHUNK_BYTES, out_bytes // 4)
    row_bytes = math.prod(lead_full[1:]) * n_blocks * bytes_per_block
    rows = budget // row_bytes
    if rows >= 1:
        return [(r, min(r + rows, lead_full[0]), 0, n_blocks) for r in range(0, lead_full[0], rows)]
    blocks = max(1, budget // (row_bytes // n_blocks))
    return [
        (r, r + 1, b, min(b + blocks, n_blocks))
        for r in range(lead_full[0])
        for b in range(0, n_blocks, blocks)
    ]


def _piece_shape(
    signal_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    rows: int,
    blocks: int,
    block: int,
) -> tuple[int, ...]:
    """Shape of the padded signal piece that ``rows`` rows of ``blocks`` blocks read."""
    *lead_n, _ = signal_shape
    *lead_k, k = kernel_shape
    return (
        rows + lead_k[0] - 1,
        *(p + 2 * (q - 1) for p, q in zip(lead_n[1:], lead_k[1:], strict=True)),
        blocks * block + k - 1,
    )


def _padded_piece(
    signal: Array,
    kernel_shape: tuple[int, ...],
    rows: tuple[int, int],
    blocks: tuple[int, int],
    block: int,
    buffer: Array,
) -> Array:
    """The signal samples that output ``rows`` and ``blocks`` read, zero-padded, in ``buffer``.

    Along every leading axis the signal is padded by ``K - 1`` zeros on both sides (the
    first axis only over the rows' reach); along the line axis the piece covers the windows
    of the blocks, ``block_start * block - (K - 1)`` to ``block_stop * block`` in signal
    coordinates.
    """
    *lead_n, n = signal.shape
    *lead_k, k = kernel_shape
    shape = _piece_shape(
        signal.shape, kernel_shape, rows[1] - rows[0], blocks[1] - blocks[0], block
    )
    piece = buffer[: math.prod(shape)].reshape(shape)
    piece.fill(0)
    first = rows[0] - (lead_k[0] - 1)  # signal row of piece row 0
    col_first = blocks[0] * block - (k - 1)  # signal column of piece column 0
    src_rows = slice(max(first, 0), min(rows[1], lead_n[0]))
    src_cols = slice(max(col_first, 0), min(col_first + shape[-1], n))
    if src_rows.start < src_rows.stop and src_cols.start < src_cols.stop:
        dst = (
            slice(src_rows.start - first, src_rows.stop - first),
            *(slice(q - 1, q - 1 + p) for p, q in zip(lead_n[1:], lead_k[1:], strict=True)),
            slice(src_cols.start - col_first, src_cols.stop - col_first),
        )
        piece[dst] = signal[src_rows, ..., src_cols]
    return piece
