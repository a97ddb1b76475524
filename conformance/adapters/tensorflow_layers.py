"""TensorFlow convolution layers: tf.nn.conv1d/2d/3d and tf.nn.conv1d/2d/3d_transpose (CPU).

TensorFlow's CPU kernels take channels-last data only: ``NWC`` / ``NHWC`` / ``NDHWC``, with
kernels ``WIO`` / ``HWIO`` / ``DHWIO`` and, transposed, ``(spatial, out, in)``: ``HWOI``.
``padding`` is ``'VALID'``, ``'SAME'`` (the spec's same-upper) or, for conv2d and
conv2d_transpose, explicit ``[[0, 0], [before, after], ..., [0, 0]]``.  Groups follow from
the channel counts (``C_in`` a multiple of the kernel's ``I``) for conv1d and conv2d; there
is no bias argument.  A transposed call needs its ``output_shape``: the adapter passes the
spec's output length (LAYER-8), ``output_padding`` included, which TensorFlow accepts when
it is smaller than the stride.  What the CPU kernels refuse, measured with TensorFlow 2.21:
dilation in conv3d and in every transposed op ("Current CPU implementations do not yet
support dilation rates larger than 1"), groups in conv3d and in the transposed ops.
"""

from __future__ import annotations

import os
from typing import Any

from ..backend import Array, Backend, Deviation
from ..layer_backend import LayerOperation
from ..layer_conventions import unclamped_named_pads

FLOATS = ("float32", "float64")


def _explicit(padding: Any) -> Any:
    """Spec pairs as TensorFlow's explicit NHWC padding list, names as 'VALID' / 'SAME'."""
    if isinstance(padding, str):
        return {"valid": "VALID", "same-upper": "SAME"}[padding]
    return [[0, 0], *[[int(b), int(a)] for b, a in padding], [0, 0]]


def _transposed_length(n: int, k: int, s: int, padding: Any, axis: int, extra: int) -> int:
    """The spec's transposed output length (LAYER-8): the ``output_shape`` TF needs."""
    if padding == "valid":
        return (n - 1) * s + k + extra
    before, after = (int(p) for p in padding[axis])
    return (n - 1) * s - before - after + k + extra


def _negative_same_total(x: Array, w: Array, params: Any) -> bool:
    """conv3d 'SAME' where the stride overshoots: the unclamped total pad is below -1."""
    if params.get("padding") != "same-upper":
        return False
    rank = x.ndim - 2
    pads = unclamped_named_pads("same-upper", x.shape[1:-1], w.shape[:rank], params)
    return any(before < 0 for before, _ in pads)


#: tf.nn.conv3d 'SAME' pads a negative amount where the stride overshoots the input.
CONV3D_SAME = Deviation(
    operation="nn.conv3d",
    description=(
        "tf.nn.conv3d with padding='SAME' where (ceil(N / s) - 1) s + K - N is -2 or less "
        "(a stride that overshoots the input) does not clamp that total padding at 0 as "
        "TensorFlow documents SAME (pad_along = max(..., 0)): it drops input at the start, so "
        "every window is shifted; tf.nn.conv2d and conv1d compute the same call correctly"
    ),
    applies=_negative_same_total,
    diagnosis="does not clamp a negative total pad",
    reproduction=(
        "tf.nn.conv3d(x, w, [1, 1, 1, 3, 1], 'SAME') with x = np.arange(1, 7, "
        "dtype=np.float32).reshape(1, 1, 1, 6, 1) and w = np.ones((1, 1, 1, 1, 1), "
        "np.float32) returns [2, 5]; documented (and conv2d's): [1, 4]"
    ),
)


