"""Shared fixtures: a site factory, a fixed clock, and tool requirements."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from gettimes.build import BuildOptions

# Every test builds "now" from this clock, so dates never drift with the calendar.
FIXED_NOW = datetime(2025, 6, 30, 3, 0, tzinfo=UTC)  # 12:00 in Asia/Seoul

BASIC_CONFIG = """\
title: Test Times
base_url: https://news.example.com
language: en
timezone: Asia/Seoul
categories:
  - World
  - Business
  - {name: Arts&Culture, slug: culture}
paginate: 2
"""

SiteFactory = Callable[..., Path]


def options(**changes: object) -> BuildOptions:
    """Build options at the fixed clock."""
    values: dict[str, object] = {"now": FIXED_NOW}
    values.update(changes)
    return BuildOptions(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_site(tmp_path: Path) -> SiteFactory:
    """Write a site from {relative path: text}; `config` replaces gettimes.yaml (None: none)."""

    def factory(files: dict[str, str | bytes] | None = None, config: str | None = BASIC_CONFIG,
                root: Path | None = None) -> Path:
        site = root or tmp_path / "site"
        site.mkdir(parents=True, exist_ok=True)
        if config is not None:
            (site / "gettimes.yaml").write_text(config, encoding="utf-8")
        for rel, content in (files or {}).items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return site

    return factory


def article(title: str = "A Story", date: str = "2025-06-23 17:05:06+09:00",
            category: str = "World", body: str = "The first paragraph.\n", **extra: str) -> str:
    """The text of an article file with the given front matter."""
    lines = [f'title: "{title}"', f"date: {date}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def require_tool(name: str, reason: str) -> str:
    """The path of an external tool; skip without it, fail instead under GETTIMES_REQUIRE_TOOLS=1."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: {reason}"
        if os.environ.get("GETTIMES_REQUIRE_TOOLS") == "1":
            pytest.fail(message + " (GETTIMES_REQUIRE_TOOLS=1 demands it)")
        pytest.skip(message)
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current build instead of comparing with it")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True under `pytest --update-golden`: golden tests rewrite their expected output."""
    return bool(request.config.getoption("--update-golden"))


def parse_rss(data: bytes) -> Any:
    """An RSS 2.0 document read back with a real feed reader, which must find nothing wrong in it."""
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed
