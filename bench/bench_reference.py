"""Speed and memory of convspec's fast path against numpy and scipy, measured in one run.

Run ``python bench/bench_reference.py`` (or ``nox -s bench``).  For three cases in full and
valid mode it prints the best wall time of ``convspec.convolve`` and ``convspec.correlate``
and of every competitor that computes the same thing, the ratio ``convspec / fastest
competitor``, and the verdict against the targets of the reference implementation:

* (a) 1-D, N = 10**6, K = 33 and (b) 2-D, 1024 x 1024 with 7 x 7: no slower than the fastest
  of numpy.convolve / numpy.correlate, scipy.signal.convolve / correlate(method="direct")
  and scipy.signal.convolve2d / correlate2d;
* (c) 3-D, 128**3 with 5**3: within 2x of scipy.signal's direct method;
* peak memory (tracemalloc) of the convspec call at most 3x the output's size;
* cost growing as N * K: time / (N * K) does not grow as N or K grows.

convspec's matrix products run in numpy's BLAS, which may use several threads; numpy's and
scipy's direct loops use one.  convspec is timed as the user gets it (BLAS as configured)
and, when threadpoolctl is installed, also with BLAS held to one thread: equal footing, and
the figure that holds on a machine whose other cores are busy.  The load average is printed
before and after, since other work on the machine slows threaded BLAS most.

Every competitor's output is checked against convspec's before its time is trusted.  This
is a benchmark that prints figures, never a test that fails on a slow machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import time
import tracemalloc
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any, TypeVar

import numpy as np

import convspec

try:
    import scipy
    import scipy.signal as scipy_signal
except ImportError:  # scipy is an optional extra: its rows are left out
    scipy = None
    scipy_signal = None

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # optional: without it the one-thread column is left out
    threadpool_info = None
    threadpool_limits = None

Array = np.ndarray[Any, np.dtype[Any]]
Kernel = Callable[[Array, Array, str], Array]
Name = TypeVar("Name", bound=Hashable)


@dataclass(frozen=True)
class Case:
    label: str
    a_shape: tuple[int, ...]
    v_shape: tuple[int, ...]
    limit: float  # largest acceptable ratio convspec / reference competitor
    reference: str  # "fastest" competitor, or "direct" (scipy.signal's direct method)


CASES = [
    Case("(a) 1-D", (10**6,), (33,), 1.0, "fastest"),
    Case("(b) 2-D", (1024, 1024), (7, 7), 1.0, "fastest"),
    Case("(c) 3-D", (128, 128, 128), (5, 5, 5), 2.0, "direct"),
]
MODES = ("full", "valid")
OPERATIONS = ("convolve", "correlate")


def competitors(operation: str, rank: int) -> dict[str, Kernel]:
    """The library functions that compute ``operation`` with the spec's conventions."""
    found: dict[str, Kernel] = {}
    if rank == 1:
        found[f"numpy.{operation}"] = getattr(np, operation)
    if scipy_signal is not None:
        found[f"scipy.signal.{operation}(direct)"] = partial(
            _scipy_direct, getattr(scipy_signal, operation)
        )
        if rank == 2:
            found[f"scipy.signal.{operation}2d"] = getattr(scipy_signal, f"{operation}2d")
    return found


def _scipy_direct(func: Any, a: Array, v: Array, mode: str) -> Array:
    return func(a, v, mode, method="direct")  # type: ignore[no-any-return]


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Hold BLAS to one thread inside the block (needs threadpoolctl)."""
    assert threadpool_limits is not None
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def peak_memory(func: Callable[[], Array]) -> tuple[int, int]:
    """(peak bytes allocated during ``func()``, bytes of its result), by tracemalloc."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result.nbytes


def blas_summary() -> str:
    """numpy's BLAS and its thread count (threadpoolctl when installed)."""
    if threadpool_info is None:
        names = [
            f"{key}={os.environ[key]}"
            for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
            if key in os.environ
        ]
        return " ".join(["threads unknown (pip install threadpoolctl to see them)", *names])
    pools = [
        f"{pool['internal_api']} {pool.get('version', '?')} ({pool['num_threads']} threads)"
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    ]
    return ", ".join(pools) or "no BLAS pool found"


def load_average() -> str:
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):  # not on every platform
        return "load average unknown"


def print_header() -> None:
    versions = f"numpy {np.__version__}"
    versions += f", scipy {scipy.__version__}" if scipy is not None else ", scipy absent"
    print(f"convspec {convspec.__version__}; {versions}; Python {platform.python_version()}")
    print(f"CPU: {platform.machine()}, {os.cpu_count()} cores; BLAS: {blas_summary()}")
    print(f"Before: {load_average()}")


