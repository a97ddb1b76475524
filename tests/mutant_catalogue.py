"""A catalogue of deliberately defective backends: the suite's self-test.

Each :class:`Entry` is a backend whose declaration is honest except for one defect, and
the phrase its first diagnosis line must contain -- the first line of the grouped report,
the cause shared by most of its failing cases.  ``tests/test_mutant_catalogue.py`` runs
every entry, requires each to be rejected, and prints the kill rate and the diagnosis
rate.  The defects are built on the reference (:mod:`convspec`), so each mutant differs
from a correct backend by exactly its defect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import convspec
from convspec.conformance import Backend, Operation

Array = np.ndarray[Any, Any]
Function = Callable[[Array, Array, str], Any]


@dataclass(frozen=True)
class Entry:
    """A defective backend and the phrase that names its defect."""

    name: str
    backend: Backend
    phrase: str


def conv(a: Array, v: Array, mode: str) -> Array:
    return np.asarray(convspec.convolve(a, v, mode))  # type: ignore[arg-type]


def corr(a: Array, v: Array, mode: str) -> Array:
    return np.asarray(convspec.correlate(a, v, mode))  # type: ignore[arg-type]


def _windowed(
    full: Array, a: Array, v: Array, mode: str, start_shift: int, end_shift: int
) -> Array:
    """The mode's window of ``full`` (1-D) with its start and end moved."""
    start, length = convspec.mode_window(a.shape[0], v.shape[0], mode)  # type: ignore[arg-type]
    return full[start + start_shift : start + length + end_shift]


def _entry(name: str, phrase: str, function: Function, **declared: Any) -> Entry:
    declared.setdefault("flips", True)
    declared.setdefault("dtypes", ("float64",))
    kind = "convolve" if declared["flips"] else "correlate"
    backend = Backend(f"catalogue: {name}", "0", {kind: Operation(function, **declared)})
    return Entry(name, backend, phrase)


def _post(base: Function, change: Callable[[Array], Array]) -> Function:
    def function(a: Array, v: Array, mode: str) -> Array:
        return change(base(a, v, mode))

    return function


def _kernel(base: Function, change: Callable[[Array], Array]) -> Function:
    def function(a: Array, v: Array, mode: str) -> Array:
        return base(a, np.ascontiguousarray(change(v)), mode)

    return function


def _drop_tap(v: Array) -> Array:
    v = v.copy()
    if v.size > 1:
        v.flat[1] = 0
    return v


def _double_tap(v: Array) -> Array:
    v = v.copy()
    v[0] = 2 * v[0]
    return v


def _shift_by_one(x: Array) -> Array:
    out = np.zeros_like(x)
    out[1:] = x[:-1]
    return out


def _nan_to_zero(a: Array, v: Array, mode: str) -> Array:
    return conv(np.where(np.isnan(a), 0, a), v, mode)


def _zeros_to_inf(x: Array) -> Array:
    x = x.copy()
    x[x == 0] = np.inf
    return x


def _wrap(dtype: str) -> Function:
    def function(a: Array, v: Array, mode: str) -> Array:
        with np.errstate(over="ignore"):
            return conv(a, v, mode).astype(dtype)

    return function


def _saturate(dtype: str) -> Function:
    def function(a: Array, v: Array, mode: str) -> Array:
        info = np.iinfo(dtype)
        return np.clip(conv(a, v, mode), info.min, info.max).astype(dtype)

    return function


def _sums_in(precision: str) -> Function:
    """Direct summation, every partial sum rounded to ``precision`` (1-D)."""

    def function(a: Array, v: Array, mode: str) -> Array:
        out = np.zeros(a.shape[0] + v.shape[0] - 1, dtype=precision)
        with np.errstate(all="ignore"):
            for m, x in enumerate(a.astype(precision)):
                out[m : m + v.shape[0]] += x * v.astype(precision)
        start, length = convspec.mode_window(a.shape[0], v.shape[0], mode)  # type: ignore[arg-type]
        return out[start : start + length].astype(np.result_type(a, v))

    return function


def _fft(a: Array, v: Array, mode: str) -> Array:
    size = a.shape[0] + v.shape[0] - 1
    full = np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(v, size), size)
    return _windowed(full, a, v, mode, 0, 0)


def _swapping_valid(a: Array, v: Array, mode: str) -> Array:
    """'valid' with K > N swaps the operands (numpy) instead of raising as declared."""
    if mode == "valid" and v.shape[0] > a.shape[0]:
        return conv(v, a, mode)
    return conv(a, v, mode)


