"""The front page's table: per library function, does it flip, conjugate, where is 'same'."""

from __future__ import annotations

from docutils import nodes
from docutils_tables import Cell
from library_links import library_function, library_of

from .cells import conjugates_text, flips_text, function_cell, same_text
from .reports import Report


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
