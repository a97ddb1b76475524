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

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from convspec.numerics import Accuracy, ComplexProducts

if TYPE_CHECKING:
    from .layer_backend import LayerOperation

__all__ = [
    "Alignment",
    "Backend",
    "Conjugation",
    "Deviation",
    "Operation",
    "ResultDtypeRule",
    "canonical_differences",
    "validate_operation",
]

Array: TypeAlias = np.ndarray[Any, np.dtype[Any]]
OperationFunction: TypeAlias = Callable[[Array, Array, str], Any]
#: ``lags(n, k, mode)``: the lag of each output index along one axis (CORR-2).
LagsFunction: TypeAlias = Callable[[int, int, str], Any]

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
    #: Shorthand for both of ``rejects_empty`` and ``rejects_rank_mismatch`` (NOT-7); each
    #: of those, when given, overrides it.
    rejects_invalid: bool = True
    #: Operands with an axis of length 0 raise (NOT-7); ``None``: as ``rejects_invalid``.
    rejects_empty: bool | None = None
    #: Operands of different rank raise (NOT-2, NOT-7); ``None``: as ``rejects_invalid``.
    rejects_rank_mismatch: bool | None = None
    #: Integer results that do not fit the result dtype: ``"wrap"`` around (numpy, scipy),
    #: ``"saturate"`` at the dtype's limits (OpenCV), or ``"undefined"`` (not checked; e.g.
    #: a float64 sum cast back to int32).
    integer_overflow: Literal["wrap", "saturate", "undefined"] = "wrap"
    #: Modes that need an odd kernel length on every axis (an even kernel raises).
    needs_odd_k: tuple[str, ...] = ()
    #: With ``method="direct"``: above this many kernel elements (``v.size``) the
    #: operation switches to an FFT method and is held to the FFT bound (scipy's
    #: ``method="auto"``, OpenCV's ``filter2D``).  ``None``: never.
    fft_above: int | None = None

    #: How ``a`` is extended beyond its box before the mode's window is cut (spec
    #: boundaries): ``"constant"`` (with ``fill_value``), ``"reflect"`` (``d c b | a b c d``),
    #: ``"symmetric"`` (``c b a | a b c d``), ``"edge"`` or ``"wrap"``; see
    #: ``convspec.BOUNDARIES``.  The default is the spec's zero outside the box.
    boundary: str = "constant"
    #: The value outside the box for ``boundary="constant"`` (a number every declared
    #: dtype holds exactly).
    fill_value: float = 0
    #: Added to the start of the 'same' window, one int for every axis or one per axis:
    #: scipy.ndimage's ``origin`` and OpenCV's ``anchor`` are such shifts.
    origin: int | tuple[int, ...] = 0
    #: Kernels shorter than this on some axis raise (an ndimage origin or an OpenCV anchor
    #: must lie inside the kernel).
    min_kernel: int = 1
    #: The kernel is divided by its sum before it is used (astropy ``normalize_kernel``).
    normalize: bool = False
    #: ``lags(n, k, mode)`` -> the lag of each output index along one axis, as the library
    #: reports it (``scipy.signal.correlation_lags``); checked against ``convspec.lags``.
    lags: LagsFunction | None = None
    #: Whether the function takes ``axes=`` (a keyword argument, as
    #: ``scipy.signal.fftconvolve``): it convolves over those axes, the others batched (ND-5).
    axes: bool = False

    def __post_init__(self) -> None:
        for name in ("rejects_empty", "rejects_rank_mismatch"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, self.rejects_invalid)
        validate_operation(self)

    @property
    def conjugation(self) -> Conjugation:
        """The declared conjugation, the spec's default filled in."""
        return self.conjugates or CANONICAL_CONJUGATION[self.flips]

    @property
    def kind(self) -> str:
        """``"convolution"`` or ``"correlation"``."""
        return "convolution" if self.flips else "correlation"

    @property
    def extends(self) -> bool:
        """Whether the declared boundary gives ``a`` values outside its box."""
        return self.boundary != "constant" or self.fill_value != 0

    def origin_of(self, rank: int) -> tuple[int, ...]:
        """The declared 'same' window shift for every one of ``rank`` axes."""
        if isinstance(self.origin, int):
            return (self.origin,) * rank
        if len(self.origin) != rank:
            raise ValueError(
                f"Operation.origin declares {len(self.origin)} axes ({self.origin}); the call "
                f"has {rank}"
            )
        return tuple(self.origin)

    def supports_rank(self, rank: int) -> bool:
        """Whether operands of ``rank`` axes are declared supported."""
        return self.ranks is None or rank in self.ranks

    def max_rank(self, limit: int = 3) -> int:
        """The largest declared rank up to ``limit``."""
        return limit if self.ranks is None else min(max(self.ranks), limit)

    def method_for(self, kernel_size: int) -> Literal["direct", "fft"]:
        """The method used for a kernel of ``kernel_size`` elements (``fft_above``)."""
        if self.method == "direct" and self.fft_above is not None and kernel_size > self.fft_above:
            return "fft"
        return self.method

    def restricted(self, mode: str, a_shape: tuple[int, ...], v_shape: tuple[int, ...]) -> str:
        """Why the declaration says ``mode`` raises for these shapes, or ``""`` if it does not.

        A declared restriction is a promise: the suite probes its edge and expects an
        exception there.
        """
        pairs = list(zip(a_shape, v_shape, strict=True))
        if mode in self.needs_n_ge_k and not all(n >= k for n, k in pairs):
            return f"needs_n_ge_k: K > N on some axis in {mode!r}"
        if mode in self.needs_one_larger and not (
            all(n >= k for n, k in pairs) or all(n <= k for n, k in pairs)
        ):
            return f"needs_one_larger: neither operand is larger on every axis in {mode!r}"
        if mode in self.needs_odd_k and not all(k % 2 for _, k in pairs):
            return f"needs_odd_k: an even kernel length in {mode!r}"
        if any(k < self.min_kernel for _, k in pairs):
            return f"min_kernel: a kernel length below {self.min_kernel}"
        return ""


