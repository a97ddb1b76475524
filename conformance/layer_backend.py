"""What a backend declares about a convolution *layer*: layouts, padding rules, parameters.

A layer operation is a deep-learning convolution (spec/layers.md): batched, with channels,
groups, stride, dilation, padding and optionally a bias, or its transposed variant.  The
suite calls it as ``function(x, w, **params)``:

* ``x`` and ``w`` are numpy arrays in the DECLARED layouts (``data_layout``,
  ``kernel_layout``), for one of the declared spatial ranks;
* ``params`` uses the spec's names and only the ones the operation declares supported:
  ``stride``, ``dilation`` (one int per spatial axis), ``groups`` (an int), ``bias`` (a
  1-D array, one value per output channel), ``output_padding`` (one int per spatial axis,
  transposed only) and ``padding``: always either one ``(before, after)`` pair per spatial
  axis or one of the padding names the operation declares (``"valid"``, ``"same"``,
  ``"same-upper"``, ``"same-lower"``).

The adapter translates these to its library's arguments; the result must come back in the
data layout.  Layout strings are letters: ``N`` batch and ``C`` channels for data, ``O``
and ``I`` output and input channels for kernels, any other letters the spatial axes in
order, e.g. ``"NCHW"``, ``"NHWC"``, ``"OIHW"``, ``"HWIO"``, ``"IOHW"``.  A layout is
generalised to every declared rank by replacing its block of spatial letters:
``"NHWC"`` reads as ``"NWC"`` for 1-D and ``"NDHWC"`` for 3-D (:func:`layout_for_rank`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np

from convspec.numerics import Accuracy, ComplexProducts

from .backend import ResultDtypeRule

__all__ = [
    "PADDING_NAMES",
    "PADDING_RULES",
    "REJECTIONS",
    "LayerOperation",
    "layer_differences",
    "layout_for_rank",
    "spatial_letters",
    "supported_params",
]

LayerFunction: TypeAlias = Callable[..., Any]

#: Padding names of the spec (LAYER clauses); ``"same"`` is defined at stride 1 only and
#: is not a padding of a transposed operation.
PADDING_NAMES = ("valid", "same", "same-upper", "same-lower")
#: What ``LayerOperation.padding`` may list: ``"explicit"`` (any ``(before, after)`` pair per
#: axis, asymmetric allowed), ``"symmetric"`` (pairs with ``before == after`` only), or names.
PADDING_RULES = ("explicit", "symmetric", *PADDING_NAMES)
TRANSPOSED_NAMES = ("valid", "same-upper", "same-lower")
#: Calls the spec refuses (LAYER clauses) that ``LayerOperation.rejects`` may list.
REJECTIONS = ("empty output", "groups", "output_padding")

#: Spatial letters, read from the end: 1-D ``W``, 2-D ``HW``, 3-D ``DHW``, 4-D ``ZDHW``...
_SPATIAL = "ABEFGJKLMPQRSTUVXYZDHW"
_ROLES = {"data": "NC", "kernel": "OI"}


def spatial_letters(rank: int) -> str:
    """The spatial letters of ``rank`` axes: ``"W"``, ``"HW"``, ``"DHW"``, ..."""
    if not 1 <= rank <= len(_SPATIAL):
        raise ValueError(f"spatial rank must be in 1..{len(_SPATIAL)}; got {rank}")
    return _SPATIAL[-rank:]


def _layout_error(argument: str, layout: object, roles: str, why: str) -> ValueError:
    return ValueError(
        f"LayerOperation: argument {argument!r} must be a string of distinct upper-case letters "
        f"with {roles[0]} and {roles[1]} once each and a contiguous block of spatial letters "
        f"(e.g. {'NCHW, NHWC' if roles == 'NC' else 'OIHW, HWIO, IOHW'}); got {layout!r}: {why}"
    )


def _check_layout(argument: str, layout: object, roles: str) -> str:
    if not isinstance(layout, str) or not layout:
        raise _layout_error(argument, layout, roles, "not a non-empty string")
    if not (layout.isascii() and layout.isalpha() and layout.isupper()):
        raise _layout_error(argument, layout, roles, "not upper-case letters")
    if len(set(layout)) != len(layout):
        raise _layout_error(argument, layout, roles, "a letter repeats")
    for role in roles:
        if role not in layout:
            raise _layout_error(argument, layout, roles, f"no {role!r}")
    other = {"NC": "OI", "OI": "NC"}[roles]
    wrong = [c for c in layout if c in other]
    if wrong:
        raise _layout_error(argument, layout, roles, f"{wrong[0]!r} belongs to the other operand")
    positions = [i for i, c in enumerate(layout) if c not in roles]
    if not positions:
        raise _layout_error(argument, layout, roles, "no spatial letter")
    if positions != list(range(positions[0], positions[-1] + 1)):
        raise _layout_error(argument, layout, roles, "the spatial letters are not contiguous")
    return layout


def layout_for_rank(layout: str, rank: int) -> str:
    """``layout`` with its block of spatial letters replaced by ``rank`` spatial letters.

    >>> layout_for_rank("NHWC", 3), layout_for_rank("OIHW", 1)
    ('NDHWC', 'OIW')
    """
    roles = "NC" if "N" in layout else "OI"
    positions = [i for i, c in enumerate(layout) if c not in roles]
    start, stop = positions[0], positions[-1] + 1
    return layout[:start] + spatial_letters(rank) + layout[stop:]


@dataclass(frozen=True)
class LayerOperation:
    """One convolution layer function of a backend and the conventions it claims.

    ``transposed=False`` declares the layer of the spec (a cross-correlation of each
    channel pair summed over the channels of a group, ``convspec.conv``);
    ``transposed=True`` its adjoint (``convspec.conv_transpose``).  ``flips=True`` declares
    that the kernel's spatial axes are reversed relative to the spec's operation (never its
    channel axes): for a layer a true convolution (Theano's ``filter_flip``), for a
    transposed layer ``jax.lax.conv_transpose(transpose_kernel=False)``.
    """

    function: LayerFunction
    transposed: bool = False
    flips: bool = False
    #: Data layout (batch, channels and spatial letters), generalised to every declared rank.
    data_layout: str = "NCHW"
    #: Kernel layout; ``None``: the spec's, ``"OIHW"`` for a layer and ``"IOHW"`` (torch's,
    #: ``I`` the channels of ``x``) for a transposed one.
    kernel_layout: str | None = None
    #: Spatial ranks accepted (1 for conv1d, 2 for conv2d, ...).
    ranks: tuple[int, ...] = (2,)
    #: Padding accepted: ``"explicit"`` pairs, ``"symmetric"`` pairs only, and names.
    padding: tuple[str, ...] = ("explicit",)
    stride: bool = True
    dilation: bool = True
    groups: bool = True
    bias: bool = True
    #: ``output_padding`` of a transposed layer (extra output at the end of each axis).
    output_padding: bool = False
    #: Padding names with a dilation above 1 (onnxruntime's Conv refuses them).
    dilated_names: bool = True
    #: ``output_padding`` must be smaller than ``"stride or dilation"`` (the spec, torch) or
    #: than the ``"stride"`` alone (onnxruntime, onnx.reference).
    output_padding_below: Literal["stride or dilation", "stride"] = "stride or dilation"
    dtypes: tuple[str, ...] = ("float32",)
    result_dtype: ResultDtypeRule = "spec"
    #: ``"direct"`` (each output a sum of its products) or ``"exact"``; see Operation.
    method: Literal["direct", "exact"] = "direct"
    #: Precision of the sums: ``"result"`` (the result dtype) or a dtype name.
    accumulation: str = "result"
    complex_products: ComplexProducts = "naive"
    #: Per result dtype name, an accuracy class overriding ``method``/``accumulation``.
    accuracy: Mapping[str, Accuracy] | None = None
    #: Largest operand or result (elements) the suite may pass.
    max_size: int = 1_000_000
    #: Which calls the spec refuses raise: ``"empty output"`` (an output length below 1),
    #: ``"groups"`` (groups not dividing a channel count), ``"output_padding"`` (not smaller
    #: than the stride or the dilation).
    rejects: tuple[str, ...] = REJECTIONS

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise TypeError(
                "LayerOperation: argument 'function' must be callable as "
                f"function(x, w, **params); got {type(self.function).__name__}"
            )
        for name in (
            "transposed",
            "flips",
            "stride",
            "dilation",
            "groups",
            "bias",
            "dilated_names",
        ):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(
                    f"LayerOperation: argument {name!r} must be True or False; "
                    f"got {getattr(self, name)!r}"
                )
        _check_layout("data_layout", self.data_layout, "NC")
        if self.kernel_layout is not None:
            _check_layout("kernel_layout", self.kernel_layout, "OI")
        if self.spatial_rank_of_layouts() is None:
            raise ValueError(
                "LayerOperation: arguments 'data_layout' and 'kernel_layout' must have the same "
                f"number of spatial letters; got {self.data_layout!r} and {self.kernel!r}"
            )
        if (
            not isinstance(self.ranks, tuple)
            or not self.ranks
            or not all(isinstance(r, int) and r >= 1 for r in self.ranks)
        ):
            raise ValueError(
                "LayerOperation: argument 'ranks' must be a non-empty tuple of spatial ranks "
                f">= 1, e.g. (1, 2, 3); got {self.ranks!r}"
            )
        self._check_padding()
        if not isinstance(self.output_padding, bool) or (
            self.output_padding and not self.transposed
        ):
            raise ValueError(
                "LayerOperation: argument 'output_padding' must be True or False and can be True "
                f"only for a transposed operation; got {self.output_padding!r} with "
                f"transposed={self.transposed}"
            )
        if self.output_padding_below not in ("stride or dilation", "stride"):
            raise ValueError(
                "LayerOperation: argument 'output_padding_below' must be 'stride or dilation' "
                f"or 'stride'; got {self.output_padding_below!r}"
            )
        if not isinstance(self.dtypes, tuple) or not self.dtypes:
            raise ValueError(
                f"LayerOperation: argument 'dtypes' must be a non-empty tuple; got {self.dtypes!r}"
            )
        for name in self.dtypes:
            try:
                np.dtype(name)
            except TypeError:
                raise ValueError(
                    f"LayerOperation: argument 'dtypes' names {name!r}, not a numpy dtype"
                ) from None
        if self.method not in ("direct", "exact"):
            raise ValueError(
                "LayerOperation: argument 'method' must be 'direct' or 'exact' (the layer bound "
                f"is a direct sum's); got {self.method!r}"
            )
        if self.accumulation != "result":
            try:
                np.dtype(self.accumulation)
            except TypeError:
                raise ValueError(
                    "LayerOperation: argument 'accumulation' must be 'result' or a dtype name; "
                    f"got {self.accumulation!r}"
                ) from None
        if not isinstance(self.rejects, tuple) or any(r not in REJECTIONS for r in self.rejects):
            raise ValueError(
                "LayerOperation: argument 'rejects' must be a tuple of "
                f"{', '.join(map(repr, REJECTIONS))}; got {self.rejects!r}"
            )
        if not isinstance(self.max_size, int) or self.max_size < 1:
            raise ValueError(
                f"LayerOperation: argument 'max_size' must be a positive int; got {self.max_size!r}"
            )

    def _check_padding(self) -> None:
        allowed = ("explicit", "symmetric", *TRANSPOSED_NAMES) if self.transposed else PADDING_RULES
        if (
            not isinstance(self.padding, tuple)
            or not self.padding
            or any(rule not in allowed for rule in self.padding)
        ):
            what = "a transposed" if self.transposed else "a"
            raise ValueError(
                "LayerOperation: argument 'padding' must be a non-empty tuple of the rules "
                f"{what} operation can have ({', '.join(map(repr, allowed))}); "
                f"got {self.padding!r}"
            )

    def spatial_rank_of_layouts(self) -> int | None:
        """The spatial letter count shared by both layouts (None if they differ)."""
        data = sum(c not in "NC" for c in self.data_layout)
        kernel = sum(c not in "OI" for c in self.kernel)
        return data if data == kernel else None

    @property
    def kernel(self) -> str:
        """The declared kernel layout, the spec's default filled in."""
        if self.kernel_layout is not None:
            return self.kernel_layout
        return "IOHW" if self.transposed else "OIHW"

    @property
    def kind(self) -> str:
        """``"layer"`` or ``"transposed layer"``."""
        return "transposed layer" if self.transposed else "layer"

    def layouts(self, rank: int) -> tuple[str, str]:
        """``(data layout, kernel layout)`` for ``rank`` spatial axes."""
        return layout_for_rank(self.data_layout, rank), layout_for_rank(self.kernel, rank)

    def method_for(self, kernel_size: int) -> Literal["direct", "exact"]:
        """The summation method for any kernel size (a layer declares no method switch)."""
        return self.method

    def supports_rank(self, rank: int) -> bool:
        return rank in self.ranks

    def supports_padding(self, padding: Any) -> bool:
        """Whether the call may pass ``padding`` (pairs per axis, or a name)."""
        if isinstance(padding, str):
            return padding in self.padding
        pairs = [tuple(pair) for pair in padding]
        if "explicit" in self.padding:
            return True
        return "symmetric" in self.padding and all(b == a for b, a in pairs)

    def parameters(self) -> tuple[str, ...]:
        """The spec's parameter names this operation accepts."""
        names = ["padding"]
        for name in ("stride", "dilation", "groups", "bias", "output_padding"):
            if getattr(self, name):
                names.append(name)
        return tuple(names)


def layer_differences(op: LayerOperation) -> list[str]:
    """The declared conventions of ``op`` that differ from the spec's canonical ones."""
    out = []
    rank = max(op.ranks)
    data, kernel = op.layouts(rank)
    spatial = spatial_letters(rank)
    if data != "NC" + spatial:
        out.append(f"data layout {data} (spec: NC{spatial})")
    canonical_kernel = ("IO" if op.transposed else "OI") + spatial
    if kernel != canonical_kernel:
        out.append(f"kernel layout {kernel} (spec: {canonical_kernel})")
    if op.flips:
        out.append("flips the kernel's spatial axes (spec: no flip)")
    missing = [name for name in ("stride", "dilation", "groups", "bias") if not getattr(op, name)]
    if op.transposed and not op.output_padding:
        missing.append("output_padding")
    if op.dilation and not op.dilated_names and any(n in PADDING_NAMES for n in op.padding):
        out.append("padding names only at dilation 1")
    if op.transposed and op.output_padding and op.output_padding_below == "stride":
        out.append("output_padding below the stride only (spec: below stride or dilation)")
    if missing:
        out.append("no " + ", ".join(missing))
    if "explicit" not in op.padding:
        out.append("padding: " + ", ".join(op.padding))
    if op.result_dtype != "spec":
        name = getattr(op.result_dtype, "__name__", op.result_dtype)
        out.append(f"result dtype rule {name!r} (spec: exact int64 for integers)")
    relevant = {
        "empty output": True,
        "groups": op.groups,
        "output_padding": op.transposed and op.output_padding,
    }
    accepted = [r for r in REJECTIONS if relevant[r] and r not in op.rejects]
    if accepted:
        out.append("does not raise on: " + ", ".join(accepted))
    return out


def supported_params(op: LayerOperation, params: Mapping[str, Any]) -> bool:
    """Whether ``params`` only uses what ``op`` declares (names and padding rule)."""
    for name, value in params.items():
        if name == "padding":
            if not op.supports_padding(value):
                return False
        elif name not in op.parameters():
            return False
    return True
