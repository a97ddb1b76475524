"""Build docutils tables from rows of cells, for the site's generated pages."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

Cell = nodes.Node | str


def as_paragraph(content: Cell) -> nodes.paragraph:
    paragraph = nodes.paragraph()
    paragraph += nodes.Text(content) if isinstance(content, str) else content
    return paragraph


def row_of(cells: Sequence[Cell]) -> nodes.row:
    row = nodes.row()
    for content in cells:
        entry = nodes.entry()
        entry += as_paragraph(content)
        row += entry
    return row


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int] | None = None,
    classes: Sequence[str] = (),
) -> nodes.table:
    """A table with one header row; ``widths`` are relative column widths."""
    result = nodes.table(classes=list(classes))
    group = nodes.tgroup(cols=len(header))
    result += group
    for width in widths or [1] * len(header):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += row_of(header)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += row_of(cells)
    group += body
    return result


def literal(text: str) -> nodes.literal:
    return nodes.literal(text, text)
