"""Driving a real `gettimes serve` in tests: start it on a free loopback port, fetch, wait.

Every wait is bounded: a condition is polled until it holds or a generous deadline
passes, and the failure then shows the last thing seen. Nothing asserts a duration.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from conftest import FIXED_NOW, options
from gettimes.build import BuildOptions, build_site
from gettimes.reload import EVENTS_PATH, OVERLAY_ID
from gettimes.search import INDEX_DIR
from gettimes.serve import Console, DevServer, ServeOptions
from gettimes.serve_worker import Indexed

T = TypeVar("T")
DEADLINE = 60.0  # seconds; far beyond what any step takes, it only stops a hung test
SCRIPT_START = b"<script>(function () {\n  var token = "


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(port: int, path: str, method: str = "GET", timeout: float = 30) -> Response:
    """One request with the path sent exactly as given (no normalising by the client)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def wait_until(condition: Callable[[], T], what: str, deadline: float = DEADLINE) -> T:
    """Poll `condition` until it returns something truthy; fail with `what` after the deadline."""
    end = time.monotonic() + deadline
    last: T = condition()
    while not last:
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}; last seen: {last!r}")
        time.sleep(0.05)
        last = condition()
    return last


def strip_reload(body: bytes) -> bytes:
    """A served page without what the server added (overlay and script): the page on disk."""
    start = body.find(f'<div id="{OVERLAY_ID}"'.encode())
    if start < 0:
        start = body.find(SCRIPT_START)
    if start < 0:
        return body
    end = body.index(b"</script>\n", start) + len(b"</script>\n")
    return body[:start] + body[end:]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by relative path; {} while the folder is being swapped."""
    try:
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}
    except OSError:
        return {}


def served_tree(running: Running) -> dict[str, bytes]:
    """Every file the server serves: the build's folder, and the newest search index as pagefind/."""
    files = tree(running.folder)
    search = running.server.preview.current().search
    if search:
        files.update({f"{INDEX_DIR}/{rel}": data for rel, data in tree(search[0]).items()})
    return files


def fresh_build(site: Path, output: Path, **settings: Any) -> dict[str, bytes]:
    """What `gettimes build` makes of the site now, at the fixed clock."""
    build_site(site, options(output=output, **settings))
    return tree(output)


def indexed_pages(running: Running) -> dict[str, str]:
    """Each page in the served search index and the text Pagefind keeps of it, fetched over HTTP."""
    bundle = running.server.preview.current().search[0]
    pages = {}
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        response = running.get(f"/{INDEX_DIR}/fragment/{path.name}")
        assert response.status == 200, path.name
        fragment = json.loads(gzip.decompress(response.body)[len(b"pagefind_dcd"):])
        pages[fragment["url"]] = fragment["content"]
    return pages


# Jobs that stand in for a build or an index in the server's child processes. The child
# imports them by name, so they live here, at the top of a module.

def crashing_build(root: Path, options: BuildOptions, results: Any) -> None:
    """A build process that dies without a word, as one killed for lack of memory does."""
    os.kill(os.getpid(), signal.SIGKILL)


def endless_build(root: Path, options: BuildOptions, results: Any) -> None:
    """A build that does not end by itself: it starts a helper process (as the build starts its
    workers), writes both process ids beside the site, and waits; `endless.finished` if it ever ends."""
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    (root.parent / "endless.pids").write_text(f"{os.getpid()} {helper.pid}", encoding="utf-8")
    helper.wait()
    (root.parent / "endless.finished").write_text("", encoding="utf-8")


def failing_index(pages: Path, bundle: Path, results: Any) -> None:
    """An index run that fails as Pagefind does when it is missing."""
    results.send(Indexed(bundle, "Pagefind failed (exit status 1): no such file; is `pagefind[bin]` installed?"))


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Running:
    """A running server and everything it printed."""

    server: DevServer
    site: Path
    lines: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def folder(self) -> Path:
        return self.server.preview.folder

    def get(self, path: str, method: str = "GET") -> Response:
        return fetch(self.port, path, method)

    def write(self, rel: str, text: str) -> None:
        path = self.site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def page_with(self, path: str, needle: str) -> Response:
        """Wait until the page at `path` contains `needle`."""
        return wait_until(lambda: (r := self.get(path)).status == 200 and needle in r.text and r,
                          f"{needle!r} on {path}")

    def indexed(self, after: str = "") -> str:
        """Wait until a search index newer than the one with token `after` is served; its token."""
        return wait_until(lambda: (token := self.server.preview.current().live.search) != after and token,
                          f"a search index newer than {after!r}")

    def printed(self, needle: str) -> str:
        """Wait until the terminal shows a line containing `needle`; return it."""
        return wait_until(lambda: next((line for line in list(self.lines) if needle in line), ""),
                          f"a line with {needle!r} in {self.lines!r}")


@contextmanager
def serving(site: Path, prepare: Callable[[DevServer], None] | None = None, **options: Any) -> Iterator[Running]:
    """`gettimes serve` on a free loopback port, at the fixed clock, stopped afterwards."""
    lines: list[str] = []
    console = Console(lines.append, lambda items: lines.extend(str(item) for item in items))
    settings = {"port": 0, **options}
    server = DevServer(site, ServeOptions(**settings), clock=lambda: FIXED_NOW, console=console)
    running = Running(server, site, lines)
    if prepare is not None:
        prepare(server)
    server.start()
    try:
        # The first search index follows the first build; served pages name it, so wait for it.
        wait_until(server.preview.index.idle, "the first search index")
        yield running
    finally:
        server.close()


class EventStream:
    """The live-reload event stream as a browser tab sees it."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()

    def next(self, deadline: float | None = None) -> dict[str, Any]:
        """The next event's data (keep-alive comments are skipped); fails once `deadline` (monotonic) passes."""
        data = ""
        while True:
            if deadline is not None and time.monotonic() > deadline:
                raise AssertionError("timed out waiting for an event")
            line = self.response.readline().decode("utf-8")
            if not line:
                raise EOFError("the event stream ended")
            if line.startswith("data: "):
                data += line[len("data: "):].rstrip("\n")
            elif line == "\n" and data:
                return json.loads(data)  # type: ignore[no-any-return]

    def until(self, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first coming event that meets `condition` (a save can take more than one build)."""
        deadline = time.monotonic() + DEADLINE
        while not condition(event := self.next(deadline)):
            pass
        return event

    def close(self) -> None:
        self.response.close()
        self.connection.close()
