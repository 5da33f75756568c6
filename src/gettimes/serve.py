"""`gettimes serve`: build into a private folder, serve it, rebuild on every saved change.

Three parts, each on its own thread: the HTTP server (devserver.py), a watcher
of the sources (watchfiles), and a rebuild loop that turns each burst of changes
into one build. The preview is built by `build_site` exactly as `gettimes build`
would build it, only into a temporary folder and in a child process (so it may
use every core, and a crash cannot take the server down), so a half-finished
preview can never be deployed and what is served equals a full build. A failed
rebuild leaves that folder untouched (the build is all or nothing), so the last
good site stays up while the errors show in the terminal and in the browser.
The search index follows in the background, after the open pages have reloaded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import secrets
import shutil
import signal
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from urllib.parse import quote, urlsplit

import watchfiles

from gettimes.build import SOURCE_FOLDERS, BuildOptions
from gettimes.cache import CACHE_DIR, digest
from gettimes.config import CONFIG_FILE, load_config
from gettimes.devserver import PreviewServer, Served, open_server
from gettimes.diagnostics import Diagnostic, Report, SiteError
from gettimes.reload import Broadcaster, LiveState
from gettimes.serve_worker import (
    BackgroundIndex,
    BuildJob,
    Built,
    Child,
    ChildDied,
    Failed,
    Indexed,
    Ready,
    StopLater,
    build_job,
    died,
    next_build_job,
)

Clock = Callable[[], datetime]
Change = tuple[str, str]  # ("added" | "modified" | "deleted", site-relative path)
SOURCE_NAMES = frozenset({CONFIG_FILE, *SOURCE_FOLDERS})
# A burst of saves is one change set once the folders are quiet this long. An editor's save
# (a write, or a temporary file renamed over the old one) takes a millisecond or two; the
# watcher reports it after one to two steps (about 30 ms at 20 ms, 85 ms at 50 ms).
WATCH_STEP_MS = 20
_WATCH_TICK_MS = 200  # how often a watcher wakes with nothing to report (proves it is running)
_KIND = {"added": "added", "modified": "changed", "deleted": "deleted"}


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    future: bool = False


def _print_each(items: Iterable[object]) -> None:
    for item in items:
        print(item)


@dataclass(frozen=True, slots=True)
class Console:
    """Where the server talks: plain lines, and diagnostics (which the CLI colours)."""

    say: Callable[[str], None] = print
    problems: Callable[[Sequence[Diagnostic]], None] = _print_each


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one build did, for the line the terminal shows."""

    pages: int
    milliseconds: float
    output_changed: bool
    written: int = 0  # files whose bytes changed
    removed: int = 0
    errors: tuple[Diagnostic, ...] = ()
    new_warnings: tuple[Diagnostic, ...] = ()
    stopped: bool = False  # the server stopped mid-build; nothing changed
    swapped: bool = False  # a new output was swapped in and the build cache records it
    later: int = 0  # pages written in a second swap, after the reload (a new title in a sidebar box, say)
    later_milliseconds: float = 0.0


