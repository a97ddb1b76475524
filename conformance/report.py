"""Reports: a terminal table, a versioned JSON document, a Markdown matrix, failure arrays.

Every view is built from :func:`clause_matrix`: for each clause of
:data:`convspec.clauses.CLAUSES` and each operation, ``pass`` (every case passed),
``fail`` (some case failed) or ``skip`` (no case ran, with the reasons).  The JSON schema is
``report_schema.json`` beside this module (``SCHEMA_VERSION``).

Backend strings are escaped for the terminal and for Markdown (:mod:`.escaping`).  Report
files are written atomically: a temporary file in the same folder, then a rename, so a
reader sees the previous report or the new one, never a part of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

import convspec
from convspec.clauses import CLAUSES

from .backend import Deviation, canonical_differences
from .cases import LAYER_MODE, Call
from .escaping import markdown_text, terminal_text
from .layer_backend import LayerOperation
from .runner import CaseResult, RunResult
from .tolerance import POLICY

__all__ = [
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "clause_matrix",
    "coverage_lines",
    "describe_failure",
    "failure_groups",
    "failures_path",
    "markdown",
    "terminal",
    "to_json",
    "write_reports",
]

SCHEMA_VERSION = "1.1"
SCHEMA_PATH = Path(__file__).with_name("report_schema.json")
_INLINE_LIMIT = 64
#: Characters of a case's captured output shown in the terminal and Markdown.
_OUTPUT_SHOWN = 300
#: Cases whose captured output the JSON report lists.
_OUTPUT_CASES = 20


def _cell() -> dict[str, Any]:
    return {
        "status": "skip",
        "cases": 0,
        "failed": 0,
        "deviations": 0,
        "not_run": 0,
        "seconds": 0.0,
        "max_fraction_of_bound": None,
        "skip_reasons": [],
        "coverage": {"dtypes": [], "modes": [], "ranks": []},
    }


def clause_matrix(run: RunResult) -> dict[str, dict[str, dict[str, Any]]]:
    """``{clause: {operation: cell}}`` for every clause and operation of the run."""
    ops = list(run.backend.operations)
    matrix = {clause: {op: _cell() for op in ops} for clause in CLAUSES}
    for result in run.results:
        for clause in result.case.clauses:
            cell = matrix[clause][result.case.operation]
            if result.status == "not run":
                cell["not_run"] += 1
                continue
            cell["cases"] += 1
            cell["seconds"] += result.seconds
            if result.status == "fail":
                cell["failed"] += 1
            elif result.status == "deviation":
                cell["deviations"] += 1
            if result.status != "fail" and not (
                result.case.expect == "raises" and result.outcome != "raised"
            ):
                _cover(cell["coverage"], result)
            fraction = (result.measurement or {}).get("max_fraction")
            if fraction is not None and np.isfinite(fraction):
                previous = cell["max_fraction_of_bound"]
                cell["max_fraction_of_bound"] = max(previous or 0.0, float(fraction))
    for skip in run.skips:
        for clause in skip.clauses:
            reasons = matrix[clause][skip.operation]["skip_reasons"]
            if skip.reason not in reasons:
                reasons.append(skip.reason)
    for row in matrix.values():
        for op_name, cell in row.items():
            declared = run.backend.operations[op_name].dtypes
            covered = [d for d in cell["coverage"]["dtypes"] if d in declared]
            if cell["failed"]:
                cell["status"] = "fail"
            elif cell["deviations"]:
                cell["status"] = "deviation"
            elif cell["not_run"]:
                cell["status"] = "not run"
            elif cell["cases"] and not covered:
                cell["status"] = "not covered"
            elif cell["cases"]:
                cell["status"] = "pass"
    return matrix


def _cover(coverage: dict[str, list[Any]], result: CaseResult) -> None:
    """Add the dtypes, mode and rank of a case that ran to a cell's coverage."""
    call = result.case.call
    for key, value in (
        ("dtypes", call.a.dtype.name),
        ("dtypes", call.v.dtype.name),
        ("modes", call.mode),
        ("ranks", call.a.ndim),
    ):
        if value not in coverage[key]:
            coverage[key].append(value)
            coverage[key].sort(key=str)


