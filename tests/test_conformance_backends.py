"""The bundled backends conform to what they declare (torch and jax skip when missing)."""

from __future__ import annotations

import importlib.util

import pytest

from convspec.conformance.registry import BackendUnavailable, available, load
from convspec.conformance.runner import run

NEEDS = {
    "numpy": None,
    "scipy-signal": "scipy",
    "scipy-signal-fft": "scipy",
    "scipy-ndimage": "scipy",
    "torch": "torch",
    "jax": "jax",
    "opencv": "cv2",
    "astropy": "astropy",
}
# jax compiles every new shape: check it on the clauses that tell conventions apart.
# The image libraries declare dozens of operations (one per boundary): the boundary
# clauses and those that tell conventions apart.
TELLING = ["CONV-4", "CORR-2", "CORR-4", "CPLX-1", "MODE-4", "NOT-4"]
SELECT = {
    "jax": TELLING,
    "scipy-ndimage": ["BOUND-*", *TELLING],
    "opencv": ["BOUND-*", *TELLING],
    "astropy": ["BOUND-*", *TELLING],
}


def _failures(name: str) -> list[str]:
    if NEEDS[name] is not None:
        pytest.importorskip(NEEDS[name])
    backend = load(name)
    result = run(backend, name, "quick", seed=0, isolation="none", select=SELECT.get(name))
    assert result.results, "no case ran"
    return [
        f"{r.case.check} {r.case.call.describe()}: {r.message} {r.diagnosis}"
        for r in result.failures
    ]


@pytest.mark.parametrize("name", list(NEEDS))
def test_bundled_backend_conforms_to_its_declaration(name: str) -> None:
    assert _failures(name) == []


def test_scipy_correlate2d_deviation_is_observed() -> None:
    pytest.importorskip("scipy")
    result = run(
        load("scipy-signal"), "scipy-signal", "quick", isolation="none", select=["CPLX-1", "CORR-1"]
    )
    assert result.conformant
    deviations = {r.case.operation for r in result.deviations}
    assert "correlate2d" in deviations
    # and the boundary operations' own deviation ('valid' with in2 longer ignores the boundary)
    others = {name for name in deviations if not name.startswith("correlate2d")}
    assert others <= {"convolve2d-fill", "convolve2d-wrap", "convolve2d-symm"}, deviations


def test_ndimage_reflect_deviation_holds_exactly_where_the_nd_filter_misreads() -> None:
    """The condition of the N-D reflect deviation is where correlate departs from correlate1d.

    correlate1d extends the line correctly (the spec's symmetric extension); correlate reads
    the element before the input at exact multiples of the period past two periods.  The
    input is a view into a larger buffer holding a sentinel, so the misread always shows.
    """
    pytest.importorskip("scipy")
    import numpy as np
    import scipy.ndimage as ndi

    deviations = {d.operation: d for d in load("scipy-ndimage").documented_deviations}
    cases = 0
    for operation, name, origin in (
        ("correlate-reflect", "correlate", 0),
        ("correlate-reflect-origin1", "correlate", 1),
        ("convolve-reflect", "convolve", 0),
    ):
        for n in range(1, 5):
            for k in range(max(1, 2 * origin + 1), 40):
                buffer = np.concatenate([[1e6], np.arange(1.0, n + 1)])
                v = np.random.default_rng(k).standard_normal(k)
                a = buffer[1:]
                nd = getattr(ndi, name)(a, v, mode="reflect", origin=origin)
                line = getattr(ndi, name + "1d")(a, v, mode="reflect", origin=origin)
                misreads = not np.allclose(nd, line)
                assert deviations[operation].applies(a, v, "same") == misreads, (name, n, k)
                cases += 1
    assert cases > 300


def test_every_bundled_backend_is_listed_with_a_version_or_a_reason() -> None:
    listings = {listing.name: listing for listing in available()}
    assert set(NEEDS) <= set(listings)
    for name, module in NEEDS.items():
        listing = listings[name]
        installed = module is None or importlib.util.find_spec(module) is not None
        assert (listing.version is not None) == installed, listing
        if not installed:
            assert module in (listing.unavailable or "")


def test_unknown_backend_names_the_installed_ones() -> None:
    with pytest.raises(ValueError, match="numpy"):
        load("no-such-backend")


def test_missing_library_is_unavailable_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(BackendUnavailable, match="torch"):
        load("torch")


def test_the_documented_third_party_example_conforms(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/snippets/my_backend.py, the how-to's complete example, passes as written."""
    from pathlib import Path

    snippets = Path(__file__).resolve().parents[1] / "docs" / "snippets"
    monkeypatch.syspath_prepend(str(snippets))
    backend = load("my_backend:backend")
    result = run(backend, "my_backend:backend", "quick", isolation="process")
    assert result.results and result.conformant, [r.message for r in result.failures]
