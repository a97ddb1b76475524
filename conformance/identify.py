"""``convspec identify``: what does an undeclared function compute?

Three stages, one module each: :mod:`.identify_probe` calls the function safely (the
suite's isolation worker), :mod:`.identify_fit` fits a declaration field by field to what
it returned, and :mod:`.identify_render` prints it as a ready-to-paste
:class:`~convspec.conformance.Operation` or as JSON.  This module runs the three and
compares a finding with a written declaration (:func:`compare`), which is how the survey
says whether a bundled backend declares what it computes::

    from convspec.conformance.identify import identify
    found = identify("numpy:convolve")     # any f(a, v, mode)
    print(found.render())                  # Operation(numpy.convolve, flips=True, ...)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .backend import Operation
from .conventions import declared_result_dtype, window
from .identify_fit import DEFAULT_DTYPES, WINDOW_GRID, Finding, fit
from .identify_probe import Prober, Target, resolve_target
from .isolation import InProcess, Isolated
from .layer_backend import LayerOperation
from .tolerance import declared_accuracy

__all__ = [
    "DEFAULT_DTYPES",
    "NOT_PROBED",
    "Comparison",
    "Identification",
    "compare",
    "field_text",
    "identify",
    "identify_all",
]

#: Operation fields identify does not probe, and why.
NOT_PROBED = {
    "function": "the function itself, not a convention",
    "max_size": "the largest operand a function accepts is not searched for",
    "axes": "not probed: identify calls f(a, v, mode) without axes= (every axis convolved)",
    "normalize": "not probed: a kernel divided by its sum is not searched for",
    "lags": "not probed: a lags(n, k, mode) function is reported by the library, not computed",
}


@dataclass
class Identification:
    """What one function computes, as the fields of the declaration it would write."""

    target: Target
    findings: dict[str, Finding]
    #: Behaviour no declaration can express, each with the diagnosis that names it.
    problems: list[str]
    calls: int
    seconds: float
    stage_calls: dict[str, int]
    dtypes_tried: tuple[str, ...]
    #: The function itself (for :meth:`operation`).
    function: Any = None
    #: Warnings the function emitted while probed (in this process), with their counts.
    warnings: dict[str, int] = dataclasses.field(default_factory=dict)
    #: What the findings declare: an :class:`Operation`, or a :class:`LayerOperation`.
    declaration_type: type[Operation] | type[LayerOperation] = Operation
    #: For each field identify does not probe, why (:data:`NOT_PROBED` for an Operation).
    not_probed: dict[str, str] = dataclasses.field(default_factory=lambda: dict(NOT_PROBED))

    @property
    def declarable(self) -> bool:
        """Whether an :class:`Operation` states everything that was observed."""
        return not self.problems

    def unobserved(self) -> dict[str, str]:
        """Every Operation field identify leaves at its default, with the reason."""
        out = {}
        for f in dataclasses.fields(self.declaration_type):
            if f.name in self.not_probed:
                out[f.name] = self.not_probed[f.name]
            elif f.name not in self.findings:
                out[f.name] = "not probed by identify"
            elif not self.findings[f.name].observed:
                finding = self.findings[f.name]
                out[f.name] = finding.support[0] if finding.support else "not observable"
        return out

    def fields(self) -> dict[str, Any]:
        """The observed field values by name (what the declaration states)."""
        return {n: f.value for n, f in self.findings.items() if f.observed}

    def operation(self) -> Any:
        """The fitted declaration, an :class:`Operation` or a :class:`LayerOperation`
        (unobserved fields at their defaults)."""
        known = {f.name for f in dataclasses.fields(self.declaration_type)}
        values = {n: v for n, v in self.fields().items() if n in known}
        if self.declaration_type is LayerOperation:
            return LayerOperation(self.function, **values)
        values.setdefault("flips", True)
        return Operation(self.function, **values)

    def render(self) -> str:
        """Python source constructing the declaration (:func:`.identify_render.python`)."""
        from .identify_render import python

        return python(self)

    def to_json(self) -> dict[str, Any]:
        """Operation field names as keys, plus ``evidence`` (:func:`.identify_render.to_json`)."""
        from .identify_render import to_json

        return to_json(self)


def _prober(target: Target, isolation: str, timeout: float) -> Prober:
    """Every call in a worker; or in this process, but calls with an empty operand (which
    can end an interpreter) in a worker, started only if one comes."""
    if isolation == "process":
        return Prober(Isolated(target.reference, timeout), target.operation)
    guard = Isolated(target.reference, timeout)
    return Prober(InProcess(target.local_backend()), target.operation, guard)


def run_identify(
    target: Target,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    isolation: Literal["process", "none"] = "process",
    timeout: float = 10.0,
    seed: int = 0,
    ranks: Sequence[int] | None = None,
) -> Identification:
    """Probe and fit one resolved target (a layer function: :mod:`.identify_layer`).

    ``ranks``: the spatial ranks a layer function is tried at (default 1, 2, 3).
    """
    if target.layer:
        from .identify_layer import run_identify_layer

        return run_identify_layer(target, dtypes, isolation, timeout, seed, ranks)
    return probed(
        target, dtypes, isolation, timeout, lambda prober: fit(prober, tuple(dtypes), seed)
    )


def probed(
    target: Target,
    dtypes: Sequence[str],
    isolation: Literal["process", "none"],
    timeout: float,
    fit_with: Callable[[Prober], Any],
    declaration_type: type[Operation] | type[LayerOperation] = Operation,
    not_probed: dict[str, str] | None = None,
) -> Identification:
    """``fit_with(prober)`` on a prober of ``target``, timed, as an :class:`Identification`.

    ``fit_with`` returns the fit state (its ``findings``, ``problems`` and
    ``stage_calls``); the prober is closed whatever happens.
    """
    started = time.perf_counter()
    prober = _prober(target, isolation, timeout)
    try:
        state = fit_with(prober)
    finally:
        prober.close()
    return Identification(
        target,
        state.findings,
        state.problems,
        prober.calls,
        time.perf_counter() - started,
        state.stage_calls,
        tuple(dtypes),
        target.load_function(),
        dict(prober.warnings),
        declaration_type,
        dict(NOT_PROBED if not_probed is None else not_probed),
    )


def identify(
    target: str,
    operation: str | None = None,
    *,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    isolation: Literal["process", "none"] = "process",
    timeout: float = 10.0,
    seed: int = 0,
    layer: bool = False,
    ranks: Sequence[int] | None = None,
) -> Identification:
    """Identify one function: ``module:callable`` taking ``(a, v, mode)``, or one operation of
    a backend (``target`` a backend name or ``module:attribute``, ``operation`` its name).

    ``layer=True``: the ``module:callable`` is a layer function ``f(x, w, **params)``,
    fitted as a :class:`LayerOperation` (a backend's layer operations are found as such
    without it); ``ranks``: the spatial ranks it is tried at (default 1, 2, 3).
    ``dtypes``: the dtypes to try.  ``isolation="process"`` (default) calls the function in
    a worker process with ``timeout`` seconds per call, so a crash or hang is recorded
    instead of stopping identify.  ``"none"`` calls it in this process, except the calls
    with an empty operand, which still go to a worker (a crash there is recorded too).
    """
    targets = resolve_target(target, operation, layer)
    if len(targets) != 1:
        names = ", ".join(t.operation for t in targets)
        raise ValueError(
            f"argument 'operation': backend {target!r} has several operations ({names}); "
            "name one, or use identify_all()"
        )
    return run_identify(targets[0], dtypes, isolation, timeout, seed, ranks)


def identify_all(
    target: str,
    *,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    isolation: Literal["process", "none"] = "process",
    timeout: float = 10.0,
    seed: int = 0,
) -> list[Identification]:
    """:func:`identify` every operation ``target`` names (one, for a plain callable)."""
    return [run_identify(t, dtypes, isolation, timeout, seed) for t in resolve_target(target, None)]


# ------------------------------------------------------------------ comparing


@dataclass(frozen=True)
class Comparison:
    """One field: declared beside found; ``match`` None where identify cannot observe it."""

    field: str
    declared: str
    found: str
    match: bool | None
    note: str = ""


def field_text(value: Any) -> str:
    """A field value as a comparison shows it: its repr, or a callable's name."""
    if callable(value):
        return getattr(value, "__name__", "callable")
    return repr(value)


