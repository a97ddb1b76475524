"""What a backend declares: its operations and the conventions each one claims.

A backend author fills in one :class:`Backend` with one :class:`Operation` per function.
The suite checks every operation against what it declares, not against one fixed
convention: a correlation that conjugates nothing (torch) passes when it says so, and a
report lists every declared convention that differs from the spec's canonical one.

An operation's ``function`` takes ``(a, v, mode)`` -- two numpy arrays of equal rank and
one of ``"full"``, ``"valid"``, ``"same"`` -- and returns anything numpy can convert
(``__array__`` or DLPack).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np

from convspec.numerics import Accuracy, ComplexProducts

__all__ = [
    "Alignment",
    "Backend",
    "Conjugation",
    "Deviation",
    "Operation",
    "ResultDtypeRule",
    "canonical_differences",
]

Array: TypeAlias = np.ndarray[Any, np.dtype[Any]]
OperationFunction: TypeAlias = Callable[[Array, Array, str], Any]

#: ``"lower"`` (the spec's MODE-4: start ``(K-1)//2``, length ``N``), ``"upper"`` (MODE-5:
#: start ``K//2``), ``"numpy-convolve"`` / ``"numpy-correlate"`` (length ``max(N, K)``, as
#: numpy does), or a callable ``(n, k) -> (start, length)`` inside the full output.
Alignment: TypeAlias = str | Callable[[int, int], tuple[int, int]]

#: Which operand is complex-conjugated before the sum (CPLX-1, CPLX-3).
Conjugation: TypeAlias = Literal["second", "first", "none"]

#: How the result dtype follows from the operand dtypes (NOT-4):
#: ``"spec"`` -- integers give exact int64, otherwise ``np.result_type(a, v)``;
#: ``"promote"`` -- ``np.result_type(a, v)`` for every dtype, integers wrap around;
#: ``"first"`` -- the dtype of ``a``, integers wrap around (scipy.ndimage);
#: ``"float64"`` -- integers become float64, otherwise ``np.result_type(a, v)`` (jax with x64);
#: or a callable ``(a_dtype, v_dtype) -> dtype`` (integer results then wrap around).
ResultDtypeRule: TypeAlias = str | Callable[[np.dtype[Any], np.dtype[Any]], np.dtype[Any]]

CANONICAL_CONJUGATION: dict[bool, Conjugation] = {True: "none", False: "second"}


@dataclass(frozen=True)
class Operation:
    """One function of a backend and the conventions it claims.

    ``flips`` is the heart of it: ``True`` declares a convolution (the kernel is flipped,
    CONV-1), ``False`` a cross-correlation (it is not, CORR-1).
    """

    function: OperationFunction
    flips: bool
    #: Which operand is conjugated; ``None`` means the spec's choice: nothing for a
    #: convolution, the second operand for a correlation.
    conjugates: Conjugation | None = None
    #: Ranks accepted; ``None`` means any rank.
    ranks: tuple[int, ...] | None = (1,)
    modes: tuple[str, ...] = ("full", "valid", "same")
    dtypes: tuple[str, ...] = ("float64",)
    #: Whether ``a`` and ``v`` may have different dtypes.
    mixed_dtypes: bool = False
    same_alignment: Alignment = "lower"
    lag_order: Literal["ascending", "descending"] = "ascending"
    result_dtype: ResultDtypeRule = "spec"
    #: ``"direct"`` (each output a sum of products) or ``"fft"`` (normwise error).
    method: Literal["direct", "fft"] = "direct"
    #: Precision of the sums: ``"result"`` (the result dtype) or a dtype name (``"float64"``).
    accumulation: str = "result"
    #: Modes that need ``a.shape[i] >= v.shape[i]`` on every axis (torch, lax).
    needs_n_ge_k: tuple[str, ...] = ()
    #: How complex products are formed: ``"naive"`` (4 real products) or ``"gauss"``
    #: (3 real products, as torch and XLA do), which has its own direct bound (NUM-5).
    complex_products: ComplexProducts = "naive"
    #: Per result dtype name, an accuracy class overriding ``method``/``accumulation``
    #: (``convspec.numerics.Accuracy``, e.g. ``LOOSE_CLASSES["tf32-tensor-cores"]``).
    accuracy: Mapping[str, Accuracy] | None = None
    #: Modes that need one operand at least as large as the other on every axis (scipy
    #: 'valid' rejects N > K on one axis with N < K on another).
    needs_one_larger: tuple[str, ...] = ()
    #: Largest operand (elements) the suite may pass.
    max_size: int = 1_000_000
    #: IEEE inf and NaN propagate element by element (NOT-6); FFT methods smear them.
    nonfinite: bool = True
    #: Empty operands and operands of different rank raise (NOT-7).
    rejects_invalid: bool = True
    #: Integer results that do not fit the result dtype: ``"wrap"`` around (numpy, scipy),
    #: or ``"undefined"`` (not checked; e.g. a float64 sum cast back to int32).
    integer_overflow: Literal["wrap", "undefined"] = "wrap"

    @property
    def conjugation(self) -> Conjugation:
        """The declared conjugation, the spec's default filled in."""
        return self.conjugates or CANONICAL_CONJUGATION[self.flips]

    @property
    def kind(self) -> str:
        """``"convolution"`` or ``"correlation"``."""
        return "convolution" if self.flips else "correlation"

    def supports_rank(self, rank: int) -> bool:
        """Whether operands of ``rank`` axes are declared supported."""
        return self.ranks is None or rank in self.ranks

    def max_rank(self, limit: int = 3) -> int:
        """The largest declared rank up to ``limit``."""
        return limit if self.ranks is None else min(max(self.ranks), limit)


