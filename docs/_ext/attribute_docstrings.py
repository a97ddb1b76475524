"""Keep napoleon from reading prose before a colon as an attribute's type.

napoleon parses the first line of an attribute's docstring as ``type: description``.  The
``#:`` comments of convspec's dataclass fields are prose ("Precision of the sums: ...") and
their types come from the annotations, so an attribute docstring whose first line has a space
before its first colon is prose: it is passed through as written, without napoleon.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

PROSE_BEFORE_COLON = re.compile(r"^[^:`]*\s[^:`]*:(\s|$)")

_prose: dict[str, list[str]] = {}


def remember_prose(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if what == "attribute" and lines and PROSE_BEFORE_COLON.match(lines[0]):
        _prose[name] = list(lines)


def restore_prose(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if name in _prose:
        lines[:] = _prose.pop(name)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinx.ext.napoleon")
    app.connect("autodoc-process-docstring", remember_prose, priority=400)  # before napoleon
    app.connect("autodoc-process-docstring", restore_prose, priority=600)  # after napoleon
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
