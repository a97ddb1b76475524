"""Identify, stage 3: the findings as a ready-to-paste declaration, or as JSON.

:func:`python` writes Python source that constructs the fitted
:class:`~convspec.conformance.Operation` (imports included, so it runs as it stands);
comments say what identify could not observe and what no declaration can state.
:func:`to_json` gives one object whose keys are the Operation field names, plus
``evidence``: the calls made, and per field what supports the value and the first
failure of each rejected candidate.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from convspec import numerics

from .identify_fit import ResultTable

if TYPE_CHECKING:
    from .identify import Identification

__all__ = ["python", "to_json"]

_INDENT = "    "


def _table_source(table: ResultTable) -> str:
    rows = ",\n".join(
        f"{_INDENT * 3}({a!r}, {v!r}): {r!r}" for (a, v), r in sorted(table.table.items())
    )
    return (
        f"lambda a, v: np.dtype(\n{_INDENT * 2}{{\n{rows},\n{_INDENT * 2}}}"
        f"[(np.dtype(a).name, np.dtype(v).name)]\n{_INDENT})"
    )


def _accuracy_source(accuracy: dict[str, numerics.Accuracy]) -> str:
    rows = ",\n".join(
        f"{_INDENT * 2}{name!r}: Accuracy({acc.method!r}, {acc.precision!r})"
        for name, acc in sorted(accuracy.items())
    )
    return f"{{\n{rows},\n{_INDENT}}}"


def _source(name: str, found: Identification) -> str:
    finding = found.findings[name]
    if finding.source is not None:
        return finding.source
    value = finding.value
    if isinstance(value, ResultTable):
        return _table_source(value)
    if name == "accuracy" and value is not None:
        return _accuracy_source(value)
    return repr(value)


def python(found: Identification) -> str:
    """Source that builds the declaration: imports, then ``operation = Operation(...)`` (or
    ``LayerOperation(...)`` for a layer function)."""
    kind = found.declaration_type.__name__
    imports = [f"from convspec.conformance import {kind}", *found.target.imports]
    fields = found.fields()
    if isinstance(fields.get("result_dtype"), ResultTable):
        imports.append("import numpy as np")
    if fields.get("accuracy") is not None:
        imports.append("from convspec.numerics import Accuracy")
    order = [f.name for f in dataclasses.fields(found.declaration_type) if f.name in fields]
    lines = [
        f"# convspec identify {found.target.name}: {found.calls} calls in "
        f"{found.seconds:.1f} s, dtypes tried: {', '.join(found.dtypes_tried)}",
        *sorted(set(imports), key=imports.index),
        "",
        f"operation = {kind}(",
        f"{_INDENT}{found.target.source},",
    ]
    lines += [f"{_INDENT}{name}={_source(name, found)}," for name in order]
    lines.append(")")
    unobserved = found.unobserved()
    if unobserved:
        lines.append("# not observed (left at their defaults):")
        lines += [f"#   {name}: {why}" for name, why in unobserved.items()]
    splits = fields.get("padding_split", {})
    if splits:
        lines.append("# padding split (what each padding name passed computes):")
        lines += [f"#   {name!r}: {what}" for name, what in splits.items()]
    deviations = fields.get("deviations", ())
    if deviations:
        lines.append("# deviations (no field states them; the backend documents a Deviation):")
        lines += [f"#   {d}" for d in deviations]
    if found.warnings:
        lines.append("# warnings the function emitted while probed (times):")
        lines += [f"#   {text} ({count})" for text, count in found.warnings.items()]
    if found.problems:
        lines.append(f"# NOT DECLARABLE (what no {kind} field states):")
        lines += [f"#   {p}" for p in found.problems]
    return "\n".join(lines) + "\n"


def _json_value(name: str, found: Identification) -> Any:
    finding = found.findings[name]
    value = finding.value
    if finding.source is not None:
        return finding.source
    if isinstance(value, ResultTable):
        return [[a, v, r] for (a, v), r in sorted(value.table.items())]
    if name == "accuracy" and value is not None:
        return {k: acc.to_dict() for k, acc in value.items()}
    if isinstance(value, tuple):
        return list(value)
    if callable(value):  # a result dtype rule that is a function
        return getattr(value, "__name__", repr(value))
    return value


def to_json(found: Identification) -> dict[str, Any]:
    """Operation field names as keys (None where not observed), plus ``evidence``."""
    unobserved = found.unobserved()
    data: dict[str, Any] = {}
    for f in dataclasses.fields(found.declaration_type):
        if f.name == "function":
            data[f.name] = found.target.source
        elif f.name in unobserved:
            data[f.name] = None
        else:
            data[f.name] = _json_value(f.name, found)
    data["evidence"] = {
        "target": found.target.name,
        "calls": found.calls,
        "seconds": round(found.seconds, 3),
        "calls_per_stage": found.stage_calls,
        "dtypes_tried": list(found.dtypes_tried),
        "declarable": found.declarable,
        "problems": found.problems,
        "deviations": list(found.fields().get("deviations", ())),
        "padding_split": found.fields().get("padding_split", {}),
        "warnings": found.warnings,
        "unobserved": unobserved,
        "fields": {
            name: {
                "observed": finding.observed,
                "support": finding.support,
                "rejected": finding.rejected,
            }
            for name, finding in found.findings.items()
        },
    }
    return data