def _declared_differences(run: RunResult) -> dict[str, str]:
    """Each way a declaration departs from the spec, with the operations that declare it
    ("every operation" when all do), in the order first declared."""
    holders: dict[str, list[str]] = {}
    for op_name, declared in run.backend.operations.items():
        for difference in canonical_differences(declared):
            holders.setdefault(difference, []).append(op_name)
    everyone = len(run.backend.operations)
    return {
        difference: "every operation" if len(names) == everyone and everyone > 1
        else ", ".join(terminal_text(n) for n in names)
        for difference, names in holders.items()
    }  # fmt: skip


def _clause_ranges(clauses: list[str]) -> str:
    """``LAYER-1..13, FRAME-1..2``: consecutive ids of one prefix written as a range."""
    runs: list[tuple[str, int, int]] = []
    for clause in clauses:
        prefix, _, number = clause.rpartition("-")
        if runs and runs[-1][0] == prefix and runs[-1][2] == int(number) - 1:
            runs[-1] = (prefix, runs[-1][1], int(number))
        else:
            runs.append((prefix, int(number), int(number)))
    return ", ".join(
        f"{prefix}-{first}" + (f"..{last}" if last > first else "") for prefix, first, last in runs
    )


def _word(cell: dict[str, Any], words: dict[str, str]) -> str:
    """The cell's status word; ``n/a`` for a skip without reasons (the clause is about the
    other kind of operation, or the selection left it out)."""
    if cell["status"] == "skip" and not cell["skip_reasons"]:
        return "n/a"
    return words[cell["status"]]


def _literal(value: Any) -> str:
    """Python source for one element: inf and NaN as ``np.inf`` / ``np.nan``."""
    if isinstance(value, complex):
        return f"complex({_literal(value.real)}, {_literal(value.imag)})"
    if isinstance(value, float) and not np.isfinite(value):
        return "np.nan" if np.isnan(value) else ("np.inf" if value > 0 else "-np.inf")
    return repr(value)


