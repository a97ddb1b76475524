"""Calling a backend safely: a worker process, a per-call timeout, restart on death.

A backend may raise, hang, print, write to its inputs, fork children, exit or kill its
interpreter (``os._exit``, a segfault).  Calls run in a worker process (a fresh
interpreter in its own session, so its own process group); the parent sends a batch of
calls and the worker streams back one :class:`Outcome` per call.  The parent waits at most
``timeout`` seconds for each; on a hang it kills the worker's process group, records a
timeout for that call and restarts the worker for the rest of the batch; on death it
records the cause (exit status or signal) and does the same.  Batching keeps the fast path
fast: one round trip per batch.

What every call gets, in the worker and in :class:`InProcess` alike:

* **its own read-only copies** of the operands; after the call the copies are compared,
  byte for byte, with the operands, and a backend that wrote to one (after making it
  writeable again, or through a view) is reported by name: ``wrote to its input a``;
* **its own output**: file descriptors 1 and 2 (and ``sys.stdout``/``sys.stderr``) point to a
  temporary file during the call, so nothing a backend prints reaches convspec's output;
  what it printed comes back with the outcome (the first :data:`OUTPUT_LIMIT` characters);
* **exact crash causes**: ``SystemExit`` (with its code) and ``KeyboardInterrupt`` raised by
  the backend, a result that cannot be carried back, an exit status and a signal are each
  named; convspec's own kill (a timeout) is told apart from the backend's death;
* **no survivors**: child processes the backend started are ended when the call returns
  (the worker is their subreaper on Linux, so orphans come back to it; elsewhere they are
  ended with the worker's process group at the end of each batch), and on a timeout, a
  death or :meth:`Isolated.close` the whole process group is killed.

Results travel back as ``.npy`` bytes read with ``allow_pickle=False`` and a JSON header:
the parent never unpickles what the worker sends.  The worker's ``sys.path`` is the
parent's without the current folder, which comes back (after the standard library) only
for a ``module:attribute`` backend, as :func:`convspec.conformance.registry.load` promises.

Two limits spare a run from a hanging backend: after :data:`CONSECUTIVE_TIMEOUTS` timeouts
in a row of one operation, its remaining calls are not made (outcome ``not run``), and a
``deadline`` for the whole run turns every call after it into ``not run``.

``InProcess`` runs calls directly (no timeout, no protection against crashes) for debugging.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal, Protocol

import numpy as np

from .backend import Array, Backend
from .cases import Call, target

__all__ = [
    "CONSECUTIVE_TIMEOUTS",
    "OUTPUT_LIMIT",
    "InProcess",
    "Interrupted",
    "Isolated",
    "Outcome",
    "Runner",
    "to_numpy",
    "worker_path",
]

BATCH = 128
STARTUP_TIMEOUT = 120.0
#: Timeouts in a row after which an operation's remaining calls are reported as not run.
CONSECUTIVE_TIMEOUTS = 3
#: Characters of a call's captured output kept for the report.
OUTPUT_LIMIT = 2000
# How long a worker that closed its pipe may take to exit before it is killed.
_EXIT_GRACE = 2.0
# np.load reads an .npy header with ast.literal_eval, and CPython 3.11 and 3.12 keep the
# AST constructor's recursion depth per interpreter, not per thread: two threads parsing at
# once can raise "SystemError: AST constructor recursion depth mismatch" (python/cpython
# gh-106905).  Workers fed by several threads (.parallel) read their results one at a time.
_NPY_READ = threading.Lock()

Status = Literal["ok", "raised", "timeout", "died", "unreadable", "not run"]
STATUSES: tuple[str, ...] = ("ok", "raised", "timeout", "died", "unreadable", "not run")


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached convspec during a run (not an exception of the backend)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@dataclass(frozen=True)
class Outcome:
    """What one call did.

    ``ok`` (returned a numeric result), ``raised``, ``timeout``, ``died`` (exited, was
    killed, or raised ``SystemExit``/``KeyboardInterrupt``), ``unreadable`` (returned
    something that is not a numeric array) or ``not run`` (a limit of the run stopped it).
    """

    status: Status
    value: Array | None
    message: str
    result_type: str
    seconds: float
    #: Inputs the backend wrote to ("a", "v"), whatever it returned.
    wrote: tuple[str, ...] = ()
    #: What the backend printed during the call (truncated to OUTPUT_LIMIT characters).
    output: str = ""


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


# ------------------------------------------------------------------ one guarded call


def _read_only_copy(x: Array) -> Array:
    copy = np.array(x, copy=True)
    copy.setflags(write=False)
    return copy


def _changed(pristine: Array, given: Array) -> bool:
    return (
        given.shape != pristine.shape
        or given.dtype != pristine.dtype
        or given.tobytes() != pristine.tobytes()
    )


def _flush_all() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    with contextlib.suppress(Exception):  # C stdio buffers (printf in an extension)
        ctypes.CDLL(None).fflush(None)


def _truncated(text: str, total: int) -> str:
    if total <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT] + f"... ({total} characters in all)"


class Capture:
    """Points file descriptors 1 and 2, and ``sys.stdout``/``sys.stderr``, at a temporary
    file for the length of a ``with``; :attr:`text` is then what was written."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.text = ""

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        _flush_all()
        saved = os.dup(1), os.dup(2)
        python_level = io.StringIO()
        try:
            os.dup2(self.file.fileno(), 1)
            os.dup2(self.file.fileno(), 2)
            with contextlib.redirect_stdout(python_level), contextlib.redirect_stderr(python_level):
                yield
        finally:
            _flush_all()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            size = self.file.seek(0, os.SEEK_END)
            self.file.seek(0)
            raw = self.file.read(4 * OUTPUT_LIMIT).decode("utf-8", "replace")
            self.file.seek(0)
            self.file.truncate()
            text = python_level.getvalue() + raw
            self.text = _truncated(text, len(python_level.getvalue()) + size)

    def close(self) -> None:
        self.file.close()


