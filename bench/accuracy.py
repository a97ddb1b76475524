"""Measured accuracy of convolution libraries against convspec's error bounds.

For every bundled library function that computes a 1-D convolution or correlation -- numpy,
scipy.signal (direct and FFT), scipy.ndimage, OpenCV (``sepFilter2D``), astropy (direct and
FFT), torch (``conv1d``), jax (``jnp.convolve``/``jnp.correlate``, float64 with x64 enabled,
and ``jax.lax.conv_general_dilated``), TensorFlow (``tf.nn.conv1d``) and ONNX ``Conv`` (in
onnxruntime and in ``onnx.reference``) -- in float32 and float64 (and
complex where the library takes it), over many random cases (varied lengths, kernels longer
and shorter than the signal, and cancellation-heavy data), every result is compared with the
exact oracle (:func:`convspec.exact_convolve`) and measured as a fraction of the bound of the
method the library uses (spec/numerics.md, NUM-4 and NUM-6).  A library that does not import
is left out and named.  The worst and the median of the per-case worst fractions go into
``docs/data/accuracy.json`` and the tables of ``docs/reference/accuracy.md``, each library
function linked to its documentation (``docs/data/library-links.json``).

Usage::

    python bench/accuracy.py              # measure, print, write the JSON and the page
    python bench/accuracy.py --cases 12   # fewer cases, quicker
    python bench/accuracy.py --no-write   # print only
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import convspec
from convspec.modes import Alignment
from convspec.numerics import ComplexProducts, Method, Operation, error_bound, measure_error

Array = np.ndarray[Any, np.dtype[Any]]
ROOT = Path(__file__).resolve().parent.parent
JSON_PATH = ROOT / "docs" / "data" / "accuracy.json"
PAGE_PATH = ROOT / "docs" / "reference" / "accuracy.md"
# Each library function's documentation page (kept in the repository: the site builds offline).
LINKS_PATH = ROOT / "docs" / "data" / "library-links.json"
TABLE_BEGIN = "% begin generated table (bench/accuracy.py)"
TABLE_END = "% end generated table"
REAL_DTYPES = ("float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
DTYPES = REAL_DTYPES + COMPLEX_DTYPES
SCHEMA_VERSION = 2
# Elements summing at least this many products are reported on their own.
LONG_SUM = 16


# ------------------------------------------------------------------- libraries


@dataclass(frozen=True)
class Library:
    """One library function, computing the full output of ``operation`` by ``method``."""

    name: str
    package: str
    operation: Operation
    method: Method
    compute: Callable[[Array, Array], Array]
    complex_support: bool = True
    # How its complex products are formed, and whether its correlation conjugates v.
    complex_products: ComplexProducts = "naive"
    conjugates: bool = True
    #: The dtypes it is run in (complex ones only with ``complex_support``).
    dtypes: tuple[str, ...] = DTYPES
    #: Its name in ``docs/data/library-links.json``, which holds its documentation page.
    link: str | None = None

    def runs(self, dtype: str) -> bool:
        return dtype in self.dtypes and (self.complex_support or dtype in REAL_DTYPES)


def _numpy_libraries() -> list[Library]:
    return [
        Library(
            "convspec.convolve (reference)", "convspec", "convolve", "direct", convspec.convolve
        ),
        Library(
            "numpy.convolve", "numpy", "convolve", "direct", np.convolve, link="numpy.convolve"
        ),
        Library(
            "numpy.correlate",
            "numpy",
            "correlate",
            "direct",
            lambda a, v: np.correlate(a, v, mode="full"),
            link="numpy.correlate",
        ),
    ]


def _scipy_libraries() -> list[Library]:
    import scipy.signal

    return [
        Library(
            f"scipy.signal.{name} ({method})",
            "scipy",
            name,  # type: ignore[arg-type]
            method,  # type: ignore[arg-type]
            functools.partial(getattr(scipy.signal, name), method=method),
            link=f"scipy.signal.{name}",
        )
        for method in ("direct", "fft")
        for name in ("convolve", "correlate")
    ]


def _torch_conv1d(a: Array, v: Array) -> Array:
    """Full cross-correlation with ``torch.nn.functional.conv1d`` (single batch and channel)."""
    import torch

    k = v.shape[0]
    signal = torch.from_numpy(np.ascontiguousarray(a))[None, None]
    kernel = torch.from_numpy(np.ascontiguousarray(v))[None, None]
    with torch.no_grad():
        out = torch.nn.functional.conv1d(signal, kernel, padding=k - 1)
    return out[0, 0].numpy()


def _torch_libraries() -> list[Library]:
    import torch  # noqa: F401  (importable?)

    # conv1d does not conjugate, and its complex kernels use Gauss's three-multiplication
    # product (it exceeds the four-multiplication bound of NUM-5; see the docs page).
    return [
        Library(
            "torch conv1d (CPU)",
            "torch",
            "correlate",
            "direct",
            _torch_conv1d,
            complex_products="gauss",
            conjugates=False,
            link="torch.nn.functional.conv1d/2d/3d",
        )
    ]


def _jax_call(function_name: str) -> Callable[[Array, Array], Array]:
    import jax
    import jax.numpy as jnp

    function = getattr(jnp, function_name)

    def compute(a: Array, v: Array) -> Array:
        # x64 only for double precision data: single precision stays single either way.
        with jax.enable_x64(a.dtype in (np.float64, np.complex128)):
            return np.asarray(function(a, v, mode="full"))

    return compute


def _jax_libraries() -> list[Library]:
    # XLA forms complex products with three real multiplications, as torch does.
    return [
        Library(
            f"jax.numpy.{name}",
            "jax",
            name,  # type: ignore[arg-type]
            "direct",
            _jax_call(name),
            complex_products="gauss",
            link=f"jax.numpy.{name}",
        )
        for name in ("convolve", "correlate")
    ]


def _jax_lax_conv(a: Array, v: Array) -> Array:
    """Full cross-correlation with ``jax.lax.conv_general_dilated`` (what jax-layers calls)."""
    import jax

    k = v.shape[0]
    with jax.enable_x64(a.dtype in (np.float64, np.complex128)):
        out = jax.lax.conv_general_dilated(
            a[None, None], v[None, None], (1,), [(k - 1, k - 1)], precision="highest"
        )
        return np.asarray(out)[0, 0]


def _jax_layer_libraries() -> list[Library]:
    import jax  # noqa: F401  (importable?)

    # A layer: no flip, no conjugation, complex products with three real multiplications.
    return [
        Library(
            "jax.lax.conv_general_dilated",
            "jax",
            "correlate",
            "direct",
            _jax_lax_conv,
            complex_products="gauss",
            conjugates=False,
            link="jax.lax.conv_general_dilated",
        )
    ]


# Libraries that compute only a 'same'-sized result: given the signal padded with zeros, the
# full result of the unpadded signal is a contiguous window of theirs (the padded zeros add
# exact zero products, so the bound of the unpadded operands still applies).  Each one's
# 'same' alignment is the one its conformance adapter declares.


def _full_from_same(
    library: str, same: Callable[[Array, Array], Array], alignment: Alignment
) -> Callable[[Array, Array], Array]:
    """The full result of a 'same'-only function, from its result on the zero-padded signal.

    With the signal padded by ``k`` zeros on each side, the library's 'same' result is the
    padded full result from ``convspec.mode_window(n + 2k, k, "same", alignment)``'s start
    ``s`` on, and the unpadded full result starts ``k`` into the padded one: at ``k - s`` of
    the library's result.  Once per pair of lengths a probe of ones cross-checks that start
    (its full result is at least 1 on exactly the window; an FFT leaves rounding noise
    around it): a library whose window is not the declared one stops the measurement, the
    error naming ``library``.
    """
    checked: set[tuple[int, int]] = set()

    def compute(a: Array, v: Array) -> Array:
        n, k = a.shape[0], v.shape[0]
        same_start, _ = convspec.mode_window(n + 2 * k, k, "same", alignment)
        start = k - same_start
        if (n, k) not in checked:
            probe = np.asarray(same(np.pad(np.ones(n), k), np.ones(k)))
            probed = int(np.flatnonzero(probe > 0.5)[0])
            if probed != start:
                name = getattr(alignment, "__name__", alignment)
                raise ValueError(
                    f"{library}: the full result of N={n}, K={k} "
                    f"starts at {probed} of its 'same' result on the zero-padded signal, "
                    f"not at {start} as the declared alignment {name!r} puts it"
                )
            checked.add((n, k))
        result = np.asarray(same(np.pad(a, k), v))
        return result[start : start + n + k - 1]

    return compute


def _declared_alignment(adapter: ModuleType, operation: str) -> Alignment:
    """The 'same' alignment the bundled ``adapter`` declares for ``operation``."""
    return adapter.operations()[operation].same_alignment  # type: ignore[no-any-return]


def _scipy_ndimage_libraries() -> list[Library]:
    import scipy.ndimage

    from convspec.conformance.adapters import scipy_ndimage

    def call(name: str) -> Callable[[Array, Array], Array]:
        function = getattr(scipy.ndimage, name)
        return _full_from_same(
            f"scipy.ndimage.{name}",
            lambda a, v: function(a, v, mode="constant", cval=0.0),
            _declared_alignment(scipy_ndimage, f"{name}-constant"),
        )

    return [
        Library(
            f"scipy.ndimage.{name}",
            "scipy",
            name.removesuffix("1d"),  # type: ignore[arg-type]
            "direct",
            call(name),
            link=f"scipy.ndimage.{name}",
        )
        for name in ("convolve1d", "correlate1d")
    ]


def _opencv_libraries() -> list[Library]:
    import cv2

    from convspec.conformance.adapters import opencv_backend

    def row(a: Array, v: Array) -> Array:
        # One row: the x kernel is v, the y kernel [1]; BORDER_CONSTANT pads with zeros.
        kernel = v.astype(np.float64)
        out = cv2.sepFilter2D(a[None, :], -1, kernel, np.ones(1), borderType=cv2.BORDER_CONSTANT)
        return np.asarray(out[0])

    # sepFilter2D is a cross-correlation and takes real data only.
    return [
        Library(
            "cv2.sepFilter2D (one row)",
            "opencv-python-headless",
            "correlate",
            "direct",
            _full_from_same(
                "cv2.sepFilter2D (one row)",
                row,
                _declared_alignment(opencv_backend, "sepFilter2D-BORDER_CONSTANT"),
            ),
            complex_support=False,
            link="cv2.sepFilter2D",
        )
    ]


def _astropy_libraries() -> list[Library]:
    import astropy.convolution

    from convspec.conformance.adapters import astropy_backend

    def call(name: str) -> Callable[[Array, Array], Array]:
        function = getattr(astropy.convolution, name)

        def same(a: Array, v: Array) -> Array:
            # convolve takes odd kernels only: a trailing zero tap changes no value (and
            # centres the kernel where the declared upper alignment does).
            if v.shape[0] % 2 == 0:
                v = np.append(v, 0.0)
            return np.asarray(
                function(
                    a,
                    v,
                    boundary="fill",
                    fill_value=0.0,
                    normalize_kernel=False,
                    nan_treatment="fill",
                )
            )

        return _full_from_same(
            f"astropy.convolution.{name}",
            same,
            _declared_alignment(astropy_backend, f"{name}-fill"),
        )

    # astropy computes and returns float64 whatever the input, and takes real data here.
    return [
        Library(
            f"astropy.convolution.{name}",
            "astropy",
            "convolve",
            "fft" if name == "convolve_fft" else "direct",
            call(name),
            complex_support=False,
            dtypes=("float64",),
            link=f"astropy.convolution.{name}",
        )
        for name in ("convolve", "convolve_fft")
    ]


def _tensorflow_libraries() -> list[Library]:
    import tensorflow as tf

    def conv1d(a: Array, v: Array) -> Array:
        # NWC signal and WIO kernel, one channel; K - 1 zeros each side make VALID the full.
        k = v.shape[0]
        signal = np.pad(a, k - 1)[None, :, None]
        result = tf.nn.conv1d(signal, v[:, None, None], stride=1, padding="VALID")
        return np.asarray(result)[0, :, 0]

    # tf.nn.conv1d is a cross-correlation; its CPU kernels take real data only.
    return [
        Library(
            "tf.nn.conv1d (CPU)",
            "tensorflow",
            "correlate",
            "direct",
            conv1d,
            complex_support=False,
            conjugates=False,
            link="tf.nn.conv1d",
        )
    ]


def _onnxruntime_libraries() -> list[Library]:
    import onnxruntime

    from convspec.conformance.adapters.onnx_layers import model_bytes

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3

    def conv(a: Array, v: Array) -> Array:
        k = v.shape[0]
        x, w = a[None, None], v[None, None]
        model = model_bytes("Conv", x, w, None, {"kernel_shape": [k], "pads": [k - 1, k - 1]})
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        return np.asarray(session.run(None, {"x": x, "w": w})[0])[0, 0]

    # ONNX Conv is a cross-correlation; the CPU provider implements float32 only.
    return [
        Library(
            "ONNX Conv (onnxruntime CPU)",
            "onnxruntime",
            "correlate",
            "direct",
            conv,
            complex_support=False,
            conjugates=False,
            dtypes=("float32",),
            link="ONNX Conv",
        )
    ]


def _onnx_reference_libraries() -> list[Library]:
    from onnx.reference import ReferenceEvaluator

    from convspec.conformance.adapters.onnx_layers import model_bytes

    def conv(a: Array, v: Array) -> Array:
        k = v.shape[0]
        x, w = a[None, None], v[None, None]
        model = model_bytes("Conv", x, w, None, {"kernel_shape": [k], "pads": [k - 1, k - 1]})
        return np.asarray(ReferenceEvaluator(model).run(None, {"x": x, "w": w})[0])[0, 0]

    # The ONNX reference implementation (numpy): a cross-correlation, real types only.
    return [
        Library(
            "ONNX Conv (onnx.reference)",
            "onnx",
            "correlate",
            "direct",
            conv,
            complex_support=False,
            conjugates=False,
            dtypes=("float32", "float64"),
            link="ONNX Conv",
        )
    ]


def library_entries() -> tuple[list[Library], dict[str, str]]:
    """The libraries that import here, and why the others were skipped."""
    entries: list[Library] = []
    skipped: dict[str, str] = {}
    makers = [
        ("numpy", _numpy_libraries),
        ("scipy", _scipy_libraries),
        ("scipy", _scipy_ndimage_libraries),
        ("opencv", _opencv_libraries),
        ("astropy", _astropy_libraries),
        ("torch", _torch_libraries),
        ("jax", _jax_libraries),
        ("jax", _jax_layer_libraries),
        ("tensorflow", _tensorflow_libraries),
        ("onnxruntime", _onnxruntime_libraries),
        ("onnx", _onnx_reference_libraries),
    ]
    for package, make in makers:
        try:
            entries.extend(make())
        except ImportError as error:
            skipped[package] = f"not importable: {error}"
    return entries, skipped


# ----------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """Random operands (float64, cast per run) and a label saying how they were drawn."""

    label: str
    kind: str
    a: Array
    v: Array


def _difference_kernel(order: int) -> Array:
    """``(1, -1)`` convolved with itself ``order - 1`` times: annihilates low-degree data."""
    kernel = np.array([1.0])
    for _ in range(order):
        kernel = np.convolve(kernel, [1.0, -1.0])
    return kernel


def random_cases(count: int, seed: int = 2026) -> Iterator[Case]:
    """``count`` cases cycling through five kinds of data, sizes drawn log-uniformly.

    * ``normal``: standard normal operands.
    * ``positive``: uniform in [0, 1): no cancellation, the bound's best case.
    * ``wide``: normal values times ``10**U(-6, 6)``: wide dynamic range.
    * ``difference``: smooth data (a polynomial plus 1e-9 noise) with a high-order
      difference kernel: results about 1e-9 of the magnitude sums.
    * ``pairs``: a signal and its negation interleaved, a kernel close to constant:
      neighbouring products nearly cancel.
    """
    rng = np.random.default_rng(seed)
    kinds = ("normal", "positive", "wide", "difference", "pairs")
    for index in range(count):
        kind = kinds[index % len(kinds)]
        n = int(np.exp(rng.uniform(0, np.log(4000))))
        k = int(np.exp(rng.uniform(0, np.log(300))))
        if kind == "normal":
            a, v = rng.standard_normal(n), rng.standard_normal(k)
        elif kind == "positive":
            a, v = rng.uniform(0, 1, n), rng.uniform(0, 1, k)
        elif kind == "wide":
            a = rng.standard_normal(n) * 10.0 ** rng.uniform(-6, 6, n)
            v = rng.standard_normal(k) * 10.0 ** rng.uniform(-6, 6, k)
        elif kind == "difference":
            order = int(rng.integers(2, 13))
            x = np.linspace(-1, 1, max(n, order + 2))
            a = 1 + x + x**2 / 2 + x**3 / 6 + 1e-9 * rng.standard_normal(x.size)
            v = _difference_kernel(order)
        else:
            x = rng.standard_normal(max(1, n // 2))
            a = np.stack([x, -x], axis=1).ravel()
            v = 1 + 1e-3 * rng.standard_normal(k)
        yield Case(f"{kind} N={a.size} K={v.size}", kind, a, v)


# -------------------------------------------------------------------- measuring


@dataclass
class Tally:
    """Per library and dtype: each case's worst fraction of the bound, and more."""

    fractions: list[float]
    direct_fractions: list[float]
    long_sum_fractions: list[float]
    worst_label: str = ""
    max_ulps: float = 0.0
    elements_over: int = 0
    cases_failed: int = 0
    seconds: float = 0.0


