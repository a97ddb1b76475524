"""Numerics: error bounds, the tolerance policy, and measured error beside its bound.

Spec chapter: ``spec/numerics.md`` (clauses NUM-1 .. NUM-9).

* :class:`Precision` and :func:`precision_of`: the floating-point formats a backend may
  compute in, each with its unit roundoff ``u`` (NUM-1).
* :func:`error_bound`: for every output element, how far from the exact value a correct
  implementation of a method (direct summation or FFT) in a precision may land (NUM-4 ..
  NUM-6).
* :class:`Accuracy` and :func:`bound_for`: what a backend declares about its method and
  precision, and the bound a check applies to it (NUM-7); ``LOOSE_CLASSES`` names the
  reduced-precision classes a backend may declare, and :func:`looseness` says when a
  declaration is looser than the operands' own precision.
* :func:`measure_error` and :class:`ErrorMeasurement`: the measured error beside the bound,
  in absolute terms, in ulps and as a fraction of the bound (NUM-8, NUM-9).

The exact values themselves come from :mod:`convspec.oracle` (re-exported here).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from .convolution import convolve
from .modes import SameAlignment, select_mode
from .ndim import flip
from .notation import Mode, as_operand_pair, check_mode, result_dtype
from .oracle import exact_convolve, exact_correlate, exact_dot

__all__ = [
    "LOOSE_CLASSES",
    "PRECISIONS",
    "Accuracy",
    "ComplexProducts",
    "ErrorMeasurement",
    "Method",
    "Operation",
    "Precision",
    "bound_for",
    "default_accuracy",
    "error_bound",
    "exact_convolve",
    "exact_correlate",
    "exact_dot",
    "gamma",
    "looseness",
    "measure_error",
    "precision_of",
    "ulp",
]

Array = np.ndarray[Any, np.dtype[Any]]
Method: TypeAlias = Literal["direct", "fft", "exact"]
Operation: TypeAlias = Literal["convolve", "correlate"]
METHODS: tuple[Method, ...] = ("direct", "fft", "exact")
ComplexProducts: TypeAlias = Literal["naive", "gauss"]
COMPLEX_PRODUCTS: tuple[ComplexProducts, ...] = ("naive", "gauss")
OPERATIONS: tuple[Operation, ...] = ("convolve", "correlate")


# ------------------------------------------------------------------ precisions (NUM-1)


@dataclass(frozen=True)
class Precision:
    """A binary floating-point format, or exact integer arithmetic.

    ``unit_roundoff`` is ``u = 2**-p`` for ``p`` significand bits (implicit bit
    included): rounding to nearest changes a value in the normal range by a factor
    ``1 + d`` with ``|d| <= u``.  ``smallest_subnormal`` is the spacing of the format
    near zero (an underflowing result is off by at most half of it) and ``largest``
    its largest finite value.  Integer precision has ``u = 0``: nothing is rounded.
    """

    name: str
    significand_bits: int
    min_exponent: int
    largest: float

    @property
    def unit_roundoff(self) -> float:
        """``u = 2**-p``; 0 for exact integer arithmetic."""
        return 0.0 if self.is_exact else 2.0**-self.significand_bits

    @property
    def is_exact(self) -> bool:
        """Whether this is exact (integer) arithmetic."""
        return self.significand_bits == 0

    @property
    def smallest_subnormal(self) -> float:
        """The spacing of the format at zero, ``2**(emin - p + 1)``."""
        if self.is_exact:
            return 0.0
        return 2.0 ** (self.min_exponent - self.significand_bits + 1)


#: The precisions by name.  ``min_exponent`` (emin) is the exponent of the smallest
#: normal number, ``2**emin``; "int64" stands for exact integer arithmetic.
PRECISIONS: dict[str, Precision] = {
    "bfloat16": Precision("bfloat16", 8, -126, float.fromhex("0x1.fep127")),
    "float16": Precision("float16", 11, -14, 65504.0),
    "tf32": Precision("tf32", 11, -126, float.fromhex("0x1.ffcp127")),
    "float32": Precision("float32", 24, -126, float(np.finfo(np.float32).max)),
    "float64": Precision("float64", 53, -1022, float(np.finfo(np.float64).max)),
    "int64": Precision("int64", 0, 0, math.inf),
}

PrecisionLike: TypeAlias = "Precision | str | npt.DTypeLike"


def precision_of(precision: PrecisionLike) -> Precision:
    """The :class:`Precision` named by ``precision``.

    Accepts a :class:`Precision`, a name from ``PRECISIONS`` ("bfloat16", "tf32", ...)
    or anything ``numpy.dtype`` accepts: float16, float32 and float64, complex64 and
    complex128 (the precision of their parts), and integer dtypes (exact arithmetic).
    """
    if isinstance(precision, Precision):
        return precision
    if isinstance(precision, str) and precision in PRECISIONS:
        return PRECISIONS[precision]
    try:
        dtype = np.dtype(precision)
    except TypeError:
        dtype = None
    if dtype is not None:
        if dtype.kind in "iu":
            return PRECISIONS["int64"]
        if dtype.kind == "c":
            dtype = np.dtype(f"f{dtype.itemsize // 2}")
        if dtype.kind == "f" and dtype.name in PRECISIONS:
            return PRECISIONS[dtype.name]
    raise ValueError(
        f"precision_of(): argument 'precision' must name a precision "
        f"({', '.join(PRECISIONS)}) or be a float16/32/64, complex64/128 or integer dtype; "
        f"got {precision!r}"
    )


def gamma(n: int | Array, u: float) -> Any:
    """Higham's ``gamma_n = n u / (1 - n u)``: the relative error of ``n`` roundings.

    ``(1 + d_1) ... (1 + d_n) = 1 + theta`` with ``|theta| <= gamma_n`` when every
    ``|d_i| <= u`` and ``n u < 1``; ``inf`` where ``n u >= 1`` (no bound).
    """
    nu = np.asarray(n, dtype=np.float64) * u
    with np.errstate(divide="ignore"):
        result = np.where(nu < 1, nu / (1 - nu), np.inf)
    return float(result) if result.ndim == 0 else result


def ulp(x: npt.ArrayLike, precision: PrecisionLike) -> Array:
    """The spacing of ``precision`` at ``|x|``: ``2**(max(e, emin) - p + 1)``.

    ``e = floor(log2 |x|)``, ``p`` the significand bits and ``emin`` the smallest normal
    exponent of ``precision``.

    At a power of two it is the spacing above.  At zero and in the subnormal range it is
    the smallest subnormal.  For exact (integer) precision it is 1.
    """
    info = precision_of(precision)
    magnitude = np.abs(np.asarray(x, dtype=np.float64))
    if info.is_exact:
        return np.ones(magnitude.shape)
    _, e = np.frexp(magnitude)  # magnitude = m * 2**e with 1/2 <= m < 1: floor(log2) = e - 1
    exponent = np.maximum(np.where(magnitude > 0, e - 1, info.min_exponent), info.min_exponent)
    return np.ldexp(1.0, (exponent - info.significand_bits + 1).astype(np.int64))


def _check_method(value: object, func: str) -> None:
    if value not in METHODS:
        raise ValueError(
            f"{func}(): argument 'method' must be one of {', '.join(map(repr, METHODS))}; "
            f"got {value!r}"
        )


def _check_complex_products(value: object, func: str) -> None:
    if value not in COMPLEX_PRODUCTS:
        raise ValueError(
            f"{func}(): argument 'complex_products' must be 'naive' or 'gauss'; got {value!r}"
        )


# ------------------------------------------------------ declarations (NUM-7)


@dataclass(frozen=True)
class Accuracy:
    """What a backend declares about how it computes: method and precision.

    ``method``
        ``"direct"`` (sums of products), ``"fft"`` (via fast Fourier transforms) or
        ``"exact"`` (exact sums, rounded once to the output precision).
    ``precision``
        The precision products are formed and accumulated in: a name of
        ``PRECISIONS`` or a dtype (float16, float32, float64, complex64/128, or an
        integer dtype for exact integer arithmetic).  Stored as the canonical name.
    ``note``
        Free text for reports.
    ``inputs``
        Optional: a precision the operands are rounded to before they are multiplied
        (TF32 or bfloat16 tensor cores).  None: operands are rounded only when
        ``precision`` is coarser than their own dtype.
    ``complex_products``
        ``"naive"`` (four real multiplications per complex product, the default) or
        ``"gauss"`` (three), for the direct bound of complex operands (NUM-5).
    """

    method: Method
    precision: PrecisionLike
    note: str = ""
    inputs: PrecisionLike | None = None
    complex_products: ComplexProducts = "naive"

    def __post_init__(self) -> None:
        _check_method(self.method, "Accuracy")
        _check_complex_products(self.complex_products, "Accuracy")
        object.__setattr__(self, "precision", precision_of(self.precision).name)
        if self.inputs is not None:
            object.__setattr__(self, "inputs", precision_of(self.inputs).name)

    def describe(self) -> str:
        """One line for reports, e.g. ``direct summation in float32``."""
        method = {"direct": "direct summation", "fft": "FFT", "exact": "exact, rounded once"}
        text = f"{method[self.method]} in {self.precision}"
        if self.inputs is not None:
            text += f" with inputs rounded to {self.inputs}"
        if self.complex_products == "gauss":
            text += ", complex products by Gauss's formula"
        return f"{text} ({self.note})" if self.note else text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


#: Named classes looser than full precision that a backend may declare (NUM-7).
LOOSE_CLASSES: dict[str, Accuracy] = {
    "tf32-tensor-cores": Accuracy(
        "direct", "float32", inputs="tf32", note="reduced-precision tensor cores (TF32)"
    ),
    "bfloat16-inputs": Accuracy(
        "direct", "float32", inputs="bfloat16", note="bfloat16 operands, float32 accumulation"
    ),
    "float16-accumulation": Accuracy("direct", "float16", note="accumulates in float16"),
    "bfloat16-accumulation": Accuracy("direct", "bfloat16", note="accumulates in bfloat16"),
}


def default_accuracy(dtype: npt.DTypeLike, method: Method = "direct") -> Accuracy:
    """The class a correct backend has for results of ``dtype``: ``method`` in that precision."""
    return Accuracy(method, precision_of(dtype).name)


def looseness(declared: Accuracy, result: npt.DTypeLike) -> str | None:
    """Why ``declared`` is looser than full precision for results of dtype ``result``.

    None when the declared precision (and any input rounding) is at least as fine as the
    result's.  Reports print this beside every value check of such a backend.
    """
    target = precision_of(result)
    reasons = []
    for label, name in (
        ("accumulates in", declared.precision),
        ("rounds inputs to", declared.inputs),
    ):
        if name is None:
            continue
        info = precision_of(name)
        if info.unit_roundoff > target.unit_roundoff:
            reasons.append(
                f"{label} {info.name} (u = 2**{int(math.log2(info.unit_roundoff))}), coarser "
                f"than the {target.name} results"
                + ("" if target.is_exact else f" (u = 2**{int(math.log2(target.unit_roundoff))})")
            )
    if not reasons:
        return None
    text = "declared a looser class: " + "; ".join(reasons)
    return f"{text} [{declared.note}]" if declared.note else text


# ------------------------------------------------------------ bounds (NUM-4 .. NUM-6)


def _float_operands(a: Array, kernel: Array) -> tuple[Array, Array]:
    """Operands as float64 or complex128 (bounds are computed in float64)."""
    dtype = np.complex128 if "c" in (a.dtype.kind, kernel.dtype.kind) else np.float64
    return a.astype(dtype), kernel.astype(dtype)


def _input_rounding(operand: Array, inputs: Precision) -> float:
    """The unit roundoff of rounding ``operand`` to ``inputs``; 0 if its own dtype is finer."""
    if operand.dtype.kind in "iu":
        return inputs.unit_roundoff
    own = precision_of(operand.dtype)
    return inputs.unit_roundoff if inputs.unit_roundoff > own.unit_roundoff else 0.0


def _magnitude_sums(
    a: Array, kernel: Array, counts: Array, complex_products: ComplexProducts
) -> tuple[Array, Array]:
    """Per element: the magnitude sum the bound multiplies, and the roundings ``n`` of gamma_n.

    Real operands: ``(|a| * |v|)[n]`` and ``k_n`` roundings (NUM-4).  Complex operands
    (NUM-5), products formed with four real multiplications: the parts are real sums of
    ``2 k_n`` products, ``sum |ar wr| + |ai wi|`` and ``sum |ar wi| + |ai wr|``.  With
    Gauss's three: each part sums at most ``3 k_n`` terms of at most three roundings, of
    magnitudes at most ``2 (|ar| + |ai|)(|wr| + |wi|)`` per product.  The magnitude sum of
    a complex element is the Euclidean norm of its two parts' sums.
    """
    if a.dtype.kind != "c":
        return convolve(np.abs(a), np.abs(kernel)), counts
    ar, ai, kr, ki = np.abs(a.real), np.abs(a.imag), np.abs(kernel.real), np.abs(kernel.imag)
    if complex_products == "gauss":
        part = 2 * convolve(ar + ai, kr + ki)
        return math.sqrt(2) * part, 3 * counts + 2
    real = convolve(ar, kr) + convolve(ai, ki)
    imag = convolve(ar, ki) + convolve(ai, kr)
    return np.hypot(real, imag), 2 * counts


def _term_counts(a_shape: tuple[int, ...], k_shape: tuple[int, ...]) -> Array:
    """How many products each full output element sums (the overlap of the two boxes)."""
    return convolve(np.ones(a_shape, dtype=np.int64), np.ones(k_shape, dtype=np.int64))


def _fft_log_length(full_shape: tuple[int, ...]) -> int:
    """``sum over axes of ceil(log2 L_i)``: the stages of a radix-2 transform of the output box."""
    return max(1, sum(max(1, math.ceil(math.log2(length))) for length in full_shape if length > 1))


def error_bound(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    *,
    operation: Operation = "convolve",
    mode: Mode = "full",
    method: Method = "direct",
    precision: PrecisionLike | None = None,
    inputs: PrecisionLike | None = None,
    alignment: SameAlignment = "lower",
    output: PrecisionLike | None = None,
    complex_products: ComplexProducts = "naive",
) -> Array:
    """Per-element bound on ``|computed - exact|`` for a correct implementation (NUM-4 .. NUM-6).

    Parameters
    ----------
    a, v
        The operands, as for :func:`convspec.convolve`.
    operation
        ``"convolve"`` or ``"correlate"`` (correlation sums ``a[n + k] conj(v[n])``).
    mode, alignment
        The output window, as for :func:`convspec.convolve` and MODE-5.
    method
        ``"direct"``: each element a sum of its products in any order (NUM-4, NUM-5).
        ``"fft"``: transforms, pointwise product, inverse transform (NUM-6).
        ``"exact"``: correctly rounded to the output precision.
    precision
        The precision products are formed and summed in; default the result dtype's.
        Integer precision with integer operands gives 0: results are exact (NUM-2).
    inputs
        A precision the operands are rounded to first (tensor cores); default: the
        operands are rounded to ``precision`` when it is coarser than their dtype.
    output
        The precision of the returned values; default the result dtype's.  When coarser
        than ``precision``, one more rounding is added.
    complex_products
        How a direct method multiplies complex numbers: ``"naive"`` (four real products,
        as numpy does) or ``"gauss"`` (three, as 3M matrix products do) (NUM-5).

    Returns
    -------
    numpy.ndarray
        float64, the shape of the ``mode`` output.  ``inf`` where an intermediate could
        overflow the precision (no bound).
    """
    func = "error_bound"
    a_arr, v_arr = as_operand_pair(a, v, func)
    mode = check_mode(mode, func)
    if operation not in OPERATIONS:
        raise ValueError(
            f"{func}(): argument 'operation' must be 'convolve' or 'correlate'; got {operation!r}"
        )
    _check_method(method, func)
    _check_complex_products(complex_products, func)
    result = result_dtype(a_arr.dtype, v_arr.dtype)
    acc = precision_of(result if precision is None else precision)
    out = precision_of(result if output is None else output)
    kernel = flip(np.conjugate(v_arr)) if operation == "correlate" else v_arr
    if acc.is_exact or method == "exact":
        full = _exact_method_bound(a_arr, kernel, result, acc, out, func)
    else:
        full = _rounding_bound(a_arr, kernel, method, acc, inputs, out, complex_products)
    return np.ascontiguousarray(select_mode(full, a_arr.shape, v_arr.shape, mode, alignment))


def _exact_method_bound(
    a: Array, kernel: Array, result: np.dtype[Any], acc: Precision, out: Precision, func: str
) -> Array:
    """Exact arithmetic: 0 for integer results, else half an ulp of the output precision."""
    if acc.is_exact and result.kind not in "iu":
        raise ValueError(
            f"{func}(): exact integer precision was declared for {result} operands; "
            "declare a floating-point precision, or method='exact'"
        )
    full_shape = tuple(n + k - 1 for n, k in zip(a.shape, kernel.shape, strict=True))
    if out.is_exact:
        return np.zeros(full_shape)
    exact = exact_convolve(a, kernel)
    magnitude = np.abs(exact.astype(np.complex128 if exact.dtype.kind == "c" else np.float64))
    return 0.5 * ulp(magnitude, out) * (math.sqrt(2) if exact.dtype.kind == "c" else 1.0)


def _rounding_bound(
    a: Array,
    kernel: Array,
    method: Method,
    acc: Precision,
    inputs: PrecisionLike | None,
    out: Precision,
    complex_products: ComplexProducts,
) -> Array:
    """The direct (NUM-4, NUM-5) or FFT (NUM-6) bound over the full output box."""
    rounding = acc if inputs is None else precision_of(inputs)
    ua, uv = _input_rounding(a, rounding), _input_rounding(kernel, rounding)
    a_f, k_f = _float_operands(a, kernel)
    counts = _term_counts(a.shape, kernel.shape)
    sums, n = _magnitude_sums(a_f, k_f, counts, complex_products)
    # Computing |a| * |v| in float64 is itself rounded: inflate it by its own gamma.
    sums = sums * (1 + gamma(int(counts.max()) + 2, 2.0**-53))
    input_factor = (1 + ua) * (1 + uv)
    # Underflow: each rounded operand and product may be off by half a subnormal.
    operand_underflow = (
        (rounding.smallest_subnormal / 2)
        * (float(np.abs(a_f).sum()) + float(np.abs(k_f).sum()))
        * (1.0 if ua or uv else 0.0)
    )
    if method == "direct":
        relative = input_factor * (1 + gamma(n, acc.unit_roundoff)) - 1
        parts = math.sqrt(2) if a_f.dtype.kind == "c" else 1.0
        bound = relative * sums + parts * n * (acc.smallest_subnormal / 2) + operand_underflow
    else:
        bound = _fft_bound(a_f, k_f, acc, input_factor, sums) + operand_underflow
        with np.errstate(invalid="ignore"):  # 0 * inf on non-finite data: the bound is inf
            bound = np.broadcast_to(bound, sums.shape) + (input_factor - 1) * sums
    if out.unit_roundoff > acc.unit_roundoff:  # one more rounding to a coarser output
        bound = bound + out.unit_roundoff * (sums + bound) + out.smallest_subnormal / 2
    largest = min(acc.largest, out.largest)
    return np.where(sums * input_factor + bound < largest, bound, np.inf).astype(np.float64)


def _fft_bound(a: Array, kernel: Array, acc: Precision, input_factor: float, sums: Array) -> float:
    """The normwise FFT bound of NUM-6, the same for every element.

    With ``L`` the transform length and ``r = ceil(log2 L)`` its radix-2 stages, a computed
    transform has ``||error||_2 <= eps ||exact||_2``, ``eps = r eta / (1 - r eta)``,
    ``eta = mu + gamma_4 (sqrt(2) + mu)`` and twiddle factors accurate to ``mu = u``
    (Higham, Accuracy and Stability, Thm 24.2).  The pointwise products add
    ``sqrt(2) gamma_2`` each.  Per element of the result:

    ``|error| <= (2 eps + eps**2 + sqrt(2) gamma_2 (1 + eps)**2) ||a||_2 ||v||_2
    + (eps + u) (||c||_2 + sqrt(L) * that)``,

    where the first term is the forward transforms' and products' error carried through
    the inverse transform (a 1-norm over ``L`` frequencies divided by ``L``) and the second
    the inverse transform's own error, bounded by the 2-norm of its input's inverse.
    ``||c||_2`` is bounded by Young's inequality, ``min(||a||_1 ||v||_2, ||a||_2 ||v||_1)``,
    and by the float64 fast path's result plus its direct bound, whichever is smaller.
    """
    u = acc.unit_roundoff
    stages = _fft_log_length(sums.shape)
    mu = u
    eta = mu + gamma(4, u) * (math.sqrt(2) + mu)
    if stages * eta >= 1:
        return math.inf
    eps = stages * eta / (1 - stages * eta)
    norm2_a, norm2_v = float(np.linalg.norm(a.ravel())), float(np.linalg.norm(kernel.ravel()))
    norm1_a, norm1_v = float(np.abs(a).sum()), float(np.abs(kernel).sum())
    product = norm2_a * norm2_v * input_factor
    transformed = (2 * eps + eps**2 + math.sqrt(2) * gamma(2, u) * (1 + eps) ** 2) * product
    c_fast = convolve(a, kernel)
    direct64 = gamma(2 * int(math.prod(kernel.shape)) + 2, 2.0**-53) * sums
    norm_c = (
        min(
            norm1_a * norm2_v,
            norm2_a * norm1_v,
            float(np.linalg.norm(c_fast.ravel())) + float(np.linalg.norm(direct64.ravel())),
        )
        * input_factor
    )
    length = sums.size
    inverse = (eps + u) * (norm_c + math.sqrt(length) * transformed)
    # Computing the norms in float64 is itself rounded; a relative 2**-40 covers it.
    return float((transformed + inverse) * (1 + 2.0**-40))


def bound_for(
    declared: Accuracy,
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    operation: Operation = "convolve",
    mode: Mode = "full",
    alignment: SameAlignment = "lower",
    output: PrecisionLike | None = None,
) -> Array:
    """The tolerance policy (NUM-7): the per-element bound a check applies to a backend.

    The backend's own declaration decides: its method selects the direct, FFT or exact
    bound, its precision (and input rounding) the unit roundoff.  A declaration looser
    than the operands' precision is honoured, and :func:`looseness` words it for reports.
    """
    if not isinstance(declared, Accuracy):
        raise TypeError(
            f"bound_for(): argument 'declared' must be an Accuracy; got {type(declared).__name__}"
        )
    return error_bound(
        a,
        v,
        operation=operation,
        mode=mode,
        method=declared.method,
        precision=declared.precision,
        inputs=declared.inputs,
        alignment=alignment,
        output=output,
        complex_products=declared.complex_products,
    )


# ---------------------------------------------------------- measuring (NUM-8, NUM-9)


@dataclass(frozen=True)
class ErrorMeasurement:
    """Measured error of a result beside its bound (NUM-9).

    ``max_abs_error``: largest ``|actual - exact|`` over elements with finite exact values
    and finite bounds.  ``max_ulps``: the largest error in ulps of the result's precision
    at the exact value (:func:`ulp`).  ``max_fraction``: the largest ``error / bound``
    (``0 / 0`` counts as 0, ``x / 0`` as inf); at most 1 when the check passes.
    ``worst_index``: the element of ``max_fraction`` (None if no element was measured).
    ``over_bound``: elements whose error exceeds the bound.  ``special_mismatches``:
    elements whose exact value is NaN or infinite and whose result is not that same
    special value, or whose exact value is finite and whose result is not (NUM-8);
    ``first_special_mismatch`` the first of them.  ``unbounded``: elements with an
    infinite bound (overflow possible), not measured.
    """

    elements: int
    max_abs_error: float
    max_ulps: float
    max_fraction: float
    worst_index: tuple[int, ...] | None
    over_bound: int
    special_mismatches: int
    first_special_mismatch: tuple[int, ...] | None
    unbounded: int
    precision: str

    @property
    def passed(self) -> bool:
        """No element over its bound and every special value where it belongs."""
        return self.over_bound == 0 and self.special_mismatches == 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists for indices, ``passed`` included)."""
        data = asdict(self)
        for key in ("worst_index", "first_special_mismatch"):
            if data[key] is not None:
                data[key] = list(data[key])
        data["passed"] = self.passed
        return data

    def summary(self) -> str:
        """One line: ``max 0.31 of bound (12.0 ulp), 0 over, 0 special mismatches``."""
        return (
            f"max {self.max_fraction:.3g} of bound ({self.max_ulps:.3g} ulp {self.precision}, "
            f"abs {self.max_abs_error:.3g}), {self.over_bound} over, "
            f"{self.special_mismatches} special mismatches"
        )


