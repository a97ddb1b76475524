"""Shape buckets (conformance/adapters/shape_buckets.py): padding never changes a case's output.

The identity is checked on numpy and scipy (cheap, exact with integer-valued data, so any
misplaced window shows), and on jax itself, whose adapter uses the buckets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convspec.conformance.adapters.shape_buckets import Buckets, bucket_padding, bucketed

MODES = ("full", "valid", "same")

ARRAY_FUNCTIONS: dict[str, tuple[Any, bool, str]] = {
    "numpy.convolve": (lambda a, v, mode: np.convolve(a, v, mode), True, "numpy-convolve"),
    "numpy.correlate": (lambda a, v, mode: np.correlate(a, v, mode), False, "numpy-correlate"),
}
try:
    import scipy.signal

    ARRAY_FUNCTIONS["scipy.signal.convolve"] = (
        lambda a, v, mode: scipy.signal.convolve(a, v, mode, method="direct"),
        True,
        "lower",
    )
    ARRAY_FUNCTIONS["scipy.signal.correlate"] = (
        lambda a, v, mode: scipy.signal.correlate(a, v, mode, method="direct"),
        False,
        "lower",
    )
except ImportError:  # pragma: no cover - scipy is in the test extras
    pass

SMALL = Buckets(short_1d=8, long_1d=16, short_nd=4, long_nd=8)  # more padding per case


@st.composite
def operands(draw: Any, rank: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Integer-valued operands (sums exact in any order), a longer or shorter than v."""
    a_shape = tuple(draw(st.lists(st.integers(1, 9), min_size=rank, max_size=rank)))
    a_longer = draw(st.booleans())
    v_shape = tuple(
        draw(st.integers(1, n)) if a_longer else n + draw(st.integers(0, 5)) for n in a_shape
    )
    complex_data = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)

    def array(shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        x = rng.integers(-9, 10, shape).astype(np.float64)
        return x + 1j * rng.integers(-9, 10, shape) if complex_data else x

    return array(a_shape), array(v_shape)


def assert_same_output(function: str, a: Any, v: Any, mode: str, buckets: Buckets) -> None:
    call, convolve, alignment = ARRAY_FUNCTIONS[function]
    want = call(a, v, mode)
    got = bucketed(call, convolve=convolve, alignment=alignment, buckets=buckets)(a, v, mode)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want, strict=True)


