"""jax: jax.numpy.convolve / correlate (1-D) and jax.scipy.signal.convolve / correlate (N-D).

The adapter enables 64-bit mode (``jax_enable_x64``): without it jax computes float64
input in float32 and says nothing.  Integer operands give float results.  Each new shape
is compiled once, which makes jax the slowest backend to check.
"""

from __future__ import annotations

from typing import Any

from ..backend import Backend, Operation

DTYPES = ("float32", "float64", "complex64", "complex128", "int32", "int64")


def backend() -> Backend:
    import jax

    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call]
    import jax.numpy
    import jax.scipy.signal
    import numpy as np

    jnp: Any = jax.numpy
    jss: Any = jax.scipy.signal

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
                lambda a, v, mode: jnp.convolve(a, v, mode, precision="highest"),
                flips=True,
                same_alignment="numpy-convolve",
                **one_d,
            ),
            "numpy.correlate": Operation(
                lambda a, v, mode: jnp.correlate(a, v, mode, precision="highest"),
                flips=False,
                same_alignment="numpy-correlate",
                **one_d,
            ),
            "scipy.signal.convolve": Operation(
                lambda a, v, mode: jss.convolve(a, v, mode, method="direct", precision="highest"),
                flips=True,
                **n_d,
            ),
            "scipy.signal.correlate": Operation(
                lambda a, v, mode: jss.correlate(a, v, mode, method="direct", precision="highest"),
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
        environment={"jax_enable_x64": "True", "jax_platform": jax.default_backend()},
    )