def _exact(library: Library, a: Array, v: Array, cache: dict[tuple[str, bool], Array]) -> Array:
    """The exact result of what ``library`` computes, cached per operation and conjugation."""
    key = (library.operation, library.conjugates)
    if key not in cache:
        if library.operation == "convolve":
            cache[key] = convspec.exact_convolve(a, v)
        else:
            cache[key] = convspec.exact_correlate(a, v if library.conjugates else np.conj(v))
    return cache[key]


def measure(
    entries: list[Library], cases: list[Case], complex_cases: int, progress: bool = True
) -> dict[tuple[str, str], Tally]:
    """Run every library on every case in every dtype; measure against the bounds.

    Real dtypes run on all cases, complex dtypes on the first ``complex_cases`` (the
    imaginary parts are the real parts reversed).
    """
    tallies: dict[tuple[str, str], Tally] = {}
    for number, case in enumerate(cases):
        dtypes = REAL_DTYPES + (COMPLEX_DTYPES if number < complex_cases else ())
        # The products each output element sums depend on the shapes only.
        terms = convspec.convolve(np.ones(case.a.shape, np.int64), np.ones(case.v.shape, np.int64))
        long = terms >= LONG_SUM
        for dtype in dtypes:
            a, v = case.a, case.v
            if dtype in COMPLEX_DTYPES:
                a, v = a + 1j * a[::-1], v + 1j * v[::-1]
            a, v = a.astype(dtype), v.astype(dtype)
            exact: dict[tuple[str, bool], Array] = {}
            bounds: dict[tuple[str, str, str], Array] = {}
            for library in entries:
                if not library.runs(dtype):
                    continue
                key = (library.operation, library.method, library.complex_products)
                direct_key = (library.operation, "direct", "naive")
                for k in {key, direct_key}:
                    if k not in bounds:
                        bounds[k] = error_bound(
                            a,
                            v,
                            operation=k[0],  # type: ignore[arg-type]
                            method=k[1],  # type: ignore[arg-type]
                            precision=dtype,
                            complex_products=k[2],  # type: ignore[arg-type]
                        )
                start = time.perf_counter()
                actual = np.asarray(library.compute(a, v))
                elapsed = time.perf_counter() - start
                tally = tallies.setdefault((library.name, dtype), Tally([], [], []))
                tally.seconds += elapsed
                if actual.dtype != np.dtype(dtype):
                    raise AssertionError(f"{library.name} returned {actual.dtype} for {dtype}")
                expected = _exact(library, a, v, exact)
                result = measure_error(actual, expected, bounds[key])
                direct = measure_error(actual, expected, bounds[direct_key])
                # Elements that sum many products, where gamma_k grows: an infinite bound
                # leaves the others out of the measurement.
                long_sums = measure_error(actual, expected, np.where(long, bounds[key], np.inf))
                if long.any():
                    tally.long_sum_fractions.append(long_sums.max_fraction)
                if not tally.fractions or result.max_fraction > max(tally.fractions):
                    tally.worst_label = case.label
                tally.fractions.append(result.max_fraction)
                tally.direct_fractions.append(direct.max_fraction)
                tally.max_ulps = max(tally.max_ulps, result.max_ulps)
                tally.elements_over += result.over_bound + result.special_mismatches
                tally.cases_failed += not result.passed
        if progress:
            print(f"  case {number + 1}/{len(cases)}: {case.label}", file=sys.stderr)
    return tallies


