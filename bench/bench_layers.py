"""Speed and memory of convspec.conv against torch's CPU conv2d, measured in one run.

Run ``python bench/bench_layers.py`` (or ``nox -s bench``).  The case of the reference's
target: batch 8, 64 channels in and out, 56 x 56, 3 x 3 kernel, padding 1, stride 1 and 2,
float32 and float64.  For each it prints the best wall time of ``convspec.conv`` and of
``torch.nn.functional.conv2d`` (timed in interleaved rounds, so load on the machine hits both
alike), the ratio ``convspec / torch`` against the target of 2, and the peak memory of the
convspec call (tracemalloc) beside its output's size.

convspec sums float32 data in float64 and rounds once (NOT-5): its float32 case runs double
precision matrix products where torch runs single precision ones, which by itself costs about
2x.  Both use every core they are given: numpy's BLAS as configured, torch's intra-op threads
(printed).  torch's output is checked against convspec's before its time is trusted.  This is
a benchmark that prints figures, never a test that fails on a slow machine.
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np
from bench_reference import elapsed, interleaved_best, peak_memory, print_header

import convspec

try:
    import torch
except ImportError:  # torch is an optional extra: only convspec's times are printed
    torch = None

BATCH, CHANNELS, SIDE, KERNEL = 8, 64, 56, 3
TARGET = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="least interleaved rounds")
    args = parser.parse_args()
    print_header()
    if torch is None:
        print("torch is not installed: no ratios (pip install convspec[torch])")
    else:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads")
    rng = np.random.default_rng(0)
    print(
        f"\nconv2d: x {BATCH} x {CHANNELS} x {SIDE} x {SIDE}, w {CHANNELS} x {CHANNELS} x "
        f"{KERNEL} x {KERNEL}, padding 1; best of >= {args.repeats} interleaved rounds"
    )
    print(
        f"{'dtype':8} {'stride':>6} {'convspec s':>10} {'torch s':>8} {'ratio':>6}  "
        f"{'peak MiB':>8} {'output MiB':>10}  verdict"
    )
    worst = 0.0
    for dtype in ("float32", "float64"):
        x = rng.standard_normal((BATCH, CHANNELS, SIDE, SIDE)).astype(dtype)
        w = rng.standard_normal((CHANNELS, CHANNELS, KERNEL, KERNEL)).astype(dtype)
        for stride in (1, 2):
            ours = partial(convspec.conv, x, w, stride=stride, padding=1)
            result = ours()
            calls = {"convspec": partial(elapsed, ours)}
            if torch is not None:
                tx, tw = torch.from_numpy(x), torch.from_numpy(w)
                theirs = partial(torch.nn.functional.conv2d, tx, tw, stride=stride, padding=1)
                with torch.no_grad():
                    check = theirs().numpy()
                tolerance = 1e-3 if dtype == "float32" else 1e-10
                if check.shape == result.shape and np.allclose(check, result, atol=tolerance):
                    calls["torch"] = partial(elapsed, theirs)
                else:
                    print("  ! torch disagrees with convspec: left out")
            best = interleaved_best(calls, args.repeats)
            peak, out = peak_memory(ours)
            row = f"{dtype:8} {stride:6} {best['convspec']:10.4f} "
            if "torch" in best:
                ratio = best["convspec"] / best["torch"]
                worst = max(worst, ratio)
                verdict = "met" if ratio <= TARGET else "NOT met"
                row += f"{best['torch']:8.4f} {ratio:6.2f}  "
            else:
                verdict = "no ratio"
                row += f"{'-':>8} {'-':>6}  "
            print(f"{row}{peak / 2**20:8.1f} {out / 2**20:10.1f}  {verdict}")
    if torch is not None:
        print(f"\nworst ratio convspec / torch {worst:.2f}; target <= {TARGET:.1f}: "
              + ("met" if worst <= TARGET else "NOT met"))  # fmt: skip


if __name__ == "__main__":
    main()
