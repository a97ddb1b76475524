"""Cases of layer operations: what a layer check gets and how it builds a call.

A layer check (``applies_to="layer"``) gets a :class:`LayerContext`.  It draws its operands
in the spec's layouts -- data ``(batch, C_in, *spatial)``, kernel ``(C_out, C_in / groups,
*K)`` or, transposed, ``(C_in, C_out / groups, *K)`` -- and its parameters in the spec's
terms (:class:`LayerParams`); :meth:`LayerContext.case` relabels the operands to the
declared layouts and passes only the parameters the operation declares, in the transport
form of the call (padding as ``(before, after)`` pairs or a name).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import convspec

from .backend import Array, Backend
from .cases import LAYER_MODE, Call, Case, Profile, Skip
from .inputs import discriminating, random_values
from .layer_backend import LayerOperation
from .layer_conventions import spec_layouts

__all__ = ["LayerContext", "LayerParams"]


@dataclass(frozen=True)
class LayerParams:
    """A layer call's parameters in the spec's terms, one value per spatial axis."""

    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...] | str
    dilation: tuple[int, ...]
    groups: int = 1
    bias: Array | None = None
    output_padding: tuple[int, ...] | None = None

    @classmethod
    def plain(cls, rank: int, **changes: Any) -> LayerParams:
        """Stride 1, no padding, dilation 1, one group, no bias (``changes`` override)."""
        values: dict[str, Any] = dict(
            stride=(1,) * rank, padding=((0, 0),) * rank, dilation=(1,) * rank
        )
        values.update(changes)
        return cls(**values)

    def describe(self) -> str:
        parts = []
        rank = len(self.stride)
        if self.stride != (1,) * rank:
            parts.append(f"stride {self.stride}")
        if self.dilation != (1,) * rank:
            parts.append(f"dilation {self.dilation}")
        if self.padding != ((0, 0),) * rank:
            parts.append(f"padding {self.padding}")
        if self.groups != 1:
            parts.append(f"groups {self.groups}")
        if self.bias is not None:
            parts.append("bias")
        if self.output_padding is not None and any(self.output_padding):
            parts.append(f"output_padding {self.output_padding}")
        return ", ".join(parts) or "plain"


@dataclass
class LayerContext:
    """What a layer check gets: the backend, one layer operation, the profile, a generator."""

    backend: Backend
    op_name: str
    op: LayerOperation
    profile: Profile
    seed: int
    check_name: str = ""
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        key = zlib.crc32(f"{self.check_name}/{self.op_name}".encode())
        self.rng = np.random.default_rng([self.seed, key])

    @property
    def full(self) -> bool:
        return self.profile == "full"

    def skip(self, clauses: tuple[str, ...], reason: str) -> Skip:
        return Skip(self.check_name, clauses, self.op_name, reason)

    def float_dtype(self) -> str | None:
        """The operation's preferred real float dtype (float64 first), or None."""
        for name in ("float64", "float32", "float16"):
            if name in self.op.dtypes:
                return name
        return None

    def dtype(self) -> str:
        """A real float dtype when declared, else the first declared dtype."""
        return self.float_dtype() or self.op.dtypes[0]

    def ranks(self, limit: int = 3) -> list[int]:
        return sorted(r for r in self.op.ranks if r <= limit)

    # ---------------------------------------------------------------- operands

    def operands(
        self,
        batch: int,
        c_in: int,
        c_out: int,
        spatial: tuple[int, ...],
        kernel: tuple[int, ...],
        groups: int = 1,
        dtype: str | None = None,
    ) -> tuple[Array, Array]:
        """Random data and a discriminating kernel in the spec's layouts.

        Every kernel entry differs from every other: each channel pair has its own weights
        (channel mix-ups show) and no kernel is symmetric along any subset of spatial axes.
        """
        dtype = dtype or self.dtype()
        x = random_values((batch, c_in, *spatial), dtype, self.rng)
        if self.op.transposed:
            w_shape = (c_in, c_out // groups, *kernel)
        else:
            w_shape = (c_out, c_in // groups, *kernel)
        return x, discriminating(w_shape, dtype, self.rng)

    def bias(self, c_out: int, dtype: str | None = None) -> Array:
        """Distinct per-channel biases."""
        return discriminating((c_out,), dtype or self.dtype(), self.rng)

    # ---------------------------------------------------------------- fitting

    def why_not(self, x: Array, w: Array, params: LayerParams) -> str | None:
        """Why this case does not fit the declaration (None: it fits)."""
        op, rank = self.op, x.ndim - 2
        if rank not in op.ranks:
            return f"spatial rank {rank} not declared"
        if str(x.dtype) not in op.dtypes:
            return f"dtype {x.dtype} not declared"
        if not op.supports_padding(params.padding):
            return f"padding {params.padding!r} not declared"
        if not op.stride and any(s != 1 for s in params.stride):
            return "stride not declared"
        if not op.dilation and any(d != 1 for d in params.dilation):
            return "dilation not declared"
        dilated = any(d != 1 for d in params.dilation)
        if dilated and isinstance(params.padding, str) and not op.dilated_names:
            return "padding names with dilation not declared"
        if not op.groups and params.groups != 1:
            return "groups not declared"
        if not op.bias and params.bias is not None:
            return "bias not declared"
        extra = params.output_padding
        if extra is not None and any(extra) and not op.output_padding:
            return "output_padding not declared"
        if max(x.size, w.size) > op.max_size:
            return "operands larger than max_size"
        return None

    def fits(self, x: Array, w: Array, params: LayerParams) -> bool:
        return self.why_not(x, w, params) is None

    def output_shape(self, x: Array, w: Array, params: LayerParams) -> tuple[int, ...] | None:
        """The spec's spatial output shape, or None where the reference refuses the case."""
        try:
            y = self._reference(x[:1, :, ...], w, params)
        except ValueError:
            return None
        return tuple(y.shape[2:])

    def _reference(self, x: Array, w: Array, params: LayerParams) -> Array:
        kwargs = dict(self.spec_kwargs(params), bias=None)  # only the shape matters
        function: Any = convspec.conv_transpose if self.op.transposed else convspec.conv
        return np.asarray(function(np.zeros(x.shape), np.zeros(w.shape), **kwargs))

    def spec_kwargs(self, params: LayerParams) -> dict[str, Any]:
        """``params`` as keyword arguments of the reference."""
        kwargs: dict[str, Any] = dict(
            stride=params.stride,
            padding=params.padding,
            dilation=params.dilation,
            groups=params.groups,
            bias=params.bias,
        )
        if self.op.transposed:
            kwargs["output_padding"] = params.output_padding or (0,) * len(params.stride)
        return kwargs

    # ---------------------------------------------------------------- cases

    def transport(self, params: LayerParams) -> dict[str, Any]:
        """The ``**params`` of the call: the declared parameters only, spec names."""
        op = self.op
        out: dict[str, Any] = {"padding": params.padding}
        if op.stride:
            out["stride"] = params.stride
        if op.dilation:
            out["dilation"] = params.dilation
        if op.groups:
            out["groups"] = params.groups
        if op.bias:
            out["bias"] = params.bias
        if op.output_padding:
            out["output_padding"] = params.output_padding or (0,) * len(params.stride)
        return out

    def case(
        self, clauses: tuple[str, ...], label: str, x: Array, w: Array, params: LayerParams
    ) -> Case:
        """A case calling this context's operation on spec-layout ``x``, ``w``."""
        rank = x.ndim - 2
        data, kernel = self.op.layouts(rank)
        spec_data, spec_kernel = spec_layouts(self.op, rank)
        x_d = np.ascontiguousarray(convspec.relayout(x, spec_data, data))
        w_d = np.ascontiguousarray(convspec.relayout(w, spec_kernel, kernel))
        if self.op.flips:  # the operation reverses the kernel: hand it the reversed one
            w_d = np.ascontiguousarray(np.flip(w_d, axis=_spatial_axes(kernel)))
        call = Call(self.op_name, x_d, w_d, LAYER_MODE, self.transport(params))
        return Case(self.check_name, clauses, f"{label} ({params.describe()})", call)

    def cases_if_fit(
        self, clauses: tuple[str, ...], label: str, x: Array, w: Array, params: LayerParams
    ) -> list[Case]:
        """``[case]`` when it fits the declaration and the spec defines it, else ``[]``."""
        if not self.fits(x, w, params) or self.output_shape(x, w, params) is None:
            return []
        return [self.case(clauses, label, x, w, params)]


def _spatial_axes(layout: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(layout) if c not in "NCOI")
