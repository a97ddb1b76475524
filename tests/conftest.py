"""Shared settings for the project's own tests.

Hypothesis profiles (hypothesis is part of the ``test`` extra; without it the property tests
skip and this file does nothing):

* ``ci`` (the default): a modest number of examples, no deadline (the literal sums are slow
  on purpose and CI machines are noisy), derandomized so every run tries the same examples.
* ``dev``: many more examples, random, for hunting bugs locally.

Pick one with ``HYPOTHESIS_PROFILE=dev python -m pytest``.
"""

from __future__ import annotations

import os

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is optional outside the test extra
    pass
else:
    settings.register_profile(
        "ci",
        max_examples=40,
        deadline=None,
        derandomize=True,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        "dev",
        max_examples=500,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
