"""Candidate explanations of a wrong result, each predicting what the backend returns.

A *family* of hypotheses is a function of a :class:`Situation` (the declaration, the call,
the actual result, and the declared prediction) that yields :class:`Candidate` objects --
words naming a defect and a function predicting the output under it -- or ready
:class:`Finding` objects when a family can tell by inspection (an inf swallowed).  The
diagnosis (:mod:`.diagnosis`) tries the families tier by tier, cheapest and most specific
first, and names the candidates whose prediction reproduces the actual output and does
not also reproduce the declared one.

Families are registered with :func:`hypothesis` and a tier; other modules (layer or
boundary hypotheses) register theirs the same way::

    @hypothesis(tier=45)
    def boundary_modes(s: Situation) -> Iterator[Candidate | Finding]: ...

The tiers used here: 10 result type (dtype, imaginary part, integer overflow); 30
orientation (flips per axis, conjugation, transposed or rotated kernel, lag order,
swapped operands); 40 windows (another alignment or mode; truncated, padded, shifted,
rolled); 45 non-finite values (NaN or inf swallowed or invented); 50 taps (one dropped or
duplicated); 60 precision (FFT, a lower accumulation precision); 70 pairs of orientation
and window hypotheses.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .backend import Array, Conjugation, Operation
from .cases import Call
from .conventions import (
    NAMED_ALIGNMENTS,
    declared_layout,
    declared_operands,
    declared_result_dtype,
    expectation,
    window,
)

__all__ = [
    "FAMILIES",
    "Candidate",
    "Finding",
    "Prediction",
    "Situation",
    "compare",
    "hypothesis",
]


@dataclass(frozen=True)
class Prediction:
    """Values a hypothesis predicts, with the per-element bound they hold within."""

    values: Array
    bound: Array
    #: Integer results: compared exactly.
    exact: bool = False


@dataclass(frozen=True)
class Candidate:
    """A named defect and the output it predicts (``None``: it cannot apply here)."""

    words: str
    predict: Callable[[], Prediction | None]
    #: A looser bound on the declared values (precision hypotheses): it always "predicts"
    #: the declared result too, so that test is not made.
    looser_bound: bool = False
    #: For pairs: the components as (op, a, v, mode) changes.
    variant: Callable[[Variant], Variant] | None = None


@dataclass(frozen=True)
class Finding:
    """A defect a family recognises by inspection, with an optional detail line."""

    words: str
    detail: str = ""


Variant = tuple[Operation, Array, Array, str]
Family = Callable[["Situation"], Iterable[Candidate | Finding]]

#: ``{tier: [family, ...]}``: tried in ascending tier order; a tier that explains the
#: result ends the search.
FAMILIES: dict[int, list[Family]] = {}


def hypothesis(tier: int) -> Callable[[Family], Family]:
    """Register a family of hypotheses in ``tier`` (see the module docstring)."""

    def register(family: Family) -> Family:
        FAMILIES.setdefault(tier, []).append(family)
        return family

    return register


@dataclass
class Situation:
    """One failing case as the hypotheses see it."""

    op: Operation
    call: Call
    actual: Array
    declared: Prediction | None
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def a(self) -> Array:
        return self.call.a

    @property
    def v(self) -> Array:
        return self.call.v

    @property
    def complex(self) -> bool:
        return self.call.a.dtype.kind == "c" or self.call.v.dtype.kind == "c"

    @property
    def same_shape(self) -> bool:
        return self.declared is not None and self.declared.values.shape == self.actual.shape

    def expect(self, variant: Variant) -> Prediction | None:
        """The output ``variant`` (op, a, v, mode) predicts, from the fast reference, held
        to the declared result's largest bound (a structural hypothesis changes values by
        far more than rounding, so one tolerance serves them all and no bound is computed
        per hypothesis)."""
        p = predict(*variant, bound=False)
        if p is None:
            return None
        return Prediction(p.values, np.full(p.values.shape, self.tolerance), p.exact)

    @property
    def tolerance(self) -> float:
        d = self.declared
        if d is None or d.exact or d.values.size == 0:
            return 0.0
        finite = np.asarray(d.bound)[np.isfinite(d.bound)]
        return float(finite.max(initial=0.0))

    @property
    def base(self) -> Variant:
        return (self.op, self.call.a, self.call.v, self.call.mode)


def predict(op: Operation, a: Array, v: Array, mode: str, bound: bool = True) -> Prediction | None:
    """What ``op(a, v, mode)`` gives under its declaration (float64 fast reference)."""
    try:
        e = expectation(op, a, v, mode, exact=False, bound=bound)
    except (ValueError, OverflowError, TypeError, ZeroDivisionError):
        return None
    return Prediction(e.values, e.bound, e.dtype.kind in "iu")


def compare(actual: Array, p: Prediction | None) -> tuple[int, float]:
    """``(elements that differ, worst error / bound)``; ``(0, 0.0)`` when ``p`` reproduces
    ``actual``, ``(-1, inf)`` when it cannot (another shape, or no prediction)."""
    if p is None or p.values.shape != actual.shape:
        return -1, np.inf
    if actual.size == 0:
        return 0, 0.0
    if p.exact or actual.dtype.kind in "iub":
        if actual.dtype.kind not in "iub" and not np.isfinite(actual).all():
            return int((~np.isfinite(actual)).sum()), np.inf
        differs = actual != p.values
        return int(differs.sum()), np.inf if differs.any() else 0.0
    bound = np.broadcast_to(p.bound, p.values.shape)
    with np.errstate(all="ignore"):
        finite = np.isfinite(actual) & np.isfinite(p.values)
        if finite.all():
            err = np.abs(actual - p.values)
            over = err > bound
            if not over.any():
                return 0, 0.0
            return int(over.sum()), _worst(err, bound, over)
        x = actual.astype(np.complex128)
        y = p.values.astype(np.complex128)
        y_special, x_special = ~np.isfinite(y), ~np.isfinite(x)
        special = y_special | x_special
        # special values must match part by part (NaN for NaN, the same infinity); a
        # non-finite result is accepted where the bound is infinite (overflow allowed)
        same_special = ~special | (_same_part(x.real, y.real) & _same_part(x.imag, y.imag))
        same_special |= x_special & ~y_special & np.isinf(bound)
        err = np.where(special, 0.0, np.abs(x - y))
        over = ~special & (err > bound)
        differs = over | ~same_special
        if not differs.any():
            return 0, 0.0
        worst = np.inf if (~same_special).any() else _worst(err, bound, over)
        return int(differs.sum()), worst


def _worst(err: Array, bound: Array, over: Array) -> float:
    if (over & (bound == 0)).any():
        return np.inf
    return float(np.max(np.where(over, err / np.where(bound > 0, bound, 1.0), 0.0)))


def _same_part(x: Array, y: Array) -> Array:
    same: Array = (np.isnan(x) & np.isnan(y)) | (x == y)
    return same


def _intended(change: str) -> str:
    """The declaration change that makes a defect the declared behaviour."""
    return f" (if intended, declare {change})"


def _axes_words(axes: Iterable[int]) -> str:
    axes = list(axes)
    if not axes:
        return "no axis"
    if len(axes) == 1:
        return f"axis {axes[0]}"
    return "axes " + ", ".join(map(str, axes[:-1])) + f" and {axes[-1]}"


def _along(axis: int, rank: int) -> str:
    return f" along axis {axis}" if rank > 1 else ""


def _with_result_dtype(op: Operation, dtype: np.dtype[Any], **changes: Any) -> Operation:
    def rule(a: np.dtype[Any], v: np.dtype[Any]) -> np.dtype[Any]:
        return dtype

    rule.__name__ = dtype.name
    return dataclasses.replace(op, result_dtype=rule, **changes)


# -- tier 10: the result's type ---------------------------------------------------------


def _dtype_words(actual: np.dtype[Any], declared: np.dtype[Any]) -> str:
    if actual.kind in "iu" and declared.kind in "fc":
        return f"returns integers ({actual}) where {declared} is declared"
    if actual.kind in "fc" and declared.kind in "iu":
        return f"returns {actual} where integers ({declared}) are declared"
    size = "narrower" if actual.itemsize < declared.itemsize else "wider"
    return f"result dtype {actual} is {size} than the declared {declared}"


@hypothesis(tier=10)
def result_type(s: Situation) -> Iterator[Candidate | Finding]:
    """Imaginary part dropped; another result dtype; integers that wrap or saturate."""
    d = s.declared
    if d is None or not s.same_shape:
        return
    actual = s.actual
    declared_dtype = declared_result_dtype(s.op, s.a.dtype, s.v.dtype)
    if declared_dtype.kind == "c" and np.iscomplexobj(d.values) and np.any(d.values.imag != 0):
        real = d.values.real
        if actual.dtype.kind != "c" or not np.any(actual.imag):
            yield Candidate(
                "drops the imaginary part (returns the real part of the declared result)",
                lambda: Prediction(real, d.bound),
            )
    if actual.dtype.kind not in "iufc":
        return
    a, v, mode = s.call.a, s.call.v, s.call.mode
    if actual.dtype != declared_dtype:
        words = _dtype_words(actual.dtype, declared_dtype)
        if actual.dtype.kind in "iu" and s.a.dtype.kind in "iu" and s.v.dtype.kind in "iu":
            wrap = predict(
                _with_result_dtype(s.op, actual.dtype, integer_overflow="wrap"), a, v, mode
            )
            sat = predict(
                _with_result_dtype(s.op, actual.dtype, integer_overflow="saturate"), a, v, mode
            )
            wraps, saturates = compare(actual, wrap)[0] == 0, compare(actual, sat)[0] == 0
            promoted = np.result_type(s.a.dtype, s.v.dtype) == actual.dtype
            rule = "result_dtype='promote'" if promoted else f"a result_dtype giving {actual.dtype}"
            if wraps and saturates:
                yield Finding(words + " (values as declared)")
            elif wraps:
                yield Finding(
                    f"integer results wrap around in {actual.dtype} (not exact)" + _intended(rule)
                )
            elif saturates:
                yield Finding(
                    f"integer results saturate at the {actual.dtype} limits (not exact)"
                    + _intended(f"{rule}, integer_overflow='saturate'")
                )
            return
        # The declared values, held to the bound of the dtype actually returned.
        if compare(actual, predict(_with_result_dtype(s.op, actual.dtype), a, v, mode))[0] == 0:
            yield Finding(words + " (values as declared)")
        return
    if actual.dtype.kind in "iu" and s.op.integer_overflow in ("wrap", "saturate"):
        other_way: Literal["wrap", "saturate"] = (
            "saturate" if s.op.integer_overflow == "wrap" else "wrap"
        )
        changed = dataclasses.replace(s.op, integer_overflow=other_way)
        words = (
            f"integer results saturate at the {actual.dtype} limits, declared to wrap around"
            if other_way == "saturate"
            else f"integer results wrap around in {actual.dtype}, declared to saturate"
        )
        words += _intended(f"integer_overflow={other_way!r}")
        yield Candidate(words, lambda: predict(changed, a, v, mode))


# -- tier 20: non-finite values ---------------------------------------------------------


def _special_kind(values: Array) -> str:
    values = values.astype(np.complex128)
    nan = np.isnan(values.real) | np.isnan(values.imag)
    if nan.all():
        return "NaN"
    if not nan.any():
        return "inf"
    return "NaN and inf"


@hypothesis(tier=45)
def nonfinite(s: Situation) -> Iterator[Candidate | Finding]:
    """NaN or inf swallowed (finite where declared non-finite) or invented."""
    d = s.declared
    if d is None or not s.same_shape or s.actual.dtype.kind not in "fc":
        return
    y = d.values.astype(np.complex128)
    x = s.actual.astype(np.complex128)
    y_special, x_special = ~np.isfinite(y), ~np.isfinite(x)
    swallowed, invented = y_special & ~x_special, ~y_special & x_special
    if not (swallowed.any() or invented.any()):
        return
    bound = np.broadcast_to(d.bound, y.shape)
    both = ~y_special & ~x_special & np.isfinite(bound)
    with np.errstate(all="ignore"):
        rest_ok = bool(np.all(np.abs(x - y)[both] <= bound[both]))
    if not rest_ok:
        return
    inputs_special = not (np.isfinite(s.a).all() and np.isfinite(s.v).all())
    if swallowed.any() and not invented.any():
        kind = _special_kind(d.values[swallowed])
        detail = (
            f"{int(swallowed.sum())} of {y.size} outputs finite where the declared result is {kind}"
        )
        yield Finding(f"swallows {kind}: finite outputs where {kind} is declared", detail)
    elif invented.any() and not swallowed.any():
        kind = _special_kind(s.actual[invented])
        detail = (
            f"{int(invented.sum())} of {y.size} outputs {kind} where finite values are declared"
        )
        if inputs_special:
            yield Finding(
                f"invents {kind}: a non-finite input spreads beyond its reach (as an FFT "
                "does; declare nonfinite=False)",
                detail,
            )
        else:
            yield Finding(f"invents {kind}: {kind} outputs from finite operands", detail)


# -- tier 30: orientation of the kernel, conjugation, lag order, operand order ---------------

_CONJUGATION_WORDS: dict[Conjugation, str] = {
    "second": "conjugates the second operand",
    "first": "conjugates the first operand",
    "none": "conjugates neither operand",
}
_DECLARED_CONJUGATION = {"second": "the second", "first": "the first", "none": "neither"}


def _flip_words(flipped: set[int], visible: list[int], op: Operation, rank: int) -> str:
    if rank == 1 or len(visible) <= 1 or flipped in (set(), set(visible)):
        if flipped:
            return "computes convolution (kernel flipped)"
        return "computes cross-correlation (kernel not flipped)"
    should = _axes_words(visible) if op.flips else "none (a correlation)"
    return f"flips the kernel along {_axes_words(sorted(flipped))} only, should flip {should}"


def _orientation_variants(s: Situation) -> Iterator[tuple[str, Callable[[Variant], Variant]]]:
    yield from _flip_variants(s)
    yield from _kernel_variants(s)


def _flip_variants(s: Situation) -> Iterator[tuple[str, Callable[[Variant], Variant]]]:
    """The flip along each subset of the kernel's axes, with each conjugation."""
    op, v = s.op, s.call.v
    rank = v.ndim
    visible = [i for i in range(rank) if v.shape[i] > 1]
    declared_flips = set(visible) if op.flips else set()
    conjugations: list[Conjugation] = [op.conjugation]
    if s.complex:
        conjugations += [c for c in _CONJUGATION_WORDS if c != op.conjugation]
    for conj in conjugations:
        for count in range(len(visible) + 1):
            for subset in itertools.combinations(visible, count):
                flipped = set(subset)
                if flipped == declared_flips and conj == op.conjugation:
                    continue
                parts, changes = [], []
                if flipped != declared_flips:
                    parts.append(_flip_words(flipped, visible, op, rank))
                    if flipped in (set(), set(visible)):
                        changes.append(f"flips={bool(flipped)}")
                if conj != op.conjugation:
                    parts.append(
                        f"{_CONJUGATION_WORDS[conj]} "
                        f"(declared: {_DECLARED_CONJUGATION[op.conjugation]})"
                    )
                    changes.append(f"conjugates={conj!r}")
                unflipped = tuple(i for i in visible if i not in flipped)
                words = ", and ".join(parts)
                if len(changes) == len(parts):  # every part is declarable
                    words += _intended(", ".join(changes))
                yield words, _reoriented(conj, unflipped)


