"""Running the checks against a backend and judging each call.

:func:`generate` builds every case (and skip) for a backend; :func:`run` sends the calls
through an isolation strategy and :func:`evaluate` judges each outcome against the
declared conventions and the tolerance policy.  A failing case keeps its inputs and its
output for the report, the reproduction and a later diagnosis.

Each case's expected value is computed from its pristine operands before its call is made
(and the call gets copies of them, see :mod:`.isolation`), so a backend that writes to its
inputs can change neither its own verdict nor another case's.
"""

from __future__ import annotations

import contextlib
import fnmatch
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from . import checks as _checks  # noqa: F401  (registers the checks)
from .backend import Array, Backend, Operation
from .cases import CHECKS, Case, Context, Profile, Skip
from .conventions import Expectation, expectation
from .diagnosis import diagnose
from .isolation import InProcess, Interrupted, Isolated, Outcome
from .tolerance import measure

__all__ = ["CaseResult", "RunResult", "evaluate", "generate", "judge", "run"]

Status = Literal["pass", "fail", "deviation", "not run"]
Verdict = Literal["conformant", "not conformant", "incomplete"]


@dataclass
class CaseResult:
    """The verdict on one case, with what is needed to reproduce and explain a failure."""

    case: Case
    status: Status
    message: str = ""
    diagnosis: list[str] = field(default_factory=list)
    #: For status ``deviation``: the documented deviation that explains the failure.
    deviation: str = ""
    measurement: dict[str, Any] | None = None
    seconds: float = 0.0
    actual: Array | None = None
    expected: Array | None = None
    expected_dtype: str = ""
    first_difference: list[int] | None = None
    #: What the backend printed during the call (truncated), never shown in the verdict.
    output: str = ""


@dataclass
class RunResult:
    """Everything a report needs."""

    backend: Backend
    reference: str
    profile: Profile
    seed: int
    timeout: float
    results: list[CaseResult]
    skips: list[Skip]
    seconds: float
    restarts: int = 0
    #: Why the run stopped before judging every case ("" when it did not): a signal.
    incomplete: str = ""
    #: The signal that stopped the run, if one did.
    interrupted: int | None = None
    #: The time budget of the whole run in seconds, if one was given.
    budget: float | None = None

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def not_run(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "not run"]

    @property
    def verdict(self) -> Verdict:
        """``not conformant`` once a case failed; ``incomplete`` when none failed but some
        were not run (a time limit, a signal); else ``conformant``."""
        if self.failures:
            return "not conformant"
        if self.not_run or self.incomplete:
            return "incomplete"
        return "conformant"

    @property
    def deviations(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "deviation"]

    @property
    def conformant(self) -> bool:
        return self.verdict == "conformant"


def _applies(kind: str, op: Operation) -> bool:
    return kind == "any" or kind == op.kind


def _selected(check_name: str, clauses: Sequence[str], patterns: Sequence[str] | None) -> bool:
    if not patterns:
        return True
    names = [check_name, *clauses]
    return any(fnmatch.fnmatch(n, p) or n == p for p in patterns for n in names)


def generate(
    backend: Backend,
    profile: Profile = "quick",
    seed: int = 0,
    select: Sequence[str] | None = None,
    operations: Sequence[str] | None = None,
) -> tuple[list[Case], list[Skip]]:
    """Every case and skip for ``backend``; ``select`` keeps checks or clause ids (globs)."""
    cases: list[Case] = []
    skips: list[Skip] = []
    for op_name, op in backend.operations.items():
        if operations is not None and op_name not in operations:
            continue
        for chk in CHECKS.values():
            if not _applies(chk.applies_to, op):
                continue
            if not _selected(chk.name, chk.clauses, select):
                continue
            ctx = Context(backend, op_name, op, profile, seed, check_name=chk.name)
            produced = 0
            for item in chk.function(ctx):
                produced += 1
                if isinstance(item, Skip):
                    skips.append(item)
                elif _selected(chk.name, item.clauses, select):
                    cases.append(item)
            if not produced:
                reason = "no case fits the declared modes, ranks, dtypes and sizes"
                skips.append(Skip(chk.name, chk.clauses, op_name, reason))
    return cases, skips


def _first_difference(actual: Array, expected: Array, bound: Array) -> list[int] | None:
    if actual.shape != expected.shape:
        return None
    with np.errstate(all="ignore"):
        err = np.abs(actual.astype(np.complex128) - expected.astype(np.complex128))
        differs = ~(err <= bound) & ~(np.isnan(actual) & np.isnan(expected))
    where = np.argwhere(differs)
    return [int(i) for i in where[0]] if where.size else None


def _not_ok(case: Case, outcome: Outcome, what: str = "") -> CaseResult:
    prefix = f"{what}: " if what else ""
    verb = "raised " if outcome.status == "raised" else ""
    status: Status = "not run" if outcome.status == "not run" else "fail"
    message = f"{prefix}{verb}{outcome.message}"
    return CaseResult(case, status, message, seconds=outcome.seconds, output=outcome.output)


