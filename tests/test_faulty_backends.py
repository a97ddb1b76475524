"""The faulty-backend catalogue (tests/faulty_backends.py): each fault is reported for what
it is, the run completes, and its report validates -- in a worker and in-process."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import faulty_backends
import numpy as np
import pytest

from convspec.conformance.isolation import CONSECUTIVE_TIMEOUTS, Isolated, worker_path
from convspec.conformance.registry import load
from convspec.conformance.report import SCHEMA_PATH, _finite, markdown, terminal, to_json
from convspec.conformance.runner import RunResult, generate, run

TESTS = Path(__file__).parent
BOTH = ["process", "none"]


def _run(name: str, isolation: str, select: tuple[str, ...] = ("CONV-4",), **kw: Any) -> RunResult:
    reference = f"faulty_backends:{name}"
    backend = getattr(faulty_backends, name)
    return run(backend, reference, select=list(select), isolation=isolation, **kw)  # type: ignore[arg-type]


def _validates(result: RunResult) -> dict[str, Any]:
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(json.dumps(_finite(to_json(result)), allow_nan=False))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    return document


def _all_fail_with(result: RunResult, text: str) -> None:
    assert result.results, "no case ran"
    messages = {r.message for r in result.results}
    assert all(r.status == "fail" for r in result.results), messages
    assert all(text in r.message for r in result.results), messages


@pytest.mark.parametrize("isolation", BOTH)
def test_a_backend_zeroing_its_inputs_is_named_and_not_conformant(isolation: str) -> None:
    result = _run("ZEROES_INPUTS", isolation)
    _all_fail_with(result, "wrote to its input a, v")
    assert not result.conformant
    _validates(result)


@pytest.mark.parametrize("isolation", BOTH)
def test_writing_inputs_after_a_correct_result_fails_only_those_cases(isolation: str) -> None:
    # Expectations come from pristine operands: no case fails by value, each by its write.
    result = _run("WRITES_AFTER", isolation, select=("CONV-4", "MODE-2"))
    _all_fail_with(result, "wrote to its input a ")
    assert not any("outside the bound" in r.message for r in result.results)
    _validates(result)


@pytest.mark.parametrize("isolation", BOTH)
def test_backend_output_is_captured_and_reported(
    isolation: str, capfd: pytest.CaptureFixture[str]
) -> None:
    result = _run("PRINTS", isolation)
    out, err = capfd.readouterr()
    assert result.conformant
    assert "hello" not in out + err and "raw bytes" not in out + err
    for text in ("hello from print()", "and from sys.stderr", "raw bytes on fd 1", "on fd 2"):
        assert all(text in r.output for r in result.results), result.results[0].output
    document = _validates(result)
    assert (
        document["backend_output"]
        and "raw bytes on fd 1" in document["backend_output"][0]["output"]
    )
    shown = terminal(result)
    assert "printed during 12 calls" in shown and "hello" not in shown


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("isolation", BOTH)
def test_children_the_backend_leaves_are_ended_after_each_call(
    isolation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setenv(faulty_backends.PIDS_FILE, str(pids))
    started = time.monotonic()
    result = _run("FORKS", isolation)
    assert result.conformant and time.monotonic() - started < 60
    spawned = [int(p) for p in pids.read_text().split()]
    assert len(spawned) == 2 * len(result.results)
    assert not [p for p in spawned if _alive(p)]
    _validates(result)


def test_a_piped_run_with_a_forking_printing_backend_ends_promptly(tmp_path: Path) -> None:
    """Nothing the backend starts holds convspec's stdout: `| head` ends with the verdict."""
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    for name, status in (("FORKS", 0), ("PRINTS", 0), ("ZEROES_INPUTS", 1)):
        command = (
            f"{sys.executable} -m convspec.conformance check faulty_backends:{name} "
            f"-k CONV-4 | head -c 100; exit ${{PIPESTATUS[0]}}"
        )
        done = subprocess.run(
            ["bash", "-c", command],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            cwd=tmp_path,
        )
        assert done.returncode == status, done.stderr
        assert len(done.stdout) <= 100 and "hello" not in done.stdout
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_repeated_timeouts_cut_the_operation_off() -> None:
    started = time.monotonic()
    result = _run("HANGS", "process", select=("CONV-4", "MODE-2"), timeout=0.5)
    elapsed = time.monotonic() - started
    timed_out = [r for r in result.results if r.status == "fail"]
    assert len(timed_out) == CONSECUTIVE_TIMEOUTS
    assert all("timeout of 0.5 s; convspec killed the worker" in r.message for r in timed_out)
    rest = result.not_run
    assert len(rest) == len(result.results) - CONSECUTIVE_TIMEOUTS > 10
    assert all(
        f"{CONSECUTIVE_TIMEOUTS} calls of convolve in a row timed out" in r.message for r in rest
    )
    assert elapsed < 20 and result.verdict == "not conformant"
    document = _validates(result)
    assert document["summary"]["not_run"] == len(rest)
    assert document["not_run"] == [
        {"operation": "convolve", "reason": rest[0].message, "cases": len(rest)}
    ]


