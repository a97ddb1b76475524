"""A complete convspec backend: declare what your library computes, then check it.

Run it with ``convspec check my_backend:backend`` (with this file's folder on the path),
or register it in your pyproject.toml::

    [project.entry-points."convspec.backends"]
    mylib = "my_backend:backend"

and run ``convspec check mylib``.
"""

import numpy as np

from convspec.conformance import Backend, Operation


def my_convolve(a, v, mode):  # your library's function; numpy stands in for it here
    return np.convolve(a, v, mode)


backend = Backend(
    name="mylib",
    version="1.0",
    operations={
        "convolve": Operation(
            my_convolve,
            flips=True,  # a true convolution: the kernel is flipped
            ranks=(1,),
            modes=("full", "valid", "same"),
            dtypes=("float32", "float64", "complex128"),
            same_alignment="numpy-convolve",  # 'same' has length max(N, K), as in numpy
            result_dtype="promote",  # numpy's promotion; integers would wrap
        ),
    },
)
