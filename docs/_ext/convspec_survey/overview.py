"""The overview tables, one per kind of backend (array, boundary, layer): their columns and rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from docutils_tables import Cell, literal, row_of, table
from library_links import library_of

from .cells import boundary_text, computes, function_cell, identify_cell, same_text, verdict_cell
from .reports import Report, identify_results

Column = tuple[str, int, Callable[[Report, str, dict[str, Any]], Cell]]


COMMON_HEAD: list[Column] = [
    ("Run", 12, lambda report, op, declared: verdict_cell(report, op)),
    ("Function", 22, lambda report, op, declared: function_cell(report["backend"]["name"], op)),
    ("Computes", 16, lambda report, op, declared: computes(declared)),
]


IDENTIFY: Column = (
    "Identify",
    12,
    lambda report, op, declared: identify_cell(report["_identify"], op),
)


COLUMNS: dict[str, list[Column]] = {
    "array": [
        *COMMON_HEAD,
        ("Conjugates", 10, lambda report, op, declared: declared.get("conjugates", "")),
        ("'same' window", 12, lambda report, op, declared: same_text(declared)),
        ("Result dtype", 10, lambda report, op, declared: str(declared.get("result_dtype", ""))),
        IDENTIFY,
    ],
    "boundary": [
        *COMMON_HEAD,
        ("Boundary", 14, lambda report, op, declared: boundary_text(declared)),
        ("'same' window", 10, lambda report, op, declared: same_text(declared)),
        IDENTIFY,
    ],
    "layer": [
        *COMMON_HEAD,
        ("Padding", 14, lambda report, op, declared: ", ".join(declared.get("padding", []))),
        (
            "Parameters",
            16,
            lambda report, op, declared: ", ".join(declared.get("parameters", [])),
        ),
        IDENTIFY,
    ],
}


def backend_row(report: Report, columns: int) -> nodes.row:
    """A row across the table naming the backend, linked to its details further down."""
    backend = report["backend"]
    link = nodes.reference("", "", internal=True, refid=f"survey-{backend['name']}")
    link += literal(backend["name"])
    paragraph = nodes.paragraph()
    paragraph += link
    paragraph += nodes.Text(f" {backend['version']} ({library_of(backend['name'])})")
    entry = nodes.entry(morecols=columns - 1)
    entry += paragraph
    row = nodes.row(classes=["survey-backend-row"])
    row += entry
    return row


def overview(reports: list[Report], kind: str = "array") -> nodes.table:
    """Per backend a row naming it, then one row per operation: the verdict first."""
    columns = COLUMNS[kind]
    result = table(
        [header for header, _, _ in columns],
        [],
        [width for _, width, _ in columns],
        ["survey-overview", f"survey-{kind}", "colwidths-auto"],
    )
    body = next(iter(result.findall(nodes.tbody)))
    for report in reports:
        report.setdefault("_identify", identify_results(report["backend"]["name"]))
        body += backend_row(report, len(columns))
        for name, declared in report["backend"]["operations"].items():
            body += row_of([make(report, name, declared) for _, _, make in columns])
    return result