def _kernel_variants(s: Situation) -> Iterator[tuple[str, Callable[[Variant], Variant]]]:
    """A transposed or rotated kernel; swapped operands."""
    v, rank = s.call.v, s.call.v.ndim
    if rank == 2 and v.size > 1:
        yield "transposes the kernel", _kernel(np.transpose)
        yield "rotates the kernel a quarter turn (np.rot90(v))", _kernel(np.rot90)
        yield "rotates the kernel a quarter turn clockwise (np.rot90(v, -1))", _kernel(_rot_cw)
        yield "transposes the kernel about its anti-diagonal", _kernel(_anti_transpose)
    elif rank > 2:
        for perm in itertools.permutations(range(rank)):
            moved = [i for i, p in enumerate(perm) if p != i]
            if moved and any(v.shape[i] > 1 for i in moved):
                yield f"permutes the kernel's axes to {perm}", _kernel(_permute(perm))
    yield "swaps the operands", _swap


def _rot_cw(v: Array) -> Array:
    return np.rot90(v, -1)


def _anti_transpose(v: Array) -> Array:
    return np.flip(v).T


def _permute(perm: tuple[int, ...]) -> Callable[[Array], Array]:
    def transform(v: Array) -> Array:
        return np.transpose(v, perm)

    return transform


