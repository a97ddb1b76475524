"""The survey page: what the bundled libraries compute, from stored conformance reports.

``{survey}`` (no argument) reads every ``docs/data/survey/*.json`` -- JSON reports written by
``convspec check BACKEND --report json PATH`` (the ``survey`` nox session refreshes them) -- and
renders, at build time:

* one overview table with a row per backend operation: what it declares it computes (flip,
  conjugation, 'same' alignment, result dtype), how that differs from the spec, and whether
  the conformance run confirmed the declaration;
* per backend, the run's summary and its clause x operation matrix.

Nothing on the page is typed by hand, so it cannot disagree with the stored runs.  A report
with another schema version than the installed convspec writes is a build warning.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from convspec_warnings import warn
from docutils import nodes
from docutils_tables import literal, table
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from convspec.clauses import CLAUSES
from convspec.conformance.report import SCHEMA_VERSION

SURVEY_DIR = Path(__file__).resolve().parents[1] / "data" / "survey"

# The overview's word for an operation's worst status (``operation_status``).
VERDICT_TEXT = {"pass": "confirmed", "fail": "fails", "deviation": "documented deviation"}


def status_badge(status: str, text: str | None = None) -> nodes.inline:
    label = text or status
    return nodes.inline(label, label, classes=["survey-status", f"survey-{status}"])


def operation_status(report: dict[str, Any], operation: str) -> tuple[str, list[str]]:
    """The worst status of one operation over all clauses, and the clauses that have it.

    ``fail`` beats ``deviation`` (a documented deviation of the library from its own
    documentation was observed) beats ``pass``; ``skip`` when no case ran at all.
    """
    by_status: dict[str, list[str]] = {"fail": [], "deviation": []}
    ran = False
    for clause in report["clauses"]:
        cell = clause["operations"].get(operation)
        if cell is None:
            continue
        ran = ran or cell["cases"] > 0
        if cell["status"] in by_status:
            by_status[cell["status"]].append(clause["id"])
    for status in ("fail", "deviation"):
        if by_status[status]:
            return status, by_status[status]
    return ("pass" if ran else "skip"), []


def computes(declared: dict[str, Any]) -> str:
    """What an operation computes; a layer operation adds its layouts and any flip."""
    text = str(declared["kind"])
    if "data_layout" in declared:  # a layer operation (LayerOperation)
        flip = ", flipped kernel" if declared.get("flips") else ""
        text += f" ({declared['data_layout']}, {declared['kernel_layout']}{flip})"
    return text


def load_reports(directive: SphinxDirective) -> list[dict[str, Any]]:
    reports = []
    paths = sorted(SURVEY_DIR.glob("*.json"), key=lambda path: path.stem)
    if not paths:
        warn(
            "no survey reports in %s (run: nox -s survey)",
            SURVEY_DIR,
            location=directive.get_location(),
            subtype="survey",
        )
    for path in paths:
        directive.env.note_dependency(str(path))
        report = json.loads(path.read_text(encoding="utf-8"))
        # A minor version only adds optional fields: a report of the same major one reads.
        major = str(report.get("schema_version", "")).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            warn(
                "%s has report schema %r, convspec writes %r: refresh it (nox -s survey)",
                path.name,
                report.get("schema_version"),
                SCHEMA_VERSION,
                location=directive.get_location(),
                subtype="survey",
            )
        report["_file"] = path.name
        reports.append(report)
    return reports


def overview(reports: list[dict[str, Any]]) -> nodes.table:
    rows = []
    for report in reports:
        backend = report["backend"]
        for position, (name, declared) in enumerate(backend["operations"].items()):
            status, failing = operation_status(report, name)
            verdict = nodes.inline()
            verdict += status_badge(status, VERDICT_TEXT.get(status))
            if failing:
                verdict += nodes.Text(" " + ", ".join(failing))
            link = nodes.reference("", "", internal=True, refid=f"survey-{backend['name']}")
            link += literal(backend["name"])
            rows.append(
                [
                    link if position == 0 else "",  # the name once per backend
                    literal(name),
                    computes(declared),
                    declared.get("conjugates", ""),
                    declared.get("same_alignment", ""),
                    boundary_text(declared),
                    declared.get("result_dtype", ""),
                    verdict,
                ]
            )
    return table(
        [
            "Backend",
            "Operation",
            "Computes",
            "Conjugates",
            "'same' window",
            "Boundary",
            "Result dtype",
            "Run",
        ],
        rows,
        [12, 12, 20, 10, 12, 10, 10, 12],
        ["survey-overview"],
    )


def boundary_text(declared: dict[str, Any]) -> str:
    """The declared boundary (spec/boundaries.md), its fill value and origin, if any."""
    boundary = declared.get("boundary", "constant")
    text = f"constant {declared.get('fill_value', 0):g}" if boundary == "constant" else boundary
    if declared.get("origin"):
        text += f", origin {declared['origin']}"
    if declared.get("normalize"):
        text += ", normalised"
    return text


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


def clause_matrix(report: dict[str, Any]) -> nodes.table:
    operations = list(report["backend"]["operations"])
    rows = []
    for clause in report["clauses"]:
        cells: list[nodes.Node | str] = [literal(clause["id"]), clause["title"]]
        for operation in operations:
            cell = clause["operations"].get(operation)
            status = "skip" if cell is None else cell["status"]
            if status == "fail":
                cells.append(status_badge("fail", f"fail {cell['failed']}/{cell['cases']}"))
            elif status == "deviation":
                deviating = cell.get("deviations", 0)
                cells.append(status_badge("deviation", f"deviation {deviating}/{cell['cases']}"))
            elif status == "pass":
                cells.append(status_badge("pass", f"pass {cell['cases']}"))
            else:
                cells.append(status_badge("skip", status))
        rows.append(cells)
    return table(
        ["Clause", "Title", *operations],
        rows,
        [10, 40, *([14] * len(operations))],
        ["survey-matrix"],
    )


def backend_details(report: dict[str, Any]) -> list[nodes.Node]:
    backend, summary = report["backend"], report["summary"]
    name_and_version = f"{backend['name']} {backend['version']}"
    heading = nodes.rubric(name_and_version, name_and_version)
    heading["ids"].append(f"survey-{backend['name']}")
    facts = nodes.paragraph()
    facts += status_badge(
        "pass" if report["verdict"] == "conformant" else "fail", report["verdict"]
    )
    facts += nodes.Text(
        f" to its declaration: {summary['passed']} of {summary['cases']} cases passed, "
        f"{summary['failed']} failed, {summary.get('deviations', 0)} showed documented deviations "
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
    result.append(nodes.raw("", "</details>", format="html"))
    return result


class SurveyDirective(SphinxDirective):
    """``{survey}``: the overview and per-backend tables of the stored reports."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        reports = load_reports(self)
        if not reports:
            return []
        unknown = {c["id"] for r in reports for c in r["clauses"]} - set(CLAUSES)
        if unknown:
            warn(
                "survey reports cite clauses that are not in the registry: %s",
                ", ".join(sorted(unknown)),
                location=self.get_location(),
                subtype="survey",
            )
        result: list[nodes.Node] = [overview(reports)]
        for report in reports:
            result.extend(backend_details(report))
        return result


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("survey", SurveyDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
