"""A deliberately wrong backend, for the guide on reading failure reports.

Its ``convolve`` is really numpy's cross-correlation: it never reverses the kernel, the most
common mistake convspec exists to catch.  It declares ``flips=True`` all the same, so every
check of CONV-4 fails.
"""

import numpy as np

from convspec.conformance import Backend, Operation


def convolve_without_flip(a, v, mode):
    return np.correlate(a, v, mode)  # the bug: correlation, not convolution


backend = Backend(
    name="noflip",
    version="1.0",
    operations={
        "convolve": Operation(
            convolve_without_flip,
            flips=True,
            ranks=(1,),
            modes=("full", "valid", "same"),
            dtypes=("float64",),
            same_alignment="numpy-convolve",
            result_dtype="promote",
        ),
    },
)
