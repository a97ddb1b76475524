"""Zero padding to a few shape buckets, so that a compiling library builds one program per bucket.

jax compiles a new program for every new shape (50 to 150 ms on a CPU), and the full
profile has about 6,000 distinct shapes.  Padding both operands with zeros to a handful of
sizes, and cutting the case's output back out of the padded output, lets one compiled
program serve every case in a bucket.  Zeros add nothing to a sum, so for finite operands
the values are those of the unpadded call; only the sign of an exact zero may differ (the
judge does not compare the signs of zeros).

The padding along each axis keeps everything the declaration speaks about:

- which operand is the longer one (numpy-style functions swap their operands when the
  second is longer, and that regime is kept), and whether the two have the same rank;
- in 'same' mode, the parity of the shorter operand, since an odd and an even kernel may be
  aligned differently (MODE-4, MODE-5): a case is never checked at the other parity;
- the mode: the padded call uses the same mode, and the case's output is found inside the
  padded output from the declared windows (``convspec.mode_window``), never assumed.

A case is called at its own shape when padding could change its meaning: an empty operand,
a NaN or an infinity (``0 * inf`` is NaN), operands of different ranks, or an operand longer
on some axes and shorter on others.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from convspec.modes import Alignment, mode_window
from convspec.notation import Mode

Call = Callable[[Any, Any, Mode], Any]


@dataclass(frozen=True)
class Buckets:
    """Smallest bucket sizes (powers of two) of the shorter operand and of the longer one,
    for 1-D cases and for N-D cases."""

    short_1d: int = 64
    long_1d: int = 128
    short_nd: int = 8
    long_nd: int = 16


@dataclass(frozen=True)
class Padding:
    """Zeros before and after each axis of ``a`` and ``v``, and where the case's own output
    lies in the padded call's output."""

    a: tuple[tuple[int, int], ...]
    v: tuple[tuple[int, int], ...]
    output: tuple[slice, ...]


def _power_of_two(n: int, smallest: int) -> int:
    size = smallest
    while size < n:
        size *= 2
    return size


def _short_size(k: int, smallest: int, mode: Mode) -> int:
    """The bucket of the shorter operand: a power of two, or one less for an odd ``k`` in
    'same' mode, where odd and even kernels may be aligned differently (MODE-4, MODE-5)."""
    if k % 2 == 0 or mode != "same":
        return _power_of_two(k, smallest)
    return _power_of_two(k + 1, smallest) - 1


def _axis_padding(
    n: int,
    k: int,
    a_is_long: bool,
    mode: Mode,
    alignment: Alignment,
    convolve: bool,
    short: int,
    long: int,
) -> tuple[tuple[int, int], tuple[int, int], slice] | None:
    """Padding of one axis (of ``a``, of ``v``) and the slice of the case's output, or None.

    The shorter operand gets its zeros after it, before it, or split evenly; the longer one
    before it as many as are needed to keep a 'valid' window inside, the rest after.  The
    first arrangement whose padded output contains the case's output wins.
    """
    short_length, long_length = (k, n) if a_is_long else (n, k)
    start, length = mode_window(n, k, mode, alignment)
    short_bucket = _short_size(short_length, short, mode)
    extra = short_bucket - short_length
    for short_before in dict.fromkeys((0, extra, extra // 2)):
        for long_before in dict.fromkeys((0, short_before, extra - short_before, extra)):
            long_bucket = _power_of_two(max(long_length + long_before, short_bucket + 1), long)
            pad_short = (short_before, extra - short_before)
            pad_long = (long_before, long_bucket - long_length - long_before)
            pad_a, pad_v = (pad_long, pad_short) if a_is_long else (pad_short, pad_long)
            # A full convolution of the padded operands is the case's full output moved
            # by the zeros put before both; a full correlation (lag order of CORR-2) by
            # the zeros before a and after v.
            shift = pad_a[0] + (pad_v[0] if convolve else pad_v[1])
            padded_start, padded_length = mode_window(
                n + sum(pad_a), k + sum(pad_v), mode, alignment
            )
            offset = start + shift - padded_start
            if offset >= 0 and offset + length <= padded_length:
                return pad_a, pad_v, slice(offset, offset + length)
    return None


def _is_finite(x: np.ndarray[Any, Any]) -> bool:
    return x.dtype.kind not in "fc" or bool(np.isfinite(x).all())


def bucket_padding(
    a: np.ndarray[Any, Any],
    v: np.ndarray[Any, Any],
    mode: Mode,
    alignment: Alignment,
    *,
    convolve: bool,
    buckets: Buckets = Buckets(),
) -> Padding | None:
    """The padding that puts this case in a bucket, or None when it must run at its own shape."""
    if a.ndim != v.ndim or a.size == 0 or v.size == 0:
        return None
    if all(n >= k for n, k in zip(a.shape, v.shape, strict=True)):
        a_is_long = True
    elif all(k >= n for n, k in zip(a.shape, v.shape, strict=True)):
        a_is_long = False
    else:
        return None
    if not (_is_finite(a) and _is_finite(v)):
        return None
    short, long = (
        (buckets.short_1d, buckets.long_1d) if a.ndim == 1 else (buckets.short_nd, buckets.long_nd)
    )
    axes = [
        _axis_padding(n, k, a_is_long, mode, alignment, convolve, short, long)
        for n, k in zip(a.shape, v.shape, strict=True)
    ]
    if any(axis is None for axis in axes):
        return None
    pads_a, pads_v, output = zip(*(axis for axis in axes if axis is not None), strict=True)
    return Padding(a=tuple(pads_a), v=tuple(pads_v), output=tuple(output))


def bucketed(
    call: Call, *, convolve: bool, alignment: Alignment, buckets: Buckets = Buckets()
) -> Call:
    """``call(a, v, mode)`` on operands padded to a bucket, its output cut back to the case's."""

    @functools.wraps(call)  # the library call's name, as reports and identify show it
    def run(a: Any, v: Any, mode: Mode) -> Any:
        a, v = np.asarray(a), np.asarray(v)
        padding = bucket_padding(a, v, mode, alignment, convolve=convolve, buckets=buckets)
        if padding is None:
            return call(a, v, mode)
        padded = call(np.pad(a, padding.a), np.pad(v, padding.v), mode)
        return np.ascontiguousarray(np.asarray(padded)[padding.output])

    return run
