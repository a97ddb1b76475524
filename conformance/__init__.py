"""The convspec conformance suite: point it at a library, get a verdict clause by clause.

A backend declares its operations and the conventions each one claims; the suite checks
every declared convolution as a convolution (the kernel flipped), every declared
correlation as a cross-correlation (not flipped), the flip identity between the two, and
the declared conjugation, 'same' alignment, lag order, result dtypes and accuracy class.
A complete backend takes about a dozen lines (``docs/snippets/my_backend.py``)::

    import numpy as np
    from convspec.conformance import Backend, Operation

    backend = Backend(
        name="mylib",
        version="1.0",
        operations={
            "convolve": Operation(
                lambda a, v, mode: np.convolve(a, v, mode),  # your function here
                flips=True,
                dtypes=("float32", "float64", "complex128"),
                same_alignment="numpy-convolve",
                result_dtype="promote",
            ),
        },
    )

Then ``convspec check my_module:backend`` (exit status 0 when it conforms), or
``pytest --pyargs convspec.conformance --convspec-backend my_module:backend``, or from Python
:func:`check`.  Installed backends register under the ``convspec.backends`` entry-point
group; ``convspec backends`` lists them.

A convolution *layer* (batch, channels, groups, stride, dilation, padding, bias, and the
transposed layer) is declared with :class:`LayerOperation` instead, called
``function(x, w, **params)`` with the operands in its declared layouts (for example
``data_layout="NHWC", kernel_layout="HWIO"``) and the parameters under the spec's names.
"""

from __future__ import annotations

from typing import Literal

from .backend import Backend, Deviation, Operation
from .layer_backend import LayerOperation
from .registry import BackendUnavailable
from .registry import load as load_backend

__all__ = [
    "Backend",
    "BackendUnavailable",
    "Deviation",
    "LayerOperation",
    "Operation",
    "check",
    "load_backend",
]


def check(
    backend: str,
    profile: Literal["quick", "full"] = "quick",
    seed: int = 0,
    timeout: float = 20.0,
) -> bool:
    """Run the suite against ``backend`` (a name or ``module:attribute``); True if conformant.

    For the full result (per clause, per case) use :func:`convspec.conformance.runner.run`.
    """
    from .runner import run

    return run(load_backend(backend), backend, profile, seed, timeout).conformant