@dataclass(frozen=True)
class Deviation:
    """A behaviour of the library that differs from its own documentation.

    Cases of ``operation`` for which ``applies(a, v, mode)`` is true and that fail with a
    diagnosis containing ``diagnosis`` are reported as this deviation, not as failures of
    the declaration; the report lists them.  A case it covers that fails in another way
    is still a failure.
    """

    operation: str
    description: str
    applies: Callable[[Array, Array, str], bool]
    diagnosis: str


@dataclass(frozen=True)
class Backend:
    """A library under test: a name, a version and its operations by name."""

    name: str
    version: str
    operations: Mapping[str, Operation]
    #: Where the library's behaviour differs from its own documentation.
    documented_deviations: tuple[Deviation, ...] = ()
    notes: tuple[str, ...] = ()
    #: Free-form facts shown in reports (library versions, flags such as jax x64).
    environment: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for field_name in ("name", "version"):
            value = getattr(self, field_name)
            if not isinstance(value, str):
                raise TypeError(
                    f"Backend: argument {field_name!r} must be a string; "
                    f"got {type(value).__name__} {value!r}"
                )
        for key, value in dict(self.environment).items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(
                    f"Backend {self.name!r}: argument 'environment' must map strings to "
                    f"strings (reports show them as text); got {key!r}: {value!r}; "
                    "convert the value with str()"
                )
        if not all(isinstance(note, str) for note in self.notes):
            raise TypeError(f"Backend {self.name!r}: argument 'notes' must hold strings")
        if not self.operations:
            raise ValueError(f"Backend {self.name!r}: argument 'operations' is empty")
        for op_name, op in self.operations.items():
            if not isinstance(op, Operation):
                raise TypeError(
                    f"Backend {self.name!r}: operation {op_name!r} must be an Operation; "
                    f"got {type(op).__name__}"
                )


def canonical_differences(op: Operation) -> list[str]:
    """The declared conventions of ``op`` that differ from the spec's canonical ones."""
    out = []
    if op.conjugation != CANONICAL_CONJUGATION[op.flips]:
        out.append(f"conjugates {op.conjugation} (spec: {CANONICAL_CONJUGATION[op.flips]})")
    if op.same_alignment != "lower" and "same" in op.modes:
        name = getattr(op.same_alignment, "__name__", op.same_alignment)
        out.append(f"'same' alignment {name} (spec: lower)")
    if op.lag_order != "ascending":
        out.append(f"lag order {op.lag_order} (spec: ascending)")
    if op.result_dtype != "spec":
        name = getattr(op.result_dtype, "__name__", op.result_dtype)
        out.append(f"result dtype rule {name!r} (spec: exact int64 for integers)")
    if op.needs_n_ge_k:
        out.append(f"modes {', '.join(op.needs_n_ge_k)} need N >= K")
    if op.needs_one_larger:
        out.append(f"modes {', '.join(op.needs_one_larger)} need one operand larger on every axis")
    if not op.rejects_invalid:
        out.append("empty operands are not rejected")
    if not op.nonfinite:
        out.append("inf/NaN do not propagate element by element")
    return out