def backend() -> Backend:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no oneDNN banner per call
    import tensorflow as tf

    pools = tf.config.threading
    try:
        pools.set_intra_op_parallelism_threads(1)
        pools.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already ran in this process: its pools are fixed
        pass
    intra = pools.get_intra_op_parallelism_threads()
    inter = pools.get_inter_op_parallelism_threads()
    forward = {1: tf.nn.conv1d, 2: tf.nn.conv2d, 3: tf.nn.conv3d}
    backward = {1: tf.nn.conv1d_transpose, 2: tf.nn.conv2d_transpose, 3: tf.nn.conv3d_transpose}

    def per_axis(values: Any, rank: int) -> Any:
        # conv1d takes one int; conv3d needs 5 entries (N and C included)
        values = [int(v) for v in values]
        return values[0] if rank == 1 else [1, *values, 1] if rank == 3 else values

    def layer(x: Array, w: Array, *, stride: Any, padding: Any, **params: Any) -> Any:
        rank = x.ndim - 2
        dilation = params.get("dilation", (1,) * rank)
        return forward[rank](
            tf.constant(x),
            tf.constant(w),
            per_axis(stride, rank),
            _explicit(padding),
            dilations=per_axis(dilation, rank),
        )

    def layer_transpose(
        x: Array, w: Array, *, stride: Any, padding: Any, output_padding: Any
    ) -> Any:
        rank = x.ndim - 2
        spatial = [
            _transposed_length(n, k, s, padding, axis, e)
            for axis, (n, k, s, e) in enumerate(
                zip(x.shape[1:-1], w.shape[:rank], stride, output_padding, strict=True)
            )
        ]
        output_shape = [x.shape[0], *spatial, w.shape[-2]]
        return backward[rank](
            tf.constant(x), tf.constant(w), output_shape, per_axis(stride, rank), _explicit(padding)
        )

    channels_last: dict[str, Any] = dict(bias=False, dtypes=FLOATS, data_layout="NHWC")
    transposed: dict[str, Any] = dict(
        channels_last,
        transposed=True,
        kernel_layout="HWOI",
        dilation=False,
        groups=False,
        output_padding=True,
        output_padding_below="stride",
        # The adapter computes output_shape; TF still refuses one below 1 (a crop longer
        # than the output) and one the stride cannot give (output_padding >= stride), as
        # `convspec identify` found: "InvalidArgumentError" for both.
        rejects=("empty output", "output_padding"),
    )
    return Backend(
        name="tensorflow",
        version=tf.__version__,
        operations={
            "nn.conv1d": LayerOperation(
                layer,
                ranks=(1,),
                padding=("valid", "same-upper"),
                kernel_layout="HWIO",
                **channels_last,
            ),
            "nn.conv2d": LayerOperation(
                layer,
                ranks=(2,),
                padding=("explicit", "valid", "same-upper"),
                kernel_layout="HWIO",
                **channels_last,
            ),
            "nn.conv3d": LayerOperation(
                layer,
                ranks=(3,),
                padding=("valid", "same-upper"),
                kernel_layout="HWIO",
                dilation=False,
                groups=False,
                **channels_last,
            ),
            "nn.conv1d_transpose": LayerOperation(
                layer_transpose, ranks=(1,), padding=("valid",), **transposed
            ),
            "nn.conv2d_transpose": LayerOperation(
                layer_transpose, ranks=(2,), padding=("explicit", "valid"), **transposed
            ),
            "nn.conv3d_transpose": LayerOperation(
                layer_transpose, ranks=(3,), padding=("valid",), **transposed
            ),
        },
        documented_deviations=(CONV3D_SAME,),
        notes=(
            "CPU kernels: channels-last data only (NWC / NHWC / NDHWC); kernels WIO / HWIO / "
            "DHWIO, transposed (spatial, out, in).",
            "'SAME' is the spec's same-upper at every stride: the odd pad goes at the end.",
            "Explicit per-side padding exists for conv2d and conv2d_transpose only.",
            "Groups: conv1d and conv2d infer them from the channel counts; conv3d and the "
            "transposed ops refuse them. Dilation: refused by conv3d and the transposed ops "
            "on the CPU.",
            "Transposed ops: the adapter passes output_shape, the spec's output length with "
            "output_padding; TF accepts output_padding smaller than the stride.",
            "Transposed 'SAME' is not declared: it differs from the spec's (ONNX's) same-upper "
            "when the kernel is at least 2 shorter than the stride (all the extra output at the "
            "end); see tests/test_layer_adapters.py.",
        ),
        environment={"intra_op_threads": str(intra), "inter_op_threads": str(inter)},
    )