def _wrote(case: Case, outcome: Outcome, partner: Outcome | None) -> CaseResult | None:
    """A failure naming the inputs the backend wrote to, if it wrote to any."""
    parts = [f"wrote to its input {', '.join(outcome.wrote)}"] if outcome.wrote else []
    if partner is not None and partner.wrote and case.partner is not None:
        names = ", ".join(partner.wrote)
        parts.append(f"partner {case.partner.operation} wrote to its input {names}")
    if not parts:
        return None
    message = (
        "; ".join(parts) + " (convspec passes read-only copies; a backend must not write them)"
    )
    return CaseResult(case, "fail", message, seconds=outcome.seconds, output=outcome.output)


#: Failures diagnosed per (operation, check) in one process, and those also tried in pairs.
DIAGNOSED_PER_CHECK = 25
PAIRED_PER_CHECK = 3
SMALL_FOR_PAIRS = 512
_diagnosed: dict[tuple[str, str], int] = {}


def _diagnosis(op: Operation, case: Case, actual: Array) -> list[str]:
    key = (case.operation, case.check)
    count = _diagnosed.get(key, 0)
    _diagnosed[key] = count + 1
    if count >= DIAGNOSED_PER_CHECK:
        return []
    small = max(case.call.a.size, case.call.v.size) <= SMALL_FOR_PAIRS
    return diagnose(op, case.call, actual, pairs=count < PAIRED_PER_CHECK and small)


def _judge_values(
    case: Case, op: Operation, actual: Array, expected: Array, dtype: np.dtype[Any], bound: Array
) -> CaseResult:
    result = CaseResult(case, "pass", actual=actual, expected=expected, expected_dtype=str(dtype))
    problems = []
    if actual.dtype != dtype:
        problems.append(f"result dtype {actual.dtype}, declared {dtype}")
    if actual.shape != expected.shape:
        problems.append(f"result shape {actual.shape}, expected {expected.shape}")
    elif actual.dtype.kind not in "iufc":
        problems.append(f"result of non-numeric dtype {actual.dtype}")
    else:
        result.measurement = measure(actual, expected, bound)
        if not result.measurement["passed"]:
            m = result.measurement
            if m["over_bound"]:
                problems.append(
                    f"{m['over_bound']} of {expected.size} elements outside the bound "
                    f"(worst {m['max_fraction']:.3g} x bound at {m['worst_index']})"
                )
            if m["special_mismatches"]:
                problems.append(
                    f"{m['special_mismatches']} of {expected.size} elements non-finite where "
                    f"finite values are expected, or not the expected inf/NaN "
                    f"(first at {m['first_special_mismatch']})"
                )
            result.first_difference = _first_difference(actual, expected, bound)
    if problems:
        result.status = "fail"
        result.message = "; ".join(problems)
        if actual.dtype.kind in "iufc" and actual.ndim == case.call.a.ndim:
            result.diagnosis = _diagnosis(op, case, actual)
    return result


#: What a case is held to, computed before its call: the declared result (``declared``),
#: the summed bound of the two operations (``identity``) or nothing (``raises``).
Expected = Expectation | Array | None


def expected_for(backend: Backend, case: Case) -> Expected:
    """What ``case`` is held to, from its pristine operands (before its call is made)."""
    op = backend.operations[case.operation]
    call = case.call
    if case.expect == "raises":
        return None
    if case.expect == "identity":
        assert case.partner is not None
        partner_op = backend.operations[case.partner.operation]
        bound: Array = (
            expectation(op, call.a, call.v, call.mode).bound
            + expectation(partner_op, call.a, case.partner.v, call.mode).bound
        )
        return bound
    return expectation(op, call.a, call.v, call.mode)


def evaluate(
    backend: Backend,
    case: Case,
    outcome: Outcome,
    partner: Outcome | None = None,
    expected: Expected = None,
) -> CaseResult:
    """Judge one case from its call's outcome (and its partner's, for an identity).

    ``expected`` is :func:`expected_for` computed before the call (it is computed here when
    not given).  A failure that a documented deviation of the backend explains (its
    condition holds and the diagnosis names what it says) gets status ``deviation`` instead.
    """
    if expected is None and case.expect != "raises":
        expected = expected_for(backend, case)
    wrote = _wrote(case, outcome, partner)
    if wrote is not None:
        return wrote
    result = _evaluate(backend, case, outcome, partner, expected)
    result.output = result.output or outcome.output
    if result.status == "fail":
        call = case.call
        for deviation in backend.documented_deviations:
            if (
                deviation.operation == call.operation
                and deviation.applies(call.a, call.v, call.mode)
                and any(deviation.diagnosis in d for d in result.diagnosis)
            ):
                result.status = "deviation"
                result.deviation = deviation.description
                break
    return result


