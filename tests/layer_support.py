"""Strategies shared by the layer tests (tests/test_layers_*): small random layer configurations.

Shapes stay small: the literal sums cost one Python step per term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import convspec

Array = np.ndarray[Any, np.dtype[Any]]

#: Longest spatial axis per rank.
MAX_SIDE = {1: 9, 2: 6, 3: 4}


@dataclass(frozen=True)
class Config:
    """One layer call's geometry: shapes and keyword arguments, for conv or conv_transpose."""

    batch: int
    c_in: int
    c_out: int
    groups: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: Any
    output_padding: tuple[int, ...] = ()  # conv_transpose only

    @property
    def rank(self) -> int:
        return len(self.spatial)

    @property
    def x_shape(self) -> tuple[int, ...]:
        return (self.batch, self.c_in, *self.spatial)

    @property
    def terms(self) -> int:
        """Most products one output element sums."""
        return (self.c_in // self.groups) * math.prod(self.kernel)


paddings_by_name = st.sampled_from(["valid", "same-upper", "same-lower", "same"])


@st.composite
def configs(
    draw: st.DrawFn,
    ranks: tuple[int, ...] = (1, 2, 3),
    transpose: bool = False,
    max_groups: int = 3,
    named: bool = True,
) -> Config:
    """A valid conv (or conv_transpose) configuration: asymmetric pads, strides, dilations,
    groups that divide both channel counts, kernels longer and shorter than the data.

    ``max_groups`` and ``named`` (padding rule names allowed) narrow it for libraries that
    lack groups or names, without filtering."""
    rank = draw(st.sampled_from(ranks))
    groups = draw(st.integers(1, max_groups))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    side = MAX_SIDE[rank]
    spatial = tuple(draw(st.integers(1, side)) for _ in range(rank))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    explicit = st.tuples(*[st.tuples(st.integers(0, 3), st.integers(0, 3)) for _ in range(rank)])
    names = (
        st.sampled_from(["valid", "same-upper", "same-lower"]) if transpose else paddings_by_name
    )
    padding = draw(st.one_of(explicit, names, st.integers(0, 2)) if named else explicit)
    if padding == "same":
        stride = (1,) * rank
    config = Config(batch=draw(st.integers(1, 2)), c_in=c_in, c_out=c_out, groups=groups,
                    spatial=spatial, kernel=kernel, stride=stride, dilation=dilation,
                    padding=padding)  # fmt: skip
    if transpose:
        extra = tuple(
            draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
        )
        config = replace(config, output_padding=extra)
        try:
            shape = convspec.conv_transpose_output_shape(
                spatial, kernel, stride=stride, padding=padding, output_padding=extra,
                dilation=dilation,
            )  # fmt: skip
        except ValueError:
            assume(False)
        assume(math.prod(shape) <= 200)
    else:
        try:
            convspec.conv_output_shape(
                spatial, kernel, stride=stride, padding=padding, dilation=dilation
            )
        except ValueError:
            assume(False)
    return config


def transpose_call(config: Config) -> dict[str, Any]:
    """Keyword arguments of conv_transpose for ``config``."""
    return dict(
        stride=config.stride,
        padding=config.padding,
        output_padding=config.output_padding,
        dilation=config.dilation,
        groups=config.groups,
    )


def transpose_w_shape(config: Config) -> tuple[int, ...]:
    """conv_transpose's kernel: (C_in, C_out / groups, *K)."""
    return (config.c_in, config.c_out // config.groups, *config.kernel)


def conv_w_shape(config: Config) -> tuple[int, ...]:
    """conv's kernel: (C_out, C_in / groups, *K)."""
    return (config.c_out, config.c_in // config.groups, *config.kernel)


def conv_call(config: Config) -> dict[str, Any]:
    """Keyword arguments of conv for ``config``."""
    return dict(
        stride=config.stride, padding=config.padding, dilation=config.dilation, groups=config.groups
    )


def dyadic(rng: np.random.Generator, shape: tuple[int, ...], dtype: str = "float64") -> Array:
    """Integers in [-2**8, 2**8] times 2**-4: every sum of few products is exact in float64."""
    real = rng.integers(-(2**8), 2**8 + 1, size=shape) / 16
    if np.dtype(dtype).kind == "c":
        real = real + 1j * rng.integers(-(2**8), 2**8 + 1, size=shape) / 16
    return real.astype(dtype)