@dataclass(frozen=True)
class Deviation:
    """A behaviour of the library that differs from its own documentation.

    Cases of ``operation`` for which ``applies(a, v, mode)`` is true and that fail with a
    diagnosis containing ``diagnosis`` are reported as this deviation, not as failures of
    the declaration; the report lists them.  A case it covers that fails in another way
    is still a failure.  For a layer operation the condition is ``applies(x, w, params)``.
    ``reproduction``: a few lines of Python showing the behaviour with the library alone.

    A deviation whose outcome is an exception names it in ``raises``: an exception type
    (the raised one must be that type or derive from it; judged by name, since the call
    may run in another process, and by subclass for Python's built-in exceptions) or a
    substring of the message (``"ValueError: kernel too large"``); the case then counts as
    this deviation when the call raises so.  ``diagnosis`` may then be left empty.
    """

    operation: str
    description: str
    applies: Callable[[Array, Array, Any], bool]
    diagnosis: str = ""
    raises: type[BaseException] | str | None = None
    reproduction: str = ""

    def __post_init__(self) -> None:
        if not self.diagnosis and self.raises is None:
            raise ValueError(
                f"Deviation {self.description!r}: give 'diagnosis' (words the failure's "
                "diagnosis contains) or 'raises' (the exception the call raises)"
            )

    def explains_exception(self, message: str) -> bool:
        """Whether a raised ``message`` (``"ValueError: ..."``) is the declared exception."""
        if self.raises is None:
            return False
        if isinstance(self.raises, str):
            return self.raises in message
        name = message.split(":", 1)[0].strip().rsplit(".", 1)[-1]
        builtin = getattr(builtins, name, None)
        if isinstance(builtin, type) and issubclass(builtin, BaseException):
            return issubclass(builtin, self.raises)
        return name in {c.__name__ for c in self.raises.__mro__}


