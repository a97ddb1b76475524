"""Make sphinxcontrib-katex's prerendering server start reliably.

sphinxcontrib-katex 0.9.11 starts ``node katex-server.js`` and connects to its unix socket as
soon as the socket file exists; the server creates that file a moment before it listens, so
the connect sometimes fails with ``ConnectionRefusedError`` (on this 2-core machine about one
build in three).  The build then crashes and, worse, the node process is never terminated: it
keeps the build's stdout open, so ``sphinx-build ... | tail`` and any caller that reads the
output to its end waits forever.

This extension replaces the start-up step with one that retries the connect until the start-up
timeout and, if it still fails, kills the node process before raising.  On Linux the server is
also told to die with the process that started it, so that a crashed build cannot leave it
running.

In a parallel build (``-j``) the pages are written by forked worker processes, which would
inherit the parent's server and socket and talk over each other on it: here each process gets
a server of its own, which dies with the worker (the workers exit without the ``atexit`` hook
that stops a server).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import time
from pathlib import Path
from subprocess import PIPE, Popen
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata
from sphinxcontrib import katex

RETRY_PAUSE = 0.005  # seconds between connect attempts
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies


def die_with_parent() -> None:
    """Run in the child before exec: ask Linux to SIGTERM it when its parent exits."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_server_process(
    cls: type[katex.KaTeXServer], rundir: Path, timeout: float
) -> tuple[Popen[bytes], socket.socket]:
    """Start ``katex-server.js`` on a unix socket in ``rundir`` and connect to it."""
    socket_path = rundir / "katex.sock"
    process = Popen(
        cls.build_command(socket=socket_path),
        stdin=PIPE,
        stdout=PIPE,
        cwd=rundir,
        preexec_fn=die_with_parent if sys.platform == "linux" else None,
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise katex.KaTeXError(f"the KaTeX server exited with status {process.returncode}")
            if socket_path.is_socket():
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.settimeout(max(deadline - time.monotonic(), RETRY_PAUSE))
                    sock.connect(str(socket_path))
                    sock.settimeout(None)
                    return process, sock
                except (ConnectionRefusedError, FileNotFoundError):
                    sock.close()  # the socket exists but nobody listens yet
            if time.monotonic() > deadline:
                raise cls.timeout_error(timeout)
            time.sleep(RETRY_PAUSE)
    except BaseException:
        process.kill()
        process.wait()
        raise


_server_pid: int | None = None  # the process that started KaTeXServer.katex_server


def server_of_this_process(cls: type[katex.KaTeXServer]) -> katex.KaTeXServer:
    """The render server of the calling process, started on first use in that process."""
    global _server_pid
    if cls.katex_server is None or _server_pid != os.getpid():
        cls.katex_server = cls.start()  # a forked worker leaves its parent's server alone
        _server_pid = os.getpid()
    return cls.katex_server


def setup(app: Sphinx) -> ExtensionMetadata:
    start: Any = classmethod(start_server_process)
    get: Any = classmethod(server_of_this_process)
    katex.KaTeXServer.start_server_process = start
    katex.KaTeXServer.get = get
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
