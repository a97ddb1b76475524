"""The survey pages' data: every stored operation links to its library's documentation, the
tables speak the CLI's words, and the headline and identify columns read the stored files.

Reads the stored reports (docs/data/survey/*.json), the link table
(docs/data/library-links.json) and the extension's functions; builds no site.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import pytest

pytest.importorskip("sphinx", reason="sphinx is not installed")

DOCS = Path(__file__).resolve().parents[1] / "docs"
REPORTS = sorted((DOCS / "data" / "survey").glob("*.json"))


def extension(name: str) -> ModuleType:
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(DOCS / "_ext"))


def stored(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_every_stored_operation_links_to_its_documentation(path: Path) -> None:
    links = extension("library_links")
    backend = stored(path)["backend"]
    missing, not_https = [], []
    for operation in backend["operations"]:
        function = links.library_function(backend["name"], operation)
        if function is None or function.url is None:
            missing.append(operation)
        elif urlparse(function.url).scheme != "https" or not urlparse(function.url).netloc:
            not_https.append(function.url)
    assert not missing, f"{backend['name']}: no function or link for {missing}"
    assert not not_https, f"{backend['name']}: links that are not https: {not_https}"


def test_every_documented_function_is_used_and_https() -> None:
    """The link table holds no entry that no backend names, and only https addresses."""
    links = extension("library_links").links()
    named = {name for entry in links["backends"].values() for name in entry["functions"].values()}
    documented = set(links["documentation"])
    assert named == documented, (sorted(named - documented), sorted(documented - named))
    assert all(url.startswith("https://") for url in links["documentation"].values())


def test_jax_rows_name_jax_functions() -> None:
    links = extension("library_links")
    function = links.library_function("jax", "numpy.convolve")
    assert function is not None and function.name == "jax.numpy.convolve"
    assert "jax" in function.url


def test_operation_variants_find_their_function() -> None:
    links = extension("library_links")
    assert links.library_function("scipy-ndimage", "convolve1d-nearest-origin1").name == (
        "scipy.ndimage.convolve1d"
    )
    assert links.library_function("nobody", "convolve") is None


def cell(status: str, cases: int = 0, **fields: Any) -> dict[str, Any]:
    return {"status": status, "cases": cases, "failed": 0, "deviations": 0, **fields}


def test_matrix_speaks_the_cli_words() -> None:
    """A skip without reasons is n/a, as convspec check prints it; with reasons it is skip."""
    survey = extension("convspec_survey")
    assert survey.cell_word(None) == "n/a"
    assert survey.cell_word(cell("skip", skip_reasons=[])) == "n/a"
    assert survey.cell_word(cell("skip", skip_reasons=["no complex dtypes"])) == "skip"
    assert survey.cell_word(cell("pass", 3, skip_reasons=[])) == "pass"
    report = {
        "backend": {"name": "b", "operations": {"f": {"kind": "convolution"}}},
        "clauses": [
            {"id": "CONV-1", "title": "t", "operations": {"f": cell("pass", 4, skip_reasons=[])}},
            {"id": "CORR-1", "title": "t", "operations": {"f": cell("skip", skip_reasons=[])}},
        ],
    }
    text = survey.clause_matrix(report).astext()
    assert "pass 4" in text and "CORR-1" not in text  # n/a everywhere: left out
    assert survey.applicable_clauses(report)[1] == ["CORR-1"]
    assert "skip" not in text


def test_every_stored_report_has_a_kind_and_a_verdict_word() -> None:
    survey = extension("convspec_survey")
    kinds = {}
    for path in REPORTS:
        report = stored(path)
        kinds[report["backend"]["name"]] = survey.kind_of(report)
        for operation in report["backend"]["operations"]:
            word, _ = survey.operation_status(report, operation)
            assert word in {"pass", "fail", "deviation", "skip", "n/a"}
    assert set(kinds.values()) <= set(survey.KINDS)
    # the stored reports are in the repository: these three are always there
    assert kinds["torch-layers"] == "layer"
    assert kinds["scipy-ndimage"] == "boundary"
    assert kinds["numpy"] == "array"


def test_identify_cell_reads_matches_differs_and_not_run() -> None:
    survey = extension("convspec_survey")
    found = {
        "operations": {
            "f": {"matches": True, "differences": [], "not_probed": []},
            "g": {"matches": False, "differences": ["ranks: declared (1,), identify found (1, 2)"]},
        }
    }
    assert survey.identify_cell(found, "f").astext() == "matches"
    assert survey.identify_cell(found, "g").astext() == "differs ranks"
    assert survey.identify_cell(found, "h").astext() == "not run"
    assert survey.identify_cell(None, "f").astext() == "not run"  # no stored file


def test_headline_has_one_row_per_function_from_the_stored_reports() -> None:
    survey = extension("convspec_survey")
    reports = [stored(path) for path in REPORTS]
    rows = [[str(c) if isinstance(c, str) else c.astext() for c in row] for row in
            survey.headline_rows(reports)]  # fmt: skip
    functions = [(row[0], row[1]) for row in rows]  # ONNX Conv: onnx and onnxruntime
    assert len(functions) == len(set(functions)), functions
    by_function = {row[1]: row for row in rows}
    assert by_function["numpy.convolve"][2:] == ["yes", "no", "lower, length max(N, K)"]
    assert by_function["numpy.correlate"][3] == "yes, the second operand"
    torch = "torch.nn.functional.conv1d/2d/3d"
    assert by_function[torch][2] == "no" and "upper" in by_function[torch][4]