def _not_implemented_for(dtype: str) -> Function:
    def function(a: Array, v: Array, mode: str) -> Array:
        if dtype in (a.dtype.name, v.dtype.name):
            raise NotImplementedError(f"{dtype} is not supported")
        return conv(a, v, mode)

    return function


def _odd_only(a: Array, v: Array, mode: str) -> Array:
    if mode == "same" and any(k % 2 == 0 for k in v.shape):
        raise ValueError("kernel size must be odd")
    return conv(a, v, mode)


def _accepts_empty(a: Array, v: Array, mode: str) -> Array:
    if a.size == 0 or v.size == 0:
        return np.zeros(0)
    return conv(a, v, mode)


def _accepts_rank_mismatch(a: Array, v: Array, mode: str) -> Array:
    if a.ndim != v.ndim:
        return np.zeros(a.shape)
    return conv(a, v, mode)


def _window_mutant(start_shift: int, end_shift: int, modes: tuple[str, ...]) -> Function:
    def function(a: Array, v: Array, mode: str) -> Array:
        if mode not in modes:
            return conv(a, v, mode)
        return _windowed(conv(a, v, "full"), a, v, mode, start_shift, end_shift)

    return function


def _padded_full(a: Array, v: Array, mode: str) -> Array:
    out = conv(a, v, mode)
    return np.concatenate([out, np.zeros(1, out.dtype)]) if mode == "full" else out


def _upper_same(a: Array, v: Array, mode: str) -> Array:
    if mode != "same":
        return conv(a, v, mode)
    start = v.shape[0] // 2
    return conv(a, v, "full")[start : start + a.shape[0]]


def _truncate_last_axis(x: Array) -> Array:
    return x[:, :-1] if x.shape[1] > 1 else x


COMPLEX = ("complex128",)
ND2: dict[str, Any] = {"ranks": (2,)}

