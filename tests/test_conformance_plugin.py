"""The pytest plugin, run as a user runs it: from outside the checkout, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        "convspec.conformance",
        "-p",
        "no:cacheprovider",
        *args,
    ]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_conformant_backend_passes_with_junit_and_clause_selection(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    done = _pytest(
        tmp_path, "--convspec-backend", "numpy", "-k", "CONV-4 or CORR-2", f"--junitxml={junit}"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = [case.get("name") for case in ET.parse(junit).iter("testcase")]
    # the impulse response (CONV-4), the lag order and the declared lags function (CORR-2)
    assert len(names) == 3, names
    assert any("CONV-4" in n for n in names) and any("lag_order-CORR-2" in n for n in names)
    assert any("boundaries.lags" in n for n in names)


def test_nonconformant_backend_fails_with_diagnosis_and_stops_with_x(tmp_path: Path) -> None:
    done = _pytest(
        tmp_path,
        "--convspec-backend",
        "convspec.conformance.mutants:CORRELATES",
        "-x",
        "-k",
        "convolve",
    )
    assert done.returncode == 1
    assert "computes cross-correlation (kernel not flipped)" in done.stdout
    assert "1 failed" in done.stdout


def test_bad_backend_is_one_usage_error(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "--convspec-backend", "no-such-backend")
    assert done.returncode == 4  # pytest's usage error
    assert (done.stdout + done.stderr).count("unknown backend 'no-such-backend'") == 1


def test_without_backend_the_suite_skips(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "-rs")
    assert done.returncode == 0
    assert "1 skipped" in done.stdout and "--convspec-backend" in done.stdout


def test_a_plugin_with_clashing_option_names_leaves_pytest_working(tmp_path: Path) -> None:
    """Another plugin may own --profile and --backend (pytest-profiling has --profile)."""
    (tmp_path / "clashing_plugin.py").write_text(
        "def pytest_addoption(parser):\n"
        "    parser.addoption('--profile', action='store_true')\n"
        "    parser.addoption('--backend', default=None)\n"
    )
    (tmp_path / "test_unrelated.py").write_text("def test_one():\n    assert True\n")
    command = [sys.executable, "-m", "pytest", "-p", "clashing_plugin", "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for extra in ([], ["--profile", "--backend", "x"]):
        done = subprocess.run(
            [*command, *extra, "test_unrelated.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "1 passed" in done.stdout
