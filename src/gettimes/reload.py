"""Live reload for `gettimes serve`: the script injected into served pages, the error
overlay, and the fan-out of server-sent events to every open tab.

Nothing here touches the build output: the script and the overlay are added to
HTML responses as they are sent, so a page on disk never contains them.
"""

from __future__ import annotations

import html
import json
import queue
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from gettimes.search import INDEX_DIR

EVENTS_PATH = "/__gettimes/events"
OVERLAY_ID = "gettimes-overlay"
OVERLAY_HEADING = "gettimes: the site has errors; showing the last good build until they are fixed"
_OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:24px;"
    "background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace"
)
_PRE_STYLE = "white-space:pre-wrap;color:#ff8a80;margin:12px 0 0"
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

# Each message carries the token of the newest good build, the current errors, and
# the token of the newest search index (made in the background after a build).
# A page reloads when the token differs from the one it was served with (a new
# build, or a restarted server), or when the index is newer and the page has used
# it (the search page), shows the overlay while there are errors, and reconnects
# on its own when the server goes away. Hidden tabs let go of their stream
# (browsers allow only a few connections per host) and catch up when shown.
_SCRIPT = """<script>(function () {
  var token = %(token)s, search = %(search)s, url = %(events)s, id = %(id)s, source = null;
  function show(errors) {
    var box = document.getElementById(id);
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.setAttribute("style", %(style)s);
      document.body.appendChild(box);
    }
    var heading = document.createElement("strong"), list = document.createElement("pre");
    heading.textContent = %(heading)s;
    list.setAttribute("style", %(pre_style)s);
    list.textContent = errors.join("\\n");
    box.replaceChildren(heading, list);
  }
  function searched() {
    return performance.getEntriesByType("resource").some(function (entry) {
      return entry.name.indexOf(%(index)s) >= 0;
    });
  }
  function disconnect() {
    if (source) { source.close(); source = null; }
  }
  function connect() {
    if (source || document.visibilityState === "hidden") return;
    var current = source = new EventSource(url);
    current.onmessage = function (event) {
      var state = JSON.parse(event.data);
      if (state.errors.length) { show(state.errors); }
      else if (state.token !== token || (state.search !== search && searched())) {
        disconnect(); location.reload();
      }
      else { show([]); }
    };
    current.onerror = function () {
      if (current === source && current.readyState === EventSource.CLOSED) {
        disconnect();
        setTimeout(connect, 1000);
      }
    };
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { disconnect(); } else { connect(); }
  });
  connect();
})();</script>
"""


@dataclass(frozen=True, slots=True)
class LiveState:
    """What open pages need to know: the newest good build, and the errors of the last attempt."""

    token: str
    errors: tuple[str, ...] = ()
    search: str = ""  # the newest search index; "" until the first is made

    def event(self) -> bytes:
        """This state as one server-sent event."""
        data = json.dumps({"token": self.token, "errors": list(self.errors), "search": self.search},
                          ensure_ascii=False)
        return f"data: {data}\n\n".encode()


def _js(value: str) -> str:
    """A JavaScript string literal that is also safe inside an HTML <script> element."""
    return json.dumps(value).replace("<", "\\u003c")


def snippet(state: LiveState) -> bytes:
    """The markup added to a served page: the reload script, and the overlay while broken."""
    script = _SCRIPT % {
        "token": _js(state.token), "search": _js(state.search), "index": _js(f"/{INDEX_DIR}/"),
        "events": _js(EVENTS_PATH), "id": _js(OVERLAY_ID),
        "style": _js(_OVERLAY_STYLE), "heading": _js(OVERLAY_HEADING), "pre_style": _js(_PRE_STYLE),
    }
    return (overlay(state.errors) + script).encode("utf-8")


def overlay(errors: Sequence[str]) -> str:
    """The error overlay as HTML, every message escaped; empty when there are no errors."""
    if not errors:
        return ""
    lines = "\n".join(html.escape(line) for line in errors)
    return (f'<div id="{OVERLAY_ID}" style="{_OVERLAY_STYLE}"><strong>{html.escape(OVERLAY_HEADING)}</strong>'
            f'<pre style="{_PRE_STYLE}">{lines}</pre></div>\n')


def inject(page: bytes, addition: bytes) -> bytes:
    """`addition` placed before the page's last `</body>`, or at its end if it has none."""
    matches = list(_BODY_END.finditer(page))
    if not matches:
        return page + addition
    at = matches[-1].start()
    return page[:at] + addition + page[at:]


def error_page(state: LiveState) -> bytes:
    """What every page shows when no build has succeeded yet."""
    return inject(b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>gettimes: build failed</title>"
                  b"</head><body></body></html>\n", snippet(state))


class Broadcaster:
    """Hands each published event to every connected event stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[queue.SimpleQueue[bytes | None]] = set()
        self._closed = False

    def subscribe(self) -> queue.SimpleQueue[bytes | None]:
        """A queue of events for one stream; None in it means the server is stopping."""
        subscriber: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                subscriber.put(None)
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: queue.SimpleQueue[bytes | None]) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, event: bytes) -> None:
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.put(event)

    def close(self) -> None:
        """End every stream, now and for anyone who connects later."""
        with self._lock:
            self._closed = True
            for subscriber in self._subscribers:
                subscriber.put(None)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subscribers)
