"""The persistent build cache in `.gettimes-cache/` (git-ignored, safe to delete).

Two things are kept between builds:
- loaded articles, keyed by a hash of the file's bytes and of everything that shapes
  how it loads (configuration, reporter profiles, gettimes version): never by mtime,
  since a fresh git clone resets every mtime;
- the fingerprint of every page written, so a page whose inputs did not change is
  taken from the previous output instead of being rendered again.

A cache that cannot be read (deleted, truncated, from another version) is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gettimes import __version__

CACHE_DIR = ".gettimes-cache"
_FORMAT = 1


def digest(*parts: bytes | str) -> str:
    """A short, stable hash of some bytes or text."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class WrittenPage:
    """What a page was built from last time, and the file it left (to notice tampering)."""

    fingerprint: str
    size: int
    mtime_ns: int


@dataclass(slots=True)
class BuildCache:
    """Entries read at the start of a build; `save` keeps only what this build used.

    Loaded articles are shared by every output folder; the record of written pages
    is kept per output folder (a `serve` preview and `build` do not disturb each other).
    """

    folder: Path
    salt: str = ""
    output_key: str = ""
    articles: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, WrittenPage] = field(default_factory=dict)
    used_articles: dict[str, Any] = field(default_factory=dict)
    freshness: Any = None  # what the last build into this output left: see freshness.py
    _articles_unread: bool = False

    @classmethod
    def open(cls, root: Path, salt: str, output: Path) -> BuildCache:
        cache = cls(root / CACHE_DIR, salt=f"{__version__}:{_FORMAT}:{salt}",
                    output_key=digest(str(output.resolve())))
        cache._articles_unread = True
        pages = _read(cache.folder / f"pages-{cache.output_key}.pickle")
        if isinstance(pages, dict) and pages.get("version") == __version__:
            cache.pages = pages.get("entries", {})
            cache.freshness = pages.get("freshness")
        return cache

    @classmethod
    def empty(cls, root: Path, salt: str) -> BuildCache:
        """A cache that starts with nothing (caching off, or nothing to read)."""
        return cls(root / CACHE_DIR, salt=f"{__version__}:{_FORMAT}:{salt}")

    def article_key(self, rel: str, data: bytes) -> str:
        return digest(self.salt, rel, data)

    def get_article(self, key: str) -> Any:
        if self._articles_unread:  # read only when a build needs articles: a fresh output does not
            self._articles_unread = False
            stored = _read(self.folder / "articles.pickle")
            if isinstance(stored, dict) and stored.get("salt") == self.salt:
                self.articles = stored.get("entries", {})
        value = self.articles.get(key)
        if value is not None:
            self.used_articles[key] = value
        return value

    def put_article(self, key: str, value: Any) -> None:
        self.used_articles[key] = value

    def save(self, pages: Mapping[str, WrittenPage], freshness: Any = None) -> None:
        """Write the cache; a failure to write only costs speed next time."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(exist_ok=True)
            (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
            if self.used_articles.keys() != self.articles.keys():
                _write(self.folder / "articles.pickle", {"salt": self.salt, "entries": self.used_articles})
            _write(self.folder / f"pages-{self.output_key}.pickle",
                   {"version": __version__, "entries": dict(pages), "freshness": freshness})


def _write(path: Path, value: Any) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file, in the site's own folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
