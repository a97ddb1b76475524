"""The jax adapters' compilation cache (CONVSPEC_JAX_CACHE_DIR): off unless asked for, and
when asked for, compiled programs land in the folder and the report's environment says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jax")

PROGRAM = """
import json, sys
import numpy as np
from convspec.conformance.registry import load
backend = load(sys.argv[1])
if sys.argv[1] == "jax":
    backend.operations["numpy.convolve"].function(np.arange(5.0), np.ones(3), "full")
else:
    layer = backend.operations["conv_general_dilated"].function
    layer(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=(1, 1), padding=[(0, 0)] * 2,
          dilation=(1, 1), groups=1)
print(json.dumps(dict(backend.environment)))
"""


def _environment(backend: str, cache: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CONVSPEC_JAX_CACHE_DIR"}
    if cache is not None:
        env["CONVSPEC_JAX_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, backend],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    environment: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return environment


@pytest.mark.parametrize("backend", ["jax", "jax-layers"])
def test_the_cache_is_off_unless_asked_for(backend: str) -> None:
    environment = _environment(backend, None)
    assert environment["compilation_cache"] == "off"
    assert environment["jax_enable_x64"] == "True"


@pytest.mark.parametrize("backend", ["jax", "jax-layers"])
def test_compiled_programs_are_kept_in_the_folder_asked_for(backend: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    environment = _environment(backend, cache)
    assert environment["compilation_cache"] == "on (CONVSPEC_JAX_CACHE_DIR)"
    assert cache.is_dir() and any(cache.iterdir()), "no compiled program was stored"