def _reoriented(conj: Conjugation, unflipped: tuple[int, ...]) -> Callable[[Variant], Variant]:
    """Convolution (flips=True) with ``conj`` of the kernel reversed along ``unflipped``."""

    def change(x: Variant) -> Variant:
        op = dataclasses.replace(x[0], flips=True, conjugates=conj)
        v = np.ascontiguousarray(np.flip(x[2], axis=unflipped)) if unflipped else x[2]
        return (op, x[1], v, x[3])

    return change


def _kernel(transform: Callable[[Array], Array]) -> Callable[[Variant], Variant]:
    def change(x: Variant) -> Variant:
        return (x[0], x[1], np.ascontiguousarray(transform(x[2])), x[3])

    return change


def _swap(x: Variant) -> Variant:
    return (x[0], x[2], x[1], x[3])


def _variant_candidate(s: Situation, words: str, change: Callable[[Variant], Variant]) -> Candidate:
    return Candidate(words, lambda: s.expect(change(s.base)), variant=change)


@hypothesis(tier=30)
def orientation(s: Situation) -> Iterator[Candidate | Finding]:
    """Flips along a subset of axes, with any conjugation; transposed, rotated kernel."""
    for words, change in _flip_variants(s):
        yield _variant_candidate(s, words, change)
    d = s.declared
    if d is not None:
        other = "descending" if s.op.lag_order == "ascending" else "ascending"
        yield Candidate(
            "lags in reverse order (the output reversed along every axis)"
            + _intended(f"lag_order={other!r}"),
            lambda: Prediction(np.flip(d.values), np.flip(d.bound), d.exact),
        )
    for words, change in _kernel_variants(s):
        yield _variant_candidate(s, words, change)


