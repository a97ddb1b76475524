"""The pytest plugin: ``pytest --pyargs convspec.conformance --convspec-backend NAME``.

Registered under the ``pytest11`` entry point, so it is loaded in every pytest run; it only
adds options and does nothing else unless ``--convspec-backend`` is given.  Every option is
named ``--convspec-*``: pytest options are global, and a plain ``--profile`` or ``--backend``
clashes with other plugins (pytest-profiling has ``--profile``), which makes every pytest run
on such a machine fail at start-up.  The backend is resolved
once, in :func:`pytest_configure`, so a bad name is one clear usage error.  The tests
themselves are in :mod:`convspec.conformance.test_suite`: one test per check and
operation, named ``operation-check-CLAUSES`` so that ``-k CONV-4`` selects by clause.
"""

from __future__ import annotations

import pytest

from .cli import _seconds, _seed

__all__ = ["pytest_addoption", "pytest_configure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convspec", "convspec conformance suite")
    group.addoption(
        "--convspec-backend",
        default=None,
        metavar="NAME",
        help="convspec backend to check: an installed name (see `convspec backends`) "
        "or module:attribute",
    )
    group.addoption(
        "--convspec-profile",
        default="quick",
        choices=("quick", "full"),
        help="convspec case profile",
    )
    group.addoption(
        "--convspec-seed", type=_seed, default=0, help="seed of the random cases (>= 0)"
    )
    group.addoption(
        "--convspec-timeout",
        type=_seconds,
        default=20.0,
        help="seconds allowed per backend call",
    )


def pytest_configure(config: pytest.Config) -> None:
    name = config.getoption("--convspec-backend", default=None)
    if not name:
        return
    from .registry import BackendUnavailable, load

    try:
        config.convspec_backend = load(name)  # type: ignore[attr-defined]
    except BackendUnavailable as error:
        raise pytest.UsageError(f"convspec backend unavailable: {error}") from None
    except (ValueError, TypeError) as error:
        raise pytest.UsageError(str(error)) from None
