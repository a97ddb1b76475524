"""Calling a backend safely: a worker process, a per-call timeout, restart on death.

A backend may raise, hang or kill its interpreter (``os._exit``, a segfault).  Calls run
in a worker process (a fresh interpreter); the parent sends a batch of calls
and the worker streams back one :class:`Outcome` per call.  The parent waits at most
``timeout`` seconds for each; on a hang it kills the worker, records a timeout for that
call and restarts the worker for the rest of the batch; on death it records the exit code
and does the same.  Batching keeps the fast path fast: one round trip per batch.

``InProcess`` runs calls directly (no timeout, no protection) for debugging.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

import numpy as np

from .backend import Array, Backend
from .cases import Call, target

__all__ = ["InProcess", "Isolated", "Outcome", "to_numpy"]

BATCH = 128
STARTUP_TIMEOUT = 120.0


@dataclass(frozen=True)
class Outcome:
    """What one call did: returned (``ok``), raised, timed out, or killed its interpreter."""

    status: Literal["ok", "raised", "timeout", "died"]
    value: Array | None
    message: str
    result_type: str
    seconds: float


def to_numpy(result: Any) -> Array:
    """A backend's result as a numpy array: DLPack when offered, else ``np.asarray``."""
    if isinstance(result, np.ndarray):
        return result
    if hasattr(result, "__dlpack__"):
        try:
            return np.from_dlpack(result)
        except (TypeError, RuntimeError, BufferError, ValueError):
            pass  # e.g. a device or dtype DLPack cannot hand to numpy: try __array__
    if hasattr(result, "detach"):  # torch tensors that require grad
        result = result.detach()
    return np.asarray(result)


def call_once(backend: Backend, call: Call) -> Outcome:
    """Run one call in this process and convert its result."""
    start = time.perf_counter()
    try:
        raw = target(backend, call)(call.a, call.v, call.mode)
    except Exception as error:
        tail = traceback.format_exception_only(type(error), error)[-1].strip()
        return Outcome("raised", None, tail, "", time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    try:
        value = np.array(to_numpy(raw), copy=True)
    except Exception as error:
        message = f"the result ({type(raw).__name__}) is not convertible to a numpy array: {error}"
        return Outcome("raised", None, message, type(raw).__name__, elapsed)
    return Outcome("ok", value, "", type(raw).__module__ + "." + type(raw).__name__, elapsed)


class InProcess:
    """Calls in this process: fastest, no protection against hangs or crashes."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def run(self, calls: Sequence[Call]) -> Iterator[Outcome]:
        for call in calls:
            yield call_once(self.backend, call)

    def close(self) -> None:
        pass


def worker_main(reference: str, read_fd: int, write_fd: int, path: list[str]) -> None:
    """The worker process: load the backend by name, then run batches until told to stop."""
    sys.path[:] = path
    from .registry import load

    conn_in, conn_out = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        backend = load(reference)
    except Exception as error:
        conn_out.send(("fatal", f"{type(error).__name__}: {error}"))
        return
    conn_out.send(("ready", ""))
    while True:
        batch = conn_in.recv()
        if batch is None:
            return
        for call in batch:
            conn_out.send(call_once(backend, call))


class Isolated:
    """Calls in a worker process, each with a timeout; restarts the worker after a crash.

    The worker is a fresh interpreter (``subprocess``, not ``multiprocessing``), so the
    caller's ``__main__`` is never re-imported; it talks over two pipes with
    :class:`multiprocessing.connection.Connection`.
    """

    def __init__(self, reference: str, timeout: float) -> None:
        self.reference = reference
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.send_conn: Connection | None = None
        self.conn: Connection | None = None
        self.restarts = 0

    def _start(self) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        code = (
            "import sys, json; from convspec.conformance.isolation import worker_main; "
            "worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]))"
        )
        args = [sys.executable, "-c", code, self.reference, str(to_child_r), str(from_child_w)]
        self.process = subprocess.Popen(
            [*args, json.dumps(sys.path)], pass_fds=(to_child_r, from_child_w)
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.conn = parent = Connection(from_child_r, writable=False)
        if not parent.poll(STARTUP_TIMEOUT):
            self._kill()
            raise RuntimeError(f"the worker did not load backend {self.reference!r} in time")
        try:
            status, message = parent.recv()
        except EOFError:
            exit_code = self._kill()
            raise RuntimeError(
                f"the worker died loading {self.reference!r} (exit {exit_code})"
            ) from None
        if status == "fatal":
            self._kill()
            raise RuntimeError(f"the worker could not load backend {self.reference!r}: {message}")

    def _kill(self) -> int | None:
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            code = self.process.wait(5)
        for conn in (self.conn, self.send_conn):
            if conn is not None:
                conn.close()
        self.process, self.conn, self.send_conn = None, None, None
        return code

    def run(self, calls: Sequence[Call]) -> Iterator[Outcome]:
        """One outcome per call, in order, whatever the backend does."""
        index = 0
        while index < len(calls):
            if self.process is None:
                self._start()
            assert self.conn is not None and self.send_conn is not None
            batch = list(calls[index : index + BATCH])
            self.send_conn.send(batch)
            for _call in batch:
                started = time.perf_counter()
                if not self.conn.poll(self.timeout):
                    self._kill()
                    self.restarts += 1
                    message = f"no result within the timeout of {self.timeout:g} s (killed)"
                    yield Outcome("timeout", None, message, "", time.perf_counter() - started)
                    index += 1
                    break
                try:
                    outcome = self.conn.recv()
                except (EOFError, ConnectionError):
                    code = self._kill()
                    self.restarts += 1
                    message = f"the backend killed its interpreter (exit code {code})"
                    yield Outcome("died", None, message, "", time.perf_counter() - started)
                    index += 1
                    break
                yield outcome
                index += 1

    def close(self) -> None:
        if self.send_conn is not None:
            with contextlib.suppress(OSError, ValueError):
                self.send_conn.send(None)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2)
        self._kill()
