"""Checks of spec/frameworks.md: a framework's convention as data (FRAME-1, FRAME-2).

FRAME-1 (a convention is a layout of data and kernel, a flip and a padding vocabulary) is
checked by ``layers.channels_and_layout``, which runs several channels through the declared
layouts and flip.  FRAME-2 says the named rules ``same-upper`` and ``same-lower`` at
stride above 1 pad by an amount that depends on the input length modulo the stride: the
residue check runs every residue, because a fixed pad agrees with them only on some.
"""

from __future__ import annotations

from ..cases import Produces, check
from ..layer_cases import LayerContext, LayerParams


@check("FRAME-2", "LAYER-6", applies_to="layer")
def same_padding_by_residue(ctx: LayerContext) -> Produces:
    """'same-upper' and 'same-lower' at strides 2 and 3, on every residue of N mod s.

    Odd and even kernels; 1-D and the first declared rank with the residue on one axis, so
    that the pad total and its split are checked for each N mod s separately.
    """
    names = [n for n in ctx.op.padding if n in ("same-upper", "same-lower")]
    why = None
    if ctx.op.transposed:
        why = "a transposed layer (LAYER-10)"
    elif not names:
        why = "neither 'same-upper' nor 'same-lower' is declared"
    elif not ctx.op.stride:
        why = "no stride is declared"
    if why:
        yield ctx.skip(("FRAME-2", "LAYER-6"), why)
        return
    kernels = (3, 4, 5, 2) if ctx.full else (3, 4)
    for rank in ctx.ranks()[: None if ctx.full else 1]:
        for name in names:
            for s in (2, 3):
                for residue in range(s):
                    for k in kernels:
                        n = 9 + (residue - 9) % s
                        spatial = (n, *(6,) * (rank - 1))
                        kernel = (k, *(2,) * (rank - 1))
                        x, w = ctx.operands(1, 2, 2, spatial, kernel)
                        params = LayerParams.plain(rank, padding=name, stride=(s,) * rank)
                        label = f"{name!r} stride {s}, N = {n} (N mod {s} = {residue}), K = {k}"
                        yield from ctx.cases_if_fit(("FRAME-2", "LAYER-6"), label, x, w, params)
