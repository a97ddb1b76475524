"""Declarations are checked when built, and every declarable behaviour is judged as declared.

A correct backend declaring saturating integers, odd kernels only, a switch to FFT above
a kernel size, or a deviation that is a raised exception conforms; a declaration the
suite cannot check is refused with the field named.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from mutant_catalogue import _fft, _odd_only, _saturate, conv

from convspec.conformance import Backend, Operation
from convspec.conformance.backend import Deviation
from convspec.conformance.runner import RunResult, run


def _op(**declared: Any) -> Operation:
    declared.setdefault("flips", True)
    return Operation(declared.pop("function", conv), **declared)


def _run(op: Operation, deviations: tuple[Deviation, ...] = ()) -> RunResult:
    backend = Backend("declared", "0", {"convolve": op}, documented_deviations=deviations)
    return run(backend, "declared", "quick", 0, 20, "none")


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        ({"dtypes": ("float65",)}, "dtypes: 'float65' is an unknown dtype name"),
        ({"dtypes": ("f8",)}, "(write 'float64')"),
        ({"dtypes": ("bfloat16",)}, "cannot judge bfloat16"),
        ({"dtypes": ("bool",)}, "'bool' is not a dtype the suite judges"),
        (
            {"modes": ("full",), "needs_n_ge_k": ("valid",)},
            "'needs_n_ge_k' restricts modes ['valid']",
        ),
        ({"modes": ("valid",), "needs_odd_k": ("same",)}, "'needs_odd_k' restricts modes ['same']"),
        ({"modes": ("fulll",)}, "'modes' must be a non-empty tuple of full, valid, same"),
        ({"same_alignment": "centre"}, "'same_alignment' must be one of lower, upper"),
        ({"result_dtype": "promoted"}, "'result_dtype' must be one of spec, promote"),
        ({"integer_overflow": "clip"}, "'integer_overflow' must be 'wrap', 'saturate'"),
        ({"method": "fft", "fft_above": 8}, "'fft_above' needs method='direct'"),
        ({"function": None}, "'function' must be callable"),
    ],
)
def test_a_declaration_the_suite_cannot_check_is_refused(
    declared: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match="Operation: ") as raised:
        _op(**declared)
    assert words in str(raised.value)


def test_a_deviation_naming_an_undeclared_operation_is_refused() -> None:
    deviation = Deviation("correlate", "x", lambda a, v, mode: True, "y")
    with pytest.raises(ValueError, match="names operation 'correlate'"):
        Backend("b", "0", {"convolve": _op()}, documented_deviations=(deviation,))


def test_rejects_invalid_is_the_default_of_both_halves() -> None:
    old = _op(rejects_invalid=False)
    assert (old.rejects_empty, old.rejects_rank_mismatch) == (False, False)
    split = _op(rejects_invalid=False, rejects_rank_mismatch=True)
    assert (split.rejects_empty, split.rejects_rank_mismatch) == (False, True)


def test_a_saturating_backend_conforms_when_it_says_so() -> None:
    op = _op(
        function=_saturate("int8"),
        dtypes=("int8",),
        result_dtype="promote",
        integer_overflow="saturate",
    )
    result = _run(op)
    assert result.conformant, [r.message for r in result.failures]
    assert any("extremes" in r.case.label for r in result.results)


def test_an_odd_kernels_only_backend_conforms_and_its_restriction_is_probed() -> None:
    result = _run(_op(function=_odd_only, needs_odd_k=("same",)))
    assert result.conformant, [r.message for r in result.failures]
    probes = [r for r in result.results if r.case.check == "notation.declared_restrictions"]
    assert probes and all(r.case.expect == "raises" and r.outcome == "raised" for r in probes)


def _direct_then_fft(a: np.ndarray, v: np.ndarray, mode: str) -> np.ndarray:
    return _fft(a, v, mode) if v.size > 8 else conv(a, v, mode)


def test_a_method_switch_is_held_to_the_fft_bound_above_its_size_only() -> None:
    switching = _op(function=_direct_then_fft, fft_above=8, nonfinite=False)
    assert switching.method_for(8) == "direct" and switching.method_for(9) == "fft"
    assert _run(switching).conformant
    assert not _run(_op(function=_direct_then_fft, nonfinite=False)).conformant


def _raises_when_k_gt_n(a: np.ndarray, v: np.ndarray, mode: str) -> np.ndarray:
    if mode == "valid" and v.shape[0] > a.shape[0]:
        raise ValueError("v longer than a")
    return conv(a, v, mode)


def _k_gt_n_valid(a: np.ndarray, v: np.ndarray, mode: str) -> bool:
    return mode == "valid" and v.shape[0] > a.shape[0]


@pytest.mark.parametrize("raises", [ValueError, Exception, "v longer than a"])
def test_a_deviation_can_be_a_raised_exception(raises: Any) -> None:
    deviation = Deviation("convolve", "raises for K > N in valid", _k_gt_n_valid, raises=raises)
    result = _run(_op(function=_raises_when_k_gt_n), (deviation,))
    assert result.conformant and result.deviations
    assert all(r.deviation == "raises for K > N in valid" for r in result.deviations)


def test_a_raised_deviation_of_another_exception_is_still_a_failure() -> None:
    deviation = Deviation("convolve", "d", _k_gt_n_valid, raises=TypeError)
    assert not _run(_op(function=_raises_when_k_gt_n), (deviation,)).conformant


def test_each_deviation_counts_the_cases_of_its_own_operation() -> None:
    """Two operations with the same deviation: each reports only its own cases."""
    from convspec.conformance.report import observed_cases, terminal, to_json

    shared = "raises for K > N in valid"
    raising = _op(function=_raises_when_k_gt_n)
    deviations = tuple(
        Deviation(
            name,
            shared,
            _k_gt_n_valid,
            raises=ValueError,
            reproduction="convolve([1], [1, 2], 'valid')\n# ValueError",
        )
        for name in ("convolve", "other")
    )
    ops = {"convolve": raising, "other": raising}
    backend = Backend("declared", "0", ops, documented_deviations=deviations)
    result = run(backend, "declared", "quick", 0, 20, "none")
    per_operation = {name: sum(r.case.operation == name for r in result.deviations) for name in ops}
    assert all(per_operation.values())
    assert [observed_cases(result, d) for d in deviations] == list(per_operation.values())
    stored = to_json(result)["backend"]["documented_deviations"]
    assert [d["observed_cases"] for d in stored] == list(per_operation.values())
    # every line of a reproduction stays inside its indented block
    report = terminal(result)
    assert "      convolve([1], [1, 2], 'valid')\n      # ValueError" in report
