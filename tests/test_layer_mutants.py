"""Defective layer backends are rejected, and the first diagnosis names the defect."""

from __future__ import annotations

import pytest

from convspec.conformance.registry import load
from convspec.conformance.runner import RunResult, run

MUTANTS = "convspec.conformance.layer_mutants:"


def _run(name: str, select: list[str] | None = None) -> RunResult:
    reference = MUTANTS + name
    return run(load(reference), reference, "quick", 0, 20.0, "none", select)


@pytest.mark.parametrize(
    ("mutant", "select", "defect"),
    [
        ("IGNORES_STRIDE", ["LAYER-4"], "ignores the stride (computes at stride 1)"),
        ("IGNORES_DILATION", ["LAYER-4"], "ignores the dilation (computes at dilation 1)"),
        (
            "ODD_PAD_BEFORE",
            ["LAYER-5", "LAYER-6"],
            "puts the odd pad on the other side (before and after exchanged)",
        ),
        (
            "INTERLEAVED_GROUPS",
            ["LAYER-2"],
            "splits the groups wrongly (channel c in group c % groups, not c // (C / groups))",
        ),
        (
            "CHANNELS_FIRST_RESULT",
            ["LAYER-11"],
            "returns the result as NCHW, not NHWC (channel and spatial axes exchanged)",
        ),
        ("KERNEL_READ_AS_IOHW", ["LAYER-5", "LAYER-6"], "reads the kernel as IOHW, not OIHW"),
        ("FLIPS", ["LAYER-12"], "flips the kernel (a true convolution)"),
        ("IGNORES_BIAS", ["LAYER-1"], "ignores the bias"),
        (
            "OUTPUT_PADDING_AT_START",
            ["LAYER-8"],
            "adds output_padding at the start instead of the end",
        ),
    ],
)
def test_layer_defect_is_rejected_and_named_first(
    mutant: str, select: list[str], defect: str
) -> None:
    result = _run(mutant, select)
    assert not result.conformant, f"{mutant} passed {len(result.results)} cases"
    diagnosed = [r for r in result.failures if r.diagnosis]
    assert diagnosed, [r.message for r in result.failures]
    # ranks 1 and 2 give other layout words for 1-D cases: compare where the words apply
    firsts = {r.diagnosis[0] for r in diagnosed}
    assert defect in firsts or any(defect.replace("HW", "W") == f for f in firsts), firsts
    for failure in diagnosed:
        assert failure.diagnosis[0] in (defect, defect.replace("HW", "W")), failure.diagnosis
