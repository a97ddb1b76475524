"""When a result is wrong, what does the backend compute instead?  The diagnose stage.

:func:`diagnose` tries the registered families of :mod:`.hypotheses` on one failing case,
tier by tier (cheap and specific first): a candidate is named when its prediction
reproduces the actual output and does not also reproduce the declared result (a case that
cannot tell them apart names neither).  When nothing fits, the first line says "no simple
explanation" and the second names the nearest candidate and its distance.

:func:`diagnose_results` is the pipeline stage after judging: it explains every failure of
a run -- values (:func:`diagnose`), exceptions (:mod:`.raising`), results returned where
the declaration promises an exception, timeouts, identities -- and applies the backend's
documented deviations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np

from . import boundary_hypotheses as _boundary_hypotheses  # noqa: F401  (registers)
from . import hypotheses as _hypotheses
from .backend import Array, Backend, Operation
from .cases import LAYER_MODE, Call
from .conventions import expectation
from .hypotheses import FAMILIES, Candidate, Finding, Prediction, Situation, compare, predict
from .judge import CaseResult
from .layer_backend import LayerOperation
from .layer_hypotheses import diagnose_layer
from .raising import explain_raises

__all__ = ["diagnose", "diagnose_results"]

assert _hypotheses.FAMILIES is FAMILIES  # the families register on import


def _distance_words(differs: int, worst: float, size: int) -> str:
    ratio = "" if not np.isfinite(worst) else f", worst {worst:.3g} x bound"
    return f"{differs} of {size} elements differ{ratio}"


def diagnose(op: Operation, call: Call, actual: Array, pairs: bool = True) -> list[str]:
    """What ``op(call)`` computes instead of its declaration, most specific first.

    Never empty: when no candidate reproduces ``actual`` the answer is
    ``["no simple explanation (nearest: ...)", "<distance>"]``.  ``pairs`` allows the
    (costlier) pairs of hypotheses.
    """
    declared = predict(op, call.a, call.v, call.mode)
    s = Situation(op, call, actual, declared)
    nearest: tuple[int, float, str] | None = None
    for tier in sorted(FAMILIES):
        if tier >= 70 and not pairs:
            continue
        found: list[str] = []
        details: list[str] = []
        for family in FAMILIES[tier]:
            for item in family(s):
                if isinstance(item, Finding):
                    if item.words not in found:
                        found.append(item.words)
                        if item.detail:
                            details.append(item.detail)
                    continue
                words, result = _try(item, s)
                if result is None:
                    continue
                differs, worst = result
                if differs == 0:
                    if words not in found:
                        found.append(words)
                elif differs > 0 and (nearest is None or (differs, worst) < nearest[:2]):
                    nearest = (differs, worst, words)
        if found:
            return found + details
    if nearest is None:
        declared_shape = None if declared is None else declared.values.shape
        return [
            "no simple explanation (no candidate gives the result's shape "
            f"{actual.shape}; declared {declared_shape})"
        ]
    differs, worst, words = nearest
    return [
        f"no simple explanation (nearest: {words})",
        f"nearest candidate: {words}: {_distance_words(differs, worst, actual.size)}",
    ]


def _try(candidate: Candidate, s: Situation) -> tuple[str, tuple[int, float] | None]:
    """Compare the candidate's prediction with the actual output; ``None`` when it also
    predicts the declared result (or predicts nothing)."""
    p = candidate.predict()
    if p is None:
        return candidate.words, None
    result = compare(s.actual, p)
    if result[0] == 0 and not candidate.looser_bound and _also_declared(p, s.declared):
        return candidate.words, None
    if candidate.looser_bound and result[0] == 0 and compare(s.actual, s.declared)[0] == 0:
        return candidate.words, None
    return candidate.words, result


def _also_declared(p: Prediction, declared: Prediction | None) -> bool:
    """Whether ``p`` predicts the declared values too: the case cannot tell them apart."""
    if declared is None or declared.values.shape != p.values.shape:
        return False
    return compare(declared.values, p)[0] == 0 or compare(p.values, declared)[0] == 0


def _returned_instead_of_raising(op: Operation, result: CaseResult) -> list[str]:
    call = result.case.call
    why = op.restricted(call.mode, call.a.shape, call.v.shape) if call.a.ndim == call.v.ndim else ""
    actual = result.actual
    shown = "" if actual is None else _values(actual)
    if call.a.ndim != call.v.ndim:
        what = "operands of different rank"
        hint = "declare rejects_rank_mismatch=False"
    elif 0 in call.a.shape or 0 in call.v.shape:
        what = "an empty operand"
        hint = "declare rejects_empty=False"
    else:
        field = why.split(":", 1)[0] or "the restriction"
        what = why.split(": ", 1)[-1] if why else "a declared restriction"
        hint = f"the declared {field} is not what it does"
        if actual is not None and _is_declared_result(op, call, actual):
            hint += " (it returns the declared result there: drop the restriction)"
    return [f"returns a result instead of raising for {what}: {hint}", f"returned {shown}"]


def _is_declared_result(op: Operation, call: Call, actual: Array) -> bool:
    free = dataclasses.replace(op, needs_n_ge_k=(), needs_one_larger=(), needs_odd_k=())
    try:
        e = expectation(free, call.a, call.v, call.mode, exact=False)
    except Exception:
        return False
    return compare(actual, Prediction(e.values, e.bound, e.dtype.kind in "iu"))[0] == 0


def _values(x: Array, limit: int = 12) -> str:
    flat = x.reshape(-1)
    text = np.array2string(flat[:limit], precision=4, separator=", ")
    more = f" ... ({x.size} values)" if x.size > limit else ""
    return f"shape {x.shape}, {x.dtype}: {text}{more}"


def _identity(result: CaseResult) -> list[str]:
    actual, partner = result.actual, result.expected
    if actual is None or partner is None or actual.shape != np.shape(partner):
        return ["the two operations disagree (their results have different shapes)"]
    partner = np.asarray(partner)
    with np.errstate(all="ignore"):
        if np.allclose(actual, np.flip(partner)):
            return ["the two operations disagree by a reversal of every axis"]
        if np.allclose(actual, np.conjugate(partner)):
            return ["the two operations disagree by a complex conjugation"]
    return ["the two operations disagree (one of them is diagnosed by its own cases)"]


def _explain(backend: Backend, result: CaseResult, raised: dict[int, str]) -> list[str]:
    case = result.case
    op = backend.operations[case.operation]
    if case.expect == "raises":
        if result.outcome == "ok":
            if isinstance(op, LayerOperation):
                return [f"returns a result instead of raising: {result.message}"]
            return _returned_instead_of_raising(op, result)
        return [f"{result.message} where an exception is declared"]
    if result.outcome == "raised":
        return [raised.get(id(result), result.message)]
    if result.outcome == "timeout":
        return [f"hangs: {result.message}"]
    if result.outcome == "died":
        return [f"crashes: {result.message}"]
    actual = result.actual
    if actual is None:
        return [result.message]
    if case.expect == "identity":
        return _identity(result)
    if actual.dtype.kind not in "iufc":
        return [f"returns a non-numeric result (dtype {actual.dtype})"]
    if actual.ndim != case.call.a.ndim:
        return [f"returns a result of rank {actual.ndim} for operands of rank {case.call.a.ndim}"]
    if isinstance(op, LayerOperation):
        return diagnose_layer(op, case.call, actual)
    small = max(case.call.a.size, case.call.v.size) <= _hypotheses.SMALL_FOR_PAIRS
    return diagnose(op, case.call, actual, pairs=small)


def _deviation(backend: Backend, result: CaseResult) -> str:
    call = result.case.call
    for deviation in backend.documented_deviations:
        condition = call.params if call.mode == LAYER_MODE else call.mode
        if deviation.operation != call.operation or not deviation.applies(
            call.a, call.v, condition
        ):
            continue
        if deviation.raises is not None and result.outcome == "raised":
            if deviation.explains_exception(result.message.split("raised ", 1)[-1]):
                return deviation.description
        elif deviation.diagnosis and any(deviation.diagnosis in d for d in result.diagnosis):
            return deviation.description
    return ""


def _consolidate(results: list[CaseResult]) -> None:
    """Evidence across cases: where some cases of an operation show integers wrapping
    (or saturating) in a dtype, the cases that show only that narrower dtype (no overflow
    there) have the same cause; it is named first.  Where several explanations fit one
    case, the one that fits most cases of the operation comes first."""
    failed = [r for r in results if r.status == "fail" and r.diagnosis and r.actual is not None]
    overflow: dict[tuple[str, str], str] = {}
    for r in failed:
        dtype = str(r.actual.dtype)  # type: ignore[union-attr]
        if r.diagnosis[0].startswith("integer results ") and dtype in r.diagnosis[0]:
            overflow.setdefault((r.case.operation, dtype), r.diagnosis[0])
    for r in failed:
        dtype = str(r.actual.dtype)  # type: ignore[union-attr]
        line = overflow.get((r.case.operation, dtype))
        if line and r.diagnosis[0].startswith(f"result dtype {dtype} is"):
            r.diagnosis = [line, *r.diagnosis]
    # A case that several explanations fit names first the one that fits most cases of
    # its operation: the other cases of the run settle what this one cannot.
    seen: dict[tuple[str, str], int] = {}
    for r in failed:
        for line in r.diagnosis:
            seen[(r.case.operation, line)] = seen.get((r.case.operation, line), 0) + 1
    for r in failed:
        if len(r.diagnosis) > 1 and not r.diagnosis[0].startswith("no simple explanation"):
            r.diagnosis.sort(key=lambda line, op=r.case.operation: -seen[(op, line)])  # type: ignore[misc]


def diagnose_results(backend: Backend, results: Iterable[CaseResult]) -> list[CaseResult]:
    """The diagnose stage: every failure explained; documented deviations applied."""
    results = list(results)
    raised: dict[int, str] = {}
    for name, op in backend.operations.items():
        if isinstance(op, LayerOperation):  # explain_raises reads 1-D/N-D declarations
            continue
        raised.update(explain_raises(op, [r for r in results if r.case.operation == name]))
    for result in results:
        if result.status != "fail":
            continue
        if not result.diagnosis:
            result.diagnosis = _explain(backend, result, raised)
    _consolidate(results)
    for result in results:
        described = _deviation(backend, result) if result.status == "fail" else ""
        if described:
            result.status = "deviation"
            result.deviation = described
    return results
