"""Layouts: the same layer data with its axes in another order (LAYER-11).

A layout names each axis of an array by a letter: ``N`` batch, ``C`` channel, ``O`` and
``I`` a kernel's output and input channels, any other letter a spatial axis (``D``, ``H``,
``W``, ``L`` ...).  Changing the layout relabels the axes; it changes no value and no sum.
``relayout(w, "HWIO", "OIHW")`` turns a TensorFlow kernel into torch's, ``relayout(x,
"NHWC", "NCHW")`` channels-last data into channels-first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["relayout"]

#: Letters that name a non-spatial axis.
CHANNEL_LETTERS = frozenset("NCOI")


def _check_layout(layout: object, name: str) -> str:
    if not isinstance(layout, str) or not layout.isalpha() or not layout.isupper():
        raise ValueError(
            f"relayout(): argument {name!r} must be a string of capital letters, one per axis "
            f"(N batch, C channel, O/I kernel out/in, others spatial); got {layout!r}"
        )
    repeated = sorted({letter for letter in layout if layout.count(letter) > 1})
    if repeated:
        raise ValueError(
            f"relayout(): argument {name!r} names an axis twice ({', '.join(repeated)}): {layout!r}"
        )
    return layout


def relayout(array: npt.ArrayLike, source: str, target: str) -> np.ndarray[Any, np.dtype[Any]]:
    """``array`` with its axes, named by the letters of ``source``, reordered as ``target``.

    Both layouts name the same axes, and the spatial ones in the same order (a relabeling
    never transposes an image).  Returns a view (numpy's ``transpose``).
    """
    source = _check_layout(source, "source")
    target = _check_layout(target, "target")
    arr = np.asarray(array)
    if arr.ndim != len(source):
        raise ValueError(
            f"relayout(): argument 'array' has {arr.ndim} axes but 'source' {source!r} names "
            f"{len(source)}"
        )
    if sorted(source) != sorted(target):
        raise ValueError(
            f"relayout(): 'source' {source!r} and 'target' {target!r} must name the same axes"
        )
    spatial_source = [letter for letter in source if letter not in CHANNEL_LETTERS]
    spatial_target = [letter for letter in target if letter not in CHANNEL_LETTERS]
    if spatial_source != spatial_target:
        raise ValueError(
            f"relayout(): the spatial axes must keep their order; 'source' {source!r} has "
            f"{''.join(spatial_source)} and 'target' {target!r} has {''.join(spatial_target)} "
            "(that would transpose the data, not relabel it)"
        )
    return np.transpose(arr, [source.index(letter) for letter in target])
