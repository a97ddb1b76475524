"""The fast path: full N-D convolution, vectorised with numpy and BLAS.

``full_convolution(a, v)`` returns exactly the set of sums the spec defines (CONV-1): every
output element is the sum of the products ``a[m] * v[n - m]`` over the indices where both
factors lie inside their boxes, and no other product.  Only the order of summation differs
from :func:`convspec.convolution.convolve_literal`; the tests prove the two equal (exactly
for integers and dyadic data, within the direct-summation error bound otherwise).

Two strategies:

* **Blocked Toeplitz product** (finite real or complex data).  The signal's last axis is cut
  into blocks of length ``B``; one block times a ``B x (B + K - 1)`` Toeplitz matrix built
  from a kernel row is that block's full 1-D convolution, and all blocks and all kernel rows
  go through one matrix product (BLAS).  Block outputs overlap by ``K - 1`` and are added
  into place.  Work is chunked along the signal's first axis so the product's temporary
  stays a few megabytes: peak memory is the output plus a small constant.  Cost per signal
  element is ``prod(K) * (B + K_last - 1) / K_last``, so it grows as ``N * K``.
* **Shift and add** (non-finite data, and integers too large for float64 to hold exactly).
  One pass per tap of the smaller operand: ``out[window(tap)] += w[tap] * s``.  The Toeplitz
  matrix holds structural zeros, and ``0 * inf`` is NaN, so data with inf or NaN takes
  this path, which forms only the products the spec's sum contains.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["full_convolution"]

Array = np.ndarray[Any, np.dtype[Any]]

_MIN_BLOCK = 32
_CHUNK_BYTES = 4 * 2**20


def full_convolution(a: Array, v: Array, compute: np.dtype[Any]) -> Array:
    """Full convolution of two validated operands of equal rank, in dtype ``compute``.

    ``compute`` is float64/complex128 (or wider) for the Toeplitz path, or any dtype
    (int64, object) for shift and add.  Integer inputs are the caller's business: see
    :func:`convspec.convolution.convolve` for how it picks an exact dtype.
    """
    # IEEE arithmetic is the specified result (NOT-6): inf - inf is NaN without a warning.
    with np.errstate(all="ignore"):
        if compute.kind in "fc" and np.isfinite(a).all() and np.isfinite(v).all():
            signal, kernel = (a, v) if a.shape[-1] >= v.shape[-1] else (v, a)
            return _toeplitz_convolution(signal.astype(compute), kernel.astype(compute))
        signal, kernel = (a, v) if a.size >= v.size else (v, a)
        return _shift_and_add(signal.astype(compute), kernel.astype(compute))


def _shift_and_add(signal: Array, kernel: Array) -> Array:
    """Sum ``kernel[tap] * signal`` shifted by ``tap``, one pass per kernel tap."""
    full_shape = tuple(n + k - 1 for n, k in zip(signal.shape, kernel.shape, strict=True))
    out = np.zeros(full_shape, dtype=signal.dtype)
    for tap in np.ndindex(kernel.shape):
        window = tuple(slice(t, t + n) for t, n in zip(tap, signal.shape, strict=True))
        out[window] += kernel[tap] * signal
    return out


def _toeplitz_matrix(kernel: Array, block: int) -> Array:
    """``T[j, p, t] = kernel[p][t - j]``: block ``x`` times ``T[:, p]`` is ``conv(x, kernel[p])``.

    ``p`` runs over the kernel's rows (all its leading indices, flattened); the result is
    reshaped to ``(block, rows * (block + K - 1))`` so one product serves every row.
    """
    k = kernel.shape[-1]
    rows = kernel.reshape(-1, k)
    width = block + k - 1
    matrix = np.zeros((block, rows.shape[0], width), dtype=kernel.dtype)
    for j in range(block):
        matrix[j, :, j : j + k] = rows
    return matrix.reshape(block, rows.shape[0] * width)


def _toeplitz_convolution(signal: Array, kernel: Array) -> Array:
    """Full convolution by blocked Toeplitz products; requires finite data."""
    *lead_n, n = signal.shape
    *lead_k, k = kernel.shape
    block = max(_MIN_BLOCK, k - 1)
    n_blocks = -(-n // block)
    width = block + k - 1
    taps = list(np.ndindex(*lead_k))
    matrix = _toeplitz_matrix(kernel, block)

    lead_full = tuple(p + q - 1 for p, q in zip(lead_n, lead_k, strict=True))
    # Output as blocks: (leading full axes..., n_blocks + 1, block); the last block holds
    # the tail that the final signal block spills over by k - 1.
    out = np.zeros((*lead_full, n_blocks + 1, block), dtype=signal.dtype)

    # Chunk along axis 0 of the blocked signal: rows for N-D, blocks themselves for 1-D.
    per_row = math.prod(lead_n[1:]) * (n_blocks if lead_n else 1)
    row_bytes = per_row * len(taps) * width * signal.itemsize
    rows_total = lead_n[0] if lead_n else n_blocks
    chunk = max(1, _CHUNK_BYTES // max(1, row_bytes))

    padded_len = n_blocks * block
    for start in range(0, rows_total, chunk):
        stop = min(rows_total, start + chunk)
        if lead_n:
            piece = np.zeros((stop - start, *lead_n[1:], padded_len), dtype=signal.dtype)
            piece[..., :n] = signal[start:stop]
            blocks = piece.reshape(-1, block)
        else:
            blocks = np.zeros((stop - start) * block, dtype=signal.dtype)
            segment = signal[start * block : min(n, stop * block)]
            blocks[: segment.size] = segment
            blocks = blocks.reshape(-1, block)
        products = (blocks @ matrix).reshape(-1, len(taps), width)
        if lead_n:
            products = products.reshape(stop - start, *lead_n[1:], n_blocks, len(taps), width)
            for index, tap in enumerate(taps):
                rest = (slice(t, t + m) for t, m in zip(tap[1:], lead_n[1:], strict=True))
                window = (slice(start + tap[0], stop + tap[0]), *rest)
                _overlap_add(out[window], products[..., index, :], block, k)
        else:
            _overlap_add(out[start : stop + 1], products[:, 0, :], block, k)
    flat = out.reshape(*lead_full, (n_blocks + 1) * block)
    return flat[..., : n + k - 1]


def _overlap_add(target: Array, products: Array, block: int, k: int) -> None:
    """Add block products ``(..., blocks, block + k - 1)`` into ``target (..., blocks + 1, block)``.

    The first ``block`` outputs of each block land on that block; the last ``k - 1`` spill
    into the start of the next one (``block >= k - 1`` makes one spill enough).
    """
    target[..., :-1, :] += products[..., :block]
    if k > 1:
        target[..., 1:, : k - 1] += products[..., block:]