def _evaluate(
    backend: Backend, case: Case, outcome: Outcome, partner: Outcome | None, expected: Expected
) -> CaseResult:
    op = backend.operations[case.operation]
    if case.expect == "raises":
        if outcome.status == "raised":
            return CaseResult(case, "pass", f"raised {outcome.message}", seconds=outcome.seconds)
        if outcome.status == "ok":
            shape = None if outcome.value is None else outcome.value.shape
            message = f"returned a result of shape {shape} instead of raising"
            return CaseResult(case, "fail", message, seconds=outcome.seconds, actual=outcome.value)
        return _not_ok(case, outcome)
    if outcome.status != "ok":
        return _not_ok(case, outcome)
    actual = outcome.value
    assert actual is not None
    if case.expect == "identity":
        assert partner is not None and case.partner is not None
        if partner.status != "ok" or partner.value is None:
            return _not_ok(case, partner, f"partner {case.partner.operation}")
        assert isinstance(expected, np.ndarray)
        result = _judge_values(case, op, actual, partner.value, actual.dtype, expected)
        result.diagnosis = []
        reversed_partner = np.flip(partner.value)
        if (
            result.status == "fail"
            and actual.shape == partner.value.shape
            and np.allclose(actual, reversed_partner)
        ):
            result.diagnosis = ["the two operations disagree by a reversal of every axis"]
        result.seconds = outcome.seconds + partner.seconds
        return result
    assert isinstance(expected, Expectation)
    result = _judge_values(case, op, actual, expected.values, expected.dtype, expected.bound)
    result.seconds = outcome.seconds
    return result


def judge(
    backend: Backend, cases: Sequence[Case], runner: Isolated | InProcess
) -> Iterator[CaseResult]:
    """Send every case's call (and partner call) through ``runner``; judge each in order.

    Each case's expectation is computed before its outcome is asked for, so before an
    in-process call is made.
    """
    calls = [c for case in cases for c in (case.call, case.partner) if c is not None]
    outcomes = runner.run(calls)
    for case in cases:
        expected: Expected = None
        problem = ""
        try:
            expected = expected_for(backend, case)
        except Exception as error:  # a declaration the reference cannot follow
            problem = f"could not compute the expected result: {type(error).__name__}: {error}"
        outcome = next(outcomes)
        partner = next(outcomes) if case.partner is not None else None
        if problem and outcome.status != "not run":
            yield CaseResult(case, "fail", problem, actual=outcome.value, output=outcome.output)
            continue
        try:
            result = evaluate(backend, case, outcome, partner, expected)
        except Exception as error:  # a result the judge cannot even read
            message = f"could not judge the result: {type(error).__name__}: {error}"
            result = CaseResult(case, "fail", message, actual=outcome.value, output=outcome.output)
        yield result


@contextlib.contextmanager
def _on_stop_signals(action: Any) -> Iterator[None]:
    """``action`` handles SIGINT and SIGTERM for the length of the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, action) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _raise_interrupted(signum: int, frame: Any) -> None:
    """A stop signal raises :class:`Interrupted`, so a stopped run can end its workers and
    report what it had."""
    raise Interrupted(signum)


def run(
    backend: Backend,
    reference: str,
    profile: Profile = "quick",
    seed: int = 0,
    timeout: float = 20.0,
    isolation: Literal["process", "none"] = "process",
    select: Sequence[str] | None = None,
    cases: Iterable[Case] | None = None,
    skips: Iterable[Skip] = (),
    budget: float | None = None,
) -> RunResult:
    """Run every selected case (or the given ``cases``) and judge it.

    ``budget``: seconds for the whole run; cases not called by then are ``not run``.  A
    SIGINT or SIGTERM ends the worker and returns what was judged, with ``incomplete``
    and ``interrupted`` set and the remaining cases ``not run``.
    """
    started = time.perf_counter()
    deadline = None if budget is None else time.monotonic() + budget
    _diagnosed.clear()
    if cases is None:
        case_list, skip_list = generate(backend, profile, seed, select)
    else:
        case_list, skip_list = list(cases), list(skips)
    results: list[CaseResult] = []
    incomplete, interrupted = "", None
    with _on_stop_signals(_raise_interrupted):
        runner: Isolated | InProcess = (
            Isolated(reference, timeout, deadline)
            if isolation == "process"
            else InProcess(backend, deadline)
        )
        try:
            for result in judge(backend, case_list, runner):
                results.append(result)
        except Interrupted as stop:
            interrupted = stop.signum
            incomplete = f"interrupted by {signal.Signals(stop.signum).name}"
        finally:
            with _on_stop_signals(signal.SIG_IGN):
                runner.close()
    for case in case_list[len(results) :]:
        results.append(CaseResult(case, "not run", f"not run: {incomplete}"))
    return RunResult(
        backend,
        reference,
        profile,
        seed,
        timeout,
        results,
        skip_list,
        time.perf_counter() - started,
        runner.restarts,
        incomplete,
        interrupted,
        budget,
    )