@dataclass(frozen=True)
class Backend:
    """A library under test: a name, a version and its operations by name."""

    name: str
    version: str
    #: 1-D/N-D operations (:class:`Operation`) and layer operations (``LayerOperation``).
    operations: Mapping[str, Operation | LayerOperation]
    #: Where the library's behaviour differs from its own documentation.
    documented_deviations: tuple[Deviation, ...] = ()
    notes: tuple[str, ...] = ()
    #: Free-form facts shown in reports (library versions, flags such as jax x64).
    environment: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from .layer_backend import LayerOperation

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
            if not isinstance(op, Operation | LayerOperation):
                raise TypeError(
                    f"Backend {self.name!r}: operation {op_name!r} must be an Operation or a "
                    f"LayerOperation; got {type(op).__name__}"
                )
        for deviation in self.documented_deviations:
            if deviation.operation not in self.operations:
                raise ValueError(
                    f"Backend {self.name!r}: documented deviation {deviation.description!r} "
                    f"names operation {deviation.operation!r}; declared operations: "
                    f"{', '.join(map(repr, self.operations))}"
                )


def canonical_differences(op: Operation | LayerOperation) -> list[str]:
    """The declared conventions of ``op`` that differ from the spec's canonical ones."""
    from .layer_backend import LayerOperation, layer_differences

    if isinstance(op, LayerOperation):
        return layer_differences(op)
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
    if op.needs_odd_k:
        out.append(f"modes {', '.join(op.needs_odd_k)} need odd kernel lengths")
    if not op.rejects_empty:
        out.append("empty operands are not rejected")
    if not op.rejects_rank_mismatch:
        out.append("operands of different rank are not rejected")
    if op.integer_overflow == "saturate":
        out.append("integer results saturate (spec: exact int64)")
    if op.fft_above is not None and op.method == "direct":
        out.append(f"FFT above {op.fft_above} kernel elements")
    if not op.nonfinite:
        out.append("inf/NaN do not propagate element by element")
    if op.extends:
        fill = f" {op.fill_value}" if op.boundary == "constant" else ""
        out.append(f"boundary {op.boundary}{fill} (spec: zero outside the box)")
    if op.origin != 0 and "same" in op.modes:
        out.append(f"'same' window shifted by {op.origin}")
    if op.normalize:
        out.append("the kernel is divided by its sum")
    return out


MODES = ("full", "valid", "same")
RESULT_DTYPE_RULES = ("spec", "promote", "first", "float64")

#: Dtypes the suite can judge: the reference computes them exactly and the tolerance
#: policy has a precision for each.
JUDGED_DTYPES = (
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
    "uint16",
    "uint32",
    "uint64",
)

_UNJUDGED = {
    "bfloat16": (
        "the suite cannot judge bfloat16: numpy has no bfloat16 arithmetic (ml_dtypes' "
        "bfloat16 is an opaque numpy dtype of kind 'V'), so neither the operands nor the "
        "exact oracle can be formed in it. Check the float32 path and declare its accuracy "
        "class instead, e.g. accuracy={'float32': Accuracy('direct', 'bfloat16')}"
    ),
}