def elapsed(func: Callable[[], object], one_thread: bool = False) -> float:
    """Wall time of one call of ``func`` (with BLAS held to one thread if asked)."""
    with one_blas_thread() if one_thread else contextlib.nullcontext():
        start = time.perf_counter()
        func()
        return time.perf_counter() - start


def interleaved_best(
    calls: Mapping[Name, Callable[[], float]], repeats: int, budget: float = 3.0
) -> dict[Name, float]:
    """Best time of each call, timed in rounds that run every call once.

    Interleaving makes a burst of load on the machine hit convspec and its competitors
    alike.  At least ``repeats`` rounds and ``budget`` seconds, at most 50 rounds; two
    rounds when one round takes over 10 seconds.
    """
    best = dict.fromkeys(calls, float("inf"))
    spent, rounds = 0.0, 0
    while True:
        round_time = 0.0
        for name, call in calls.items():
            seconds = call()
            best[name] = min(best[name], seconds)
            round_time += seconds
        spent, rounds = spent + round_time, rounds + 1
        if rounds >= 50 or (rounds >= repeats and spent >= budget):
            return best
        if rounds >= 2 and round_time > 10.0:
            return best


def speed_table(repeats: int, rng: np.random.Generator) -> list[str]:
    """Time every case, mode and operation; print rows; return the verdict lines."""
    print(
        f"\nSpeed, seconds (best of >= {repeats} interleaved rounds); ratio = convspec / "
        "reference competitor (the fastest; scipy direct for (c)); "
        "'1 thr' = BLAS held to one thread"
    )
    print(
        f"{'case':8} {'mode':5} {'operation':9} {'convspec':>8} {'1 thr':>8}  "
        f"{'reference competitor':32} {'time':>8} {'ratio':>6} {'1 thr':>6}  others"
    )
    verdicts = []
    for case in CASES:
        a = rng.standard_normal(case.a_shape)
        v = rng.standard_normal(case.v_shape)
        worst, worst_one = 0.0, 0.0
        for mode in MODES:
            for operation in OPERATIONS:
                ours = partial(getattr(convspec, operation), a, v, mode)
                ours_result = ours()
                calls: dict[str, Callable[[], float]] = {"convspec": partial(elapsed, ours)}
                if threadpool_limits is not None:
                    calls["convspec 1 thr"] = partial(elapsed, ours, one_thread=True)
                for name, func in competitors(operation, a.ndim).items():
                    theirs = func(a, v, mode)
                    if theirs.shape != ours_result.shape or not np.allclose(
                        theirs, ours_result, rtol=1e-9, atol=1e-9
                    ):
                        print(f"  ! {name} disagrees with convspec: left out")
                        continue
                    calls[name] = partial(elapsed, partial(func, a, v, mode))
                timed = interleaved_best(calls, repeats)
                ours_time = timed.pop("convspec")
                one_time = timed.pop("convspec 1 thr", float("nan"))
                if case.reference == "fastest":
                    reference = min(timed, key=timed.__getitem__, default="")
                else:
                    reference = f"scipy.signal.{operation}(direct)"
                row = f"{case.label:8} {mode:5} {operation:9} {ours_time:8.4f} {one_time:8.4f}  "
                if reference not in timed:
                    print(row + "(no competitor installed)")
                    continue
                ratio, ratio_one = ours_time / timed[reference], one_time / timed[reference]
                worst, worst_one = max(worst, ratio), max(worst_one, ratio_one)
                others = ", ".join(
                    f"{name.removeprefix('scipy.signal.')} {t:.4f}"
                    for name, t in timed.items()
                    if name != reference
                )
                print(
                    f"{row}{reference:32} {timed[reference]:8.4f} {ratio:6.2f} "
                    f"{ratio_one:6.2f}  {others}"
                )
        verdict = f"{case.label}: worst ratio {worst:.2f} (BLAS as configured)"
        if threadpool_limits is not None:
            verdict += f", {worst_one:.2f} (one BLAS thread)"
        verdict += f"; target <= {case.limit:.1f}: " + ("met" if worst <= case.limit else "NOT met")
        if threadpool_limits is not None and worst > case.limit >= worst_one:
            verdict += " as configured; met with one BLAS thread"
        verdicts.append(verdict)
    return verdicts


