"""Judging each call's outcome against what its case expects: the verdict, nothing more.

:func:`judge` sends the calls of a list of cases through an isolation strategy and pairs
each outcome with its case; :func:`evaluate` gives the verdict on one: the declared
values within the tolerance policy, an exception where the declaration promises one, or
the same values as a partner call (CORR-4).  A failing case keeps its inputs, its output
and the expected one for the next stages: diagnosis (:mod:`.diagnosis`) says what the
backend computes instead, and the reports show it.

Each case's expected value is computed (:func:`expected_for`) from its pristine operands
before its call is made, and the call gets read-only copies of them, so a backend that
writes to its inputs can change neither its own verdict nor another case's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .backend import Array, Backend
from .cases import Case
from .conventions import Expectation, batched_expectation, expectation
from .isolation import Outcome, Runner
from .lags import lag_verdict
from .layer_backend import LayerOperation
from .layer_conventions import layer_expectation
from .tolerance import measure

__all__ = ["CaseResult", "Expected", "Status", "evaluate", "expected_for", "judge"]

Status = Literal["pass", "fail", "deviation", "not run"]


@dataclass
class CaseResult:
    """The verdict on one case, with what is needed to reproduce and explain a failure."""

    case: Case
    status: Status
    message: str = ""
    #: What the backend computes instead, most specific explanation first (filled by the
    #: diagnosis stage for failures; empty for passes).
    diagnosis: list[str] = field(default_factory=list)
    #: For status ``deviation``: the documented deviation that explains the failure.
    deviation: str = ""
    measurement: dict[str, Any] | None = None
    seconds: float = 0.0
    actual: Array | None = None
    expected: Array | None = None
    expected_dtype: str = ""
    first_difference: list[int] | None = None
    #: How the call ended: ``"ok"`` (it returned), ``"raised"``, ``"timeout"``, ``"died"``,
    #: ``"unreadable"`` (a result that is no numeric array) or ``"not run"``.
    outcome: str = "ok"
    #: What the backend printed during the call (truncated), never shown in the verdict.
    output: str = ""


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
    return CaseResult(
        case,
        status,
        message,
        seconds=outcome.seconds,
        outcome=outcome.status,
        output=outcome.output,
    )


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


def _judge_values(
    case: Case, actual: Array, expected: Array, dtype: np.dtype[Any], bound: Array
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
    return result


#: What a case is held to, computed before its call: the declared result (an
#: :class:`Expectation`), the summed bound of two operations (an identity, CORR-4), or
#: nothing (a case that must raise, or one of lags, judged from the sizes alone).
Expected = Expectation | Array | None


def expected_for(backend: Backend, case: Case) -> Expected:
    """What ``case`` is held to, from its pristine operands (before its call is made)."""
    op = backend.operations[case.operation]
    call = case.call
    if case.expect in ("raises", "lags"):
        return None
    if isinstance(op, LayerOperation):
        return layer_expectation(op, call.a, call.v, call.params)
    if case.expect == "identity":
        assert case.partner is not None
        partner_op = backend.operations[case.partner.operation]
        assert not isinstance(partner_op, LayerOperation)
        bound: Array = (
            expectation(op, call.a, call.v, call.mode).bound
            + expectation(partner_op, call.a, case.partner.v, call.mode).bound
        )
        return bound
    if "axes" in call.params:
        return batched_expectation(op, call.a, call.v, call.mode, call.params["axes"])
    return expectation(op, call.a, call.v, call.mode)


def evaluate(
    backend: Backend,
    case: Case,
    outcome: Outcome,
    partner: Outcome | None = None,
    expected: Expected = None,
) -> CaseResult:
    """Judge one case from its call's outcome (and its partner's, for an identity).

    ``expected`` is :func:`expected_for` computed before the call (computed here when not
    given).  Only the verdict: documented deviations and explanations are the diagnosis
    stage's (:func:`convspec.conformance.diagnosis.diagnose_results`).
    """
    if expected is None:
        expected = expected_for(backend, case)
    wrote = _wrote(case, outcome, partner)
    if wrote is not None:
        return wrote
    result = _evaluate(backend, case, outcome, partner, expected)
    result.output = result.output or outcome.output
    return result


def _evaluate(
    backend: Backend, case: Case, outcome: Outcome, partner: Outcome | None, expected: Expected
) -> CaseResult:
    op = backend.operations[case.operation]
    call = case.call
    if case.expect == "raises":
        if outcome.status == "raised":
            return CaseResult(
                case, "pass", f"raised {outcome.message}", seconds=outcome.seconds, outcome="raised"
            )
        if outcome.status == "ok":
            value = outcome.value
            shape = None if value is None else value.shape
            message = f"returned a result of shape {shape} instead of raising"
            return CaseResult(case, "fail", message, seconds=outcome.seconds, actual=value)
        return _not_ok(case, outcome)
    if outcome.status != "ok":
        return _not_ok(case, outcome)
    actual = outcome.value
    assert actual is not None
    if case.expect == "lags":
        assert not isinstance(op, LayerOperation)
        expected_lags, problem, diagnosis = lag_verdict(op, call, actual)
        return CaseResult(
            case,
            "fail" if problem else "pass",
            problem,
            diagnosis,
            seconds=outcome.seconds,
            actual=actual,
            expected=expected_lags,
            expected_dtype="an integer dtype",
        )
    if case.expect == "identity":
        assert partner is not None and case.partner is not None
        if partner.status != "ok" or partner.value is None:
            return _not_ok(case, partner, f"partner {case.partner.operation}")
        assert isinstance(expected, np.ndarray)
        result = _judge_values(case, actual, partner.value, actual.dtype, expected)
        result.seconds = outcome.seconds + partner.seconds
        return result
    assert isinstance(expected, Expectation)
    result = _judge_values(case, actual, expected.values, expected.dtype, expected.bound)
    result.seconds = outcome.seconds
    return result


def judge(backend: Backend, cases: Sequence[Case], runner: Runner) -> Iterator[CaseResult]:
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
