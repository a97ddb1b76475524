"""``convspec identify`` rediscovers what functions compute, from nothing but calls.

Every bundled backend's declaration is compared field by field with what identify finds
(:func:`compare`); plain functions and the deliberately broken backends of
``convspec.conformance.mutants`` are identified as what they really compute.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from convspec.conformance import Operation
from convspec.conformance.identify import compare, identify
from convspec.conformance.identify_fit import window_formula
from convspec.conformance.registry import BackendUnavailable, load

#: Fields whose value identify must always observe on a bundled backend.
ALWAYS_OBSERVED = {
    "flips",
    "conjugates",
    "ranks",
    "modes",
    "dtypes",
    "mixed_dtypes",
    "lag_order",
    "result_dtype",
    "needs_n_ge_k",
    "needs_one_larger",
    "rejects_empty",
    "rejects_rank_mismatch",
    "needs_odd_k",
    "nonfinite",
    "method",
    "accumulation",
    "fft_above",
}
#: Fields identify never observes, stated as such (never faked).
NEVER_OBSERVED = {"function", "max_size"}

BACKENDS = {
    "numpy": None,
    "scipy-signal": "scipy",
    "scipy-signal-fft": "scipy",
    "scipy-ndimage": "scipy",
    "torch": "torch",
}
#: jax compiles every new shape and dtype: fewer dtypes (one of each kind) keep it fast.
JAX_DTYPES = ("float64", "complex128", "int32")


def _operations(name: str) -> list[tuple[str, Operation]]:
    extra = BACKENDS.get(name)
    if extra:
        pytest.importorskip(extra)
    return list(load(name).operations.items())


def _documented(name: str, op_name: str) -> list[str]:
    """The descriptions of the deviations backend ``name`` documents for ``op_name``."""
    backend = load(name)
    return [d.description for d in backend.documented_deviations if d.operation == op_name]


def _assert_rediscovered(name: str, op_name: str, declared: Operation, **options: object) -> None:
    found = identify(name, op_name, isolation="none", **options)  # type: ignore[arg-type]
    comparisons = {c.field: c for c in compare(declared, found, _documented(name, op_name))}
    assert set(comparisons) == {f.name for f in dataclasses.fields(Operation)} | {"deviations"}
    assert found.declarable, found.problems
    wrong = [c for c in comparisons.values() if c.match is False]
    assert not wrong, f"{name} {op_name}: {wrong}"
    observed = set(ALWAYS_OBSERVED)
    if not any(d.startswith("complex") for d in declared.dtypes):
        observed.discard("conjugates")  # nothing to conjugate: stated, not guessed
        assert "no complex dtype" in comparisons["conjugates"].note
    if len(declared.dtypes) == 1:
        observed.discard("mixed_dtypes")  # no pair of dtypes to mix
        assert "no mixed pair" in comparisons["mixed_dtypes"].note
    for field in observed:
        assert comparisons[field].match is True, comparisons[field]
    for field in NEVER_OBSERVED:
        assert comparisons[field].match is None and comparisons[field].note
    for comparison in comparisons.values():
        if comparison.match is None:
            assert comparison.note, f"{comparison.field}: unobserved without a reason"
    if {"full", "same"} & set(declared.modes):
        _assert_boundary_found(name, op_name, declared, found, comparisons)


def _assert_boundary_found(
    name: str, op_name: str, declared: Operation, found: Any, comparisons: dict[str, Any]
) -> None:
    """Where some output reads outside the box, identify probed the boundary: it found the
    declared extension and fill value, and the declared origin (as the 'same' windows it
    gives), and says so in its text and its JSON."""
    where = f"{name} {op_name}"
    fields = found.fields()
    assert (fields["boundary"], fields["fill_value"]) == (declared.boundary, declared.fill_value)
    assert comparisons["boundary"].match is True and comparisons["fill_value"].match is True
    if "same" in declared.modes:
        assert comparisons["origin"].match is True, (where, comparisons["origin"])
        assert comparisons["same_alignment"].match is True, where
        assert "same windows" in comparisons["origin"].note
    text = found.render()
    assert f"boundary={declared.boundary!r}" in text, where
    data = found.to_json()
    assert data["boundary"] == declared.boundary and data["fill_value"] == declared.fill_value
    probed = {"boundary", "fill_value"} | ({"origin"} if "same" in declared.modes else set())
    assert not probed & set(data["evidence"]["unobserved"]), where


#: Boundary operations whose findings are asserted by value (origin included): one of each
#: extension, a measured fill of 3, and an origin on either side.
BOUNDARY_FINDINGS = [
    ("scipy-ndimage", "correlate-reflect-origin1", "symmetric", 0, -1),
    ("scipy-ndimage", "convolve-constant-origin-1", "constant", 3, -1),
    ("scipy-ndimage", "correlate1d-mirror-origin-1", "reflect", 0, 1),
    ("scipy-ndimage", "convolve1d-nearest-origin1", "edge", 0, 1),
    ("scipy-ndimage", "correlate-grid-wrap", "wrap", 0, 0),
    ("scipy-signal", "convolve2d-fill", "constant", 3, 0),
    ("scipy-signal", "correlate2d-symm", "symmetric", 0, 0),
]


@pytest.mark.parametrize(("name", "op_name", "boundary", "fill", "origin"), BOUNDARY_FINDINGS)
def test_identify_finds_the_boundary_fill_and_origin(
    name: str, op_name: str, boundary: str, fill: float, origin: int
) -> None:
    pytest.importorskip("scipy")
    found = identify(name, op_name, isolation="none", dtypes=("float64",))
    fields = found.fields()
    assert (fields["boundary"], fields["fill_value"], fields["origin"]) == (boundary, fill, origin)
    assert found.declarable, found.problems


def test_scipy_wrap_ignoring_the_boundary_and_dying_on_empty_are_deviations() -> None:
    """convolve2d(boundary='wrap'): 'valid' with K > N is the zero-boundary result, and an
    empty signal in 'full' ends the interpreter (SIGFPE), even called in this process."""
    pytest.importorskip("scipy")
    found = identify("scipy-signal", "convolve2d-wrap", isolation="none", dtypes=("float64",))
    deviations = found.fields()["deviations"]
    assert any("mode 'valid' ignores the boundary where K > N" in d for d in deviations)
    assert any("empty signal in mode 'full': died" in d and "SIGFPE" in d for d in deviations)
    assert found.fields()["rejects_empty"] is False
    documented = _documented("scipy-signal", "convolve2d-wrap")
    by_field = {c.field: c for c in compare(load("scipy-signal").operations["convolve2d-wrap"],
                                           found, documented)}  # fmt: skip
    assert by_field["deviations"].match is True


def test_warnings_of_the_probed_function_are_evidence_not_output(
    recwarn: pytest.WarningsRecorder,
) -> None:
    """scipy warns of NaN in an FFT convolution; identify feeds NaN on purpose."""
    pytest.importorskip("scipy")
    found = identify("scipy-signal-fft", "convolve", isolation="none", dtypes=("float64",))
    assert any("NAN or inf" in text for text in found.warnings), found.warnings
    assert found.to_json()["evidence"]["warnings"] == found.warnings
    assert "# warnings the function emitted" in found.render()
    assert not [w for w in recwarn if "NAN or inf" in str(w.message)]


def test_an_empty_operand_that_ends_the_interpreter_is_recorded(tmp_path: Path) -> None:
    """Called in this process, an empty operand still goes to a worker: identify survives."""
    out = _cli(tmp_path, "plain:dies_on_empty", "--in-process", "--json", "--dtypes", "float64")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rejects_empty"] is False and data["modes"] == ["full", "valid", "same"]
    support = " ".join(data["evidence"]["fields"]["rejects_empty"]["support"])
    assert "'full' died" in support and "SIGFPE" in support
    assert any("died" in d for d in data["evidence"]["deviations"])


@pytest.mark.parametrize("name", list(BACKENDS))
def test_identify_rediscovers_every_bundled_declaration(name: str) -> None:
    for op_name, declared in _operations(name):
        _assert_rediscovered(name, op_name, declared, dtypes=declared.dtypes)


def test_identify_rediscovers_jax_with_few_dtypes() -> None:
    pytest.importorskip("jax")
    for op_name in ("numpy.correlate", "scipy.signal.convolve"):
        declared = load("jax").operations[op_name]
        # The declaration restricted to the dtypes tried: jax compiles per dtype and shape.
        restricted = dataclasses.replace(declared, dtypes=JAX_DTYPES)
        _assert_rediscovered("jax", op_name, restricted, dtypes=JAX_DTYPES)


def test_rendered_declaration_runs_and_builds_what_was_found() -> None:
    found = identify("numpy:correlate", isolation="none", dtypes=("float64", "int8", "complex128"))
    namespace: dict[str, object] = {}
    exec(found.render(), namespace)
    built = namespace["operation"]
    assert isinstance(built, Operation)
    assert built == found.operation()
    assert built.flips is False and built.conjugates == "second"
    assert built.same_alignment == "numpy-correlate"


def test_json_keys_are_the_operation_fields_and_evidence() -> None:
    found = identify("numpy:convolve", isolation="none", dtypes=("float64", "float32"))
    data = json.loads(json.dumps(found.to_json()))
    assert set(data) == {f.name for f in dataclasses.fields(Operation)} | {"evidence"}
    assert data["max_size"] is None and "max_size" in data["evidence"]["unobserved"]
    assert data["evidence"]["calls"] == found.calls > 0
    rejected = data["evidence"]["fields"]["flips"]["rejected"]
    assert "outside the bound" in rejected["correlation"]


PLAIN = textwrap.dedent(
    """
    import os
    import signal

    import numpy as np
    import scipy.ndimage

    def np_convolve(a, v, mode):
        return np.convolve(a, v, mode)

    def correlate1d(a, v, mode):
        return scipy.ndimage.correlate1d(a, v, mode="constant")

    def dies_on_empty(a, v, mode):  # as scipy's convolve2d(boundary='wrap') does
        if a.size == 0 and mode == "full":
            os.kill(os.getpid(), signal.SIGFPE)
        return np.convolve(a, v, mode) if a.size else np.zeros(0)

    def moving(a, v, mode):  # 'same' centred the other way round: not a named alignment
        full = np.convolve(a, v)
        start = len(v) - 1 - (len(v) - 1) // 2 if len(v) <= len(a) else 0
        return full[start : start + len(a)] if mode == "same" else np.convolve(a, v, mode)
    """
)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "plain.py").write_text(PLAIN)
    command = [sys.executable, "-m", "convspec.conformance", "identify", *args]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_cli_identifies_numpy_convolve_through_the_worker(tmp_path: Path) -> None:
    out = _cli(tmp_path, "numpy:convolve", "--json", "--dtypes", "float64,int8,complex128")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["flips"] is True and data["modes"] == ["full", "valid", "same"]
    assert data["same_alignment"] == "numpy-convolve" and data["result_dtype"] == "promote"
    assert data["integer_overflow"] == "wrap" and data["rejects_empty"] is True


def test_cli_identifies_a_wrapped_ndimage_correlate1d(tmp_path: Path) -> None:
    pytest.importorskip("scipy")
    out = _cli(tmp_path, "plain:correlate1d", "--dtypes", "float32,float64,int64")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "plain.correlate1d," in text and "flips=False" in text
    assert "modes=('same',)" in text and "same_alignment='lower'" in text
    assert "accumulation='float64'" in text and "rejects_empty=False" in text
    # int64 goes through float64 sums: identify leaves it out of the declared dtypes
    assert "dtypes=('float32', 'float64')" in text


def test_a_window_no_name_fits_becomes_a_formula(tmp_path: Path) -> None:
    out = _cli(tmp_path, "plain:moving", "--json", "--dtypes", "float64")
    data = json.loads(out.stdout)
    assert data["same_alignment"].startswith("lambda n, k:"), data["same_alignment"]
    window = eval(data["same_alignment"])
    assert window(7, 4) == (3 - 1, 7)  # K - 1 - (K - 1) // 2 for K = 4
    assert data["needs_n_ge_k"] == []


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _cli(tmp_path, "plain:nothing_here").returncode == 2
    assert _cli(tmp_path, "numpy:convolve", "--dtypes", "float99").returncode == 2


def test_window_formula_is_piecewise_when_it_must_be() -> None:
    table = {
        (n, k): ((k - 1) // 2 if k <= n else n // 2, max(n, k))
        for n, k in [(5, 2), (8, 3), (2, 5), (3, 6)]
    }
    assert window_formula(table) == "lambda n, k: ((k - 1) // 2 if k <= n else n // 2, max(n, k))"


MUTANTS = "convspec.conformance.mutants:"


@pytest.mark.parametrize(
    ("mutant", "field", "value"),
    [
        ("CORRELATES", "flips", False),
        ("CONJUGATES_FIRST", "conjugates", "first"),
        ("UPPER_DECLARED_LOWER", "same_alignment", "upper"),
        ("WRONG_SHAPE", "modes", ("full",)),
        ("WRAPS", "result_dtype", "promote"),  # declares exact int64, wraps in int8
        ("FLOAT16_SUMS", "accumulation", "float16"),
    ],
)
def test_identify_says_what_a_mutant_really_computes(
    mutant: str, field: str, value: object
) -> None:
    dtypes = (
        ("float32", "int8") if mutant in ("WRAPS", "FLOAT16_SUMS") else ("float64", "complex128")
    )
    found = identify(MUTANTS + mutant, isolation="none", dtypes=dtypes)
    declared = load(MUTANTS + mutant).operations
    assert found.fields()[field] == value
    assert getattr(next(iter(declared.values())), field) != value  # the mutant's lie


def test_hanging_and_dying_modes_are_left_out_at_one_timeout_each() -> None:
    hangs = identify(MUTANTS + "HANGS", dtypes=("float64",), timeout=2)
    assert hangs.fields()["modes"] == ("full", "valid")
    assert "timeout" in hangs.findings["modes"].rejected["same"]
    exits = identify(MUTANTS + "EXITS", dtypes=("float64",), timeout=5)
    assert exits.fields()["modes"] == ("full", "same")
    assert "ended its interpreter" in exits.findings["modes"].rejected["valid"]


@pytest.mark.parametrize(
    ("mutant", "words"),
    [
        ("TRANSPOSES", "transposes the kernel"),
        ("RAISES", "RuntimeError: backend failure"),
        ("RETURNS_NAN", "neither a convolution nor a cross-correlation fits"),
    ],
)
def test_undeclarable_behaviour_is_reported(mutant: str, words: str) -> None:
    found = identify(MUTANTS + mutant, isolation="none", dtypes=("float64",))
    assert not found.declarable
    assert any(words in p for p in found.problems), found.problems
    assert "NOT DECLARABLE" in found.render()


def _survey_module() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "identify_survey.py"
    spec = importlib.util.spec_from_file_location("identify_survey", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_identify_results_have_the_site_shape() -> None:
    survey = _survey_module()
    stored = sorted(survey.OUT.glob("*.json"))
    assert {p.stem for p in stored} >= {"numpy", "scipy-signal", "scipy-ndimage"}
    for path in stored:
        data = json.loads(path.read_text())
        survey.validate(data)
        assert data["backend"] == path.stem
    entry = {"matches": True, "differences": ["ranks: d"], "not_probed": [], "fields": {}}
    with pytest.raises(ValueError, match="contradicts"):
        survey.validate({"backend": "x", "operations": {"f": entry}})
    differing = {"ranks": {"declared": "(1,)", "found": "None", "match": False}}
    entry |= {"matches": False, "fields": differing, "differences": ["modes: d"]}
    with pytest.raises(ValueError, match=r"'fields' differ in \['ranks'\]"):
        survey.validate({"backend": "x", "operations": {"f": entry}})


def test_stored_numpy_identify_results_agree_with_live_identify() -> None:
    survey = _survey_module()
    stored = json.loads((survey.OUT / "numpy.json").read_text())
    assert survey.survey("numpy") == stored


#: Where a stored identify record may differ from its adapter's declaration, and why:
#: (backend, operation names or fnmatch patterns, fields (None: every field), reason).
EXPLAINED_DIFFERENCES: list[tuple[str, tuple[str, ...], tuple[str, ...] | None, str]] = [
    (
        "opencv",
        tuple(
            f"filter2D-BORDER_{b}-float32"
            for b in ("REFLECT_101", "REFLECT", "REPLICATE", "CONSTANT")
        ),
        ("fft_above",),
        "filter2D computes float32 kernels above 129 taps by DFT (declared fft_above=129), "
        "but its float32 DFT stays within the direct bound on identify's cases, so identify "
        "finds direct summation at every kernel length (the float64 switch at 49 it finds)",
    ),
    (
        "opencv",
        ("filter2D-*-shift*",),
        None,
        "an anchor moved differently on the two axes is an origin per axis: identify probes "
        "1-D shapes with length-1 trailing axes (where that anchor lies outside the kernel "
        "and OpenCV raises) and fits one origin for every axis",
    ),
    (
        "astropy",
        ("*-normalized",),
        None,
        "normalize (the kernel divided by its sum) is not searched for, and "
        "normalize_kernel=True refuses identify's discriminating kernels (sum below 0.01), "
        "so no probe returns",
    ),
    (
        "astropy",
        ("convolve_fft-wrap",),
        None,
        "the documented deviation: with a kernel longer than the array, convolve_fft wraps "
        "the array zero-padded to the kernel's length, which identify reports as behaviour "
        "no declaration states",
    ),
    (
        "astropy",
        ("convolve_fft-fill",),
        ("ranks",),
        "convolve_fft takes any rank; the adapter declares the ranks convolve takes (1 to 3)",
    ),
]


def _explanation(backend: str, operation: str, field: str) -> str | None:
    from fnmatch import fnmatchcase

    for name, patterns, fields, why in EXPLAINED_DIFFERENCES:
        if name != backend or not any(fnmatchcase(operation, p) for p in patterns):
            continue
        if fields is None or field in fields:
            return why
    return None


STORED = sorted(
    (Path(__file__).resolve().parent.parent / "docs" / "data" / "identify").glob("*.json")
)


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_stored_identify_records_agree_with_the_declarations(path: Path) -> None:
    """Each stored record states the adapter's current declaration, field by field, and
    agrees with it except where :data:`EXPLAINED_DIFFERENCES` says why not."""
    from convspec.conformance.identify import field_text

    survey = _survey_module()
    data = json.loads(path.read_text())
    name = data["backend"]
    try:
        backend = load(name)
    except BackendUnavailable as error:  # its library is not installed here
        pytest.skip(f"{name} is not installed: {error}")
    assert set(data["operations"]) == set(backend.operations), "stale: operations differ"
    unexplained, explained = [], set()
    for op_name, entry in data["operations"].items():
        declared = survey.declaration(backend, op_name)
        all_fields = {f.name for f in dataclasses.fields(declared)} | {"deviations"}
        assert set(entry["fields"]) == all_fields, op_name
        for field, comparison in entry["fields"].items():
            if field == "deviations":
                documented = survey.documented_deviations(backend, op_name)
                now = f"{len(documented)} documented"
            elif field == "conjugates" and comparison["match"] is not None:
                now = declared.conjugation  # compared with the spec's default filled in
            else:
                now = field_text(getattr(declared, field))
            assert comparison["declared"] == now, (
                f"{name} {op_name} {field}: the stored record says declared "
                f"{comparison['declared']}, the adapter now declares {now}: rerun "
                "bench/identify_survey.py"
            )
            if comparison["match"] is False:
                why = _explanation(name, op_name, field)
                if why is None:
                    unexplained.append(f"{op_name}: {field}: {comparison}")
                else:
                    explained.add(why)
    assert not unexplained, "\n".join(unexplained)
    expected = {why for b, _, _, why in EXPLAINED_DIFFERENCES if b == name}
    assert explained == expected, f"explanations no stored difference needs: {expected - explained}"
