"""torch.nn.functional: conv1d/2d/3d (a correlation) and conv_transpose1d/2d/3d (a convolution).

One batch and one channel: operands of shape ``(N_0, ...)`` become ``(1, 1, N_0, ...)``.
``conv`` computes the unconjugated cross-correlation; ``conv_transpose`` with stride 1
and no padding the full convolution.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..backend import Array, Backend, Operation

DTYPES = ("float32", "float64", "complex64", "complex128", "int16", "int32", "int64")
# conv_transpose on the CPU implements no integer type but int64.
TRANSPOSE_DTYPES = ("float32", "float64", "complex64", "complex128", "int64")


def backend() -> Backend:
    import torch
    import torch.nn.functional as F

    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
    transpose = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}

    def batched(x: Array) -> Any:
        return torch.from_numpy(x.copy())[None, None]

    def correlate(a: Array, v: Array, mode: str) -> Any:
        if a.ndim != v.ndim:
            raise ValueError(f"ranks differ: {a.ndim} and {v.ndim}")
        padding: Any = {"valid": 0, "same": "same"}.get(mode, tuple(k - 1 for k in v.shape))
        with warnings.catch_warnings():  # even kernels with padding='same' copy the input
            warnings.simplefilter("ignore", UserWarning)
            return conv[a.ndim](batched(a), batched(v), padding=padding)[0, 0]

    def convolve(a: Array, v: Array, mode: str) -> Any:
        if a.ndim != v.ndim:
            raise ValueError(f"ranks differ: {a.ndim} and {v.ndim}")
        return transpose[a.ndim](batched(a), batched(v))[0, 0]

    common: dict[str, Any] = dict(ranks=(1, 2, 3), result_dtype="promote", complex_products="gauss")
    return Backend(
        name="torch",
        version=torch.__version__,
        operations={
            "conv": Operation(
                correlate,
                flips=False,
                conjugates="none",
                same_alignment="upper",
                needs_n_ge_k=("valid",),
                dtypes=DTYPES,
                **common,
            ),
            "conv_transpose": Operation(
                convolve, flips=True, modes=("full",), dtypes=TRANSPOSE_DTYPES, **common
            ),
        },
        notes=(
            "conv1d/2d/3d compute cross-correlation without conjugating either operand.",
            "padding='same' puts an even kernel's extra tap at the end (upper alignment).",
            "'valid' needs N >= K; 'full' is padding K - 1 on both sides.",
            "conv_transpose1d/2d/3d with stride 1 compute the full convolution.",
            "Complex products are formed with 3 real multiplications (error up to about twice "
            "the 4-multiplication bound).",
        ),
    )
