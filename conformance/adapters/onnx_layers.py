"""ONNX Conv and ConvTranspose, run by onnxruntime and by onnx.reference.

Each call builds a one-node model in memory with ``onnx.helper`` (opset 21) for the call's
shapes and attributes and runs it: ``strides``, ``dilations``, ``group``, the optional bias
input ``B``, and the padding as ``pads`` (``[x1_begin, x2_begin, ..., x1_end, x2_end]``,
``auto_pad="NOTSET"``) or one of the ``auto_pad`` values ``VALID``, ``SAME_UPPER``,
``SAME_LOWER`` (the spec's ``valid``, ``same-upper``, ``same-lower``); ConvTranspose also
``output_padding``.  Layouts are ONNX's: data ``NCHW``, Conv weights ``(M, C / group, kH,
kW)`` (``OIHW``), ConvTranspose weights ``(C, M / group, kH, kW)`` (``IOHW``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..backend import Array, Backend, Deviation
from ..layer_backend import LayerOperation
from ..layer_conventions import named_transposed_crops

__all__ = ["onnxruntime_backend", "reference_backend"]

OPSET = 21
AUTO_PAD = {"valid": "VALID", "same-upper": "SAME_UPPER", "same-lower": "SAME_LOWER"}


def _attributes(
    x: Array, w: Array, stride: Any, padding: Any, dilation: Any, groups: int
) -> dict[str, Any]:
    attributes: dict[str, Any] = dict(
        kernel_shape=list(w.shape[2:]),
        strides=list(stride),
        dilations=list(dilation),
        group=int(groups),
    )
    if isinstance(padding, str):
        attributes["auto_pad"] = AUTO_PAD[padding]
    else:
        before = [int(b) for b, _ in padding]
        after = [int(a) for _, a in padding]
        attributes["pads"] = before + after
    return attributes


def model_bytes(
    op_type: str, x: Array, w: Array, bias: Array | None, attributes: dict[str, Any]
) -> Any:
    """A one-node ONNX model computing ``op_type`` on inputs of these shapes and dtype."""
    from onnx import helper

    element = helper.np_dtype_to_tensor_dtype(x.dtype)
    inputs = [
        helper.make_tensor_value_info("x", element, list(x.shape)),
        helper.make_tensor_value_info("w", element, list(w.shape)),
    ]
    names = ["x", "w"]
    if bias is not None:
        inputs.append(helper.make_tensor_value_info("b", element, list(bias.shape)))
        names.append("b")
    node = helper.make_node(op_type, names, ["y"], **attributes)
    output = helper.make_tensor_value_info("y", element, None)
    graph = helper.make_graph([node], op_type.lower(), inputs, [output])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=10)


Runner = Callable[[Any, dict[str, Array]], Array]


def _operations(
    run: Runner,
    dtypes: tuple[str, ...],
    transposed_groups: bool = True,
    dilated_names: bool = True,
) -> dict[str, LayerOperation]:
    def feeds(x: Array, w: Array, bias: Array | None) -> dict[str, Array]:
        values = {"x": x, "w": w}
        if bias is not None:
            values["b"] = np.asarray(bias, dtype=x.dtype)
        return values

    def conv(
        x: Array, w: Array, *, stride: Any, padding: Any, dilation: Any, groups: int, bias: Any
    ) -> Array:
        attributes = _attributes(x, w, stride, padding, dilation, groups)
        return run(model_bytes("Conv", x, w, bias, attributes), feeds(x, w, bias))

    def conv_transpose(
        x: Array,
        w: Array,
        *,
        stride: Any,
        padding: Any,
        dilation: Any,
        bias: Any,
        output_padding: Any,
        groups: int = 1,  # not passed where groups are not declared
    ) -> Array:
        attributes = _attributes(x, w, stride, padding, dilation, groups)
        attributes["output_padding"] = [int(p) for p in output_padding]
        return run(model_bytes("ConvTranspose", x, w, bias, attributes), feeds(x, w, bias))

    names = ("explicit", "valid", "same-upper", "same-lower")
    return {
        "Conv": LayerOperation(
            conv, padding=names, dilated_names=dilated_names, dtypes=dtypes, ranks=(1, 2, 3)
        ),
        "ConvTranspose": LayerOperation(
            conv_transpose,
            transposed=True,
            padding=names,
            groups=transposed_groups,
            output_padding=True,
            output_padding_below="stride",
            dtypes=dtypes,
            ranks=(1, 2, 3),
        ),
    }


#: Both runtimes refuse an output_padding that is not smaller than the stride, though the
#: operator's documentation allows any value smaller than "the corresponding
#: stride/dilation dimension".
OUTPUT_PADDING_NOTE = (
    "ConvTranspose refuses output_padding >= stride even where it is smaller than the "
    "dilation, which the ONNX documentation allows ('must be less than the corresponding "
    "stride/dilation dimension'); declared as output_padding below the stride. "
    "Reproduction: ConvTranspose with strides=[1], dilations=[2], output_padding=[1] on x of "
    "shape (1, 1, 3) and w of shape (1, 1, 2) raises (onnxruntime: 'output_padding (1) may be "
    "too large for stride (1)'; onnx.reference: ValueError from its col2im)."
)


def _negative_named_crop(x: Array, w: Array, params: Any) -> bool:
    """A transposed same-upper / same-lower call whose total crop is negative on some axis."""
    padding = params.get("padding")
    if padding not in ("same-upper", "same-lower"):
        return False
    crops = named_transposed_crops(padding, x.shape[2:], w.shape[2:], params)
    return any(before < 0 or after < 0 for before, after in crops)


#: onnxruntime: a negative total padding of SAME_UPPER / SAME_LOWER is clamped to zero.
ORT_CLAMPS = Deviation(
    operation="ConvTranspose",
    description=(
        "ConvTranspose with auto_pad SAME_UPPER or SAME_LOWER, where the dilated kernel is "
        "shorter than the stride (a negative total padding), clamps the padding to 0: the "
        "output is shorter than the documented output_shape[i] = input_shape[i] * strides[i]"
    ),
    applies=_negative_named_crop,
    diagnosis="clamps the negative crop",
    reproduction=(
        "ConvTranspose(kernel_shape=[1], strides=[2], auto_pad='SAME_UPPER') on "
        "x = [[[1, 2, 3]]], w = [[[1]]] returns [[[1, 0, 2, 0, 3]]] (length 5, documented 6; "
        "the spec: [[[1, 0, 2, 0, 3, 0]]])"
    ),
)
#: onnx.reference: a negative total padding is halved by Python's floor division.
REFERENCE_FLOOR = Deviation(
    operation="ConvTranspose",
    description=(
        "ConvTranspose with auto_pad SAME_UPPER or SAME_LOWER and a negative total padding "
        "(the dilated kernel shorter than the stride) halves it with Python's floor division, "
        "so the odd extra output goes to the start for SAME_UPPER, where the documentation "
        "puts it at the end ('the extra padding is added at the end for SAME_UPPER'; "
        "pads[start_i] = total_padding[i]/2 read as C integer division, as the spec does)"
    ),
    applies=_negative_named_crop,
    diagnosis="puts the odd pad on the other side",
    reproduction=(
        "ConvTranspose(kernel_shape=[1], strides=[2], auto_pad='SAME_UPPER') on "
        "x = [[[1, 2, 3]]], w = [[[1]]] returns [[[0, 1, 0, 2, 0, 3]]] (the spec and "
        "SAME_LOWER's documented split: the zero at the end, [[[1, 0, 2, 0, 3, 0]]])"
    ),
)


def onnxruntime_backend() -> Backend:
    """onnxruntime's CPU execution provider, one thread."""
    import onnx
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # refused calls raise; do not also log them to stderr

    def run(model: Any, inputs: dict[str, Array]) -> Array:
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        return np.asarray(session.run(None, inputs)[0])

    return Backend(
        name="onnxruntime",
        version=onnxruntime.__version__,
        # float64 Conv is not implemented on the CPU provider (NOT_IMPLEMENTED), integer
        # inputs are an invalid model (ONNX's Conv takes floats only).
        # Conv refuses SAME_UPPER / SAME_LOWER with a dilation above 1 (below).
        operations=_operations(run, ("float32",), dilated_names=False),
        documented_deviations=(ORT_CLAMPS,),
        notes=(
            "Models of one Conv / ConvTranspose node, opset 21, built in memory with "
            "onnx.helper; every auto_pad value (NOTSET with pads, VALID, SAME_UPPER, "
            "SAME_LOWER).",
            "CPUExecutionProvider implements float32 only: float64 raises NOT_IMPLEMENTED, "
            "integer inputs are an invalid model.",
            OUTPUT_PADDING_NOTE,
            "Conv refuses auto_pad SAME_UPPER / SAME_LOWER with dilations above 1 ('Dilation "
            "not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER'), which the "
            "operator allows (onnx.reference computes them): declared as padding names at "
            "dilation 1 only. Reproduction: Conv(kernel_shape=[3], dilations=[2], "
            "auto_pad='SAME_UPPER') on x of shape (1, 1, 7).",
        ),
        environment={"onnx": onnx.__version__, "providers": "CPUExecutionProvider"},
    )


def reference_backend() -> Backend:
    """``onnx.reference.ReferenceEvaluator``: ONNX's Python reference implementation."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    def run(model: Any, inputs: dict[str, Array]) -> Array:
        outputs: Any = ReferenceEvaluator(model).run(None, inputs)  # a list (typed as a dict)
        return np.asarray(outputs[0])

    return Backend(
        name="onnx-reference",
        version=onnx.__version__,
        # ConvTranspose with group > 1 crashes (below): declared without groups.
        operations=_operations(run, ("float32", "float64"), transposed_groups=False),
        documented_deviations=(REFERENCE_FLOOR,),
        notes=(
            "onnx.reference.ReferenceEvaluator running one Conv / ConvTranspose node, opset "
            "21, every auto_pad value.",
            "ConvTranspose with group > 1 raises instead of computing, though the operator "
            "documents 'group: number of groups input channels and output channels are divided "
            "into': declared without groups. Reproduction: ConvTranspose with group=2 on x of "
            "shape (1, 4, 5) and w of shape (4, 3, 3) raises 'ValueError: cannot reshape array "
            "of size 27 into shape (1,2,9)' (onnxruntime computes it).",
            OUTPUT_PADDING_NOTE,
        ),
    )
