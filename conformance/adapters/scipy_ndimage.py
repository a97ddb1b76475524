"""scipy.ndimage correlate, convolve, correlate1d, convolve1d: 'same'-only filters.

Every ``mode`` of ndimage is one of the spec's boundaries (measured; the name table of
spec/boundaries.md): ``reflect`` is the spec's ``symmetric`` (the edge sample repeated),
``mirror`` the spec's ``reflect``, ``nearest`` ``edge``, ``wrap`` and ``grid-wrap`` both
``wrap``, ``constant`` and ``grid-constant`` both ``constant`` with ``cval``.  The
operations are generated: one per function and mode, and a few with an ``origin``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backend import Array, Backend, Deviation, Operation

# int64 is left out: sums go through float64, so values beyond 2**53 are rounded.
DTYPES = ("float32", "float64", "int16", "int32")

#: scipy.ndimage mode -> the spec's boundary (measured, not copied from the docs).
MODES = {
    "reflect": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
    "grid-wrap": "wrap",
    "constant": "constant",
    "grid-constant": "constant",
}

#: The fill value given to the constant modes: not zero, so it shows in every result.
CVAL = 3.0

#: (function, mode, origin) checked with an origin; ndimage accepts
#: ``-(K // 2) <= origin <= (K-1)//2``.
ORIGINS = (
    ("correlate", "reflect", 1),
    ("convolve", "constant", -1),
    ("correlate1d", "mirror", -1),
    ("convolve1d", "nearest", 1),
)

#: function name -> (flips, alignment of 'same' at origin 0, window shift per unit origin)
FUNCTIONS: dict[str, tuple[bool, str, int]] = {
    # correlate output i reads a[i + j - (K // 2) - origin]: lower alignment, shift -origin
    "correlate": (False, "lower", -1),
    # convolve centres an even kernel one later (upper) and moves the other way
    "convolve": (True, "upper", 1),
    "correlate1d": (False, "lower", -1),
    "convolve1d": (True, "upper", 1),
}


def _smallest_kernel(origin: int) -> int:
    """The shortest kernel ndimage accepts with ``origin`` (``-(K//2) <= origin <= (K-1)//2``)."""
    return 2 * origin + 1 if origin > 0 else 2 * -origin


def _call(name: str, mode: str, cval: float, origin: int) -> Callable[[Array, Array, str], Any]:
    import scipy.ndimage

    function = getattr(scipy.ndimage, name)
    return lambda a, v, _mode: function(a, v, mode=mode, cval=cval, origin=origin)


def _operation(name: str, mode: str, cval: float, origin: int = 0) -> Operation:
    flips, alignment, per_origin = FUNCTIONS[name]
    boundary = MODES[mode]
    return Operation(
        _call(name, mode, cval, origin),
        flips=flips,
        ranks=(1,) if name.endswith("1d") else None,
        modes=("same",),
        # An origin needs a long enough kernel: integer checks use length-1 kernels.
        dtypes=("float64",) if origin else DTYPES,
        result_dtype="first",
        accumulation="float64",
        rejects_empty=False,  # an empty signal gives an empty result
        # correlate1d / convolve1d filter every row of an N-D input along its last axis
        rejects_rank_mismatch=not name.endswith("1d"),
        integer_overflow="undefined",  # a float64 sum cast to the integer dtype
        same_alignment=alignment,
        boundary=boundary,
        fill_value=cval if boundary == "constant" else 0,
        origin=per_origin * origin,
        min_kernel=_smallest_kernel(origin) if origin else 1,
    )


def operations() -> dict[str, Operation]:
    """Every function in every mode (constant modes with cval=3), and with origins."""
    ops = {
        # mode='constant', cval=0 is the spec's zero outside the box.
        "convolve": _operation("convolve", "constant", 0.0),
        "correlate": _operation("correlate", "constant", 0.0),
    }
    for name in FUNCTIONS:
        for mode in MODES:
            ops[f"{name}-{mode}"] = _operation(name, mode, CVAL)
    for name, mode, origin in ORIGINS:
        ops[f"{name}-{mode}-origin{origin}"] = _operation(name, mode, CVAL, origin)
    return ops


def _left_extension(name: str, k: int, origin: int) -> int:
    """How many extension samples before the start the N-D filter ``name`` reads."""
    return k // 2 + origin if name == "correlate" else (k - 1) // 2 - origin


def _reads_before_the_array(name: str, origin: int) -> Callable[[Array, Array, Any], bool]:
    """Whether a case reaches the sample 4N before the start on some axis of length N >= 2."""

    def applies(a: Array, v: Array, _mode: Any) -> bool:
        return any(
            n >= 2 and _left_extension(name, k, origin) >= 4 * n
            for n, k in zip(a.shape, v.shape, strict=False)
        )

    return applies


def _reflect_reads_outside(name: str, origin: int = 0) -> Deviation:
    """The N-D filters' mode='reflect' reads memory before the input far from the start."""
    operation = f"{name}-reflect" + (f"-origin{origin}" if origin else "")
    # The shortest kernel that reaches 4N = 8 samples before a length-2 input, and its
    # tap that reads there (convolve reverses the kernel).
    kernel, tap = (16, 0) if name == "correlate" else (17, 16)
    return Deviation(
        operation=operation,
        description=(
            f"scipy.ndimage.{name} (the N-D filter; {name}1d is right) with mode='reflect' "
            "reads the element before the input's memory instead of the reflected sample at "
            "2mN places before the start (m >= 2, axis length N >= 2), which it reaches when "
            "the kernel's part left of the origin is at least 4N long. The coordinate "
            "folding maps those exact multiples of the period to index -1. The value read is "
            "whatever lies there: zero, garbage, or the neighbour in a larger buffer"
        ),
        applies=_reads_before_the_array(name, origin),
        diagnosis="no simple explanation",
        reproduction=(
            "import numpy as np, scipy.ndimage as ndi\n"
            f"v = np.zeros({kernel}); v[{tap}] = 1\n"
            "buffer = np.array([777.0, 10.0, 20.0])\n"
            f"ndi.{name}1d(buffer[1:], v, mode='reflect')  # [10, 20]: the symmetric extension\n"
            f"ndi.{name}(buffer[1:], v, mode='reflect')    # [777, 20]: buffer[0] read"
        ),
    )


#: The deviations of the N-D filters in mode='reflect' (every reflect operation declared).
DEVIATIONS = tuple(
    _reflect_reads_outside(name, origin)
    for name in ("correlate", "convolve")
    for origin in sorted({0} | {o for f, m, o in ORIGINS if (f, m) == (name, "reflect")})
)


def backend() -> Backend:
    import scipy

    return Backend(
        name="scipy-ndimage",
        version=scipy.__version__,
        operations=operations(),
        documented_deviations=DEVIATIONS,
        notes=(
            "Only the output of the input's shape exists ('same'). Operations are named "
            "FUNCTION-MODE (constant modes with cval=3) and FUNCTION-MODE-originO; "
            "'convolve' and 'correlate' are mode='constant', cval=0.",
            "ndimage mode names are not the spec's (nor numpy.pad's): reflect is symmetric, "
            "mirror is reflect, nearest is edge; wrap equals grid-wrap and constant equals "
            "grid-constant in these filters, for every kernel length, also K > N.",
            "convolve centres an even kernel one later than correlate (upper vs lower), and "
            "its origin moves the window the other way (convolve: start K//2 + origin; "
            "correlate: (K-1)//2 - origin).",
            "The result has the input's dtype; sums are formed in float64, so int64 values "
            "beyond 2**53 are rounded (int64 is not declared).",
            "An empty signal gives an empty result instead of an error.",
        ),
    )
