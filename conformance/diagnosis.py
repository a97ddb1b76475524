"""When a result is wrong, what does the backend compute instead?

Each hypothesis is a small change to the declaration or to the call -- the other flip,
another conjugation, another 'same' alignment, reversed lags, swapped operands, a
transposed kernel, a kernel flipped along only some axes, another mode, integer
wrap-around, lower-precision accumulation -- and the reference computes what the backend
would return under it.  Hypotheses that reproduce the actual output are named; when no
single one does, pairs are tried.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .backend import Array, Operation
from .cases import Call
from .conventions import NAMED_ALIGNMENTS, Expectation, expectation
from .tolerance import measure

__all__ = ["diagnose"]

Variant = tuple[Operation, Array, Array, str]
Hypothesis = tuple[str, Callable[[Variant], Variant]]

_CONJUGATION_WORDS = {
    "second": "conjugates the second operand",
    "first": "conjugates the first operand",
    "none": "conjugates neither operand",
}


def _declare(**changes: Any) -> Callable[[Variant], Variant]:
    """A hypothesis that changes the declaration: another flip, conjugation, alignment..."""

    def change(x: Variant) -> Variant:
        return (dataclasses.replace(x[0], **changes), x[1], x[2], x[3])

    return change


def _kernel(transform: Callable[[Array], Array]) -> Callable[[Variant], Variant]:
    """A hypothesis that changes the kernel the backend uses."""

    def change(x: Variant) -> Variant:
        return (x[0], x[1], np.ascontiguousarray(transform(x[2])), x[3])

    return change


def _swap(x: Variant) -> Variant:
    return (x[0], x[2], x[1], x[3])


def _mode(mode: str) -> Callable[[Variant], Variant]:
    def change(x: Variant) -> Variant:
        return (x[0], x[1], x[2], mode)

    return change


def _hypotheses(op: Operation, call: Call) -> Iterator[Hypothesis]:
    rank = call.a.ndim
    other_kind = (
        "computes cross-correlation (kernel not flipped)"
        if op.flips
        else "computes convolution (kernel flipped)"
    )
    yield other_kind, _declare(flips=not op.flips)
    if call.a.dtype.kind == "c" or call.v.dtype.kind == "c":
        for conj, words in _CONJUGATION_WORDS.items():
            if conj != op.conjugation:
                yield words, _declare(conjugates=conj)
    if call.mode == "same":
        for alignment in NAMED_ALIGNMENTS:
            if alignment != op.same_alignment:
                yield (
                    f"'same' window with {alignment} alignment",
                    _declare(same_alignment=alignment),
                )
    reverse = "descending" if op.lag_order == "ascending" else "ascending"
    yield "lags in reverse order", _declare(lag_order=reverse)
    yield "swaps the operands", _swap
    if rank >= 2:
        yield "transposes the kernel", _kernel(lambda v: v.T)
        for count in range(1, rank):
            for axes in itertools.combinations(range(rank), count):
                yield (
                    f"reverses the kernel along axes {list(axes)} only",
                    _kernel(functools.partial(np.flip, axis=axes)),
                )
    for mode in ("full", "valid", "same"):
        if mode != call.mode:
            yield f"returns the {mode!r} window for mode {call.mode!r}", _mode(mode)


def _expect(op: Operation, a: Array, v: Array, mode: str) -> Expectation | None:
    try:
        return expectation(op, a, v, mode, exact=False)
    except (ValueError, OverflowError, TypeError):
        return None


def _agrees(actual: Array, expected: Expectation | None) -> bool:
    if expected is None or expected.values.shape != actual.shape:
        return False
    if expected.dtype.kind in "iu" or actual.dtype.kind in "iu":
        return bool(np.array_equal(actual.astype(expected.values.dtype), expected.values))
    return bool(measure(actual, expected.values, expected.bound)["passed"])


def _matches(actual: Array, op: Operation, a: Array, v: Array, mode: str) -> bool:
    return _agrees(actual, _expect(op, a, v, mode))


def _value_hypotheses(op: Operation, call: Call, actual: Array) -> list[str]:
    """Explanations about the values' type: wrap-around, precision, FFT error."""
    found = []
    a, v, mode = call.a, call.v, call.mode
    if a.dtype.kind in "iu" and v.dtype.kind in "iu" and op.result_dtype == "spec":
        wrapped = dataclasses.replace(op, result_dtype="promote")
        if _matches(actual, wrapped, a, v, mode):
            found.append(f"integer results wrap around in {np.result_type(a, v)} (not exact)")
    if actual.dtype.kind in "fc":
        for precision in ("float16", "float32"):
            if np.finfo(precision).eps <= np.finfo(actual.dtype).eps:
                continue
            lower = dataclasses.replace(op, accumulation=precision)
            if _matches(actual, lower, a, v, mode):
                found.append(f"error fits {precision} accumulation, not the declared precision")
                break
        if op.method == "direct" and _matches(
            actual, dataclasses.replace(op, method="fft"), a, v, mode
        ):
            found.append("error fits an FFT (normwise) bound, not the declared direct method")
    return found


def _same_prediction(one: Expectation | None, other: Expectation | None) -> bool:
    """Whether two hypotheses predict the same values: this case cannot tell them apart."""
    if one is None or other is None or one.values.shape != other.values.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(one.values, other.values, equal_nan=True, rtol=1e-12, atol=0))


def diagnose(op: Operation, call: Call, actual: Array, pairs: bool = True) -> list[str]:
    """Names of hypotheses (or, with ``pairs``, pairs of them) that reproduce ``actual``.

    A hypothesis that predicts what the declaration predicts for this case is not named:
    the case cannot tell them apart.  The result may be empty.
    """
    base: Variant = (op, call.a, call.v, call.mode)
    declared = _expect(*base)
    hypotheses = list(_hypotheses(op, call))
    found = []
    for words, change in hypotheses:
        predicted = _expect(*change(base))
        if _agrees(actual, predicted) and not _same_prediction(predicted, declared):
            found.append(words)
    if found:
        return found
    value_found = _value_hypotheses(op, call, actual)
    if value_found or not pairs:
        return value_found
    for (words1, change1), (words2, change2) in itertools.combinations(hypotheses, 2):
        if _matches(actual, *change2(change1(base))):
            found.append(f"{words1}, and {words2}")
    return found
