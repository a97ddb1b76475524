"""OpenCV (opencv-python-headless): cv2.filter2D and cv2.sepFilter2D, 'same'-only correlations.

filter2D computes ``dst(x, y) = sum kernel(i, j) * src(x + i - anchor.x, y + j - anchor.y)``:
a cross-correlation (the kernel is not flipped), its anchor the tap over the output's own
position (BOUND-8; default ``K // 2``, the spec's lower 'same').  Border types are the
spec's boundaries (measured): ``BORDER_REFLECT_101`` (the default) is ``reflect``,
``BORDER_REFLECT`` is ``symmetric``, ``BORDER_REPLICATE`` is ``edge``, ``BORDER_CONSTANT``
is ``constant`` with 0 (filter2D takes no border value).  ``BORDER_WRAP`` is refused by the
direct path (kernels of fewer than 50 taps in float64, 130 in float32 and uint8) and
accepted by the DFT path above that, so no wrap operation is declared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..backend import Array, Backend, Operation

#: OpenCV border type -> the spec's boundary (measured).
BORDERS = {
    "BORDER_REFLECT_101": "reflect",
    "BORDER_REFLECT": "symmetric",
    "BORDER_REPLICATE": "edge",
    "BORDER_CONSTANT": "constant",
}

#: 'same' window shifts checked through the anchor, per axis (rows, columns).
ANCHOR_SHIFTS = ((1, -1), (-1, 1))

#: Dtype groups by the kernel size above which filter2D computes by DFT (measured: the
#: first kernel area on the DFT path is 50 taps for float64 and int16, 130 for float32 and
#: uint8, whatever the image size).
DFT_ABOVE = {("float64", "int16"): 49, ("float32", "uint8"): 129}


def _filter2d(border: int, shift: tuple[int, int]) -> Callable[[Array, Array, str], Any]:
    import cv2

    def call(a: Array, v: Array, mode: str) -> Any:
        # The anchor is (x, y) = (column, row); shift s moves the window start by s
        # (BOUND-8: start K - 1 - c, so c = K // 2 - s).
        anchor = (v.shape[1] // 2 - shift[1], v.shape[0] // 2 - shift[0])
        kernel = v.astype(np.float64)
        return cv2.filter2D(a, -1, kernel, anchor=anchor, borderType=border)

    return call


def _sep_filter_row(border: int) -> Callable[[Array, Array, str], Any]:
    import cv2

    def call(a: Array, v: Array, mode: str) -> Any:
        # One row: the x kernel is v, the y kernel the identity [1].
        row = cv2.sepFilter2D(a[None, :], -1, v.astype(np.float64), np.ones(1), borderType=border)
        return row[0]

    return call


def _operation(function: Callable[[Array, Array, str], Any], boundary: str, **kw: Any) -> Operation:
    return Operation(
        function,
        flips=False,
        modes=("same",),
        result_dtype="first",
        # Measured: an empty image or kernel fails an assertion (cv2.error); a 3-D image is
        # taken as channels, so operands of different rank are not rejected.
        rejects_empty=True,
        rejects_rank_mismatch=False,
        integer_overflow="saturate",  # saturate_cast: uint8 0..255
        boundary=boundary,
        **kw,
    )


def operations() -> dict[str, Operation]:
    import cv2

    ops: dict[str, Operation] = {}
    for name, boundary in BORDERS.items():
        border = getattr(cv2, name)
        for dtypes, above in DFT_ABOVE.items():
            suffix = "" if "float64" in dtypes else f"-{dtypes[0]}"
            ops[f"filter2D-{name}{suffix}"] = _operation(
                _filter2d(border, (0, 0)), boundary, ranks=(2,), dtypes=dtypes, fft_above=above
            )
        ops[f"sepFilter2D-{name}"] = _operation(
            _sep_filter_row(border),
            boundary,
            ranks=(1,),
            dtypes=("float32", "float64"),
            mixed_dtypes=True,  # the kernel is passed as float64 whatever its dtype
        )
    for shift in ANCHOR_SHIFTS:
        for name in ("BORDER_REFLECT_101", "BORDER_CONSTANT"):
            ops[f"filter2D-{name}-shift{shift[0]:+d}{shift[1]:+d}"] = _operation(
                _filter2d(getattr(cv2, name), shift),
                BORDERS[name],
                ranks=(2,),
                dtypes=("float64",),
                fft_above=49,
                origin=shift,
                min_kernel=3,  # the anchor must lie inside the kernel
            )
    return ops


def backend() -> Backend:
    import cv2

    return Backend(
        name="opencv",
        version=cv2.__version__,
        operations=operations(),
        notes=(
            "filter2D and sepFilter2D are cross-correlations (the kernel is not flipped) "
            "that return the input's shape ('same') and dtype.",
            "Border types measured against the spec: BORDER_REFLECT_101 (the default) is "
            "reflect, BORDER_REFLECT is symmetric, BORDER_REPLICATE is edge, BORDER_CONSTANT "
            "is constant with 0, for every kernel length, also K > N.",
            "BORDER_WRAP raises in filter2D for kernels computed directly and is accepted on "
            "the DFT path (kernel area >= 50 taps for float64/int16, >= 130 for float32 and "
            "uint8, for every image size): cv2.filter2D(np.ones((4, 4)), -1, np.ones((3, 3)), "
            "borderType=cv2.BORDER_WRAP) raises; np.ones((7, 8)) as kernel does not.",
            "Operations filter2D-BORDER-shiftR+C move the anchor R rows and C columns before "
            "the centre (anchor = K // 2 - shift).",
            "sepFilter2D operations filter one row (x kernel v, y kernel [1]).",
            "An empty image or kernel raises (cv2.error); a 3-D image is read as channels.",
            "Integer results saturate (uint8 0..255, int16) instead of wrapping.",
            "filter2D switches to a DFT above 49 kernel taps for float64 and int16 and above "
            "129 for float32 and uint8 (declared as fft_above; operations without a dtype "
            "suffix are float64/int16, -float32 ones float32/uint8).",
        ),
    )
