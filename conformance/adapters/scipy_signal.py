"""scipy.signal: convolve / correlate (N-D; direct and FFT methods), convolve2d / correlate2d."""

from __future__ import annotations

from typing import Any

from ..backend import Array, Backend, Deviation, Operation

INTEGERS = ("int8", "int16", "int32", "int64")
FLOATS = ("float32", "float64", "complex64", "complex128")


def _signal_operations(method: str) -> dict[str, Operation]:
    import scipy.signal

    fft = method == "fft"
    common: dict[str, Any] = dict(
        ranks=None,
        dtypes=FLOATS if fft else FLOATS + INTEGERS,
        # FFT with one float32 and one float64 operand returns float64 at float32 accuracy.
        mixed_dtypes=not fft,
        needs_one_larger=("valid",),
        result_dtype="promote",
        method=method,
        nonfinite=not fft,
    )
    return {
        "convolve": Operation(
            lambda a, v, mode: scipy.signal.convolve(a, v, mode, method=method),
            flips=True,
            **common,
        ),
        "correlate": Operation(
            lambda a, v, mode: scipy.signal.correlate(a, v, mode, method=method),
            flips=False,
            **common,
        ),
    }


def _complex_valid_larger_kernel(a: Array, v: Array, mode: str) -> bool:
    larger = all(k >= n for n, k in zip(a.shape, v.shape, strict=True)) and a.shape != v.shape
    return mode == "valid" and larger and "c" in (a.dtype.kind, v.dtype.kind)


CORRELATE2D_VALID = Deviation(
    operation="correlate2d",
    description=(
        "correlate2d(in1, in2, 'valid') with complex operands and in2 larger than in1 "
        "conjugates in1 instead of in2, so it is not 'a subset of the discrete linear "
        "cross-correlation' its docstring promises: it is the conjugate of the matching "
        "elements of its own 'full' output"
    ),
    applies=_complex_valid_larger_kernel,
    diagnosis="conjugates the first operand",
)


def backend() -> Backend:
    """scipy.signal with method='direct', plus convolve2d and correlate2d."""
    import scipy
    import scipy.signal

    two_d: dict[str, Any] = dict(
        ranks=(2,),
        dtypes=FLOATS + INTEGERS,
        mixed_dtypes=True,
        result_dtype="promote",
        needs_one_larger=("valid",),
        rejects_empty=False,  # an empty operand gives a non-empty result
    )
    operations = _signal_operations("direct")
    operations["convolve2d"] = Operation(
        lambda a, v, mode: scipy.signal.convolve2d(a, v, mode), flips=True, **two_d
    )
    operations["correlate2d"] = Operation(
        lambda a, v, mode: scipy.signal.correlate2d(a, v, mode),
        flips=False,
        same_alignment="upper",
        **two_d,
    )
    return Backend(
        name="scipy-signal",
        version=scipy.__version__,
        operations=operations,
        documented_deviations=(CORRELATE2D_VALID,),
        notes=(
            "correlate2d 'same' puts an even kernel's extra tap at the end (upper alignment); "
            "correlate 'same' does not.",
            "Integer inputs keep their dtype and wrap around on overflow.",
            "'valid' needs one operand at least as large as the other on every axis.",
            "convolve2d / correlate2d of an empty operand return a non-empty array "
            "instead of raising.",
        ),
    )


def fft_backend() -> Backend:
    """scipy.signal.convolve / correlate with method='fft' (normwise error bound)."""
    import scipy

    return Backend(
        name="scipy-signal-fft",
        version=scipy.__version__,
        operations=_signal_operations("fft"),
        notes=(
            "FFT evaluation: a NaN or inf anywhere spreads to every output element.",
            "With one float32 and one float64 operand the float64 result has float32 accuracy "
            "(mixed dtypes are therefore not declared).",
        ),
    )
