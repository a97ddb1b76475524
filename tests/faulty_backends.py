"""A catalogue of faulty backends: each misbehaves in one way a run must survive.

Unlike :mod:`convspec.conformance.mutants` (wrong results), these attack the run itself:
they write to their inputs, print, leave child processes behind, hang, exit in every way
Python and the OS offer, return objects that run code when unpickled, and carry names that
would forge terminal and Markdown output.  ``tests/test_faulty_backends.py`` checks that
each is reported for what it does, that the run completes and that its report validates,
in a worker process and in-process.  Each computes ``np.convolve`` when it returns.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from convspec.conformance import Backend, Operation

Array = np.ndarray[Any, np.dtype[Any]]

#: Set by the tests: where FORKS writes the pids of the processes it starts, and where
#: PICKLE_PAYLOAD's payload would leave its mark if anyone unpickled it.
PIDS_FILE = "CONVSPEC_FAULTY_PIDS"
MARK_FILE = "CONVSPEC_FAULTY_MARK"


def _numpy_convolve_operation(function: Any) -> Operation:
    return Operation(function, flips=True, dtypes=("float64",), same_alignment="numpy-convolve")


def _backend(function: Any, name: str, note: str, **fields: Any) -> Backend:
    operation = _numpy_convolve_operation(function)
    return Backend(name, "0", {"convolve": operation}, notes=(note,), **fields)


def _zeroes_inputs(a: Array, v: Array, mode: str) -> Array:
    for x in (a, v):
        x.setflags(write=True)  # the copies own their memory: numpy allows this
        x[...] = 0
    return np.convolve(a, v, mode)


def _writes_after(a: Array, v: Array, mode: str) -> Array:
    result = np.convolve(a, v, mode)
    a.setflags(write=True)
    a[0] += 1.0
    return result


def _prints(a: Array, v: Array, mode: str) -> Array:
    print("hello from print()")
    print("and from sys.stderr", file=sys.stderr)
    os.write(1, b"raw bytes on fd 1\n")
    os.write(2, b"raw bytes on fd 2\n")
    return np.convolve(a, v, mode)


def _forks(a: Array, v: Array, mode: str) -> Array:
    """Starts a process and forks a child, both meant to outlive the call by minutes."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    child = os.fork()
    if child == 0:  # the child: hold every inherited descriptor, then sleep
        try:
            time.sleep(300)
        finally:
            os._exit(0)
    pids = os.environ.get(PIDS_FILE)
    if pids:
        with open(pids, "a") as handle:
            handle.write(f"{sleeper.pid}\n{child}\n")
    return np.convolve(a, v, mode)


def _hangs(a: Array, v: Array, mode: str) -> Array:
    time.sleep(3600)
    raise AssertionError("unreachable")


def _slow(a: Array, v: Array, mode: str) -> Array:
    time.sleep(0.2)
    return np.convolve(a, v, mode)


def _sys_exit_0(a: Array, v: Array, mode: str) -> Array:
    sys.exit(0)


def _sys_exit_3(a: Array, v: Array, mode: str) -> Array:
    sys.exit(3)


def _keyboard_interrupt(a: Array, v: Array, mode: str) -> Array:
    raise KeyboardInterrupt


def _os_exit_0(a: Array, v: Array, mode: str) -> Array:
    os._exit(0)


def _segfault(a: Array, v: Array, mode: str) -> Array:
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    raise AssertionError("unreachable")


def _sigkill_self(a: Array, v: Array, mode: str) -> Array:
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(10)
    raise AssertionError("unreachable")


def _exit_leaving_a_child(a: Array, v: Array, mode: str) -> Array:
    """Forks a child that holds the result pipe open, then ends the interpreter."""
    if os.fork() == 0:
        time.sleep(300)
    os._exit(5)


def leave_mark(path: str) -> None:
    """What the payload runs when it is unpickled."""
    Path(path).write_text("unpickled")


class _Payload:
    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return leave_mark, (os.environ.get(MARK_FILE, os.devnull),)


def _pickle_payload(a: Array, v: Array, mode: str) -> Array:
    result = np.empty(1, dtype=object)
    result[0] = _Payload()
    return result


def _unpicklable(a: Array, v: Array, mode: str) -> Any:
    result = np.empty(1, dtype=object)
    result[0] = lambda: None
    return result


def _convolve(a: Array, v: Array, mode: str) -> Array:
    return np.convolve(a, v, mode)


ZEROES_INPUTS = _backend(_zeroes_inputs, "zeroes-inputs", "zeroes a and v, then convolves")
WRITES_AFTER = _backend(_writes_after, "writes-after", "convolves, then writes to a")
PRINTS = _backend(_prints, "prints", "prints on both streams, Python- and fd-level")
FORKS = _backend(_forks, "forks", "leaves a process and a forked child running")
HANGS = _backend(_hangs, "hangs", "never returns")
SLOW = _backend(_slow, "slow", "correct, 0.2 s a call")
SYS_EXIT_0 = _backend(_sys_exit_0, "sys-exit-0", "sys.exit(0)")
SYS_EXIT_3 = _backend(_sys_exit_3, "sys-exit-3", "sys.exit(3)")
KEYBOARD_INTERRUPT = _backend(_keyboard_interrupt, "keyboard-interrupt", "raises it")
OS_EXIT_0 = _backend(_os_exit_0, "os-exit-0", "os._exit(0)")
SEGFAULT = _backend(_segfault, "segfault", "sends itself SIGSEGV")
SIGKILL_SELF = _backend(_sigkill_self, "sigkill-self", "sends itself SIGKILL")
EXIT_LEAVING_A_CHILD = _backend(
    _exit_leaving_a_child, "exit-leaving-a-child", "forks a pipe holder, then os._exit(5)"
)
PICKLE_PAYLOAD = _backend(_pickle_payload, "pickle-payload", "an object array with a payload")
UNPICKLABLE = _backend(_unpicklable, "unpicklable", "an object array holding a lambda")
NASTY_NAME = "evil\x1b[2J\x1b[31m\n| forged | row |<script>alert(1)</script>"
NASTY_STRINGS = Backend(
    NASTY_NAME,
    "1.0\r\x1b[1A",
    {"conv\x1b[31m|<b>": _numpy_convolve_operation(_convolve)},
    notes=("a note\nwith a newline",),
    environment={"key\n": "value\x1b[0m"},
)


#: Two operations, for runs with several workers: one hangs, one is correct.
HANGS_BESIDE_CORRECT = Backend(
    "hangs-beside-correct",
    "0",
    {"hangs": _numpy_convolve_operation(_hangs), "convolve": _numpy_convolve_operation(_convolve)},
    notes=("the operation 'hangs' never returns; 'convolve' is np.convolve",),
)
#: Two operations: one kills its worker with SIGSEGV on every call, one is correct.
SEGFAULT_BESIDE_CORRECT = Backend(
    "segfault-beside-correct",
    "0",
    {
        "segfault": _numpy_convolve_operation(_segfault),
        "convolve": _numpy_convolve_operation(_convolve),
    },
    notes=("the operation 'segfault' sends itself SIGSEGV; 'convolve' is np.convolve",),
)
#: Two correct operations, 0.2 s a call each: a run with two workers to interrupt.
SLOW_PAIR = Backend(
    "slow-pair",
    "0",
    {"slow": _numpy_convolve_operation(_slow), "also-slow": _numpy_convolve_operation(_slow)},
    notes=("correct, 0.2 s a call",),
)
