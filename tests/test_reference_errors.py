"""Bad input raises the right exception, naming the function and the argument (NOT-7).

And the input that is good: anything numpy can read as an array of numbers (lists, tuples,
buffers, objects with ``__array__``, DLPack producers, torch tensors) gives the same result
as the equivalent numpy array.
"""

from __future__ import annotations

import array
import re
from typing import Any

import numpy as np
import pytest

import convspec

OPERATIONS = {
    name: getattr(convspec, name)
    for name in ("convolve", "correlate", "convolve_literal", "correlate_literal")
}
each_operation = pytest.mark.parametrize("name", sorted(OPERATIONS))


def names(func: str, argument: str) -> str:
    """A regular expression for a message naming ``func()`` and ``argument``."""
    return re.escape(f"{func}(): argument {argument!r}")


BAD_OPERANDS = [
    pytest.param([], ValueError, "is empty", id="empty"),
    pytest.param(np.zeros((2, 0)), ValueError, "is empty", id="empty-axis"),
    pytest.param(3.0, ValueError, "0-dimensional", id="0-d"),
    pytest.param(np.float64(3.0), ValueError, "0-dimensional", id="0-d-numpy-scalar"),
    pytest.param([[1, 2], [3]], ValueError, "could not be read as an array", id="ragged"),
    pytest.param(np.array([1, 2], dtype=object), TypeError, "dtype object", id="object"),
    pytest.param(["a", "b"], TypeError, "dtype <U1", id="str"),
    pytest.param(np.array([b"a", b"b"]), TypeError, "dtype |S1", id="bytes"),
    pytest.param(
        np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError, "datetime64", id="datetime"
    ),
    pytest.param(np.array([1], dtype="timedelta64[s]"), TypeError, "timedelta64", id="timedelta"),
    pytest.param(
        np.zeros(2, dtype=[("x", "f8")]), TypeError, "expected an integer, real", id="struct"
    ),
    pytest.param([True, False], TypeError, "dtype bool", id="bool"),
]


@each_operation
@pytest.mark.parametrize(("bad", "error", "detail"), BAD_OPERANDS)
@pytest.mark.parametrize("argument", ["a", "v"])
def test_bad_operand(
    name: str, bad: Any, error: type[Exception], detail: str, argument: str
) -> None:
    """The same bad value, as either operand, is rejected naming that operand."""
    good = np.ones(2)
    a, v = (bad, good) if argument == "a" else (good, bad)
    with pytest.raises(error, match=names(name, argument)) as raised:
        OPERATIONS[name](a, v)
    assert detail in str(raised.value)


def test_bool_message_says_what_to_do() -> None:
    """Booleans are refused by decision: numpy would compute a logical OR of ANDs."""
    with pytest.raises(TypeError, match=r"astype\(np\.int64\)"):
        convspec.convolve([True, True], [True])