def _children() -> set[int]:
    """Live child processes of this process (Linux: /proc/self/task/*/children)."""
    found: set[int] = set()
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as handle:
                found.update(int(p) for p in handle.read().split())
    except OSError:
        pass
    return found


CAN_LIST_CHILDREN = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def end_children(keep: frozenset[int] | set[int] = frozenset()) -> int:
    """Kill every child of this process except ``keep`` until none is left; reap them.

    In a subreaper (the worker) orphaned grandchildren come back as children, so the loop
    ends the whole tree.  Returns how many processes were killed.
    """
    killed = 0
    for _ in range(100):
        pids = _children() - keep
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for pid in pids:
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
    return killed


def _exit_description(code: object) -> str:
    return "None" if code is None else repr(code)


def call_once(backend: Backend, call: Call, capture: Capture | None = None) -> Outcome:
    """Run one call in this process, on read-only copies, and convert its result.

    Exceptions of the backend, ``SystemExit`` and ``KeyboardInterrupt`` included, become
    outcomes; only :class:`Interrupted` (convspec's own signal handling) passes through.
    """
    a, v = _read_only_copy(call.a), _read_only_copy(call.v)
    capture = capture or Capture()
    status: Status = "ok"
    value: Array | None = None
    message, result_type = "", ""
    start = time.perf_counter()
    elapsed = 0.0
    with capture():
        try:
            raw = target(backend, call)(a, v, call.mode)
            elapsed = time.perf_counter() - start
            result_type = type(raw).__module__ + "." + type(raw).__name__
            try:
                value = np.array(to_numpy(raw), copy=True)
            except Interrupted:
                raise
            except BaseException as error:  # any failure of the conversion
                status = "unreadable"
                message = (
                    f"returned a {type(raw).__name__} that is not convertible to a numpy "
                    f"array: {_exception_line(error)}"
                )
            else:
                if value.dtype.kind not in "biufc":
                    status = "unreadable"
                    message = (
                        f"returned an array of dtype {value.dtype} ({type(raw).__name__}); "
                        "a result must be numeric"
                    )
                    value = None
        except Interrupted:
            raise
        except SystemExit as error:
            status = "died"
            message = (
                f"raised SystemExit({_exit_description(error.code)}): the backend tried to "
                "end the interpreter (sys.exit); convspec caught it"
            )
        except KeyboardInterrupt:
            status = "died"
            message = "raised KeyboardInterrupt (the backend's own; convspec caught it)"
        except BaseException as error:  # Exception and its odd siblings
            status = "raised"
            message = _exception_line(error)
        if not elapsed:
            elapsed = time.perf_counter() - start
    wrote = tuple(
        name
        for name, pristine, given in (("a", call.a, a), ("v", call.v, v))
        if _changed(pristine, given)
    )
    return Outcome(status, value, message, result_type, elapsed, wrote, capture.text)


def _exception_line(error: BaseException) -> str:
    return traceback.format_exception_only(type(error), error)[-1].strip()


