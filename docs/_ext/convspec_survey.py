"""The survey pages: what the bundled libraries compute, from stored conformance reports.

Every ``docs/data/survey/*.json`` is a JSON report written by
``convspec check BACKEND --profile full --report json PATH`` (the ``survey`` nox session
refreshes them).  Three directives render them at build time:

* ``{survey} array|boundary|layer`` -- one overview table for the backends of that kind (array
  functions like numpy.convolve; boundary filters like scipy.ndimage, whose output is the 'same'
  window over an extended signal; deep-learning layers), a row per operation: the run's
  verdict, the library function (linked to its documentation, ``docs/data/library-links.json``),
  what it declares it computes, and whether ``convspec identify`` found the same
  (``docs/data/identify/BACKEND.json``);
* ``{survey-details}`` -- per backend, the run's summary and its clause x operation matrix;
* ``{survey-headline}`` -- the front page's table: per library function, does it flip the
  kernel, does it conjugate, where does 'same' put an even kernel.

The status words are the CLI's (``convspec check``): pass, fail, skip, n/a, deviation.  Nothing
is typed by hand, so the pages cannot disagree with the stored runs.  A report with another
schema version than the installed convspec writes is a build warning.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from convspec_warnings import warn
from docutils import nodes
from docutils.parsers.rst import directives
from docutils_tables import literal, row_of, table
from library_links import library_function, library_of
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from convspec.clauses import CLAUSES
from convspec.conformance.report import SCHEMA_VERSION
from convspec.conformance.report import _word as cli_word

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SURVEY_DIR = DATA_DIR / "survey"
IDENTIFY_DIR = DATA_DIR / "identify"

#: The CLI's words for a clause cell's status (the Markdown report's, without emphasis).
WORDS = {
    "pass": "pass",
    "fail": "fail",
    "skip": "skip",
    "deviation": "deviation",
    "not covered": "not covered",
    "not run": "not run",
}
#: A cell names at most this many clauses or fields (the backend's details have them all).
SHOWN_NAMES = 3
#: The survey's three kinds of backend, in page order.
KINDS = ("array", "boundary", "layer")

Report = dict[str, Any]
Cell = nodes.Node | str


def status_class(word: str) -> str:
    return "survey-" + word.replace("/", "").replace(" ", "-")


def status_badge(word: str, text: str | None = None) -> nodes.inline:
    label = text or word
    return nodes.inline(label, label, classes=["survey-status", status_class(word)])


def cell_word(cell: dict[str, Any] | None) -> str:
    """The CLI's word for one clause x operation cell; ``n/a`` where the clause has none."""
    if cell is None:
        return "n/a"
    return cli_word({"skip_reasons": [], **cell}, WORDS)


def operation_status(report: Report, operation: str) -> tuple[str, list[str]]:
    """The worst word of one operation over all clauses, and the clauses that have it.

    ``fail`` beats ``deviation`` (the library contradicts its own documentation, as the
    backend declares) beats ``pass``; with no case run at all, ``skip`` if a clause was skipped
    for a reason, else ``n/a``.
    """
    by_word: dict[str, list[str]] = {"fail": [], "deviation": [], "skip": []}
    ran = False
    for clause in report["clauses"]:
        cell = clause["operations"].get(operation)
        if cell is None:
            continue
        ran = ran or cell["cases"] > 0
        word = cell_word(cell)
        if word in by_word:
            by_word[word].append(clause["id"])
    for word in ("fail", "deviation"):
        if by_word[word]:
            return word, by_word[word]
    if ran:
        return "pass", []
    return ("skip", by_word["skip"]) if by_word["skip"] else ("n/a", [])


def kind_of(report: Report) -> str:
    """``layer`` (deep-learning layers), ``boundary`` (filters with boundary modes), ``array``."""
    declared = report["backend"]["operations"].values()
    if any("data_layout" in op for op in declared):
        return "layer"
    if any(op.get("boundary", "constant") != "constant" for op in declared):
        return "boundary"
    return "array"


# --------------------------------------------------------------------- cells


def function_cell(backend: str, operation: str) -> nodes.Node:
    """The library function an operation runs, linked to its documentation."""
    function = library_function(backend, operation)
    if function is None:
        return literal(operation)
    name: nodes.Node = literal(function.name)
    if function.url:
        link = nodes.reference("", "", refuri=function.url, classes=["survey-function"])
        link += name
        name = link
    if function.name.endswith(operation):
        return name
    result = nodes.inline()
    result += name
    result += nodes.Text(" ")
    result += nodes.inline(operation, f"({operation})", classes=["survey-operation"])
    return result


def some_of(names: list[str]) -> str:
    """The first :data:`SHOWN_NAMES` of ``names``, and how many more there are."""
    more = len(names) - SHOWN_NAMES
    return ", ".join(names[:SHOWN_NAMES]) + (f" and {more} more" if more > 0 else "")


def verdict_cell(report: Report, operation: str) -> nodes.inline:
    word, clauses = operation_status(report, operation)
    verdict = nodes.inline()
    verdict += status_badge(word)
    if clauses:
        verdict += nodes.Text(" " + some_of(clauses))
    return verdict


def identify_results(backend: str) -> dict[str, Any] | None:
    path = IDENTIFY_DIR / f"{backend}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def identify_cell(found: dict[str, Any] | None, operation: str) -> nodes.Node:
    """``matches``, ``differs: FIELDS`` or ``not run``: identify against the declaration."""
    result = (found or {}).get("operations", {}).get(operation)
    if result is None:
        return status_badge("not run")
    if result["matches"]:
        return status_badge("pass", "matches")
    fields = sorted({difference.split(":", 1)[0] for difference in result["differences"]})
    cell = nodes.inline()
    cell += status_badge("fail", "differs")
    cell += nodes.Text(" " + some_of(fields))
    return cell