def _versions(entries: list[Library]) -> dict[str, str]:
    packages = ["numpy", "convspec", *sorted({e.package for e in entries} - {"numpy", "convspec"})]
    versions = {}
    for package in packages:
        # An import name may be installed under another distribution (tensorflow-cpu).
        distributions = [package, *packages_distributions().get(package, [])]
        versions[package] = "unknown"
        for distribution in distributions:
            try:
                versions[package] = version(distribution)
                break
            except PackageNotFoundError:  # pragma: no cover - depends on the installation
                continue
    return versions


def documentation_page(library: Library) -> str | None:
    """The address of ``library``'s documentation, from ``docs/data/library-links.json``."""
    if library.link is None:
        return None
    pages: dict[str, str] = json.loads(LINKS_PATH.read_text(encoding="utf-8"))["documentation"]
    if library.link not in pages:
        raise KeyError(f"{LINKS_PATH.name} has no documentation page for {library.link!r}")
    return pages[library.link]


def report(
    entries: list[Library],
    skipped: dict[str, str],
    cases: list[Case],
    seed: int,
    complex_cases: int,
) -> dict[str, Any]:
    """The JSON document: one row per library and dtype."""
    start = time.perf_counter()
    tallies = measure(entries, cases, complex_cases)
    rows = []
    for library in entries:
        for dtype in DTYPES:
            if (library.name, dtype) not in tallies:
                continue
            tally = tallies[(library.name, dtype)]
            worst = max(tally.fractions)
            long_worst = max(tally.long_sum_fractions, default=None)
            row: dict[str, Any] = {
                "library": library.name,
                "package": library.package,
                "documentation": documentation_page(library),
                "operation": library.operation,
                "method": library.method,
                "complex_products": library.complex_products if dtype in COMPLEX_DTYPES else None,
                "dtype": dtype,
                "cases": len(tally.fractions),
                "worst_fraction": worst,
                "median_fraction": statistics.median(tally.fractions),
                "worst_case": tally.worst_label,
                "max_ulps": tally.max_ulps,
                "elements_over_bound": tally.elements_over,
                "cases_over_bound": tally.cases_failed,
                "bound_over_worst_error": (1 / worst) if worst > 0 else None,
                "long_sum_terms": LONG_SUM,
                "long_sum_cases": len(tally.long_sum_fractions),
                "long_sum_worst_fraction": long_worst,
                "long_sum_bound_over_worst_error": (1 / long_worst) if long_worst else None,
                "worst_fraction_of_direct_bound": max(tally.direct_fractions),
                "seconds": round(tally.seconds, 4),
            }
            rows.append(row)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_by": "bench/accuracy.py",
        "seed": seed,
        "cases": len(cases),
        "complex_cases": min(complex_cases, len(cases)),
        "case_kinds": sorted({case.kind for case in cases}),
        "dtypes": list(DTYPES),
        "versions": _versions(entries),
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "skipped": skipped,
        # The measurement's wall time (``main`` adds the libraries' import time).
        "seconds": round(time.perf_counter() - start, 1),
        "rows": rows,
    }