def _problem(op: Operation) -> str:
    """The first thing wrong with ``op``'s declaration, or ``""``."""
    function: object = op.function
    if not callable(function):
        return f"'function' must be callable f(a, v, mode); got {type(function).__name__}"
    if not isinstance(op.dtypes, tuple) or not op.dtypes:
        return f"'dtypes' must be a non-empty tuple of dtype names; got {op.dtypes!r}"
    for name in op.dtypes:
        if name in _UNJUDGED:
            return f"dtypes: {_UNJUDGED[name]}"
        if name not in JUDGED_DTYPES:
            try:
                known = np.dtype(name).name
                what = "is not a dtype the suite judges"
            except TypeError:
                known, what = "", "is an unknown dtype name"
            hint = f" (write {known!r})" if known in JUDGED_DTYPES else ""
            return f"dtypes: {name!r} {what}{hint}; expected some of {', '.join(JUDGED_DTYPES)}"
    if not op.modes or any(m not in MODES for m in op.modes):
        return f"'modes' must be a non-empty tuple of {', '.join(MODES)}; got {op.modes!r}"
    for field_name in ("needs_n_ge_k", "needs_one_larger", "needs_odd_k"):
        restricted = getattr(op, field_name)
        undeclared = [m for m in restricted if m not in op.modes]
        if undeclared:
            return (
                f"{field_name!r} restricts modes {undeclared} that 'modes' does not declare "
                f"({', '.join(op.modes)})"
            )
    from .conventions import NAMED_ALIGNMENTS  # conventions imports this module

    if isinstance(op.same_alignment, str) and op.same_alignment not in NAMED_ALIGNMENTS:
        return (
            f"'same_alignment' must be one of {', '.join(NAMED_ALIGNMENTS)} or a callable "
            f"(n, k) -> (start, length); got {op.same_alignment!r}"
        )
    if isinstance(op.result_dtype, str) and op.result_dtype not in RESULT_DTYPE_RULES:
        return (
            f"'result_dtype' must be one of {', '.join(RESULT_DTYPE_RULES)} or a callable "
            f"(a_dtype, v_dtype) -> dtype; got {op.result_dtype!r}"
        )
    if op.ranks is not None and (not op.ranks or any(r < 1 for r in op.ranks)):
        return f"'ranks' must be None or a non-empty tuple of ranks >= 1; got {op.ranks!r}"
    if op.conjugates not in (None, "second", "first", "none"):
        return f"'conjugates' must be 'second', 'first', 'none' or None; got {op.conjugates!r}"
    if op.lag_order not in ("ascending", "descending"):
        return f"'lag_order' must be 'ascending' or 'descending'; got {op.lag_order!r}"
    if op.method not in ("direct", "fft"):
        return f"'method' must be 'direct' or 'fft'; got {op.method!r}"
    if op.integer_overflow not in ("wrap", "saturate", "undefined"):
        return (
            "'integer_overflow' must be 'wrap', 'saturate' or 'undefined'; "
            f"got {op.integer_overflow!r}"
        )
    boundary = _boundary_problem(op)
    if boundary:
        return boundary
    if op.fft_above is not None and (op.method != "direct" or op.fft_above < 1):
        return f"'fft_above' needs method='direct' and a positive size; got {op.fft_above!r}"
    return ""


def _boundary_problem(op: Operation) -> str:
    """What is wrong with the declared boundary, fill value, origin or lags, or ``""``."""
    from convspec import BOUNDARIES

    if op.boundary not in BOUNDARIES:
        return f"'boundary' must be one of {', '.join(BOUNDARIES)}; got {op.boundary!r}"
    if op.boundary != "constant" and op.fill_value != 0:
        return (
            f"'fill_value' is only used with boundary='constant'; got {op.fill_value!r} "
            f"with boundary={op.boundary!r}"
        )
    origin = op.origin if isinstance(op.origin, tuple) else (op.origin,)
    if not all(isinstance(o, int) for o in origin):
        return f"'origin' must be an int or a tuple of ints (one per axis); got {op.origin!r}"
    if op.origin != 0 and "same" not in op.modes:
        return "'origin' shifts the 'same' window, which 'modes' does not declare"
    lags: object = op.lags  # declared as a callable, but given by users: checked
    if lags is not None and not callable(lags):
        return f"'lags' must be None or callable lags(n, k, mode); got {type(lags).__name__}"
    if not isinstance(op.min_kernel, int) or op.min_kernel < 1:
        return f"'min_kernel' must be an int >= 1; got {op.min_kernel!r}"
    return ""


def validate_operation(op: Operation) -> None:
    """Raise ``ValueError`` naming the field when ``op``'s declaration cannot be checked."""
    problem = _problem(op)
    if problem:
        raise ValueError(f"Operation: {problem}")
