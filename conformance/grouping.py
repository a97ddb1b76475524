"""Failures grouped by operation and cause: one line per group, not one block per case.

Two failures share a group when they are of the same operation and their diagnoses start
with the same line -- the same exception under the same condition, the same wrong
convention, the same precision.  A group keeps its clauses, the dtypes, modes and ranks
of its cases, and the index of its first case, whose reproduction stands for them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .judge import CaseResult

__all__ = ["FailureGroup", "group_failures", "summary_line"]


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one operation with one cause."""

    operation: str
    #: The shared first diagnosis line: what the backend does and what to change.
    cause: str
    #: Indices into the run's ``results``, in run order.
    indices: tuple[int, ...]
    clauses: tuple[str, ...]
    dtypes: tuple[str, ...]
    modes: tuple[str, ...]
    ranks: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.indices)

    @property
    def first(self) -> int:
        """The index of the group's first case (its reproduction is shown)."""
        return self.indices[0]


_MODE_ORDER = {"full": 0, "valid": 1, "same": 2}


def _cause(result: CaseResult) -> str:
    return result.diagnosis[0] if result.diagnosis else result.message


def group_failures(results: Sequence[CaseResult]) -> list[FailureGroup]:
    """The failures of ``results`` grouped by operation and cause, largest group first
    (ties in the order of their first case)."""
    members: dict[tuple[str, str], list[int]] = {}
    for index, result in enumerate(results):
        if result.status == "fail":
            members.setdefault((result.case.operation, _cause(result)), []).append(index)
    groups = []
    for (operation, cause), indices in members.items():
        calls = [results[i].case.call for i in indices]
        clauses = sorted({c for i in indices for c in results[i].case.clauses})
        dtypes = sorted({c.a.dtype.name for c in calls} | {c.v.dtype.name for c in calls})
        modes = sorted({c.mode for c in calls}, key=lambda m: (_MODE_ORDER.get(m, 3), m))
        ranks = sorted({c.a.ndim for c in calls})
        groups.append(
            FailureGroup(
                operation,
                cause,
                tuple(indices),
                tuple(clauses),
                tuple(dtypes),
                tuple(modes),
                tuple(ranks),
            )
        )
    groups.sort(key=lambda g: (-g.count, g.first))
    return groups


def summary_line(group: FailureGroup) -> str:
    """``12 x convolve [CONV-1, CONV-4] float64; full, same; 1-D: <cause>``."""
    ranks = ", ".join(f"{r}-D" for r in group.ranks)
    where = f"{', '.join(group.dtypes)}; {', '.join(group.modes)}; {ranks}"
    cases = "case" if group.count == 1 else "cases"
    return (
        f"{group.count} {cases} of {group.operation} [{', '.join(group.clauses)}] "
        f"({where}): {group.cause}"
    )
