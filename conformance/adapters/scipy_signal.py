"""scipy.signal: convolve / correlate (N-D; direct and FFT methods), convolve2d / correlate2d."""

from __future__ import annotations

from dataclasses import replace
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
        # Measured (scipy 1.17): with method='direct' an empty signal returns an empty array
        # in 'same' (any rank) and, in N-D 'valid', an array of the kernel's shape; 'full'
        # raises.  With method='fft' every mode raises (IndexError).
        rejects_empty=fft,
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


#: scipy.signal convolve2d/correlate2d boundary -> the spec's boundary (measured).
BOUNDARIES_2D = {"fill": "constant", "wrap": "wrap", "symm": "symmetric"}

#: The fillvalue given to boundary='fill': not zero, so it shows in every result.
FILLVALUE = 3


def _two_d_boundaries(two_d: dict[str, Any]) -> dict[str, Operation]:
    """convolve2d and correlate2d with each boundary (fill with fillvalue=3)."""
    import scipy.signal

    ops = {}
    for name, flips in (("convolve2d", True), ("correlate2d", False)):
        function = getattr(scipy.signal, name)
        for scipy_name, boundary in BOUNDARIES_2D.items():
            fill = FILLVALUE if boundary == "constant" else 0

            def call(a: Array, v: Array, mode: str, f: Any = function, b: str = scipy_name) -> Any:
                return f(a, v, mode, boundary=b, fillvalue=FILLVALUE)

            ops[f"{name}-{scipy_name}"] = Operation(
                call,
                flips=flips,
                same_alignment="lower" if flips else "upper",
                boundary=boundary,
                fill_value=fill,
                **two_d,
            )
    return ops


def _kernel_longer_valid(a: Array, v: Array, mode: str) -> bool:
    return mode == "valid" and any(k > n for n, k in zip(a.shape, v.shape, strict=True))


def _boundary_ignored(operation: str) -> Deviation:
    return Deviation(
        operation=operation,
        description=(
            f"{operation.split('-')[0]}(in1, in2, 'valid', boundary=...) with in2 longer than "
            "in1 ignores the boundary: it returns the zero-boundary 'valid' result, where "
            "BOUND-7 reads the extension (scipy swaps the operands for 'valid'). "
            "Reproduction: scipy.signal.convolve2d([[1, 2]], [[1, 10, 100, 1000, 10000]], "
            "'valid', boundary='wrap') gives [[12, 120, 1200, 12000]]; "
            "convspec.convolve(..., boundary='wrap') gives [[21212, 12121, 21212, 12121]]"
        ),
        applies=_kernel_longer_valid,
        # What scipy does: it swaps in1 and in2, and extends the (now first) shorter one,
        # which the 'valid' window never reads.  For a convolution the swap is the first
        # explanation that fits; a correlation is not symmetric, and the zero boundary is.
        diagnosis=(
            "swaps the operands"
            if operation.startswith("convolve2d")
            else "boundary constant (fill 0)"
        ),
    )


def _complex_kernel_longer_valid(a: Array, v: Array, mode: str) -> bool:
    return _kernel_longer_valid(a, v, mode) and "c" in (a.dtype.kind, v.dtype.kind)


def _correlate2d_boundary_swap(operation: str) -> Deviation:
    """correlate2d with a boundary, complex, in2 longer, 'valid': three defects at once."""
    return Deviation(
        operation=operation,
        description=(
            "correlate2d(in1, in2, 'valid', boundary=...) with complex operands and in2 longer "
            "than in1 both ignores the boundary and conjugates in1 instead of in2, reversed "
            "(the two deviations above at once), which no single explanation names"
        ),
        applies=_complex_kernel_longer_valid,
        diagnosis="no simple explanation",
    )


def correlation_lags(n: int, k: int, mode: str) -> Any:
    """scipy.signal.correlation_lags, the lags of scipy.signal.correlate."""
    import scipy.signal

    return scipy.signal.correlation_lags(n, k, mode)


def _same_lags_one_high(a: Array, v: Array, mode: str) -> bool:
    return mode == "lags:same" and a.shape[0] % 2 == 1 and v.shape[0] % 2 == 0


CORRELATION_LAGS_SAME = Deviation(
    operation="correlate",
    description=(
        "scipy.signal.correlation_lags(N, K, 'same') is one too high when N is odd and K "
        "even: it does not give the lags of what scipy.signal.correlate(..., 'same') returns, "
        "as its docstring says it does. Reproduction: correlation_lags(3, 2, 'same') gives "
        "[0, 1, 2]; correlate(a, v, 'same') holds lags [-1, 0, 1] (its first element is "
        "a[0] * v[1], lag -1)"
    ),
    applies=_same_lags_one_high,
    diagnosis="every lag is +1 from",
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
    operations["correlate"] = replace(operations["correlate"], lags=correlation_lags)
    boundary_ops = _two_d_boundaries(two_d)
    operations.update(boundary_ops)
    deviations = (
        CORRELATE2D_VALID,
        CORRELATION_LAGS_SAME,
        *(_boundary_ignored(name) for name in boundary_ops),
        # Both at once for complex operands: the zero boundary and the conjugated first
        # operand, which the diagnosis names as the swapped, reversed correlation.
        *(
            _correlate2d_boundary_swap(name)
            for name in boundary_ops
            if name.startswith("correlate2d")
        ),
    )
    return Backend(
        name="scipy-signal",
        version=scipy.__version__,
        operations=operations,
        documented_deviations=deviations,
        notes=(
            "correlate2d 'same' puts an even kernel's extra tap at the end (upper alignment); "
            "correlate 'same' does not.",
            "Integer inputs keep their dtype and wrap around on overflow.",
            "convolve / correlate (method='direct') of an empty signal return an empty array "
            "in 'same' and, in N-D 'valid', an array of the kernel's shape; 'full' raises.",
            "'valid' needs one operand at least as large as the other on every axis.",
            "convolve2d / correlate2d of an empty operand return a non-empty array "
            "instead of raising.",
            "convolve2d / correlate2d boundary names (measured, every mode, K > N too): fill is "
            "constant with fillvalue, wrap is wrap, symm is symmetric (the edge sample "
            "repeated). Operations NAME-BOUNDARY use fillvalue=3.",
            "scipy.signal.correlation_lags is declared as the lags of correlate.",
        ),
    )


def _fftconvolve(a: Array, v: Array, mode: str, axes: Any = None) -> Any:
    import scipy.signal

    return scipy.signal.fftconvolve(a, v, mode, axes=axes)


def fft_backend() -> Backend:
    """scipy.signal.convolve / correlate with method='fft' (normwise error bound)."""
    import scipy
    import scipy.signal

    operations = _signal_operations("fft")
    operations["fftconvolve"] = replace(
        operations["convolve"],
        function=_fftconvolve,
        axes=True,
        rejects_empty=False,  # an empty operand gives an empty result
    )
    return Backend(
        name="scipy-signal-fft",
        version=scipy.__version__,
        operations=operations,
        notes=(
            "FFT evaluation: a NaN or inf anywhere spreads to every output element.",
            "With one float32 and one float64 operand the float64 result has float32 accuracy "
            "(mixed dtypes are therefore not declared).",
            "fftconvolve of an empty operand returns an empty array instead of raising.",
        ),
    )