# -- tier 40: windows -------------------------------------------------------------------


def _window_variants(s: Situation) -> Iterator[tuple[str, Callable[[Variant], Variant]]]:
    op, mode = s.op, s.call.mode
    if mode == "same" and "same" in op.modes:
        for alignment in NAMED_ALIGNMENTS:
            if alignment != op.same_alignment:
                yield (
                    f"'same' window with {alignment} alignment (declared "
                    f"{getattr(op.same_alignment, '__name__', op.same_alignment)})"
                    + _intended(f"same_alignment={alignment!r}"),
                    _declare(same_alignment=alignment),
                )
    for other in ("full", "valid", "same"):
        if other != mode:
            yield f"returns the {other!r} window for mode {mode!r}", _mode(other)


def _declare(**changes: Any) -> Callable[[Variant], Variant]:
    def change(x: Variant) -> Variant:
        return (dataclasses.replace(x[0], **changes), x[1], x[2], x[3])

    return change


def _mode(mode: str) -> Callable[[Variant], Variant]:
    def change(x: Variant) -> Variant:
        return (x[0], x[1], x[2], mode)

    return change


def _declared_windows(s: Situation) -> list[tuple[int, int, int]]:
    """Per axis ``(start, length, full length)`` of the declared window in the full output
    as laid out (lags in the declared order)."""
    out = []
    for n, k in zip(s.a.shape, s.v.shape, strict=True):
        start, length = window(s.op, n, k, s.call.mode)
        full = n + k - 1
        if s.op.lag_order == "descending":
            start = full - start - length
        out.append((start, length, full))
    return out