class Runner(Protocol):
    """What the judge sends calls through: :class:`InProcess`, :class:`Isolated` or
    :class:`~.parallel.Parallel`."""

    @property
    def restarts(self) -> int:
        """How many times a worker process was started again after a crash or a timeout."""
        ...

    def run(self, calls: Sequence[Call]) -> Iterator[Outcome]:
        """One outcome per call, in the order of ``calls``."""
        ...

    def close(self) -> None:
        """End what the runner started."""
        ...


# ------------------------------------------------------------------ limits of a run


class Limits:
    """The run's deadline and the consecutive-timeout cut-off, per operation."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.timeouts_in_a_row: dict[str, int] = {}

    def remaining(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def refusal(self, call: Call) -> Outcome | None:
        """A ``not run`` outcome if a limit stops ``call``, else None."""
        if self.timeouts_in_a_row.get(call.operation, 0) >= CONSECUTIVE_TIMEOUTS:
            message = (
                f"not run: {CONSECUTIVE_TIMEOUTS} calls of {call.operation} in a row timed "
                "out, so its remaining cases were not called"
            )
            return Outcome("not run", None, message, "", 0.0)
        if self.remaining() <= 0:
            return Outcome("not run", None, "not run: the run's time budget was spent", "", 0.0)
        return None

    def record(self, call: Call, outcome: Outcome) -> None:
        if outcome.status == "timeout":
            self.timeouts_in_a_row[call.operation] = (
                self.timeouts_in_a_row.get(call.operation, 0) + 1
            )
        elif outcome.status != "not run":
            self.timeouts_in_a_row[call.operation] = 0


class InProcess:
    """Calls in this process: fastest, no protection against hangs or crashes.

    Each call still gets read-only copies and its own output; child processes it leaves
    behind (direct children only) are ended when it returns.
    """

    def __init__(self, backend: Backend, deadline: float | None = None) -> None:
        self.backend = backend
        self.limits = Limits(deadline)
        self.capture = Capture()
        self.restarts = 0

    def run(self, calls: Sequence[Call]) -> Iterator[Outcome]:
        for call in calls:
            refused = self.limits.refusal(call)
            if refused is not None:
                yield refused
                continue
            before = _children() if CAN_LIST_CHILDREN else set()
            outcome = call_once(self.backend, call, self.capture)
            if CAN_LIST_CHILDREN:
                end_children(keep=before)
            self.limits.record(call, outcome)
            yield outcome

    def close(self) -> None:
        self.capture.close()


# ------------------------------------------------------------------ the worker


def _is_standard_library(entry: str) -> bool:
    real = os.path.normcase(os.path.realpath(entry))
    if "site-packages" in real or "dist-packages" in real:
        return False
    roots = [sysconfig.get_path(key) for key in ("stdlib", "platstdlib")]
    inside = any(
        real == os.path.normcase(os.path.realpath(r))
        or real.startswith(os.path.normcase(os.path.realpath(r)) + os.sep)
        for r in roots
        if r
    )
    return inside or real.endswith(".zip")


def _standard_library_end(path: Sequence[str]) -> int:
    """The index just after the last standard-library entry of ``path`` (0 if none)."""
    return max((i + 1 for i, entry in enumerate(path) if _is_standard_library(entry)), default=0)


def worker_path(parent_path: Sequence[str], reference: str, cwd: str) -> list[str]:
    """The worker's ``sys.path``: the parent's without the current folder, which comes back,
    after the standard library, only when ``reference`` is a ``module:attribute``."""
    here = os.path.normcase(os.path.realpath(cwd))
    path = [p for p in parent_path if p and os.path.normcase(os.path.realpath(p)) != here]
    if ":" in reference:
        path.insert(_standard_library_end(path), cwd)
    return path


def _libc_prctl(option: int, value: int) -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _send(conn: Connection, header: dict[str, Any], value: Array | None = None) -> None:
    conn.send_bytes(json.dumps(header).encode())
    if value is not None:
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        conn.send_bytes(buffer.getvalue())


def _outcome_header(outcome: Outcome) -> dict[str, Any]:
    return {
        "kind": "outcome",
        "status": outcome.status,
        "message": outcome.message,
        "result_type": outcome.result_type,
        "seconds": outcome.seconds,
        "wrote": list(outcome.wrote),
        "output": outcome.output,
        "has_value": outcome.value is not None,
    }


def worker_main(reference: str, read_fd: int, write_fd: int, path: list[str]) -> None:
    """The worker process: load the backend by name, then run batches until told to stop."""
    sys.path[:] = path
    if sys.platform.startswith("linux"):
        _libc_prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the parent died: end with it
        _libc_prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphaned grandchildren come back here
    from .registry import load

    conn_in, conn_out = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        backend = load(reference)
    except Exception as error:
        _send(conn_out, {"kind": "fatal", "message": f"{type(error).__name__}: {error}"})
        return
    _send(conn_out, {"kind": "ready"})
    capture = Capture()
    try:
        while True:
            try:
                batch = conn_in.recv()
            except EOFError:
                return
            if batch is None:
                return
            for call in batch:
                outcome = call_once(backend, call, capture)
                if CAN_LIST_CHILDREN:
                    end_children()
                try:
                    _send(conn_out, _outcome_header(outcome), outcome.value)
                except ValueError as error:  # np.save refused (e.g. a structured dtype)
                    message = f"returned a result convspec cannot carry back: {error}"
                    bad = Outcome("unreadable", None, message, outcome.result_type, outcome.seconds)
                    _send(conn_out, _outcome_header(bad))
            if not CAN_LIST_CHILDREN:
                _end_group_but_self()
    finally:
        _end_group_but_self()


def _end_group_but_self() -> None:
    """Kill the other members of this process's group (ps, where /proc cannot list them)."""
    group = os.getpgrp()
    if group != os.getpid():
        return
    if CAN_LIST_CHILDREN:
        end_children()
        return
    try:
        listing = subprocess.run(
            ["ps", "-A", "-o", "pid=,pgid="], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1] == str(group) and fields[0] != str(os.getpid()):
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(fields[0]), signal.SIGKILL)


