"""Framework conventions as data: how each library spells one convolution layer.

Spec chapter: ``spec/frameworks.md`` (clauses FRAME-1, FRAME-2).

A :class:`Convention` says, for one framework, where the channels sit in the data, how the
kernel's axes are ordered, whether the layer flips the kernel, and which padding arguments
the layer accepts.  :func:`spec_padding` reads a padding argument in a framework's own
vocabulary (``"SAME"``, ``border_mode="half"``, ONNX ``pads``...) as the spec's padding of
``spec/layers.md``: explicit ``(before, after)`` pairs per spatial axis, or one of the
spec's named rules.  Nothing here computes a layer; :mod:`convspec.port` does, through the
reference layer.

The rows marked ``measured`` are checked against the real frameworks by the project's tests
(``tests/test_port_frameworks.py``); the others (Theano, Lasagne, Caffe, which no longer
install on a current Python) are taken from their documentation and say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "CONVENTIONS",
    "Convention",
    "SpecPadding",
    "convention",
    "data_layout",
    "kernel_layout",
    "spatial_letters",
    "spec_padding",
]

#: The spec's padding of one layer: ``(before, after)`` per spatial axis, or a named rule
#: of spec/layers.md (``"valid"``, ``"same"``, ``"same-upper"``, ``"same-lower"``).
SpecPadding: TypeAlias = tuple[tuple[int, int], ...] | str

_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def spatial_letters(rank: int) -> str:
    """The letters of ``rank`` spatial axes as layout strings use them (``"HW"`` in 2-D)."""
    if rank in _SPATIAL:
        return _SPATIAL[rank]
    if not isinstance(rank, int) or rank < 1:
        raise ValueError(f"spatial rank must be a positive int; got {rank!r}")
    # Beyond 3-D: letters other than N, C, O and I, in order.
    return "".join(chr(ord("A") + i) for i in range(rank + 4) if chr(ord("A") + i) not in "NCOI")[
        :rank
    ]


def _expand(template: str, rank: int) -> str:
    return template.replace("*", spatial_letters(rank))


PaddingStyle: TypeAlias = Literal["pairs", "symmetric", "names"]


@dataclass(frozen=True)
class Convention:
    """How one framework spells a convolution layer (and its transposed layer)."""

    #: Preset name, as ``convspec port --from NAME`` takes it.
    name: str
    #: The layer functions this row describes.
    functions: str
    #: Data layout with ``*`` for the spatial axes: ``"NC*"`` (channels first) or ``"N*C"``.
    data: str
    #: Kernel layout of the convolution: ``"OI*"`` (torch, ONNX) or ``"*IO"`` (TensorFlow).
    kernel: str
    #: Kernel layout of the transposed layer, or None when this preset has none here.
    transposed_kernel: str | None
    #: Whether the layer reverses the kernel's spatial axes (a true convolution).
    flips: bool
    #: How explicit padding is written: ``"pairs"`` (any (before, after) per axis),
    #: ``"symmetric"`` (one pad per axis, both sides), ``"names"`` (named rules only).
    padding_style: PaddingStyle
    #: The framework's padding names and the spec's rule each one is (spec/layers.md).
    padding_names: Mapping[str, str] = field(default_factory=dict)
    groups: bool = True
    dilation: bool = True
    #: Whether stride > 1 and dilation > 1 may be combined in one layer.
    stride_with_dilation: bool = True
    #: Whether its named padding rules may be used with dilation > 1.
    names_with_dilation: bool = True
    #: Whether an explicit zero pad before the layer (a crop after a transposed one) can be
    #: written in this framework, for pads its padding argument cannot say.
    pads_separately: bool = True
    #: ``"measured"`` (tests run the framework) or ``"documentation"``.
    source: Literal["measured", "documentation"] = "measured"
    notes: tuple[str, ...] = ()

    def data_layout(self, rank: int) -> str:
        return _expand(self.data, rank)

    def kernel_layout(self, rank: int, transposed: bool = False) -> str:
        template = self.transposed_kernel if transposed else self.kernel
        if template is None:
            raise ValueError(f"preset {self.name!r} has no transposed layer in convspec port")
        return _expand(template, rank)


_TF_NAMES = {"SAME": "same-upper", "VALID": "valid", "same": "same-upper", "valid": "valid"}

CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            "torch",
            "torch.nn.functional.conv1d/2d/3d, conv_transpose1d/2d/3d; torch.nn.Conv*d",
            "NC*",
            "OI*",
            "IO*",
            flips=False,
            padding_style="symmetric",
            padding_names={"valid": "valid", "same": "same"},
            notes=("padding='same' is refused at stride > 1; asymmetric pads need F.pad first",),
        ),
        Convention(
            "tensorflow",
            "tf.nn.conv1d/conv2d/conv3d, tf.nn.conv2d_transpose",
            "N*C",
            "*IO",
            "*OI",
            flips=False,
            padding_style="pairs",
            padding_names=_TF_NAMES,
            stride_with_dilation=False,
            notes=("SAME puts the odd pad at the end, at every stride; pads depend on N mod s",),
        ),
        Convention(
            "keras",
            "keras.layers.Conv1D/2D/3D",
            "N*C",
            "*IO",
            None,
            flips=False,
            padding_style="names",
            padding_names={"same": "same-upper", "valid": "valid"},
            stride_with_dilation=False,
            notes=("only 'same' and 'valid'; other pads need a ZeroPadding layer first",),
        ),
        Convention(
            "jax",
            "jax.lax.conv_general_dilated; flax.linen.Conv (kernel HWIO, data NHWC)",
            "N*C",
            "*IO",
            None,
            flips=False,
            padding_style="pairs",
            padding_names={"SAME": "same-upper", "SAME_LOWER": "same-lower", "VALID": "valid"},
        ),
        Convention(
            "onnx",
            "ONNX Conv and ConvTranspose (onnxruntime, onnx.reference)",
            "NC*",
            "OI*",
            "IO*",
            flips=False,
            padding_style="pairs",
            padding_names={
                "SAME_UPPER": "same-upper",
                "SAME_LOWER": "same-lower",
                "VALID": "valid",
            },
            names_with_dilation=False,
            notes=(
                "onnxruntime refuses auto_pad SAME_UPPER / SAME_LOWER with dilation > 1 "
                '("Dilation not supported for AutoPadType::SAME_UPPER"): use pads',
            ),
        ),
        Convention(
            "theano",
            "theano.tensor.nnet.conv2d (filter_flip=True, the default)",
            "NC*",
            "OI*",
            None,
            flips=True,
            padding_style="symmetric",
            padding_names={"valid": "valid", "full": "full", "half": "half"},
            groups=False,
            source="documentation",
            notes=("border_mode 'half' pads (dilated K)//2 on both sides; 'full' d(K-1)",),
        ),
        Convention(
            "lasagne",
            "lasagne.layers.Conv1DLayer/Conv2DLayer (flip_filters=True, the default)",
            "NC*",
            "OI*",
            None,
            flips=True,
            padding_style="symmetric",
            padding_names={"valid": "valid", "full": "full", "same": "half"},
            groups=False,
            dilation=False,
            source="documentation",
            notes=("pad='same' pads K//2 on both sides and needs an odd kernel",),
        ),
        Convention(
            "caffe",
            "Caffe Convolution layer (pad, stride, dilation, group)",
            "NC*",
            "OI*",
            None,
            flips=False,
            padding_style="symmetric",
            pads_separately=False,
            source="documentation",
            notes=("symmetric pads only, output length floored; no asymmetric pad layer",),
        ),
    )
}

_ALIASES = {"tf": "tensorflow", "flax": "jax", "jax/flax": "jax", "pytorch": "torch"}


def convention(name: str) -> Convention:
    """The preset called ``name`` (aliases: tf, flax, pytorch), or ``ValueError`` naming them."""
    key = _ALIASES.get(name.lower(), name.lower()) if isinstance(name, str) else name
    try:
        return CONVENTIONS[key]
    except (KeyError, TypeError):
        known = ", ".join([*CONVENTIONS, *_ALIASES])
        raise ValueError(f"unknown framework preset {name!r}; known: {known}") from None


def data_layout(preset: str, rank: int) -> str:
    """The data layout of ``preset`` for ``rank`` spatial axes (``"NHWC"``)."""
    return convention(preset).data_layout(rank)


def kernel_layout(preset: str, rank: int, transposed: bool = False) -> str:
    """The kernel layout of ``preset`` for ``rank`` spatial axes (``"HWIO"``)."""
    return convention(preset).kernel_layout(rank, transposed)


def _pairs(value: object, rank: int, where: str) -> tuple[tuple[int, int], ...] | None:
    """``value`` as ``rank`` (before, after) pairs if it is written as pairs, else None."""
    if not (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == rank):
        return None
    if not all(isinstance(p, Sequence) and not isinstance(p, str) for p in value):
        return None
    pairs = tuple(tuple(int(x) for x in p) for p in value)
    if any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(f"{where}: expected {rank} (before, after) pairs >= 0; got {value!r}")
    return tuple((p[0], p[1]) for p in pairs)


def _symmetric(value: object, rank: int, where: str) -> tuple[tuple[int, int], ...]:
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected an int or {rank} ints; got {value!r}")
    if isinstance(value, int):
        ints = (value,) * rank
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == rank:
        ints = tuple(value)
    else:
        raise ValueError(f"{where}: expected an int or {rank} ints; got {value!r}")
    if not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in ints):
        raise ValueError(f"{where}: pads must be ints >= 0; got {value!r}")
    return tuple((p, p) for p in ints)


def spec_padding(
    preset: str,
    padding: object,
    kernel_shape: Sequence[int],
    dilation: Sequence[int],
) -> SpecPadding:
    """Read ``padding``, written as ``preset`` writes it, as the spec's padding.

    ``kernel_shape`` and ``dilation`` are per spatial axis: Theano's ``"full"`` and
    ``"half"`` are fixed pads that depend on them.  ONNX's ``pads`` list
    ``[b_1, ..., b_d, e_1, ..., e_d]`` and TensorFlow's explicit lists (with the batch and
    channel entries) are accepted as well as plain ``(before, after)`` pairs.
    """
    conv = convention(preset)
    rank = len(kernel_shape)
    where = f"padding for preset {conv.name!r}"
    if isinstance(padding, str):
        try:
            rule = conv.padding_names[padding]
        except KeyError:
            names = ", ".join(repr(n) for n in conv.padding_names) or "none"
            raise ValueError(f"{where}: unknown name {padding!r}; its names: {names}") from None
        effective = [d * (k - 1) + 1 for k, d in zip(kernel_shape, dilation, strict=True)]
        if rule == "full":
            return tuple((e - 1, e - 1) for e in effective)
        if rule == "half":
            return tuple((e // 2, e // 2) for e in effective)
        return rule
    if conv.padding_style == "names":
        raise ValueError(
            f"{where}: only the names {', '.join(conv.padding_names)}; got {padding!r}"
        )
    if conv.padding_style == "symmetric":
        return _symmetric(padding, rank, where)
    if conv.name == "onnx" and isinstance(padding, Sequence) and len(padding) == 2 * rank:
        flat = [int(p) for p in padding]
        return _pairs(list(zip(flat[:rank], flat[rank:], strict=True)), rank, where) or ()
    if conv.name == "tensorflow" and isinstance(padding, Sequence) and len(padding) == rank + 2:
        padding = list(padding)[1:-1]  # [[0, 0], *spatial, [0, 0]] in NHWC
    pairs = _pairs(padding, rank, where)
    if pairs is not None:
        return pairs
    if conv.name in ("jax", "onnx"):
        raise ValueError(
            f"{where}: expected a name or {rank} (before, after) pairs; got {padding!r}"
        )
    return _symmetric(padding, rank, where)
