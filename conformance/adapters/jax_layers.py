"""jax.lax convolution layers: conv_general_dilated and conv_transpose (transpose_kernel both ways).

``conv_general_dilated`` is declared twice, channels-first (``NCHW`` / ``OIHW``) and
channels-last (``NHWC`` / ``HWIO``, TensorFlow's), with explicit pads per side, ``'VALID'``,
``'SAME'`` (same-upper) and ``'SAME_LOWER'`` (same-lower), window strides, kernel dilation
(``rhs_dilation``) and ``feature_group_count``.  lax has no bias argument.

``conv_transpose`` is declared with explicit pads only: the adapter turns the spec's crop
``(before, after)`` and ``output_padding`` into lax's padding of the stride-dilated input,
``(d (K - 1) - before, d (K - 1) - after + output_padding)``.  Its ``'VALID'`` and ``'SAME'``
are TensorFlow's transposed rules, not the spec's (ONNX's) names: ``'VALID'`` has length
``N s + max(E - s, 0)`` and ``'SAME'`` pads only at the end when the dilated kernel ``E`` is
at least 2 shorter than the stride (measured; tests/test_layer_adapters.py).  With
``transpose_kernel=True`` the kernel is given as for the forward convolution (``OIHW`` with
``O`` the channels of ``x``: the spec's ``IOHW``) and the result is the adjoint; with
``transpose_kernel=False`` (the default) the kernel's ``O`` are the output channels and its
spatial axes are not reversed: the adjoint of a convolution with the flipped kernel.

The adapter enables 64-bit mode (``jax_enable_x64``).  Each new shape compiles once;
``CONVSPEC_JAX_CACHE_DIR`` keeps the compiled programs for the next run (:mod:`.jax_setup`).
"""

from __future__ import annotations

from typing import Any

from ..backend import Array, Backend
from ..layer_backend import LayerOperation
from ..layer_backend import layout_for_rank as _generalised
from . import jax_setup

# Every dtype lax accepts is declared for the channels-first layer; the others, which
# compile as slowly per shape, are checked in float64 and float32.
DTYPES = ("float64", "float32", "complex128", "complex64", "int64", "int32")
FLOATS = ("float64", "float32")
NAMES = {"valid": "VALID", "same-upper": "SAME", "same-lower": "SAME_LOWER"}


def backend() -> Backend:
    import jax

    environment = jax_setup.configure(jax)
    import jax.numpy as jnp
    from jax import lax

    # One compiled program per call (not one per primitive): every parameter is static.
    conv_general_dilated = jax.jit(
        lax.conv_general_dilated,
        static_argnames=(
            "window_strides",
            "padding",
            "rhs_dilation",
            "dimension_numbers",
            "feature_group_count",
            "precision",
        ),
    )
    conv_transpose = jax.jit(
        lax.conv_transpose,
        static_argnames=(
            "strides",
            "padding",
            "rhs_dilation",
            "dimension_numbers",
            "transpose_kernel",
            "precision",
        ),
    )

    def forward(data_layout: str, kernel_layout: str) -> Any:
        def layer(
            x: Array, w: Array, *, stride: Any, padding: Any, dilation: Any, groups: int
        ) -> Any:
            rank = x.ndim - 2
            data = _generalised(data_layout, rank)
            kernel = _generalised(kernel_layout, rank)
            return conv_general_dilated(
                jnp.asarray(x),
                jnp.asarray(w),
                window_strides=tuple(stride),
                padding=NAMES[padding] if isinstance(padding, str) else _hashable(padding),
                rhs_dilation=tuple(dilation),
                dimension_numbers=(data, kernel, data),
                feature_group_count=groups,
                precision=lax.Precision.HIGHEST,
            )

        return layer

    def transposed(transpose_kernel: bool) -> Any:
        def layer(
            x: Array, w: Array, *, stride: Any, padding: Any, dilation: Any, output_padding: Any
        ) -> Any:
            rank = x.ndim - 2
            kernel_shape = w.shape[2:]
            pads = [
                (d * (k - 1) - before, d * (k - 1) - after + extra)
                for (before, after), k, d, extra in zip(
                    padding, kernel_shape, dilation, output_padding, strict=True
                )
            ]
            data = _generalised("NCHW", rank)
            kernel = _generalised("OIHW", rank)
            return conv_transpose(
                jnp.asarray(x),
                jnp.asarray(w),
                strides=tuple(stride),
                padding=_hashable(pads),
                rhs_dilation=tuple(dilation),
                dimension_numbers=(data, kernel, data),
                transpose_kernel=transpose_kernel,
                precision=lax.Precision.HIGHEST,
            )

        return layer

    forward_common: dict[str, Any] = dict(
        # An output length below 1 gives an empty array, not an error.
        rejects=("groups",),
        ranks=(1, 2, 3),
        padding=("explicit", "valid", "same-upper", "same-lower"),
        bias=False,
        dtypes=DTYPES,
        result_dtype="promote",
        complex_products="gauss",
    )
    transpose_common: dict[str, Any] = dict(
        # No groups; output_padding is the adapter's extra padding, which lax cannot refuse.
        # A crop that leaves no output is not reliably refused: lax returns an empty array
        # when the spec's output length is 0 or -1 and raises ("Negative padding is larger
        # than the size") only for longer crops.
        rejects=(),
        transposed=True,
        ranks=(1, 2, 3),
        padding=("explicit",),
        groups=False,
        bias=False,
        output_padding=True,
        dtypes=FLOATS,
        result_dtype="promote",
        complex_products="gauss",
    )
    return Backend(
        name="jax-layers",
        version=jax.__version__,
        operations={
            "conv_general_dilated": LayerOperation(forward("NCHW", "OIHW"), **forward_common),
            "conv_general_dilated NHWC": LayerOperation(
                forward("NHWC", "HWIO"),
                data_layout="NHWC",
                kernel_layout="HWIO",
                **dict(forward_common, dtypes=FLOATS),
            ),
            "conv_transpose": LayerOperation(
                transposed(True), kernel_layout="IOHW", **transpose_common
            ),
            "conv_transpose(transpose_kernel=False)": LayerOperation(
                transposed(False), flips=True, kernel_layout="OIHW", **transpose_common
            ),
        },
        notes=(
            "64-bit mode enabled by the adapter (jax_enable_x64); precision HIGHEST.",
            "conv_general_dilated: 'SAME' is same-upper and 'SAME_LOWER' same-lower at every "
            "stride; explicit pads per side; no bias argument.",
            "conv_transpose(transpose_kernel=True) is the adjoint of the layer with the kernel "
            "given as for the forward convolution (OIHW, O the channels of x).",
            "conv_transpose(transpose_kernel=False), the default, does not reverse the kernel: "
            "it is the adjoint of a convolution with the flipped kernel, O the output channels.",
            "conv_transpose 'VALID' / 'SAME' follow TensorFlow's transposed rules, not ONNX's "
            "auto_pad names: 'VALID' gives N s + max(E - s, 0); 'SAME' differs from same-upper "
            "when the dilated kernel is at least 2 shorter than the stride.",
            "Complex products are formed with 3 real multiplications.",
        ),
        environment=environment,
    )


def _hashable(pairs: Any) -> tuple[tuple[int, int], ...]:
    return tuple((int(before), int(after)) for before, after in pairs)
