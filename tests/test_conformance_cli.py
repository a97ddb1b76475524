"""The ``convspec`` command: exit statuses 0, 1 and 2, and the reports it writes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
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
        ["check", "numpy", "--timeout", "nan"],
        ["check", "numpy", "--timeout", "inf"],
        ["check", "numpy", "--timeout", "-1"],
        ["check", "numpy", "--seed", "-1"],
        ["check", "numpy", "--seed", "1.5"],
        ["check", "numpy", "--jobs", "0"],
        ["check", "numpy", "--jobs", "two"],
        ["check", "numpy", "--jobs", "2", "--in-process"],
        ["check", "numpy", "--budget", "0"],
        ["check", "numpy", "--budget", "inf"],
        ["check", "numpy", "--report", "json", "/nonexistent/x.json"],
        ["check", "numpy", "--report", "json", "same.out", "--report", "md", "same.out"],
        ["check", "numpy", "--report", "json", "a.json", "--report", "json", "b.json"],
        ["check", "numpy", "--report", "md", "/"],
        ["check", "numpy", "-k", "NO-SUCH-CLAUSE"],
        ["check", "no.such.module:backend"],
        [],
    ],
)
def test_usage_errors_exit_2(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    assert status == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1, captured.err  # one line, no traceback
    assert "Traceback" not in captured.err and not captured.out
    assert time.monotonic() - started < 10  # found before the run, not after it
    assert not list(tmp_path.iterdir())  # and nothing was written


def test_report_paths_are_checked_before_the_run_in_a_subprocess(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "convspec.conformance", "check", "numpy", "--profile", "full"]
    done = subprocess.run(
        [*command, "--report", "json", str(tmp_path / "missing" / "x.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "does not exist" in done.stderr
    assert done.stderr.count("\n") == 1 and not done.stdout


def _write_limited(tmp_path: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """Write a report with the file size limited to ``limit`` bytes (as a full disk would)."""
    code = f"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from convspec.conformance.cli import main
sys.exit(main(["check", "numpy", "-k", "MODE-*", "--in-process",
               "--report", "json", {str(tmp_path / "r.json")!r}]))
"""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_reports_are_replaced_atomically(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text('{"old": "report"}')
    done = _write_limited(tmp_path, 4096)  # the new report is larger than 4 kB
    assert "could not write a report" in done.stderr
    assert report.read_text() == '{"old": "report"}'  # neither truncated nor half-written
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary left behind
    # The report written when the run starts fails already: nothing runs, exit 2.
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_a_report_is_marked_unfinished_until_the_run_ends(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text('{"verdict": "conformant"}')  # an old report that looks current
    command = [sys.executable, "-m", "convspec.conformance", "check", "numpy", "--profile", "full"]
    process = subprocess.Popen(
        [*command, "--report", "json", str(report)], stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "not finished" not in report.read_text():
            time.sleep(0.1)
        process.kill()  # SIGKILL: no handler runs
    finally:
        process.wait(30)
    document = json.loads(report.read_text())
    _validate(document)
    assert document["verdict"] == "incomplete" and document["incomplete"].startswith("not finished")


def test_a_stale_failures_file_is_removed(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    stale = tmp_path / "r.failures.npz"
    stale.write_bytes(b"old failures")
    assert (
        main(["check", "numpy", "-k", "CONV-4", "--in-process", "--report", "json", str(report)])
        == 0
    )
    assert not stale.exists() and json.loads(report.read_text())["failures_file"] is None


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


def test_terminal_table_leaves_out_clauses_no_operation_has(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """numpy has no layer: the LAYER rows would be n/a in every column, so they are counted,
    not printed, while a clause that applies to one of its operations (CONV-1) stays."""
    assert main(["check", "numpy", "--profile", "quick", "--in-process"]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.splitlines() if line[:1].isupper()]
    assert "CONV-1" in rows and "CORR-1" in rows
    assert not any(row.startswith("LAYER-") for row in rows)
    assert "apply to none of these operations (n/a), not shown: " in out
    assert "LAYER-1..13" in out


def test_terminal_table_comes_in_blocks_that_fit_the_width() -> None:
    from convspec.conformance import run
    from convspec.conformance.report import TERMINAL_WIDTH, terminal

    pytest.importorskip("scipy")
    result = run("scipy-ndimage", select=["CONV-4"])
    blocks = [b for b in terminal(result).split("\n\n") if b.startswith("clause ")]
    assert len(blocks) > 1  # 34 operations do not fit in one block
    rows = [line for block in blocks for line in block.splitlines() if "(n/a)" not in line]
    assert max(map(len, rows)) <= TERMINAL_WIDTH
    columns = [block.splitlines()[0].split()[2:] for block in blocks]
    assert sum(map(len, columns)) == len(result.backend.operations)  # each column once


def test_run_takes_a_backend_object_and_check_returns_the_result() -> None:
    from convspec.conformance import check, load_backend, run
    from convspec.conformance.mutants import TRANSPOSES

    numpy_backend = load_backend("numpy")
    result = run(numpy_backend, select=["CONV-4"])
    assert result and result.conformant and result.cases
    assert {c.check for c in result.cases} == {"convolution.impulse_response"}
    wrong = run(TRANSPOSES, select=["ND-2"])  # an object: called in this process
    assert not wrong and wrong.failures and wrong.groups
    failing = [i for i, r in enumerate(wrong.results) if r.status == "fail"]
    assert sorted(wrong.diagnoses) == [f"case{i:04d}" for i in failing]  # one per failure
    assert all(wrong.diagnoses.values())
    checked = check("numpy")
    assert checked and checked.verdict == "conformant"
    with pytest.raises(TypeError, match="argument 'backend' must be a Backend"):
        run(42)  # type: ignore[arg-type]
