"""The conformance suite as pytest tests: collected by ``pytest --pyargs convspec.conformance``.

Without ``--convspec-backend`` every test skips.  With it, one test per (operation, check) runs that
check's cases through an isolated worker and fails with every failing case's message,
diagnosis and reproduction -- the same verdicts as ``convspec check``.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from .cases import Case, Skip
from .diagnosis import diagnose_results
from .isolation import Isolated
from .report import describe_failure
from .runner import generate, judge


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "group" not in metafunc.fixturenames:
        return
    config = metafunc.config
    backend = getattr(config, "convspec_backend", None)
    if backend is None:
        metafunc.parametrize("group", [None], ids=["no-backend"])
        return
    profile = config.getoption("--convspec-profile")
    cases, skips = generate(backend, profile, config.getoption("--convspec-seed"))
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"cases": [], "skips": [], "clauses": set()}
    )
    items: list[Case | Skip] = [*cases, *skips]
    for item in items:
        key = (item.operation, item.check)
        groups[key]["cases" if isinstance(item, Case) else "skips"].append(item)
        groups[key]["clauses"].update(item.clauses)
    params = [
        pytest.param(group, id=f"{op}-{check}-{'+'.join(sorted(group['clauses']))}")
        for (op, check), group in groups.items()
    ]
    metafunc.parametrize("group", params)


@pytest.fixture(scope="session")
def calls(request: pytest.FixtureRequest) -> Iterator[Isolated]:
    config = request.config
    name, timeout = config.getoption("--convspec-backend"), config.getoption("--convspec-timeout")
    runner = Isolated(name, timeout)
    yield runner
    runner.close()


def test_check(group: dict[str, Any] | None, request: pytest.FixtureRequest) -> None:
    if group is None:
        pytest.skip("no backend: run with --convspec-backend NAME (see `convspec backends`)")
    backend = request.config.convspec_backend  # type: ignore[attr-defined]
    cases: list[Case] = group["cases"]
    if not cases:
        skips: list[Skip] = group["skips"]
        pytest.skip("; ".join(sorted({s.reason for s in skips})))
    runner: Isolated = request.getfixturevalue("calls")
    failures = []
    for result in diagnose_results(backend, judge(backend, cases, runner)):
        if result.status == "fail":
            reference = request.config.getoption("--convspec-backend")
            failures.append(describe_failure(result, reference))
        elif result.status == "deviation":
            warnings.warn(f"documented deviation: {result.deviation}", stacklevel=1)
    if failures:
        pytest.fail(f"{len(failures)} of {len(cases)} cases failed\n\n" + "\n\n".join(failures))