class WorkerError(RuntimeError):
    """The worker could not load the backend."""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_SIGNAL_HINTS = {
    "SIGSEGV": "a crash in native code",
    "SIGBUS": "a crash in native code",
    "SIGABRT": "abort(), often a failed assertion in native code",
    "SIGFPE": "an arithmetic fault in native code",
    "SIGKILL": "not sent by convspec: the backend itself, or the out-of-memory killer",
    "SIGTERM": "not sent by convspec",
}


def death_message(code: int | None) -> str:
    """Why the worker ended, from its exit status (negative: the signal that ended it)."""
    if code is None:
        return "the worker closed its connection and did not exit; convspec killed it"
    if code < 0:
        name = _signal_name(-code)
        hint = _SIGNAL_HINTS.get(name, "not sent by convspec")
        return f"the backend's interpreter was killed by {name} ({hint})"
    return (
        f"the backend ended its interpreter with exit status {code} "
        "(os._exit, or an exit in native code)"
    )


class Isolated:
    """Calls in a worker process, each with a timeout; restarts the worker after a crash.

    The worker is a fresh interpreter (``subprocess``, not ``multiprocessing``) in its own
    session, so the caller's ``__main__`` is never re-imported and a terminal's Ctrl-C reaches
    only convspec, which ends it; it talks over two pipes with
    :class:`multiprocessing.connection.Connection`.  Its own standard output and error (what
    a backend prints while loading) go to a temporary file, never to convspec's.
    """

    def __init__(self, reference: str, timeout: float, deadline: float | None = None) -> None:
        self.reference = reference
        self.timeout = timeout
        self.limits = Limits(deadline)
        self.process: subprocess.Popen[bytes] | None = None
        self.send_conn: Connection | None = None
        self.conn: Connection | None = None
        self.log: Any = None
        self.restarts = 0

    def _start(self) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # -c puts '' (the current folder) first on sys.path: drop it before any import.
        code = (
            "import sys\n"
            "if sys.path and sys.path[0] == '': del sys.path[0]\n"
            "import json\n"
            "from convspec.conformance.isolation import worker_main\n"
            "worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]))"
        )
        path = worker_path(sys.path, self.reference, os.getcwd())
        args = [sys.executable, "-c", code, self.reference, str(to_child_r), str(from_child_w)]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _kill())
        self.process = subprocess.Popen(
            [*args, json.dumps(path)],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.conn = Connection(from_child_r, writable=False)
        ready = self._wait(STARTUP_TIMEOUT)
        header: dict[str, Any] = {}
        if ready:
            with contextlib.suppress(EOFError, OSError, ValueError):
                header, _ = self._receive()
        if not header:
            exited = self.process.poll() is not None
            log = self._log_tail()
            status = self._kill()
            if not exited and not ready:
                raise WorkerError(f"the worker did not load backend {self.reference!r} in time")
            raise WorkerError(
                f"the worker died loading {self.reference!r} ({death_message(status)}){log}"
            )
        if header.get("kind") == "fatal":
            self._kill()
            raise WorkerError(
                f"the worker could not load backend {self.reference!r}: {header.get('message')}"
            )

    def _log_tail(self) -> str:
        if self.log is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self.log.seek(0)
            text = self.log.read()[-OUTPUT_LIMIT:].decode("utf-8", "replace").strip()
            return f"; it printed: {text}" if text else ""
        return ""

    def _wait(self, seconds: float) -> bool:
        """Wait for a message; False on timeout or when the worker exited without one."""
        assert self.conn is not None and self.process is not None
        end = time.monotonic() + seconds
        step = 0.01
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return False
            if self.conn.poll(min(step, left)):
                return True
            if self.process.poll() is not None:
                # Exited; a forked child may still hold the pipe open, so no EOF comes.
                return self.conn.poll(0)
            step = min(step * 2, 0.25)

    def _receive(self) -> tuple[dict[str, Any], Array | None]:
        """One message: a JSON header and, for a value, an .npy payload (no pickle)."""
        assert self.conn is not None
        header = json.loads(self.conn.recv_bytes().decode())
        if not isinstance(header, dict):
            raise ValueError("a message header is not a JSON object")
        value = None
        if header.get("has_value"):
            payload = self.conn.recv_bytes()
            with _NPY_READ:
                value = np.load(io.BytesIO(payload), allow_pickle=False)
        return header, value

    def _kill(self) -> int | None:
        """End the worker and its process group; its exit status (None if it had to be killed
        after closing its pipe)."""
        code = None
        if self.process is not None:
            code = self.process.poll()
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        for conn in (self.conn, self.send_conn):
            if conn is not None:
                conn.close()
        if self.log is not None:
            self.log.close()
        self.process, self.conn, self.send_conn, self.log = None, None, None, None
        return code

    def _death(self, started: float) -> Outcome:
        """The outcome of a call whose worker ended (or broke the protocol)."""
        assert self.process is not None
        try:
            code: int | None = self.process.wait(_EXIT_GRACE)
        except subprocess.TimeoutExpired:
            code = None
        output = self._log_tail()
        self._kill()
        self.restarts += 1
        return Outcome(
            "died", None, death_message(code) + output, "", time.perf_counter() - started
        )

    def run(self, calls: Sequence[Call]) -> Iterator[Outcome]:
        """One outcome per call, in order, whatever the backend does."""
        index = 0
        while index < len(calls):
            refused = self.limits.refusal(calls[index])
            if refused is not None:
                yield refused
                index += 1
                continue
            if self.process is None:
                self._start()
            assert self.conn is not None and self.send_conn is not None
            batch: list[Call] = []
            for call in calls[index : index + BATCH]:
                if self.limits.refusal(call) is not None:
                    break
                batch.append(call)
            self.send_conn.send(batch)
            for call in batch:
                started = time.perf_counter()
                budget_cut = self.limits.remaining() < self.timeout
                if not self._wait(min(self.timeout, max(self.limits.remaining(), 0.0))):
                    if self.process is not None and self.process.poll() is not None:
                        outcome = self._death(started)
                    else:
                        self._kill()
                        self.restarts += 1
                        if budget_cut:
                            message = "not run: the run's time budget was spent during this call"
                            outcome = Outcome("not run", None, message, "", 0.0)
                        else:
                            message = (
                                f"no result within the timeout of {self.timeout:g} s; "
                                "convspec killed the worker"
                            )
                            elapsed = time.perf_counter() - started
                            outcome = Outcome("timeout", None, message, "", elapsed)
                    self.limits.record(call, outcome)
                    yield outcome
                    index += 1
                    break
                try:
                    header, value = self._receive()
                    outcome = _outcome_from(header, value)
                except (EOFError, ConnectionError, OSError):
                    outcome = self._death(started)
                except (ValueError, KeyError, TypeError) as error:
                    outcome = self._death(started)
                    outcome = Outcome(
                        "died",
                        None,
                        f"the worker sent a malformed message ({error}); " + outcome.message,
                        "",
                        outcome.seconds,
                    )
                self.limits.record(call, outcome)
                yield outcome
                index += 1
                if self.process is None:
                    break

    def close(self) -> None:
        if self.send_conn is not None:
            with contextlib.suppress(OSError, ValueError):
                self.send_conn.send(None)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2)
        self._kill()


def _outcome_from(header: dict[str, Any], value: Array | None) -> Outcome:
    """An :class:`Outcome` from a worker's header, every field checked for its type."""
    status = header["status"]
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    texts = [header[k] for k in ("message", "result_type", "output")]
    wrote = header["wrote"]
    if not all(isinstance(t, str) for t in texts) or not all(w in ("a", "v") for w in wrote):
        raise TypeError("a field of the header has the wrong type")
    return Outcome(
        status, value, texts[0], texts[1], float(header["seconds"]), tuple(wrote), texts[2]
    )
