"""The work of `gettimes serve` done in child processes: each rebuild, and each search index.

The server runs threads (HTTP, watcher, rebuilds), and a process with threads must
not fork: so a build run inside it would get one core. Instead each job runs in a
child started by a fork server (a fresh, single-threaded process that has already
imported the build), so the child starts in milliseconds and may fork its own
worker processes like `gettimes build` does. A child that crashes or is killed
takes nothing down with it: the server reports it and keeps the last good site.

The next build's child waits for the next save with what every build reads first
(the build cache: the record of the pages written, the loaded articles) and the
site as it is (prepared.py) in memory: a save that changed what an article shows
(its title, say) swaps the new version into the loaded site. A build's child sends
its result as soon as the new output is in place, then updates the build cache,
and stays as the next build's child, keeping both as it left them
(`BuildCache.rolled_over`, `BuildResult.loaded`); the server reloads the open pages
at once, and waits for the cache update before the next build. A build that left
pages for a second swap (a new title in the sidebar box on every page) writes them
after that; a save meanwhile makes the server send StopLater, and the child leaves
the rest to the next build, which then starts at once from what was written. A new child, which
reads the cache files and loads the site while the editor types, takes over after
a failed build, new settings, or BUILDS_PER_CHILD builds. Either checks when the
save comes that no other build rewrote the cache files since; if one did, the
rebuild reads them again.

Each child makes itself a process group, so Ctrl-C in the terminal reaches only
the server, which stops the children itself: SIGTERM to the group, which ends
the build's worker processes and Pagefind too. Killing a build is safe by design
of the build: its output is swapped in all at once, its staging folder is
checked file by file on the next build, and the cache files are replaced whole.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import gc
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

from gettimes.build import BuildOptions, BuildResult, CacheAhead, LoadedSite, build_site, read_cache_ahead
from gettimes.cache import CACHE_DIR, BuildCache
from gettimes.config import load_config
from gettimes.diagnostics import Diagnostic, Report, SiteError
from gettimes.freshness import package_digest
from gettimes.output import renameat2
from gettimes.pagefind_order import order_bundle
from gettimes.prepared import PreparedSite, prepare_site, prepared_from
from gettimes.render import COMPILED_PREFIX, make_environment, parse_templates
from gettimes.search import INDEX_DIR, run_pagefind
from gettimes.slugs import make_slug

# A build's child stays for this many builds at most: it runs without the cyclic garbage
# collector (`_no_collections`), so what little each build leaves in cycles adds up.
BUILDS_PER_CHILD = 20
INDEX_NICENESS = 10  # the index is background work: an editor's next save and page loads come first


@dataclass(frozen=True, slots=True)
class Built:
    """A build that succeeded."""

    pages: int
    written: int
    removed: int
    warnings: tuple[Diagnostic, ...]
    swapped: bool = False  # BuildResult.swapped
    later: int = 0  # pages left for a second swap (BuildResult.later): a second Built follows
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Failed:
    """A build that found errors in the site, or stopped on an unexpected exception."""

    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class Ready:
    """A build's child has updated the build cache after its build, and stays to run the next one
    (`next_build_job`): it waits for the options to load the site ahead with."""


@dataclass(frozen=True, slots=True)
class StopLater:
    """The server to a build's child writing the pages left for a second swap: the editor saved
    again, so leave them to the next build (`build_site`'s `stop_later`)."""


@dataclass(frozen=True, slots=True)
class Indexed:
    """A search index written to `bundle`, or why there is none."""

    bundle: Path
    problem: str | None = None


BuildJob = Callable[[Path, BuildOptions, Connection], object]
IndexJob = Callable[[Path, Path, Connection], None]


CacheStatus = dict[str, tuple[int, int, int]]  # cache file name -> inode, size, modification time


def build_job(root: Path, options: BuildOptions, results: Connection, ahead: CacheAhead | None = None,
              stop_later: Callable[[], bool] | None = None) -> BuildResult | None:
    """In the child: build the site and send back what happened, as soon as the output is in place
    (the child then updates the build cache, and the server waits for that before the next build).
    A build that leaves pages for a second swap (`BuildOptions.splice_later`) sends again after it.
    Returns the result of a build that succeeded.

    It ends with exit status 0 only if the build cache, once updated, records the output as it is:
    after a build that swapped in a new output (`Built.swapped`), the next build's child then
    trusts that record (`next_build_job`)."""
    _no_collections()
    sent: list[Built | Failed] = []

    def send(outcome: Built | Failed) -> None:
        # once; twice when the first leaves pages for a second swap (Built.later)
        if not sent or len(sent) == 1 and isinstance(sent[0], Built) and sent[0].later:
            sent.append(outcome)
            results.send(outcome)

    def committed(result: BuildResult) -> None:
        send(Built(result.pages, result.written, result.removed, result.warnings, result.swapped, result.later,
                   result.seconds))

    try:
        result = build_site(root, options, ahead=ahead, committed=committed, stop_later=stop_later)
        committed(result)  # told here if not yet
        return result
    except SiteError as exc:
        send(Failed(tuple(exc.report.errors), tuple(exc.report.warnings)))
    except Exception as exc:  # a file vanishing mid-build, or a bug: the preview stays up either way
        if sent:  # the output is in place, the cache may not say so
            raise SystemExit(1) from exc
        send(Failed((unexpected(exc),)))
    return None


def next_build_job(root: Path, output: Path, trusted: bool, expected: BuildOptions | None,
                   orders: Connection, results: Connection) -> None:
    """In a child started before the next save: read ahead and load the site as a build with
    the `expected` options would, then build with the options the server sends; end without
    building if the server closes the pipe instead.

    After a build that succeeded, the child stays for the next one, with the build cache as
    it left it in memory (`BuildCache.rolled_over`) instead of reading it again: it sends
    `Ready` once the cache is updated, gets the options to load the site ahead with, then
    the options to build with, as before its first build. It ends after a failed build, or
    after BUILDS_PER_CHILD builds.

    `trusted`: the last build into `output` swapped in a new output and its child ended
    cleanly, so its output and spare staging folder are as the build cache records them
    (only this server's builds write that private folder); they are then not checked again."""
    _no_collections()
    carried: BuildCache | None = None
    loaded: LoadedSite | PreparedSite | None = None  # the site as this process's last build left it
    for done in range(1, BUILDS_PER_CHILD + 1):
        ahead = _read_ahead(root, output, trusted, carried)
        if ahead is not None and expected is not None:
            ahead = _prepare(root, expected, ahead[0], orders, loaded if ahead[0].cache is carried else None), ahead[1]
        try:
            options = _receive(orders)
        except (EOFError, OSError):
            return
        if ahead is not None and _cache_status(root) != ahead[1]:
            ahead = None  # another build (`gettimes build` in a terminal) rewrote the cache meanwhile
        # Until this build's second Built, the server sends nothing but StopLater.
        result = build_job(root, options, results, ahead[0] if ahead is not None else None, orders.poll)
        if result is None or ahead is None:
            return
        if ahead[0].cache.save_failed:
            raise SystemExit(1)  # its files may not record the output: the next child checks it
        carried = _carried(root, ahead) if done < BUILDS_PER_CHILD else None
        if carried is None:
            return
        # A body edit's quick rebuild and a build with nothing to do load no site: the one loaded
        # ahead for them still holds, but for the edited bodies, which the next build loads again.
        loaded = result.loaded or ahead[0].prepared
        trusted = result.swapped
        results.send(Ready())
        try:
            expected = _receive(orders)
        except (EOFError, OSError):
            return


def _receive(orders: Connection) -> BuildOptions:
    """The next options the server sends, past a StopLater sent as the pages left for later were done."""
    while isinstance(message := orders.recv(), StopLater):
        pass
    if not isinstance(message, BuildOptions):
        raise EOFError(f"the server sent {message!r}")
    return message


def _carried(root: Path, ahead: tuple[CacheAhead, CacheStatus]) -> BuildCache | None:
    """The build cache as the build that took `ahead` left it; None if that build did not take
    it (the settings changed: it opened the cache files anew) and rewrote the files."""
    cache, status = ahead[0].cache, ahead[1]
    if not cache.saved and _cache_status(root) != status:
        return None
    return cache.rolled_over()


def _no_collections() -> None:
    """Turn off Python's cyclic garbage collector in this child, which does one build and
    ends: `cycle_collector_off` in build.py says why."""
    gc.disable()


def _read_ahead(root: Path, output: Path, trusted: bool = False,
                carried: BuildCache | None = None) -> tuple[CacheAhead, CacheStatus] | None:
    """What every build reads or works out first, whatever the save; with the status of the files read
    (`carried`: the build cache as this process's last build left it, instead of the files)."""
    package_digest()
    codecs.lookup("utf-8-sig")  # source files are decoded with it; its module is imported at first use
    make_slug("\u00e9")  # the transliteration table is loaded on the first non-ASCII slug
    renameat2()  # the output swap's system call: finding libc runs ldconfig
    before = _cache_status(root)
    try:
        ahead = read_cache_ahead(root, output, trusted, carried)
        config = load_config(root, Report())
        if config is not None:
            parse_templates(make_environment(root, config))
    except Exception:  # noqa: BLE001 - whatever it is, the build meets it again and reports it
        return None
    if ahead is None or _cache_status(root) != before:
        return None
    return ahead, before


def _prepare(root: Path, options: BuildOptions, ahead: CacheAhead, orders: Connection,
             loaded: LoadedSite | PreparedSite | None = None) -> CacheAhead:
    """`ahead` with the site loaded too (prepared.py), unless the save comes first: the site
    this process's last build `loaded` or had loaded ahead, if any, when `ahead` holds the
    cache as that build left it."""
    try:
        prepared = prepared_from(loaded, ahead.cache, options) if isinstance(loaded, LoadedSite) else loaded
        if prepared is None:
            prepared = prepare_site(root, options, ahead.cache, interrupted=orders.poll)
    except Exception:  # noqa: BLE001 - whatever it is, the build meets it again and reports it
        return ahead
    return dataclasses.replace(ahead, prepared=prepared)


def _cache_status(root: Path) -> CacheStatus:
    """The status of the build cache's files: any rewrite gives a file a new inode."""
    status: CacheStatus = {}
    with contextlib.suppress(OSError), os.scandir(root / CACHE_DIR) as entries:
        for entry in entries:
            if entry.name.endswith(".pickle"):
                stat = entry.stat()
                status[entry.name] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return status


def index_job(pages: Path, bundle: Path, results: Connection) -> None:
    """In the child: index `pages` with Pagefind into `bundle`, in the order `gettimes build` gives it."""
    with contextlib.suppress(OSError):
        os.nice(INDEX_NICENESS)
    problem = run_pagefind(pages, bundle)
    if problem is None:
        order_bundle(bundle)
    results.send(Indexed(bundle, problem))


def _run_job(job: Callable[..., object], args: Sequence[object]) -> None:
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
    """One job in a child process: start it, wait for its messages, or stop it.

    With `orders`, the job also gets a pipe to receive from (before the results pipe),
    and `order` sends on it: the job can start before it knows all it has to do.
    """

    def __init__(self, job: Callable[..., object], args: Sequence[object], name: str,
                 site: Path | None = None, orders: bool = False) -> None:
        context = _context()
        self._site = site  # whose cache a killed build may have left a temporary file in
        self._receiver, sender = context.Pipe(duplex=False)
        pipes: tuple[Connection, ...] = (sender,)
        self._orders: Connection | None = None
        if orders:
            reader, self._orders = context.Pipe(duplex=False)
            pipes = (reader, sender)
        self._process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_run_job, args=(job, (*args, *pipes)), name=name, daemon=False)
        self._stopped = threading.Event()
        try:
            self._process.start()
        finally:
            for pipe in pipes:  # the child holds the other copies: its ends close when it exits
                pipe.close()

    def order(self, value: object) -> bool:
        """Send `value` to a job started with `orders`; False if it can no longer be sent (the child ended)."""
        if self._orders is None or self._process.exitcode is not None:
            return False
        try:
            self._orders.send(value)
        except (OSError, ValueError):
            return False
        return True

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def exitcode(self) -> int | None:
        """The child's exit status once it has ended (negative: the signal that ended it), else None."""
        return self._process.exitcode

    def result(self, wait_for_exit: bool = True) -> object | None:
        """Wait for the child's message; None if it was stopped. Raises ChildDied if it ended without one.

        Without `wait_for_exit`, a message is returned as soon as it arrives: the child may
        still be at work (a build updating its cache), and `join` waits for it to end."""
        message: object | None = None
        try:
            if wait([self._receiver, self._process.sentinel]):
                with contextlib.suppress(EOFError, OSError):
                    if self._receiver.poll():
                        message = self._receiver.recv()
        finally:
            if wait_for_exit or message is None or self._stopped.is_set():
                self.join()
        if self._stopped.is_set():
            return None
        if message is None:
            raise ChildDied(self._process.exitcode)
        return message

    def join(self) -> None:
        """Wait for the child to end, and clean up after it."""
        self._process.join()
        self._receiver.close()
        if self._orders is not None:
            self._orders.close()
        self._clean_up()

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
        cache = self._site / CACHE_DIR
        for leftover in [*cache.glob(f"*.{pid}.tmp"), *cache.glob(f"{COMPILED_PREFIX}*/*.{pid}.tmp")]:
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
