"""What both jax adapters set before calling jax: 64-bit mode and, if asked, a compilation cache.

Without ``jax_enable_x64`` jax computes float64 input in float32 and says nothing, so both
adapters enable it.

jax compiles a program for every new shape, which is most of the time a check of jax takes
(50 to 300 ms a program on a CPU).  ``CONVSPEC_JAX_CACHE_DIR=DIR`` turns on jax's persistent
compilation cache in ``DIR``: a later run (a CI job that keeps the folder) loads each
program instead of compiling it.  The programs are the same: jax keys each entry by the
program, the jax and XLA versions, the flags and the device.  The report's environment
says whether the cache was on (``compilation_cache``), never where it was.
"""

from __future__ import annotations

import os
from typing import Any

#: The environment variable naming the compilation cache's folder (unset: no cache).
CACHE_VARIABLE = "CONVSPEC_JAX_CACHE_DIR"


def configure(jax: Any) -> dict[str, str]:
    """Enable 64-bit mode and the cache ``CONVSPEC_JAX_CACHE_DIR`` names; the report's
    environment entries saying so."""
    jax.config.update("jax_enable_x64", True)
    folder = os.environ.get(CACHE_VARIABLE, "")
    if folder:
        jax.config.update("jax_compilation_cache_dir", os.path.abspath(folder))
        # Every program, however small or quick to compile: most take well under a second.
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return {
        "jax_enable_x64": "True",
        "jax_platform": jax.default_backend(),
        "compilation_cache": f"on ({CACHE_VARIABLE})" if folder else "off",
    }
