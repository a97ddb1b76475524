"""Whole-process time of ``convspec check numpy`` per profile, with case counts.

Targets (issue 4): quick <= 10 s, full <= 60 s on 2 cores, full with >= 2,000 cases.
Also times the same runs with ``--in-process`` (no worker process, no timeouts) to show
what the isolation costs.  Usage: ``python bench/bench_conformance.py [BACKEND ...]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"quick": 10.0, "full": 60.0}


def check(backend: str, profile: str, in_process: bool) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            sys.executable,
            "-m",
            "convspec.conformance",
            "check",
            backend,
            "--profile",
            profile,
            "--quiet",
            "--report",
            "json",
            str(report),
        ]
        if in_process:
            command.append("--in-process")
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, cwd=folder)
        seconds = time.perf_counter() - started
        return seconds, json.loads(report.read_text())


def main() -> None:
    backends = sys.argv[1:] or ["numpy"]
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    print(
        f"{'backend':<18}{'profile':<9}{'calls':<12}{'cases':>7}{'wall s':>9}{'target':>8}  verdict"
    )
    for backend in backends:
        for profile in ("quick", "full"):
            for in_process in (False, True):
                seconds, report = check(backend, profile, in_process)
                target = f"{TARGETS[profile]:g}" if not in_process else ""
                calls = "in-process" if in_process else "isolated"
                cases = report["summary"]["cases"]
                print(
                    f"{backend:<18}{profile:<9}{calls:<12}{cases:>7}{seconds:>9.1f}{target:>8}"
                    f"  {report['verdict']}"
                )


if __name__ == "__main__":
    main()
