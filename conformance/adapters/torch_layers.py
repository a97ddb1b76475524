"""torch.nn.functional convolution layers: conv1d/2d/3d and conv_transpose1d/2d/3d.

Every parameter the functions have is declared: stride, padding, dilation, groups, bias and,
transposed, output_padding.  Data ``(N, C, *spatial)``, kernels ``(C_out, C_in / groups, *K)``
and, transposed, ``(C_in, C_out / groups, *K)``: the spec's own layouts.  ``padding``
takes one int per axis (the same on both sides) or ``'valid'`` / ``'same'`` (stride 1
only, the odd pad of an even kernel at the end); conv_transpose takes ints only (they crop).
"""

from __future__ import annotations

import warnings
from typing import Any

from ..backend import Array, Backend
from ..layer_backend import LayerOperation

# Integer convolutions other than int64 exist on the CPU only without dilation, and
# conv_transpose has no integer kernel but int64 (measured: "slow_conv_dilated<>" /
# "slow_conv_transpose2d_out_cpu" not implemented for 'Int').
DTYPES = ("float32", "float64", "complex64", "complex128", "int64")


def _symmetric(padding: Any) -> Any:
    """Spec pairs ``((p, p), ...)`` as torch's one int per axis; names as they are."""
    if isinstance(padding, str):
        return padding
    return tuple(before for before, _after in padding)


def backend() -> Backend:
    import torch
    import torch.nn.functional as F

    # One thread: the suite's operands are small, and torch's thread pool on a loaded
    # machine costs more than it saves (measured: 0.14 s per tiny conv2d at load 17).
    torch.set_num_threads(1)
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
    transpose = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}

    def tensor(x: Array | None) -> Any:
        return None if x is None else torch.from_numpy(x.copy())

    def layer(
        x: Array, w: Array, *, stride: Any, padding: Any, dilation: Any, groups: int, bias: Any
    ) -> Any:
        with warnings.catch_warnings():  # padding='same' with an even kernel copies the input
            warnings.simplefilter("ignore", UserWarning)
            return conv[x.ndim - 2](
                tensor(x),
                tensor(w),
                tensor(bias),
                stride=stride,
                padding=_symmetric(padding),
                dilation=dilation,
                groups=groups,
            )

    def layer_transpose(
        x: Array,
        w: Array,
        *,
        stride: Any,
        padding: Any,
        output_padding: Any,
        dilation: Any,
        groups: int,
        bias: Any,
    ) -> Any:
        return transpose[x.ndim - 2](
            tensor(x),
            tensor(w),
            tensor(bias),
            stride=stride,
            padding=_symmetric(padding),
            output_padding=output_padding,
            groups=groups,
            dilation=dilation,
        )

    common: dict[str, Any] = dict(
        ranks=(1, 2, 3), dtypes=DTYPES, result_dtype="promote", complex_products="gauss"
    )
    return Backend(
        name="torch-layers",
        version=torch.__version__,
        operations={
            "conv": LayerOperation(layer, padding=("symmetric", "valid", "same"), **common),
            "conv_transpose": LayerOperation(
                layer_transpose,
                transposed=True,
                padding=("symmetric",),
                output_padding=True,
                **common,
            ),
        },
        notes=(
            "F.conv1d/2d/3d and F.conv_transpose1d/2d/3d with stride, padding, dilation, groups, "
            "bias and (transposed) output_padding.",
            "padding is symmetric (one int per axis); padding='same' (stride 1 only) puts the odd "
            "pad of an even kernel at the end.",
            "Integer layers: int64 only (other integer dtypes lack dilated and transposed "
            "kernels on the CPU).",
            "Complex products are formed with 3 real multiplications.",
        ),
        environment={"torch_threads": "1"},
    )
