"""``convspec identify`` on layer functions ``f(x, w, **params)``.

Every bundled layer adapter's declaration is compared field by field with what identify
finds (:func:`compare_layer`); the reference layers and the deliberately broken layer
backends of ``convspec.conformance.layer_mutants`` are identified as what they compute.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from convspec.conformance import LayerOperation
from convspec.conformance.identify import identify
from convspec.conformance.identify_layer import compare_layer
from convspec.conformance.registry import load

#: Fields identify must observe on every bundled layer operation.
ALWAYS_OBSERVED = {
    "transposed",
    "flips",
    "data_layout",
    "kernel_layout",
    "ranks",
    "padding",
    "stride",
    "dilation",
    "groups",
    "bias",
    "output_padding",
    "dtypes",
    "result_dtype",
    "rejects",
}

#: (backend, library to import or None, operations).  TensorFlow is slow to call (about
#: 20 s an operation): its two rank-2 functions only; the same adapter functions serve
#: conv1d/3d and their transposes, declared once per rank.
ADAPTERS = [
    ("torch-layers", "torch", ("conv", "conv_transpose")),
    (
        "jax-layers",
        "jax",
        (
            "conv_general_dilated",
            "conv_general_dilated NHWC",
            "conv_transpose",
            "conv_transpose(transpose_kernel=False)",
        ),
    ),
    ("onnx-reference", "onnx", ("Conv", "ConvTranspose")),
    ("onnxruntime", "onnxruntime", ("Conv", "ConvTranspose")),
    ("tensorflow", "tensorflow", ("nn.conv2d", "nn.conv2d_transpose")),
]
CASES = [(name, lib, op) for name, lib, ops in ADAPTERS for op in ops]


@pytest.mark.parametrize(
    ("name", "library", "op_name"), CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES]
)
def test_identify_rediscovers_every_bundled_layer_declaration(
    name: str, library: str, op_name: str
) -> None:
    pytest.importorskip(library)
    declared = load(name).operations[op_name]
    assert isinstance(declared, LayerOperation)
    # The declared dtypes and ranks (an adapter may narrow both) plus float16, which no
    # bundled layer declares: found or not, the declared ones must all be found.
    dtypes = (*declared.dtypes, "float16")
    found = identify(name, op_name, isolation="none", dtypes=dtypes, ranks=declared.ranks)
    assert found.declarable, found.problems
    comparisons = compare_layer(declared, found)
    wrong = [c for c in comparisons if c.match is False]
    assert not wrong, f"{name} {op_name}: {wrong}"
    observed = {c.field for c in comparisons if c.match is not None}
    relevant = set(ALWAYS_OBSERVED)
    assert relevant <= observed, relevant - observed


def test_the_reference_layer_through_the_worker_is_the_spec(tmp_path: Path) -> None:
    """``convspec identify --layer convspec:conv --json`` in a subprocess, isolated calls."""
    done = subprocess.run(
        [sys.executable, "-m", "convspec.conformance", "identify", "--layer", "convspec:conv",
         "--json", "--dtypes", "float64,int64", "--ranks", "1,2"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["transposed"] is False and data["flips"] is False
    assert (data["data_layout"], data["kernel_layout"]) == ("NCHW", "OIHW")
    assert data["ranks"] == [1, 2]
    assert set(data["padding"]) == {"explicit", "valid", "same", "same-upper", "same-lower"}
    assert all(data[n] for n in ("stride", "dilation", "groups", "bias"))
    assert data["result_dtype"] == "spec"  # int64 operands give int64, float64 float64
    assert data["rejects"] == ["empty output", "groups"]
    assert data["evidence"]["padding_split"]["same-lower"].startswith("same-lower")
    assert data["evidence"]["calls"] > 0


def test_the_reference_transposed_layer_is_found_transposed() -> None:
    found = identify("convspec:conv_transpose", layer=True, dtypes=("float64",), ranks=(2,))
    fields = found.fields()
    assert found.declarable, found.problems
    assert fields["transposed"] is True and fields["kernel_layout"] == "IOHW"
    assert fields["output_padding"] is True
    assert fields["output_padding_below"] == "stride or dilation"
    assert set(fields["padding"]) == {"explicit", "valid", "same-upper", "same-lower"}


def test_rendered_layer_declaration_runs_and_builds_what_was_found() -> None:
    found = identify("convspec:conv", layer=True, isolation="none", dtypes=("float64",))
    namespace: dict[str, object] = {}
    exec(found.render(), namespace)
    built = namespace["operation"]
    assert isinstance(built, LayerOperation)
    assert built == found.operation()
    assert "LayerOperation(" in found.render()


MUTANTS = "convspec.conformance.layer_mutants:"


def _mutant(name: str) -> dict[str, object]:
    found = identify(MUTANTS + name, isolation="none", dtypes=("float64",))
    return {"problems": " ".join(found.problems), **found.fields()}


def test_a_flipping_layer_is_found_flipping() -> None:
    fields = _mutant("FLIPS")
    assert fields["flips"] is True and fields["transposed"] is False
    assert not fields["problems"]


def test_the_odd_pad_before_is_found_as_a_same_lower_split() -> None:
    fields = _mutant("ODD_PAD_BEFORE")
    split = fields["padding_split"]
    assert isinstance(split, dict)
    assert split["same"].startswith("same-lower")
    assert split["same-upper"].startswith("same-lower")
    assert split["same-lower"].startswith("same-upper")
    assert fields["padding"] == ("symmetric", "valid")  # asymmetric pairs come out swapped
    assert "padding='same' computes same-lower" in str(fields["problems"])


def test_an_ignored_stride_and_bias_are_found_unsupported() -> None:
    stride = _mutant("IGNORES_STRIDE")
    assert stride["stride"] is False and stride["dilation"] is True
    bias = _mutant("IGNORES_BIAS")
    assert bias["bias"] is False and bias["stride"] is True


def test_a_kernel_read_as_iohw_is_found_iohw() -> None:
    fields = _mutant("KERNEL_READ_AS_IOHW")
    assert fields["kernel_layout"] == "IOHW" and fields["data_layout"] == "NCHW"


def test_interleaved_groups_and_a_channels_first_result_are_not_declarable() -> None:
    groups = _mutant("INTERLEAVED_GROUPS")
    assert groups["groups"] is False
    assert "groups=2 returns something else" in str(groups["problems"])
    result = _mutant("CHANNELS_FIRST_RESULT")
    assert "takes NHWC data and a HWIO kernel" in str(result["problems"])
    assert "returns the result in NCHW" in str(result["problems"])


def test_a_dying_layer_call_is_recorded_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "dies_on_groups.py").write_text(
        textwrap.dedent(
            """
            import os
            import convspec

            def layer(x, w, *, padding, stride, dilation, groups, bias):
                if groups != 1:
                    os._exit(3)
                return convspec.conv(x, w, padding=padding, stride=stride,
                                     dilation=dilation, bias=bias)
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "convspec.conformance", "identify", "--layer",
         "dies_on_groups:layer", "--dtypes", "float64", "--ranks", "2", "--json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    assert data["groups"] is False
    assert data["stride"] is True and data["bias"] is True
    support = data["evidence"]["fields"]["groups"]["rejected"]["True"]
    assert "died" in support