def _float_results(op: Operation) -> list[np.dtype[Any]]:
    out = []
    for d in op.dtypes:
        result = declared_result_dtype(op, d, d)
        if result.kind in "fc" and result not in out:
            out.append(result)
    return out


def compare(
    declared: Operation, found: Identification, deviations: Sequence[str] = ()
) -> list[Comparison]:
    """Field by field: does ``declared`` state what identify found?

    Fields are compared by what they mean, not how they are spelled: the conjugation with
    the spec's default filled in, the 'same' alignment and origin by the windows they give
    together on the grid, the result dtype rule on every declared dtype pair, the accuracy
    by the class it gives each declared float result dtype.  ``deviations``: the
    descriptions of the backend's documented deviations for this operation; the last
    comparison, ``deviations``, says whether identify found behaviour that only a
    deviation can declare where the backend documents one.
    """
    unobserved = found.unobserved()
    problems = list(found.problems)
    got = None
    if found.declarable:
        try:
            got = found.operation()
        except ValueError as error:  # e.g. no dtype gave the fitted values
            problems.append(f"the fitted fields build no Operation: {error}")
    out = []
    for f in dataclasses.fields(Operation):
        name = f.name
        declared_text = field_text(getattr(declared, name))
        if name in unobserved:
            note = unobserved[name]
            out.append(Comparison(name, declared_text, "-", None, note))
        elif got is None:
            why = "; ".join(problems) or "no problem recorded"
            out.append(Comparison(name, declared_text, "-", False, f"identify found none: {why}"))
        else:
            out.append(_compare_field(name, declared, got))
    out.append(_compare_deviations(found, deviations))
    return out


