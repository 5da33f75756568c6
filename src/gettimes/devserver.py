"""The HTTP side of `gettimes serve`: a small, safe, local static file server.

Requests are resolved inside the served folder only: dot-segments, encoded
separators, backslashes, drive letters and symlinks that lead outside all get
404. Folders are served through their `index.html` (with a redirect to add the
trailing slash) and never listed; misses get the site's own 404 page. HTML
responses get the live-reload script on the way out. The search index is made
apart from the build, so files under /pagefind/ are looked up in its folders first.
"""

from __future__ import annotations

import errno
import mimetypes
import queue
import re
import shutil
import socket
import socketserver
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import SplitResult, unquote, urlsplit

from gettimes.diagnostics import UsageError
from gettimes.reload import EVENTS_PATH, Broadcaster, LiveState, error_page, inject, snippet
from gettimes.search import INDEX_DIR

HTML = "text/html; charset=utf-8"
CONTENT_TYPES = {
    ".html": HTML,
    ".htm": HTML,
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".wasm": "application/wasm",
}
PORT_ATTEMPTS = 20
KEEPALIVE_SECONDS = 15.0
_DRIVE = re.compile(r"^[A-Za-z]:")


class ServeError(UsageError):
    """The server cannot start: the port is taken, the host is unknown, ..."""


@dataclass(frozen=True, slots=True)
class Served:
    """What is being served right now; replaced as a whole after each rebuild."""

    live: LiveState
    base_path: str = ""  # the path of base_url ("/news"), where the site is served
    ready: bool = False  # a build has succeeded, so the folder holds a site
    search: tuple[Path, ...] = ()  # resolved folders served as /pagefind/, newest first


class ServedSite(Protocol):
    """The site behind the server: the folder with the build, and its live state."""

    @property
    def folder(self) -> Path: ...

    @property
    def events(self) -> Broadcaster: ...

    def current(self) -> Served: ...


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    known = CONTENT_TYPES.get(suffix)
    if known:
        return known
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def url_segments(path: str) -> list[str] | None:
    """The path segments a URL path names, or None for anything that could leave the folder."""
    decoded = unquote(path)
    if not decoded.startswith("/") or "\\" in decoded or "\x00" in decoded:
        return None
    segments = decoded[1:].split("/")
    if segments[-1] == "":  # the trailing slash of a folder URL
        segments.pop()
    if any(s in ("", ".", "..") or _DRIVE.match(s) for s in segments):
        return None
    return segments


def locate(root: Path, segments: list[str]) -> Path | None:
    """The path inside `root` (already resolved) for `segments`, following symlinks; None outside."""
    try:
        target = root.joinpath(*segments).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return target if target.is_relative_to(root) else None


def _request_target(target: str) -> SplitResult:
    """The path and query of a request. Only an absolute URL (`GET http://host/x`) has a host:
    `//etc/passwd` is a path with an empty segment (refused), not a host and a path."""
    if target.startswith(("http://", "https://")):
        return urlsplit(target)
    path, _, query = target.partition("#")[0].partition("?")
    return SplitResult("", "", path, query, "")


def _in_search(folders: tuple[Path, ...], segments: list[str]) -> Path | None:
    """The file a /pagefind/ URL names in the newest index folder that has it (an open search
    page may still ask for a file of the index before), or None."""
    if len(segments) < 2 or segments[0] != INDEX_DIR:
        return None
    for folder in folders:
        target = locate(folder, segments[1:])
        if target is not None and target.is_file():
            return target
    return None


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; closing joins them all, so a stop leaves nothing running."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 512  # a burst of connections waits in the backlog instead of being refused

    def __init__(self, address: tuple[str, int], site: ServedSite) -> None:
        self.site = site
        self.root = site.folder.resolve()
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the browser went away mid-response: nothing to report
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class PreviewServer6(PreviewServer):
    address_family = socket.AF_INET6


def open_server(host: str, port: int, site: ServedSite) -> PreviewServer:
    """Listen on `host:port`, or on the next free port after it (port 0: any free port)."""
    server_class = PreviewServer6 if ":" in host else PreviewServer
    candidates = [0] if port == 0 else range(port, min(port + PORT_ATTEMPTS, 65536))
    for candidate in candidates:
        try:
            return server_class((host, candidate), site)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                continue
            raise ServeError(f"cannot listen on {host}:{candidate}: {exc.strerror or exc}") from None
    last = candidates[-1]
    raise ServeError(f"ports {port}-{last} on {host} are all in use; choose another with --port")


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive threads
    timeout = 10

    def version_string(self) -> str:
        return "gettimes"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Requests are not logged: the terminal is for rebuilds and errors."""

    def _respond(self, head: bool) -> None:
        current = self.server.site.current()
        url = _request_target(self.path)
        if url.path == EVENTS_PATH:
            self._events(head)
            return
        if not current.ready:
            self._send(500, error_page(current.live), HTML, head)
            return
        path = url.path
        base = current.base_path
        if base:
            if path in ("/", base):
                self._redirect(302 if path == "/" else 301, base + "/")
                return
            if not path.startswith(base + "/"):
                self._not_found(current, head)
                return
            path = path[len(base):]
        segments = url_segments(path)
        target = _in_search(current.search, segments) if segments else None
        if target is None and segments is not None:
            target = locate(self.server.root, segments)
        if target is None:
            self._not_found(current, head)
            return
        if target.is_dir():
            if not path.endswith("/"):
                self._redirect(301, url.path + "/" + (f"?{url.query}" if url.query else ""))
                return
            target = target / "index.html"
        elif path.endswith("/"):
            target = None
        if target is None or not self._send_file(200, target, current, head):
            self._not_found(current, head)

    def _not_found(self, current: Served, head: bool) -> None:
        page = locate(self.server.root, ["404.html"])
        if page is None or not self._send_file(404, page, current, head):
            self._send(404, b"404 Not Found\n", "text/plain; charset=utf-8", head)

    def _send_file(self, status: int, target: Path, current: Served, head: bool) -> bool:
        """Send a file from the build; False if there is no such file."""
        kind = content_type(target.name)
        try:
            handle = open(target, "rb")  # noqa: SIM115 - closed below, after the headers are out
        except OSError:  # missing, a folder, or swapped away by a rebuild
            return False
        with handle:
            if kind == HTML:
                self._send(status, inject(handle.read(), snippet(current.live)), kind, head)
                return True
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(0)
            self._headers(status, kind, size)
            if not head:
                shutil.copyfileobj(handle, self.wfile)
        return True

    def _send(self, status: int, body: bytes, kind: str, head: bool) -> None:
        self._headers(status, kind, len(body))
        if not head:
            self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _headers(self, status: int, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a preview must never show a stale page
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _events(self, head: bool) -> None:
        """A server-sent event stream: the current state now, then one event per change."""
        events = self.server.site.events
        subscriber = events.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if head:
                return
            self.wfile.write(b"retry: 1000\n\n" + self.server.site.current().live.event())
            while True:
                try:
                    event = subscriber.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    event = b": keep-alive\n\n"  # also notices a browser that went away
                if event is None:
                    return
                self.wfile.write(event)
        except (ConnectionError, TimeoutError):
            return
        finally:
            events.unsubscribe(subscriber)
