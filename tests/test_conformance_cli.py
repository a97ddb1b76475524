"""The ``convspec`` command: exit statuses 0, 1 and 2, and the reports it writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convspec.conformance.cli import main
from convspec.conformance.report import SCHEMA_PATH

MUTANT = "convspec.conformance.mutants:CORRELATES"


def _validate(document: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))


def test_conformant_backend_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "numpy", "-k", "CONV-4", "-k", "CORR-2", "--in-process"]) == 0
    out = capsys.readouterr().out
    assert "CONFORMANT" in out and "CONV-4" in out


def test_nonconformant_backend_exits_1_with_a_reproduction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    md = tmp_path / "report.md"
    status = main(
        [
            "check",
            MUTANT,
            "-k",
            "CONV-4",
            "--report",
            "json",
            str(report),
            "--report",
            "md",
            str(md),
        ]
    )
    assert status == 1
    out = capsys.readouterr().out
    assert "computes cross-correlation (kernel not flipped)" in out
    assert "reproduce:" in out and "first differing index" in out
    document = json.loads(report.read_text())
    _validate(document)
    assert document["verdict"] == "not conformant"
    conv4 = next(c for c in document["clauses"] if c["id"] == "CONV-4")
    assert conv4["operations"]["convolve"]["status"] == "fail"
    arrays = np.load(tmp_path / document["failures_file"])
    first = document["failures"][0]["key"]
    assert {f"{first}_a", f"{first}_v", f"{first}_expected", f"{first}_actual"} <= set(arrays.files)
    assert "**FAIL**" in md.read_text()


def test_reproduction_runs_and_shows_the_failure(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", MUTANT, "-k", "CONV-4", "--in-process"])
    out = capsys.readouterr().out
    block = out.split("  reproduce:\n", 1)[1].split("\n\n", 1)[0]
    code = "\n".join(line[4:] for line in block.splitlines() if not line.startswith("    #"))
    namespace: dict = {}
    exec(code + "\nassert not np.allclose(actual, expected)", namespace)


def test_json_report_of_a_conformant_run_validates(tmp_path: Path) -> None:
    report = tmp_path / "numpy.json"
    assert (
        main(["check", "numpy", "-k", "MODE-*", "--in-process", "--report", "json", str(report)])
        == 0
    )
    document = json.loads(report.read_text())
    _validate(document)
    assert document["verdict"] == "conformant" and document["failures_file"] is None
    assert {c["id"] for c in document["clauses"]} >= {"CONV-1", "MODE-4", "NUM-4"}


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "no-such-backend"],
        ["check", "numpy", "--report", "xml", "out.xml"],
        ["check", "numpy", "--profile", "huge"],
        ["check", "numpy", "--timeout", "0"],
        ["check", "numpy", "-k", "NO-SUCH-CLAUSE"],
        ["check", "no.such.module:backend"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    assert status == 2


def test_backends_lists_numpy_with_its_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "convspec.conformance", "backends"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert rows["numpy"][0] == np.__version__
