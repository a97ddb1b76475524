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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from .backend import Backend, Deviation, Operation
from .layer_backend import LayerOperation
from .registry import BackendUnavailable
from .registry import load as load_backend

if TYPE_CHECKING:
    from .runner import RunResult

__all__ = [
    "Backend",
    "BackendUnavailable",
    "Deviation",
    "LayerOperation",
    "Operation",
    "check",
    "load_backend",
    "run",
]


def run(
    backend: str | Backend,
    profile: Literal["quick", "full"] = "quick",
    seed: int = 0,
    timeout: float = 20.0,
    select: Sequence[str] | None = None,
    budget: float | None = None,
    jobs: int = 1,
) -> RunResult:
    """Run the suite against ``backend`` and return the whole result.

    ``backend`` is a :class:`~convspec.conformance.backend.Backend` object, an installed
    backend's name (``convspec backends``) or ``"module:attribute"``.  ``select`` keeps the
    checks whose name or a clause id matches one of its patterns, exactly or as a glob (as
    ``convspec check -k``); ``budget`` bounds the whole run in seconds (cases left are
    reported as not run).  A named backend is called in a worker process, ``timeout``
    seconds at most per call, so that a crash or a hang is reported; a ``Backend`` object
    is called in this process (the worker can load only a backend it can import by name),
    without that protection.  ``jobs`` worker processes call a named backend at once (as
    ``convspec check --jobs``), each operation's calls in one of them.

    The :class:`~convspec.conformance.runner.RunResult` holds ``verdict`` and
    ``conformant``, ``cases``, ``results`` (one ``CaseResult`` per case), ``failures``,
    ``deviations``, ``diagnoses`` (each failure's explanations, most specific first),
    ``groups`` (failures grouped by operation and cause) and ``skips``; it is true when
    the backend conforms.
    """
    from .runner import run as run_suite

    if isinstance(backend, Backend):
        declared, reference = backend, backend.name
    elif isinstance(backend, str):
        declared, reference = load_backend(backend), backend
    else:
        raise TypeError(
            "run: argument 'backend' must be a Backend or a backend name / 'module:attribute'; "
            f"got {type(backend).__name__}"
        )
    in_worker = not isinstance(backend, Backend)
    if jobs != 1 and not in_worker:
        raise ValueError(
            f"run: jobs={jobs} needs a backend name or 'module:attribute' that worker "
            "processes can load; a Backend object is called in this process"
        )
    isolation: Literal["process", "none"] = "process" if in_worker else "none"
    return run_suite(
        declared,
        reference,
        profile,
        seed,
        timeout,
        isolation,
        select=select,
        budget=budget,
        jobs=jobs,
    )


def check(
    backend: str | Backend,
    profile: Literal["quick", "full"] = "quick",
    seed: int = 0,
    timeout: float = 20.0,
) -> RunResult:
    """Run the suite against ``backend``; the result is true when the backend conforms.

    The same as :func:`run` without a selection: ``if check("numpy"): ...`` or
    ``check(my_backend).failures``.
    """
    return run(backend, profile, seed, timeout)
