"""Backend strings made safe to show: in a terminal and in a Markdown report.

A backend's name, version, notes, environment, operation names and exception messages
are whatever its author (or its library) wrote.  Shown raw, a newline forges a report
line, an ANSI escape recolours or clears the terminal, and a ``|`` or ``<script>`` adds a
table row or markup to a Markdown report.  These two functions make such text inert and
visible: nothing is dropped, every unprintable character is written as a Python escape.
"""

from __future__ import annotations

import html

__all__ = ["markdown_text", "terminal_text"]


def terminal_text(text: object) -> str:
    """``text`` with every unprintable character (control characters, ANSI escapes, line
    and paragraph separators) written as its Python escape, e.g. ``\\x1b`` or ``\\n``."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def markdown_text(text: object) -> str:
    """``text`` as inert Markdown inline text: unprintable characters escaped as in
    :func:`terminal_text`, HTML characters as entities, and the characters that make
    tables, code spans, emphasis and links backslash-escaped."""
    escaped = html.escape(terminal_text(text), quote=False)
    return "".join("\\" + c if c in "\\|`*_[]#~" else c for c in escaped)
