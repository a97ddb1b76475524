"""Traceability: every normative clause is cited by a check, and checks cite only clauses."""

from __future__ import annotations

import pytest

from convspec.clauses import CLAUSES
from convspec.conformance.cases import CHECKS
from convspec.conformance.registry import load
from convspec.conformance.runner import generate


def test_every_clause_is_cited_by_a_check() -> None:
    cited = {clause for check in CHECKS.values() for clause in check.clauses}
    missing = sorted(set(CLAUSES) - cited)
    assert not missing, f"clauses no conformance check cites: {missing}"


def test_checks_cite_only_known_clauses() -> None:
    for check in CHECKS.values():
        unknown = set(check.clauses) - set(CLAUSES)
        assert not unknown, f"{check.name} cites unknown clauses {unknown}"


@pytest.mark.parametrize("backend", ["numpy", "convspec.conformance.mutants:TRANSPOSES"])
def test_cases_cite_only_what_their_check_declares(backend: str) -> None:
    cases, skips = generate(load(backend), "quick", 0)
    assert cases
    for item in [*cases, *skips]:
        declared = set(CHECKS[item.check].clauses)
        assert set(item.clauses) <= declared, (item.check, item.clauses)


def test_every_clause_is_exercised_by_some_bundled_backend() -> None:
    """Not only cited: a case (not a skip) checks each clause for numpy or scipy/torch."""
    exercised: set[str] = set()
    for name in ("numpy", "convspec.conformance.mutants:TRANSPOSES"):
        cases, _ = generate(load(name), "quick", 0)
        exercised |= {c for case in cases for c in case.clauses}
    pytest.importorskip("torch")
    for name in ("torch", "torch-layers"):
        cases, _ = generate(load(name), "quick", 0)
        exercised |= {c for case in cases for c in case.clauses}
    pytest.importorskip("onnx")  # the transposed layer's named padding (ONNX auto_pad)
    cases, _ = generate(load("onnx-reference"), "quick", 0)
    exercised |= {c for case in cases for c in case.clauses}
    pytest.importorskip("scipy")
    for name in ("scipy-signal-fft", "scipy-signal", "scipy-ndimage"):
        cases, _ = generate(load(name), "quick", 0)
        exercised |= {c for case in cases for c in case.clauses}
    pytest.importorskip("astropy")  # kernel normalisation (BOUND-10)
    cases, _ = generate(load("astropy"), "quick", 0)
    exercised |= {c for case in cases for c in case.clauses}
    assert set(CLAUSES) - exercised == set()