def _as_values(x: npt.ArrayLike, name: str) -> Array:
    """A numeric array for measuring; a name for the error message."""
    array = np.asarray(x)
    if array.dtype.kind not in "iufcO":
        raise TypeError(f"measure_error(): argument {name!r} has non-numeric dtype {array.dtype}")
    return array


def _differences(actual: Array, exact: Array) -> tuple[Array, Array, Array, Array]:
    """``|actual - exact|`` and ``|exact|`` in float64, and two masks.

    The masks: elements whose exact value is special (NaN or inf, in some part) and whose
    result does not hold the same special value; elements whose exact value is finite and
    whose result is not.
    """
    no_mask = np.zeros(exact.shape, dtype=bool)
    if exact.dtype.kind in "iuO" and actual.dtype.kind in "iuO":
        if actual.dtype.kind != "O" and exact.dtype.kind != "O":
            big = max(int(np.abs(actual).max()), int(np.abs(exact).max()))
            if big < 2**53:
                ref = exact.astype(np.float64)
                return np.abs(actual.astype(np.float64) - ref), np.abs(ref), no_mask, no_mask
        diff = np.array(
            [abs(int(p) - int(q)) for p, q in zip(actual.ravel(), exact.ravel(), strict=True)],
            dtype=object,
        ).reshape(exact.shape)
        magnitude = np.abs(exact.astype(object)).astype(np.float64)
        return diff.astype(np.float64), magnitude, no_mask, no_mask
    complex_values = "c" in (actual.dtype.kind, exact.dtype.kind)
    dtype = np.complex128 if complex_values else np.float64
    act, ref = actual.astype(dtype), exact.astype(dtype)
    parts = [(act.real, ref.real), (act.imag, ref.imag)] if complex_values else [(act, ref)]
    special = no_mask.copy()
    special_mismatch = no_mask.copy()
    nonfinite_result = no_mask.copy()
    for got, want in parts:
        want_special = ~np.isfinite(want)
        same = (np.isnan(got) & np.isnan(want)) | (got == want)
        special |= want_special
        special_mismatch |= want_special & ~same
        nonfinite_result |= ~want_special & ~np.isfinite(got)
    with np.errstate(invalid="ignore"):
        diff = np.where(special | nonfinite_result, 0.0, np.abs(act - ref))
    magnitude = np.maximum(np.abs(ref.real), np.abs(ref.imag)) if complex_values else np.abs(ref)
    nonfinite_result &= ~special
    return diff, np.where(special, 0.0, magnitude), special_mismatch, nonfinite_result


