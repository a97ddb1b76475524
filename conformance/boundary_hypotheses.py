"""Boundary hypotheses for the diagnosis: the result of another boundary, fill or origin.

A backend that extends ``a`` by another rule than it declares -- ndimage's ``reflect``
taken for the spec's ``reflect`` (it is the spec's ``symmetric``), a fill value ignored, the
zero boundary where a boundary was asked for -- or shifts its 'same' window by another
origin gives the result of that other declaration.  Each candidate here is such a
declaration, in words that name the boundary ("computes with boundary symmetric, not the
declared boundary reflect"); the family registers itself with the diagnosis (tier 42,
after the windows).  One more candidate is an FFT of the kernel's size that wraps the
array zero-padded to the kernel's length when ``K > N`` (astropy's ``convolve_fft``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

import convspec

from .backend import Operation
from .hypotheses import Candidate, Finding, Prediction, Situation, hypothesis

__all__ = ["boundary_declarations", "boundary_hypotheses", "describe_boundary"]


def describe_boundary(boundary: str, fill_value: Any) -> str:
    """``"boundary wrap"``, or ``"boundary constant (fill 3)"``."""
    if boundary == "constant":
        return f"boundary constant (fill {fill_value:g})"
    return f"boundary {boundary}"


def boundary_declarations(op: Operation, mode: str) -> Iterator[tuple[str, Operation]]:
    """``(words, declaration)`` for every other boundary, fill value and nearby origin."""
    declared = describe_boundary(op.boundary, op.fill_value)
    fills = sorted({0, op.fill_value}) if op.boundary == "constant" else [0]
    candidates = [("constant", fill) for fill in fills]
    candidates += [(b, 0) for b in convspec.BOUNDARIES if b != "constant"]
    for boundary, fill in candidates:
        if (boundary, fill) != (op.boundary, op.fill_value):
            words = (
                f"computes with {describe_boundary(boundary, fill)}, not the declared {declared}"
            )
            yield words, dataclasses.replace(op, boundary=boundary, fill_value=fill)
    if mode == "same" and isinstance(op.origin, int):
        for shift in (op.origin - 1, op.origin + 1):
            words = f"shifts the 'same' window by {shift}, not the declared {op.origin}"
            yield words, dataclasses.replace(op, origin=shift)


def _padded_wrap(s: Situation) -> Prediction | None:
    """The first ``N`` outputs per axis of the 'same' window of ``a`` zero-padded to ``K``."""
    pads = [(0, max(0, k - n)) for n, k in zip(s.a.shape, s.v.shape, strict=True)]
    padded = s.expect((s.op, np.pad(s.a, pads), s.v, "same"))
    if padded is None:
        return None
    cut = tuple(slice(0, n) for n in s.a.shape)
    return Prediction(padded.values[cut], padded.bound[cut], padded.exact)


@hypothesis(tier=42)
def boundary_hypotheses(s: Situation) -> Iterator[Candidate | Finding]:
    """Another boundary or fill value; a shifted origin; wrap over the padded array."""
    mode = s.call.mode
    for words, declaration in boundary_declarations(s.op, mode):
        yield Candidate(words, functools.partial(s.expect, (declaration, s.a, s.v, mode)))
    if (
        s.op.boundary == "wrap"
        and mode == "same"
        and any(k > n for n, k in zip(s.a.shape, s.v.shape, strict=True))
    ):
        words = "wraps the array zero-padded to the kernel's length (period max(N, K), not N)"
        yield Candidate(words, lambda: _padded_wrap(s))
