"""``convspec port``: convert a layer's kernel and arguments, print the proof.

    convspec port --from tensorflow --to torch kernel.npy --stride 2 --padding SAME

reads the kernel (``.npy``, or ``.npz`` with ``kernel`` and optionally ``bias``), converts it
with :func:`convspec.port.port`, writes the converted kernel, and prints the target's
arguments, the explicit pad or crop it needs, the code and the proof.  Exit status 0 when
ported, 2 when the port is refused or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .frameworks import CONVENTIONS
from .port import Layer, port
from .port_code import render

__all__ = ["add_parser", "run"]


def _value(text: str) -> Any:
    """A JSON value (``2``, ``[2, 1]``, ``[[0, 1], [0, 1]]``) or ``1,2``; otherwise a name."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if "," in text:
            try:
                return [int(part) for part in text.split(",")]
            except ValueError:
                pass
        return text


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``port`` subcommand to ``convspec``'s subparsers."""
    presets = ", ".join(CONVENTIONS)
    parser: argparse.ArgumentParser = commands.add_parser(
        "port",
        help="move a convolution layer's weights between frameworks and prove it equal",
        description=(
            "Convert a convolution layer's kernel and arguments from one framework's "
            f"convention to another's ({presets}; aliases tf, flax, pytorch), and prove "
            "the two layers equal by running both through the reference layer."
        ),
    )
    parser.add_argument("kernel", type=Path, help="the kernel: .npy, or .npz with kernel[, bias]")
    parser.add_argument("--from", dest="source", required=True, metavar="PRESET")
    parser.add_argument("--to", dest="target", required=True, metavar="PRESET")
    parser.add_argument("--stride", type=_value, default=1, help="int or one per axis")
    parser.add_argument(
        "--padding",
        type=_value,
        default=0,
        help="as the source framework writes it: a name (SAME, same, half), an int, one int "
        "per axis, or (before, after) pairs as JSON, e.g. '[[0, 1], [0, 1]]'",
    )
    parser.add_argument("--dilation", type=_value, default=1)
    parser.add_argument("--groups", type=int, default=1)
    parser.add_argument("--transposed", action="store_true", help="a transposed layer")
    parser.add_argument("--output-padding", type=_value, default=0)
    parser.add_argument(
        "--output-shape", type=_value, default=None, help="spatial output shape (TensorFlow)"
    )
    parser.add_argument(
        "--input-size", type=_value, default=None, help="spatial input size, when it matters"
    )
    parser.add_argument("--out", type=Path, default=None, help="where to write the kernel")
    return parser


def _load(path: Path) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    if not path.exists():
        raise ValueError(f"kernel: no such file {str(path)!r}")
    loaded = np.load(path, allow_pickle=False)
    if isinstance(loaded, np.ndarray):
        return loaded, None
    with loaded:
        names = list(loaded.files)
        key = next((k for k in ("kernel", "weight", "W") if k in names), None)
        if key is None and len(names) == 1:
            key = names[0]
        if key is None:
            raise ValueError(f"kernel: {str(path)!r} holds {names}; expected 'kernel' (and 'bias')")
        bias = loaded["bias"] if "bias" in names else None
        return loaded[key], bias


def _int_list(value: Any) -> Any:
    return [value] if isinstance(value, int) else value


def run(args: argparse.Namespace) -> int:
    """Run ``convspec port``; returns the exit status."""
    try:
        kernel, bias = _load(args.kernel)
        source = Layer(
            args.source,
            kernel,
            stride=args.stride,
            padding=args.padding,
            dilation=args.dilation,
            groups=args.groups,
            transposed=args.transposed,
            output_padding=args.output_padding,
            output_shape=_int_list(args.output_shape),
            bias=bias,
        )
        ported = port(source, args.target, _int_list(args.input_size))
    except ValueError as error:
        print(f"convspec port: {error}", file=sys.stderr)
        return 2
    out = args.out or args.kernel.with_name(f"{args.kernel.stem}.{ported.layer.preset}.npy")
    np.save(out, ported.kernel)
    source_conv, target_conv = source.convention, ported.layer.convention
    rank, transposed = source.rank, source.transposed
    kind = f"{rank}-D {'transposed ' if transposed else ''}convolution layer"
    print(f"convspec port: {source_conv.name} -> {target_conv.name}, {kind}")
    print(
        f"kernel: {source_conv.kernel_layout(rank, transposed)} {list(kernel.shape)} -> "
        f"{target_conv.kernel_layout(rank, transposed)} {list(ported.kernel.shape)}, "
        f"written to {out}"
    )
    print(f"data: {source_conv.data_layout(rank)} -> {target_conv.data_layout(rank)}")
    arguments = ", ".join(f"{k}={v!r}" for k, v in ported.arguments.items())
    print(f"{target_conv.name} arguments: {arguments}")
    if ported.pre_pad is not None:
        what = "crop after the layer" if transposed else "extra zero pad before the layer"
        print(f"{what} (before, after) per spatial axis: {[list(p) for p in ported.pre_pad]}")
    for note in ported.notes:
        print(f"note: {note}")
    print("code:")
    for line in render(ported).splitlines():
        print(f"    {line}")
    print(ported.proof)
    return 0
