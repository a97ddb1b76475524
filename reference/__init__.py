"""convspec: the executable specification of discrete convolution and cross-correlation.

The numpy reference implementation.  ``convolve`` and ``correlate`` are the fast paths;
``convolve_literal`` and ``correlate_literal`` compute the spec's sums term by term.
The spec itself is in ``spec/`` of the repository and in the documentation.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .convolution import convolve, convolve_literal
from .correlation import correlate, correlate_literal, lags
from .modes import mode_window
from .ndim import flip
from .notation import MODES

try:
    __version__ = version("convspec")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = [
    "MODES",
    "__version__",
    "convolve",
    "convolve_literal",
    "correlate",
    "correlate_literal",
    "flip",
    "lags",
    "mode_window",
]