def computes(declared: dict[str, Any]) -> str:
    """What an operation computes; a layer operation adds its layouts and any flip."""
    text = str(declared["kind"])
    if "data_layout" in declared:  # a layer operation (LayerOperation)
        flip = ", flipped kernel" if declared.get("flips") else ""
        text += f" ({declared['data_layout']}, {declared['kernel_layout']}{flip})"
    return text


def boundary_text(declared: dict[str, Any]) -> str:
    """The declared boundary (spec/boundaries.md), its fill value and origin, if any."""
    boundary = declared.get("boundary", "constant")
    text = f"constant {declared.get('fill_value', 0):g}" if boundary == "constant" else boundary
    if declared.get("origin"):
        text += f", origin {declared['origin']}"
    if declared.get("normalize"):
        text += ", normalised"
    return text


def same_text(declared: dict[str, Any]) -> str:
    """Where 'same' puts an even kernel: an array operation's alignment, a layer's padding names."""
    if "data_layout" in declared:
        names = [name for name in declared.get("padding", []) if name.startswith("same")]
        found = sorted({"lower" if name == "same-lower" else "upper" for name in names})
        return " or ".join(found) if found else "no 'same'"
    if "same" not in declared.get("modes", []):
        return "no 'same'"
    alignment = str(declared.get("same_alignment", "lower"))
    if alignment.startswith("numpy-"):
        return "lower, length max(N, K)"
    return alignment


def conjugates_text(declared: dict[str, Any]) -> str:
    if not any(dtype.startswith("complex") for dtype in declared.get("dtypes", [])):
        return "real only"
    conjugates = declared.get("conjugates", "none")
    return "no" if conjugates == "none" else f"yes, the {conjugates} operand"


def flips_text(declared: dict[str, Any]) -> str:
    if "data_layout" in declared:
        return "yes" if declared.get("flips") else "no"
    return "yes" if declared["kind"] == "convolution" else "no"


# -------------------------------------------------------------- the overview

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


# ------------------------------------------------------- the backend details


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


# ---------------------------------------------------------------- headline


def headline_rows(reports: list[Report]) -> list[list[Cell]]:
    """Per library function (transposed layers left out): flips?, conjugates?, 'same'."""
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    links: dict[tuple[str, str], nodes.Node] = {}
    for report in reports:
        backend = report["backend"]["name"]
        for operation, declared in report["backend"]["operations"].items():
            if declared["kind"] == "transposed layer":
                continue
            function = library_function(backend, operation)
            key = (library_of(backend), function.name if function else operation)
            values = found.setdefault(key, {"flips": [], "conjugates": [], "same": []})
            for field, text in (
                ("flips", flips_text(declared)),
                ("conjugates", conjugates_text(declared)),
                ("same", same_text(declared)),
            ):
                if text not in values[field]:
                    values[field].append(text)
            links.setdefault(key, function_cell(backend, function.name if function else operation))
    rows: list[list[Cell]] = []
    for key in sorted(found):
        values = found[key]
        rows.append(
            [
                key[0],
                links[key],
                " / ".join(values["flips"]),
                " / ".join(values["conjugates"]),
                " / ".join(values["same"]),
            ]
        )
    return rows


# -------------------------------------------------------------- directives


def load_reports(directive: SphinxDirective) -> list[Report]:
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
        identify = IDENTIFY_DIR / path.name
        if identify.is_file():
            directive.env.note_dependency(str(identify))
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
    unknown = {c["id"] for r in reports for c in r["clauses"]} - set(CLAUSES)
    if unknown:
        warn(
            "survey reports cite clauses that are not in the registry: %s",
            ", ".join(sorted(unknown)),
            location=directive.get_location(),
            subtype="survey",
        )
    return reports


def scrolling(content: nodes.Node, *classes: str) -> nodes.container:
    """``content`` in a box that scrolls sideways, so a wide table never widens the page."""
    box = nodes.container(classes=["convspec-scroll", *classes])
    box += content
    return box


class SurveyDirective(SphinxDirective):
    """``{survey} KIND``: the overview table of the stored reports of one kind of backend."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        kind = directives.choice(self.arguments[0], KINDS)
        reports = [r for r in load_reports(self) if kind_of(r) == kind]
        if not reports:
            return []
        return [scrolling(overview(reports, kind))]


class SurveyDetailsDirective(SphinxDirective):
    """``{survey-details}``: per stored report, its summary and clause matrix."""

    def run(self) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for report in load_reports(self):
            for node in backend_details(report):
                result.append(scrolling(node) if isinstance(node, nodes.table) else node)
        return result


class SurveyHeadlineDirective(SphinxDirective):
    """``{survey-headline}``: library, function, flips?, conjugates?, 'same' alignment."""

    def run(self) -> list[nodes.Node]:
        reports = load_reports(self)
        if not reports:
            return []
        headline = table(
            ["Library", "Function", "Flips?", "Conjugates?", "'same' alignment"],
            headline_rows(reports),
            [10, 30, 8, 16, 16],
            ["convspec-survey-headline", "colwidths-auto"],
        )
        return [scrolling(headline)]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("survey", SurveyDirective)
    app.add_directive("survey-details", SurveyDetailsDirective)
    app.add_directive("survey-headline", SurveyHeadlineDirective)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