def _nested(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return _literal(value)


def _array_source(name: str, x: np.ndarray[Any, Any], key: str) -> str:
    """Source that rebuilds ``x`` exactly: its values, dtype and shape (empty N-D too)."""
    if x.size == 0:
        return f"{name} = np.zeros({tuple(x.shape)!r}, dtype=np.{x.dtype.name})"
    if x.size <= _INLINE_LIMIT:
        return f"{name} = np.array({_nested(x.tolist())}, dtype=np.{x.dtype.name})"
    return f"{name} = np.load(FAILURES)[{key!r}]  # {x.dtype}{list(x.shape)}"


def case_key(index: int) -> str:
    return f"case{index:04d}"


def _array_params(call: Call) -> list[np.ndarray[Any, Any]]:
    return [p for p in call.params.values() if isinstance(p, np.ndarray)]


def _call_source(call: Call, key: str) -> list[str]:
    """The lines that rebuild the operands (and a layer's params) and call the operation."""
    if call.mode != LAYER_MODE:
        return [
            _array_source("a", call.a, f"{key}_a"),
            _array_source("v", call.v, f"{key}_v"),
            f"actual = np.asarray(op.function(a, v, {call.mode!r}))",
        ]
    lines = [_array_source("x", call.a, f"{key}_a"), _array_source("w", call.v, f"{key}_v")]
    items = []
    for name, value in call.params.items():
        if isinstance(value, np.ndarray):
            lines.append(_array_source(name, value, f"{key}_{name}"))
            items.append(f"{name!r}: {name}")
        else:
            items.append(f"{name!r}: {value!r}")
    lines.append("params = {" + ", ".join(items) + "}")
    lines.append("actual = np.asarray(op.function(x, w, **params))")
    return lines


def describe_failure(
    result: CaseResult, reference: str, index: int = 0, failures_file: str | None = None
) -> str:
    """The failure's message, diagnosis and a copy-paste reproduction.

    ``failures_file``: the path of the ``.npz`` holding the arrays too large to print, as
    the user can open it from where they stand (absolute); ``None`` when none is written.
    """
    case, call = result.case, result.case.call
    key = case_key(index)
    lines = [
        f"FAIL {terminal_text(case.operation)} {case.check} [{', '.join(case.clauses)}]: "
        f"{case.label}",
        f"  {terminal_text(result.message)}",
    ]
    if result.diagnosis:
        lines.append("  diagnosis: " + "; ".join(result.diagnosis))
    lines += [
        "  reproduce:",
        "    import numpy as np",
        "    from convspec.conformance import load_backend",
        f"    op = load_backend({reference!r}).operations[{case.operation!r}]",
        *(
            [
                f"    FAILURES = {failures_file!r}"
                if failures_file is not None
                else "    FAILURES = None  # run with --report json PATH to save the arrays"
            ]
            if max(call.a.size, call.v.size, *(p.size for p in _array_params(call))) > _INLINE_LIMIT
            or (result.expected is not None and np.asarray(result.expected).size > _INLINE_LIMIT)
            else []
        ),
        *("    " + line for line in _call_source(call, key)),
    ]
    if case.partner is not None:
        lines.append(
            f"    # compare with {case.partner.operation}(a, flip(v), {case.partner.mode!r})"
        )
    if result.expected is not None:
        lines.append(
            "    "
            + _array_source("expected", np.asarray(result.expected), f"{key}_expected")
            + f"  # declared dtype {result.expected_dtype}"
        )
    if result.actual is not None and result.actual.size <= _INLINE_LIMIT:
        lines.append(
            f"    # actual: {_nested(result.actual.tolist())} "
            f"({result.actual.dtype}{list(result.actual.shape)})"
        )
    if result.first_difference is not None and result.expected is not None:
        i = tuple(result.first_difference)
        assert result.actual is not None
        lines.append(
            f"    # first differing index {list(i)}: expected {result.expected[i]!r}, "
            f"actual {result.actual[i]!r}"
        )
    return "\n".join(lines)


#: The terminal table is cut into blocks of operation columns no wider than this.
TERMINAL_WIDTH = 160


def observed_cases(run: RunResult, deviation: Deviation) -> int:
    """How many cases of the deviation's operation were reported as that deviation."""
    return sum(
        r.deviation == deviation.description and r.case.operation == deviation.operation
        for r in run.deviations
    )


def terminal(run: RunResult) -> str:
    """A plain-text table: clause x operation, with pass / FAIL / skip, cases and time.

    Clauses that apply to none of the operations (``n/a`` in every column) are left out
    and counted; with many operations the columns come in blocks that fit the width.
    """
    matrix = clause_matrix(run)
    ops = list(run.backend.operations)
    shown = {op: terminal_text(op) for op in ops}
    width = {op: max(12, len(shown[op]) + 2) for op in ops}
    words = {"pass": "pass", "fail": "FAIL", "skip": "skip", "deviation": "dev"}
    words.update({"not covered": "uncov", "not run": "n/r"})
    rows = {
        clause: {
            op: _word(row[op], words) + (f" {row[op]['cases']}" if row[op]["cases"] else "")
            for op in ops
        }
        for clause, row in matrix.items()
    }
    inapplicable = [clause for clause, cells in rows.items() if set(cells.values()) == {"n/a"}]
    seconds = {op: 0.0 for op in ops}
    for result in run.results:
        seconds[result.case.operation] += result.seconds
    blocks: list[list[str]] = [[]]
    for op in ops:  # columns in blocks no wider than TERMINAL_WIDTH
        if blocks[-1] and 53 + sum(width[o] for o in blocks[-1]) + width[op] > TERMINAL_WIDTH:
            blocks.append([])
        blocks[-1].append(op)
    lines: list[str] = []
    for block in blocks:
        header = f"{'clause':<8} {'title':<44}" + "".join(f"{shown[o]:>{width[o]}}" for o in block)
        lines += ([""] if lines else []) + [header, "-" * len(header)]
        for clause, cells in rows.items():
            if clause not in inapplicable:
                title = f"{clause:<8} {CLAUSES[clause][:44]:<44}"
                lines.append(title + "".join(f"{cells[o]:>{width[o]}}" for o in block))
        times = "".join(f"{seconds[o]:>{width[o]}.2f}" for o in block)
        lines.append(f"{'':<8} {'backend time (s)':<44}" + times)
    if inapplicable:
        lines.append(
            f"{len(inapplicable)} clauses apply to none of these operations (n/a), not shown: "
            + _clause_ranges(inapplicable)
        )
    failed, deviating, not_run = len(run.failures), len(run.deviations), len(run.not_run)
    passed = len(run.results) - failed - deviating - not_run
    verdict = {"conformant": "CONFORMANT", "not conformant": "NOT CONFORMANT"}.get(
        run.verdict, "INCOMPLETE (no verdict)"
    )
    lines.append("")
    lines.append(
        f"{terminal_text(run.backend.name)} {terminal_text(run.backend.version)}: {verdict} "
        f"to its declaration -- {passed} of {len(run.results)} cases passed, "
        f"{failed} failed, {deviating} show documented deviations"
        + (f", {not_run} not run" if not_run else "")
        + f" (profile {run.profile}, seed {run.seed}, {run.seconds:.1f} s, tolerance: {POLICY})"
    )
    if run.incomplete:
        lines.append(f"  the run was {run.incomplete}: the report is incomplete")
    for reason, count in _not_run_reasons(run).items():
        lines.append(f"  {count} cases not run: {terminal_text(reason)}")
    printed = [r for r in run.results if r.output]
    if printed:
        lines.append(
            f"  the backend printed during {len(printed)} calls; kept out of this output, "
            "it is in the reports (--report json: backend_output)"
        )
    for difference, names in _declared_differences(run).items():
        lines.append(f"  declared unlike the spec: {terminal_text(difference)} ({names})")
    for deviation in run.backend.documented_deviations:
        seen = observed_cases(run, deviation)
        lines.append(
            f"  differs from its documentation ({terminal_text(deviation.operation)}, seen in "
            f"{seen} cases): {terminal_text(deviation.description)}"
        )
        if deviation.reproduction:
            lines.append("    reproduction:")
            lines += [
                f"      {terminal_text(line)}" for line in deviation.reproduction.splitlines()
            ]
    lines += coverage_lines(run, matrix)
    return "\n".join(lines)


def coverage_lines(run: RunResult, matrix: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Per operation: the clauses that did not run on every declared dtype, and those not
    covered at all (they ran, but on none of the declared dtypes).  Operations with the same
    partial coverage share a line."""
    lines = []
    partly: dict[str, list[str]] = {}
    for op_name, op in run.backend.operations.items():
        partial, uncovered = [], []
        for clause, row in matrix.items():
            cell = row[op_name]
            ran = [d for d in cell["coverage"]["dtypes"] if d in op.dtypes]
            if cell["status"] == "not covered":
                uncovered.append(clause)
            elif cell["status"] == "pass" and len(ran) < len(op.dtypes):
                partial.append(f"{clause} ({', '.join(ran)})")
        if uncovered:
            lines.append(
                f"  {op_name}: NOT COVERED (no declared dtype ran): {', '.join(uncovered)}"
            )
        if partial and len(op.dtypes) > 1:
            message = (
                f"{len(partial)} passing clauses ran on some of the {len(op.dtypes)} declared "
                "dtypes only (coverage in the JSON/Markdown report)"
            )
            partly.setdefault(message, []).append(terminal_text(op_name))
    everyone = len(run.backend.operations)
    for message, names in partly.items():
        who = "every operation" if len(names) == everyone > 1 else ", ".join(names)
        lines.append(f"  {message}: {who}")
    return lines


def failure_groups(run: RunResult, failures_file: str | None = None, examples: bool = True) -> str:
    """The failures grouped by operation and cause: one line per group (count, clauses,
    where, cause and hint), each followed by the first case's reproduction."""
    from .grouping import summary_line

    groups = run.groups
    if not groups:
        return ""
    failures = f"{len(run.failures)} failure{'s' * (len(run.failures) != 1)}"
    head = f"{failures} in {len(groups)} group{'s' * (len(groups) != 1)} (by operation and cause):"
    lines = [head, *("  " + summary_line(group) for group in groups)]
    if examples:
        lines += ["", "The first failure of each group:"]
        for group in groups:
            first = run.results[group.first]
            lines += ["", describe_failure(first, run.reference, group.first, failures_file)]
    return "\n".join(lines)


def _groups_json(run: RunResult) -> list[dict[str, Any]]:
    return [
        {
            "operation": g.operation,
            "cause": g.cause,
            "count": g.count,
            "clauses": list(g.clauses),
            "dtypes": list(g.dtypes),
            "modes": list(g.modes),
            "ranks": list(g.ranks),
            "first": case_key(g.first),
            "keys": [case_key(i) for i in g.indices],
        }
        for g in run.groups
    ]


def _named(x: Any) -> Any:
    return getattr(x, "__name__", x) if callable(x) else x


def _layer_json(op: LayerOperation) -> dict[str, Any]:
    data, kernel = op.layouts(max(op.ranks))
    return {
        "kind": op.kind,
        "conjugates": "none",
        "flips": op.flips,
        "data_layout": data,
        "kernel_layout": kernel,
        "padding": list(op.padding),
        "parameters": list(op.parameters()),
        "result_dtype": _named(op.result_dtype),
        "method": op.method,
        "accumulation": op.accumulation,
        "ranks": list(op.ranks),
        "dtypes": list(op.dtypes),
        "differences_from_spec": canonical_differences(op),
    }


def _params_json(call: Call) -> dict[str, Any]:
    """A layer call's params for JSON: arrays as their dtype and shape, tuples as lists."""
    out: dict[str, Any] = {}
    for name, value in call.params.items():
        if isinstance(value, np.ndarray):
            out[name] = f"{value.dtype}{list(value.shape)}"
        else:
            out[name] = json.loads(json.dumps(value))
    return out


def _not_run_reasons(run: RunResult) -> dict[str, int]:
    """How many cases were not run, per reason."""
    reasons: dict[str, int] = {}
    for result in run.not_run:
        reasons[result.message] = reasons.get(result.message, 0) + 1
    return reasons


def _operation_json(name: str, op: Any) -> dict[str, Any]:
    named = _named
    if isinstance(op, LayerOperation):
        return _layer_json(op)

    return {
        "kind": op.kind,
        "conjugates": op.conjugation,
        "same_alignment": named(op.same_alignment),
        "lag_order": op.lag_order,
        "result_dtype": named(op.result_dtype),
        "method": op.method,
        "accumulation": op.accumulation,
        "ranks": list(op.ranks) if op.ranks is not None else None,
        "modes": list(op.modes),
        "dtypes": list(op.dtypes),
        "needs_n_ge_k": list(op.needs_n_ge_k),
        "needs_one_larger": list(op.needs_one_larger),
        "needs_odd_k": list(op.needs_odd_k),
        "rejects_empty": op.rejects_empty,
        "rejects_rank_mismatch": op.rejects_rank_mismatch,
        "integer_overflow": op.integer_overflow,
        "fft_above": op.fft_above,
        "boundary": op.boundary,
        "fill_value": op.fill_value,
        "origin": list(op.origin) if isinstance(op.origin, tuple) else op.origin,
        "normalize": op.normalize,
        "lags": None if op.lags is None else named(op.lags),
        "differences_from_spec": canonical_differences(op),
    }


def to_json(
    run: RunResult, failures_file: str | None = None, arrays_at: str | None = None
) -> dict[str, Any]:
    """The report as a JSON-ready dict following ``report_schema.json``.

    ``failures_file`` is the name of the ``.npz`` beside the report; ``arrays_at`` the
    path the reproductions load it from (default: ``failures_file``).
    """
    matrix = clause_matrix(run)
    failures = []
    not_run: dict[tuple[str, str], dict[str, Any]] = {}
    printed: list[dict[str, str]] = []
    for index, result in enumerate(run.results):
        if result.output and len(printed) < _OUTPUT_CASES:
            printed.append(
                {
                    "key": case_key(index),
                    "operation": result.case.operation,
                    "label": result.case.label,
                    "output": result.output,
                }
            )
        if result.status == "not run":
            group = not_run.setdefault(
                (result.case.operation, result.message),
                {"operation": result.case.operation, "reason": result.message, "cases": 0},
            )
            group["cases"] += 1
            continue
        if result.status == "pass":
            continue
        call = result.case.call
        failures.append(
            {
                "status": result.status,
                "deviation": result.deviation,
                "key": case_key(index),
                "check": result.case.check,
                "clauses": list(result.case.clauses),
                "operation": result.case.operation,
                "label": result.case.label,
                "call": {
                    "mode": call.mode,
                    "a_shape": list(call.a.shape),
                    "a_dtype": str(call.a.dtype),
                    "v_shape": list(call.v.shape),
                    "v_dtype": str(call.v.dtype),
                    **({"params": _params_json(call)} if call.mode == LAYER_MODE else {}),
                },
                "message": result.message,
                "outcome": result.outcome,
                "diagnosis": result.diagnosis,
                "measurement": result.measurement,
                "first_difference": result.first_difference,
                "reproduction": describe_failure(
                    result, run.reference, index, arrays_at or failures_file
                ),
                "output": result.output,
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "convspec_version": convspec.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "backend": {
            "name": run.backend.name,
            "version": run.backend.version,
            "reference": run.reference,
            "operations": {n: _operation_json(n, op) for n, op in run.backend.operations.items()},
            "documented_deviations": [
                {
                    "operation": d.operation,
                    "description": d.description,
                    "observed_cases": observed_cases(run, d),
                    **({"reproduction": d.reproduction} if d.reproduction else {}),
                }
                for d in run.backend.documented_deviations
            ],
            "notes": list(run.backend.notes),
            "environment": dict(run.backend.environment),
        },
        "platform": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "machine": platform.machine(),
            "numpy": np.__version__,
        },
        "profile": run.profile,
        "seed": run.seed,
        "timeout_s": run.timeout,
        "tolerance_policy": POLICY,
        "seconds": round(run.seconds, 3),
        "verdict": run.verdict,
        "incomplete": run.incomplete or None,
        "budget_s": run.budget,
        "summary": {
            "cases": len(run.results),
            "passed": len(run.results) - len(run.failures) - len(run.deviations) - len(run.not_run),
            "failed": len(run.failures),
            "deviations": len(run.deviations),
            "not_run": len(run.not_run),
            "worker_restarts": run.restarts,
        },
        "not_run": list(not_run.values()),
        "backend_output": printed,
        "clauses": [
            {"id": clause, "title": CLAUSES[clause], "operations": row}
            for clause, row in matrix.items()
        ],
        "failures": failures,
        "groups": _groups_json(run),
        "failures_file": failures_file,
    }


def markdown(run: RunResult) -> str:
    """A clause x operation matrix to paste into a README."""
    matrix = clause_matrix(run)
    ops = list(run.backend.operations)
    verdict = {"conformant": "conformant", "not conformant": "**not conformant**"}.get(
        run.verdict, "**incomplete** (no verdict)"
    )
    name = markdown_text(f"{run.backend.name} {run.backend.version}")
    lines = [
        f"### convspec conformance: {name}",
        "",
        f"{verdict} to its declaration; {len(run.results)} cases, profile `{run.profile}`, "
        f"seed {run.seed}, convspec {convspec.__version__}.",
    ]
    if run.incomplete:
        lines += ["", f"The run was {run.incomplete}: this report is incomplete."]
    for reason, count in _not_run_reasons(run).items():
        lines += ["", f"{count} cases not run: {markdown_text(reason)}."]
    lines += [
        "",
        "| clause | " + " | ".join(_markdown_code(op) for op in ops) + " |",
        "|---|" + "---|" * len(ops),
    ]
    symbols = {
        "pass": "pass",
        "fail": "**FAIL**",
        "skip": "skip",
        "deviation": "deviation",
        "not covered": "not covered",
        "not run": "not run",
    }
    for clause, row in matrix.items():
        cells = [_word(row[op], symbols) for op in ops]
        lines.append(f"| {clause} {CLAUSES[clause]} | " + " | ".join(cells) + " |")
    for deviation in run.backend.documented_deviations:
        lines += [
            "",
            f"Differs from its documentation ({_markdown_code(deviation.operation)}): "
            f"{markdown_text(deviation.description)}.",
        ]
        if deviation.reproduction:
            lines += ["", *_code_block(deviation.reproduction)]
    if run.failures:
        lines += [
            "",
            "#### Failures by cause",
            "",
            "| cases | operation | clauses | where | cause |",
        ]
        lines.append("|---|---|---|---|---|")
        for g in run.groups:
            where = f"{', '.join(g.dtypes)}; {', '.join(g.modes)}; " + ", ".join(
                f"{r}-D" for r in g.ranks
            )
            lines.append(
                f"| {g.count} | {_markdown_code(g.operation)} | {', '.join(g.clauses)} "
                f"| {markdown_text(where)} | {markdown_text(g.cause)} |"
            )
    header = " | ".join(_markdown_code(op) for op in ops)
    lines += ["", "#### Coverage", "", f"| clause | {header} |"]
    lines.append("|---|" + "---|" * len(ops))
    for clause, row in matrix.items():
        cells = []
        for op in ops:
            c = row[op]["coverage"]
            ranks = ", ".join(f"{r}-D" for r in c["ranks"])
            text = f"{', '.join(c['dtypes'])}; {', '.join(c['modes'])}; {ranks}"
            cells.append(markdown_text(text) if c["dtypes"] else "")
        lines.append(f"| {clause} | " + " | ".join(cells) + " |")
    printed = [r for r in run.results if r.output]
    if printed:
        first = markdown_text(printed[0].output[:_OUTPUT_SHOWN])
        lines += ["", f"The backend printed during {len(printed)} calls; first: {first}"]
    return "\n".join(lines) + "\n"


def _code_block(source: str) -> list[str]:
    """``source`` as a fenced Python block whose fence no backtick run inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}python", *source.splitlines(), fence]


def _markdown_code(name: str) -> str:
    """``name`` as inline code when it is a plain identifier, else as escaped text."""
    if re.fullmatch(r"[\w.:+/-]+", name):
        return f"`{name}`"
    return str(markdown_text(name))


def failure_arrays(run: RunResult) -> dict[str, np.ndarray[Any, Any]]:
    """Inputs, expected and actual outputs of every failing case, keyed as in the report."""
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    for index, result in enumerate(run.results):
        if result.status != "fail":
            continue
        key = case_key(index)
        arrays[f"{key}_a"] = result.case.call.a
        arrays[f"{key}_v"] = result.case.call.v
        for name, value in result.case.call.params.items():
            if isinstance(value, np.ndarray):
                arrays[f"{key}_{name}"] = value
        for name, value in (("expected", result.expected), ("actual", result.actual)):
            if value is not None and np.asarray(value).dtype != object:
                arrays[f"{key}_{name}"] = np.asarray(value)
    return arrays


def save_failures(run: RunResult, path: Path) -> int:
    """Every failing case's arrays (:func:`failure_arrays`) in one ``.npz``, written
    atomically; returns how many arrays (nothing is written when there are none)."""
    arrays = failure_arrays(run)
    if arrays:
        with atomic_path(path) as temporary, open(temporary, "xb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
    return len(arrays)


def _finite(value: Any) -> Any:
    """JSON has no inf or NaN: such floats become the strings "inf", "-inf", "nan"."""
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def failures_path(json_path: Path | None, md_path: Path | None) -> Path | None:
    """Where the failure arrays go: ``<json or md stem>.failures.npz``, as an absolute
    path (a reproduction that names it works from any folder)."""
    anchor = json_path or md_path
    return None if anchor is None else anchor.with_suffix(".failures.npz").absolute()


@contextlib.contextmanager
def atomic_path(path: Path) -> Any:
    """A temporary path beside ``path``, renamed onto it when the block succeeds.

    Readers see the old file or the new one, never a partial one; on an error the
    temporary file is removed and ``path`` is left as it was.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as temporary:
        # os.open applies the umask to 0o666, as open() would for a new file.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)


def write_reports(run: RunResult, json_path: Path | None, md_path: Path | None) -> None:
    """Write the requested reports atomically; failures go to :func:`failures_path`.

    A failures file left by an earlier run is removed when this run has no failures.
    """
    npz = failures_path(json_path, md_path)
    failures_file = None
    if npz is not None:
        if save_failures(run, npz):
            failures_file = npz.name
        else:
            with contextlib.suppress(FileNotFoundError):
                npz.unlink()
    if json_path is not None:
        arrays_at = str(npz) if failures_file is not None else None
        document = _finite(to_json(run, failures_file, arrays_at))
        _write_text(json_path, json.dumps(document, indent=1, allow_nan=False) + "\n")
    if md_path is not None:
        _write_text(md_path, markdown(run))
