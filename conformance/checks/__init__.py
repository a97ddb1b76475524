"""The checks, one module per spec chapter; importing this package registers them all."""

from __future__ import annotations

from . import (  # noqa: F401  (imported to register their checks)
    boundaries,
    complex,
    convolution,
    correlation,
    frameworks,
    layers,
    modes,
    ndim,
    notation,
    numerics,
    worked_examples,
)