# ------------------------------------------------------------------------ output


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def rounded(value: float | None, limit: float | None = None) -> str:
    """``value`` to 3 significant digits, as a table cell.

    Values far from 1 are written ``2.60 × 10²⁰``.  A value below ``limit`` never reads as
    the limit: more digits are shown until it visibly falls short (0.9999 is ``0.9999``, not
    ``1.00``).
    """
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if not 1e-3 <= abs(value) < 1e4:
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    for digits in range(3, 17):
        text = f"{value:#.{digits}g}".rstrip(".")
        if limit is None or value >= limit or float(text) < limit:
            return text
    return repr(value)  # pragma: no cover - a float64 has at most 17 digits


def library_cell(row: dict[str, Any]) -> str:
    """The library function, linked to its documentation where the links list it."""
    if row["library"].startswith("convspec."):
        return "{py:func}`convspec.convolve` (reference)"
    if row.get("documentation"):
        return f"[{row['library']}]({row['documentation']})"
    return str(row["library"])


def method_text(row: dict[str, Any]) -> str:
    if row.get("complex_products") == "gauss":
        return f"{row['method']} (Gauss products)"
    return str(row["method"])


def verdict_text(row: dict[str, Any]) -> str:
    if row["cases_over_bound"] == 0:
        return "within bound"
    return f"**over bound** ({row['cases_over_bound']} of {row['cases']} cases)"


