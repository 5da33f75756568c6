#!/usr/bin/env python3
"""Save-to-reload latency of `gettimes serve` (and, for comparison, `hugo server`).

An editor saves an article; how long until the open browser tab reloads with it?
This starts the real server in its own process on a generated news corpus, waits
for the initial build, then several times rewrites one article's title (or, with
`--edit body`, adds a paragraph to its body) and measures, from the moment the file
is written:

  event    until the live-reload event reaches a listening tab (gettimes only)
  visible  until a request for the article returns the new title
  search   until the search index with the new title is served (gettimes, which
           indexes in the background after the reload); the next edit waits for it

usage:
  python bench/serve_latency.py --articles 1000               generate a corpus with make_corpus.py
  python bench/serve_latency.py --corpus DIR                  use a corpus made by make_corpus.py
  python bench/serve_latency.py --articles 1000 --hugo HUGO   the same edits under `hugo server`
  python bench/serve_latency.py --corpus DIR --pick hot       edit the Hot Issue articles (every page shows them)

The corpus is copied into a temporary folder first, so the original is never edited.
The corpus generator and the Hugo converter default to ../shared/bench/ beside the
repository; --make-corpus and --convert point elsewhere.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
EVENTS_PATH = "/__gettimes/events"
TITLE_LINE = re.compile(r"^title:.*$", re.MULTILINE)
SLUG_LINE = re.compile(r"^slug:\s*(\S+)\s*$", re.MULTILINE)
DATE_LINE = re.compile(r"^date:\s*(\S.*?)\s*$", re.MULTILINE)
FEATURED_LINE = re.compile(r"^featured:\s*true\s*$", re.MULTILINE)
STARTUP_TIMEOUT = 1800.0
EDIT_TIMEOUT = 900.0
POLL_SECONDS = 0.02
RELOAD_SLACK = 0.25  # how long after the page shows a save its reload event may still come
SETTLE_SECONDS = 1.0  # after each edit (--pause), so a trailing rebuild never counts towards the next one


@dataclass(frozen=True)
class Measurement:
    article: str
    event: float | None
    visible: float
    search: float | None
    cpu: float | None  # CPU seconds the server's processes spent meanwhile (Linux), steadier on a busy machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--articles", type=int, help="generate a corpus of this many articles")
    source.add_argument("--corpus", type=Path, help="a corpus folder written by make_corpus.py")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1, as the published figures)")
    parser.add_argument("--edits", type=int, default=5, help="how many single-article saves to time")
    parser.add_argument("--pause", type=float, default=SETTLE_SECONDS,
                        help="seconds between one save showing and the next save (default 1)")
    parser.add_argument("--first-pause", type=float, default=0.0,
                        help="seconds between the server being ready and the first save (default 0: at once)")
    parser.add_argument("--edit", choices=("title", "body"), default="title",
                        help="what each save changes: the title (lists change) or the body (a new paragraph)")
    parser.add_argument("--pick", choices=("spread", "hot"), default="spread",
                        help="which articles to edit: spread over the archive, or the newest featured ones "
                             "(Hot Issue, the sidebar box on every page: a new title there changes every page)")
    parser.add_argument("--make-corpus", type=Path, default=SHARED_BENCH / "make_corpus.py")
    parser.add_argument("--hugo", help="time `hugo server` (this binary) instead of gettimes")
    parser.add_argument("--convert", type=Path, default=SHARED_BENCH / "anchors" / "convert.py",
                        help="the corpus-to-Hugo converter")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="serve-latency-") as scratch:
        work = Path(scratch)
        corpus = work / "corpus"
        if args.corpus:
            shutil.copytree(args.corpus, corpus)
        else:
            run([sys.executable, str(args.make_corpus), str(corpus), "--articles", str(args.articles),
                 "--seed", str(args.seed)])
        if args.hugo:
            site = work / "hugo-site"
            run([sys.executable, str(args.convert), "hugo", str(corpus), str(site)])
            files = sorted((site / "content" / "article").rglob("*.md"))
            tool = "hugo server"
        else:
            site = corpus
            files = sorted((site / "content" / "articles").rglob("*.md"))
            tool = "gettimes serve"
        print(f"{tool}: {len(files)} articles (seed {args.seed})", flush=True)
        port = free_port()
        with server(tool, site, port, args.hugo) as (started, lines, pid):
            print(f"ready after {started:.1f} s", flush=True)
            searching = not re.search(r"^search:\s*false\s*$", (site / "gettimes.yaml").read_text("utf-8")
                                      if (site / "gettimes.yaml").is_file() else "", re.MULTILINE)
            picks = hot_articles(files, args.edits) if args.pick == "hot" else spread(files, args.edits)
            results = measure(picks, port, pid, events=not args.hugo, kind=args.edit,
                              searching=searching, pause=args.pause, first_pause=args.first_pause)
            time.sleep(SETTLE_SECONDS)
        report(tool, results, [line for line in lines if line.startswith("Rebuilt")])
    return 0


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(tool: str, site: Path, port: int, hugo: str | None) -> Iterator[tuple[float, list[str], int]]:
    """The server in its own process; yields the seconds until it answered, its output lines, its pid."""
    if hugo:
        command = [hugo, "server", "--bind", "127.0.0.1", "--port", str(port), "--quiet"]
    else:
        command = [sys.executable, "-m", "gettimes.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in process.stdout or ()))
    reader.start()
    try:
        wait_for(lambda: get(port, "/") is not None or process.poll() is not None, STARTUP_TIMEOUT, "the server")
        if process.poll() is not None:
            raise SystemExit(f"{tool} ended:\n" + "\n".join(lines))
        yield time.perf_counter() - started, lines, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join()


def get(port: int, path: str) -> str | None:
    """The body of a successful GET, or None (not up yet, or not found)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            return body.decode("utf-8", "replace") if response.status == 200 else None
        finally:
            connection.close()
    except OSError:
        return None


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process and everything it started, from /proc (None without /proc).

    A process that started others and waited for them counts their time too, so
    builds and indexes in child processes of a fork server are counted once done.
    """
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    if pid not in stats:
        return None
    ticks = int(stats[pid][11]) + int(stats[pid][12])
    family = {pid}
    grew = True
    while grew:
        grew = False
        for other, fields in stats.items():
            if other not in family and int(fields[1]) in family:
                family.add(other)
                ticks += sum(int(value) for value in fields[11:15])  # its own time and its children's
                grew = True
    return ticks / os.sysconf("SC_CLK_TCK")


def shows(port: int, path: str, text: str) -> bool:
    return text in (get(port, path) or "")


class Events:
    """The live-reload stream of gettimes, read on a thread; each event with its arrival time."""

    def __init__(self, port: int) -> None:
        self.arrivals: queue.Queue[tuple[float, dict[str, object]]] = queue.Queue()
        self.held: list[tuple[float, dict[str, object]]] = []  # taken from `arrivals` too early
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=EDIT_TIMEOUT)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode("utf-8")
                if line.startswith("data: "):
                    self.arrivals.put((time.perf_counter(), json.loads(line[6:])))
        except (OSError, ValueError):
            return

    def next_index(self, search: object) -> tuple[float, dict[str, object]] | None:
        """The first event announcing a search index other than `search`; None from a server without them."""
        if search is None:
            return None
        while True:
            at, event = self.take(EDIT_TIMEOUT)
            if event.get("search") != search:
                return at, event

    def take(self, timeout: float) -> tuple[float, dict[str, object]]:
        """The next event, with its arrival time (raises queue.Empty after `timeout`)."""
        return self.held.pop() if self.held else self.arrivals.get(timeout=timeout)

    def reload_for(self, token: object, shown_at: float) -> tuple[float, dict[str, object]]:
        """The reload event of a save whose page showed at `shown_at`: the last event announcing a
        build other than `token` by then (or just after: the server swaps the output in before
        it sends the event). One before it belongs to an earlier save's build that this save
        waited for, such as the second swap after a Hot Issue title."""
        latest: tuple[float, dict[str, object]] | None = None
        while True:
            wait = EDIT_TIMEOUT if latest is None else max(0.0, shown_at + RELOAD_SLACK - time.perf_counter())
            try:
                at, event = self.take(wait)
            except queue.Empty:
                assert latest is not None
                return latest
            if event["errors"]:
                raise SystemExit(f"the edit broke the site: {event['errors']}")
            if event["token"] == token:
                continue
            if latest is not None and at > shown_at + RELOAD_SLACK:
                self.held.append((at, event))  # a later build's
                return latest
            latest = at, event

    def close(self) -> None:
        self.connection.close()


def spread(files: list[Path], edits: int) -> list[Path]:
    """`edits` articles spread evenly over the archive (most show in a few lists only)."""
    return [files[(i * len(files)) // edits + len(files) // (2 * edits)] for i in range(edits)]


def hot_articles(files: list[Path], edits: int) -> list[Path]:
    """The newest featured articles, newest first: those Hot Issue shows on every page."""
    featured = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        date = DATE_LINE.search(text)
        if FEATURED_LINE.search(text) and date is not None:
            featured.append((date.group(1), path))
    if len(featured) < edits:
        raise SystemExit(f"only {len(featured)} featured articles in the corpus")
    return [path for _, path in sorted(featured, reverse=True)[:edits]]


def measure(picks: list[Path], port: int, pid: int, events: bool, kind: str = "title",
            searching: bool = True, pause: float = SETTLE_SECONDS, first_pause: float = 0.0) -> list[Measurement]:
    stream = Events(port) if events else None
    first = stream.arrivals.get(timeout=EDIT_TIMEOUT)[1] if stream else {}
    token, search = first.get("token"), first.get("search") if searching else None
    if stream is not None and search == "":  # the first index is still being made
        search = stream.next_index(search)[1]["search"]  # type: ignore[index]
    results = []
    time.sleep(first_pause)  # the editor opening the file, or not
    try:
        for number, path in enumerate(picks, 1):
            text = path.read_text(encoding="utf-8")
            slug_match = SLUG_LINE.search(text)
            if slug_match is None:
                raise SystemExit(f"{path} has no slug line")
            url = f"/article/{slug_match.group(1)}/"
            title = f"Latency probe {number} {time.time_ns()}"
            if kind == "title":
                edited = TITLE_LINE.sub(f'title: "{title}"', text, count=1)
            else:  # a new last paragraph: what lists show of the article stays the same
                edited = text.rstrip("\n") + f"\n\n{title}.\n"
            cpu_before = cpu_seconds(pid)
            written = time.perf_counter()
            path.write_text(edited, encoding="utf-8")
            event = indexed = None
            wait_for(partial(shows, port, url, title), EDIT_TIMEOUT, f"the new title on {url}")
            shown_at = time.perf_counter()
            visible = shown_at - written
            if stream is not None:
                arrived, state = stream.reload_for(token, shown_at)
                token = state["token"]
                event = arrived - written
            if stream is not None and (index := stream.next_index(search)) is not None:
                indexed, search = index[0] - written, index[1]["search"]
            cpu_after = cpu_seconds(pid)
            cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
            results.append(Measurement(url, event, visible, indexed, cpu))
            shown = f"event {event * 1000:8.0f} ms  " if event is not None else ""
            used = f"  server CPU {cpu:6.2f} s" if cpu is not None else ""
            found = f"  search {indexed * 1000:8.0f} ms" if indexed is not None else ""
            print(f"edit {number}: {url}  {shown}visible {visible * 1000:8.0f} ms{used}{found}", flush=True)
            time.sleep(pause)
            if stream is not None:  # a trailing rebuild of the same save: skip its event
                while stream.held or not stream.arrivals.empty():
                    state = stream.take(0)[1]
                    token, search = state["token"], state.get("search", search) if searching else None
    finally:
        if stream is not None:
            stream.close()
    return results


def report(tool: str, results: list[Measurement], rebuilds: list[str]) -> None:
    visible = statistics.median(r.visible for r in results)
    print(f"\n{tool}: median of {len(results)} single-article saves")
    events = [r.event for r in results if r.event is not None]
    if events:
        print(f"  save -> reload event:   {statistics.median(events) * 1000:8.0f} ms")
    print(f"  save -> page shows it:  {visible * 1000:8.0f} ms")
    searches = [r.search for r in results if r.search is not None]
    if searches:
        print(f"  save -> search has it:  {statistics.median(searches) * 1000:8.0f} ms")
    cpu = [r.cpu for r in results if r.cpu is not None]
    if cpu:
        print(f"  CPU per save, all of the server's processes: {statistics.median(cpu):.2f} s")
    if rebuilds:
        print("  server's own lines:")
        for line in rebuilds:
            print(f"    {line}")


if __name__ == "__main__":
    sys.exit(main())
