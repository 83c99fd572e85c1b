"""The worker processes of one scan, shared by the inventory and the code pass.

Work goes out in batches, and results come back in batch order whatever order the
workers finish in. A worker that dies (a crash in a grammar or another C extension, the
kernel's OOM killer) costs only the items it died on: the batches it took down with it
run again in a fresh pool, but the first of them, which may be the one it died on, runs
one item at a time in a process of its own, so the item that kills that process is
known, skipped, and reported as :class:`Lost`.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

from readiness.model import Diagnostic
from readiness.plugin_host import BUILTIN_PLUGINS, HostSpec, PluginHost

Item = TypeVar("Item")
Result = TypeVar("Result")

_worker_host: PluginHost | None = None


def _start_worker(spec: HostSpec) -> None:
    global _worker_host
    _worker_host = PluginHost(spec)


def worker_host() -> PluginHost:
    """The plugin host of this worker process (see :class:`Workers`)."""
    assert _worker_host is not None, "worker started without a plugin host"
    return _worker_host


def _context() -> BaseContext:
    """Forkserver where there is one, so no lock held by a thread of this process is inherited."""
    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    forkserver = get_context("forkserver")
    # Imported once in the fork server, so each worker starts with them loaded.
    forkserver.set_forkserver_preload(["readiness.plugin_host", *BUILTIN_PLUGINS])
    return forkserver


@dataclass(frozen=True, slots=True)
class Lost(Generic[Item]):
    """An item of work its worker process died on: only its results are missing."""

    item: Item
    exitcode: int
    """The dead process's exit code: minus the signal that killed it, as in ``multiprocessing``."""

    def warning(self, path: str, doing: str) -> Diagnostic:
        """The one-line warning naming the file and what the worker was doing with it."""
        return Diagnostic("warning", f"worker process died while {doing} this file ({self.cause}); file skipped", path=path)

    @property
    def cause(self) -> str:
        return _exit_cause(self.exitcode)


def _exit_cause(exitcode: int) -> str:
    if exitcode >= 0:
        return f"exit status {exitcode}"
    try:
        return f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
    except ValueError:
        return f"signal {-exitcode}"


Piece = tuple[list[Item], Result] | Lost[Item]
"""A batch (or a single item of one) with its result, or an item whose worker died."""


class Workers:
    """The worker processes of one scan: started by the first stage that needs them, then kept for the next.

    Starting a pool costs more than inventorying a few thousand files, so the inventory
    and the analysis share one.
    """

    def __init__(self, host: PluginHost, jobs: int) -> None:
        self._spec = host.spec
        self._jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def _current(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = _context()
            self._pool = ProcessPoolExecutor(max_workers=self._jobs, mp_context=context, initializer=_start_worker, initargs=(self._spec,))
        return self._pool

    def map(self, function: Callable[..., Result], batches: Sequence[list[Item]], *args: Any) -> Iterator[Piece[Item, Result]]:
        """Start ``function(batch, *args)`` on every batch now; its results, in batch order, as they are waited for.

        ``function`` must be a module-level function (it is sent to the workers by name).
        Items a worker died on come back as :class:`Lost`, the rest of their batch as
        single-item pieces; an exception ``function`` raises is raised here.
        """
        pool = self._current()
        pending = {index: pool.submit(function, batch, *args) for index, batch in enumerate(batches)}
        return self._results(function, batches, pending, args)

    def _results(self, function: Callable[..., Result], batches: Sequence[list[Item]], pending: dict[int, Future[Result]], args: tuple[Any, ...]) -> Iterator[Piece[Item, Result]]:
        for index, batch in enumerate(batches):
            try:
                result = pending.pop(index).result()
            except BrokenProcessPool:
                # A worker died: every batch not finished failed with it, and this one,
                # the first, may be the one it died on or only have been running beside it.
                self._restart(function, batches, pending, args)
                yield from _one_at_a_time(self._spec, function, batch, args)
                continue
            yield batch, result

    def _restart(self, function: Callable[..., Result], batches: Sequence[list[Item]], pending: dict[int, Future[Result]], args: tuple[Any, ...]) -> None:
        """A fresh pool, running again the pending batches the broken one failed."""
        self.close()
        pool = self._current()
        for index, future in pending.items():
            if isinstance(future.exception(), BrokenProcessPool):
                # A pool whose workers die as they start is broken already: the batch
                # keeps its failure, and reaching it runs it alone, which says why.
                with suppress(BrokenProcessPool):
                    pending[index] = pool.submit(function, batches[index], *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _one_at_a_time(spec: HostSpec, function: Callable[..., Result], batch: list[Item], args: tuple[Any, ...]) -> Iterator[Piece[Item, Result]]:
    """``batch`` run item by item in one process, replaced after each item it dies on."""
    worker: _Alone | None = None
    try:
        for item in batch:
            worker = worker or _Alone(spec)
            piece = worker.run(function, item, args)
            if isinstance(piece, Lost):
                worker = None
            yield piece
    finally:
        if worker is not None:
            worker.close()


class _Alone:
    """A worker process given one item at a time, so the item it dies on is known, with its exit code."""

    def __init__(self, spec: HostSpec) -> None:
        context = _context()
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(spec, child), daemon=True)
        self._process.start()
        # Only the child may hold its end open: a dead child then reads as end of file here.
        child.close()
        try:
            self._connection.recv()
        except EOFError:
            # Not a file's fault: no item would fare better, so the scan stops here.
            self.close()
            raise RuntimeError(f"a worker process died while starting ({_exit_cause(self._process.exitcode or 0)})") from None

    def run(self, function: Callable[..., Result], item: Item, args: tuple[Any, ...]) -> Piece[Item, Result]:
        try:
            self._connection.send((function, [item], args))
            ok, result = self._connection.recv()
        except (EOFError, OSError):
            self.close()
            return Lost(item, self._process.exitcode or 0)
        if not ok:
            raise result
        return [item], result

    def close(self) -> None:
        self._connection.close()
        self._process.join()


def _serve(spec: HostSpec, connection: Connection) -> None:
    _start_worker(spec)
    connection.send("ready")
    while True:
        try:
            function, batch, args = connection.recv()
        except EOFError:
            return
        try:
            reply = (True, function(batch, *args))
        except Exception as error:
            reply = (False, error)
        connection.send(reply)
