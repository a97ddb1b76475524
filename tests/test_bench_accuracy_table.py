"""The accuracy page's tables: rounded numbers that never reach their limit, the verdict first,
few columns, every bundled library measured and linked to its documentation."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import convspec


def _load_accuracy_bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("convspec_bench_accuracy_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


accuracy = _load_accuracy_bench()


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """The stored measurements, read when a test asks for them: a missing or broken file
    fails those tests, not the collection of the module."""
    stored: dict[str, Any] = json.loads(accuracy.JSON_PATH.read_text(encoding="utf-8"))
    return stored


#: One library function per bundled adapter that computes a 1-D convolution or correlation.
BUNDLED = [
    "numpy.convolve",
    "numpy.correlate",
    "scipy.signal.convolve (direct)",
    "scipy.signal.convolve (fft)",
    "scipy.ndimage.convolve1d",
    "cv2.sepFilter2D (one row)",
    "astropy.convolution.convolve",
    "astropy.convolution.convolve_fft",
    "torch conv1d (CPU)",
    "jax.numpy.convolve",
    "tf.nn.conv1d (CPU)",
    "ONNX Conv (onnxruntime CPU)",
    "jax.lax.conv_general_dilated",
    "ONNX Conv (onnx.reference)",
]


@pytest.mark.parametrize("value", [0.9989, 0.99996, float(np.nextafter(1.0, 0.0)), 0.9995, 0.99949])
def test_a_fraction_below_the_limit_never_reads_as_the_limit(value: float) -> None:
    text = accuracy.rounded(value, 1)
    assert float(text) < 1, text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.98, "0.980"),
        (0.0042, "0.00420"),
        (1.0, "1.00"),
        (1.81, "1.81"),
        (260460156726487121920.0, "2.60 × 10²⁰"),
        (1e-5, "1.00 × 10⁻⁵"),
        (0.0, "0"),
        (None, "—"),
    ],
)
def test_numbers_have_three_significant_digits(value: float | None, text: str) -> None:
    assert accuracy.rounded(value, 1) == text


def _tables(markdown: str) -> list[list[list[str]]]:
    """The pipe tables of ``markdown``: per table its rows, per row its cells."""
    tables: list[list[list[str]]] = []
    previous_was_row = False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if is_row and not re.fullmatch(r"\|(-+\|)+", line):
            if not previous_was_row:
                tables.append([])
            tables[-1].append([cell.strip() for cell in line.strip("|").split("|")])
        previous_was_row = is_row
    return tables


def test_the_verdict_comes_first_and_tables_stay_narrow(data: dict[str, Any]) -> None:
    tables = _tables(accuracy.markdown_table(data))
    assert len(tables) == 2
    verdicts = tables[0]
    assert verdicts[0][0] == "verdict"
    assert "limit 1" in verdicts[0][1]  # the deciding number right after the verdict
    assert all(len(table[0]) <= 6 for table in tables)
    for row in verdicts[1:]:
        assert row[0] == "within bound" or row[0].startswith("**over bound**")
    # No cell holds a long number (the table once showed 21 digits): three significant
    # digits, a few more only where a fraction just below 1 needs them.
    for table in tables:
        for row in table[1:]:
            for cell in row:
                text = re.sub(r"\]\([^)]*\)", "]", cell)  # a link's address is no number
                for number in re.findall(r"\d+(?:\.\d+)?", text):
                    digits = number.replace(".", "").lstrip("0")
                    assert len(digits) <= 5, cell


def test_every_bundled_library_is_measured_and_linked(data: dict[str, Any]) -> None:
    libraries = {row["library"] for row in data["rows"]}
    assert set(BUNDLED) <= libraries
    links = json.loads(accuracy.LINKS_PATH.read_text())["documentation"].values()
    for row in data["rows"]:
        if not row["library"].startswith("convspec."):
            assert row["documentation"] in links, row["library"]
    table = accuracy.markdown_table(data)
    numpy_row = next(row for row in data["rows"] if row["library"] == "numpy.convolve")
    assert f"[numpy.convolve]({numpy_row['documentation']})" in table
    assert table.count("{ref}`glossary`") == 2  # above each of the two tables


def test_an_unknown_library_link_is_refused() -> None:
    library = accuracy.Library("x", "x", "convolve", "direct", np.convolve, link="no.such")
    with pytest.raises(KeyError, match=r"no\.such"):
        accuracy.documentation_page(library)


def _reference_same(alignment: str) -> Any:
    """convspec's 'same' convolution with ``alignment``: a 'same'-only library of known window."""
    return lambda a, v: convspec.convolve(a, v, mode="same", alignment=alignment)


@pytest.mark.parametrize("alignment", ["lower", "upper"])
@pytest.mark.parametrize(("n", "k"), [(7, 4), (7, 3), (2, 6), (1, 1), (10, 9)])
def test_the_full_result_is_cut_where_the_declared_alignment_puts_it(
    alignment: str, n: int, k: int
) -> None:
    rng = np.random.default_rng(n * 100 + k)
    a, v = rng.standard_normal(n), rng.standard_normal(k)
    full = accuracy._full_from_same("reference", _reference_same(alignment), alignment)
    np.testing.assert_allclose(full(a, v), np.convolve(a, v), rtol=1e-12, atol=1e-12)


def test_a_window_other_than_the_declared_one_is_refused_by_name() -> None:
    # Lower and upper 'same' windows differ for even kernels only.
    full = accuracy._full_from_same("upper-library", _reference_same("upper"), "lower")
    np.testing.assert_allclose(full(np.ones(5), np.ones(3)), np.convolve(np.ones(5), np.ones(3)))
    with pytest.raises(ValueError, match=r"upper-library.*N=5, K=4.*'lower'"):
        full(np.ones(5), np.ones(4))
