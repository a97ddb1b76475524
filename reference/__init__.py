"""convspec: the executable specification of discrete convolution and cross-correlation.

The numpy reference implementation.  ``convolve`` and ``correlate`` are the fast paths;
``convolve_literal`` and ``correlate_literal`` compute the spec's sums term by term.
The spec itself is in ``spec/`` of the repository and in the documentation.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .boundaries import BOUNDARIES, extend
from .convolution import convolve, convolve_literal
from .correlation import correlate, correlate_literal, lags, xcorr
from .layer_padding import conv_output_shape, conv_transpose_output_shape, layer_padding
from .layers import conv, conv_literal, conv_transpose, conv_transpose_literal
from .layouts import relayout
from .modes import ALIGNMENTS, mode_window
from .ndim import flip
from .notation import MODES
from .numerics import Accuracy, ErrorMeasurement, bound_for, error_bound, measure_error
from .oracle import exact_convolve, exact_correlate

try:
    __version__ = version("convspec")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = [
    "ALIGNMENTS",
    "BOUNDARIES",
    "MODES",
    "Accuracy",
    "ErrorMeasurement",
    "__version__",
    "bound_for",
    "conv",
    "conv_literal",
    "conv_output_shape",
    "conv_transpose",
    "conv_transpose_literal",
    "conv_transpose_output_shape",
    "convolve",
    "convolve_literal",
    "correlate",
    "correlate_literal",
    "error_bound",
    "exact_convolve",
    "exact_correlate",
    "extend",
    "flip",
    "lags",
    "layer_padding",
    "measure_error",
    "mode_window",
    "relayout",
    "xcorr",
]
