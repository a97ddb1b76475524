"""Sessions for convspec's own CI and for projects that run convspec in theirs.

``nox -l`` lists them.  Venvs are built with uv when it is installed (``pip install uv``),
which makes a cold run of every session several times faster, and with virtualenv otherwise.
"""

from __future__ import annotations

import shutil
import time

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "spec", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite: unit and property tests, and the spec's examples."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def spec(session: nox.Session) -> None:
    """Only the spec: every code block of spec/*.md, run by sybil."""
    session.install("-e", ".[test]")
    session.run("pytest", "spec", "tests/test_spec_examples.py", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the installed package (a strict editable install mypy can follow)."""
    # The test extra brings pytest, which the conformance plugin imports; scipy, torch and
    # jax are optional and typed as Any (pyproject's mypy overrides).
    session.install("-e", ".[test]", "--config-settings", "editable_mode=strict")
    session.install("mypy")
    session.run("mypy", "-p", "convspec", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site from scratch (in parallel, -W, nitpicky references); print the build time."""
    session.install("-e", ".[docs]")
    shutil.rmtree("docs/_build", ignore_errors=True)
    started = time.perf_counter()
    session.run(
        "sphinx-build",
        "-j",
        "auto",
        "-W",
        "--keep-going",
        "-n",
        "-b",
        "html",
        "-c",
        "docs",
        ".",
        "docs/_build/html",
        *session.posargs,
    )
    session.log(f"docs built in {time.perf_counter() - started:.1f} s: docs/_build/html/index.html")


@nox.session(name="docs-browser", python=PYTHON)
def docs_browser(session: nox.Session) -> None:
    """Open the built site in chromium (Playwright) and check it; needs /usr/bin/chromium.

    Run ``nox -s docs`` first.  Screenshots go to /tmp/convspec-docs-screenshots.
    """
    session.install("-e", ".[docs-browser]")
    session.run("pytest", "tests/test_docs_browser.py", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Speed and memory of the fast path against numpy, scipy and torch (prints ratios)."""
    # threadpoolctl lets the benchmark report BLAS threads and time convspec on one thread.
    session.install("-e", ".[scipy,torch]", "threadpoolctl")
    session.run("python", "bench/bench_reference.py", *session.posargs)
    session.run("python", "bench/bench_oracle.py")
    session.run("python", "bench/bench_layers.py")  # convspec.conv against torch conv2d


@nox.session(python=PYTHON)
def accuracy(session: nox.Session) -> None:
    """Measure libraries against the error bounds; rewrite docs/data/accuracy.json and its page."""
    session.install("-e", ".[scipy,torch,jax]")
    session.run("python", "bench/accuracy.py", *session.posargs)


#: The bundled backends of the conformance suite and the extra each needs.
BACKENDS = {
    "numpy": None,
    "scipy-signal": "scipy",
    "scipy-signal-fft": "scipy",
    "scipy-ndimage": "scipy",
    "torch": "torch",
    "jax": "jax",
    "torch-layers": "torch",
    "jax-layers": "jax",
    "onnxruntime": "onnxruntime",
    "onnx-reference": "onnx",
    "opencv": "opencv",
    "astropy": "astropy",
}
#: tensorflow-cpu is several hundred MB: its own sessions, outside the default survey.
HEAVY_BACKENDS = {"tensorflow": "tensorflow"}


@nox.session(python=PYTHON)
@nox.parametrize("backend", list(BACKENDS), ids=list(BACKENDS))
def conformance(session: nox.Session, backend: str) -> None:
    """``convspec check BACKEND`` (quick profile; ``-- --profile full`` for the deep one)."""
    extra = BACKENDS[backend]
    session.install("-e", f".[{extra}]" if extra else ".")
    session.run("convspec", "check", backend, *session.posargs, env=_cache_env(session, backend))


def _cache_env(session: nox.Session, backend: str) -> dict[str, str]:
    """jax's compiled programs kept in nox's cache folder, for the next run (jax_setup.py)."""
    if BACKENDS.get(backend) != "jax":
        return {}
    return {"CONVSPEC_JAX_CACHE_DIR": str(session.cache_dir / "jax-programs")}


@nox.session(python=PYTHON)
def survey(session: nox.Session) -> None:
    """Refresh docs/data/survey/BACKEND.json: a full-profile report per bundled backend."""
    session.install("-e", ".[scipy,torch,jax,onnxruntime,opencv,astropy]")
    for backend in BACKENDS:
        _survey_report(session, backend)


def _survey_report(session: nox.Session, backend: str) -> None:
    report = f"docs/data/survey/{backend}.json"
    command = ["convspec", "check", backend, "--profile", "full", "--quiet", "--jobs", "2"]
    session.run(
        *command,
        "--report",
        "json",
        report,
        success_codes=[0, 1],
        env=_cache_env(session, backend),
    )


@nox.session(name="conformance-tensorflow", python=PYTHON)
def conformance_tensorflow(session: nox.Session) -> None:
    """``convspec check tensorflow`` (installs tensorflow-cpu; ``-- --profile full``)."""
    session.install("-e", ".[tensorflow]")
    session.run("convspec", "check", "tensorflow", *session.posargs)


@nox.session(name="survey-tensorflow", python=PYTHON)
def survey_tensorflow(session: nox.Session) -> None:
    """Refresh docs/data/survey/tensorflow.json (installs tensorflow-cpu)."""
    session.install("-e", ".[tensorflow]")
    for backend in HEAVY_BACKENDS:
        _survey_report(session, backend)


@nox.session(name="identify-survey", python=PYTHON)
def identify_survey(session: nox.Session) -> None:
    """Refresh docs/data/identify/BACKEND.json: identify against each cheap bundled backend."""
    session.install("-e", ".[scipy,torch,jax,opencv,astropy]")
    session.run("python", "bench/identify_survey.py", *session.posargs)
