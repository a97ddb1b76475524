"""The diagnose stage: explanations tried against the actual output, honestly.

An explanation that predicts the declared result too is never offered; a precision
explanation is never offered for an exact or structural error; every failure gets a
diagnosis (or "no simple explanation" with the nearest candidate), with no cap.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from mutant_catalogue import CATALOGUE, conv

import convspec
from convspec.conformance import Backend, Operation
from convspec.conformance.cases import Call, Case
from convspec.conformance.diagnosis import diagnose
from convspec.conformance.grouping import summary_line
from convspec.conformance.hypotheses import FAMILIES, Candidate, Finding, Situation, hypothesis
from convspec.conformance.judge import CaseResult
from convspec.conformance.report import clause_matrix, describe_failure
from convspec.conformance.runner import RunResult, run

CONVOLVE = Operation(conv, flips=True)
RNG = np.random.default_rng(7)


def _call(a: np.ndarray, v: np.ndarray, mode: str = "full") -> Call:
    return Call("convolve", a, v, mode)


def test_a_wrong_dtype_with_exact_values_is_named_as_such_not_as_precision() -> None:
    a, v = RNG.standard_normal(9), np.array([1.5, -2.25, 3.0])
    actual = conv(a, v, "full").astype(np.float32)
    found = diagnose(CONVOLVE, _call(a, v), actual)
    assert found[0].startswith("result dtype float32 is narrower than the declared float64")
    assert not any("accumulation" in d or "FFT" in d for d in found)


def test_no_precision_explanation_for_a_structural_error() -> None:
    a, v = RNG.standard_normal(12), np.array([1.5, -2.25, 3.0, 0.5])
    actual = conv(a, v, "full") + 1e-3  # far beyond every precision bound of float64 data
    found = diagnose(CONVOLVE, _call(a, v), actual)
    assert found[0].startswith("no simple explanation (nearest: ")
    assert "elements differ" in found[1]
    assert not any(d.startswith("error fits") for d in found)


def test_an_explanation_that_predicts_the_declared_result_is_never_offered() -> None:
    a, v = RNG.standard_normal(10), np.array([1.0, 2.0, 1.0])  # symmetric: no flip visible
    actual = np.roll(conv(a, v, "full"), 1)
    found = diagnose(CONVOLVE, _call(a, v), actual)
    assert found[0] == "output rolled by 1 (circularly)"
    assert not any("cross-correlation" in d or "reverse order" in d for d in found)


def test_a_one_axis_flip_is_named_by_what_the_operation_does() -> None:
    a = RNG.standard_normal((5, 6))
    v = np.arange(1.0, 7.0).reshape(2, 3) + 0.5
    actual = convspec.correlate(a, np.flip(v, axis=1))  # flips axis 1 only
    op = Operation(conv, flips=True, ranks=(2,))
    found = diagnose(op, _call(a, v), actual)
    assert found[0] == "flips the kernel along axis 1 only, should flip axes 0 and 1"


def test_a_registered_family_is_tried_in_its_tier() -> None:
    @hypothesis(tier=5)
    def everything_is_custom(s: Situation) -> Iterator[Candidate | Finding]:
        yield Finding("a custom layer hypothesis")

    try:
        a, v = RNG.standard_normal(6), np.array([1.0, 2.0])
        assert diagnose(CONVOLVE, _call(a, v), np.zeros(7))[0] == "a custom layer hypothesis"
    finally:
        FAMILIES[5].remove(everything_is_custom)
        if not FAMILIES[5]:
            del FAMILIES[5]


def test_every_failure_is_diagnosed_with_no_cap() -> None:
    entry = next(e for e in CATALOGUE if e.name == "does not flip (1-D)")
    result = run(entry.backend, entry.name, "full", 0, 20, "none", select=["CONV-1"])
    per_check: dict[str, int] = {}
    for failure in result.failures:
        per_check[failure.case.check] = per_check.get(failure.case.check, 0) + 1
    assert max(per_check.values()) > 25
    assert all(f.diagnosis for f in result.failures)
    named = sum(
        f.diagnosis[0].startswith("computes cross-correlation (kernel not flipped)")
        for f in result.failures
    )
    assert named >= 0.9 * len(result.failures)


def test_failures_are_grouped_one_line_per_cause() -> None:
    entry = next(e for e in CATALOGUE if e.name == "raises on every float32 case")
    result = run(entry.backend, entry.name, "quick", 0, 20, "none")
    first = result.groups[0]
    assert first.count == sum(f.case.call.a.dtype.name == "float32" for f in result.failures)
    assert first.count > 10 and first.dtypes == ("float32",)
    line = summary_line(first)
    assert line.startswith(f"{first.count} cases of convolve [")
    assert line.endswith(
        "every float32 case raises NotImplementedError: remove float32 from dtypes"
    )


def _failed(call: Call, actual: np.ndarray, expect: str = "raises") -> CaseResult:
    case = Case("notation.rejected_input", ("NOT-7",), "label", call, expect)  # type: ignore[arg-type]
    return CaseResult(case, "fail", "returned", actual=actual)


def test_a_reproduction_keeps_empty_nd_shapes_and_writes_inf_and_nan() -> None:
    a = np.zeros((0, 3))
    v = np.array([[np.inf, np.nan], [-np.inf, 1.0]])
    text = describe_failure(_failed(Call("convolve", a, v, "full"), np.array([np.nan, 2.0])), "m:b")
    lines = [line.strip() for line in text.splitlines()]
    namespace: dict[str, object] = {"np": np}
    exec("\n".join(line for line in lines if line.startswith(("a = ", "v = "))), namespace)
    assert namespace["a"].shape == (0, 3)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(namespace["v"], v)
    assert "# actual: [np.nan, 2.0] (float64[2])" in text


def test_a_large_operand_is_loaded_from_the_absolute_failures_path(tmp_path) -> None:
    a = np.ones(100)
    where = str(tmp_path / "r.failures.npz")
    text = describe_failure(_failed(Call("convolve", a, a, "full"), a), "m:b", 3, where)
    assert f"FAILURES = {where!r}" in text and "np.load(FAILURES)['case0003_a']" in text


def test_a_clause_that_ran_on_no_declared_dtype_is_not_covered() -> None:
    backend = Backend("b", "0", {"convolve": CONVOLVE})
    call = Call("convolve", np.ones(3, np.float32), np.ones(2, np.float32), "full")
    case = Case("convolution.impulse_response", ("CONV-4",), "float32 only", call)
    result = RunResult(backend, "b", "quick", 0, 1.0, [CaseResult(case, "pass")], [], 0.0)
    cell = clause_matrix(result)["CONV-4"]["convolve"]
    assert cell["status"] == "not covered"
    assert cell["coverage"] == {"dtypes": ["float32"], "modes": ["full"], "ranks": [1]}


@pytest.mark.parametrize("name", ["accepts empty operands", "returns where declared to raise"])
def test_a_backend_returning_instead_of_raising_shows_the_returned_values(name: str) -> None:
    entry = next(e for e in CATALOGUE if e.name == name)
    result = run(entry.backend, entry.name, "quick", 0, 20, "none", select=["NOT-7"])
    failures = [f for f in result.failures if f.case.expect == "raises"]
    assert failures
    for failure in failures:
        assert "instead of raising" in failure.message
        assert failure.diagnosis[1].startswith("returned shape (")
