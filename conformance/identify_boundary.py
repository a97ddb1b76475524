"""Identify: which boundary extension and fill value a function applies (BOUND-1..10).

A function of ``(a, v, mode)`` may extend ``a`` beyond its box before it convolves: with a
constant (zero or another fill value), by reflection, symmetrically, with its edge values
or periodically.  Identify first fits the spec's zero outside the box; when neither a
convolution nor a cross-correlation fits that way, the candidates here are tried in turn,
each an :class:`~convspec.conformance.Operation` with that ``boundary`` and
``fill_value``.

The fill value of a constant boundary is measured, not guessed: a zero signal with a
kernel of ones gives ``fill * (number of taps that read outside the box)`` at every
output, so the non-zero output of smallest magnitude is the fill itself (one tap outside).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import convspec

from .identify_probe import Prober

__all__ = ["FILL_PROBE", "ROUND_OFF", "boundary_candidates", "measured_fill"]

#: Outputs below this fraction of the largest are taken as zero (FFT round-off).
ROUND_OFF = 1e-6

#: (N, K) of the fill probe: K odd (for odd-only functions) and > 1, so an output reads
#: outside the box in 'same' and 'full'.
FILL_PROBE = (7, 3)


def measured_fill(
    prober: Prober, dtype: str, tail: tuple[int, ...], modes: Sequence[str]
) -> float | None:
    """The constant a zero signal is extended by, or None if every output stays zero.

    ``tail``: trailing length-1 axes giving the probe the function's rank.
    """
    n, k = FILL_PROBE
    a = np.zeros((n, *tail), dtype=dtype)
    v = np.ones((k, *tail), dtype=dtype)
    for probe in prober.run([(a, v, m) for m in modes]):
        if not probe.ok or probe.value.dtype.kind not in "biufc" or probe.value.size == 0:
            continue
        values = probe.value.astype(np.complex128).ravel()
        # Round-off of an FFT leaves ~1e-16 where the exact result is 0: not a fill.
        nonzero = values[np.abs(values) > ROUND_OFF * np.max(np.abs(values))]
        if nonzero.size == 0 or not np.all(np.isfinite(nonzero)):
            continue
        smallest = nonzero[np.argmin(np.abs(nonzero))]
        fill = complex(smallest)
        return fill.real if fill.imag == 0 else None
    return None


def _nice(value: float) -> float:
    """``value`` as the short decimal a user would have passed (3.0, not 2.9999999)."""
    rounded = float(np.round(value, 6))
    return float(int(rounded)) if rounded == int(rounded) else rounded


def boundary_candidates(fill: float | None) -> list[tuple[str, float]]:
    """``(boundary, fill_value)`` beyond the spec's zero: the measured constant (if any),
    then every other extension of :data:`convspec.BOUNDARIES`."""
    out: list[tuple[str, float]] = []
    if fill is not None and fill != 0:
        out.append(("constant", _nice(fill)))
    out += [(b, 0) for b in convspec.BOUNDARIES if b != "constant"]
    return out