@each_operation
def test_rank_mismatch(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{name}(): arguments 'a' and 'v'")) as raised:
        OPERATIONS[name](np.ones((2, 3)), np.ones(3))
    assert "a.ndim=2" in str(raised.value)
    assert "v.ndim=1" in str(raised.value)


@each_operation
@pytest.mark.parametrize("mode", ["nope", "FULL", "Same", "", None, 1, b"full", ("full",)])
def test_unknown_mode(name: str, mode: Any) -> None:
    """Unknown modes, strings in the wrong case and non-strings alike: ValueError naming mode."""
    with pytest.raises(ValueError, match=names(name, "mode")) as raised:
        OPERATIONS[name]([1.0, 2.0], [1.0], mode)
    assert repr(mode) in str(raised.value)


@pytest.mark.parametrize(("bad", "error", "detail"), BAD_OPERANDS)
def test_flip_rejects_what_the_operations_reject(
    bad: Any, error: type[Exception], detail: str
) -> None:
    with pytest.raises(error, match=names("flip", "v")) as raised:
        convspec.flip(bad)
    assert detail in str(raised.value)


def test_helpers_name_their_arguments() -> None:
    with pytest.raises(ValueError, match=names("lags", "mode")):
        convspec.lags(3, 2, "circular")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=names("mode_window", "alignment")):
        convspec.mode_window(3, 2, "same", "middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape("mode_window(): lengths must be at least 1")):
        convspec.mode_window(0, 2, "full")


class WithArray:
    """An object that numpy reads through ``__array__``."""

    def __init__(self, data: np.ndarray[Any, Any]) -> None:
        self.data = data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        return self.data if dtype is None else self.data.astype(dtype)


class WithDLPackOnly:
    """An object that offers only the DLPack protocol (as many array libraries do)."""

    def __init__(self, data: np.ndarray[Any, Any]) -> None:
        self.data = data

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> Any:
        return self.data.__dlpack_device__()


A = np.array([1.0, -2.0, 0.5, 4.0])
V = np.array([3.0, 0.25])

CONVERSIONS = [
    pytest.param(lambda x: x.tolist(), id="list"),
    pytest.param(lambda x: tuple(x.tolist()), id="tuple"),
    pytest.param(lambda x: array.array("d", x.tolist()), id="buffer"),
    pytest.param(WithArray, id="__array__"),
    pytest.param(WithDLPackOnly, id="dlpack"),
]


@each_operation
@pytest.mark.parametrize("convert", CONVERSIONS)
def test_array_conversion(name: str, convert: Any) -> None:
    """Every reader of arrays gives exactly the numpy array's result."""
    func = OPERATIONS[name]
    np.testing.assert_array_equal(func(convert(A), convert(V)), func(A, V), strict=True)


def test_flip_reads_dlpack() -> None:
    np.testing.assert_array_equal(convspec.flip(WithDLPackOnly(A)), A[::-1])


@each_operation
def test_torch_tensors(name: str) -> None:
    torch = pytest.importorskip("torch")
    func = OPERATIONS[name]
    a, v = torch.tensor(A), torch.tensor(V)
    np.testing.assert_array_equal(func(a, v), func(A, V), strict=True)
    np.testing.assert_array_equal(
        func(torch.tensor([100, 100], dtype=torch.int8), torch.tensor([2, 2], dtype=torch.int8)),
        np.array([200, 400, 200]),
        strict=True,
    )


def test_torch_tensor_that_requires_grad_is_refused_clearly() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=names("convolve", "a")) as raised:
        convspec.convolve(torch.ones(3, requires_grad=True), [1.0])
    assert "could not be read as an array" in str(raised.value)


# ----------------------------------------------------------------- coercions refused (issue 13)


def test_masked_values_are_refused_and_an_unmasked_array_is_its_data() -> None:
    with pytest.raises(ValueError, match=r"argument 'a' is a masked array with 1 masked values"):
        convspec.convolve(np.ma.masked_array([1.0, 2.0, 3.0], [0, 1, 0]), [1.0, 1.0])
    unmasked = np.ma.masked_array([1.0, 2.0, 3.0], [0, 0, 0])
    assert np.array_equal(convspec.convolve(unmasked, [1.0, 1.0]), [1.0, 3.0, 5.0, 3.0])


def test_integers_beyond_int64_are_not_read_as_rounded_floats() -> None:
    with pytest.raises(OverflowError, match=r"argument 'a' holds integers outside int64"):
        convspec.convolve([2**64 - 1, 1], [1])
    with pytest.raises(TypeError, match="taken by the exact oracle"):
        convspec.convolve(np.array([2**70, 1], dtype=object), [1])


def test_lengths_must_be_ints() -> None:
    with pytest.raises(TypeError, match=r"argument .n. must be an int; got 5\.0"):
        convspec.mode_window(5.0, 2, "same")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'k' must be an int"):
        convspec.lags(5, 2.0, "same")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'n' must be an int"):
        convspec.mode_window(True, 2, "full")
