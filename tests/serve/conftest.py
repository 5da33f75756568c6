"""A headless Debian Chromium driven by Playwright, for the live-reload tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import require_tool

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    executable = require_tool("chromium", "the live-reload tests drive Debian's Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        message = "the Python package playwright is not installed: pip install -e '.[test]'"
        if os.environ.get("GETTIMES_REQUIRE_TOOLS") == "1":
            pytest.fail(message + " (GETTIMES_REQUIRE_TOOLS=1 demands it)")
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
