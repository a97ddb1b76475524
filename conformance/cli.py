"""The ``convspec`` command: ``check BACKEND``, ``backends`` and ``identify MODULE:CALLABLE``.

Exit status of ``check``: 0 when the backend conforms to its declaration, 1 when it does
not, 2 on usage errors (unknown or unavailable backend, bad options).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convspec",
        description="Check a convolution/correlation backend against the convspec spec.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run the conformance suite against a backend")
    check.add_argument("backend", help="an installed backend name or module:attribute")
    check.add_argument("--profile", choices=("quick", "full"), default="quick")
    check.add_argument("--seed", type=int, default=0, help="seed of the random cases")
    check.add_argument(
        "--report",
        nargs=2,
        action="append",
        metavar=("FORMAT", "PATH"),
        default=[],
        help="write a report: 'json PATH' or 'md PATH' (repeatable)",
    )
    check.add_argument("--timeout", type=float, default=20.0, help="seconds per backend call")
    check.add_argument(
        "-k",
        dest="select",
        action="append",
        metavar="CLAUSE",
        help="only checks citing this clause id or named so (glob; repeatable)",
    )
    check.add_argument(
        "--in-process",
        action="store_true",
        help="call the backend in this process (faster; no timeout or crash protection)",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    commands.add_parser("backends", help="list installed backends and why others are unavailable")
    _identify_parser(commands)
    return parser


def _identify_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .identify_fit import DEFAULT_DTYPES

    identify = commands.add_parser(
        "identify",
        help="probe an undeclared function f(a, v, mode) and print the declaration it fits",
        description=(
            "Probe MODULE:CALLABLE, a function f(a, v, mode), with flip-discriminating inputs "
            "and print what it computes as a ready-to-paste Operation(...). A backend name or "
            "module:attribute naming a Backend identifies each of its operations instead. "
            "Exit status: 0 when a declaration states everything observed, 1 when some "
            "behaviour is not declarable, 2 on usage errors."
        ),
    )
    identify.add_argument("target", help="MODULE:CALLABLE, or a backend name / module:attribute")
    identify.add_argument("--operation", help="with a backend: identify only this operation")
    identify.add_argument("--json", action="store_true", help="print one JSON object per function")
    identify.add_argument(
        "--dtypes",
        default=",".join(DEFAULT_DTYPES),
        help="comma-separated dtypes to try (default: %(default)s)",
    )
    identify.add_argument("--timeout", type=float, default=10.0, help="seconds per call")
    identify.add_argument("--seed", type=int, default=0, help="seed of the random operands")
    identify.add_argument(
        "--in-process",
        action="store_true",
        help="call the function in this process (faster; no timeout or crash protection)",
    )


def _identify(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import json

    import numpy as np

    from .identify import run_identify
    from .identify_probe import resolve_target
    from .registry import BackendUnavailable

    dtypes = tuple(d.strip() for d in args.dtypes.split(",") if d.strip())
    for name in dtypes:
        try:
            np.dtype(name)
        except TypeError:
            parser.error(f"--dtypes: {name!r} is not a numpy dtype name")
    if not dtypes:
        parser.error("--dtypes: expected at least one dtype name")
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive; got {args.timeout}")
    try:
        targets = resolve_target(args.target, args.operation)
    except BackendUnavailable as error:
        print(f"convspec: backend unavailable: {error}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, ImportError, AttributeError) as error:
        print(f"convspec: identify: {error}", file=sys.stderr)
        return 2
    declarable = True
    isolation: Literal["process", "none"] = "none" if args.in_process else "process"
    for target in targets:
        found = run_identify(target, dtypes, isolation, args.timeout, args.seed)
        declarable = declarable and found.declarable
        if args.json:
            print(json.dumps(found.to_json()), flush=True)
        else:
            print(found.render(), flush=True)
    return 0 if declarable else 1


def _backends() -> int:
    from .registry import available

    for listing in available():
        if listing.unavailable is None:
            print(f"{listing.name:<18} {listing.version:<16} {listing.target}")
        else:
            print(f"{listing.name:<18} {'unavailable':<16} {listing.unavailable}")
    return 0


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .registry import BackendUnavailable, load
    from .report import failure_groups, failures_path, terminal, write_reports
    from .runner import run

    paths: dict[str, Path] = {}
    for fmt, path in args.report:
        if fmt not in ("json", "md"):
            parser.error(f"--report: format must be 'json' or 'md'; got {fmt!r}")
        paths[fmt] = Path(path)
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive; got {args.timeout}")
    try:
        backend = load(args.backend)
    except BackendUnavailable as error:
        print(f"convspec: backend unavailable: {error}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as error:
        print(f"convspec: {error}", file=sys.stderr)
        return 2
    result = run(
        backend,
        args.backend,
        profile=args.profile,
        seed=args.seed,
        timeout=args.timeout,
        isolation="none" if args.in_process else "process",
        select=args.select,
    )
    if not result.results and not result.skips:
        print(f"convspec: -k {args.select} selects no check", file=sys.stderr)
        return 2
    write_reports(result, paths.get("json"), paths.get("md"))
    try:
        npz = failures_path(paths.get("json"), paths.get("md"))
        groups = failure_groups(result, None if npz is None else str(npz), not args.quiet)
        if groups:
            print(groups, end="\n\n")
        print(terminal(result), flush=True)
    except BrokenPipeError:  # piped into `head`: the verdict still decides the status
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
    return 0 if result.conformant else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "backends":
        return _backends()
    if args.command == "identify":
        return _identify(args, parser)
    return _check(args, parser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
