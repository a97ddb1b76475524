"""jax: jax.numpy.convolve / correlate (1-D) and jax.scipy.signal.convolve / correlate (N-D).

The adapter enables 64-bit mode (``jax_enable_x64``): without it jax computes float64
input in float32 and says nothing.  Integer operands give float results.

jax compiles a program for every new shape, 50 to 150 ms each on a CPU, and the full
profile has about 6,000 distinct shapes: called as they come, its check took 15 minutes on
2 cores.  So each function is jitted, and its finite operands are padded with zeros to a few
shape buckets (``shape_buckets``: the values are those of the unpadded call, the case's
output is cut back out of the padded one, and the cases themselves are unchanged).  That
leaves about 1,000 compilations (one per function, mode, dtype pair, rank and bucket that
the cases use).  Set ``CONVSPEC_JAX_EXACT_SHAPES=1`` to call every case at its own shape;
the report's environment says which was used.  ``CONVSPEC_JAX_CACHE_DIR`` keeps the
compiled programs for the next run (:mod:`.jax_setup`).
"""

from __future__ import annotations

import os
from typing import Any

from ..backend import Backend, Operation
from . import jax_setup
from .shape_buckets import bucketed

DTYPES = ("float32", "float64", "complex64", "complex128", "int32", "int64")


def backend() -> Backend:
    import jax

    environment = jax_setup.configure(jax)
    import jax.numpy
    import jax.scipy.signal
    import numpy as np

    jnp: Any = jax.numpy
    jss: Any = jax.scipy.signal

    exact_shapes = os.environ.get("CONVSPEC_JAX_EXACT_SHAPES", "") == "1"

    def prepared(call: Any, *, convolve: bool, alignment: Any = "lower") -> Any:
        """The library call, jitted and bucketed unless exact shapes were asked for."""
        if exact_shapes:
            return call
        compiled = jax.jit(call, static_argnames="mode")
        return bucketed(compiled, convolve=convolve, alignment=alignment)

    def jax_promotion(a: Any, v: Any) -> Any:
        """jax's promotion; integers then become float64 (from int64) or float32."""
        promoted = np.dtype(jnp.promote_types(a, v))
        if promoted.kind in "iu":
            return np.dtype(np.float64 if promoted.itemsize == 8 else np.float32)
        return promoted

    common: dict[str, Any] = dict(
        dtypes=DTYPES, mixed_dtypes=True, result_dtype=jax_promotion, complex_products="gauss"
    )
    one_d: dict[str, Any] = dict(ranks=(1,), **common)
    # jax.scipy.signal needs one operand at least as large as the other on every axis.
    n_d: dict[str, Any] = dict(ranks=None, needs_one_larger=("full", "valid", "same"), **common)
    return Backend(
        name="jax",
        version=jax.__version__,
        operations={
            "numpy.convolve": Operation(
                prepared(
                    lambda a, v, mode: jnp.convolve(a, v, mode, precision="highest"),
                    convolve=True,
                    alignment="numpy-convolve",
                ),
                flips=True,
                same_alignment="numpy-convolve",
                **one_d,
            ),
            "numpy.correlate": Operation(
                prepared(
                    lambda a, v, mode: jnp.correlate(a, v, mode, precision="highest"),
                    convolve=False,
                    alignment="numpy-correlate",
                ),
                flips=False,
                same_alignment="numpy-correlate",
                **one_d,
            ),
            "scipy.signal.convolve": Operation(
                prepared(
                    lambda a, v, mode: jss.convolve(
                        a, v, mode, method="direct", precision="highest"
                    ),
                    convolve=True,
                ),
                flips=True,
                **n_d,
            ),
            "scipy.signal.correlate": Operation(
                prepared(
                    lambda a, v, mode: jss.correlate(
                        a, v, mode, method="direct", precision="highest"
                    ),
                    convolve=False,
                ),
                flips=False,
                **n_d,
            ),
        },
        notes=(
            "64-bit mode enabled by the adapter (jax_enable_x64).",
            "Integer operands give float results: float64 from int64, float32 otherwise.",
            "jax.scipy.signal needs one operand at least as large as the other on every axis.",
            "Complex products are formed with 3 real multiplications.",
        ),
        environment={
            **environment,
            "shape_buckets": "off (CONVSPEC_JAX_EXACT_SHAPES=1)" if exact_shapes else "on",
        },
    )
