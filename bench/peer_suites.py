"""Re-run other projects' convolution tests against convspec's reference.

The test cases of scipy's ``scipy/signal/tests/test_signaltools.py`` (convolve, convolve2d,
fftconvolve, oaconvolve, correlate, correlate2d) and numpy's ``TestConvolve`` and
``TestCorrelate`` (``numpy/_core/tests/test_numeric.py``) are run from the installed wheels
(both ship their tests), unchanged, with the library functions replaced by wrappers that call
``convspec.convolve`` / ``convspec.correlate``.  The wrappers map each library's arguments to
convspec's: ``axes=``, ``boundary=`` (scipy's fill/wrap/symm and a ``fillvalue``), the 'same'
alignment each function uses (numpy's length ``max(N, K)``, ``correlate2d``'s upper
alignment), and cast the exact int64 result back to the library's dtype where that loses
nothing.  Nothing else is adapted, so every remaining failure is a place where convspec's
spec differs from the library, and each is classified below, by the clause that makes the
difference, or reported as unclassified.

Run it with ``python bench/peer_suites.py`` (``--list`` prints every failure).  It prints the
counts per suite and per classification; it exits 1 if a failure is unclassified.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import convspec

Array = np.ndarray[Any, np.dtype[Any]]

# ------------------------------------------------------------------ the wrappers

_SCIPY_BOUNDARIES = {
    "fill": "constant",
    "pad": "constant",
    "wrap": "wrap",
    "circular": "wrap",
    "symm": "symmetric",
    "symmetric": "symmetric",
}
_NUMPY_MODES = {0: "valid", 1: "same", 2: "full"}


def _as_library_dtype(result: Array, *operands: Any) -> Array:
    """The result in the library's dtype (``result_type`` of the operands) when that is exact."""
    library = np.result_type(*(np.asarray(x) for x in operands))
    if result.dtype == library:
        return result
    cast = result.astype(library)
    if np.array_equal(cast.astype(result.dtype), result):
        return cast
    return result  # the library would wrap: keep the exact value (NOT-4)


def _check_method(method: str) -> None:
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"acceptable method flags are 'auto', 'direct', or 'fft'; got {method!r}")


def scipy_convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Array:
    _check_method(method)
    return _as_library_dtype(convspec.convolve(in1, in2, mode), in1, in2)  # type: ignore[arg-type]


def scipy_correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Array:
    _check_method(method)
    return _as_library_dtype(convspec.correlate(in1, in2, mode), in1, in2)  # type: ignore[arg-type]


def scipy_fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Array:
    return _as_library_dtype(convspec.convolve(in1, in2, mode, axes=axes), in1, in2)  # type: ignore[arg-type]


def _two_d(function: Callable[..., Array], alignment: str) -> Callable[..., Array]:
    def wrapper(
        in1: Any, in2: Any, mode: str = "full", boundary: str = "fill", fillvalue: Any = 0
    ) -> Array:
        for name, x in (("in1", in1), ("in2", in2)):
            if np.ndim(x) != 2:
                raise ValueError(f"{name} must be 2-D: convolve2d inputs must both be 2-D arrays")
        if boundary not in _SCIPY_BOUNDARIES:
            raise ValueError(
                f"Acceptable boundary flags are 'fill', 'wrap', 'symm'; got {boundary!r}"
            )
        kwargs: dict[str, Any] = {"boundary": _SCIPY_BOUNDARIES[boundary]}
        if kwargs["boundary"] == "constant":
            kwargs["fill_value"] = np.asarray(fillvalue).item()
        if mode == "same" and alignment != "lower":
            kwargs["alignment"] = alignment
        return _as_library_dtype(function(in1, in2, mode, **kwargs), in1, in2)

    return wrapper


def numpy_convolve(a: Any, v: Any, mode: Any = "full") -> Array:
    mode = _NUMPY_MODES.get(mode, mode)
    kwargs = {"alignment": "numpy-convolve"} if mode == "same" else {}
    return _as_library_dtype(convspec.convolve(a, v, mode, **kwargs), a, v)


def numpy_correlate(a: Any, v: Any, mode: Any = "valid") -> Array:
    mode = _NUMPY_MODES.get(mode, mode)
    kwargs = {"alignment": "numpy-correlate"} if mode == "same" else {}
    return _as_library_dtype(convspec.correlate(a, v, mode, **kwargs), a, v)


