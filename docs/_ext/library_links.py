"""Which library function each backend operation runs, and where that function is documented.

The table lives in ``docs/data/library-links.json`` (the site builds offline, so the links are
kept in the repository).  An operation is looked up by its full name first, then by its name up
to the first ``-``, space or ``(``: scipy-ndimage's ``convolve1d-reflect`` runs ``convolve1d``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

LINKS_PATH = Path(__file__).resolve().parents[1] / "data" / "library-links.json"


@dataclass(frozen=True)
class LibraryFunction:
    """A library function: the library, its name and its documentation page (None if unknown)."""

    library: str
    name: str
    url: str | None


@cache
def links() -> dict[str, Any]:
    return json.loads(LINKS_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def base_name(operation: str) -> str:
    """The operation's name up to its first ``-``, space or ``(``."""
    return re.split(r"[-( ]", operation, maxsplit=1)[0]


def library_function(backend: str, operation: str) -> LibraryFunction | None:
    """The function ``operation`` of ``backend`` runs; None when the table does not list it."""
    entry = links()["backends"].get(backend)
    if entry is None:
        return None
    functions = entry["functions"]
    name = functions.get(operation) or functions.get(base_name(operation))
    if name is None:
        return None
    return LibraryFunction(entry["library"], name, links()["documentation"].get(name))


def library_of(backend: str) -> str:
    """The library a backend calls (its own name when the table does not list it)."""
    entry = links()["backends"].get(backend)
    return str(entry["library"]) if entry else backend
