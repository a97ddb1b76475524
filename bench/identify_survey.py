"""Stored identify results for the site: ``convspec identify`` against every operation of
the bundled backends, compared with each declaration.

Writes ``docs/data/identify/<backend>.json``::

    {"backend": str,
     "operations": {op_name: {"matches": bool,
                              "differences": ["field: declared X, identify found Y", ...],
                              "not_probed": [field, ...],
                              "fields": {field: {"declared": str, "found": str,
                                                 "match": bool | null}}}}}

``matches`` is True when every field identify probes agrees with the declaration;
``not_probed`` lists the declaration fields identify does not probe, so no field is
silently taken as matching.  ``fields`` holds every comparison (:func:`compare`), the
documented deviations included, so a test can hold the stored record to the adapter's
declaration field by field.

    python bench/identify_survey.py [BACKEND ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from convspec.conformance import Backend, LayerOperation, Operation
from convspec.conformance.identify import Comparison, compare, identify
from convspec.conformance.identify_layer import compare_layer
from convspec.conformance.registry import load

#: The backends cheap enough to identify on every run of the survey.
CHEAP = (
    "numpy",
    "scipy-signal",
    "scipy-signal-fft",
    "scipy-ndimage",
    "torch",
    "jax",
    "opencv",
    "astropy",
    "torch-layers",
    "jax-layers",
    "onnx-reference",
    "onnxruntime",
    "tensorflow",
)
#: jax compiles every new shape and dtype: one dtype of each kind keeps it fast.
FEW_DTYPES = {"jax": ("float64", "complex128", "int32")}
#: The keys of one operation's stored record.
ENTRY_KEYS = {"matches", "differences", "not_probed", "fields"}
OUT = Path(__file__).resolve().parent.parent / "docs" / "data" / "identify"


def declaration(backend: Backend, op_name: str) -> Operation | LayerOperation:
    """What identify's finding for ``op_name`` of ``backend`` is compared with: its
    declaration, restricted to :data:`FEW_DTYPES` where identify tries only those."""
    declared = backend.operations[op_name]
    dtypes = FEW_DTYPES.get(backend.name)
    if dtypes is None or isinstance(declared, LayerOperation):
        return declared
    return dataclasses.replace(declared, dtypes=tuple(d for d in dtypes if d in declared.dtypes))


def documented_deviations(backend: Backend, op_name: str) -> list[str]:
    """The descriptions of the deviations ``backend`` documents for ``op_name``."""
    return [d.description for d in backend.documented_deviations if d.operation == op_name]


def survey(name: str) -> dict[str, Any]:
    """The stored object for backend ``name``."""
    backend = load(name)
    operations: dict[str, Any] = {}
    for op_name in backend.operations:
        comparisons = _comparisons(backend, name, op_name)
        differences = [
            f"{c.field}: declared {c.declared}, identify found {c.found}"
            + (f" ({c.note})" if c.note else "")
            for c in comparisons
            if c.match is False
        ]
        not_probed = [
            c.field for c in comparisons if c.match is None and c.note.startswith("not probed")
        ]
        operations[op_name] = {
            "matches": not differences,
            "differences": differences,
            "not_probed": not_probed,
            "fields": {
                c.field: {"declared": c.declared, "found": c.found, "match": c.match}
                for c in comparisons
            },
        }
    return {"backend": name, "operations": operations}


def _comparisons(backend: Backend, name: str, op_name: str) -> list[Comparison]:
    """identify's finding for one operation beside its declaration, field by field."""
    declared = declaration(backend, op_name)
    documented = documented_deviations(backend, op_name)
    # In this process for speed; calls with an empty operand still go to a worker.
    if isinstance(declared, LayerOperation):
        # The declared ranks: one adapter function may be declared once per rank.
        found = identify(
            name, op_name, isolation="none", dtypes=declared.dtypes, ranks=declared.ranks
        )
        return compare_layer(declared, found, documented)
    found = identify(name, op_name, isolation="none", dtypes=declared.dtypes)
    return compare(declared, found, documented)


def validate(data: Any) -> None:
    """Raise ValueError unless ``data`` has the stored shape."""
    if not isinstance(data, dict) or set(data) != {"backend", "operations"}:
        raise ValueError("identify survey: expected keys 'backend' and 'operations'")
    if not isinstance(data["backend"], str) or not isinstance(data["operations"], dict):
        raise ValueError("identify survey: 'backend' must be a string, 'operations' an object")
    for op_name, entry in data["operations"].items():
        if not isinstance(entry, dict) or set(entry) != ENTRY_KEYS:
            raise ValueError(f"identify survey: operation {op_name!r} has keys {sorted(entry)}")
        if not isinstance(entry["matches"], bool):
            raise ValueError(f"identify survey: {op_name!r} 'matches' must be a bool")
        for key in ("differences", "not_probed"):
            if not all(isinstance(s, str) for s in entry[key]) or not isinstance(entry[key], list):
                raise ValueError(f"identify survey: {op_name!r} {key!r} must be a list of strings")
        if entry["matches"] == bool(entry["differences"]):
            raise ValueError(f"identify survey: {op_name!r} 'matches' contradicts its differences")
        _validate_fields(op_name, entry)


def _validate_fields(op_name: str, entry: dict[str, Any]) -> None:
    fields = entry["fields"]
    if not isinstance(fields, dict):
        raise ValueError(f"identify survey: {op_name!r} 'fields' must be an object")
    for field, comparison in fields.items():
        if not isinstance(comparison, dict) or set(comparison) != {"declared", "found", "match"}:
            raise ValueError(f"identify survey: {op_name!r} field {field!r} is malformed")
        if comparison["match"] not in (True, False, None):
            raise ValueError(
                f"identify survey: {op_name!r} {field!r} 'match' must be a bool or null"
            )
    differing = sorted(f for f, c in fields.items() if c["match"] is False)
    listed = sorted({d.split(":", 1)[0] for d in entry["differences"]})
    if differing != listed:
        raise ValueError(
            f"identify survey: {op_name!r} 'fields' differ in {differing}, "
            f"'differences' lists {listed}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backends", nargs="*", default=list(CHEAP))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.backends:
        try:
            data = survey(name)
        except ImportError as error:
            print(f"{name}: skipped ({error})", file=sys.stderr)
            continue
        validate(data)
        path = args.out / f"{name}.json"
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        ops = data["operations"]
        matched = sum(e["matches"] for e in ops.values())
        print(f"{name}: {matched} of {len(ops)} operations match -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
