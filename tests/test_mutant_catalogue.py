"""Every defective backend of the catalogue is rejected, and its first diagnosis names it.

The first diagnosis line is the cause of the largest group of failures: the first line
of the grouped report a user reads.  The test prints the kill rate (rejected entries)
and the diagnosis rate (entries whose first line names the defect).
"""

from __future__ import annotations

import pytest
from mutant_catalogue import CATALOGUE, Entry

from convspec.conformance.runner import RunResult, run

DIAGNOSIS_TARGET = 0.9


def _run(entry: Entry) -> RunResult:
    return run(entry.backend, entry.name, "quick", 0, 20, "none")


def first_line(result: RunResult) -> str:
    groups = result.groups
    return groups[0].cause if groups else ""


def test_the_catalogue_has_at_least_30_defects_with_distinct_names() -> None:
    names = [e.name for e in CATALOGUE]
    assert len(names) >= 30 and len(set(names)) == len(names)


def test_every_defect_is_rejected_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    killed, named, misses = 0, 0, []
    for entry in CATALOGUE:
        result = _run(entry)
        line = first_line(result)
        killed += not result.conformant
        if entry.phrase in line:
            named += 1
        else:
            misses.append(f"{entry.name}: expected {entry.phrase!r}, first line {line!r}")
    total = len(CATALOGUE)
    with capsys.disabled():
        print(
            f"\nmutant catalogue: kill rate {killed}/{total} ({killed / total:.0%}), "
            f"diagnosis rate {named}/{total} ({named / total:.0%})"
        )
        for miss in misses:
            print("  not named:", miss)
    assert killed == total
    assert named / total >= DIAGNOSIS_TARGET, misses


@pytest.mark.parametrize("entry", CATALOGUE[:3], ids=lambda e: e.name)
def test_no_failure_goes_undiagnosed(entry: Entry) -> None:
    result = _run(entry)
    assert result.failures and all(f.diagnosis for f in result.failures)
