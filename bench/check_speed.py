"""How long `convspec check BACKEND --profile full` takes with one worker and with two, and
for jax with a cold and a warm compilation cache; numpy's full profile is timed in the same
run as a yardstick of the machine's load.

    python bench/check_speed.py                 # jax (default)
    python bench/check_speed.py jax-layers scipy-ndimage

Prints one line per run: wall seconds, the ratio to numpy's, and the verdict line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

JAX_BACKENDS = ("jax", "jax-layers")


def timed(backend: str, jobs: int, cache: str | None) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "CONVSPEC_JAX_CACHE_DIR"}
    if cache is not None:
        env["CONVSPEC_JAX_CACHE_DIR"] = cache
    command = [sys.executable, "-m", "convspec.conformance", "check", backend]
    command += ["--profile", "full", "--quiet", "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    verdict = next((line for line in done.stdout.splitlines() if "CONFORMANT" in line), "")
    return seconds, verdict or f"exit {done.returncode}: {done.stderr.strip()[-200:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backends", nargs="*", default=["jax"])
    args = parser.parse_args()
    yardstick, _ = timed("numpy", 1, None)
    print(f"numpy       --jobs 1                {yardstick:7.1f} s  (yardstick)", flush=True)
    for backend in args.backends:
        runs: list[tuple[int, str]] = [(1, "none"), (2, "none")]
        if backend in JAX_BACKENDS:
            runs += [(2, "cold"), (2, "warm"), (1, "warm")]
        with tempfile.TemporaryDirectory() as folder:
            for jobs, cache in runs:
                seconds, verdict = timed(backend, jobs, None if cache == "none" else folder)
                label = f"{backend:<11} --jobs {jobs}  cache {cache:<5}"
                print(
                    f"{label} {seconds:7.1f} s  {seconds / yardstick:5.1f}x numpy  {verdict[:90]}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