def _compare_deviations(found: Identification, documented: Sequence[str]) -> Comparison:
    """Behaviour identify found that no field declares, beside the documented deviations."""
    seen = found.findings.get("deviations")
    seen_text = "; ".join(seen.value) if seen is not None else "none"
    declared_text = f"{len(documented)} documented"
    if seen is not None:
        note = "" if documented else "identify found behaviour only a deviation declares"
        return Comparison("deviations", declared_text, seen_text, bool(documented), note)
    if documented:
        note = "identify searches only for a boundary ignored in some mode"
        return Comparison("deviations", declared_text, seen_text, None, note)
    return Comparison("deviations", declared_text, seen_text, True)


def _same_windows(op: Operation, pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """The 'same' window on every (N, K) in ``pairs`` with the origin applied; None when
    the origin is given per axis and differs between axes (compared as a value then)."""
    origins = op.origin if isinstance(op.origin, tuple) else (op.origin,)
    if len(set(origins)) != 1:
        return None
    return [window(op, n, k, "same", origins[0]) for n, k in pairs]


def _compare_field(name: str, declared: Operation, got: Operation) -> Comparison:
    d_value, g_value = getattr(declared, name), getattr(got, name)
    shown = (field_text(d_value), field_text(g_value))
    if name == "rejects_invalid":  # the default of the two fields below, compared there
        note = "compared as rejects_empty and rejects_rank_mismatch"
        return Comparison(name, *shown, None, note)
    if name in ("needs_odd_k",):
        return Comparison(name, *shown, set(d_value) & set(declared.modes) == set(g_value))
    if name == "conjugates":
        return Comparison(
            name, declared.conjugation, got.conjugation, declared.conjugation == got.conjugation
        )
    if name in ("modes", "dtypes", "needs_one_larger"):
        return Comparison(name, *shown, set(d_value) == set(g_value))
    if name == "needs_n_ge_k":
        d_set = set(d_value) & set(declared.modes)
        return Comparison(name, *shown, d_set == set(g_value) & set(got.modes))
    if name in ("same_alignment", "origin"):
        if "same" not in declared.modes:
            return Comparison(name, *shown, None, "no 'same' mode declared")
        pairs = [
            nk
            for nk in WINDOW_GRID
            if (nk[1] <= nk[0] or "same" not in declared.needs_n_ge_k)
            and nk[1] >= declared.min_kernel
            and (nk[1] % 2 or "same" not in declared.needs_odd_k)
        ]
        d_windows, g_windows = _same_windows(declared, pairs), _same_windows(got, pairs)
        if d_windows is None or g_windows is None:
            return Comparison(name, *shown, d_value == g_value, "an origin per axis")
        wrong = [nk for nk, d, g in zip(pairs, d_windows, g_windows, strict=True) if d != g]
        note = (
            f"differs at (N, K) = {wrong[0]}"
            if wrong
            else f"same windows (alignment and origin) on {len(pairs)} (N, K)"
        )
        return Comparison(name, *shown, not wrong, note)
    if name == "result_dtype":
        dtype_pairs = [(d, d) for d in declared.dtypes]
        if declared.mixed_dtypes:
            dtype_pairs += [(d, e) for d in declared.dtypes for e in declared.dtypes if d != e]
        differ: list[tuple[str, str]] = []
        for pair in dtype_pairs:
            try:
                if declared_result_dtype(declared, *pair) != declared_result_dtype(got, *pair):
                    differ.append(pair)
            except KeyError:
                differ.append(pair)
        note = f"differs for {differ[0]}" if differ else f"same on {len(dtype_pairs)} pairs"
        return Comparison(name, *shown, not differ, note)
    if name in ("method", "accumulation", "accuracy", "complex_products"):
        return _compare_accuracy(name, declared, got, shown)
    results = [declared_result_dtype(declared, d, d) for d in declared.dtypes]
    if name == "integer_overflow" and not any(r.kind in "iu" for r in results):
        return Comparison(name, *shown, None, "no integer results declared")
    return Comparison(name, *shown, d_value == g_value)


def _compare_accuracy(
    name: str, declared: Operation, got: Operation, shown: tuple[str, str]
) -> Comparison:
    results = _float_results(declared)
    if not results:
        return Comparison(name, *shown, None, "no float results declared")
    if name == "complex_products":
        if not any(r.kind == "c" for r in results) or declared.method != "direct":
            return Comparison(name, *shown, None, "no direct complex results declared")
        return Comparison(name, *shown, declared.complex_products == got.complex_products)
    wrong = []
    for result in results:
        d_acc, g_acc = declared_accuracy(declared, result), declared_accuracy(got, result)
        same = (d_acc.method, d_acc.precision) == (g_acc.method, g_acc.precision)
        if not same:
            wrong.append(f"{result}: declared {d_acc.describe()}, found {g_acc.describe()}")
    note = wrong[0] if wrong else f"same class for {', '.join(r.name for r in results)}"
    return Comparison(name, *shown, not wrong, note)