def _axis_window_words(start: int, length: int, o: int, size: int) -> str:
    if size == length:
        shift = o - start
        later = "later" if shift > 0 else "earlier"
        return f"output shifted by {abs(shift)} (the window starts {abs(shift)} {later})"
    what, amount = ("truncated", length - size) if size < length else ("padded", size - length)
    if o == start:
        return f"output {what} by {amount} at the end"
    if o + size == start + length:
        return f"output {what} by {amount} at the start"
    return (
        f"output window [{o}, {o + size}) of the full output instead of [{start}, {start + length})"
    )


def _offsets(start: int, length: int, size: int) -> list[int]:
    near = [start + d for d in range(-3, 4)]
    if size != length:
        near += [start + length - size + d for d in range(-1, 2)]
    return sorted(set(near))


@hypothesis(tier=40)
def windows(s: Situation) -> Iterator[Candidate | Finding]:
    """Another alignment or mode; the window truncated, padded, shifted; output rolled."""
    for words, change in _window_variants(s):
        yield _variant_candidate(s, words, change)
    actual, rank = s.actual, s.a.ndim
    if actual.ndim != rank:
        return
    full = s.cache.get("full")
    if full is None:
        full = s.cache["full"] = predict(s.op, s.a, s.v, "full")
    if full is None:
        return
    declared = _declared_windows(s)
    per_axis = [_offsets(st, ln, actual.shape[i]) for i, (st, ln, _) in enumerate(declared)]
    pad = [(actual.shape[i] + 4, actual.shape[i] + 4) for i in range(rank)]
    values = np.pad(full.values, pad)
    bound = np.pad(np.broadcast_to(full.bound, full.values.shape), pad)
    combos = list(itertools.product(*per_axis))
    for offsets in combos[:512]:
        changed = [
            i
            for i, o in enumerate(offsets)
            if (o, actual.shape[i]) != (declared[i][0], declared[i][1])
        ]
        if not changed:
            continue
        index = tuple(
            slice(o + pad[i][0], o + pad[i][0] + actual.shape[i]) for i, o in enumerate(offsets)
        )
        words = "; ".join(
            _axis_window_words(declared[i][0], declared[i][1], offsets[i], actual.shape[i])
            + _along(i, rank)
            for i in changed
        )
        p = Prediction(values[index], bound[index], full.exact)
        yield Candidate(words, lambda p=p: p)  # type: ignore[misc]
    d = s.declared
    if d is None or not s.same_shape:
        return
    for axis in range(rank):
        length = actual.shape[axis]
        for shift in range(1, min(length, 64)):
            signed = shift if shift <= length // 2 else shift - length
            rolled = Prediction(
                np.roll(d.values, shift, axis),
                np.roll(np.broadcast_to(d.bound, d.values.shape), shift, axis),
                d.exact,
            )
            words = f"output rolled by {signed}{_along(axis, rank)} (circularly)"
            yield Candidate(words, lambda p=rolled: p)  # type: ignore[misc]
        for shift in (1, -1, 2, -2):
            if abs(shift) < length:
                shifted = _shift(d, shift, axis)
                words = (
                    f"output shifted by {abs(shift)} {'later' if shift > 0 else 'earlier'}"
                    f"{_along(axis, rank)} (zero-filled)"
                )
                yield Candidate(words, lambda p=shifted: p)  # type: ignore[misc]


