"""Plots drawn from data files are redrawn when those files change.

matplotlib's plot directive redraws a plot when the page holding it is newer than its image,
and Sphinx reads a page again only when the page (or a file noted for it) changes.  A plot
that reads files of its own, like the 'same'-split figure drawn from
``docs/data/survey/*.json``, kept its old picture on an incremental build after they changed.

``plot_data_files`` in conf.py names per plot (its ``:filename-prefix:``) the page that holds
it and the glob patterns, relative to the source folder, of the files it reads.  Before
reading, each plot's files (their names, sizes and modification times) are compared with
those of the last build; where they differ, the plot's images are deleted from the plot
directive's folder, so that it draws them again, and its page is read again.  A file added,
changed or removed all count.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ConfigError

#: Per file a plot reads: its path from the source folder, size and modification time (ns).
Signature = tuple[tuple[str, int, int], ...]


def data_signature(srcdir: Path, patterns: Sequence[str]) -> Signature:
    """The files matching ``patterns`` under ``srcdir``, each with its size and mtime."""
    files = sorted(
        {path for pattern in patterns for path in srcdir.glob(pattern) if path.is_file()}
    )
    return tuple(
        (path.relative_to(srcdir).as_posix(), stat.st_size, stat.st_mtime_ns)
        for path in files
        for stat in (path.stat(),)
    )


def plot_images(plot_directory: Path, prefix: str) -> list[Path]:
    """The images the plot directive made for the plot named ``prefix``: ``prefix.png``,
    ``prefix.2x.png`` and, for several figures, ``prefix_00.png`` and so on."""
    if not plot_directory.is_dir():
        return []
    return [
        path
        for path in plot_directory.rglob(f"{prefix}*")
        if path.is_file() and path.name[len(prefix) : len(prefix) + 1] in (".", "_")
    ]


def stale_plot_pages(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: the pages of plots whose files changed, their images deleted."""
    plots: dict[str, tuple[str, Sequence[str]]] = app.config.plot_data_files
    seen: dict[str, Signature] = getattr(env, "plot_data_signatures", {})
    # matplotlib's plot directive draws into plot_directive/ beside the doctree folder.
    plot_directory = Path(app.doctreedir).parent / "plot_directive"
    current: dict[str, Signature] = {}
    pages = []
    for prefix, (page, patterns) in plots.items():
        if page not in env.found_docs:
            raise ConfigError(f"plot_data_files[{prefix!r}]: no page {page!r}")
        current[prefix] = data_signature(Path(app.srcdir), patterns)
        if not current[prefix]:
            raise ConfigError(f"plot_data_files[{prefix!r}]: no file matches {list(patterns)}")
        if seen.get(prefix) != current[prefix]:
            for image in plot_images(plot_directory, prefix):
                image.unlink()
            pages.append(page)
    env.plot_data_signatures = current  # type: ignore[attr-defined]
    return pages


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("plot_data_files", {}, "env", dict)
    app.connect("env-get-outdated", stale_plot_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
