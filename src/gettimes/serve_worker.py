"""The work of `gettimes serve` done in child processes: each rebuild, and each search index.

The server runs threads (HTTP, watcher, rebuilds), and a process with threads must
not fork: so a build run inside it would get one core. Instead each job runs in a
child started by a fork server (a fresh, single-threaded process that has already
imported the build), so the child starts in milliseconds and may fork its own
worker processes like `gettimes build` does. A child that crashes or is killed
takes nothing down with it: the server reports it and keeps the last good site.

Each child makes itself a process group, so Ctrl-C in the terminal reaches only
the server, which stops the children itself: SIGTERM to the group, which ends
the build's worker processes and Pagefind too. Killing a build is safe by design
of the build: its output is swapped in all at once, its staging folder is
checked file by file on the next build, and the cache files are replaced whole.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from gettimes.build import BuildOptions, build_site
from gettimes.cache import CACHE_DIR
from gettimes.diagnostics import Diagnostic, SiteError
from gettimes.pagefind_order import order_bundle
from gettimes.search import INDEX_DIR, run_pagefind

INDEX_NICENESS = 10  # the index is background work: an editor's next save and page loads come first


@dataclass(frozen=True, slots=True)
class Built:
    """A build that succeeded."""

    pages: int
    written: int
    removed: int
    warnings: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class Failed:
    """A build that found errors in the site, or stopped on an unexpected exception."""

    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class Indexed:
    """A search index written to `bundle`, or why there is none."""

    bundle: Path
    problem: str | None = None


BuildJob = Callable[[Path, BuildOptions, Connection], None]
IndexJob = Callable[[Path, Path, Connection], None]


def build_job(root: Path, options: BuildOptions, results: Connection) -> None:
    """In the child: build the site and send back what happened."""
    outcome: Built | Failed
    try:
        result = build_site(root, options)
        outcome = Built(result.pages, result.written, result.removed, result.warnings)
    except SiteError as exc:
        outcome = Failed(tuple(exc.report.errors), tuple(exc.report.warnings))
    except Exception as exc:  # a file vanishing mid-build, or a bug: the preview stays up either way
        outcome = Failed((unexpected(exc),))
    results.send(outcome)


def index_job(pages: Path, bundle: Path, results: Connection) -> None:
    """In the child: index `pages` with Pagefind into `bundle`, in the order `gettimes build` gives it."""
    with contextlib.suppress(OSError):
        os.nice(INDEX_NICENESS)
    problem = run_pagefind(pages, bundle)
    if problem is None:
        order_bundle(bundle)
    results.send(Indexed(bundle, problem))


def _run_job(job: Callable[..., None], args: Sequence[object]) -> None:
    """What a child runs: `job(*args)` in a process group of its own, which the server stops, not Ctrl-C."""
    if sys.platform != "win32":
        os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    job(*args)


def unexpected(exc: BaseException) -> Diagnostic:
    """An exception no stage reported, as a diagnostic that says where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return Diagnostic("gettimes", None, f"the build stopped: {type(exc).__name__}: {exc}{where}")


