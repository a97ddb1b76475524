"""Several isolation workers at once: each operation's calls go to one of them.

``convspec check --jobs N`` runs N worker processes (:class:`~.isolation.Isolated`), each fed
by a thread of its own.  Calls are sharded by operation, never split across workers, so
that a compiling library (jax) builds each program once and a per-operation limit (the
consecutive-timeout cut-off) sees every call of its operation.  Operations go to the worker
with the fewest calls so far, the busiest first.  Outcomes come back in the order of the
calls, so the judge, the diagnosis and the reports see exactly what one worker would give;
while the workers run, the judge computes the next expected values in this process.

A worker that hangs, dies or cannot load the backend affects only its own calls, as with
one worker; a stop signal ends every worker.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
from collections.abc import Iterator, Sequence

from .cases import Call
from .isolation import Isolated, Outcome

__all__ = ["Parallel", "shard_by_operation"]

#: How often (seconds) the caller wakes while waiting, so that a stop signal is handled.
_POLL = 0.1


def shard_by_operation(calls: Sequence[Call], jobs: int) -> list[list[int]]:
    """The indices of ``calls`` for each of at most ``jobs`` workers; no operation is split.

    Operations are placed busiest first, each on the worker with the fewest calls so far
    (ties: the lower worker), so the shards are as even as whole operations allow.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1; got {jobs}")
    by_operation: dict[str, list[int]] = {}
    for index, call in enumerate(calls):
        by_operation.setdefault(call.operation, []).append(index)
    shards: list[list[int]] = [[] for _ in range(min(jobs, len(by_operation)))]
    for indices in sorted(by_operation.values(), key=len, reverse=True):
        min(shards, key=len).extend(indices)
    return [sorted(shard) for shard in shards]


class _Failure:
    """An exception a feeding thread met (a backend that cannot be loaded), to re-raise."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Parallel:
    """``jobs`` :class:`Isolated` workers, with the interface of one."""

    def __init__(
        self, reference: str, timeout: float, deadline: float | None = None, jobs: int = 2
    ) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1; got {jobs}")
        self.reference, self.timeout, self.deadline, self.jobs = reference, timeout, deadline, jobs
        self.workers: list[Isolated] = []
        self.threads: list[threading.Thread] = []
        self.stop = threading.Event()

    @property
    def restarts(self) -> int:
        return sum(worker.restarts for worker in self.workers)

    def _feed(self, worker: Isolated, calls: list[Call], out: queue.Queue[object]) -> None:
        try:
            for outcome in worker.run(calls):
                if self.stop.is_set():
                    return
                out.put(outcome)
        except BaseException as error:  # reported by the caller, in its own thread
            out.put(_Failure(error))

    def run(self, calls: Sequence[Call]) -> Iterator[Outcome]:
        """One outcome per call, in the order of ``calls``."""
        shards = shard_by_operation(calls, self.jobs)
        owner = {index: n for n, shard in enumerate(shards) for index in shard}
        queues: list[queue.Queue[object]] = [queue.Queue() for _ in shards]
        for shard, out in zip(shards, queues, strict=True):
            worker = Isolated(self.reference, self.timeout, self.deadline)
            thread = threading.Thread(
                target=self._feed,
                args=(worker, [calls[i] for i in shard], out),
                name=f"convspec-worker-{len(self.workers)}",
                daemon=True,
            )
            self.workers.append(worker)
            self.threads.append(thread)
            thread.start()
        for index in range(len(calls)):
            item = self._next(queues[owner[index]])
            if isinstance(item, _Failure):
                raise item.error
            assert isinstance(item, Outcome)
            yield item

    def _next(self, out: queue.Queue[object]) -> object:
        while True:  # a timed wait, so that SIGINT and SIGTERM reach the caller promptly
            with contextlib.suppress(queue.Empty):
                return out.get(timeout=_POLL)

    def close(self) -> None:
        """End every worker: the threads stop feeding, the processes are killed if busy."""
        self.stop.set()
        for worker in self.workers:
            process = worker.process
            if process is not None and any(t.is_alive() for t in self.threads):
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)
        for thread in self.threads:
            thread.join(timeout=10)
        for worker in self.workers:
            worker.close()