def patch() -> None:
    """Replace the library functions (before the test modules import them)."""
    import scipy.signal
    from scipy._lib._array_api import xp_capabilities_table

    wrappers = {
        "convolve": scipy_convolve,
        "correlate": scipy_correlate,
        "fftconvolve": scipy_fftconvolve,
        "oaconvolve": scipy_fftconvolve,
        "convolve2d": _two_d(convspec.convolve, "lower"),
        "correlate2d": _two_d(convspec.correlate, "upper"),
    }
    for name, wrapper in wrappers.items():
        original = getattr(scipy.signal, name)
        if original in xp_capabilities_table:  # scipy's tests look their function up there
            xp_capabilities_table.setdefault(wrapper, xp_capabilities_table[original])
        setattr(scipy.signal, name, wrapper)
    np.convolve = numpy_convolve
    np.correlate = numpy_correlate


# ------------------------------------------------------------- the suites

SCIPY_TESTS = "scipy/signal/tests/test_signaltools.py"
SCIPY_CLASSES = [
    "TestConvolve",
    "TestConvolve2d",
    "TestFFTConvolve",
    "TestOAConvolve",
    "TestAllFreqConvolves",
    "test_convolve_longdtype_input",
    "TestCorrelateReal",
    "TestCorrelate",
    "TestCorrelateComplex",
    "TestCorrelate2d",
]
NUMPY_TESTS = "numpy/_core/tests/test_numeric.py"
NUMPY_CLASSES = ["TestConvolve", "TestCorrelate"]

#: Deliberate differences: (pattern on "node id: failure message", the spec's reason).
DIFFERENCES: list[tuple[str, str]] = [
    (r"is empty \(shape", "NOT-7: empty operands are rejected (the spec has no empty box)"),
    (r"0-dimensional", "NOT-7: 0-d operands are rejected (an operand has at least one axis)"),
    (r"has dtype (object|bool|<U|\|S)", "NOT-7: object, bool and string dtypes are rejected"),
    (
        r"argument 'mode' must be one of .*got None",
        "NOT-7: an unknown mode, None included, is a ValueError (numpy raises TypeError for None)",
    ),
]


@dataclass(eq=False)  # a pytest plugin object must be hashable
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            if report.when == "call" or report.outcome == "failed":
                self.outcomes[report.outcome] += 1
            if report.outcome == "failed":
                message = str(report.longrepr).strip().splitlines()
                last = next((line for line in reversed(message) if line.startswith("E ")), "")
                self.failures.append((report.nodeid, last or message[-1]))


def run_suite(path: Path, classes: list[str], extra: list[str]) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as empty:
        ini = Path(empty) / "pytest.ini"
        ini.write_text("[pytest]\n")
        selection = " or ".join(classes)
        args = [str(path), "-k", selection, "-q", "-p", "no:cacheprovider", "-c", str(ini)]
        args += ["--rootdir", str(path.parents[3]), "-W", "ignore", *extra]
        pytest.main(args, plugins=[tally])
    return tally


def classify(nodeid: str, message: str) -> str | None:
    text = f"{nodeid}: {message}"
    for pattern, reason in DIFFERENCES:
        if re.search(pattern, text):
            return reason
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every failure")
    parser.add_argument("--unpatched", action="store_true", help="run the libraries themselves")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args()
    if not args.unpatched:
        patch()
    import numpy as numpy_module
    import scipy

    site = Path(scipy.__file__).parents[1]
    suites = {
        f"scipy {scipy.__version__}": (site / SCIPY_TESTS, SCIPY_CLASSES),
        f"numpy {numpy_module.__version__}": (site / NUMPY_TESTS, NUMPY_CLASSES),
    }
    unclassified = 0
    for name, (path, classes) in suites.items():
        tally = run_suite(path, classes, args.pytest_args)
        reasons = Counter(classify(*failure) or "UNCLASSIFIED" for failure in tally.failures)
        unclassified += reasons["UNCLASSIFIED"]
        print(f"\n== {name}: {dict(tally.outcomes)}")
        for reason, count in reasons.most_common():
            print(f"   {count:5d}  {reason}")
        if args.list:
            for nodeid, message in tally.failures:
                reason = classify(nodeid, message) or "UNCLASSIFIED"
                print(f"   {reason} | {nodeid} | {message[:200]}")
    return 1 if unclassified else 0


if __name__ == "__main__":
    sys.exit(main())
