"""Boundary declarations: the expectation over the extension, wrong boundaries caught, lags."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

import convspec
from convspec.conformance.backend import Backend, Deviation, Operation
from convspec.conformance.conventions import expectation
from convspec.conformance.runner import run

RNG = np.random.default_rng(7)


def _ndimage_like(boundary: str, fill: float, flips: bool) -> Operation:
    """A declaration whose function is the reference itself with that boundary."""
    function = convspec.convolve if flips else convspec.correlate

    def call(a: np.ndarray, v: np.ndarray, mode: str) -> np.ndarray:
        return function(a, v, mode, boundary=boundary, fill_value=fill)  # type: ignore[arg-type]

    return Operation(call, flips=flips, boundary=boundary, fill_value=fill)


@pytest.mark.parametrize("boundary", convspec.BOUNDARIES)
@pytest.mark.parametrize("flips", [True, False])
def test_expectation_is_the_reference_with_that_boundary(boundary: str, flips: bool) -> None:
    fill = 3.0 if boundary == "constant" else 0
    op = _ndimage_like(boundary, fill, flips)
    for n, k in itertools.product((1, 2, 5), (1, 2, 4, 7, 12)):
        a, v = RNG.standard_normal(n), RNG.standard_normal(k)
        for mode in convspec.MODES:
            expected = expectation(op, a, v, mode)
            np.testing.assert_allclose(expected.values, op.function(a, v, mode), rtol=1e-13)


def test_origin_shifts_the_same_window() -> None:
    a, v = np.arange(1.0, 10.0), np.array([1.0, 10.0, 100.0, 1000.0])
    op = Operation(lambda a, v, mode: None, flips=True, origin=1, boundary="edge")
    got = expectation(op, a, v, "same").values
    shifted = convspec.convolve(a, v, "same", boundary="edge", alignment=lambda n, k: (k // 2, n))
    assert got.tolist() == shifted.tolist()  # lower start (K-1)//2 = 1, plus 1


def test_normalised_expectation_divides_by_the_sum() -> None:
    a, v = np.arange(1.0, 8.0), np.array([1.0, 2.0, 1.0])
    op = Operation(lambda a, v, mode: None, flips=True, normalize=True)
    assert (
        expectation(op, a, v, "same").values.tolist()
        == (convspec.convolve(a, v, "same") / 4).tolist()
    )


def _backend(**ops: Operation) -> Backend:
    return Backend("test", "0", ops)


def test_wrong_boundary_rejected_naming_the_boundary_it_uses() -> None:
    # Declares the spec's reflect but extends symmetrically (scipy.ndimage's 'reflect').
    liar = dataclasses.replace(_ndimage_like("symmetric", 0, True), boundary="reflect")
    result = run(_backend(convolve=liar), "test", isolation="none", select=["BOUND-*"])
    assert not result.conformant
    diagnoses = {d for r in result.failures for d in r.diagnosis}
    assert "computes with boundary symmetric, not the declared boundary reflect" in diagnoses


def test_ignored_fill_value_rejected_naming_the_zero_boundary() -> None:
    liar = dataclasses.replace(_ndimage_like("constant", 0, False), fill_value=3.0)
    result = run(_backend(correlate=liar), "test", isolation="none", select=["BOUND-2"])
    assert not result.conformant
    diagnoses = {d for r in result.failures for d in r.diagnosis}
    assert any("boundary constant (fill 0), not the declared" in d for d in diagnoses)


def test_true_boundary_declarations_pass() -> None:
    ops = {b: _ndimage_like(b, 3.0 if b == "constant" else 0, False) for b in convspec.BOUNDARIES}
    result = run(Backend("test", "0", ops), "test", isolation="none", select=["BOUND-*"])
    assert result.conformant
    assert {r.case.check for r in result.results} >= {"boundaries.extension"}


def _correlation(lags: object) -> Operation:
    return Operation(
        lambda a, v, mode: convspec.correlate(a, v, mode),
        flips=False,
        lags=lags,  # type: ignore[arg-type]
    )


def test_lags_of_the_spec_pass_and_a_shifted_lags_function_fails() -> None:
    good = run(_backend(correlate=_correlation(convspec.lags)), "test", isolation="none")
    lag_cases = [r for r in good.results if r.case.check == "boundaries.lags"]
    assert len(lag_cases) >= 5 * 5 * 3 and good.conformant

    def one_high(n: int, k: int, mode: str) -> np.ndarray:
        return convspec.lags(n, k, mode) + (mode == "same")  # type: ignore[arg-type]

    bad = run(_backend(correlate=_correlation(one_high)), "test", isolation="none")
    failed = [r for r in bad.failures if r.case.check == "boundaries.lags"]
    assert failed and all(r.case.call.mode == "lags:same" for r in failed)
    assert all("every lag is +1" in r.diagnosis[0] for r in failed)


def test_lags_function_that_raises_is_a_failure_not_a_crash() -> None:
    def broken(n: int, k: int, mode: str) -> np.ndarray:
        raise RuntimeError("no lags")

    result = run(
        _backend(correlate=_correlation(broken)), "test", isolation="none", select=["CORR-2"]
    )
    failed = [r for r in result.failures if r.case.check == "boundaries.lags"]
    assert failed and "no lags" in failed[0].message


def test_scipy_correlation_lags_deviation_is_observed() -> None:
    pytest.importorskip("scipy")
    from convspec.conformance.registry import load

    result = run(load("scipy-signal"), "scipy-signal", isolation="none", select=["CORR-2"])
    assert result.conformant
    seen = {(r.case.call.a.shape[0] % 2, r.case.call.v.shape[0] % 2) for r in result.deviations}
    assert seen == {(1, 0)}  # N odd, K even: one too high


def test_deviation_needs_its_diagnosis() -> None:
    # A deviation explains only the failures whose diagnosis names it.
    wrong = Deviation("convolve", "wrong words", lambda a, v, m: True, "no such diagnosis")
    liar = dataclasses.replace(_ndimage_like("edge", 0, True), boundary="wrap")
    backend = Backend("test", "0", {"convolve": liar}, documented_deviations=(wrong,))
    result = run(backend, "test", isolation="none", select=["BOUND-6"])
    assert result.failures and not result.deviations