@pytest.mark.parametrize("buckets", [Buckets(), SMALL], ids=["default", "small"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("function", ["numpy.convolve", "numpy.correlate"])
@settings(max_examples=60, deadline=None)
@given(data=operands(rank=1))
def test_numpy_output_unchanged_by_padding(
    function: str, mode: str, buckets: Buckets, data: Any
) -> None:
    assert_same_output(function, *data, mode, buckets)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("function", ["scipy.signal.convolve", "scipy.signal.correlate"])
@settings(max_examples=60, deadline=None)
@given(rank=st.integers(1, 3), data=st.data())
def test_scipy_output_unchanged_by_padding(function: str, mode: str, rank: int, data: Any) -> None:
    if function not in ARRAY_FUNCTIONS:
        pytest.skip("scipy is not installed")
    a, v = data.draw(operands(rank))
    assert_same_output(function, a, v, mode, SMALL)


def test_a_padded_case_is_padded_and_cut_back() -> None:
    """Not a pass-through: the call sees bucket shapes, the caller the case's shape."""
    seen: list[tuple[tuple[int, ...], tuple[int, ...]]] = []

    def recording(a: Any, v: Any, mode: str) -> Any:
        seen.append((a.shape, v.shape))
        return np.convolve(a, v, mode)

    out = bucketed(recording, convolve=True, alignment="numpy-convolve")(
        np.arange(5.0), np.arange(1.0, 4.0), "same"
    )
    assert seen == [((128,), (63,))]  # an odd kernel stays odd in 'same'
    np.testing.assert_array_equal(out, np.convolve(np.arange(5.0), np.arange(1.0, 4.0), "same"))


@pytest.mark.parametrize(
    ("a", "v", "why"),
    [
        (np.zeros(0), np.ones(3), "an empty operand"),
        (np.array([1.0, np.nan, 2.0]), np.ones(2), "a NaN (0 * NaN is NaN)"),
        (np.ones(4), np.array([np.inf, 1.0]), "an infinity (0 * inf is NaN)"),
        (np.ones((3, 3)), np.ones(2), "operands of different ranks"),
        (np.ones((5, 2)), np.ones((2, 5)), "a longer on one axis, v on the other"),
    ],
)
def test_cases_whose_meaning_padding_could_change_run_at_their_own_shape(
    a: Any, v: Any, why: str
) -> None:
    for mode in MODES:
        assert bucket_padding(a, v, mode, "lower", convolve=True) is None, why
    received: list[Any] = []

    def recording(x: Any, y: Any, mode: str) -> str:
        received.append((x, y))
        return "called"

    assert bucketed(recording, convolve=True, alignment="lower")(a, v, "full") == "called"
    assert received[0][0] is a and received[0][1] is v


@pytest.mark.parametrize(
    ("a_shape", "v_shape", "a_is_long"),
    [
        ((3, 6), (4, 6), False),
        ((4, 6), (3, 6), True),
        ((6, 6), (6, 6), True),
        ((2, 5, 5), (2, 5, 1), True),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_operands_equal_on_some_axes_keep_which_one_is_larger(
    a_shape: tuple[int, ...], v_shape: tuple[int, ...], a_is_long: bool, mode: str
) -> None:
    """Equal lengths on an axis do not stop padding: the operand at least as large on every
    axis stays so (scipy-style functions swap on it), and is padded longer on every axis."""
    a, v = np.ones(a_shape), np.ones(v_shape)
    padding = bucket_padding(a, v, mode, "lower", convolve=True)
    if padding is None:  # 'same' output shorter than v may fall outside every arrangement
        assert mode == "same" and not a_is_long
        return
    padded_a = [n + sum(pad) for n, pad in zip(a_shape, padding.a, strict=True)]
    padded_v = [k + sum(pad) for k, pad in zip(v_shape, padding.v, strict=True)]
    longer, shorter = (padded_a, padded_v) if a_is_long else (padded_v, padded_a)
    assert all(x > y for x, y in zip(longer, shorter, strict=True)), (padded_a, padded_v)


@pytest.mark.parametrize("k", [1, 4, 5, 8, 9])
def test_kernel_parity_is_kept_in_same_mode(k: int) -> None:
    """Odd and even kernels may be aligned differently in 'same': padding keeps the parity."""
    padding = bucket_padding(np.ones(20), np.ones(k), "same", "lower", convolve=True)
    assert padding is not None
    assert (k + sum(padding.v[0])) % 2 == k % 2


def test_jax_output_unchanged_by_padding() -> None:
    """jax itself, on a few shapes (each costs a compilation), in every mode and regime."""
    pytest.importorskip("jax")
    from convspec.conformance.adapters import jax_backend

    backend = jax_backend.backend()
    assert backend.environment["shape_buckets"] == "on"
    rng = np.random.default_rng(7)
    shapes = [((7,), (3,)), ((3,), (8,)), ((6, 5), (2, 3)), ((2, 2), (4, 3))]
    for name, operation in backend.operations.items():
        for a_shape, v_shape in shapes:
            if name.startswith("numpy.") and len(a_shape) > 1:
                continue
            a = rng.integers(-9, 10, a_shape).astype(np.float64)
            v = rng.integers(-9, 10, v_shape).astype(np.float64)
            for mode in MODES:
                want = np.asarray(_unbucketed(name)(a, v, mode))
                got = np.asarray(operation.function(a, v, mode))
                np.testing.assert_array_equal(got, want, strict=True, err_msg=f"{name} {mode}")


def _unbucketed(name: str) -> Any:
    import jax.numpy as jnp
    import jax.scipy.signal as jss

    library = {"numpy": jnp, "scipy.signal": jss}[name.rsplit(".", 1)[0]]
    function = getattr(library, name.rsplit(".", 1)[1])
    if name.startswith("scipy."):
        return lambda a, v, mode: function(a, v, mode, method="direct", precision="highest")
    return lambda a, v, mode: function(a, v, mode, precision="highest")
