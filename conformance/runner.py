"""Running the suite against a backend: the pipeline case, call, judge, diagnose.

:func:`generate` builds every case (and skip) for a backend (:mod:`.cases`, :mod:`.checks`);
:func:`run` sends the calls through an isolation strategy (:mod:`.isolation`), judges each
outcome (:mod:`.judge`), explains every failure (:mod:`.diagnosis`) and returns a
:class:`RunResult` for the reports (:mod:`.report`, grouped by :mod:`.grouping`).

Each case's expected value is computed from its pristine operands before its call is made
(and the call gets copies of them, see :mod:`.isolation`), so a backend that writes to its
inputs can change neither its own verdict nor another case's.  A run stopped by a time
budget or a signal still returns (and reports) what it judged; the rest is ``not run``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import checks as _checks  # noqa: F401  (registers the checks)
from .backend import Backend, Operation
from .cases import CHECKS, Case, Context, Profile, Skip
from .diagnosis import diagnose_results
from .isolation import InProcess, Interrupted, Isolated, Runner
from .judge import CaseResult, Status, evaluate, judge
from .layer_backend import LayerOperation
from .layer_cases import LayerContext
from .parallel import Parallel

if TYPE_CHECKING:
    from .grouping import FailureGroup

__all__ = ["CaseResult", "RunResult", "Status", "Verdict", "evaluate", "generate", "judge", "run"]

Verdict = Literal["conformant", "not conformant", "incomplete"]


@dataclass
class RunResult:
    """Everything a report needs."""

    backend: Backend
    reference: str
    profile: Profile
    seed: int
    timeout: float
    results: list[CaseResult]
    skips: list[Skip]
    seconds: float
    restarts: int = 0
    #: Why the run stopped before judging every case ("" when it did not): a signal.
    incomplete: str = ""
    #: The signal that stopped the run, if one did.
    interrupted: int | None = None
    #: The time budget of the whole run in seconds, if one was given.
    budget: float | None = None

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def not_run(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "not run"]

    @property
    def verdict(self) -> Verdict:
        """``not conformant`` once a case failed; ``incomplete`` when none failed but some
        were not run (a time limit, a signal); else ``conformant``."""
        if self.failures:
            return "not conformant"
        if self.not_run or self.incomplete:
            return "incomplete"
        return "conformant"

    @property
    def deviations(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "deviation"]

    @property
    def conformant(self) -> bool:
        return self.verdict == "conformant"

    def __bool__(self) -> bool:
        """True when the backend conforms (``if check("numpy"): ...``)."""
        return self.conformant

    @property
    def cases(self) -> list[Case]:
        """Every case that ran, in order."""
        return [r.case for r in self.results]

    @property
    def diagnoses(self) -> dict[str, list[str]]:
        """Each failure's diagnosis (most specific first), keyed as the reports key cases
        (``case0007``: the index of the case in ``results``)."""
        from .report import case_key

        return {case_key(i): r.diagnosis for i, r in enumerate(self.results) if r.status == "fail"}

    @property
    def groups(self) -> list[FailureGroup]:
        """The failures grouped by operation and cause, largest group first."""
        from .grouping import group_failures

        groups: list[FailureGroup] = group_failures(self.results)
        return groups


def _applies(kind: str, op: Operation | LayerOperation) -> bool:
    if isinstance(op, LayerOperation):
        return kind == "layer"
    return kind == "any" or kind == op.kind


def _selected(check_name: str, clauses: Sequence[str], patterns: Sequence[str] | None) -> bool:
    if not patterns:
        return True
    names = [check_name, *clauses]
    return any(fnmatch.fnmatch(n, p) or n == p for p in patterns for n in names)


def generate(
    backend: Backend,
    profile: Profile = "quick",
    seed: int = 0,
    select: Sequence[str] | None = None,
    operations: Sequence[str] | None = None,
) -> tuple[list[Case], list[Skip]]:
    """Every case and skip for ``backend``; ``select`` keeps checks or clause ids (globs)."""
    cases: list[Case] = []
    skips: list[Skip] = []
    for op_name, op in backend.operations.items():
        if operations is not None and op_name not in operations:
            continue
        for chk in CHECKS.values():
            if not _applies(chk.applies_to, op):
                continue
            if not _selected(chk.name, chk.clauses, select):
                continue
            make = LayerContext if isinstance(op, LayerOperation) else Context
            ctx = make(backend, op_name, op, profile, seed, check_name=chk.name)  # type: ignore[arg-type]
            produced = 0
            for item in chk.function(ctx):
                produced += 1
                if isinstance(item, Skip):
                    skips.append(item)
                elif _selected(chk.name, item.clauses, select):
                    cases.append(item)
            if not produced:
                reason = "no case fits the declared modes, ranks, dtypes and sizes"
                skips.append(Skip(chk.name, chk.clauses, op_name, reason))
    return cases, skips


@contextlib.contextmanager
def _on_stop_signals(action: Any) -> Iterator[None]:
    """``action`` handles SIGINT and SIGTERM for the length of the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, action) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _raise_interrupted(signum: int, frame: Any) -> None:
    """A stop signal raises :class:`Interrupted`, so a stopped run can end its workers and
    report what it had."""
    raise Interrupted(signum)


def run(
    backend: Backend,
    reference: str,
    profile: Profile = "quick",
    seed: int = 0,
    timeout: float = 20.0,
    isolation: Literal["process", "none"] = "process",
    select: Sequence[str] | None = None,
    cases: Iterable[Case] | None = None,
    skips: Iterable[Skip] = (),
    budget: float | None = None,
    jobs: int = 1,
) -> RunResult:
    """Run every selected case (or the given ``cases``), judge and diagnose it.

    ``jobs``: worker processes calling the backend at once (``convspec.conformance.parallel``; each
    operation's calls stay in one worker); more than 1 needs ``isolation="process"``.

    ``budget``: seconds for the whole run; cases not called by then are ``not run``.  A
    SIGINT or SIGTERM ends the worker and returns what was judged, with ``incomplete``
    and ``interrupted`` set and the remaining cases ``not run``.
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be an integer of at least 1; got {jobs!r}")
    if jobs > 1 and isolation != "process":
        raise ValueError(f"jobs={jobs} needs isolation='process' (one process calls in-process)")
    started = time.perf_counter()
    deadline = None if budget is None else time.monotonic() + budget
    if cases is None:
        case_list, skip_list = generate(backend, profile, seed, select)
    else:
        case_list, skip_list = list(cases), list(skips)
    judged: list[CaseResult] = []
    incomplete, interrupted = "", None
    with _on_stop_signals(_raise_interrupted):
        runner: Runner
        if isolation != "process":
            runner = InProcess(backend, deadline)
        elif jobs > 1:
            runner = Parallel(reference, timeout, deadline, jobs)
        else:
            runner = Isolated(reference, timeout, deadline)
        try:
            for result in judge(backend, case_list, runner):
                judged.append(result)
        except Interrupted as stop:
            interrupted = stop.signum
            incomplete = f"interrupted by {signal.Signals(stop.signum).name}"
        finally:
            with _on_stop_signals(signal.SIG_IGN):
                runner.close()
    judged += [
        CaseResult(case, "not run", f"not run: {incomplete}") for case in case_list[len(judged) :]
    ]
    results = diagnose_results(backend, judged)
    return RunResult(
        backend,
        reference,
        profile,
        seed,
        timeout,
        results,
        skip_list,
        time.perf_counter() - started,
        runner.restarts,
        incomplete,
        interrupted,
        budget,
    )