def test_the_budget_ends_the_run() -> None:
    started = time.monotonic()
    result = _run("SLOW", "process", select=("CONV-4", "MODE-2"), budget=1.5)
    assert time.monotonic() - started < 15
    assert result.not_run and all("budget" in r.message for r in result.not_run)
    assert not result.failures and result.verdict == "incomplete"
    assert _validates(result)["verdict"] == "incomplete"


@pytest.mark.parametrize("isolation", BOTH)
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("SYS_EXIT_0", "raised SystemExit(0)"),
        ("SYS_EXIT_3", "raised SystemExit(3)"),
        ("KEYBOARD_INTERRUPT", "raised KeyboardInterrupt (the backend's own"),
        ("PICKLE_PAYLOAD", "returned an array of dtype object"),
        ("UNPICKLABLE", "returned an array of dtype object"),
    ],
)
def test_exits_and_unreadable_results_are_named(isolation: str, name: str, message: str) -> None:
    result = _run(name, isolation)
    _all_fail_with(result, message)
    assert result.restarts == 0  # caught in the worker, which went on
    _validates(result)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("OS_EXIT_0", "ended its interpreter with exit status 0"),
        ("SEGFAULT", "killed by SIGSEGV (a crash in native code)"),
        ("SIGKILL_SELF", "killed by SIGKILL (not sent by convspec"),
        ("EXIT_LEAVING_A_CHILD", "ended its interpreter with exit status 5"),
    ],
)
def test_deaths_are_named_by_cause_not_as_convspecs_kill(name: str, message: str) -> None:
    started = time.monotonic()
    result = _run(name, "process", timeout=60)
    _all_fail_with(result, message)
    assert result.restarts == len(result.results)
    assert time.monotonic() - started < 60  # a child holding the pipe is not a timeout
    _validates(result)


def test_in_process_sys_exit_0_does_not_end_the_command_with_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from convspec.conformance.cli import main

    assert main(["check", "faulty_backends:SYS_EXIT_0", "-k", "CONV-4", "--in-process"]) == 1
    assert "raised SystemExit(0)" in capsys.readouterr().out


