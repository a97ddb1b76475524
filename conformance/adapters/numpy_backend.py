"""numpy.convolve and numpy.correlate (1-D)."""

from __future__ import annotations

from ..backend import Backend, Operation

DTYPES = ("float32", "float64", "complex64", "complex128", "int8", "int16", "int32", "int64")


def backend() -> Backend:
    import numpy as np

    common = dict(ranks=(1,), dtypes=DTYPES, mixed_dtypes=True, result_dtype="promote")
    return Backend(
        name="numpy",
        version=np.__version__,
        operations={
            "convolve": Operation(
                lambda a, v, mode: np.convolve(a, v, mode),
                flips=True,
                same_alignment="numpy-convolve",
                **common,  # type: ignore[arg-type]
            ),
            "correlate": Operation(
                lambda a, v, mode: np.correlate(a, v, mode),
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
