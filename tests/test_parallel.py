"""Several workers (``convspec check --jobs N``): the same results as one, in the same order,
each operation kept in one worker, and a faulty operation confined to its own worker."""

from __future__ import annotations

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
from hypothesis import given
from hypothesis import strategies as st

from convspec.conformance.cases import Call
from convspec.conformance.cli import main
from convspec.conformance.isolation import CONSECUTIVE_TIMEOUTS
from convspec.conformance.parallel import shard_by_operation
from convspec.conformance.registry import load
from convspec.conformance.runner import RunResult, run

TESTS = Path(__file__).parent


def _calls(operations: list[str]) -> list[Call]:
    a = np.zeros(1)
    return [Call(name, a, a, "full") for name in operations]


@given(st.lists(st.sampled_from("abcdef"), max_size=40), st.integers(1, 8))
def test_shards_cover_every_call_once_and_never_split_an_operation(
    operations: list[str], jobs: int
) -> None:
    shards = shard_by_operation(_calls(operations), jobs)
    assert sorted(i for shard in shards for i in shard) == list(range(len(operations)))
    assert len(shards) == min(jobs, len(set(operations)))
    owners = {operations[i]: n for n, shard in enumerate(shards) for i in shard}
    assert all(owners[operations[i]] == n for n, shard in enumerate(shards) for i in shard)
    assert all(shard == sorted(shard) for shard in shards)


def test_shards_balance_whole_operations() -> None:
    operations = ["big"] * 10 + ["mid"] * 6 + ["small"] * 4 + ["tiny"]
    sizes = sorted(len(shard) for shard in shard_by_operation(_calls(operations), 2))
    assert sizes == [10, 11]


def test_jobs_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="jobs must be at least 1; got 0"):
        shard_by_operation(_calls(["a"]), 0)
    backend = load("numpy")
    with pytest.raises(ValueError, match="jobs must be an integer of at least 1; got 0"):
        run(backend, "numpy", jobs=0)
    with pytest.raises(ValueError, match="needs isolation='process'"):
        run(backend, "numpy", isolation="none", jobs=2)


def _summary(result: RunResult) -> list[tuple[str, str, str, Any]]:
    return [
        (r.case.label, r.status, r.message, None if r.actual is None else r.actual.tolist())
        for r in result.results
    ]


def test_two_workers_give_what_one_gives_in_the_same_order() -> None:
    backend = load("numpy")
    select = ["CONV-*", "CORR-4", "MODE-*"]  # CORR-4 pairs calls of two operations
    one = run(backend, "numpy", select=select)
    two = run(backend, "numpy", select=select, jobs=2)
    assert len(one.results) > 100 and two.verdict == one.verdict == "conformant"
    assert _summary(two) == _summary(one)
    assert any(r.case.partner is not None for r in two.results)


def test_a_hanging_operation_is_cut_off_while_the_other_worker_goes_on() -> None:
    backend = faulty_backends.HANGS_BESIDE_CORRECT
    started = time.monotonic()
    result = run(
        backend,
        "faulty_backends:HANGS_BESIDE_CORRECT",
        select=["CONV-4", "MODE-2"],
        timeout=0.5,
        jobs=2,
    )
    assert time.monotonic() - started < 30
    by_operation: dict[str, set[str]] = {}
    for r in result.results:
        by_operation.setdefault(r.case.operation, set()).add(r.status)
    assert by_operation["convolve"] == {"pass"}
    hangs = [r for r in result.results if r.case.operation == "hangs"]
    assert [r.status for r in hangs[:CONSECUTIVE_TIMEOUTS]] == ["fail"] * CONSECUTIVE_TIMEOUTS
    assert {r.status for r in hangs[CONSECUTIVE_TIMEOUTS:]} == {"not run"}
    assert result.verdict == "not conformant"


def test_a_crashing_operation_restarts_only_its_own_worker() -> None:
    result = run(
        faulty_backends.SEGFAULT_BESIDE_CORRECT,
        "faulty_backends:SEGFAULT_BESIDE_CORRECT",
        select=["CONV-4"],
        jobs=2,
    )
    crashed = [r for r in result.results if r.case.operation == "segfault"]
    correct = [r for r in result.results if r.case.operation == "convolve"]
    assert crashed and all("SIGSEGV" in r.message for r in crashed)
    assert correct and all(r.status == "pass" for r in correct)
    assert result.restarts == len(crashed)


def test_a_backend_that_cannot_load_fails_as_with_one_worker() -> None:
    backend = load("numpy")
    with pytest.raises(RuntimeError, match="could not load backend 'no_such_module:backend'"):
        run(backend, "no_such_module:backend", select=["CONV-4"], jobs=2)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--jobs", "0"], "argument --jobs/-j: must be an integer >= 1; got 0"),
        (["-j", "2", "--in-process"], "--jobs 2 calls the backend in worker processes"),
    ],
)
def test_bad_jobs_are_usage_errors(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["check", "numpy", *arguments])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and pgrep")
def test_a_signal_ends_every_worker(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "convspec.conformance", "check"]
    command += ["faulty_backends:SLOW_PAIR", "-k", "MODE-*", "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(6)  # the workers start and some cases are judged
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "interrupted by SIGTERM" in err and "Traceback" not in err
    assert "INCOMPLETE" in out
    leftovers = subprocess.run(
        ["pgrep", "-f", "worker_main.*faulty_backends:SLOW_PAIR"], capture_output=True
    )
    assert leftovers.returncode == 1, leftovers.stdout


def test_each_shard_is_called_in_a_worker_process_of_its_own() -> None:
    from convspec.conformance.parallel import Parallel

    a, v = np.arange(5.0), np.array([1.0, 2.0])
    calls = [Call(name, a, v, "full") for name in ("convolve", "correlate") * 3]
    runner = Parallel("numpy", timeout=20.0, jobs=2)
    try:
        outcomes = list(runner.run(calls))
        pids = {worker.process.pid for worker in runner.workers if worker.process is not None}
    finally:
        runner.close()
    assert [o.status for o in outcomes] == ["ok"] * 6
    for call, outcome in zip(calls, outcomes, strict=True):
        expected = np.convolve(a, v) if call.operation == "convolve" else np.correlate(a, v, "full")
        np.testing.assert_array_equal(outcome.value, expected)
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(worker.process is None for worker in runner.workers)  # closed


def test_the_scripting_api_takes_jobs_for_a_named_backend_only() -> None:
    from convspec import conformance

    result = conformance.run("numpy", select=["CONV-4"], jobs=2)
    assert result.conformant and result.results
    with pytest.raises(ValueError, match="jobs=2 needs a backend name"):
        conformance.run(load("numpy"), select=["CONV-4"], jobs=2)
