"""Identify, stage 2: fitting a declaration to what a function did.

Every hypothesis is a candidate :class:`~convspec.conformance.Operation`: the reference
computes what the function would return under it (:func:`conventions.expectation`, the
same code the suite judges with), and the candidate survives when the probed outputs
agree.  The stages run in order, each fixing some fields and handing the rest what it
learned: acceptance (ranks, modes, a working dtype), structure (flips, lag order,
conjugation), windows (each mode over a grid of ``(N, K)``; the 'same' alignment; N >= K
restrictions), restrictions in N-D, dtypes (result dtype rule, mixed operands), integers
(overflow), accuracy (method and accumulation precision; complex products), inf/NaN,
and rejected input.  Structural fits use the loosest accuracy class (direct summation in
bfloat16), so a function's rounding never hides its conventions; the accuracy stage then
picks the tightest class the outputs fit.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

import convspec
from convspec import numerics

from .backend import Array, Operation
from .boundary_hypotheses import describe_boundary
from .cases import Call
from .conventions import NAMED_ALIGNMENTS, declared_result_dtype, expectation
from .diagnosis import diagnose
from .identify_boundary import boundary_candidates, measured_fill
from .identify_probe import Probe, Prober
from .inputs import discriminating, random_values
from .layer_backend import LayerOperation
from .tolerance import measure

__all__ = ["DEFAULT_DTYPES", "Finding", "Fit", "fit", "result_rule"]

#: The dtypes identify tries unless told otherwise.
DEFAULT_DTYPES = (
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
)
MODES = ("full", "valid", "same")
#: Ranks tried; all of them accepted means "any rank" (``ranks=None``).
RANKS = (1, 2, 3, 4)
#: (N, K) pairs of the window fit: K = 1, K = N, K > N, odd and even K on both sides.
WINDOW_GRID = (
    (1, 1),
    (5, 1),
    (6, 6),
    (7, 7),
    (5, 2),
    (8, 4),
    (9, 3),
    (8, 5),
    (7, 6),
    (3, 5),
    (2, 6),
    (4, 7),
    (1, 3),
    (2, 5),
)
#: The structural tolerance: any rounding short of a wrong sum passes.
LOOSE = numerics.Accuracy("direct", "bfloat16", note="identify: structure only")
_FLOAT_NAMES = ("float16", "float32", "float64", "complex64", "complex128")
#: The Operation fields a candidate's expected result depends on.
_CONVENTIONS = (
    "flips",
    "conjugates",
    "same_alignment",
    "lag_order",
    "result_dtype",
    "method",
    "accumulation",
    "complex_products",
    "accuracy",
    "integer_overflow",
    "boundary",
    "fill_value",
    "origin",
    "fft_above",
)


def _dummy(a: Array, v: Array, mode: str) -> Array:
    raise NotImplementedError("a candidate declaration is never called")


@dataclass
class Finding:
    """One fitted field: its value, whether identify could observe it, and the evidence."""

    value: Any
    observed: bool = True
    #: What supports the value (one line each).
    support: list[str] = field(default_factory=list)
    #: Candidates rejected, each with its first failure.
    rejected: dict[str, str] = field(default_factory=dict)
    #: Python source of a callable value (a window formula).
    source: str | None = None


@dataclass
class Fit:
    """The state the stages share: what has been fitted so far and how."""

    prober: Prober
    dtypes: tuple[str, ...]
    rng: np.random.Generator
    findings: dict[str, Finding] = field(default_factory=dict)
    #: Behaviour no declaration can express (each with the diagnosis that names it).
    problems: list[str] = field(default_factory=list)
    #: Per stage: how many calls it made.
    stage_calls: dict[str, int] = field(default_factory=dict)
    #: Fitted 'same' windows (N, K) -> (start, length), for the window formula.
    same_table: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    #: The 'same' probes behind :attr:`same_table`, by (N, K).
    same_probes: dict[tuple[int, int], Probe] = field(default_factory=dict)
    rank: int = 1
    real_dtype: str | None = None
    complex_dtype: str | None = None
    accepted_dtypes: list[str] = field(default_factory=list)
    #: Result dtype names by operand dtype pair, as observed.
    observed_dtypes: dict[tuple[str, str], str] = field(default_factory=dict)

    def set(self, name: str, value: Any, **details: Any) -> Finding:
        finding = Finding(value, **details)
        self.findings[name] = finding
        return finding

    def value(self, name: str, default: Any = None) -> Any:
        return self.findings[name].value if name in self.findings else default

    def operation(self, loose: bool = False, **changes: Any) -> Operation:
        """A candidate declaration: the conventions fitted so far, ``changes`` on top.

        Only the fields the expected result depends on are carried over (what the function
        accepts is irrelevant to a candidate); ``loose``: structure only.
        """
        fields = {
            n: f.value for n, f in self.findings.items() if n in _CONVENTIONS and f.observed
        } | changes
        fields.setdefault("flips", True)
        if loose:
            fields["accuracy"] = {name: LOOSE for name in _FLOAT_NAMES}
            fields.setdefault("result_dtype", "promote")
        return Operation(_dummy, **fields)

    def tail_starts(self) -> tuple[int, ...]:
        """The window starts on the trailing length-1 axes of :meth:`tail` (K = 1 there)."""
        return (0,) * (self.rank - 1)

    def kernel_length(self, k: int, mode: str) -> int:
        """``k``, made odd where ``mode`` takes odd kernels only (astropy's convolve)."""
        return k + 1 if k % 2 == 0 and mode in self.value("needs_odd_k", ()) else k

    def tail(self) -> tuple[int, ...]:
        """Trailing length-1 axes that make a 1-D probe of the fitted rank."""
        return (1,) * (self.rank - 1)

    def operands(self, n: int, k: int, dtype: str) -> tuple[Array, Array]:
        """A signal and a discriminating kernel; integer signals small enough not to overflow."""
        shape = (n, *self.tail())
        if np.dtype(dtype).kind in "iu":
            low = 0 if np.dtype(dtype).kind == "u" else -3
            a = self.rng.integers(low, 4, size=shape).astype(dtype)
        else:
            a = random_values(shape, dtype, self.rng)
        return a, discriminating((k, *self.tail()), dtype, self.rng)


# ------------------------------------------------------------------ comparing


def _expect(op: Operation, a: Array, v: Array, mode: str, exact: bool = False) -> Any:
    try:
        return expectation(op, a, v, mode, exact=exact)
    except (ValueError, OverflowError, TypeError, ZeroDivisionError):
        return None


def agrees(probe: Probe, op: Operation, exact: bool = False) -> bool:
    """Whether ``probe`` returned what ``op`` declares (values and shape; not the dtype)."""
    if not probe.ok or probe.value.dtype.kind not in "biufc":
        return False
    expected = _expect(op, probe.a, probe.v, probe.mode, exact)
    if expected is None or expected.values.shape != probe.value.shape:
        return False
    if expected.dtype.kind in "iu" and probe.value.dtype.kind in "iu":
        return bool(np.array_equal(probe.value.astype(object), expected.values.astype(object)))
    return bool(measure(probe.value, expected.values, expected.bound)["passed"])


def failure(probe: Probe, op: Operation, exact: bool = False) -> str:
    """Why ``probe`` disagrees with ``op``, in one line."""
    where = probe.describe()
    if not probe.ok:
        return f"{where} {probe.outcome.status}: {probe.outcome.message}"
    expected = _expect(op, probe.a, probe.v, probe.mode, exact)
    if expected is None:
        return f"{where}: the candidate predicts nothing for it"
    if expected.values.shape != probe.value.shape:
        return f"{where}: shape {probe.value.shape}, the candidate predicts {expected.values.shape}"
    m = measure(probe.value, expected.values, expected.bound)
    return (
        f"{where}: {m['over_bound']} of {m['elements']} elements outside the bound "
        f"(worst {m['max_fraction']:.3g} x bound), {m['special_mismatches']} inf/NaN mismatches"
    )


def _window_starts(
    full_shape: tuple[int, ...], shape: tuple[int, ...]
) -> Iterator[tuple[int, ...]]:
    ranges = [range(f - s + 1) for f, s in zip(full_shape, shape, strict=True)]
    return itertools.product(*ranges)


def find_window(
    probe: Probe,
    op: Operation,
    order: str = "ascending",
    expected: tuple[int, ...] | None = None,
) -> tuple[list[tuple[int, int]], str] | None:
    """Where in ``op``'s full output the probed result sits: ``(start, length)`` per axis
    and the lag order (``"ascending"`` or ``"descending"``); None if nowhere.

    Of the windows within the bound, one in the lag ``order`` and at the ``expected``
    starts is preferred, then the nearest: a periodic or edge-extended short signal sits
    in several windows alike, and is read as what was already fitted.
    """
    if not probe.ok or probe.value.ndim != probe.a.ndim or probe.value.dtype.kind not in "biufc":
        return None
    ascending = dataclasses.replace(op, lag_order="ascending")
    full = _expect(ascending, probe.a, probe.v, "full")
    if full is None:
        return None
    actual = probe.value
    best: tuple[tuple[bool, bool, float], list[tuple[int, int]], str] | None = None
    for starts in _window_starts(full.values.shape, actual.shape):
        cut = tuple(slice(s, s + n) for s, n in zip(starts, actual.shape, strict=True))
        values, bound = full.values[cut], full.bound[cut]
        for lags, candidate in (("ascending", actual), ("descending", np.flip(actual))):
            distance = _distance(candidate, values, bound)
            if distance is None:
                continue
            key = (lags != order, expected is not None and starts != expected, distance)
            if best is None or key < best[0]:
                window = [(s, n) for s, n in zip(starts, actual.shape, strict=True)]
                best = (key, window, lags)
    return None if best is None else (best[1], best[2])


def _distance(actual: Array, values: Array, bound: Array) -> float | None:
    """How far ``actual`` is from ``values`` in fractions of ``bound``; None if beyond it."""
    if values.dtype.kind in "iu" and actual.dtype.kind in "iu":
        return 0.0 if np.array_equal(actual.astype(object), values.astype(object)) else None
    m = measure(actual, values, bound)
    return float(m["max_fraction"]) if m["passed"] else None


def explain(fit: Fit, probe: Probe) -> str:
    """What the diagnosis says ``probe`` computes, against the declaration fitted so far."""
    if not probe.ok:
        return f"{probe.outcome.status}: {probe.outcome.message}"
    op = fit.operation(loose=True)
    call = Call("f", probe.a, probe.v, probe.mode)
    names: list[str] = []
    for candidate in (op, dataclasses.replace(op, flips=not op.flips)):
        try:
            names += [n for n in diagnose(candidate, call, probe.value) if n not in names]
        except Exception as error:  # the diagnosis must never stop identify
            names.append(f"(diagnosis failed: {type(error).__name__}: {error})")
    flips = "convolution" if op.flips else "correlation"
    said = "; ".join(names) if names else "no simple explanation"
    return f"{probe.describe()}: against the {flips} fitted so far: {said}"


# ------------------------------------------------------------------ stage 1: acceptance


def _first_ok(probes: list[Probe]) -> Probe | None:
    return next((p for p in probes if p.ok), None)


def fit_acceptance(fit: Fit) -> bool:
    """A dtype, a rank and the modes the function accepts at all; False if it takes nothing."""
    order = ("float64", "float32", "complex128", "complex64", "int64", "int32", "float16")
    candidates = [d for d in order if d in fit.dtypes] + [d for d in fit.dtypes if d not in order]
    working: tuple[str, int] | None = None
    tried: dict[str, str] = {}
    for rank in (1, 2):
        for dtype in candidates:
            a = random_values((7,) * rank, dtype, fit.rng)
            v = discriminating((3,) * rank, dtype, fit.rng)
            probes = fit.prober.run([(a, v, m) for m in MODES])
            ok = _first_ok(probes)
            if ok is not None:
                working = (dtype, rank)
                break
            tried[f"{dtype} rank {rank}"] = failure(probes[0], fit.operation())
        if working:
            break
    if working is None:
        fit.problems.append(
            "accepts no probe: " + "; ".join(f"{k}: {v}" for k, v in list(tried.items())[:3])
        )
        return False
    dtype, rank = working
    fit.real_dtype = dtype
    ranks = []
    rejected = {}
    for r in RANKS:
        # Odd kernels of 3 on every axis: taken by odd-only functions and by an origin of 1.
        a = random_values((5, *(4,) * (r - 1)), dtype, fit.rng)
        v = discriminating((3,) * r, dtype, fit.rng)
        probes = fit.prober.run([(a, v, m) for m in MODES])
        if _first_ok(probes):
            ranks.append(r)
        else:
            rejected[f"rank {r}"] = failure(probes[0], fit.operation())
    if not ranks:
        # Accepted one probe but none of the rank probes (shapes of every axis > 1).
        fit.problems.append(
            "accepts no rank probe: " + "; ".join(f"{k}: {v}" for k, v in rejected.items())
        )
        return False
    fit.rank = min(ranks)
    value = None if tuple(ranks) == RANKS else tuple(ranks)
    support = [
        f"ranks {', '.join(map(str, ranks))} accepted" + (" (any rank)" if value is None else "")
    ]
    fit.set("ranks", value, support=support, rejected=rejected)
    return True


# ------------------------------------------------------------------ stage 2: structure


def _locate_kind(
    fit: Fit, probes: list[Probe], require_all: bool, **changes: Any
) -> tuple[list[tuple[bool, str, Probe]], dict[str, str]]:
    """For a convolution and a cross-correlation (with ``changes``): the first probe whose
    result is a window of it; ``require_all``: every probe that returned must be one.
    """
    found: list[tuple[bool, str, Probe]] = []
    rejected: dict[str, str] = {}
    for flips in (True, False):
        op = fit.operation(loose=True, flips=flips, **changes)
        ok = [p for p in probes if p.ok]
        located = [(p, find_window(p, op)) for p in ok]
        hits = [(p, w) for p, w in located if w is not None]
        if hits and (not require_all or len(hits) == len(ok)):
            probe, window = hits[0]
            found.append((flips, window[1], probe))
        else:
            kind = "convolution" if flips else "correlation"
            rejected[kind] = "; ".join(failure(p, op) for p in ok)[:400] or "no result"
    return found, rejected


def fit_structure(fit: Fit) -> None:
    """Flips and lag order on a real dtype, then the conjugation on a complex one.

    The spec's zero outside the box first, with every mode that returned a window of it;
    else every other boundary (:mod:`.identify_boundary`), on a second kernel length
    too, so that extensions which agree next to the box (edge and symmetric, one tap out)
    are told apart; else the zero boundary with the modes that are windows of it.
    """
    dtype = fit.real_dtype
    assert dtype is not None
    a, v = fit.operands(9, 3, dtype)
    probes = fit.prober.run([(a, v, m) for m in MODES])
    found, rejected = _locate_kind(fit, probes, require_all=True)
    boundary: tuple[str, float] = ("constant", 0)
    if len({f for f, _, _ in found}) != 1 and any(p.ok for p in probes):
        found, boundary = _fit_boundary(fit, dtype, probes, rejected)
    if len({f for f, _, _ in found}) != 1:
        # No boundary makes every mode a window: as the spec's zero boundary, by the modes
        # that are windows of it (the windows stage says which).
        found, _ = _locate_kind(fit, probes, require_all=False)
    flips_found = {f for f, _, _ in found}
    if len(flips_found) != 1:
        ok = [p for p in probes if p.ok]
        words = explain(fit, ok[0]) if ok else "no mode returned a result"
        fit.problems.append(f"neither a convolution nor a cross-correlation fits: {words}")
        fit.set("flips", True, observed=False, rejected=rejected)
        fit.set("lag_order", "ascending", observed=False)
        return
    flips, order, probe = found[0]
    support = [
        f"{probe.describe()} is a window of the {'convolution' if flips else 'cross-correlation'}"
    ]
    fit.set("flips", flips, support=support, rejected=rejected)
    fit.set("lag_order", order, support=[f"{probe.describe()}: lags {order}"])
    _set_boundary(fit, boundary, probes)
    _check_nd_structure(fit, dtype)
    _fit_conjugation(fit)


def _fit_boundary(
    fit: Fit, dtype: str, probes: list[Probe], rejected: dict[str, str]
) -> tuple[list[tuple[bool, str, Probe]], tuple[str, float]]:
    """The first boundary under which exactly one kind fits every probe that returned."""
    a, v = fit.operands(9, 5, dtype)
    longer = fit.prober.run([(a, v, m) for m in MODES])
    fill = measured_fill(fit.prober, dtype, fit.tail(), MODES)
    for boundary, fill_value in boundary_candidates(fill):
        changes = {"boundary": boundary, "fill_value": fill_value}
        found, why = _locate_kind(fit, probes + longer, require_all=True, **changes)
        if len({f for f, _, _ in found}) == 1:
            return found, (boundary, fill_value)
        words = describe_boundary(boundary, fill_value)
        rejected.update({f"{kind}, {words}": text for kind, text in why.items()})
    return [], ("constant", 0)


def _set_boundary(fit: Fit, boundary: tuple[str, float], probes: list[Probe]) -> None:
    """Record the boundary fitted; it shows only where a mode reads outside the box."""
    name, fill_value = boundary
    reads_outside = [p for p in probes if p.ok and p.mode in ("full", "same")]
    words = describe_boundary(name, fill_value)
    if not reads_outside and name == "constant" and fill_value == 0:
        support = ["only 'valid' returned: no output reads outside the box"]
        fit.set("boundary", name, observed=False, support=support)
        fit.set("fill_value", fill_value, observed=False, support=support)
        return
    support = [f"{words}: the results of {len(reads_outside)} probes reading outside the box fit"]
    fit.set("boundary", name, support=support)
    fit.set("fill_value", fill_value, support=support)


def _check_nd_structure(fit: Fit, dtype: str) -> None:
    """A 2-D probe with a discriminating kernel: the flip must hold on every axis (ND-2)."""
    ranks = fit.value("ranks")
    if ranks is not None and 2 not in ranks:
        return
    a = random_values((6, 5), dtype, fit.rng)
    v = discriminating((3, 2), dtype, fit.rng)
    probes = fit.prober.run([(a, v, m) for m in MODES])
    op = fit.operation(loose=True)
    ok = [p for p in probes if p.ok]
    if ok and not any(find_window(p, op) for p in ok):
        fit.problems.append(f"2-D: the 1-D structure does not hold: {explain(fit, ok[0])}")
        fit.findings["flips"].support.append("holds in 1-D only")
    elif ok:
        fit.findings["flips"].support.append(f"{ok[0].describe()} agrees (2-D)")


def _fit_conjugation(fit: Fit) -> None:
    complex_dtype = next((d for d in ("complex128", "complex64") if d in fit.dtypes), None)
    probes: list[Probe] = []
    if complex_dtype is not None:
        a, v = fit.operands(9, 3, complex_dtype)
        probes = [p for p in fit.prober.run([(a, v, m) for m in MODES]) if p.ok]
    if not probes:
        fit.set(
            "conjugates",
            None,
            observed=False,
            support=["no complex dtype accepted: the conjugation cannot be observed"],
        )
        return
    fit.complex_dtype = complex_dtype
    rejected: dict[str, str] = {}
    for conj in ("second", "first", "none"):
        op = fit.operation(loose=True, conjugates=conj)
        for probe in probes:
            located = find_window(probe, op)
            if located is not None and located[1] == fit.value("lag_order"):
                fit.set(
                    "conjugates", conj, support=[f"{probe.describe()} agrees"], rejected=rejected
                )
                return
        rejected[conj] = failure(probes[0], op)
    words = f"complex results fit no conjugation: {explain(fit, probes[0])}"
    fit.set("conjugates", None, observed=False, support=[words], rejected=rejected)


# ------------------------------------------------------------------ stage 3: windows


def _named_windows(n: int, k: int) -> dict[str, tuple[int, int]]:
    return {
        "full": convspec.mode_window(n, k, "full"),
        "valid": convspec.mode_window(n, k, "valid"),
    }


def fit_windows(fit: Fit) -> None:
    """Each mode over :data:`WINDOW_GRID`: declared if it returns its window, and where.

    Under a boundary other than zero, a result that is instead a window of the
    zero-boundary convolution counts as its window, and is recorded as a deviation (the
    boundary ignored there; scipy's 2-D 'valid' with K > N).
    """
    dtype = fit.real_dtype
    assert dtype is not None
    op = fit.operation(loose=True)
    zero = fit.operation(loose=True, boundary="constant", fill_value=0) if op.extends else None
    requests = []
    for n, k in WINDOW_GRID:
        a, v = fit.operands(n, k, dtype)
        requests += [(a, v, m) for m in MODES]
    probes = fit.prober.run(requests)
    table: dict[str, dict[tuple[int, int], Any]] = {m: {} for m in MODES}
    ignored: dict[str, list[tuple[int, int]]] = {}
    for probe in probes:
        n, k = probe.a.shape[0], probe.v.shape[0]
        if not probe.ok:
            table[probe.mode][(n, k)] = probe
            continue
        order = fit.value("lag_order")
        named = _named_windows(n, k).get(probe.mode)
        expected = None if named is None else (named[0], *fit.tail_starts())
        located = find_window(probe, op, order, expected)
        if located is None and zero is not None:
            located = find_window(probe, zero, order, expected)
            if located is not None:
                ignored.setdefault(probe.mode, []).append((n, k))
        ordered = located is not None and located[1] == fit.value("lag_order")
        table[probe.mode][(n, k)] = located[0][0] if located and ordered else probe
        if probe.mode == "same":
            fit.same_probes[(n, k)] = probe
    modes, needs, odd = [], [], []
    shortest: dict[str, int] = {}
    rejected: dict[str, str] = {}
    for mode in MODES:
        verdict = _mode_verdict(fit, mode, table[mode])
        if verdict is None:
            rejected[mode] = _mode_rejection(fit, mode, table[mode])
            continue
        modes.append(mode)
        if verdict[0]:
            needs.append(mode)
        if verdict[1]:
            odd.append(mode)
        shortest[mode] = verdict[2]
    support = [f"{len(WINDOW_GRID)} (N, K) pairs per mode"]
    fit.set("modes", tuple(modes), support=support, rejected=rejected)
    fit.set(
        "needs_n_ge_k",
        tuple(needs),
        support=[f"mode {m!r} raises for every K > N and works for K <= N" for m in needs],
    )
    fit.set(
        "needs_odd_k",
        tuple(odd),
        support=[f"mode {m!r} raises for every even K and works for odd K" for m in odd],
    )
    _set_min_kernel(fit, shortest)
    _set_deviations(fit, {m: cells for m, cells in ignored.items() if m in modes})
    if "same" in modes:
        _fit_same_alignment(fit)
    else:
        fit.set("same_alignment", "lower", observed=False, support=["no 'same' mode"])
        fit.set("origin", 0, observed=False, support=["no 'same' mode"])


def _set_min_kernel(fit: Fit, shortest: dict[str, int]) -> None:
    """The shortest kernel every declared mode accepts (an ndimage origin needs K > 1)."""
    if not shortest:
        fit.set("min_kernel", 1, observed=False, support=["no mode declared"])
        return
    value = max(shortest.values())
    if len(set(shortest.values())) != 1:
        fit.problems.append(f"modes accept different shortest kernels: {shortest}")
    words = "every kernel length tried" if value == 1 else f"raises for every K < {value}"
    fit.set("min_kernel", value, support=[f"{', '.join(shortest)}: {words}"])


def _set_deviations(fit: Fit, ignored: dict[str, list[tuple[int, int]]]) -> None:
    """Where the fitted boundary is not applied: no field declares it (a Deviation does)."""
    found = []
    for mode, cells in ignored.items():
        cases = ", ".join(f"N={n} K={k}" for n, k in cells)
        where = "K > N" if all(k > n for n, k in cells) else cases
        found.append(
            f"mode {mode!r} ignores the boundary where {where}: the result is the "
            f"zero-boundary window ({cases})"
        )
    _add_deviations(fit, found)


def _add_deviations(fit: Fit, found: list[str]) -> None:
    """Record behaviour no Operation field declares (a backend documents a Deviation)."""
    if not found:
        return
    previous = fit.value("deviations", ())
    fit.set("deviations", (*previous, *found), support=[*previous, *found])


def _mode_verdict(
    fit: Fit, mode: str, cells: dict[tuple[int, int], Any]
) -> tuple[bool, bool, int] | None:
    """None: the mode is not declarable; else whether it needs N >= K, odd K, and the
    shortest kernel it accepts (every shorter one raises)."""
    works = {nk: c for nk, c in cells.items() if isinstance(c, tuple)}
    raised = {nk for nk, c in cells.items() if isinstance(c, Probe) and not c.ok}
    shortest = min((nk[1] for nk in works), default=1)
    short = {nk for nk in cells if nk[1] < shortest}
    if short and short <= raised:
        cells = {nk: c for nk, c in cells.items() if nk not in short}
    else:
        shortest = 1
    even = {nk for nk in cells if nk[1] % 2 == 0}
    odd_only = bool(even) and even <= raised and any(nk[1] % 2 for nk in works)
    if odd_only:
        cells = {nk: c for nk, c in cells.items() if nk not in even}
    le = [nk for nk in cells if nk[1] <= nk[0]]
    gt = [nk for nk in cells if nk[1] > nk[0]]
    if not all(nk in works for nk in le):
        return None
    needs = not any(nk in works for nk in gt)
    if not needs and not all(nk in works for nk in gt):
        return None  # raises (or computes something else) for some K > N only
    if mode == "same":
        fit.same_table = {nk: works[nk] for nk in cells if nk in works}
        if not all(w[1] == nk[0] for nk, w in fit.same_table.items() if nk[1] <= nk[0]):
            return None
        return needs, odd_only, shortest
    expected = {nk: _named_windows(*nk)[mode] for nk in cells if nk in works}
    if any(works[nk] != expected[nk] for nk in expected):
        return None
    return needs, odd_only, shortest


def _mode_rejection(fit: Fit, mode: str, cells: dict[tuple[int, int], Any]) -> str:
    for (n, k), cell in cells.items():
        if isinstance(cell, Probe):
            if not cell.ok:
                return f"N={n}, K={k}: {cell.outcome.status}: {cell.outcome.message}"
            return (
                f"N={n}, K={k}: the result is no window of the full output ({explain(fit, cell)})"
            )
    for (n, k), cell in cells.items():
        expected = _named_windows(n, k).get(mode)
        if mode == "same" and k <= n and cell[1] != n:
            return f"N={n}, K={k}: returns (start, length) = {cell}, not a length-N window"
        if expected is not None and cell != expected:
            return (
                f"N={n}, K={k}: returns (start, length) = {cell}, the {mode!r} window is {expected}"
            )
    return "inconsistent windows"


#: Start and length expressions a 'same' window formula is built from.
_STARTS = (
    "(k - 1) // 2",
    "k // 2",
    "0",
    "k - 1",
    "(n - 1) // 2",
    "n // 2",
    "n - 1",
    "(min(n, k) - 1) // 2",
    "min(n, k) // 2",
    "(k - n) // 2",
    "(k - n + 1) // 2",
)
_LENGTHS = ("n", "max(n, k)", "k", "min(n, k)", "n + k - 1")


def _expression(text: str) -> Callable[[int, int], int]:
    function: Callable[[int, int], int] = eval(f"lambda n, k: {text}")
    return function


def _fits(texts: tuple[str, ...], cells: dict[tuple[int, int], int]) -> str | None:
    return next(
        (t for t in texts if all(_expression(t)(*nk) == x for nk, x in cells.items())), None
    )


def _piecewise(texts: tuple[str, ...], cells: dict[tuple[int, int], int]) -> str | None:
    """One expression for every cell, else one for K <= N and one for K > N."""
    whole = _fits(texts, cells)
    if whole is not None:
        return whole
    low = _fits(texts, {nk: x for nk, x in cells.items() if nk[1] <= nk[0]})
    high = _fits(texts, {nk: x for nk, x in cells.items() if nk[1] > nk[0]})
    return None if low is None or high is None else f"{low} if k <= n else {high}"


def window_formula(table: dict[tuple[int, int], tuple[int, int]]) -> str | None:
    """A lambda ``(n, k) -> (start, length)`` reproducing ``table``, piecewise in K <= N."""
    start = _piecewise(_STARTS, {nk: w[0] for nk, w in table.items()})
    length = _piecewise(_LENGTHS, {nk: w[1] for nk, w in table.items()})
    if start is None or length is None:
        return None
    return f"lambda n, k: ({start}, {length})"


#: Origins tried: a constant shift of a named alignment's 'same' window (BOUND-8).
ORIGINS = (-1, 1, -2, 2, -3, 3)


def _fit_same_alignment(fit: Fit) -> None:
    """A named alignment; else a named alignment shifted by one origin on every (N, K);
    else a window formula."""
    table = fit.same_table
    probes = [fit.same_probes[nk] for nk in table]
    rejected: dict[str, str] = {}
    # Judged by the values each candidate predicts, not by the window located: under a
    # boundary, a short signal (N = 1 with edge values) sits in several windows alike.
    for origin, name in itertools.product((0, *ORIGINS), NAMED_ALIGNMENTS):
        op = fit.operation(loose=True, same_alignment=name, origin=origin)
        wrong = [p for p in probes if not agrees(p, op)]
        if not wrong:
            shifted = f" shifted by {origin}" if origin else ""
            support = [f"{name}{shifted} fits all {len(table)} (N, K) pairs that ran"]
            fit.set("same_alignment", name, support=support, rejected=rejected)
            fit.set("origin", origin, support=support)
            return
        if origin == 0:
            rejected[name] = failure(wrong[0], op)
    fit.set("origin", 0, support=["no constant shift of a named alignment fits"])
    formula = window_formula(table)
    if formula is None:
        fit.problems.append(f"'same' windows fit no alignment or formula: {sorted(table.items())}")
        fit.set("same_alignment", "lower", observed=False, rejected=rejected)
        return
    support = [f"no named alignment fits; {formula} fits all {len(table)} (N, K) pairs that ran"]
    function: Callable[[int, int], tuple[int, int]] = eval(formula)
    fit.set("same_alignment", function, support=support, rejected=rejected, source=formula)


# ------------------------------------------------------------------ stage 4: N-D restrictions


def fit_nd_restrictions(fit: Fit) -> None:
    """Mixed shapes (N > K on one axis, N < K on another): needs_one_larger."""
    ranks = fit.value("ranks")
    if ranks is not None and 2 not in ranks:
        fit.set("needs_one_larger", (), support=["1-D only: one operand is always larger"])
        return
    dtype = fit.real_dtype
    assert dtype is not None
    modes = [m for m in fit.value("modes") if m not in fit.value("needs_n_ge_k")]
    a = random_values((5, 2), dtype, fit.rng)
    requests = []
    for m in modes:  # K = 4 on the last axis, 5 where the mode takes odd kernels only
        v = discriminating((3, fit.kernel_length(4, m)), dtype, fit.rng)
        requests.append((a, v, m))
    probes = fit.prober.run(requests)
    op = fit.operation(loose=True)
    needs, support = [], []
    for probe in probes:
        if not probe.ok:
            needs.append(probe.mode)
            support.append(f"{probe.describe()} raises: {probe.outcome.message}")
        elif not agrees(probe, op):
            fit.problems.append(f"mixed shapes: {explain(fit, probe)}")
    fit.set(
        "needs_one_larger", tuple(needs), support=support or ["mixed shapes work in every mode"]
    )


# ------------------------------------------------------------------ stage 5: dtypes


def _mode(fit: Fit) -> str:
    modes = fit.value("modes") or ("full",)
    return "full" if "full" in modes else modes[0]


RULES = ("spec", "promote", "first", "float64")


def fit_dtypes(fit: Fit) -> None:
    """Which dtypes give the fitted values, mixed operands, and the result dtype rule."""
    mode = _mode(fit)
    op = fit.operation(loose=True)
    probes = fit.prober.run([(*fit.operands(7, 3, d), mode) for d in fit.dtypes])
    observed: dict[tuple[str, str], str] = {}
    rejected: dict[str, str] = {}
    for dtype, probe in zip(fit.dtypes, probes, strict=True):
        if probe.ok and _agrees_any_dtype(probe, op):
            fit.accepted_dtypes.append(dtype)
            observed[(dtype, dtype)] = probe.value.dtype.name
        else:
            rejected[dtype] = failure(probe, op) if not probe.ok else explain(fit, probe)
    pairs = [(d, e) for d in fit.accepted_dtypes for e in fit.accepted_dtypes if d != e]
    requests = [(fit.operands(7, 3, d)[0], fit.operands(7, 3, e)[1], mode) for d, e in pairs]
    mixed_rejected: dict[str, str] = {}
    for (d, e), probe in zip(pairs, fit.prober.run(requests), strict=True):
        if probe.ok and _agrees_any_dtype(probe, op):
            observed[(d, e)] = probe.value.dtype.name
        else:
            mixed_rejected[f"{d} with {e}"] = failure(probe, op)
    fit.observed_dtypes = observed
    fit.set(
        "dtypes",
        tuple(fit.accepted_dtypes),
        support=[f"{len(fit.dtypes)} dtypes tried"],
        rejected=rejected,
    )
    mixed = bool(pairs) and not mixed_rejected
    fit.set(
        "mixed_dtypes",
        mixed,
        observed=bool(pairs),
        support=[
            f"{len(pairs) - len(mixed_rejected)} of {len(pairs)} mixed pairs agree"
            if pairs
            else "one dtype accepted: no mixed pair to try"
        ],
        rejected=mixed_rejected,
    )
    _fit_rule(fit, {k: v for k, v in observed.items() if mixed or k[0] == k[1]})


def _agrees_any_dtype(probe: Probe, op: Operation) -> bool:
    """Values agree with ``op`` whatever result dtype the function chose (small operands)."""
    return agrees(probe, op)


def _fit_rule(fit: Fit, observed: dict[tuple[str, str], str]) -> None:
    if not observed:
        fit.set("result_dtype", "spec", observed=False, support=["no dtype gave the fitted values"])
        return
    value, support, rejected = result_rule(observed, lambda rule: fit.operation(result_dtype=rule))
    fit.set("result_dtype", value, support=support, rejected=rejected)


def result_rule(
    observed: dict[tuple[str, str], str],
    declaration: Callable[[str], Operation | LayerOperation],
) -> tuple[str | ResultTable, list[str], dict[str, str]]:
    """The first of :data:`RULES` that gives every observed result dtype, else a table.

    ``observed``: result dtype names by operand dtype pair; ``declaration(rule)``: the
    fitted declaration with that result dtype rule.  Returns the rule (or
    :class:`ResultTable`), what supports it, and the first miss of each rejected rule.
    """
    rejected: dict[str, str] = {}
    for rule in RULES:
        op = declaration(rule)
        wrong = [
            (pair, got)
            for pair, got in observed.items()
            if declared_result_dtype(op, *pair).name != got
        ]
        if not wrong:
            return rule, [f"fits all {len(observed)} dtype pairs"], rejected
        (a_dt, v_dt), got = wrong[0]
        rejected[rule] = (
            f"{a_dt} with {v_dt} gives {got}, {rule!r} says {declared_result_dtype(op, a_dt, v_dt)}"
        )
    table = dict(sorted(observed.items()))
    return ResultTable(table), ["no named rule fits: a table", f"{len(table)} entries"], rejected


@dataclass(frozen=True)
class ResultTable:
    """A result dtype rule given as a table of the pairs identify tried."""

    table: dict[tuple[str, str], str]

    def __call__(self, a: np.dtype[Any], v: np.dtype[Any]) -> np.dtype[Any]:
        return np.dtype(self.table[(np.dtype(a).name, np.dtype(v).name)])

    @property
    def __name__(self) -> str:  # reports name callables by __name__
        return "table"


# ------------------------------------------------------------------ stage 6: integers


def fit_integers(fit: Fit) -> None:
    """Integer results at the extremes: wrap, saturate, raise; exact large int64 sums."""
    mode = _mode(fit)
    op = fit.operation()
    ints = [d for d in fit.accepted_dtypes if np.dtype(d).kind in "iu"]
    int_results = [d for d in ints if np.dtype(declared_result_dtype(op, d, d)).kind in "iu"]
    if not int_results:
        fit.set("integer_overflow", "wrap", observed=False, support=["no integer results"])
        return
    for name in [d for d in int_results if d in ("int64", "uint64")]:
        _check_large_exact(fit, name, mode, op)
    int_results = [d for d in int_results if d in fit.accepted_dtypes]
    behaviours: dict[str, str] = {}
    support = []
    for name in int_results:
        info = np.iinfo(name)
        a = np.array([info.max, info.min, info.max, 1, info.min], dtype=name).reshape(
            (5, *fit.tail())
        )
        v = np.array([2, 1], dtype=name).reshape((2, *fit.tail()))
        probe = fit.prober.one(a, v, mode)
        behaviours[name] = _overflow_behaviour(probe, op)
        support.append(f"{name}: {behaviours[name]} ({probe.describe()})")
    kinds = set(behaviours.values())
    if kinds <= {"exact"}:
        fit.set("integer_overflow", "wrap", observed=False, support=["integer results are exact"])
        return
    kinds.discard("exact")
    if "raise" in kinds:  # no field declares it: the suite leaves such overflow unchecked
        kinds = {"undefined"}
    value = kinds.pop() if len(kinds) == 1 else "undefined"
    fit.set("integer_overflow", value, support=support)


def _overflow_behaviour(probe: Probe, op: Operation) -> str:
    if not probe.ok:
        return "raise"
    expected = _expect(
        dataclasses.replace(op, result_dtype="spec"), probe.a, probe.v, probe.mode, True
    )
    if expected is None or expected.values.shape != probe.value.shape:
        return "undefined"
    exact = expected.values.astype(object)
    got = probe.value.astype(object)
    if probe.value.dtype.kind not in "iu":
        return "undefined"
    info = np.iinfo(probe.value.dtype)
    bits = 8 * probe.value.dtype.itemsize
    wrapped = np.vectorize(
        lambda x: (int(x) - int(info.min)) % (1 << bits) + int(info.min), otypes=[object]
    )(exact)
    if info.min == 0:
        wrapped = np.vectorize(lambda x: int(x) % (1 << bits), otypes=[object])(exact)
    if np.array_equal(got, exact):
        return "exact"
    if np.array_equal(got, wrapped):
        return "wrap"
    saturated = np.vectorize(
        lambda x: min(max(int(x), int(info.min)), int(info.max)), otypes=[object]
    )(exact)
    if np.array_equal(got, saturated):
        return "saturate"
    return "undefined"


def _check_large_exact(fit: Fit, name: str, mode: str, op: Operation) -> None:
    """int64 sums beyond 2**53: a float64 detour rounds them (scipy.ndimage)."""
    big = 2**53 + 1
    a = np.array([big, 3, big], dtype=name).reshape((3, *fit.tail()))
    v = np.array([1, 2], dtype=name).reshape((2, *fit.tail()))
    probe = fit.prober.one(a, v, mode)
    if not agrees(probe, op, exact=True):
        fit.accepted_dtypes.remove(name)
        finding = fit.findings["dtypes"]
        finding.value = tuple(fit.accepted_dtypes)
        finding.rejected[name] = f"sums beyond 2**53 are not exact: {failure(probe, op, True)}"


# ------------------------------------------------------------------ stage 7: accuracy


def _accuracy_cases(fit: Fit, dtype: str, mode: str) -> list[tuple[Array, Array, str]]:
    tail = fit.tail()
    rng = fit.rng

    def kernel(k: int) -> tuple[int, ...]:
        return (fit.kernel_length(k, mode), *tail)

    cases = []
    a = random_values((300, *tail), dtype, rng)
    v = discriminating(kernel(64), dtype, rng)
    cases.append((a, v, mode))
    x = random_values((400, *tail), dtype, rng)
    cancel = (x * 1e3).astype(dtype)
    cancel[1::2] = -cancel[::2]
    cases.append((cancel, discriminating(kernel(16), dtype, rng), mode))
    real = np.dtype(dtype).kind == "f"
    if real:
        tiny = np.finfo(dtype).eps / 4
        n = 300
        ones = np.full((n, *tail), tiny, dtype=dtype)
        ones[0] = 1.0
        cases.append((ones, np.ones(kernel(n), dtype=dtype), mode))
    spread = random_values((64, *tail), dtype, rng)
    spread[0] = 1e4 if np.dtype(dtype).itemsize <= 4 else 1e10
    cases.append((spread, discriminating(kernel(8), dtype, rng), mode))
    # Every case has the fitted rank, which the function accepts.  (Filtering them through
    # a candidate Operation dropped them all for rank-2-only functions: a candidate carries
    # only the convention fields, so its ranks are the default (1,).)
    return cases


def _classes(dtype: str) -> list[tuple[Literal["direct", "fft"], str]]:
    """(method, accumulation) candidates for results of ``dtype``, tightest first."""
    own = np.finfo(dtype).dtype.name  # float32 for complex64
    methods: tuple[Literal["direct", "fft"], ...] = ("direct", "fft")
    return [
        (method, "result" if precision == own else precision)
        for precision in ("float64", "float32", "float16")
        for method in methods
    ]


def fit_accuracy(fit: Fit) -> None:
    """The tightest (method, accumulation) class every float result dtype fits.

    One class for all dtypes when one fits (tightest first: float64 accumulation before
    the result's own precision before coarser ones, direct before FFT in each); otherwise the
    tightest per result dtype, as an ``accuracy`` mapping.
    """
    mode = _mode(fit)
    base = fit.operation()
    floats = [
        d
        for d in fit.accepted_dtypes
        if d in _FLOAT_NAMES and declared_result_dtype(base, d, d).kind in "fc"
    ]
    if not floats:
        fit.set("method", "direct", observed=False, support=["no float results"])
        fit.set("accumulation", "result", observed=False, support=["no float results"])
        return
    probes = {d: fit.prober.run(_accuracy_cases(fit, d, mode)) for d in floats}
    rejected: dict[str, str] = {}
    memo: dict[tuple[str, str, str], bool] = {}

    def fits(dtype: str, method: str, acc: str) -> bool:
        key = (dtype, method, _precision(dtype, acc))
        if key not in memo:
            op = fit.operation(method=method, accumulation=acc)
            bad = [p for p in probes[dtype] if not agrees(p, op, exact=True)]
            memo[key] = not bad
            if bad:
                rejected[f"{dtype}: {method} in {key[2]}"] = failure(bad[0], op, exact=True)
        return memo[key]

    cases = sum(len(p) for p in probes.values())
    if not cases:
        raise AssertionError("fit_accuracy: no accuracy case was built")
    methods: tuple[Literal["direct", "fft"], ...] = ("direct", "fft")
    # Tightest precision first, direct before FFT within one: an FFT in float64 is
    # tighter than direct summation in float32 (astropy's convolve_fft fits both).
    for method, acc in [(m, a) for a in _ACCUMULATIONS for m in methods]:
        if all(fits(d, method, acc) for d in floats):
            if all(_precision(d, acc) == _precision(d, "result") for d in floats):
                acc = "result"
            support = [f"{method} in {acc} fits {cases} cases of {', '.join(floats)}"]
            # Also where direct fits: an FFT's error can stay within the direct bound on
            # every accuracy case (OpenCV's float32 filter2D above 129 taps).
            switch = _fit_fft_switch(fit, floats, mode, acc, probes)
            if switch is not None:
                method = "direct"
                support = [
                    f"direct in {acc} up to {switch} kernel elements and FFT above fits "
                    f"{cases} cases of {', '.join(floats)}"
                ]
                fit.set("fft_above", switch, support=support)
            else:
                words = "direct summation" if method == "direct" else "an FFT"
                largest = max(p.v.size for d in floats for p in probes[d])
                fit.set("fft_above", None, support=[f"{words} up to {largest} kernel elements"])
            fit.set("method", method, support=support, rejected=rejected)
            fit.set("accumulation", acc, support=support)
            fit.set("accuracy", None, support=["one class fits every float result dtype"])
            _check_mixed_accuracy(fit, mode)
            return
    accuracy: dict[str, numerics.Accuracy] = {}
    support = []
    for d in floats:
        tightest = next(
            ((m, a) for m, a in _classes(d) if fits(d, m, a)),
            None,
        )
        if tightest is None:
            fit.problems.append(f"{d}: no accuracy class fits ({next(iter(rejected.values()))})")
            continue
        name = declared_result_dtype(base, d, d).name
        accuracy[name] = numerics.Accuracy(tightest[0], _precision(d, tightest[1]))
        support.append(f"{d}: {accuracy[name].describe()}")
    fit.set("accuracy", accuracy, support=support, rejected=rejected)


_ACCUMULATIONS = ("float64", "result", "float32", "float16")

#: The kernel lengths between which a switch from direct summation to an FFT is searched
#: (from 2: a kernel of one element is a product, which FFT functions compute directly).
SWITCH_RANGE = (2, 300)
#: The spike of :func:`_spike_case` by result itemsize: its FFT rounding error must exceed
#: the direct bound of the outputs it does not reach, at the longest kernel searched.
SPIKE = {2: 1e4, 4: 1e7, 8: 1e10, 16: 1e10}


def _spike_case(fit: Fit, dtype: str, k: int, mode: str) -> tuple[Array, Array, str]:
    """A large value at the start of the signal: an FFT spreads its rounding error to every
    output, while direct summation keeps the outputs beyond the kernel's reach exact to
    their own size (the case that tells the two methods apart at any kernel length)."""
    a = random_values((2 * k + 64, *fit.tail()), dtype, fit.rng)
    a[0] = SPIKE[np.dtype(dtype).itemsize]
    return a, discriminating((k, *fit.tail()), dtype, fit.rng), mode


def _fit_fft_switch(
    fit: Fit, floats: list[str], mode: str, acc: str, probes: dict[str, list[Probe]]
) -> int | None:
    """The kernel size up to which the function sums directly and above which it uses an
    FFT (OpenCV's filter2D), or None when direct summation fits no kernel or every one.

    Bisection over :data:`SWITCH_RANGE` on :func:`_spike_case`, on the first float dtype;
    the switch found must then fit every accuracy case of every float dtype.
    """
    if mode in fit.value("needs_odd_k", ()):
        return None  # the bisection needs every kernel length
    dtype = floats[0]
    direct = fit.operation(method="direct", accumulation=acc)

    def direct_fits(k: int) -> bool:
        return agrees(fit.prober.one(*_spike_case(fit, dtype, k, mode)), direct, exact=True)

    low, high = SWITCH_RANGE
    if not direct_fits(low) or direct_fits(high):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if direct_fits(middle) else (low, middle)
    switched = fit.operation(method="direct", accumulation=acc, fft_above=low)
    if all(agrees(p, switched, exact=True) for d in floats for p in probes[d]):
        return low
    return None


def _precision(dtype: str, accumulation: str) -> str:
    """The precision ``accumulation`` means for results of ``dtype``."""
    own = np.finfo(dtype).dtype.name
    return own if accumulation == "result" else accumulation


def fit_complex_products(fit: Fit) -> None:
    """Products of ``1 + 2**60 i`` and ``2**59 + i`` (and their swaps): four real
    multiplications are exact to an ulp there, Gauss's three lose ``2**59`` (NUM-5).
    """
    dtype = fit.complex_dtype
    if dtype is None or dtype not in fit.accepted_dtypes:
        fit.set("complex_products", "naive", observed=False, support=["no complex dtype"])
        return
    mode = _mode(fit)
    big = 60 if dtype == "complex128" else 30
    b, c = 2.0**big, 2.0 ** (big - 1)
    pairs = [(1 + b * 1j, c + 1j), (b + 1j, 1 + c * 1j), (1 + b * 1j, 1 + c * 1j), (b + 1j, c + 1j)]
    shape = (1, *fit.tail())
    requests = [
        (np.array([x], dtype=dtype).reshape(shape), np.array([y], dtype=dtype).reshape(shape), mode)
        for x, y in pairs
    ]
    op = fit.operation()
    errors = []
    for probe in fit.prober.run(requests):
        expected = _expect(op, probe.a, probe.v, probe.mode, exact=True)
        if not probe.ok or expected is None or expected.values.shape != probe.value.shape:
            fit.set("complex_products", "naive", observed=False, support=[failure(probe, op)])
            return
        errors.append(float(np.max(np.abs(probe.value.astype(np.complex128) - expected.values))))
    gauss = max(errors) > 2.0 ** (big - 20)
    errors_text = ", ".join(f"{e:.3g}" for e in errors)
    fit.set(
        "complex_products",
        "gauss" if gauss else "naive",
        support=[
            f"errors {errors_text} on {len(pairs)} single products: "
            + ("Gauss's three multiplications" if gauss else "four real multiplications")
        ],
    )


def _check_mixed_accuracy(fit: Fit, mode: str) -> None:
    """Mixed float operands must meet the class of their result dtype (scipy FFT does not)."""
    if not fit.value("mixed_dtypes"):
        return
    op = fit.operation()
    floats = [d for d in fit.accepted_dtypes if d in _FLOAT_NAMES]
    for d, e in itertools.permutations(floats, 2):
        if np.dtype(d).itemsize == np.dtype(e).itemsize:
            continue
        a = random_values((300, *fit.tail()), d, fit.rng)
        v = discriminating((fit.kernel_length(64, mode), *fit.tail()), e, fit.rng)
        x = random_values((400, *fit.tail()), d, fit.rng) * 1e3
        x[1::2] = -x[::2]
        short = discriminating((fit.kernel_length(16, mode), *fit.tail()), e, fit.rng)
        probes = fit.prober.run([(a, v, mode), (x.astype(d), short, mode)])
        bad = [p for p in probes if not agrees(p, op, exact=True)]
        if bad:
            finding = fit.findings["mixed_dtypes"]
            finding.value = False
            finding.rejected[f"{d} with {e}"] = "accuracy: " + failure(bad[0], op, exact=True)
            return


# ------------------------------------------------------------------ stage 8: rejected input


def fit_rejections(fit: Fit) -> None:
    """Empty operands and operands of different rank: raised, or what came back."""
    dtype = fit.real_dtype
    assert dtype is not None
    mode = _mode(fit)
    r = fit.rank
    k = max(3, fit.value("min_kernel", 1))  # a kernel every declared mode takes
    v = discriminating((k + 1 - k % 2,) * r, dtype, fit.rng)
    bad = {
        "empty signal": (np.zeros((0,) * r, dtype=dtype), v),
        "empty kernel": (random_values((4,) * r, dtype, fit.rng), np.zeros((0,) * r, dtype)),
        "ranks differ": (random_values((4,) * (r + 1), dtype, fit.rng), v),
    }
    # Empty operands in every declared mode: a mode that ends the interpreter (scipy's
    # convolve2d with boundary='wrap' in 'full') is no rejection, and is recorded.
    modes = fit.value("modes") or (mode,)
    requests = [(a, kernel, m) for a, kernel in bad.values() for m in modes]
    by_label = dict(zip(bad, _chunks(fit.prober.run(requests), len(modes)), strict=True))
    by_label["ranks differ"] = [p for p in by_label["ranks differ"] if p.mode == mode]
    raised: dict[str, bool] = {}
    died: list[str] = []
    said: dict[str, str] = {}
    for label, probes in by_label.items():
        returned = [p for p in probes if p.ok]
        raised[label] = not returned
        died += [
            f"{label} in mode {p.mode!r}: {p.outcome.status}: {p.outcome.message}"
            for p in probes
            if p.outcome.status in ("died", "timeout") and returned
        ]
        said[label] = f"{label}: " + "; ".join(_what_came_back(p) for p in probes)
    fit.set("rejects_rank_mismatch", raised["ranks differ"], support=[said["ranks differ"]])
    empty = raised["empty signal"] and raised["empty kernel"]
    fit.set("rejects_empty", empty, support=[said["empty signal"], said["empty kernel"], *died])
    fit.set("rejects_invalid", empty and raised["ranks differ"], support=list(said.values()))
    if died:
        _add_deviations(fit, [f"{d} (where another mode returns)" for d in died])


def _what_came_back(probe: Probe) -> str:
    """``'mode' raised ...`` or ``'mode' returned shape ...``: the rejection evidence."""
    if probe.ok:
        return f"{probe.mode!r} returned shape {probe.value.shape} {probe.value.dtype}"
    if probe.outcome.status == "raised":
        return f"{probe.mode!r} raised {probe.outcome.message}"
    return f"{probe.mode!r} {probe.outcome.status}: {probe.outcome.message}"


def _chunks(items: list[Probe], size: int) -> list[list[Probe]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------ stage 9: inf and NaN


def fit_nonfinite(fit: Fit) -> None:
    """inf and NaN element by element (NOT-6), or smeared (FFT)."""
    dtype = next((d for d in ("float64", "float32") if d in fit.accepted_dtypes), None)
    if dtype is None:
        fit.set("nonfinite", True, observed=False, support=["no real float dtype"])
        return
    op = fit.operation()
    v = discriminating((3, *fit.tail()), dtype, fit.rng)
    signals = {
        "inf at the start": [np.inf, 1, 2, 3, 4, 5],
        "-inf at the end": [1, 2, 3, 4, 5, -np.inf],
        "NaN in the middle": [1, 2, np.nan, 4, 5, 6],
        "inf and -inf": [1, np.inf, 3, 4, -np.inf, 6],
    }
    requests = [
        (np.array(values, dtype=dtype).reshape((6, *fit.tail())), v, m)
        for values in signals.values()
        for m in fit.value("modes")
    ]
    probes = fit.prober.run(requests)
    bad = [p for p in probes if not agrees(p, op, exact=True)]
    support = [f"{len(probes) - len(bad)} of {len(probes)} inf/NaN cases element by element"]
    rejected = {"element by element": failure(bad[0], op, exact=True)} if bad else {}
    fit.set("nonfinite", not bad, support=support, rejected=rejected)


STAGES: tuple[Callable[[Fit], None], ...] = (
    fit_structure,
    fit_windows,
    fit_nd_restrictions,
    fit_dtypes,
    fit_integers,
    fit_complex_products,
    fit_accuracy,
    fit_nonfinite,
    # Last: a mode in which an empty operand ends the interpreter is not called again.
    fit_rejections,
)


def fit(prober: Prober, dtypes: tuple[str, ...] = DEFAULT_DTYPES, seed: int = 0) -> Fit:
    """Run every stage against ``prober``'s function; the :class:`Fit` holds the findings."""
    state = Fit(prober, dtypes, np.random.default_rng(seed))
    before = prober.calls
    if not fit_acceptance(state):
        state.stage_calls["acceptance"] = prober.calls - before
        return state
    state.stage_calls["acceptance"] = prober.calls - before
    for stage in STAGES:
        before = prober.calls
        stage(state)
        state.stage_calls[stage.__name__.removeprefix("fit_")] = prober.calls - before
    return state