def _shift(d: Prediction, shift: int, axis: int) -> Prediction:
    values = np.zeros_like(d.values)
    bound = np.zeros(d.values.shape)
    full_bound = np.broadcast_to(d.bound, d.values.shape)
    src = [slice(None)] * d.values.ndim
    dst = [slice(None)] * d.values.ndim
    if shift > 0:
        src[axis], dst[axis] = slice(None, -shift), slice(shift, None)
    else:
        src[axis], dst[axis] = slice(-shift, None), slice(None, shift)
    values[tuple(dst)] = d.values[tuple(src)]
    bound[tuple(dst)] = full_bound[tuple(src)]
    return Prediction(values, bound, d.exact)


# -- tier 50: taps ----------------------------------------------------------------------

MAX_TAPS = 4096


@hypothesis(tier=50)
def taps(s: Situation) -> Iterator[Candidate | Finding]:
    """One kernel tap dropped (counted zero times) or duplicated (counted twice)."""
    d = s.declared
    if d is None or not s.same_shape or s.v.size > MAX_TAPS or s.v.size < 2:
        return
    a_c, kernel = declared_operands(s.op, s.a, s.v)
    wide = np.result_type(a_c.dtype, kernel.dtype, np.float64)
    a_w = a_c.astype(wide)
    shape = tuple(n + k - 1 for n, k in zip(s.a.shape, s.v.shape, strict=True))
    for j in np.ndindex(*s.v.shape):
        kj = j if s.op.flips else tuple(k - 1 - i for i, k in zip(j, s.v.shape, strict=True))
        tap = kernel[kj]
        if tap == 0:
            continue
        full = np.zeros(shape, dtype=wide)
        full[tuple(slice(i, i + n) for i, n in zip(kj, s.a.shape, strict=True))] = a_w * tap
        contribution = declared_layout(s.op, full, s.a.shape, s.v.shape, s.call.mode)
        if not contribution.any():
            continue
        name = f"v[{', '.join(map(str, j))}]"
        for sign, words in ((-1, "drops"), (1, "duplicates")):
            with np.errstate(all="ignore"):
                values = d.values + sign * contribution
            if d.exact:
                values = np.round(values.real).astype(d.values.dtype)
            elif d.values.dtype.kind == "f":
                values = values.real
            p = Prediction(values, d.bound, d.exact)
            what = "it adds nothing" if sign < 0 else "it is added twice"
            yield Candidate(f"{words} kernel tap {name} ({what})", lambda p=p: p)  # type: ignore[misc]


