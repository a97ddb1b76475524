"""numpy.convolve and numpy.correlate (1-D)."""

from __future__ import annotations

from typing import Any

from ..backend import Backend, Operation

DTYPES = ("float32", "float64", "complex64", "complex128", "int8", "int16", "int32", "int64")


def backend() -> Backend:
    import numpy as np

    def convolve(a: Any, v: Any, mode: Any) -> Any:
        return np.convolve(a, v, mode)

    def correlate(a: Any, v: Any, mode: Any) -> Any:
        return np.correlate(a, v, mode)

    common = dict(ranks=(1,), dtypes=DTYPES, mixed_dtypes=True, result_dtype="promote")
    return Backend(
        name="numpy",
        version=np.__version__,
        operations={
            "convolve": Operation(
                convolve,
                flips=True,
                same_alignment="numpy-convolve",
                **common,  # type: ignore[arg-type]
            ),
            "correlate": Operation(
                correlate,
                flips=False,
                conjugates="second",
                same_alignment="numpy-correlate",
                **common,  # type: ignore[arg-type]
            ),
        },
        notes=(
            "'same' has length max(N, K): numpy swaps the operands of convolve when K > N.",
            "Integer inputs keep their dtype and wrap around on overflow.",
        ),
    )
