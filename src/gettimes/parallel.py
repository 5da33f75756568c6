"""Spreading work over processes, with output identical to doing it in order.

On Linux the workers are forked once the site is loaded, so they see it without
copying it through pipes; only their small results come back. Elsewhere, with a
single core, with `--jobs 1`, or when the process runs other threads (forking a
threaded process can deadlock), the same tasks simply run here, one after another.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

State = TypeVar("State")
Chunk = TypeVar("Chunk")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1  # prctl: the signal a process gets when the one that forked it ends

# Set in each forked worker by `_remember`: the task and what it works on.
_worker_task: Any = None
_worker_state: Any = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    """Whether this process may fork: on Linux, with no other thread running (forking a
    threaded process can deadlock)."""
    return sys.platform == "linux" and threading.active_count() == 1


def tapered(items: Sequence[Chunk], workers: int, smallest: int = 25) -> list[Sequence[Chunk]]:
    """`items` cut into slices of neighbouring items, each a `2 * workers`-th of those left
    and no smaller than `smallest` (25 articles to load, or pages to render, take a worker
    about 10 ms): large slices first (few results to pass back), small ones last, so that
    the workers run out of work at about the same time."""
    slices = []
    start = 0
    while start < len(items):
        size = max(smallest, -(-(len(items) - start) // (2 * max(workers, 1))))
        slices.append(items[start:start + size])
        start += size
    return slices


def run_tasks(task: Callable[[State, Chunk], Result], state: State, chunks: Sequence[Chunk],
              jobs: int, on_result: Callable[[Result], None], meanwhile: Callable[[], None] | None = None) -> None:
    """Call `task(state, chunk)` for every chunk, in `jobs` processes when that is safe.

    `meanwhile` is called once, here, while the processes work: this process would only
    wait for them, and what it does then is off the build's critical path."""
    if jobs <= 1 or len(chunks) <= 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks:
            on_result(task(state, chunk))
        return
    context = multiprocessing.get_context("fork")
    gc.freeze()  # keep the parent's objects out of the children's garbage collection: fewer copied pages
    try:
        with context.Pool(min(jobs, len(chunks)), initializer=_remember, initargs=(os.getpid(), task, state)) as pool:
            results = pool.imap_unordered(_run, chunks)
            if meanwhile is not None:
                meanwhile()
            for result in results:
                on_result(result)
    finally:
        gc.unfreeze()


def _end_with_parent(parent: int) -> None:
    """In a forked process: end at once when `parent`, which forked it, ends.

    A build killed midway (`kill -9`, a CI timeout) must not leave workers writing into
    the staging folder, which the next build opens: they would write over and remove the
    files it stages there."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


def _remember(parent: int, task: Callable[[Any, Any], Any], state: Any) -> None:
    global _worker_task, _worker_state
    _end_with_parent(parent)
    _worker_task, _worker_state = task, state


def _run(chunk: Any) -> Any:
    return _worker_task(_worker_state, chunk)


class Forked(Generic[Result]):
    """What `make()` returns, worked out in a forked process while this one goes on (`forked`)."""

    def __init__(self, make: Callable[[], Result], fork: bool) -> None:
        self._make = make
        self._child: int | None = None
        self._pipe: int | None = None
        if fork and can_fork():
            self._pipe, write = os.pipe()
            parent = os.getpid()
            self._child = os.fork()
            if self._child == 0:  # the child: send the result, and leave without the parent's exit handlers
                _end_with_parent(parent)
                os.close(self._pipe)
                with contextlib.suppress(BaseException), os.fdopen(write, "wb") as out:
                    out.write(pickle.dumps(make(), pickle.HIGHEST_PROTOCOL))
                    out.flush()
                    os._exit(0)
                os._exit(1)
            os.close(write)

    def result(self) -> Result:
        """The child's result; worked out here if there is no child or it failed (which raises again, here)."""
        if self._child is not None and self._pipe is not None:
            with os.fdopen(self._pipe, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self._child, 0)
            self._child = self._pipe = None
            if os.waitstatus_to_exitcode(status) == 0:
                value: Result = pickle.loads(data)  # noqa: S301 - written by our own child
                return value
        return self._make()

    def stop(self) -> None:
        """End the child if its result was not taken (the work that needed it failed)."""
        if self._child is not None and self._pipe is not None:
            os.kill(self._child, signal.SIGKILL)
            os.waitpid(self._child, 0)
            os.close(self._pipe)
            self._child = self._pipe = None


@contextlib.contextmanager
def forked(make: Callable[[], Result], fork: bool = True) -> Iterator[Forked[Result]]:
    """`make()` started in a forked process, for this one to take its result later (`Forked.result`).

    For work that only this process would do at that point of a build, with the other core
    idle. Without `fork`, off Linux, or when this process runs other threads (forking a
    threaded process can deadlock), `result()` simply calls `make` then. A child whose
    result is not taken by the end of the `with` block is stopped."""
    work = Forked(make, fork)
    try:
        yield work
    finally:
        work.stop()