@pytest.mark.parametrize("isolation", BOTH)
def test_the_parent_never_unpickles_what_the_worker_returns(
    isolation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = tmp_path / "mark"
    monkeypatch.setenv(faulty_backends.MARK_FILE, str(mark))
    result = _run("PICKLE_PAYLOAD", isolation)
    assert result.failures and not mark.exists()


def test_backend_strings_are_escaped_in_terminal_and_markdown() -> None:
    result = _run("NASTY_STRINGS", "none")
    assert result.conformant
    shown = terminal(result)
    assert "\x1b" not in shown and "\r" not in shown
    assert "\\x1b[2J" in shown  # visible, not acted on
    assert not any(line.startswith("| forged") for line in shown.splitlines())
    md = markdown(result)
    assert "<script>" not in md and "&lt;script&gt;" in md and "\x1b" not in md
    table_rows = [line for line in md.splitlines() if line.startswith("|")]
    assert all(line.count("|") - line.count("\\|") == 3 for line in table_rows)  # 2 columns
    assert not any("forged" in line for line in table_rows)
    _validates(result)


def test_environment_values_must_be_strings() -> None:
    from convspec.conformance import Backend

    operations = faulty_backends.PRINTS.operations
    with pytest.raises(TypeError, match=r"'environment' must map strings to strings.*'threads': 4"):
        Backend("x", "1", operations, environment={"threads": 4})  # type: ignore[dict-item]


def test_the_worker_never_imports_from_the_current_folder_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "json.py").write_text("raise SystemExit('json.py of the current folder ran')\n")
    (tmp_path / "numbers.py").write_text(
        "raise SystemExit('numbers.py of the current folder ran')\n"
    )
    (tmp_path / "local_backend.py").write_text("from faulty_backends import PRINTS as backend\n")
    monkeypatch.chdir(tmp_path)
    path = worker_path(sys.path, "local_backend:backend", str(tmp_path))
    stdlib = next(i for i, p in enumerate(path) if p.endswith(".zip") or "lib/python" in p)
    assert path.index(str(tmp_path)) > stdlib
    for reference in ("numpy", "local_backend:backend"):
        runner = Isolated(reference, 30)
        try:
            case = generate(load("numpy"), select=["CONV-4"])[0][0]
            (outcome,) = runner.run([case.call])
        finally:
            runner.close()
        assert outcome.status == "ok", outcome.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc")
@pytest.mark.parametrize(
    ("number", "isolation"), [(signal.SIGTERM, "process"), (signal.SIGINT, "none")]
)
def test_a_signal_ends_the_run_with_an_incomplete_report(
    number: int, isolation: str, tmp_path: Path
) -> None:
    report = tmp_path / "r.json"
    command = [sys.executable, "-m", "convspec.conformance", "check", "faulty_backends:SLOW"]
    command += ["-k", "MODE-*", "--report", "json", str(report)]
    command += ["--in-process"] if isolation == "none" else []
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the placeholder report is there once the run started
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
            if json.loads(report.read_text())["incomplete"].startswith("not finished"):
                break
        time.sleep(0.1)
    time.sleep(4)  # a worker starts and some cases are judged
    process.send_signal(number)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + number, err
    name = signal.Signals(number).name
    assert f"interrupted by {name}" in err and "Traceback" not in err
    document = json.loads(report.read_text())
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert (
        document["verdict"] == "incomplete" and document["incomplete"] == f"interrupted by {name}"
    )
    assert 0 < document["summary"]["passed"] < document["summary"]["cases"]
    assert "INCOMPLETE" in out
    leftovers = subprocess.run(
        ["pgrep", "-f", "worker_main.*faulty_backends:SLOW"], capture_output=True
    )
    assert leftovers.returncode == 1, leftovers.stdout


def test_object_dtype_inputs_stay_numpy_arrays() -> None:
    # The copies each call gets are numpy arrays of the case's dtype and shape.
    seen: list[tuple[Any, ...]] = []

    def spy(a: Any, v: Any, mode: str) -> Any:
        seen.append((type(a), a.dtype, a.flags.writeable, v.flags.writeable))
        return np.convolve(a, v, mode)

    from convspec.conformance import Backend, Operation

    backend = Backend(
        "spy", "0", {"convolve": Operation(spy, flips=True, same_alignment="numpy-convolve")}
    )
    assert run(backend, "spy", select=["CONV-4"], isolation="none").conformant
    assert seen and all(s == (np.ndarray, np.dtype(np.float64), False, False) for s in seen)