def scrolling(table: list[str]) -> list[str]:
    """A table's lines in a box that scrolls sideways on a narrow screen (convspec-tables.css)."""
    return [":::{container} convspec-scroll accuracy-table", *table, ":::"]


def markdown_table(data: dict[str, Any]) -> str:
    """The two MyST tables of the docs page (verdicts, then details), from the JSON document."""
    verdicts = [
        "| verdict | worst fraction of bound (limit 1) | library function | dtype | method "
        "| median fraction |",
        "|---|---|---|---|---|---|",
    ]
    details = [
        f"| library function | dtype | worst, sums of {LONG_SUM}+ products (limit 1) "
        "| worst fraction of the direct bound | cases |",
        "|---|---|---|---|---|",
    ]
    for row in data["rows"]:
        library = library_cell(row)
        verdicts.append(
            f"| {verdict_text(row)} | {rounded(row['worst_fraction'], 1)} | {library} "
            f"| {row['dtype']} | {method_text(row)} | {rounded(row['median_fraction'], 1)} |"
        )
        details.append(
            f"| {library} | {row['dtype']} "
            f"| {rounded(row['long_sum_worst_fraction'], 1)} "
            f"| {rounded(row['worst_fraction_of_direct_bound'])} | {row['cases']} |"
        )
    versions = ", ".join(f"{name} {number}" for name, number in data["versions"].items())
    lines = [
        "Words: see the {ref}`glossary`; a fraction is an error divided by its bound, so 1 is "
        "the limit.",
        "",
        *scrolling(verdicts),
        "",
        "Details (words: see the {ref}`glossary`): the elements that sum many products, where "
        "the bound has grown, and the same results against the bound of direct summation (for "
        "FFT rows: why FFT needs its own bound).",
        "",
        *scrolling(details),
        "",
        f"{data['cases']} random cases per real row, the first {data['complex_cases']} of "
        f"them per complex row (seed {data['seed']}; kinds: "
        f"{', '.join(data['case_kinds'])}); {versions}; {data['platform']}; measured in "
        f"{data['seconds']:.0f} s.",
    ]
    for package, why in data["skipped"].items():
        lines.append(f"Skipped {package}: {why}.")
    return "\n".join(lines)