def _context() -> BaseContext:
    """A fork server where there is one (Linux, macOS), with the build imported once; else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Each child runs the main module again (`gettimes.cli` under `python -m`; the console
    # script, which imports it): with it imported by the fork server, that costs next to nothing.
    main = getattr(sys.modules["__main__"], "__spec__", None)
    preload = [__name__, "gettimes.cli"]
    if main is not None and main.name and not main.name.endswith("__main__"):
        preload.append(main.name)
    context.set_forkserver_preload(preload)
    return context


class Child:
    """One job in a child process: start it, wait for its one message, or stop it."""

    def __init__(self, job: Callable[..., None], args: Sequence[object], name: str,
                 site: Path | None = None) -> None:
        context = _context()
        self._site = site  # whose cache a killed build may have left a temporary file in
        self._receiver, sender = context.Pipe(duplex=False)
        self._process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_run_job, args=(job, (*args, sender)), name=name, daemon=False)
        self._stopped = threading.Event()
        self._process.start()
        sender.close()  # the child holds the other copy: its end closes when it exits

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def result(self) -> object | None:
        """Wait for the child's message; None if it was stopped. Raises ChildDied if it ended without one."""
        message: object | None = None
        try:
            if wait([self._receiver, self._process.sentinel]):
                with contextlib.suppress(EOFError, OSError):
                    if self._receiver.poll():
                        message = self._receiver.recv()
        finally:
            self._process.join()
            self._receiver.close()
            self._clean_up()
        if self._stopped.is_set():
            return None
        if message is None:
            raise ChildDied(self._process.exitcode)
        return message

    def stop(self) -> None:
        """End the child and everything it started (its workers, Pagefind); `result` then returns None."""
        self._stopped.set()
        pid = self._process.pid
        if pid is None or self._process.exitcode is not None:
            return
        try:
            if sys.platform == "win32":
                raise ProcessLookupError
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):  # not yet its own group (or no groups): the child alone
            self._process.terminate()

    def _clean_up(self) -> None:
        """A killed build may leave the temporary file of a cache write (they are named after the process)."""
        pid = self._process.pid
        if self._process.exitcode == 0 or pid is None or self._site is None:
            return
        for leftover in (self._site / CACHE_DIR).glob(f"*.{pid}.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()


class ChildDied(Exception):
    """The child process ended without sending its result: it crashed or was killed."""

    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.exitcode is not None and self.exitcode < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-self.exitcode).name}"
        return f"exit status {self.exitcode}"


def died(exc: ChildDied) -> Diagnostic:
    return Diagnostic("gettimes", None, f"the build stopped: its process ended without a result ({exc.describe()}; "
                                        "out of memory?); save again to retry")



class BackgroundIndex:
    """Pagefind over the served folder, off the path of the reload: one run at a time, the newest wins.

    `start` stops a run in progress (its folder of pages is about to change) and
    begins a new one; `ready` is called, on this object's thread, with each index
    finished. Each run writes its own bundle folder below `scratch`.
    """

    def __init__(self, scratch: Path, ready: Callable[[Indexed], None]) -> None:
        self._scratch = scratch
        self._ready = ready
        self.job: IndexJob = index_job
        self._lock = threading.Lock()
        self._running: tuple[Child, threading.Thread] | None = None
        self._runs = 0

    def start(self, pages: Path) -> None:
        self.cancel()
        self._runs += 1
        bundle = self._scratch / f"search-{self._runs}" / INDEX_DIR
        bundle.parent.mkdir(parents=True, exist_ok=True)
        try:
            child = Child(self.job, (pages, bundle), "gettimes-index")
        except OSError as exc:
            self._ready(Indexed(bundle, f"cannot start Pagefind's process: {exc.strerror or exc}"))
            return
        thread = threading.Thread(target=self._wait, args=(child, bundle), name="gettimes-index")
        with self._lock:  # started under the lock: `cancel` joins only a thread that runs
            thread.start()
            self._running = (child, thread)

    def _wait(self, child: Child, bundle: Path) -> None:
        try:
            message = child.result()
        except ChildDied as exc:
            message = Indexed(bundle, f"the indexing process ended without a result ({exc.describe()})")
        if isinstance(message, Indexed):
            self._ready(message)
        if not isinstance(message, Indexed) or message.problem is not None:
            shutil.rmtree(bundle.parent, ignore_errors=True)

    def idle(self) -> bool:
        """No run in progress: the newest index, or why there is none, has been handed to `ready`."""
        with self._lock:
            return self._running is None or not self._running[1].is_alive()

    def cancel(self) -> None:
        """Stop the run in progress, if any, and wait until it has ended."""
        with self._lock:
            running, self._running = self._running, None
        if running is not None:
            child, thread = running
            child.stop()
            thread.join()