# -- tier 60: precision -----------------------------------------------------------------

_PRECISIONS = ("float32", "float16")


@hypothesis(tier=60)
def precision(s: Situation) -> Iterator[Candidate | Finding]:
    """The error fits an FFT bound or a lower accumulation precision (never offered for
    exact or structural errors: another shape or dtype, integers, errors beyond the bound,
    or -- for a lower precision -- values off that precision's grid)."""
    d = s.declared
    actual = s.actual
    if d is None or d.exact or not s.same_shape or actual.dtype.kind not in "fc":
        return
    if actual.dtype != declared_result_dtype(s.op, s.a.dtype, s.v.dtype):
        return
    a, v, mode = s.call.a, s.call.v, s.call.mode
    if s.op.method_for(v.size) == "direct":
        fft = dataclasses.replace(s.op, method="fft", fft_above=None, accuracy=None)
        yield Candidate(
            "error fits an FFT (normwise) bound, not the declared direct method"
            + _intended("method='fft'"),
            lambda: _looser(d, predict(fft, a, v, mode)),
            looser_bound=True,
        )
    current = np.finfo(
        np.dtype(s.op.accumulation) if s.op.accumulation != "result" else actual.dtype
    )
    for name in _PRECISIONS:
        if np.finfo(name).eps <= current.eps or not _on_grid(actual, name):
            continue
        lower = dataclasses.replace(s.op, accumulation=name, accuracy=None)
        yield Candidate(
            f"error fits {name} accumulation, not the declared precision ({current.dtype})"
            + _intended(f"accumulation={name!r}"),
            lambda lower=lower: _looser(d, predict(lower, a, v, mode)),  # type: ignore[misc]
            looser_bound=True,
        )


def _on_grid(actual: Array, precision: str, share: float = 0.9) -> bool:
    """Whether (nearly) every value is exactly representable in ``precision``: sums
    accumulated in it end there, whatever dtype they are returned in.  A structural error
    of the same size leaves values off that grid."""
    parts = [actual.real, actual.imag] if actual.dtype.kind == "c" else [actual]
    with np.errstate(all="ignore"):
        on = [np.asarray(x.astype(precision).astype(x.dtype) == x) for x in parts]
    return bool(np.mean(np.logical_and.reduce(on)) >= share)


def _looser(d: Prediction, p: Prediction | None) -> Prediction | None:
    return None if p is None else Prediction(d.values, np.maximum(p.bound, d.bound), d.exact)


# -- tier 70: pairs ---------------------------------------------------------------------

SMALL_FOR_PAIRS = 512


@hypothesis(tier=70)
def pairs(s: Situation) -> Iterator[Candidate | Finding]:
    """An orientation hypothesis and a window hypothesis together (small cases)."""
    if max(s.a.size, s.v.size) > SMALL_FOR_PAIRS:
        return
    orientations = list(_orientation_variants(s))
    orientations.append(("lags in reverse order", _declare(lag_order=_other_lags(s.op))))
    for (words1, change1), (words2, change2) in itertools.product(
        orientations, list(_window_variants(s))
    ):
        yield _variant_candidate(s, f"{words1}, and {words2}", _compose(change1, change2))


def _other_lags(op: Operation) -> str:
    return "descending" if op.lag_order == "ascending" else "ascending"


def _compose(
    first: Callable[[Variant], Variant], second: Callable[[Variant], Variant]
) -> Callable[[Variant], Variant]:
    def change(x: Variant) -> Variant:
        return second(first(x))

    return change
