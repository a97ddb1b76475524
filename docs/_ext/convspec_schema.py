"""Render the JSON report schema (``conformance/report_schema.json``) as a field table.

``{report-schema}`` walks the schema convspec ships (``conformance/report_schema.json``) and
lists every field: its path in the
document (``clauses[].operations.*.status``), type (marked optional where the field may be absent)
and description.  The page includes the raw schema too, so table and file come from one source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from convspec_warnings import warn
from docutils import nodes
from docutils_tables import literal, table
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from convspec.conformance.report import SCHEMA_PATH, SCHEMA_VERSION

Schema = dict[str, Any]


def resolve(schema: Schema, root: Schema) -> Schema:
    """Follow a local ``$ref`` (``#/$defs/name``), once per level."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def type_text(schema: Schema) -> str:
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return " | ".join(kinds)
    if kinds:
        return str(kinds)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return " | ".join(type_text(option) for option in schema[combinator])
    return "any"


def fields(
    schema: Schema, root: Schema, path: str = "", required: bool = True, depth: int = 0
) -> Iterator[tuple[str, str, bool, str]]:
    """``(path, type, required, description)`` of every field below ``schema``, depth first."""
    schema = resolve(schema, root)
    if path:
        yield path, type_text(schema), required, schema.get("description", "")
    if depth > 8:
        return
    needed = set(schema.get("required", []))
    for name, child in schema.get("properties", {}).items():
        yield from fields(
            child, root, f"{path}.{name}" if path else name, name in needed, depth + 1
        )
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from fields(extra, root, f"{path}.*", True, depth + 1)
    items = schema.get("items")
    if isinstance(items, dict):
        yield from fields(items, root, f"{path}[]", True, depth + 1)


class ReportSchemaDirective(SphinxDirective):
    """``{report-schema}``: the field table of the shipped JSON report schema."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        if not SCHEMA_PATH.is_file():
            warn(
                "the report schema %s does not exist",
                SCHEMA_PATH,
                location=self.get_location(),
                subtype="schema",
            )
            return []
        self.env.note_dependency(str(SCHEMA_PATH))
        root = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        intro = nodes.paragraph()
        intro += nodes.Text("Schema version ")
        intro += literal(SCHEMA_VERSION)
        if "title" in root:
            intro += nodes.Text(f": {root['title']}.")
        rows = [
            [literal(path), kind if needed else f"{kind} (optional)", description]
            for path, kind, needed, description in fields(root, root)
        ]
        field_table = table(["Field", "Type", "Meaning"], rows, [34, 22, 44], ["schema-fields"])
        return [intro, field_table]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("report-schema", ReportSchemaDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
