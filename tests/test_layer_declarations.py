"""LayerOperation declarations: validated when built, generalised per rank, carried by calls."""

from __future__ import annotations

import numpy as np
import pytest

from convspec.conformance import Backend, LayerOperation
from convspec.conformance.cases import LAYER_MODE, Call, Case
from convspec.conformance.isolation import InProcess, Isolated
from convspec.conformance.layer_backend import layer_differences, layout_for_rank
from convspec.conformance.report import describe_failure
from convspec.conformance.runner import CaseResult


def _function(x: np.ndarray, w: np.ndarray, **params: object) -> np.ndarray:
    return x


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"data_layout": "NCHH"}, "data_layout"),
        ({"data_layout": "NHCW"}, "data_layout"),
        ({"data_layout": "NCOW"}, "data_layout"),
        ({"data_layout": "nchw"}, "data_layout"),
        ({"kernel_layout": "OHW"}, "kernel_layout"),
        ({"kernel_layout": "OIHWD"}, "kernel_layout"),  # 3 spatial letters against NCHW's 2
        ({"padding": ("explicit", "reflect")}, "padding"),
        ({"padding": ()}, "padding"),
        ({"transposed": True, "padding": ("same",)}, "padding"),
        ({"output_padding": True}, "output_padding"),
        ({"ranks": (0,)}, "ranks"),
        ({"ranks": [2]}, "ranks"),
        ({"dtypes": ("float32", "floot64")}, "dtypes"),
        ({"method": "fft"}, "method"),
        ({"accumulation": "double-ish"}, "accumulation"),
        ({"rejects": ("groups", "everything")}, "rejects"),
        ({"stride": 1}, "stride"),
        ({"output_padding_below": "dilation"}, "output_padding_below"),
        ({"max_size": 0}, "max_size"),
    ],
)
def test_bad_declarations_name_the_field(changes: dict[str, object], argument: str) -> None:
    with pytest.raises((ValueError, TypeError), match=f"'{argument}'"):
        LayerOperation(_function, **changes)  # type: ignore[arg-type]


def test_function_must_be_callable() -> None:
    with pytest.raises(TypeError, match="'function'"):
        LayerOperation("conv2d")  # type: ignore[arg-type]


def test_backend_accepts_both_kinds_and_nothing_else() -> None:
    from convspec.conformance import Operation

    backend = Backend(
        "both",
        "0",
        {
            "layer": LayerOperation(_function),
            "convolve": Operation(lambda a, v, mode: np.convolve(a, v, mode), flips=True),
        },
    )
    assert set(backend.operations) == {"layer", "convolve"}
    with pytest.raises(TypeError, match="Operation or a LayerOperation"):
        Backend("bad", "0", {"f": _function})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("layout", "rank", "expected"),
    [
        ("NCHW", 1, "NCW"),
        ("NCHW", 3, "NCDHW"),
        ("NHWC", 1, "NWC"),
        ("NHWC", 3, "NDHWC"),
        ("HWIO", 3, "DHWIO"),
        ("IOHW", 1, "IOW"),
        ("OIW", 2, "OIHW"),
    ],
)
def test_layouts_generalise_to_every_rank(layout: str, rank: int, expected: str) -> None:
    assert layout_for_rank(layout, rank) == expected


def test_defaults_are_the_spec_and_differences_are_listed() -> None:
    assert layer_differences(LayerOperation(_function, ranks=(1, 2, 3))) == []
    assert LayerOperation(_function, transposed=True).kernel == "IOHW"
    tf_like = LayerOperation(
        _function, data_layout="NHWC", kernel_layout="HWIO", bias=False, padding=("valid",)
    )
    differences = layer_differences(tf_like)
    assert "data layout NHWC (spec: NCHW)" in differences
    assert "kernel layout HWIO (spec: OIHW)" in differences
    assert "no bias" in differences


def test_symmetric_padding_admits_only_equal_sides() -> None:
    op = LayerOperation(_function, padding=("symmetric", "same"))
    assert op.supports_padding(((1, 1), (2, 2)))
    assert not op.supports_padding(((1, 0), (2, 2)))
    assert op.supports_padding("same") and not op.supports_padding("same-upper")


def _echo_params(x: np.ndarray, w: np.ndarray, **params: object) -> np.ndarray:
    """Returns what it was called with, encoded as numbers: proves the params arrived."""
    bias = params["bias"]
    assert isinstance(bias, np.ndarray)
    stride = params["stride"]
    padding = params["padding"]
    assert isinstance(stride, tuple) and isinstance(padding, tuple)
    return np.array([*stride, *(p for pair in padding for p in pair), params["groups"], *bias])


#: A backend whose layer echoes its params (for the isolation test, loaded by name).
ECHO = Backend("echo", "0", {"echo": LayerOperation(_echo_params)})


@pytest.mark.parametrize("isolation", ["process", "none"])
def test_params_travel_through_isolation(isolation: str) -> None:
    bias = np.array([0.5, -1.5])
    params = {"stride": (2, 3), "padding": ((1, 0), (0, 2)), "groups": 2, "bias": bias}
    call = Call("echo", np.zeros((1, 2, 4, 4)), np.zeros((2, 1, 2, 2)), LAYER_MODE, params)
    runner = Isolated(f"{__name__}:ECHO", 60.0) if isolation == "process" else InProcess(ECHO)
    try:
        (outcome,) = list(runner.run([call]))
    finally:
        runner.close()
    assert outcome.status == "ok", outcome.message
    assert outcome.value is not None
    assert outcome.value.tolist() == [2, 3, 1, 0, 0, 2, 2, 0.5, -1.5]


def test_reproduction_shows_the_params() -> None:
    bias = np.array([0.5, -1.5])
    params = {"stride": (2, 1), "padding": ((1, 0), (0, 2)), "groups": 1, "bias": bias}
    call = Call("echo", np.ones((1, 1, 3, 3)), np.ones((2, 1, 2, 2)), LAYER_MODE, params)
    case = Case("layers.definition", ("LAYER-1",), "a case", call)
    text = describe_failure(CaseResult(case, "fail", "wrong"), "mod:ECHO")
    assert "bias = np.array([0.5, -1.5], dtype=np.float64)" in text
    assert (
        "params = {'stride': (2, 1), 'padding': ((1, 0), (0, 2)), 'groups': 1, 'bias': bias}"
        in text
    )
    assert "actual = np.asarray(op.function(x, w, **params))" in text
    assert "stride=(2, 1)" in call.describe() and "bias=float64[2]" in call.describe()
