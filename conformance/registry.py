"""Finding backends: the ``convspec.backends`` entry-point group and ``module:attribute``.

An entry point (or attribute) names either a :class:`~convspec.conformance.Backend` or a
function without arguments returning one; the function form lets a library be imported
only when the backend is used, so a missing library is reported as *unavailable*, with
the reason, instead of breaking discovery.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points

from .backend import Backend

__all__ = ["GROUP", "BackendUnavailable", "Listing", "available", "load"]

GROUP = "convspec.backends"


class BackendUnavailable(Exception):
    """A backend that cannot be used here, with the reason (a library is not installed)."""


def _entry_points() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=GROUP)}


def _resolve(target: str, name: str) -> Backend:
    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(
            f"backend {name!r}: expected an entry-point name or 'module:attribute'; got {target!r}"
        )
    try:
        obj: object = importlib.import_module(module_name)
    except ImportError as error:
        raise BackendUnavailable(f"{name}: cannot import {module_name!r}: {error}") from error
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(
                f"backend {name!r}: {module_name!r} has no attribute {attribute!r}"
            ) from None
    if not isinstance(obj, Backend) and callable(obj):
        try:
            obj = obj()
        except ImportError as error:
            raise BackendUnavailable(f"{name}: {error}") from error
    if not isinstance(obj, Backend):
        raise TypeError(f"backend {name!r}: {target!r} is a {type(obj).__name__}, not a Backend")
    return obj


def load(name: str) -> Backend:
    """The backend registered as ``name``, or the one at ``module:attribute``.

    ``module`` is imported as usual, the current folder first on the path.

    Raises :class:`BackendUnavailable` when its library cannot be imported and
    ``ValueError`` for an unknown name (the message lists the known ones).
    """
    points = _entry_points()
    if name in points:
        return _resolve(points[name], name)
    if ":" in name:
        # As ``python -m`` does, let a module in the current folder be named directly.
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        return _resolve(name, name)
    known = ", ".join(sorted(points)) or "none installed"
    raise ValueError(
        f"unknown backend {name!r}: expected one of the installed backends ({known}) "
        "or 'module:attribute' naming a Backend"
    )


@dataclass(frozen=True)
class Listing:
    """One registered backend: its name, where it lives, and its version or why not."""

    name: str
    target: str
    version: str | None
    unavailable: str | None


def available() -> list[Listing]:
    """Every registered backend, loaded to learn its version or why it is unavailable."""
    listings = []
    for name, target in sorted(_entry_points().items()):
        try:
            backend = _resolve(target, name)
            listings.append(Listing(name, target, backend.version, None))
        except Exception as error:  # report, do not break the listing
            listings.append(Listing(name, target, None, str(error)))
    return listings
