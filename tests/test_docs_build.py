"""The clause extension of the docs (docs/_ext/convspec_clauses.py), on small Sphinx projects.

A page of every clause in the registry builds without warnings, each clause box is anchored
at its id, roles link to it and the clause index lists it; an unknown id, a title that differs
from the registry, and a registry clause that no page defines are each reported, so a build
under ``-W`` fails when spec and registry drift apart.

The whole site is built by ``nox -s docs``; skips when Sphinx or myst-parser is absent.
"""

from __future__ import annotations

import importlib
import io
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from convspec.clauses import CLAUSES

pytest.importorskip("sphinx", reason="sphinx is not installed")
pytest.importorskip("myst_parser", reason="myst-parser is not installed")

from sphinx.application import Sphinx

EXTENSIONS = Path(__file__).resolve().parents[1] / "docs" / "_ext"

CONF = f"""
import sys
sys.path.insert(0, {str(EXTENSIONS)!r})
extensions = ["myst_parser", "convspec_clauses"]
myst_enable_extensions = ["colon_fence"]
root_doc = "index"
"""


def extension(name: str) -> ModuleType:
    """Import one of the site's extensions (``docs/_ext/NAME.py``) as Sphinx would."""
    sys.path.insert(0, str(EXTENSIONS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(EXTENSIONS))


def clause_block(clause_id: str, title: str) -> str:
    return f":::{{clause}} {clause_id} {title}\nNormative text of {clause_id}.\n:::\n"


def build(tmp_path: Path, spec_page: str) -> tuple[str, Path]:
    """Build a project of an index, ``spec.md`` and ``clauses.md``; return warnings, out dir."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "index.md").write_text("# Home\n\n```{toctree}\nspec\nclauses\n```\n")
    (source / "spec.md").write_text(spec_page)
    (source / "clauses.md").write_text("# Clause index\n\n```{clause-index}\n```\n")
    warnings = io.StringIO()
    saved_path = list(sys.path)
    try:
        app = Sphinx(
            srcdir=source,
            confdir=source,
            outdir=tmp_path / "html",
            doctreedir=tmp_path / "doctrees",
            buildername="html",
            status=None,
            warning=warnings,
            freshenv=True,
        )
        app.build()
    finally:
        sys.path[:] = saved_path
    return warnings.getvalue(), tmp_path / "html"


def every_clause_page(extra: str = "", leave_out: str | None = None) -> str:
    blocks = [
        clause_block(clause_id, title)
        for clause_id, title in CLAUSES.items()
        if clause_id != leave_out
    ]
    return "# Spec\n\n" + "\n".join(blocks) + "\n" + extra


def test_every_registry_clause_renders_anchored_and_indexed(tmp_path: Path) -> None:
    citing = "Cites {clause-ref}`CONV-4` and {ref}`CORR-4`.\n"
    warnings, html = build(tmp_path, every_clause_page(citing))
    assert warnings == ""
    spec = (html / "spec.html").read_text()
    for clause_id, title in CLAUSES.items():
        box = re.search(
            rf'<div class="admonition clause" id="{re.escape(clause_id)}">(.*?)</p>', spec, re.S
        )
        assert box, f"no clause box anchored at {clause_id}"
        assert clause_id in box.group(1) and title in box.group(1)
    assert re.search(r'href="#CONV-4"[^>]*><code[^>]*><span class="pre">CONV-4</span>', spec)
    assert re.search(r'href="#CORR-4"[^>]*><span[^>]*>CORR-4 Flip identity</span>', spec)
    index = (html / "clauses.html").read_text()
    linked = re.findall(r'href="spec.html#([A-Z]+-\d+)"', index)
    assert linked == list(CLAUSES)


def test_drift_between_pages_and_registry_is_reported(tmp_path: Path) -> None:
    first_id = next(iter(CLAUSES))
    renamed = "CONV-1 A title the registry does not have"
    page = every_clause_page(
        clause_block("CONV-999", "Not a clause") + clause_block(*renamed.split(" ", 1)),
        leave_out=first_id,
    ).replace(clause_block("CONV-1", CLAUSES["CONV-1"]), "")
    warnings, _ = build(tmp_path, page)
    assert "'CONV-999' is not in convspec.clauses.CLAUSES" in warnings
    assert "clause CONV-1 has title 'A title the registry does not have' here" in warnings
    unused = f"clause {first_id} ({CLAUSES[first_id]!r}) is in convspec.clauses.CLAUSES"
    assert f"{unused} but no page defines it" in warnings


def test_schema_table_lists_every_field_a_real_report_has() -> None:
    """The schema page's walker names each field of a report convspec writes."""
    schema = extension("convspec_schema")
    # The schema ships as package data of convspec.conformance: missing is a packaging bug.
    assert schema.SCHEMA_PATH.is_file(), f"{schema.SCHEMA_PATH} is not installed"
    root = json.loads(schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    listed = {path for path, _, _, _ in schema.fields(root, root)}
    report_path = EXTENSIONS.parent / "data" / "survey" / "numpy.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    clause = report["clauses"][0]
    cell = next(iter(clause["operations"].values()))
    operation = next(iter(report["backend"]["operations"].values()))
    expected = (
        set(report)
        | {f"backend.{key}" for key in report["backend"]}
        | {f"backend.operations.*.{key}" for key in operation}
        | {f"clauses[].{key}" for key in clause}
        | {f"clauses[].operations.*.{key}" for key in cell}
    )
    assert expected <= listed, sorted(expected - listed)


def test_survey_tables_show_each_status() -> None:
    """The survey renderer marks failing and deviating clauses, not only passing ones."""
    survey = extension("convspec_survey")

    def cell(status: str, cases: int, failed: int = 0, deviations: int = 0) -> dict[str, object]:
        return {"status": status, "cases": cases, "failed": failed, "deviations": deviations}

    report = {
        "backend": {
            "name": "mylib",
            "version": "1.0",
            "operations": {
                "convolve": {"kind": "convolution"},
                "correlate": {"kind": "correlation"},
            },
        },
        "clauses": [
            {"id": "CONV-4", "title": "t", "operations": {"convolve": cell("fail", 6, failed=2)}},
            {
                "id": "CORR-5",
                "title": "t",
                "operations": {"correlate": cell("deviation", 5, deviations=1)},
            },
            {
                "id": "NOT-1",
                "title": "t",
                "operations": {"convolve": cell("pass", 9), "correlate": cell("skip", 0)},
            },
        ],
    }
    matrix = survey.clause_matrix(report).astext()
    assert "fail 2/6" in matrix and "deviation 1/5" in matrix and "pass 9" in matrix
    rows = survey.overview([report]).astext()
    assert "fail CONV-4" in rows
    assert "deviation CORR-5" in rows