CATALOGUE: list[Entry] = [
    # the flip
    _entry("does not flip (1-D)", "computes cross-correlation", corr),
    _entry("flips (declared correlation)", "computes convolution", conv, flips=False),
    _entry(
        "flips axis 1 only (2-D)",
        "flips the kernel along axis 1 only, should flip axes 0 and 1",
        _kernel(conv, lambda v: np.flip(v, axis=0)),
        **ND2,
    ),
    _entry(
        "flips axis 0 only (2-D)",
        "flips the kernel along axis 0 only",
        _kernel(conv, lambda v: np.flip(v, axis=1)),
        **ND2,
    ),
    _entry(
        "correlation flipping axis 2 (3-D)",
        "flips the kernel along axis 2 only",
        _kernel(corr, lambda v: np.flip(v, axis=2)),
        flips=False,
        ranks=(3,),
    ),
    _entry("transposed kernel (2-D)", "transposes the kernel", _kernel(conv, np.transpose), **ND2),
    _entry(
        "rotated kernel (2-D)", "rotates the kernel a quarter turn", _kernel(conv, np.rot90), **ND2
    ),
    # conjugation
    _entry(
        "correlation conjugating a",
        "conjugates the first operand",
        lambda a, v, mode: corr(np.conj(a), np.conj(v), mode),
        flips=False,
        dtypes=COMPLEX,
    ),
    _entry(
        "correlation conjugating neither",
        "conjugates neither operand",
        _kernel(corr, np.conj),
        flips=False,
        dtypes=COMPLEX,
    ),
    _entry(
        "convolution conjugating v",
        "conjugates the second operand",
        _kernel(conv, np.conj),
        dtypes=COMPLEX,
    ),
    _entry(
        "correlation that flips (and conjugates v)",
        "computes convolution",
        _kernel(conv, np.conj),
        flips=False,
        dtypes=COMPLEX,
    ),
    # lags, windows
    _entry("reversed lags", "lags in reverse order", _post(corr, np.flip), flips=False),
    _entry(
        "valid window starts one late",
        "truncated by 1 at the start",
        _window_mutant(1, 0, ("valid",)),
        modes=("valid",),
    ),
    _entry(
        "valid window ends one early",
        "truncated by 1 at the end",
        _window_mutant(0, -1, ("valid",)),
        modes=("valid",),
    ),
    _entry("full output padded", "padded by 1 at the end", _padded_full, modes=("full",)),
    _entry("upper 'same' declared lower", "'same' window with upper alignment", _upper_same),
    _entry("ignores the mode", "returns the 'full' window", lambda a, v, mode: conv(a, v, "full")),
    _entry(
        "2-D output one short on axis 1",
        "truncated by 1 at the end along axis 1",
        _post(conv, _truncate_last_axis),
        modes=("full",),
        **ND2,
    ),
    _entry("output shifted by one", "shifted by 1", _post(conv, _shift_by_one), modes=("full",)),
    _entry("output rolled by one", "rolled by 1", _post(conv, lambda x: np.roll(x, 1))),
    _entry(
        "2-D output rolled along axis 0",
        "rolled by 1 along axis 0",
        _post(conv, lambda x: np.roll(x, 1, axis=0)),
        **ND2,
    ),
    # taps
    _entry("dropped tap", "drops kernel tap v[1]", _kernel(conv, _drop_tap)),
    _entry("duplicated tap", "duplicates kernel tap v[0]", _kernel(conv, _double_tap)),
    _entry(
        "dropped tap (2-D)",
        "drops kernel tap v[",
        _kernel(conv, _drop_tap),
        **ND2,
    ),
    # special values
    _entry("NaN swallowed", "swallows NaN", _nan_to_zero),
    _entry("inf invented", "invents inf", _post(conv, _zeros_to_inf)),
    # types
    _entry(
        "imaginary part dropped",
        "drops the imaginary part",
        _post(conv, lambda x: x.real.astype(x.dtype)),
        dtypes=COMPLEX,
    ),
    _entry(
        "result narrower than declared",
        "narrower than the declared float64",
        _post(conv, lambda x: x.astype(np.float32)),
    ),
    _entry(
        "result wider than declared",
        "wider than the declared float32",
        _post(conv, lambda x: x.astype(np.float64)),
        dtypes=("float32",),
    ),
    _entry("integer wrap", "wrap around in int8", _wrap("int8"), dtypes=("int8",)),
    _entry(
        "integer saturation", "saturate at the int16 limits", _saturate("int16"), dtypes=("int16",)
    ),
    _entry(
        "wraps, declared to saturate",
        "wrap around in int8, declared to saturate",
        _wrap("int8"),
        dtypes=("int8",),
        result_dtype="promote",
        integer_overflow="saturate",
    ),
    # precision
    _entry(
        "float16 accumulation", "float16 accumulation", _sums_in("float16"), dtypes=("float32",)
    ),
    _entry("float32 accumulation", "float32 accumulation", _sums_in("float32")),
    _entry("FFT instead of direct", "FFT", _fft, nonfinite=False),
    # exceptions and restrictions
    _entry(
        "returns where declared to raise",
        "returns a result instead of raising for K > N",
        _swapping_valid,
        needs_n_ge_k=("valid",),
    ),
    _entry(
        "raises on every float32 case",
        "every float32 case raises NotImplementedError",
        _not_implemented_for("float32"),
        dtypes=("float32", "float64"),
    ),
    _entry(
        "raises on even kernels in 'same'",
        "only when the kernel has an even length in 'same'",
        _odd_only,
    ),
    _entry(
        "accepts empty operands",
        "instead of raising for an empty operand",
        _accepts_empty,
    ),
    _entry(
        "accepts operands of different rank",
        "instead of raising for operands of different rank",
        _accepts_rank_mismatch,
    ),
]


def _layer_entries() -> list[Entry]:
    """The defective layer backends of ``convspec.conformance.layer_mutants`` (issue 9: layer
    entries once layers land), each with the phrase the layer diagnosis names it by.
    """
    from convspec.conformance import layer_mutants as lm

    phrases = {
        "IGNORES_STRIDE": "ignores the stride",
        "IGNORES_DILATION": "ignores the dilation",
        "ODD_PAD_BEFORE": "puts the odd pad on the other side",
        "INTERLEAVED_GROUPS": "splits the groups wrongly",
        "CHANNELS_FIRST_RESULT": "returns the result as NC",
        "KERNEL_READ_AS_IOHW": "reads the kernel as IO",
        "FLIPS": "flips the kernel (a true convolution)",
        "IGNORES_BIAS": "ignores the bias",
        "OUTPUT_PADDING_AT_START": "adds output_padding at the start instead of the end",
    }
    return [
        Entry(f"layer: {name.lower().replace('_', ' ')}", getattr(lm, name), phrase)
        for name, phrase in phrases.items()
    ]


CATALOGUE += _layer_entries()