def memory_table(rng: np.random.Generator) -> list[str]:
    print("\nPeak memory of the convspec call (tracemalloc) / bytes of its output")
    worst = 0.0
    for case in CASES:
        a = rng.standard_normal(case.a_shape)
        v = rng.standard_normal(case.v_shape)
        for mode in MODES:
            for operation in OPERATIONS:
                peak, out = peak_memory(partial(getattr(convspec, operation), a, v, mode))
                worst = max(worst, peak / out)
                print(
                    f"{case.label:8} {mode:5} {operation:9} peak {peak / 2**20:7.1f} MiB  "
                    f"output {out / 2**20:7.1f} MiB  ratio {peak / out:5.2f}"
                )
    verdict = "met" if worst <= 3.0 else "NOT met"
    return [f"memory: worst peak / output {worst:.2f}; target <= 3.0: {verdict}"]


SCALING: dict[str, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {
    "1-D, N = 2**18, K doubles": [((2**18,), (k,)) for k in (8, 16, 32, 64, 128, 256, 512)],
    "1-D, K = 33, N doubles": [((n,), (33,)) for n in (2**16, 2**17, 2**18, 2**19, 2**20)],
    "2-D, 512 x 512, K x K grows": [((512, 512), (k, k)) for k in (3, 5, 7, 9, 13, 17)],
}


def scaling_table(repeats: int, rng: np.random.Generator) -> list[str]:
    """time / (N * K) along series where N or K grows, relative to the first row.

    With one BLAS thread when threadpoolctl is installed: the algorithm's cost, not how
    busy the machine's other cores are.
    """
    threads = "one BLAS thread" if threadpool_limits is not None else "BLAS as configured"
    print(f"\nScaling of convspec.convolve ({threads}): time / (N * K), ns per multiply-add")
    with one_blas_thread() if threadpool_limits is not None else contextlib.nullcontext():
        return _scaling_rows(max(15, repeats), rng)


def _scaling_rows(rounds: int, rng: np.random.Generator) -> list[str]:
    """Each series is timed in interleaved rounds (every row once per round, best kept), so
    a burst of load on the machine touches all rows alike instead of bending the curve."""
    verdicts = []
    for title, shapes in SCALING.items():
        print(f"  {title}")
        calls = {
            (a_shape, v_shape): partial(
                elapsed,
                partial(
                    convspec.convolve, rng.standard_normal(a_shape), rng.standard_normal(v_shape)
                ),
            )
            for a_shape, v_shape in shapes
        }
        per_term = []
        for (a_shape, v_shape), seconds in interleaved_best(calls, rounds, budget=0.0).items():
            per_term.append(seconds / (np.prod(a_shape) * np.prod(v_shape)) * 1e9)
            print(
                f"    a {a_shape!s:12} v {v_shape!s:9} {seconds:9.5f} s  "
                f"{per_term[-1]:7.3f} ns  x{per_term[-1] / per_term[0]:5.2f} of the first"
            )
        growth = max(later / earlier for earlier, later in pairwise(per_term))
        verdict = "no growth beyond N*K" if growth <= 1.5 else "GROWS faster than N*K"
        verdicts.append(
            f"scaling, {title}: largest step-to-step rise of time/(N*K) x{growth:.2f} "
            f"({verdict}; timing noise allowance 1.5)"
        )
    return verdicts


def literal_line(rng: np.random.Generator) -> None:
    a, v = rng.standard_normal(400), rng.standard_normal(9)
    best = interleaved_best(
        {
            "literal": partial(elapsed, partial(convspec.convolve_literal, a, v)),
            "fast": partial(elapsed, partial(convspec.convolve, a, v)),
        },
        repeats=3,
        budget=1.0,
    )
    literal, fast = best["literal"], best["fast"]
    print(
        f"\nLiteral sums vs fast path, 1-D N = 400, K = 9: literal {literal:.4f} s, "
        f"fast {fast:.6f} s ({literal / fast:.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="least timed calls per row")
    parser.add_argument("--seed", type=int, default=0, help="random data seed")
    parser.add_argument(
        "--skip",
        choices=["speed", "memory", "scaling", "literal"],
        action="append",
        default=[],
        help="leave out a section (repeatable)",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print_header()
    if scipy is None:
        print("scipy is not installed: its competitors are left out (pip install scipy)")
    if threadpool_limits is None:
        print("threadpoolctl is not installed: no one-thread column (pip install threadpoolctl)")
    verdicts = []
    if "speed" not in args.skip:
        verdicts += speed_table(args.repeats, rng)
    if "memory" not in args.skip:
        verdicts += memory_table(rng)
    if "scaling" not in args.skip:
        verdicts += scaling_table(args.repeats, rng)
    if "literal" not in args.skip:
        literal_line(rng)
    print(f"\nAfter: {load_average()}")
    print("Verdict")
    for line in verdicts:
        print(f"  {line}")


if __name__ == "__main__":
    main()
