"""Identify, stage 1: calling an undeclared function safely and remembering what it did.

``convspec identify`` knows nothing about the function it probes, so every call goes
through the suite's isolation worker (:mod:`convspec.conformance.isolation`): a function
that raises, hangs or kills its interpreter is recorded, never fatal.  Called in this
process instead (faster), the calls with an empty operand still go to the worker: that
is where compiled code divides by a length of zero (scipy's ``convolve2d`` with
``boundary='wrap'`` ends its interpreter with SIGFPE on an empty signal in 'full').

The worker loads backends by name; a plain callable ``module:function`` is named to it
through :func:`wrapped_reference`, which this module resolves back into a one-operation
backend.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np

from .backend import Array, Backend, Operation
from .cases import LAYER_MODE, Call
from .isolation import InProcess, Isolated, Outcome
from .layer_backend import LayerOperation
from .registry import load

__all__ = [
    "OPERATION",
    "Probe",
    "Prober",
    "Request",
    "Target",
    "has_empty_operand",
    "resolve_target",
    "wrapped_reference",
]

#: The operation name a wrapped plain callable gets.
OPERATION = "f"
_PREFIX = "wrapped_"
_LAYER_PREFIX = "wrappedlayer_"

#: One call to make: ``(a, v, mode)``, or ``(x, w, "layer", params)`` for a layer function.
Request: TypeAlias = "tuple[Array, Array, str] | tuple[Array, Array, str, Mapping[str, Any]]"


def wrapped_reference(target: str, layer: bool = False) -> str:
    """A ``module:attribute`` reference the worker resolves to a backend wrapping ``target``.

    ``target`` is ``module:callable``; the attribute encodes it in hexadecimal, so any
    module and attribute path survives the registry's ``module:attribute`` syntax.
    ``layer``: the backend's operation is a layer, called ``function(x, w, **params)``.
    """
    prefix = _LAYER_PREFIX if layer else _PREFIX
    return f"{__name__}:{prefix}{target.encode().hex()}"


def _callable_at(target: str) -> Callable[..., Any]:
    module_name, _, attribute = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{target!r} is a {type(obj).__name__}, not a callable")
    return obj  # type: ignore[no-any-return]


def wrap(function: Callable[..., Any], name: str, layer: bool = False) -> Backend:
    """A backend with one operation, :data:`OPERATION`, calling ``function(a, v, mode)``
    (``layer``: ``function(x, w, **params)``; the declaration is never read, only called)."""
    operation: Operation | LayerOperation = (
        LayerOperation(function) if layer else Operation(function, flips=True)
    )
    return Backend(name=name, version="", operations={OPERATION: operation})


def __getattr__(name: str) -> Callable[[], Backend]:
    """Resolve :func:`wrapped_reference` attributes (PEP 562) to a backend factory."""
    for prefix, layer in ((_LAYER_PREFIX, True), (_PREFIX, False)):
        if name.startswith(prefix):
            target = bytes.fromhex(name[len(prefix) :]).decode()
            return lambda: wrap(_callable_at(target), target, layer)
    raise AttributeError(name)


@dataclass(frozen=True)
class Target:
    """What identify probes: a reference the worker loads and the operation to call."""

    #: What the user named (``module:callable``, a backend name, or a backend operation).
    name: str
    reference: str
    operation: str
    #: Python source that evaluates to the function, for the rendered declaration.
    source: str
    imports: tuple[str, ...]
    #: For a plain callable: its ``module:callable`` (None for a backend operation).
    function: str | None = None
    #: Whether the function is a layer, called ``function(x, w, **params)``.
    layer: bool = False

    def load_function(self) -> Callable[..., Any]:
        """The function itself, imported in this process."""
        if self.function is not None:
            return _callable_at(self.function)
        return load(self.reference).operations[self.operation].function

    def local_backend(self) -> Backend:
        """A backend holding the function, for in-process calls."""
        if self.function is not None:
            return wrap(_callable_at(self.function), self.function, self.layer)
        return load(self.reference)


def resolve_target(target: str, operation: str | None = None, layer: bool = False) -> list[Target]:
    """The functions ``target`` names: a ``module:callable`` or every (or one) operation of a
    backend (an installed name or ``module:attribute`` naming a :class:`Backend`).

    ``layer``: a ``module:callable`` is a layer function ``f(x, w, **params)``; a backend's
    operations say for themselves (a :class:`LayerOperation` is a layer).
    """
    if ":" in target and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as the registry does for module:attribute
    if ":" in target and not _is_backend(target):
        if operation is not None:
            raise ValueError(
                f"argument 'operation': {target!r} names a function, not a backend; "
                f"got {operation!r}"
            )
        module_name, _, attribute = target.partition(":")
        _callable_at(target)  # a clear error here, not in the worker
        return [
            Target(
                target,
                wrapped_reference(target, layer),
                OPERATION,
                f"{module_name}.{attribute}",
                (f"import {module_name}",),
                target,
                layer,
            )
        ]
    backend = load(target)
    names = list(backend.operations) if operation is None else [operation]
    for name in names:
        if name not in backend.operations:
            known = ", ".join(backend.operations)
            raise ValueError(
                f"argument 'operation': backend {target!r} has no operation {name!r} "
                f"(it has {known})"
            )
    return [
        Target(
            f"{target} {name}",
            target,
            name,
            f"load_backend({target!r}).operations[{name!r}].function",
            ("from convspec.conformance import load_backend",),
            layer=isinstance(backend.operations[name], LayerOperation),
        )
        for name in names
    ]


def _is_backend(target: str) -> bool:
    try:
        obj: Any = _callable_at(target)
    except (ImportError, AttributeError, TypeError):
        return True  # let the registry say what is wrong with it
    return isinstance(obj, Backend) or (not _takes_arguments(obj))


def _takes_arguments(obj: Callable[..., Any]) -> bool:
    import inspect

    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return True
    required = [
        p
        for p in signature.parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return bool(required) or any(p.kind == p.VAR_POSITIONAL for p in signature.parameters.values())


@dataclass(frozen=True)
class Probe:
    """One call identify made and what came of it."""

    a: Array
    v: Array
    mode: str
    outcome: Outcome
    #: A layer call's ``**params`` (empty for ``f(a, v, mode)``).
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome.status == "ok"

    @property
    def value(self) -> Array:
        assert self.outcome.value is not None
        return self.outcome.value

    def describe(self) -> str:
        call = Call(OPERATION, self.a, self.v, self.mode, self.params)
        return call.describe().replace(f"{OPERATION}(", "f(")


def has_empty_operand(a: Array, v: Array) -> bool:
    """Whether ``a`` or ``v`` has an axis of length 0 (called in the worker, see above)."""
    return a.size == 0 or v.size == 0


@dataclass
class Prober:
    """Calls one operation through an isolation runner; counts and caches the calls.

    ``guard``: where calls with an empty operand go when ``runner`` calls in this process
    (None: through ``runner`` too), so a crash there is recorded as a ``"died"`` outcome
    instead of ending identify.
    """

    runner: Isolated | InProcess
    operation: str
    guard: Isolated | None = None
    calls: int = 0
    #: Warnings the function emitted during its calls, with how many times.
    warnings: dict[str, int] = field(default_factory=dict)
    #: Modes in which a call with non-empty operands hung or died, with that outcome.
    broken: dict[str, Outcome] = field(default_factory=dict)
    _cache: dict[tuple[Any, ...], Outcome] = field(default_factory=dict)

    @staticmethod
    def _key(a: Array, v: Array, mode: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
        described = tuple(
            (name, (value.dtype.str, value.shape, value.tobytes()))
            if isinstance(value, np.ndarray)
            else (name, repr(value))
            for name, value in params.items()
        )
        return (
            a.dtype.str,
            a.shape,
            a.tobytes(),
            v.dtype.str,
            v.shape,
            v.tobytes(),
            mode,
            described,
        )

    def run(self, requests: Sequence[Request]) -> list[Probe]:
        """One :class:`Probe` per ``(a, v, mode)`` (or ``(x, w, "layer", params)``), in
        order, sent in batches.

        A mode whose call hung or killed the interpreter is not called again: its later
        requests get the first such outcome, so one hanging mode costs one timeout.  Calls
        with an empty operand are each their own question (how the function treats that
        operand), so one of them dying stops no other call.
        """
        full = [_full(r) for r in requests]
        pending: list[_Full] = []
        keys: set[tuple[Any, ...]] = set()
        for request in full:
            key = self._key(*request)
            if key not in self._cache and key not in keys:
                keys.add(key)
                pending.append(request)
        empty = [r for r in pending if has_empty_operand(r[0], r[1])]
        self._run_empty(empty)
        self._run_skipping_broken([r for r in pending if not has_empty_operand(r[0], r[1])])
        return [Probe(a, v, m, self._cache[self._key(a, v, m, p)], p) for a, v, m, p in full]

    def _call(
        self, runner: Isolated | InProcess, requests: Sequence[_Full]
    ) -> Iterator[tuple[_Full, Outcome]]:
        """Each request's outcome as it comes (the caller may stop early).

        Warnings the function emits (identify feeds inf, NaN and extreme integers on
        purpose) are evidence, counted in :attr:`warnings`, not printed: they are caught
        one call at a time, so the warning filters are restored before each outcome is
        handed on, and warnings raised outside the calls are left alone.
        """
        calls = [Call(self.operation, np.array(a), np.array(v), m, p) for a, v, m, p in requests]
        outcomes = runner.run(calls)
        for request in requests:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                outcome = next(outcomes, None)
            for warning in caught:
                text = f"{warning.category.__name__}: {warning.message}"
                self.warnings[text] = self.warnings.get(text, 0) + 1
            if outcome is None:
                return
            self._cache[self._key(*request)] = outcome
            self.calls += 1
            yield request, outcome

    def _run_empty(self, requests: Sequence[_Full]) -> None:
        runner = self.guard if self.guard is not None else self.runner
        for _ in self._call(runner, requests):
            pass

    def _run_skipping_broken(self, pending: list[_Full]) -> None:
        while pending:
            pending = [r for r in pending if not self._skip_broken(*r)]
            done = 0
            for (_, _, mode, _), outcome in self._call(self.runner, pending):
                done += 1
                # A layer call's params make each call its own question: one that dies
                # stops no other (the worker's consecutive-timeout limit still applies).
                if outcome.status in ("timeout", "died") and mode != LAYER_MODE:
                    self.broken.setdefault(mode, outcome)
                    break
            pending = pending[done:]

    def close(self) -> None:
        """End the runners (and the guard's worker, if it was started)."""
        self.runner.close()
        if self.guard is not None:
            self.guard.close()

    def _skip_broken(self, a: Array, v: Array, mode: str, params: Mapping[str, Any]) -> bool:
        if mode not in self.broken:
            return False
        first = self.broken[mode]
        message = f"not called: an earlier call in mode {mode!r}: {first.message}"
        self._cache[self._key(a, v, mode, params)] = Outcome(first.status, None, message, "", 0.0)
        return True

    def one(self, a: Array, v: Array, mode: str) -> Probe:
        return self.run([(a, v, mode)])[0]


_Full: TypeAlias = "tuple[Array, Array, str, Mapping[str, Any]]"


def _full(request: Request) -> _Full:
    """A request with its ``params`` (empty for ``f(a, v, mode)``)."""
    if len(request) == 4:
        return request
    a, v, mode = request[:3]
    return (a, v, mode, {})
