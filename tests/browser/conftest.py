"""The demo site (the repository root) built at a fixed clock, served locally, and a headless Chromium.

Chromium comes from the system (Debian's package), never downloaded; the Node tools
(the Nu Html Checker, axe-core) come from `npm ci` at the repository root.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]
# Two days after the demo's newest article, so every demo article is published and
# the stats file's last week counts for Weekly Hot Issue.
DEMO_NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# The pages every quality bar is checked on: name -> URL path in the demo site.
DEMO_PAGES = {
    "home": "/",
    "article": "/article/hanbit-record-profit/",
    "korean-article": "/article/k-beauty-middle-east/",
    "category": "/category/business/",
    "tag": "/tag/semiconductors/",
    "reporter": "/author/choi-dong-wook/",
    "search": "/search/",
    "404": "/404.html",
    "standalone-page": "/advertise/",
}


def missing(message: str) -> None:
    """Skip for a missing tool; under GETTIMES_REQUIRE_TOOLS=1 (CI) fail instead."""
    if os.environ.get("GETTIMES_REQUIRE_TOOLS") == "1":
        pytest.fail(message + " (GETTIMES_REQUIRE_TOOLS=1 demands it)")
    pytest.skip(message)


def node_module_file(relative: str) -> Path:
    """A file of a Node package installed by `npm ci` at the repository root."""
    path = ROOT / "node_modules" / relative
    if not path.is_file():
        missing(f"node_modules/{relative} is missing: run 'npm ci' at the repository root")
    return path


def build_demo(output: Path, now: datetime = DEMO_NOW) -> Path:
    """`gettimes build --output OUTPUT` at the repository root, at a fixed clock."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(now.timestamp()))}
    result = subprocess.run(
        [sys.executable, "-c", "from gettimes.cli import main; main()", "build", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "public")


@pytest.fixture(scope="session")
def demo_url(demo_output: Path) -> Iterator[str]:
    """The built demo served on a free local port."""
    handler = functools.partial(_QuietHandler, directory=str(demo_output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# Module scope: only one Playwright (sync API) may run at a time in a process, and other
# test folders start their own.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_tool("chromium", "the browser tests drive Debian's Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
