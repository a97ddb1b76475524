"""Backend by backend: a run's summary, its declared differences and its clause matrix."""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from docutils_tables import Cell, literal, table
from library_links import library_of

from .reports import Report
from .words import cell_word, status_badge


def bullets(items: list[str]) -> nodes.bullet_list:
    result = nodes.bullet_list()
    for text in items:
        item = nodes.list_item()
        item += nodes.paragraph(text=text)
        result += item
    return result


def deviation_text(deviation: Any) -> str:
    if isinstance(deviation, dict):
        observed = deviation.get("observed_cases")
        seen = f" (seen in {observed} cases)" if observed else ""
        return f"{deviation.get('operation', '')}: {deviation.get('description', '')}{seen}"
    return str(deviation)


def matrix_cell(cell: dict[str, Any] | None) -> nodes.inline:
    word = cell_word(cell)
    if cell is None or word in ("n/a", "not covered", "not run"):
        return status_badge(word)
    if word == "fail":
        return status_badge(word, f"fail {cell['failed']}/{cell['cases']}")
    if word == "deviation":
        return status_badge(word, f"deviation {cell.get('deviations', 0)}/{cell['cases']}")
    if word == "skip":
        badge = status_badge(word)
        badge["classes"].append("survey-has-reasons")
        return badge
    return status_badge(word, f"pass {cell['cases']}")


def applicable_clauses(report: Report) -> tuple[list[dict[str, Any]], list[str]]:
    """The clauses with a word other than ``n/a`` for some operation, and the others' ids."""
    operations = list(report["backend"]["operations"])
    shown, inapplicable = [], []
    for clause in report["clauses"]:
        words = {cell_word(clause["operations"].get(op)) for op in operations}
        if words == {"n/a"}:
            inapplicable.append(clause["id"])
        else:
            shown.append(clause)
    return shown, inapplicable


def clause_matrix(report: Report) -> nodes.table:
    """Clause x operation, in the CLI's words; clauses that apply to no operation left out."""
    operations = list(report["backend"]["operations"])
    rows = []
    for clause in applicable_clauses(report)[0]:
        cells: list[Cell] = [literal(clause["id"]), clause["title"]]
        cells += [matrix_cell(clause["operations"].get(op)) for op in operations]
        rows.append(cells)
    return table(
        ["Clause", "Title", *operations],
        rows,
        [10, 36, *([12] * len(operations))],
        ["survey-matrix", "colwidths-auto"],
    )


def backend_details(report: Report) -> list[nodes.Node]:
    backend, summary = report["backend"], report["summary"]
    name_and_version = f"{backend['name']} {backend['version']}"
    heading = nodes.rubric(name_and_version, name_and_version)
    heading["ids"].append(f"survey-{backend['name']}")
    facts = nodes.paragraph()
    facts += status_badge(
        "pass" if report["verdict"] == "conformant" else "fail", report["verdict"]
    )
    facts += nodes.Text(
        f" to its declaration ({library_of(backend['name'])}): {summary['passed']} of "
        f"{summary['cases']} cases pass, {summary['failed']} fail, "
        f"{summary.get('deviations', 0)} show a deviation "
        f"(profile {report['profile']}, seed {report['seed']}, "
        f"{report['seconds']:.1f} s). convspec {report['convspec_version']}, "
        f"Python {report['platform'].get('python', '?')}, numpy "
        f"{report['platform'].get('numpy', '?')}; stored in "
    )
    facts += literal(f"docs/data/survey/{report['_file']}")
    facts += nodes.Text(".")
    result: list[nodes.Node] = [heading, facts]
    differences = [
        f"{name}: {difference}"
        for name, declared in backend["operations"].items()
        for difference in declared.get("differences_from_spec") or []
    ]
    if differences:
        result.append(nodes.paragraph(text="Declared conventions that differ from the spec:"))
        result.append(bullets(differences))
    deviations = [deviation_text(d) for d in backend.get("documented_deviations") or []]
    if deviations:
        result.append(nodes.paragraph(text="Where the library differs from its own documentation:"))
        result.append(bullets(deviations))
    notes = [str(note) for note in backend.get("notes") or []]
    if notes:
        result.append(nodes.paragraph(text="Notes:"))
        result.append(bullets(notes))
    summary_text = f"Clause by clause ({summary['cases']} cases)"
    opening = f'<details class="survey-details"><summary>{html.escape(summary_text)}</summary>'
    result.append(nodes.raw("", opening, format="html"))
    result.append(clause_matrix(report))
    inapplicable = applicable_clauses(report)[1]
    if inapplicable:
        text = (
            f"n/a for every operation, left out: {', '.join(inapplicable)} "
            f"({len(inapplicable)} clauses)."
        )
        result.append(nodes.paragraph(text=text, classes=["survey-inapplicable"]))
    result.append(nodes.raw("", "</details>", format="html"))
    return result
