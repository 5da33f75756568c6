"""The persistent build cache in `.gettimes-cache/` (git-ignored, safe to delete).

What is kept between builds:
- loaded articles (as rows, see article_store.py, in 16 shard files), keyed by a hash
  of the file's bytes and of everything that shapes how it loads (configuration,
  reporter profiles, gettimes version): never by mtime, since a fresh git clone
  resets every mtime;
- per output folder: the fingerprint of every page and feed written, so one whose
  inputs did not change is taken from the previous output instead of being made
  again; the record of the output (freshness.py); and values worked out from the
  sources that the next build can reuse while their key is the same (`derive`,
  `keep`): the source scan, related articles, the stats file's views, what the
  quick rebuild of bodyedit.py needs.

A cache that cannot be read (deleted, truncated, from another version) is ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from gettimes import __version__
from gettimes.parallel import Forked, can_fork

CACHE_DIR = ".gettimes-cache"
_FORMAT = 6
_SHARDS = "0123456789abcdef"  # loaded articles are kept in 16 files by the first digit of their key


def digest(*parts: bytes | str) -> str:
    """A short, stable hash of some bytes or text."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.hexdigest()


PageRow = tuple[str, int, int, str, str]  # a WrittenPage as the cache file stores it


@dataclass(frozen=True, slots=True)
class WrittenPage:
    """What a page was built from last time, and the file it left (to notice tampering)."""

    fingerprint: str
    size: int
    mtime_ns: int
    context: str = ""  # an article page's fingerprint without its own article's source (see fingerprint.py)
    partials: str = ""  # the digest of the build partials the page was written with (pagewriter.py)


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
    pages: dict[str, PageRow] = field(default_factory=dict)  # WrittenPage values, as tuples
    used_articles: dict[str, Any] = field(default_factory=dict)
    freshness: Any = None  # what the last build into this output left: see freshness.py
    derived: dict[str, Any] = field(default_factory=dict)  # values worked out from the sources, by name
    new_derived: dict[str, Any] = field(default_factory=dict)
    unpacked: dict[str, Any] = field(default_factory=dict)  # articles unpacked ahead, by key (articles.py)
    article_keys: dict[tuple[str, str], str] = field(default_factory=dict)  # worked out by article_key
    _articles_unread: bool = False
    _all_read: bool = False  # `articles` holds every shard as it was read
    _shards_read: set[str] | None = None  # None: all of them (see replace_article)
    _saved: tuple[dict[str, PageRow], Any, dict[str, Any]] | None = None  # pages, freshness, derived
    _save_failed: bool = False
    _articles_ahead: Forked[bool] | None = None  # the process writing the article shards: save_articles_ahead
    _articles_ahead_done: bool = False  # ... wrote them all
    _ahead_files: list[tuple[Path, Path]] = field(default_factory=list)  # (written as, to put at)
    _ahead_folder_made: bool = False

    @classmethod
    def open(cls, root: Path, salt: str, output: Path) -> BuildCache:
        cache = cls(root / CACHE_DIR, salt=f"{__version__}:{_FORMAT}:{salt}",
                    output_key=digest(str(output.resolve())))
        cache._articles_unread = True
        pages = _read(cache.folder / f"pages-{cache.output_key}.pickle")
        if isinstance(pages, dict) and pages.get("version") == f"{__version__}:{_FORMAT}":
            cache.pages = pages.get("entries", {})
            cache.freshness = pages.get("freshness")
            cache.derived = pages.get("derived", {})
        return cache

    def opens_as(self, salt: str, output: Path) -> bool:
        """Whether `open` with these settings reads the files this cache was read from or saved to."""
        return (self.salt, self.output_key) == (f"{__version__}:{_FORMAT}:{salt}", digest(str(output.resolve())))

    @classmethod
    def empty(cls, root: Path, salt: str) -> BuildCache:
        """A cache that starts with nothing (caching off, or nothing to read)."""
        return cls(root / CACHE_DIR, salt=f"{__version__}:{_FORMAT}:{salt}")

    def holds_articles(self) -> bool:
        """Whether any loaded article is kept, without reading the shards if not read yet."""
        if not self._articles_unread:
            return bool(self.articles)
        return any(self.folder.glob("articles-*.pickle"))

    def article_key(self, rel: str, source_digest: str) -> str:
        """The key of an article file by its path and the digest of its bytes (sources.content_digest)."""
        key = self.article_keys.get((rel, source_digest))
        if key is None:
            key = self.article_keys[(rel, source_digest)] = digest(self.salt, rel, source_digest)
        return key

    def written_page(self, path: str) -> WrittenPage | None:
        """What the last build into this output wrote at `path`, if it was a page."""
        values = self.pages.get(path)
        if not isinstance(values, tuple) or len(values) != len(WrittenPage.__slots__):
            return None
        return WrittenPage(*values)

    def take_written(self, pages: Mapping[str, WrittenPage | PageRow]) -> None:
        """Answer `written_page` with `pages` from now on: files this build starts from that the
        last build wrote but did not swap in (serve's stopped second swap, STAGED_KEPT in build.py)."""
        self.pages.update((path, page_row(page)) for path, page in pages.items())

    def kept(self, name: str) -> Any:
        """What the last build kept under `name` with `keep`, or None."""
        return self.derived.get(name)

    def keep(self, name: str, value: Any) -> None:
        self.new_derived[name] = value

    def found_since(self, name: str, value: Any) -> None:
        """What `kept(name)` answers from now on: a fact about the disk that changed since the
        last build (serve's next build made the spare staging folder ahead, say)."""
        self.derived[name] = value

    def get_article(self, key: str) -> Any:
        if self._articles_unread:  # read only when a build needs articles: a fresh output does not
            self._articles_unread = False
            self._all_read = True
            for shard in _SHARDS:
                stored = _read(self.folder / f"articles-{shard}.pickle")
                if isinstance(stored, dict) and stored.get("salt") == self.salt:
                    self.articles.update(stored.get("entries", {}))
        value = self.articles.get(key)
        if value is not None:
            self.used_articles[key] = value
        return value

    def article_row(self, key: str) -> Any:
        """One cached article, reading only the shard that holds it."""
        stored = _read(self.folder / f"articles-{key[0]}.pickle") if key else None
        if isinstance(stored, dict) and stored.get("salt") == self.salt:
            return stored.get("entries", {}).get(key)
        return None

    def replace_article(self, old_key: str, new_key: str, value: Any) -> None:
        """Swap one cached article for another, rewriting only their shards at `save`."""
        self._articles_unread = False
        if self._shards_read is None:
            self._shards_read = set()
        for shard in {old_key[0], new_key[0]}:
            stored = _read(self.folder / f"articles-{shard}.pickle")
            entries = stored.get("entries", {}) if isinstance(stored, dict) and stored.get("salt") == self.salt else {}
            self.articles.update(entries)
            self.used_articles.update(entries)
            self._shards_read.add(shard)
        self.used_articles.pop(old_key, None)
        self.used_articles[new_key] = value

    def scratch(self) -> BuildCache:
        """A copy that reads what this cache read, and notes what it uses and keeps apart
        from it, for work that may be thrown away (`prepared.py`); `adopt` takes it over."""
        return dataclasses.replace(self, used_articles={}, new_derived={})

    def adopt(self, scratch: BuildCache, dropped: Iterable[str] = ()) -> None:
        """Use and keep what `scratch` did, but the articles `dropped`; what this cache kept itself stays."""
        self._articles_unread = self._articles_unread and scratch._articles_unread
        self._all_read = self._all_read or scratch._all_read
        self.used_articles.update(scratch.used_articles)
        for key in dropped:
            self.used_articles.pop(key, None)
        for name, value in scratch.new_derived.items():
            self.new_derived.setdefault(name, value)

    def keep_all_derived(self) -> None:
        """Keep every value the last build kept, for a build that changes none of them."""
        self.new_derived.update(self.derived)

    def put_article(self, key: str, value: Any) -> None:
        self.used_articles[key] = value

    def holds(self, name: str, key: str) -> bool:
        """Whether `derive(name, key, ...)` would take the value kept from the last build."""
        kept = self.derived.get(name)
        return isinstance(kept, tuple) and len(kept) == 2 and kept[0] == key

    def derive(self, name: str, key: str, make: Callable[[], Any]) -> Any:
        """The value `make` gives for `key`, kept from the last build when its key was the same."""
        value = self.derived[name][1] if self.holds(name, key) else make()
        self.new_derived[name] = (key, value)
        return value

    def save_articles_ahead(self) -> None:
        """Start writing the article shards now, in a forked process, when this build loaded
        every article itself (none came from the cache). They are written under names of
        their own, put in place by `save` and removed by `discard_articles_ahead`: a build
        that fails writes nothing.

        A cold build of 10,000 articles then spends a fifth of a second less at its end,
        where its main process worked alone: the child writes them while the main process
        indexes the site, with the other core free. (A thread could not: pickling holds the
        interpreter lock, and the main process then kept the page workers waiting.)
        """
        if self._articles_unread or self.articles or not self.used_articles or self._shards_read is not None \
                or self._articles_ahead is not None or not can_fork():
            return
        shards = self._shards_to_write()
        self._ahead_files = [(_unplaced(path), path) for path, _ in shards]
        self._ahead_folder_made = not self.folder.exists()
        self._articles_ahead = Forked(partial(self._write_ahead, [value for _, value in shards]), fork=True)

    def _write_ahead(self, values: list[dict[str, Any]]) -> bool:
        self._make_folder()
        for (unplaced, _), value in zip(self._ahead_files, values, strict=True):
            _dump(unplaced, value)
        return True

    def _articles_written_ahead(self) -> bool:
        """Wait for the process `save_articles_ahead` started; whether every shard is written
        (here, if that process could not)."""
        if self._articles_ahead is not None:
            ahead, self._articles_ahead = self._articles_ahead, None
            try:
                self._articles_ahead_done = ahead.result()
            except OSError:
                self._articles_ahead_done = False
        return self._articles_ahead_done

    def discard_articles_ahead(self) -> None:
        """Remove what `save_articles_ahead` wrote, for a build that failed."""
        if self._articles_ahead is not None:
            self._articles_ahead.stop()  # (if it is still writing)
            self._articles_ahead = None
        for unplaced, _ in self._ahead_files:
            with contextlib.suppress(OSError):
                os.unlink(unplaced)
        if self._ahead_files and self._ahead_folder_made:
            with contextlib.suppress(OSError):
                (self.folder / ".gitignore").unlink()
                self.folder.rmdir()
        self._ahead_files, self._articles_ahead_done = [], False

    def save(self, pages: Mapping[str, WrittenPage | PageRow], freshness: Any = None) -> None:
        """Write the cache; a failure to write only costs speed next time."""
        entries = {path: page_row(page) for path, page in pages.items()}  # plain tuples: pickled in C, both ways
        # Saved again after a second swap: the articles used are the same, and their shards written.
        articles_saved = self._saved is not None
        if self._ahead_files and not self._articles_written_ahead():
            self.discard_articles_ahead()  # the child could not write them all: written here
        self._saved, self._save_failed = None, True
        with contextlib.suppress(OSError):
            self._make_folder()
            for unplaced, path in self._ahead_files:
                os.replace(unplaced, path)
            articles_saved = articles_saved or bool(self._ahead_files)
            self._ahead_files = []
            if not self._articles_unread and not articles_saved:
                self._save_articles()
            _write(self.folder / f"pages-{self.output_key}.pickle",
                   {"version": f"{__version__}:{_FORMAT}", "entries": entries, "freshness": freshness,
                    "derived": self.new_derived})
            self._saved, self._save_failed = (entries, freshness, dict(self.new_derived)), False

    def _make_folder(self) -> None:
        self.folder.mkdir(exist_ok=True)
        (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")

    @property
    def saved(self) -> bool:
        """The files were written by `save`, all of them."""
        return self._saved is not None

    @property
    def save_failed(self) -> bool:
        """The last `save` could not write every file: they may hold neither this build nor the last."""
        return self._save_failed

    def rolled_over(self) -> BuildCache | None:
        """The cache as `open` would read it again after the last `save` (or now, if this cache
        was not saved), without reading it: for a process that runs the next build too
        (`gettimes serve`), with what `found_since` learnt since. The loaded articles come
        along if this cache knows what the files hold (all were read), and the articles
        unpacked ahead, for those still there. None if the last save failed."""
        if self._save_failed:
            return None
        pages, freshness, derived = self._saved or (self.pages, self.freshness, self.derived)
        rolled = BuildCache(self.folder, self.salt, self.output_key, pages=dict(pages), freshness=freshness,
                            derived=dict(derived), article_keys=self.article_keys)
        if not self._all_read:
            rolled._articles_unread = True
            return rolled
        # The shards `save` may have rewritten, with the entries this build used.
        rewritten = set() if self._saved is None else set(_SHARDS) if self._shards_read is None else self._shards_read
        rolled.articles = {key: value for key, value in self.articles.items() if key[0] not in rewritten}
        rolled.articles.update((key, value) for key, value in self.used_articles.items() if key[0] in rewritten)
        rolled.unpacked = {key: value for key, value in self.unpacked.items() if key in rolled.articles}
        rolled._all_read = True
        return rolled

    def _save_articles(self) -> None:
        for path, value in self._shards_to_write():
            _write(path, value)

    def _shards_to_write(self) -> list[tuple[Path, dict[str, Any]]]:
        """Only the shards whose entries changed: an edited article costs one shard."""
        used: dict[str, dict[str, Any]] = {shard: {} for shard in _SHARDS}
        for key, value in self.used_articles.items():
            used[key[0]][key] = value
        before: dict[str, set[str]] = {shard: set() for shard in _SHARDS}
        for key in self.articles:
            before[key[0]].add(key)
        shards = []
        for shard, entries in used.items():
            if self._shards_read is not None and shard not in self._shards_read:
                continue  # not read by this build: left as it is
            if entries.keys() != before[shard]:
                shards.append((self.folder / f"articles-{shard}.pickle", {"salt": self.salt, "entries": entries}))
        return shards


def page_row(page: WrittenPage | PageRow) -> PageRow:
    """A page's record as the plain tuple it is kept as (pickled in C, both ways)."""
    if isinstance(page, tuple):
        return page
    return page.fingerprint, page.size, page.mtime_ns, page.context, page.partials


def _write(path: Path, value: Any) -> None:
    temporary = _unplaced(path)
    _dump(temporary, value)
    os.replace(temporary, path)


def _unplaced(path: Path) -> Path:
    """Where a file of the cache is written before it is put in place (its writer's own name)."""
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def _dump(path: Path, value: Any) -> None:
    with open(path, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file, in the site's own folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
