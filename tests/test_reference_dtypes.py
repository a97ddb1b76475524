"""Result dtypes (NOT-4) and accumulation precision (NOT-5), for every pair of numeric dtypes.

Policy: two integer operands (signed or unsigned, any width) give int64, exact, or
OverflowError; anything else gives ``numpy.result_type(a, v)``, summed in at least float64.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import convspec

DTYPES = [
    "int8",
    "uint8",
    "int16",
    "uint32",
    "int64",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
OPERATIONS = {
    name: getattr(convspec, name)
    for name in ("convolve", "correlate", "convolve_literal", "correlate_literal")
}
each_operation = pytest.mark.parametrize("name", sorted(OPERATIONS))

# Small non-negative integers: exact in every dtype above, and so are all their sums.
A = np.array([[3, 0, 8, 5], [1, 7, 2, 6]])
V = np.array([[2, 7, 1]])
#: The exact full results, from numpy's 1-D functions row by row (V has one row): an oracle
#: independent of convspec, computed once.
WANT = {
    "convolve": np.array([np.convolve(row, V[0]) for row in A], dtype=np.int64),
    "correlate": np.array([np.correlate(row, V[0], "full") for row in A], dtype=np.int64),
}


def policy(a_dtype: str, v_dtype: str) -> np.dtype[Any]:
    kinds = {np.dtype(a_dtype).kind, np.dtype(v_dtype).kind}
    if kinds <= {"i", "u"}:
        return np.dtype(np.int64)
    return np.result_type(np.dtype(a_dtype), np.dtype(v_dtype))


@pytest.mark.parametrize(("a_dtype", "v_dtype"), list(itertools.product(DTYPES, DTYPES)))
def test_result_dtype_and_value(a_dtype: str, v_dtype: str) -> None:
    """Every pair of dtypes: the documented result dtype, and the exact values in it."""
    for name, func in OPERATIONS.items():
        got = func(A.astype(a_dtype), V.astype(v_dtype))
        assert got.dtype == policy(a_dtype, v_dtype)
        want = WANT[name.removesuffix("_literal")]
        np.testing.assert_array_equal(got, want.astype(got.dtype), strict=True)


def test_promotion_examples() -> None:
    """A few rows of the policy written out."""
    assert policy("int16", "float32") == np.float32
    assert policy("int64", "float16") == np.float64
    assert policy("complex64", "float64") == np.complex128
    assert policy("uint64", "int64") == np.int64  # numpy itself would give float64
    assert policy("float32", "float32") == np.float32


@each_operation
def test_unsigned_with_signed_is_exact(name: str) -> None:
    """uint64 with int64: int64 whenever the exact value fits, even past int64 on the way."""
    func = OPERATIONS[name]
    big = np.array([2**63], dtype=np.uint64)
    got = func(big, np.array([-1], dtype=np.int64))
    np.testing.assert_array_equal(got, np.array([-(2**63)], dtype=np.int64), strict=True)
    with pytest.raises(OverflowError, match=rf"{name}\(\)"):
        func(big, np.array([1], dtype=np.int64))
    with pytest.raises(OverflowError, match="outside int64"):
        func(np.array([2**64 - 1], dtype=np.uint64), np.array([-1], dtype=np.int64))


@each_operation
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "uint8", "uint16"])
def test_narrow_integer_extremes(name: str, dtype: str) -> None:
    """The extremes of every narrow integer dtype, summed exactly in int64."""
    info = np.iinfo(dtype)
    a = np.array([info.min, info.max, info.max, info.min], dtype=dtype)
    v = np.array([info.max, info.min, info.max], dtype=dtype)
    got = OPERATIONS[name](a, v)
    literal = OPERATIONS[name.split("_")[0] + "_literal"]
    want = literal(a.astype(np.int64), v.astype(np.int64))  # Python ints inside
    np.testing.assert_array_equal(got, want, strict=True)
    assert int(np.max(np.abs(got))) > info.max  # the exact result leaves the input dtype


@each_operation
def test_uint32_extremes_overflow(name: str) -> None:
    """(2**32 - 1)**2 summed twice is past int64: an error, never a wrapped value."""
    top = np.array([2**32 - 1] * 2, dtype=np.uint32)
    with pytest.raises(OverflowError, match=rf"{name}\(\)"):
        OPERATIONS[name](top, top)


@each_operation
def test_float32_is_summed_in_float64(name: str) -> None:
    """NOT-5: 1 + 100 * 1e-8 in float32 inputs is summed in float64 and rounded once.

    Summed in float32, every 1e-8 would be lost against 1.0 and the result would be 1.0.
    """
    a = np.array([1.0] + [1e-8] * 100, dtype=np.float32)
    ones = np.ones(a.size, dtype=np.float32)
    got = OPERATIONS[name](a, ones, "valid")
    assert got.dtype == np.float32
    assert got[0] == np.float32(np.sum(a.astype(np.float64)))
    assert got[0] != np.float32(1.0)
