"""Deliberately defective layer backends: the suite's proof that it catches layer defects.

Each is a :class:`~convspec.conformance.Backend` with one layer operation computed by the
reference (:func:`convspec.conv`, :func:`convspec.conv_transpose`) and one defect, named in
its ``notes``; its declaration is otherwise honest.  ``convspec check
convspec.conformance.layer_mutants:NAME`` exits 1 and the first diagnosis of its failures
names the defect (tests/test_layer_mutants.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import convspec

from .backend import Array, Backend
from .layer_backend import LayerOperation

__all__ = [
    "CHANNELS_FIRST_RESULT",
    "FLIPS",
    "IGNORES_BIAS",
    "IGNORES_DILATION",
    "IGNORES_STRIDE",
    "INTERLEAVED_GROUPS",
    "KERNEL_READ_AS_IOHW",
    "ODD_PAD_BEFORE",
    "OUTPUT_PADDING_AT_START",
]

NAMES = ("explicit", "valid", "same", "same-upper", "same-lower")


def _one(function: Any, note: str, **declared: Any) -> Backend:
    declared.setdefault("ranks", (1, 2))
    declared.setdefault("dtypes", ("float64",))
    return Backend(
        name=f"layer mutant: {note}",
        version="0",
        operations={
            "conv_transpose" if declared.get("transposed") else "conv": LayerOperation(
                function, **declared
            )
        },
        notes=(note,),
    )


def _ignores_stride(x: Array, w: Array, **params: Any) -> Array:
    return convspec.conv(x, w, **dict(params, stride=1))


def _ignores_dilation(x: Array, w: Array, **params: Any) -> Array:
    return convspec.conv(x, w, **dict(params, dilation=1))


def _odd_pad_before(x: Array, w: Array, **params: Any) -> Array:
    """Resolves every padding to pairs, then pads (after, before): the odd pad goes first."""
    pairs = convspec.layer_padding(
        params["padding"], x.shape[2:], w.shape[2:], params["stride"], params["dilation"]
    )
    swapped = tuple((after, before) for before, after in pairs)
    return convspec.conv(x, w, **dict(params, padding=swapped))


def _interleaved_groups(x: Array, w: Array, **params: Any) -> Array:
    """Group g takes channels g, g + groups, g + 2 groups ... (inputs and outputs)."""
    groups = params["groups"]
    c_in, c_out = x.shape[1], w.shape[0]
    if c_in % groups or c_out % groups:  # refused as the spec refuses it: only one defect
        return np.asarray(convspec.conv(x, w, **params))
    perm_in = [g + j * groups for g in range(groups) for j in range(c_in // groups)]
    perm_out = [g + i * groups for g in range(groups) for i in range(c_out // groups)]
    bias = params.get("bias")
    if bias is not None:
        params = dict(params, bias=bias[perm_out])
    y = convspec.conv(x[:, perm_in], w[perm_out], **params)
    return np.asarray(y)[:, np.argsort(perm_out)]


def _channels_first_result(x: Array, w: Array, **params: Any) -> Array:
    """Declared channels-last; computes right but returns the result channels-first."""
    rank = x.ndim - 2
    spatial = "DHW"[-rank:]
    x_first = convspec.relayout(x, "N" + spatial + "C", "NC" + spatial)
    w_first = convspec.relayout(w, spatial + "IO", "OI" + spatial)
    return convspec.conv(np.ascontiguousarray(x_first), np.ascontiguousarray(w_first), **params)


def _kernel_as_iohw(x: Array, w: Array, **params: Any) -> Array:
    """Declared OIHW; swaps the kernel's first two axes (reads it as IOHW)."""
    return convspec.conv(x, np.ascontiguousarray(np.swapaxes(w, 0, 1)), **params)


def _flips(x: Array, w: Array, **params: Any) -> Array:
    return convspec.conv(x, w, **dict(params, flip=True))


def _ignores_bias(x: Array, w: Array, **params: Any) -> Array:
    return convspec.conv(x, w, **dict(params, bias=None))


def _output_padding_at_start(x: Array, w: Array, **params: Any) -> Array:
    """The output window starts output_padding earlier: the extra outputs are at the start.

    Cropped by ``(before - e, after + e)`` instead of ``(before, after)`` plus ``e`` at the
    end; where ``before < e`` the missing outputs are the bias alone.
    """
    convspec.conv_transpose(x, w, **params)  # refuses what the spec refuses
    pads, extra = params["padding"], params["output_padding"]
    moved = tuple((max(b - e, 0), a + e) for (b, a), e in zip(pads, extra, strict=True))
    y = np.asarray(convspec.conv_transpose(x, w, **dict(params, padding=moved, output_padding=0)))
    widths = [(0, 0), (0, 0)] + [(max(e - b, 0), 0) for (b, _), e in zip(pads, extra, strict=True)]
    bias = params.get("bias")
    if bias is None:
        return np.pad(y, widths)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return np.pad(y - np.reshape(bias, shape), widths) + np.reshape(bias, shape)


#: Computes every layer at stride 1.
IGNORES_STRIDE = _one(_ignores_stride, "ignores the stride", padding=NAMES)
#: Computes every layer at dilation 1.
IGNORES_DILATION = _one(_ignores_dilation, "ignores the dilation", padding=NAMES)
#: Pads (after, before): the odd pad of 'same' and of every asymmetric pair on the wrong side.
ODD_PAD_BEFORE = _one(_odd_pad_before, "puts the odd pad before", padding=NAMES)
#: Splits channels into groups by channel index modulo groups.
INTERLEAVED_GROUPS = _one(_interleaved_groups, "interleaves the groups", padding=NAMES)
#: Declares channels-last data and returns a channels-first result.
CHANNELS_FIRST_RESULT = _one(
    _channels_first_result,
    "returns channels-first results",
    padding=NAMES,
    data_layout="NHWC",
    kernel_layout="HWIO",
)
#: Reads an OIHW kernel as IOHW.
KERNEL_READ_AS_IOHW = _one(_kernel_as_iohw, "reads the kernel as IOHW", padding=NAMES)
#: A true convolution declared as the spec's (unflipped) layer.
FLIPS = _one(_flips, "flips the kernel", padding=NAMES)
#: Drops the bias.
IGNORES_BIAS = _one(_ignores_bias, "ignores the bias", padding=NAMES)
#: A transposed layer that puts output_padding at the start.
OUTPUT_PADDING_AT_START = _one(
    _output_padding_at_start,
    "adds output_padding at the start",
    transposed=True,
    padding=("explicit",),
    output_padding=True,
)
