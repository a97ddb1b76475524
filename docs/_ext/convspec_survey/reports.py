"""The stored reports the survey renders: where they are, how they load, what kind each is.

``docs/data/survey/*.json`` are conformance reports (``nox -s survey`` refreshes them);
``docs/data/identify/BACKEND.json`` what ``convspec identify`` found for a backend.  A report
of another major schema version than the installed convspec writes is a build warning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from convspec_warnings import warn
from sphinx.util.docutils import SphinxDirective

from convspec.clauses import CLAUSES
from convspec.conformance.report import SCHEMA_VERSION

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


SURVEY_DIR = DATA_DIR / "survey"


IDENTIFY_DIR = DATA_DIR / "identify"


#: The survey's three kinds of backend, in page order.
KINDS = ("array", "boundary", "layer")


Report = dict[str, Any]


def kind_of(report: Report) -> str:
    """``layer`` (deep-learning layers), ``boundary`` (filters with boundary modes), ``array``."""
    declared = report["backend"]["operations"].values()
    if any("data_layout" in op for op in declared):
        return "layer"
    if any(op.get("boundary", "constant") != "constant" for op in declared):
        return "boundary"
    return "array"


def identify_results(backend: str) -> dict[str, Any] | None:
    path = IDENTIFY_DIR / f"{backend}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


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