class Preview:
    """A site built into a private folder, and the live state the server shows for it.

    Each build runs in a child process (serve_worker.py), without the search
    index: the open pages reload as soon as the pages are written, and Pagefind
    then indexes the new site in the background. A build that starts stops the
    index in progress, since the folder it reads is about to change. The child
    of a build stays as the next build's (or a new one is started when it ends),
    and loads the site ahead while the editor writes (`next_build_job`).
    """

    def __init__(self, root: Path, options: ServeOptions, clock: Clock, say: Callable[[str], None] = print) -> None:
        self.root = root
        self._options = options
        self._clock = clock
        self._say = say
        self._scratch = Path(tempfile.mkdtemp(prefix="gettimes-serve-")).resolve()
        self._folder = self._scratch / "site"
        self._events = Broadcaster()
        self._boot = secrets.token_hex(4)  # a restarted server makes every open page reload
        self._builds = 0
        self._indexes = 0
        self._lock = threading.Lock()  # the build and the index both replace what is served
        self._current = Served(LiveState(self._token()))
        self._warned: frozenset[Diagnostic] = frozenset()
        self._index_problem: str | None = None
        self._unindexed = False  # the served pages are newer than the served index (if any)
        self._stopping = threading.Event()
        self._child: Child | None = None
        self._next: Child | None = None  # the next build's child, reading ahead until it is sent options
        self._finishing: Child | None = None  # the last build's child, which may still be saving the cache
        self._writing_later: Child | None = None  # the last build's child, writing the pages left for later
        self._settings_read: tuple[bytes, tuple[str, bool]] | None = None  # gettimes.yaml, and _settings of it
        self.build_job: BuildJob = build_job
        self.index = BackgroundIndex(self._scratch, self._indexed)

    @property
    def folder(self) -> Path:
        return self._folder

    @property
    def events(self) -> Broadcaster:
        return self._events

    def current(self) -> Served:
        return self._current

    def _token(self) -> str:
        return f"{self._boot}-{self._builds}"

    def build(self) -> Outcome:
        """Build the whole site again; on success serve it and tell open pages to reload."""
        outcome = self._build()
        if outcome.later:
            outcome = self._build_later(outcome)
        ended_cleanly, ready = self._finish()
        if ready is not None:
            self._keep_next(ready)
        elif not outcome.stopped:
            self._start_next(trusted=ended_cleanly and outcome.swapped)
        return outcome

    def _build(self) -> Outcome:
        self.index.cancel()
        started = time.perf_counter()
        try:
            message = self._run(self._build_options())
        except ChildDied as exc:
            return self._failed([died(exc)], [], started)
        except OSError as exc:  # no process to be had
            return self._failed([Diagnostic("gettimes", None, f"cannot start the build: {exc.strerror or exc}")],
                                [], started)
        if message is None:  # the server stopped mid-build; the served folder is as it was
            return Outcome(0, _ms(started), False, stopped=True)
        if isinstance(message, Failed):
            return self._failed(message.errors, message.warnings, started)
        if not isinstance(message, Built):
            return self._failed([Diagnostic("gettimes", None, f"the build sent {message!r}")], [], started)
        changed, search = self._serve_built(bool(message.written or message.removed))
        outcome = Outcome(message.pages, _ms(started), changed, message.written, message.removed,
                          new_warnings=self._new_warnings(message.warnings), swapped=message.swapped,
                          later=message.later)
        if search and self._unindexed and not outcome.later and not self._stopping.is_set():
            self.index.start(self._folder)
        return outcome

    def _serve_built(self, wrote: bool) -> tuple[bool, bool]:
        """Serve the folder as a build left it; the open pages reload if it `wrote` anything, or
        if they showed no site or errors. Whether they reload, and whether the site has search."""
        base_path, search = self._settings()
        with self._lock:
            previous = self._current
            changed = wrote or not previous.ready or bool(previous.live.errors)
            if changed:
                self._builds += 1
                self._unindexed = True
            live = LiveState(self._token(), search=previous.live.search if search else "")
            self._current = Served(live, base_path, ready=True, search=previous.search if search else ())
        if changed:
            self._events.publish(live.event())
        return changed, search

    def _build_later(self, outcome: Outcome) -> Outcome:
        """Wait for the pages the build left for a second swap, then reload the open pages again
        (and index the site): the first reload showed the saved page without waiting for them."""
        with self._lock:
            child = self._writing_later = self._finishing
        try:
            message = child.result(wait_for_exit=False) if child is not None else None
        except ChildDied:
            message = None
        finally:
            with self._lock:
                self._writing_later = None
        if not isinstance(message, Built) or message.later:
            return dataclasses.replace(outcome, later=0)  # left to the next build (the cache's record says so)
        _, search = self._serve_built(True)
        if search and not self._stopping.is_set():
            self.index.start(self._folder)
        return dataclasses.replace(outcome, later=message.written, later_milliseconds=message.seconds * 1000)

    def saved(self) -> None:
        """A source file was saved: a second swap in progress stops, leaving its pages to the
        rebuild that follows (which would write them again), so that this one starts at once."""
        with self._lock:
            if self._writing_later is not None:
                self._writing_later.order(StopLater())

    def _build_options(self) -> BuildOptions:
        return BuildOptions(self._clock(), self._options.drafts, self._options.future, output=self._folder,
                            search_index=False, splice_later=True)

    def _run(self, options: BuildOptions) -> object | None:
        """The child's message about the build; None if the server stopped it."""
        with self._lock:
            if self._stopping.is_set():
                return None
            waiting, self._next = self._next, None
            if waiting is not None and self.build_job is build_job and waiting.order(options):
                child, unused = waiting, None
            else:  # none waiting, it ended, or a job other than the build was set meanwhile (tests do)
                child, unused = Child(self.build_job, (self.root, options), "gettimes-build", site=self.root), waiting
            self._child = child
        if unused is not None:
            _discard(unused)
        try:
            return child.result(wait_for_exit=False)  # sent when the output is in place; the cache follows
        finally:
            with self._lock:
                self._child = None
                self._finishing = child

    def _finish(self) -> tuple[bool, Child | None]:
        """Wait for the last build's child to update the build cache (after sending its result):
        it then ends (True if there was one and it ended cleanly), or says it is `Ready` to run
        the next build too (that child, which then waits for options to load ahead with)."""
        with self._lock:
            child, self._finishing = self._finishing, None
        if child is None:
            return False, None
        if child.exitcode is None:
            try:
                message = child.result(wait_for_exit=False)
            except ChildDied as exc:  # ended without a word: after its last build, say
                return exc.exitcode == 0, None
            if isinstance(message, Ready):
                return True, child
            child.stop()  # a message it had no reason to send: it would wait for orders
        child.join()
        return child.exitcode == 0, None

    def _keep_next(self, child: Child) -> None:
        """Keep the last build's child, `Ready`, as the next build's: it loads the site ahead."""
        with self._lock:
            if not self._stopping.is_set() and self._next is None and self.build_job is build_job \
                    and child.order(self._build_options()):
                self._next = child
                return
        _discard(child)

    def _start_next(self, trusted: bool) -> None:
        """Start the next build's child, which reads ahead until a save sends it options.

        `trusted`: the last build swapped in a new output and its child ended cleanly
        (`next_build_job`). A build with nothing to do swaps nothing, and a spare left
        by a build stopped before it is not what the cache records."""
        with self._lock:
            if self._stopping.is_set() or self._next is not None or self.build_job is not build_job:
                return
            with contextlib.suppress(OSError):  # no process to be had now: the next build starts one
                self._next = Child(next_build_job, (self.root, self._folder, trusted, self._build_options()),
                                   "gettimes-build", site=self.root, orders=True)

    def stop(self) -> None:
        """Stop a build in progress (Ctrl-C need not wait for it), the next build's child and the search index."""
        with self._lock:
            self._stopping.set()
            child = self._child or self._finishing  # the second may be writing the pages left for later
            waiting, self._next = self._next, None
        if child is not None:
            child.stop()
        if waiting is not None:
            _discard(waiting)
        self.index.cancel()

    def _indexed(self, index: Indexed) -> None:
        """A search index is done: serve it (and the one before, which open pages may still use)."""
        if index.problem is not None:
            if index.problem != self._index_problem:
                self._say(f"The search index was not updated: {index.problem}")
            self._index_problem = index.problem
            return
        self._index_problem = None
        with self._lock:
            self._unindexed = False
            previous = self._current
            self._indexes += 1
            retired = previous.search[1:]
            live = LiveState(previous.live.token, previous.live.errors, f"{self._boot}-{self._indexes}")
            self._current = Served(live, previous.base_path, previous.ready, (index.bundle, *previous.search[:1]))
        self._events.publish(live.event())
        for bundle in retired:
            shutil.rmtree(bundle.parent, ignore_errors=True)

    def _failed(self, errors: Sequence[Diagnostic], warnings: Sequence[Diagnostic], started: float) -> Outcome:
        with self._lock:
            previous = self._current
            live = LiveState(previous.live.token, tuple(str(error) for error in errors), previous.live.search)
            self._current = Served(live, previous.base_path, previous.ready, previous.search)
        self._events.publish(live.event())
        return Outcome(0, _ms(started), False, errors=tuple(errors), new_warnings=self._new_warnings(warnings))

    def _new_warnings(self, warnings: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
        """Warnings not shown by the previous build: each is printed once, not on every save."""
        current = tuple(warnings)
        new = tuple(warning for warning in current if warning not in self._warned)
        self._warned = frozenset(current)
        return new

    def _settings(self) -> tuple[str, bool]:
        """The path the site is served under (from base_url), and whether it has search.

        Worked out again only when gettimes.yaml changed: the open pages wait for it."""
        try:
            data = (self.root / CONFIG_FILE).read_bytes()
        except OSError:
            data = None
        if data is not None and self._settings_read is not None and self._settings_read[0] == data:
            return self._settings_read[1]
        config = load_config(self.root, Report())
        if config is None:
            return self._current.base_path, False
        settings = quote(urlsplit(config.base_url).path.rstrip("/"), safe="/%"), config.search
        self._settings_read = (data, settings) if data is not None else None
        return settings

    def close(self) -> None:
        self.stop()
        _, ready = self._finish()  # before its record of pages is removed below
        if ready is not None:
            _discard(ready)
        self._events.close()
        shutil.rmtree(self._scratch, ignore_errors=True)
        # The build cache keeps a record of written pages per output folder; this
        # folder is gone for good, so its record would only pile up session after session.
        record = self.root / CACHE_DIR / f"pages-{digest(str(self._folder.resolve()))}.pickle"
        with contextlib.suppress(OSError):
            record.unlink()


def _discard(child: Child) -> None:
    """Stop a child that was never sent its options, and wait for it to end."""
    child.stop()
    with contextlib.suppress(ChildDied):
        child.result()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class _Either:
    """Stops a watchfiles loop when either event is set."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self.first = first
        self.second = second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


class _SourceFilter(watchfiles.DefaultFilter):
    """watchfiles' defaults, plus the temporary files editors write beside the one being saved."""

    ignore_entity_patterns = (
        *watchfiles.DefaultFilter.ignore_entity_patterns,
        r"^\.",  # hidden files: vim's .x.swp, emacs' .#x, and files the build skips anyway
        r"^4913$",  # vim's probe for a writable folder
        r"^#.*#$",  # emacs auto-save
        r"\.kate-swp$",
        r"\.crswap$",
        r"\.tmp$",
    )


class SourceWatcher:
    """Watches gettimes.yaml and the source folders, handing each burst of changes to `notify`.

    The folders are watched recursively; the site folder itself only one level
    deep, for the configuration and for source folders that appear or vanish
    (which restart the folder watch). The output folder is never watched.
    """

    def __init__(self, root: Path, notify: Callable[[frozenset[Change]], None]) -> None:
        self.root = root
        self._notify = notify
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._root_ready = threading.Event()
        self._folders_ready = threading.Event()
        self._filter = _SourceFilter()
        self._polling = False  # set when the OS refuses more watches (inotify's limit): poll instead
        self._threads = [
            threading.Thread(target=self._watch_root, name="gettimes-watch-site"),
            threading.Thread(target=self._watch_folders, name="gettimes-watch-sources"),
        ]

    def start(self, timeout: float = 10.0) -> bool:
        """Start watching; True once both watches are in place (so no save can be missed)."""
        for thread in self._threads:
            thread.start()
        return self._root_ready.wait(timeout) and self._folders_ready.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()

    def _watch_root(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch_root_once()
            except (OSError, RuntimeError):  # no more OS watches to be had (inotify's limit)
                self._polling = True
                self._stop.wait(0.1)

    def _watch_root_once(self) -> None:
        changes: set[tuple[watchfiles.Change, str]]
        for changes in watchfiles.watch(
            self.root, watch_filter=self._is_root_source, recursive=False, stop_event=self._stop,
            step=WATCH_STEP_MS, rust_timeout=_WATCH_TICK_MS, yield_on_timeout=True, raise_interrupt=False,
            force_polling=self._polling or None,
        ):
            self._root_ready.set()
            found = self._relative(changes)
            if any(kind != "modified" and path in SOURCE_FOLDERS for kind, path in found):
                self._restart.set()
            if found:
                self._notify(found)

    def _is_root_source(self, change: watchfiles.Change, path: str) -> bool:
        candidate = Path(path)
        return candidate.parent == self.root and candidate.name in SOURCE_NAMES

    def _watch_folders(self) -> None:
        watched: list[Path] | None = None  # None: the first watch, which the initial build covers
        while not self._stop.is_set():
            self._restart.clear()
            folders = [self.root / name for name in SOURCE_FOLDERS if (self.root / name).is_dir()]
            new = [path for path in folders if watched is not None and path not in watched]
            appeared = frozenset(("added", path.name) for path in new)
            watched = folders
            if not folders:
                self._folders_ready.set()
                while not (self._stop.wait(0.05) or self._restart.is_set()):
                    pass
                continue
            try:
                self._watch(folders, appeared)
            except FileNotFoundError:  # a folder vanished as the watch began: look again
                self._stop.wait(0.1)
            except (OSError, RuntimeError):  # no more OS watches to be had (inotify's limit)
                self._polling = True
                self._stop.wait(0.1)

    def _watch(self, folders: list[Path], appeared: frozenset[Change]) -> None:
        changes: set[tuple[watchfiles.Change, str]]
        for changes in watchfiles.watch(
            *folders, watch_filter=self._filter, stop_event=_Either(self._stop, self._restart),
            step=WATCH_STEP_MS, rust_timeout=_WATCH_TICK_MS, yield_on_timeout=True, raise_interrupt=False,
            force_polling=self._polling or None,
        ):
            if not self._folders_ready.is_set() or appeared:
                self._folders_ready.set()
                if appeared:  # files written into a new folder before its watch began
                    self._notify(appeared)
                    appeared = frozenset()
            found = self._relative(changes)
            if found:
                self._notify(found)

    def _relative(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> frozenset[Change]:
        return frozenset((change.name, Path(os.path.relpath(path, self.root)).as_posix())
                         for change, path in changes)


def describe(changes: Collection[Change]) -> str:
    """`content/a.md changed`, or `content/a.md and 3 more files changed`."""
    paths = sorted({path for _, path in changes})
    if len(paths) == 1:
        kinds = {kind for kind, path in changes}
        kind = _KIND[kinds.pop()] if len(kinds) == 1 else "changed"
        return f"{paths[0]} {kind}"
    return f"{paths[0]} and {len(paths) - 1} more file{'s' if len(paths) > 2 else ''} changed"


class DevServer:
    """`gettimes serve` as an object: `start()` to build, serve and watch; `close()` to stop."""

    def __init__(self, root: Path, options: ServeOptions | None = None, clock: Clock = _utc_now,
                 console: Console | None = None) -> None:
        self.root = root.resolve()
        self.options = options or ServeOptions()
        self.console = console or Console()
        self.preview = Preview(self.root, self.options, clock, self.console.say)
        self.url = ""
        self._changes: queue.SimpleQueue[frozenset[Change] | None] = queue.SimpleQueue()
        self.watcher = SourceWatcher(self.root, self._saved)
        self._server: PreviewServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()
        self._serving = False

    @property
    def port(self) -> int:
        return self._server.server_port if self._server else 0

    def start(self) -> str:
        """Listen, build, serve and watch; return the URL. Raises SiteError without a site, ServeError
        when it cannot listen. A site with errors is served anyway, showing them until fixed."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self.url

    def _start(self) -> None:
        if not (self.root / CONFIG_FILE).is_file():
            report = Report()
            load_config(self.root, report)
            raise SiteError(report)
        options = self.options
        self._server = open_server(options.host, options.port, self.preview)
        if options.port and self.port != options.port:
            self.console.say(f"Port {options.port} is in use; serving on port {self.port} instead.")
        if not self.watcher.start():
            self.console.say("warning: watching the site's files did not start; saves may not show.")
        outcome = self.preview.build()
        self.console.problems(outcome.new_warnings)
        self.console.problems(outcome.errors)
        if outcome.errors:
            count = len(outcome.errors)
            self.console.say(f"The site has {count} error{'s' if count != 1 else ''}: the browser shows them "
                             "until they are fixed.")
        else:
            self.console.say(f"Built {outcome.pages} pages in {outcome.milliseconds:.0f} ms.")
        self._spawn(self._rebuild_loop, "gettimes-rebuild")
        self._spawn(self._serve_forever, "gettimes-http")
        self._serving = True
        self.url = self._url()
        note = "" if self._is_loopback(options.host) else " (reachable from other machines on this network)"
        self.console.say(f"Serving {self.url}{note}; press Ctrl-C to stop.")

    def _serve_forever(self) -> None:
        if self._server is not None:
            self._server.serve_forever(poll_interval=0.1)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name)
        self._threads.append(thread)
        thread.start()

    def _url(self) -> str:
        host = self.options.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.preview.current().base_path}/"

    @staticmethod
    def _is_loopback(host: str) -> bool:
        return host in ("localhost", "::1") or host.startswith("127.")

    def _saved(self, changes: frozenset[Change]) -> None:
        self._changes.put(changes)
        self.preview.saved()

    def _rebuild_loop(self) -> None:
        while True:
            batch = self._changes.get()
            if batch is None:
                return
            changes = set(batch)
            while True:  # everything saved meanwhile goes into this one rebuild
                try:
                    more = self._changes.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    return
                changes |= more
            outcome = self.preview.build()
            if outcome.stopped:
                return
            self._rebuilt(changes, outcome)

    def _rebuilt(self, changes: Collection[Change], outcome: Outcome) -> None:
        what = describe(changes)
        self.console.problems(outcome.new_warnings)
        if outcome.errors:
            self.console.problems(outcome.errors)
            count = len(outcome.errors)
            self.console.say(f"Rebuild failed ({what}): {count} error{'s' if count != 1 else ''}; "
                             "still serving the last good build.")
            return
        files = f"{outcome.written} file{'s' if outcome.written != 1 else ''} updated"
        if outcome.removed:
            files += f", {outcome.removed} removed"
        later = f"; {outcome.later} more followed in {outcome.later_milliseconds:.0f} ms" if outcome.later else ""
        self.console.say(f"Rebuilt ({what}): {outcome.pages} pages, {files}, in {outcome.milliseconds:.0f} ms{later}.")

    def wait(self) -> None:
        """Block until `close()` is called from another thread (or Ctrl-C)."""
        while not self._stopped.wait(0.5):
            pass

    def close(self) -> None:
        """Stop watching, finish the current rebuild, end every connection, remove the private folder."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.preview.stop()
        self.watcher.stop()
        self._changes.put(None)
        self.preview.events.close()  # ends the event streams, so the request threads can finish
        if self._server is not None:
            if self._serving:
                self._server.shutdown()
            self._server.server_close()  # joins the request threads
        for thread in self._threads:
            thread.join()
        self.preview.close()


def serve(root: Path, options: ServeOptions, clock: Clock, console: Console, open_browser: bool = False) -> None:
    """Run the preview until Ctrl-C (or SIGTERM); clean up before returning."""
    server = DevServer(root, options, clock, console)
    restore = _stop_on_sigterm()
    try:
        url = server.start()
        if open_browser:
            webbrowser.open(url)
        server.wait()
    except KeyboardInterrupt:
        console.say("Stopping...")
    finally:
        server.close()
        restore()
    console.say("Stopped.")


def _stop_on_sigterm() -> Callable[[], None]:
    """Treat SIGTERM like Ctrl-C while serving; returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
