"""The exact oracle's cost next to the fast path's.

``convspec.exact_convolve`` (exact products by TwoProduct, ``math.fsum`` per element,
Python integers where needed) against ``convspec.convolve`` (float64 BLAS) and
``numpy.convolve``, on the sizes the conformance suite uses for its large cases.

Usage::

    python bench/bench_oracle.py            # all sizes
    python bench/bench_oracle.py --repeat 1
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import convspec

Array = np.ndarray[Any, np.dtype[Any]]

# (label, a shape, v shape, dtype)
CASES: list[tuple[str, tuple[int, ...], tuple[int, ...], str]] = [
    ("1-D", (1000,), (16,), "float64"),
    ("1-D", (2000,), (64,), "float32"),
    ("1-D", (2000,), (64,), "float64"),
    ("1-D", (4096,), (7,), "float64"),
    ("1-D", (513,), (512,), "float64"),
    ("1-D", (100_000,), (16,), "float64"),
    ("1-D complex", (2000,), (64,), "complex128"),
    ("1-D int64", (100_000,), (64,), "int64"),
    ("2-D", (96, 80), (7, 6), "float64"),
    ("3-D", (24, 20, 16), (4, 3, 5), "float32"),
]


def best_time(function: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def operands(a_shape: tuple[int, ...], v_shape: tuple[int, ...], dtype: str) -> tuple[Array, Array]:
    rng = np.random.default_rng(0)
    if dtype == "int64":
        return rng.integers(-1000, 1000, a_shape), rng.integers(-1000, 1000, v_shape)
    a, v = rng.standard_normal(a_shape), rng.standard_normal(v_shape)
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal(a_shape)
        v = v + 1j * rng.standard_normal(v_shape)
    return a.astype(dtype), v.astype(dtype)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The exact oracle's cost vs the fast path.")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    args = parser.parse_args(argv)

    header = (
        f"{'case':<12} {'a':>14} {'v':>10} {'dtype':>10} {'products':>10} "
        f"{'fast ms':>9} {'numpy ms':>9} {'oracle ms':>10} {'oracle/fast':>11} {'ns/product':>10}"
    )
    print(header)
    print("-" * len(header))
    for label, a_shape, v_shape, dtype in CASES:
        a, v = operands(a_shape, v_shape, dtype)
        products = math.prod(a_shape) * math.prod(v_shape)
        fast = best_time(lambda a=a, v=v: convspec.convolve(a, v), args.repeat)
        oracle = best_time(lambda a=a, v=v: convspec.exact_convolve(a, v), args.repeat)
        numpy_ms = "—"
        if len(a_shape) == 1:
            numpy_ms = f"{1e3 * best_time(lambda a=a, v=v: np.convolve(a, v), args.repeat):9.2f}"
        print(
            f"{label:<12} {a_shape!s:>14} {v_shape!s:>10} {dtype:>10} {products:>10,} "
            f"{1e3 * fast:9.2f} {numpy_ms:>9} {1e3 * oracle:10.2f} {oracle / fast:11.0f} "
            f"{1e9 * oracle / products:10.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