def write_page(path: Path, table: str) -> None:
    """Replace the generated block of the docs page with ``table``."""
    text = path.read_text()
    head, found, rest = text.partition(TABLE_BEGIN)
    _, found_end, tail = rest.partition(TABLE_END)
    if not (found and found_end):
        raise SystemExit(f"{path}: markers {TABLE_BEGIN!r} ... {TABLE_END!r} not found")
    path.write_text(f"{head}{TABLE_BEGIN}\n\n{table}\n\n{TABLE_END}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100, help="random cases (default 100)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--complex-cases", type=int, default=25, help="cases also run in complex (default 25)"
    )
    parser.add_argument("--json", type=Path, default=JSON_PATH, help="where to write the JSON")
    parser.add_argument("--page", type=Path, default=PAGE_PATH, help="docs page to update")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    entries, skipped = library_entries()
    cases = list(random_cases(args.cases, args.seed))
    data = report(entries, skipped, cases, args.seed, args.complex_cases)
    data["seconds"] = round(time.perf_counter() - start, 1)
    table = markdown_table(data)
    print(table)
    print(f"\n{data['seconds']:.1f} s", file=sys.stderr)
    if not args.no_write:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=1) + "\n")
        write_page(args.page, table)
    over = [row["library"] + " " + row["dtype"] for row in data["rows"] if row["cases_over_bound"]]
    if over:
        print(f"over the bound: {', '.join(over)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