def measure_error(
    actual: npt.ArrayLike, exact: npt.ArrayLike, bound: npt.ArrayLike
) -> ErrorMeasurement:
    """Measure ``actual`` against the ``exact`` values and a per-element ``bound`` (NUM-8, NUM-9).

    ``actual`` is a backend's result (any numeric dtype, including integers and Python
    ints), ``exact`` the oracle's, ``bound`` an array from :func:`bound_for` (or a scalar).
    Elements where ``exact`` is NaN or infinite must hold the same special value (NaN for
    NaN, the same infinity), part by part for complex values; they are excluded from the
    error figures.  A non-finite result where the exact value is finite is a mismatch,
    unless the bound there is infinite (overflow allowed).  Ulps are counted in the
    precision of ``actual``'s dtype.
    """
    act = _as_values(actual, "actual")
    ref = _as_values(exact, "exact")
    if act.shape != ref.shape:
        raise ValueError(
            f"measure_error(): arguments 'actual' and 'exact' must have the same shape; "
            f"got {act.shape} and {ref.shape}"
        )
    limit = np.broadcast_to(np.asarray(bound, dtype=np.float64), ref.shape)
    if np.isnan(limit).any() or (limit < 0).any():
        raise ValueError("measure_error(): argument 'bound' must be nonnegative, without NaN")
    diff, magnitude, special_mismatch, nonfinite_result = _differences(act, ref)
    unbounded = np.isinf(limit)
    # Where the bound is infinite an intermediate may overflow: any result is accepted.
    mismatch = special_mismatch | (nonfinite_result & ~unbounded)
    measured = ~unbounded & ~mismatch
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(diff == 0, 0.0, diff / limit)
    fraction = np.where(measured, fraction, 0.0)
    precision = precision_of(act.dtype if act.dtype.kind != "O" else np.int64)
    with np.errstate(over="ignore"):  # an error near zero may be beyond float64 in ulps
        ulps = np.where(measured, diff / ulp(magnitude, precision), 0.0)
    worst = None
    if measured.any():
        flat = int(np.argmax(np.where(measured, fraction, -1.0)))
        worst = tuple(int(i) for i in np.unravel_index(flat, ref.shape))
    mismatches = np.argwhere(mismatch)
    return ErrorMeasurement(
        elements=int(ref.size),
        max_abs_error=float(np.where(measured, diff, 0.0).max(initial=0.0)),
        max_ulps=float(ulps.max(initial=0.0)),
        max_fraction=float(fraction.max(initial=0.0)),
        worst_index=worst,
        over_bound=int((measured & (diff > limit)).sum()),
        special_mismatches=int(mismatch.sum()),
        first_special_mismatch=(tuple(int(i) for i in mismatches[0]) if len(mismatches) else None),
        unbounded=int(unbounded.sum()),
        precision=precision.name,
    )
