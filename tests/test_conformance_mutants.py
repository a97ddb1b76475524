"""Broken backends fail the right clauses with the right diagnosis, and the run completes."""

from __future__ import annotations

import pytest

from convspec.conformance.isolation import CONSECUTIVE_TIMEOUTS
from convspec.conformance.registry import load
from convspec.conformance.runner import RunResult, run

MUTANTS = "convspec.conformance.mutants:"


def _run(
    name: str, select: list[str] | None = None, isolation: str = "none", timeout: float = 20
) -> RunResult:
    reference = MUTANTS + name
    return run(load(reference), reference, "quick", 0, timeout, isolation, select)  # type: ignore[arg-type]


def _failed_clauses(result: RunResult) -> set[str]:
    return {c for r in result.failures for c in r.case.clauses}


def _diagnoses(result: RunResult) -> set[str]:
    return {d for r in result.failures for d in r.diagnosis}


@pytest.mark.parametrize(
    ("mutant", "select", "clauses", "diagnosis"),
    [
        ("CORRELATES", ["CONV-4"], {"CONV-4"}, "computes cross-correlation (kernel not flipped)"),
        ("CONJUGATES_FIRST", ["CPLX-1"], {"CPLX-1"}, "conjugates the first operand"),
        (
            "UPPER_DECLARED_LOWER",
            ["MODE-4"],
            {"MODE-4", "MODE-5"},
            "'same' window with upper alignment",
        ),
        ("WRONG_SHAPE", ["MODE-3"], {"MODE-3"}, "returns the 'full' window for mode 'valid'"),
        ("WRAPS", ["NOT-4"], {"NOT-4"}, "integer results wrap around in int8 (not exact)"),
        (
            "FLOAT16_SUMS",
            ["CONV-1"],
            {"CONV-1"},
            "error fits float16 accumulation, not the declared precision",
        ),
        ("TRANSPOSES", ["ND-2"], {"ND-2"}, "transposes the kernel"),
    ],
)
def test_wrong_conventions_are_caught_and_named(mutant, select, clauses, diagnosis) -> None:
    result = _run(mutant, select)
    assert not result.conformant
    assert clauses <= _failed_clauses(result)
    firsts = [failure.diagnosis[0] for failure in result.failures]
    assert any(diagnosis in first for first in firsts), firsts
    # every failing case of this mutant is explained (a case without overflow shows
    # only the narrower dtype of WRAPS, for example)
    assert not [f for f in firsts if f.startswith("no simple explanation")], firsts


def test_nan_results_fail_as_non_finite() -> None:
    result = _run("RETURNS_NAN", ["CONV-4"])
    assert result.failures and all("non-finite" in r.message for r in result.failures)


def test_correct_array_like_results_pass() -> None:
    assert _run("ARRAY_LIKE_RESULT", ["CONV-4", "MODE-4"]).conformant


def test_raising_backend_fails_every_clause_and_the_run_completes() -> None:
    result = _run("RAISES", ["CONV-4", "MODE-2"], isolation="process")
    assert result.results and len(result.failures) == len(result.results)
    assert all("RuntimeError: backend failure" in r.message for r in result.failures)


def test_hanging_calls_time_out_and_the_run_goes_on() -> None:
    result = _run("HANGS", ["MODE-4", "MODE-2"], isolation="process", timeout=1.5)
    hung = [r for r in result.results if r.case.call.mode == "same" and r.status != "not run"]
    others = [r for r in result.results if r.case.call.mode != "same" and r.status != "not run"]
    assert hung and all(r.status == "fail" and "timeout" in r.message for r in hung)
    assert others and all(r.status == "pass" for r in others)
    assert result.restarts == len(hung)
    # Hanging calls alternate with good ones here: never CONSECUTIVE_TIMEOUTS in a row.
    assert not result.not_run and len(hung) > CONSECUTIVE_TIMEOUTS


def test_a_backend_killing_its_interpreter_is_reported_and_the_run_goes_on() -> None:
    result = _run("EXITS", ["MODE-3", "MODE-2"], isolation="process")
    died = [r for r in result.results if r.case.call.mode == "valid"]
    others = [r for r in result.results if r.case.call.mode != "valid"]
    assert died and all("ended its interpreter with exit status 3" in r.message for r in died)
    assert others and all(r.status == "pass" for r in others)
