"""scipy.ndimage.convolve / correlate with zero padding: a 'same'-only N-D filter."""

from __future__ import annotations

from typing import Any

from ..backend import Backend, Operation

# int64 is left out: sums go through float64, so values beyond 2**53 are rounded.
DTYPES = ("float32", "float64", "int16", "int32")


def backend() -> Backend:
    import scipy
    import scipy.ndimage

    # mode='constant', cval=0 is the spec's zero outside the box; origin 0 is the default.
    common: dict[str, Any] = dict(
        ranks=None,
        modes=("same",),
        dtypes=DTYPES,
        result_dtype="first",
        accumulation="float64",
        rejects_empty=False,  # an empty signal gives an empty result
        integer_overflow="undefined",  # a float64 sum cast to the integer dtype
    )
    return Backend(
        name="scipy-ndimage",
        version=scipy.__version__,
        operations={
            "convolve": Operation(
                lambda a, v, mode: scipy.ndimage.convolve(a, v, mode="constant", cval=0.0),
                flips=True,
                same_alignment="upper",
                **common,
            ),
            "correlate": Operation(
                lambda a, v, mode: scipy.ndimage.correlate(a, v, mode="constant", cval=0.0),
                flips=False,
                same_alignment="lower",
                **common,
            ),
        },
        notes=(
            "Only the output of the input's shape exists ('same'), with mode='constant', cval=0.",
            "convolve centres an even kernel one later than correlate (upper vs lower).",
            "The result has the input's dtype; sums are formed in float64, so int64 values "
            "beyond 2**53 are rounded (int64 is not declared).",
            "An empty signal gives an empty result instead of an error.",
        ),
    )
