"""Checks, the cases they build, and the registry that lists them.

A *check* is a function decorated with :func:`check`: it names the clauses it verifies and,
given one operation of a backend (a :class:`Context`), yields :class:`Case` objects -- one
backend call each, with the expectation to hold it to -- or :class:`Skip` records saying
why a clause cannot be checked for this operation (a mode or dtype it does not declare).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from convspec.clauses import CLAUSES

from .backend import Array, Backend, Operation
from .layer_backend import LayerOperation

__all__ = ["CHECKS", "LAGS", "LAYER_MODE", "Call", "Case", "Check", "Context", "Skip", "check"]

Profile = Literal["quick", "full"]


#: The mode of a call of an operation's declared ``lags`` function: ``"lags:same"`` calls
#: ``lags(a.shape[0], v.shape[0], "same")`` (``a`` and ``v`` only carry the lengths).
LAGS = "lags:"


def target(backend: Backend, call: Call) -> Callable[[Array, Array, str], Any]:
    """What ``call`` calls: the operation's function, or its declared lags function."""
    op = backend.operations[call.operation]
    if isinstance(op, LayerOperation):  # function(x, w, **params)
        layer = op.function
        return lambda x, w, _mode: layer(x, w, **call.params)
    if call.params:  # keyword arguments such as axes= (ND-5)
        return lambda a, v, mode: op.function(a, v, mode, **call.params)
    if not call.mode.startswith(LAGS):
        return op.function
    lags = op.lags
    if lags is None:
        raise ValueError(f"operation {call.operation!r} declares no lags function")
    return lambda a, v, mode: lags(a.shape[0], v.shape[0], mode.removeprefix(LAGS))


@dataclass(frozen=True)
class Call:
    """One call of a backend operation: ``operation(a, v, mode)``.

    A layer operation (:class:`~convspec.conformance.LayerOperation`) is called
    ``operation(x, w, **params)`` instead: ``a`` is the data, ``v`` the kernel, both in the
    declared layouts, ``params`` the layer's parameters under the spec's names and ``mode``
    is ``"layer"``.
    """

    operation: str
    a: Array
    v: Array
    mode: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if self.mode == LAYER_MODE:
            return (
                f"{self.operation}(x: {self.a.dtype}{list(self.a.shape)}, "
                f"w: {self.v.dtype}{list(self.v.shape)}, {describe_params(self.params)})"
            )
        return (
            f"{self.operation}(a: {self.a.dtype}{list(self.a.shape)}, "
            f"v: {self.v.dtype}{list(self.v.shape)}, mode={self.mode!r})"
        )


#: The ``mode`` of a layer call.
LAYER_MODE = "layer"


def describe_params(params: Mapping[str, Any]) -> str:
    """``stride=(2, 1), padding=((1, 0), (0, 2)), bias=float32[4]``: short, readable."""
    parts = []
    for name, value in params.items():
        is_array = isinstance(value, np.ndarray)
        text = f"{value.dtype}{list(value.shape)}" if is_array else repr(value)
        parts.append(f"{name}={text}")
    return ", ".join(parts)


@dataclass(frozen=True)
class Case:
    """A call and what it must give.

    ``expect``: ``"declared"`` -- the reference's result under the operation's declared
    conventions, within the tolerance policy; ``"raises"`` -- any exception (rejected
    input); ``"identity"`` -- the same values as ``partner``, another operation of the same
    backend (the flip identity, CORR-4); ``"lags"`` -- the declared lags function gives
    ``convspec.lags`` of the declared window (a call of mode :data:`LAGS` + mode).
    """

    check: str
    clauses: tuple[str, ...]
    label: str
    call: Call
    expect: Literal["declared", "raises", "identity", "lags"] = "declared"
    partner: Call | None = None

    @property
    def operation(self) -> str:
        return self.call.operation


@dataclass(frozen=True)
class Skip:
    """A clause that cannot be checked for an operation, and why."""

    check: str
    clauses: tuple[str, ...]
    operation: str
    reason: str


@dataclass
class Context:
    """What a check gets: the backend, one operation, the profile and a seeded generator."""

    backend: Backend
    op_name: str
    op: Operation
    profile: Profile
    seed: int
    check_name: str = ""
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        # One stream per (seed, check, operation): results do not depend on run order or -k.
        key = zlib.crc32(f"{self.check_name}/{self.op_name}".encode())
        self.rng = np.random.default_rng([self.seed, key])

    @property
    def full(self) -> bool:
        return self.profile == "full"

    def case(
        self, clauses: tuple[str, ...], label: str, a: Array, v: Array, mode: str = "full"
    ) -> Case:
        """A ``declared`` case calling this context's operation."""
        return Case(self.check_name, clauses, label, Call(self.op_name, a, v, mode))

    def skip(self, clauses: tuple[str, ...], reason: str) -> Skip:
        return Skip(self.check_name, clauses, self.op_name, reason)

    def float_dtype(self) -> str | None:
        """The operation's preferred real float dtype (float64 first), or None."""
        for name in ("float64", "float32", "float16"):
            if name in self.op.dtypes:
                return name
        return None

    def allows(self, mode: str, a_shape: tuple[int, ...], v_shape: tuple[int, ...]) -> bool:
        """Whether the declaration covers ``mode`` for these shapes."""
        if mode not in self.op.modes or not self.op.supports_rank(len(a_shape)):
            return False
        if max(np.prod(a_shape), np.prod(v_shape)) > self.op.max_size:
            return False
        return not self.op.restricted(mode, a_shape, v_shape)

    def any_mode(self) -> str:
        """``"full"`` when declared, else the first declared mode."""
        return "full" if "full" in self.op.modes else self.op.modes[0]


Produces = Iterator[Case | Skip]
#: A check gets a :class:`Context`, or a ``LayerContext`` when it applies to layers.
CheckFunction = Callable[[Any], Produces]


@dataclass(frozen=True)
class Check:
    """A registered check: a dotted name (chapter.what), its clauses and its generator."""

    name: str
    clauses: tuple[str, ...]
    #: ``"layer"``: layer operations only (``LayerOperation``); every other kind applies to
    #: the 1-D/N-D operations (``Operation``) only.
    applies_to: Literal["convolution", "correlation", "any", "backend", "layer"]
    function: CheckFunction
    doc: str


#: Every check, in the order reports list them.
CHECKS: dict[str, Check] = {}


def check(
    *clauses: str,
    applies_to: Literal["convolution", "correlation", "any", "backend", "layer"] = "any",
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check citing ``clauses`` (ids of :data:`convspec.clauses.CLAUSES`)."""
    unknown = [c for c in clauses if c not in CLAUSES]
    if unknown:
        raise ValueError(f"check cites unknown clause ids {unknown}")

    def register(function: CheckFunction) -> CheckFunction:
        chapter = function.__module__.rsplit(".", 1)[-1]
        name = f"{chapter}.{function.__name__}"
        doc = (function.__doc__ or "").strip().splitlines()[0] if function.__doc__ else name
        CHECKS[name] = Check(name, tuple(clauses), applies_to, function, doc)
        return function

    return register
