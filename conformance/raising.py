"""Why a backend raises where its declaration promises a result.

A raised exception is explained across the run, not case by case: the cases of one
operation that raised the same exception are compared with those that did not, and the
simplest condition that holds for all the first and none of the second names the field of
the declaration to change ("every float64 case raises NotImplementedError: remove float64
from dtypes"; "raises ValueError only when K > N in 'valid': declare needs_n_ge_k").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .backend import Operation
from .cases import Call
from .judge import CaseResult

__all__ = ["Condition", "conditions", "exception_name", "explain_raises"]


@dataclass(frozen=True)
class Condition:
    """A property of a call, with the declaration change that matches it."""

    words: str
    hint: str
    holds: Callable[[Call], bool]


_RAISED = re.compile(r"raised ([A-Za-z_][\w.]*)")


def exception_name(message: str) -> str:
    """The exception's name in a failure message (``"raised ValueError: x"``), or ``""``."""
    found = _RAISED.search(message)
    return found.group(1) if found else ""


def _pairs(call: Call) -> list[tuple[int, int]]:
    return list(zip(call.a.shape, call.v.shape, strict=False))


def _k_gt_n(call: Call) -> bool:
    return any(k > n for n, k in _pairs(call))


def _neither_larger(call: Call) -> bool:
    pairs = _pairs(call)
    return not (all(n >= k for n, k in pairs) or all(n <= k for n, k in pairs))


def _even_k(call: Call) -> bool:
    return any(k % 2 == 0 for _, k in _pairs(call))


def _listed(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def conditions(op: Operation, calls: Sequence[Call]) -> list[Condition]:
    """Candidate conditions, simplest first, for the calls of one operation."""
    out = []
    dtypes = sorted({c.a.dtype.name for c in calls} | {c.v.dtype.name for c in calls})
    for dtype in dtypes:
        out.append(
            Condition(
                f"every {dtype} case",
                f"remove {dtype} from dtypes",
                lambda c, d=dtype: d in (c.a.dtype.name, c.v.dtype.name),  # type: ignore[misc]
            )
        )
    for kind, what in (("c", "complex"), ("iu", "integer"), ("f", "real float")):
        names = [d for d in op.dtypes if d in dtypes and _kind(d) in kind]
        if len(names) > 1:
            out.append(
                Condition(
                    f"every {what} case",
                    f"remove {', '.join(names)} from dtypes",
                    lambda c, k=kind: c.a.dtype.kind in k or c.v.dtype.kind in k,  # type: ignore[misc]
                )
            )
    for mode in op.modes:
        out.append(
            Condition(
                f"every {mode!r} case",
                f"remove {mode!r} from modes",
                lambda c, m=mode: c.mode == m,  # type: ignore[misc]
            )
        )
    for rank in sorted({c.a.ndim for c in calls}):
        out.append(
            Condition(
                f"every rank-{rank} case",
                f"remove {rank} from ranks",
                lambda c, r=rank: c.a.ndim == r,  # type: ignore[misc]
            )
        )
    restrictions = (
        ("K > N", "needs_n_ge_k", op.needs_n_ge_k, _k_gt_n),
        (
            "neither operand is larger on every axis",
            "needs_one_larger",
            op.needs_one_larger,
            _neither_larger,
        ),
        ("the kernel has an even length", "needs_odd_k", op.needs_odd_k, _even_k),
    )
    for words, name, declared, test in restrictions:
        for mode in op.modes:
            modes = tuple(sorted({*declared, mode}, key=op.modes.index))
            out.append(
                Condition(
                    f"only when {words} in {mode!r}",
                    f"declare it: {name}=({_listed(modes)},)",
                    lambda c, m=mode, t=test: c.mode == m and t(c),  # type: ignore[misc]
                )
            )
        out.append(
            Condition(
                f"only when {words}",
                f"declare it: {name}=({_listed(op.modes)},)",
                test,
            )
        )
    out.append(
        Condition(
            "only for operands of different dtypes",
            "declare mixed_dtypes=False",
            lambda c: c.a.dtype != c.v.dtype,
        )
    )
    return out


def _kind(name: str) -> str:
    return "c" if name.startswith("complex") else ("f" if name.startswith("float") else "i")


def _size_condition(raised: Sequence[Call], quiet: Sequence[Call]) -> Condition | None:
    """``max_size``: every raising call is larger than every call that returned."""
    if not quiet:
        return None
    largest_ok = max(max(c.a.size, c.v.size) for c in quiet)
    if all(max(c.a.size, c.v.size) > largest_ok for c in raised):
        return Condition(
            f"only for operands over {largest_ok} elements",
            f"declare max_size={largest_ok}",
            lambda c: max(c.a.size, c.v.size) > largest_ok,
        )
    return None


def explain_raises(op: Operation, results: Sequence[CaseResult]) -> dict[int, str]:
    """``{id(result): line}`` for every failure of ``op`` that raised where a result is
    declared: which cases raise, and the declaration that says so."""
    valued = [r for r in results if r.case.expect != "raises"]
    raised = [r for r in valued if r.status == "fail" and r.outcome == "raised"]
    if not raised:
        return {}
    quiet = [r.case.call for r in valued if r.outcome != "raised"]
    by_name: dict[str, list[CaseResult]] = {}
    for r in raised:
        by_name.setdefault(exception_name(r.message) or "an exception", []).append(r)
    calls_all = [r.case.call for r in valued]
    explained: dict[int, str] = {}
    for name, group in by_name.items():
        calls = [r.case.call for r in group]
        line = ""
        candidates = conditions(op, calls_all)
        size = _size_condition(calls, quiet)
        if size is not None:
            candidates.append(size)
        if not quiet:
            message = group[0].message.split("raised ", 1)[-1]
            candidates = [Condition("every case", f"the operation never returns ({message})", bool)]
        for cond in candidates:
            if all(cond.holds(c) for c in calls) and not any(cond.holds(c) for c in quiet):
                if cond.words.startswith("every"):
                    line = f"{cond.words} raises {name}: {cond.hint}"
                else:
                    line = f"raises {name} {cond.words}: {cond.hint}"
                break
        if not line:
            line = (
                f"raises {name} where a result is declared (no declared dtype, mode, rank or "
                "shape restriction separates these cases from those that return)"
            )
        for r in group:
            explained[id(r)] = line
    return explained
