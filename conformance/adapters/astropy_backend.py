"""astropy.convolution convolve and convolve_fft: 'same'-only convolutions with boundaries.

Measured against the spec: ``boundary='fill'`` is ``constant`` with ``fill_value``,
``'wrap'`` is ``wrap``, ``'extend'`` is ``edge`` (convolve only; convolve_fft refuses it).
``convolve`` refuses even kernels (``KernelSizeError``); ``convolve_fft`` takes them and
centres them one later (upper alignment).  The result is float64 for every input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backend import Array, Backend, Deviation, Operation

#: astropy boundary -> the spec's boundary (measured).
BOUNDARIES = {"fill": "constant", "wrap": "wrap", "extend": "edge"}

#: The fill_value given to boundary='fill': not zero, so it shows in every result.
FILL = 3.0


def _call(name: str, boundary: str, normalize: bool) -> Callable[[Array, Array, str], Any]:
    import astropy.convolution

    function = getattr(astropy.convolution, name)
    return lambda a, v, mode: function(
        a,
        v,
        boundary=boundary,
        fill_value=FILL,
        normalize_kernel=normalize,
        nan_treatment="fill",
    )


def _operation(name: str, boundary: str, normalize: bool = False) -> Operation:
    spec_boundary = BOUNDARIES[boundary]
    fft = name == "convolve_fft"
    return Operation(
        _call(name, boundary, normalize),
        flips=True,
        ranks=(1, 2, 3),
        modes=("same",),
        dtypes=("float64",),
        same_alignment="upper",  # only even kernels tell; convolve refuses them
        method="fft" if fft else "direct",
        nonfinite=False,  # nan_treatment: NaN is replaced (fill) or interpolated
        # Measured: convolve raises for an empty array or kernel, convolve_fft returns an
        # array of the signal's shape; both raise for operands of different rank.
        rejects_empty=not fft,
        rejects_rank_mismatch=True,
        boundary=spec_boundary,
        fill_value=FILL if spec_boundary == "constant" else 0,
        normalize=normalize,
        needs_odd_k=() if fft else ("same",),
    )


def operations() -> dict[str, Operation]:
    ops = {f"convolve-{b}": _operation("convolve", b) for b in BOUNDARIES}
    ops["convolve-fill-normalized"] = _operation("convolve", "fill", normalize=True)
    ops["convolve-extend-normalized"] = _operation("convolve", "extend", normalize=True)
    for b in ("fill", "wrap"):
        ops[f"convolve_fft-{b}"] = _operation("convolve_fft", b)
    ops["convolve_fft-fill-normalized"] = _operation("convolve_fft", "fill", normalize=True)
    return ops


def _kernel_longer(a: Array, v: Array, mode: str) -> bool:
    return any(k > n for n, k in zip(a.shape, v.shape, strict=True))


FFT_WRAP_LONG_KERNEL = Deviation(
    operation="convolve_fft-wrap",
    description=(
        "convolve_fft(boundary='wrap') with a kernel longer than the array is not periodic "
        "with the array's length, as 'periodic boundary' says: it pads the array with zeros "
        "to the kernel's length and wraps that. Reproduction: convolve_fft([1.], [1., 2., 3.], "
        "boundary='wrap', normalize_kernel=False) gives [2.]; convolve(..., boundary='wrap') "
        "and the wrap boundary give [6.]"
    ),
    applies=_kernel_longer,
    diagnosis="zero-padded to the kernel's length",
)


def _sum_below_a_hundredth(a: Array, v: Array, mode: str) -> bool:
    return bool(v.sum() < 0.01)


def _refuses_small_sums(operation: str) -> Deviation:
    return Deviation(
        operation=operation,
        description=(
            "normalize_kernel=True refuses every kernel whose sum is below 0.01, negative "
            "sums included, with 'The kernel can't be normalized, because its sum is close "
            "to zero': the test is kernel.sum() < 0.01, not a small |sum| relative to the "
            "taps (BOUND-10 allows refusing only small sums). Reproduction: "
            "astropy.convolution.convolve(np.arange(7.), [-1., -2., -3.], "
            "normalize_kernel=True) raises; the sum is -6"
        ),
        applies=_sum_below_a_hundredth,
        raises="The kernel can't be normalized",
    )


def backend() -> Backend:
    import astropy

    return Backend(
        name="astropy",
        version=astropy.__version__,
        operations=operations(),
        documented_deviations=(
            FFT_WRAP_LONG_KERNEL,
            *(_refuses_small_sums(name) for name, op in operations().items() if op.normalize),
        ),
        notes=(
            "Operations are FUNCTION-BOUNDARY (fill with fill_value=3), normalize_kernel=False "
            "unless named -normalized; nan_treatment='fill' throughout.",
            "boundary names measured: fill is constant, wrap is wrap, extend is edge "
            "(every K, also K > N). boundary=None sets the output to 0 wherever the kernel "
            "reaches beyond the array and refuses kernels not smaller than the array: it is "
            "no boundary, and is not declared.",
            "convolve refuses even kernels (KernelSizeError); convolve_fft accepts them and "
            "uses the upper 'same' alignment.",
            "convolve raises for an empty array or kernel; convolve_fft returns an array of "
            "the signal's shape. Both raise for operands of different rank.",
            "normalize_kernel=True refuses a kernel whose sum is close to 0 (ValueError in "
            "convolve, a bare Exception in convolve_fft).",
            "nan_treatment='interpolate' (the default) replaces NaN by the kernel-weighted "
            "mean of its neighbours, 'fill' by fill_value: NaN never propagates (NOT-6).",
        ),
    )
