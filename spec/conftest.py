"""Run every code block of the spec's MyST pages under pytest, with sybil.

Each page declares how many examples it has in a comment near its top,
``% examples: 7``; ``test_every_example_ran`` (tests/test_spec_examples.py) fails when a page
runs fewer, so a block whose fence sybil cannot parse never drops out silently.
"""

from __future__ import annotations

from sybil import Sybil
from sybil.parsers.myst import (
    ClearNamespaceParser,
    PythonCodeBlockParser,
    SkipParser,
)

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser(), ClearNamespaceParser()],
    patterns=["*.md"],
).pytest()
