"""The ``convspec`` command: ``check BACKEND``, ``backends`` and ``identify MODULE:CALLABLE``.

Exit status of ``check``: 0 when the backend conforms to its declaration, 1 when it does
not, 2 on usage errors (unknown or unavailable backend, bad options: one line on stderr,
found before anything runs), 3 when no case failed but some were not run (``--budget``
spent, or an operation cut off after repeated timeouts), and 128 + the signal's number
(130, 143) when SIGINT or SIGTERM stopped the run; the reports then say so.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, NoReturn

from convspec import port_cli

__all__ = ["main"]

#: Exit status of a run that judged no failure but did not run every case.
INCOMPLETE = 3


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (``convspec check: error: ...``), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _integer_at_least(minimum: int, name: str) -> Callable[[str], int]:
    """An argparse type: an integer >= ``minimum`` (``name`` is what argparse calls it)."""

    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}; got {text}")
        return value

    parse.__name__ = name
    return parse


_seed = _integer_at_least(0, "seed")
_jobs = _integer_at_least(1, "jobs")


def _seconds(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0; got {text}")
    return value


_seconds.__name__ = "seconds"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="convspec",
        description="Check a convolution/correlation backend against the convspec spec.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run the conformance suite against a backend")
    check.add_argument("backend", help="an installed backend name or module:attribute")
    check.add_argument("--profile", choices=("quick", "full"), default="quick")
    check.add_argument("--seed", type=_seed, default=0, help="seed of the random cases (>= 0)")
    check.add_argument(
        "--report",
        nargs=2,
        action="append",
        metavar=("FORMAT", "PATH"),
        default=[],
        help="write a report: 'json PATH' or 'md PATH' (repeatable)",
    )
    check.add_argument("--timeout", type=_seconds, default=20.0, help="seconds per backend call")
    check.add_argument(
        "--budget",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds for the whole run; cases not called by then are reported as not run",
    )
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
    check.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="worker processes calling the backend at once; each operation stays in one "
        "(default: %(default)s)",
    )
    check.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="leave out the reproduction of each failure group (the clause table, one line "
        "per group and the verdict remain)",
    )
    commands.add_parser("backends", help="list installed backends and why others are unavailable")
    _identify_parser(commands)
    port_cli.add_parser(commands)
    return parser


def _identify_parser(commands: Any) -> None:
    from .identify_fit import DEFAULT_DTYPES

    identify = commands.add_parser(
        "identify",
        help="probe an undeclared function f(a, v, mode) and print the declaration it fits",
        description=(
            "Probe MODULE:CALLABLE, a function f(a, v, mode), with flip-discriminating inputs "
            "and print what it computes as a ready-to-paste Operation(...). A backend name or "
            "module:attribute naming a Backend identifies each of its operations instead. "
            "With --layer, MODULE:CALLABLE is a layer function f(x, w, padding=..., stride=..., "
            "...) (stride, dilation, groups, bias, output_padding: the spec's names) and the "
            "output is a LayerOperation(...); a backend's layer operations need no --layer. "
            "Exit status: 0 when a declaration states everything observed, 1 when some "
            "behaviour is not declarable, 2 on usage errors."
        ),
    )
    identify.add_argument("target", help="MODULE:CALLABLE, or a backend name / module:attribute")
    identify.add_argument(
        "--layer",
        action="store_true",
        help="MODULE:CALLABLE is a layer function f(x, w, padding=..., ...): print a "
        "LayerOperation "
        "(a backend's layer operations are found as layers without it)",
    )
    identify.add_argument(
        "--ranks",
        default=None,
        help="layer functions: comma-separated spatial ranks to try (default: 1,2,3)",
    )
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
    ranks = None
    if args.ranks is not None:
        try:
            ranks = tuple(int(r) for r in args.ranks.split(",") if r.strip())
        except ValueError:
            parser.error(f"--ranks: expected comma-separated integers; got {args.ranks!r}")
        if not ranks or any(r < 1 for r in ranks):
            parser.error(f"--ranks: expected spatial ranks >= 1; got {args.ranks!r}")
    try:
        targets = resolve_target(args.target, args.operation, args.layer)
    except BackendUnavailable as error:
        print(f"convspec: backend unavailable: {error}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, ImportError, AttributeError) as error:
        print(f"convspec: identify: {error}", file=sys.stderr)
        return 2
    declarable = True
    isolation: Literal["process", "none"] = "none" if args.in_process else "process"
    for target in targets:
        found = run_identify(target, dtypes, isolation, args.timeout, args.seed, ranks)
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


def _report_paths(parser: argparse.ArgumentParser, reports: list[list[str]]) -> dict[str, Path]:
    """``{format: path}``, each format once, the paths distinct and writable (or exit 2)."""
    from .report import failures_path

    paths: dict[str, Path] = {}
    for fmt, given in reports:
        if fmt not in ("json", "md"):
            parser.error(f"--report: format must be 'json' or 'md'; got {fmt!r}")
        if fmt in paths:
            parser.error(f"--report {fmt} is given twice")
        paths[fmt] = Path(given)
        if paths[fmt].is_dir() or not paths[fmt].name:
            parser.error(f"--report {fmt} {given}: is a folder")
    npz = failures_path(paths.get("json"), paths.get("md"))
    targets: dict[str, Path] = {**paths, **({"failures": npz} if npz is not None else {})}
    seen: dict[str, str] = {}
    for what, path in targets.items():
        resolved = os.path.realpath(path)
        if resolved in seen:
            parser.error(f"--report: the {seen[resolved]} and {what} reports would both be {path}")
        seen[resolved] = what
        problem = _unwritable(path)
        if problem:
            parser.error(f"--report {what} {path}: {problem}")
    return paths


def _unwritable(path: Path) -> str:
    """Why ``path`` cannot be written as a report ("" when it can)."""
    if path.is_dir():
        return "is a folder"
    folder = path.parent
    if not folder.is_dir():
        return f"folder {str(folder)!r} does not exist"
    if path.exists() and not os.access(path, os.W_OK):
        return "exists and is not writable"
    try:  # the report is written as a temporary file in the same folder, then renamed
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as error:
        return f"cannot write in folder {str(folder)!r}: {error.strerror or error}"
    return ""


def _load(name: str) -> Any:
    """The backend, loaded with its import-time output kept off convspec's (or exit 2)."""
    from .escaping import terminal_text
    from .isolation import Capture
    from .registry import BackendUnavailable, load

    capture = Capture()
    try:
        with capture():
            return load(name)
    except BackendUnavailable as error:
        print(f"convspec: backend unavailable: {terminal_text(error)}", file=sys.stderr)
    except (ValueError, TypeError) as error:
        print(f"convspec: {terminal_text(error)}", file=sys.stderr)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit included: loading must not end convspec
        print(
            f"convspec: loading backend {name!r} raised {type(error).__name__}: "
            f"{terminal_text(error)}",
            file=sys.stderr,
        )
    finally:
        if capture.text:
            print(
                f"convspec: backend {name!r} printed while loading: "
                + terminal_text(capture.text[:300]),
                file=sys.stderr,
            )
        capture.close()
    return None


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .report import failure_groups, failures_path, terminal, write_reports
    from .runner import RunResult, generate, run

    if args.jobs > 1 and args.in_process:
        parser.error(f"--jobs {args.jobs} calls the backend in worker processes; drop --in-process")
    paths = _report_paths(parser, args.report)
    backend = _load(args.backend)
    if backend is None:
        return 2
    cases, skips = generate(backend, args.profile, args.seed, args.select)
    if not cases and not skips:
        print(f"convspec: -k {args.select} selects no check", file=sys.stderr)
        return 2
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    placeholder = RunResult(
        backend,
        args.backend,
        args.profile,
        args.seed,
        args.timeout,
        [],
        skips,
        0.0,
        incomplete=f"not finished: the run started at {started} and has not written its report",
        budget=args.budget,
    )
    if paths:  # until the run ends, the reports say that it has not (an old one is replaced)
        try:
            write_reports(placeholder, paths.get("json"), paths.get("md"))
        except OSError as error:
            print(f"convspec: could not write a report: {error}", file=sys.stderr)
            return 2
    result = run(
        backend,
        args.backend,
        profile=args.profile,
        seed=args.seed,
        timeout=args.timeout,
        isolation="none" if args.in_process else "process",
        cases=cases,
        skips=skips,
        budget=args.budget,
        jobs=args.jobs,
    )
    try:
        write_reports(result, paths.get("json"), paths.get("md"))
    except OSError as error:  # checked writable before the run; the disk may be full now
        print(f"convspec: could not write a report: {error}", file=sys.stderr)
    try:
        npz = failures_path(paths.get("json"), paths.get("md"))
        groups = failure_groups(result, None if npz is None else str(npz), not args.quiet)
        if groups:
            print(groups, end="\n\n")
        print(terminal(result), flush=True)
    except BrokenPipeError:  # piped into `head`: the verdict still decides the status
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
    if result.interrupted is not None:
        judged = len(result.results) - len(result.not_run)
        print(
            f"convspec: {result.incomplete} after {judged} of {len(result.results)} cases; "
            "the reports are marked incomplete",
            file=sys.stderr,
        )
        return 128 + result.interrupted
    return {"conformant": 0, "not conformant": 1}.get(result.verdict, INCOMPLETE)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "backends":
        return _backends()
    if args.command == "identify":
        return _identify(args, parser)
    if args.command == "port":
        return port_cli.run(args)
    return _check(args, parser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
