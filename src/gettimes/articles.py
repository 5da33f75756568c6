"""Load every article of a site: from the cache where the file is unchanged, the
rest in parallel. The result is the same, in the same order, however it was made.

A loaded file comes back from its worker as the cache row it is stored as
(article_store): a row pickles in C, where the model objects would each go through
Python, and the parent unpacks it as it would unpack a row read from the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gettimes.article_store import LoadOutcome, Row, Unpacker, pack
from gettimes.cache import BuildCache
from gettimes.content import ARTICLES_DIR, ArticleLoader, LoadedArticle
from gettimes.diagnostics import Report
from gettimes.fingerprint import card_digest
from gettimes.parallel import run_tasks, tapered
from gettimes.sources import content_digest

# Below this many files to parse, starting processes costs more than it saves.
PARALLEL_FROM = 200


def load_articles(root: Path, files: Sequence[str], loader: ArticleLoader, cache: BuildCache,
                  jobs: int, report: Report, sources: Mapping[str, str] | None = None,
                  meanwhile: Callable[[], None] | None = None,
                  ) -> tuple[list[LoadedArticle], dict[str, LoadOutcome]]:
    """The articles of the site-relative `files`, in path order, and each file's outcome by path.

    `sources` holds the digest of files already scanned (sources.py), which are then not read
    unless they must be loaded. `meanwhile` is called once, while worker processes load them.
    """
    sources = sources or {}
    outcomes: dict[str, LoadOutcome] = {}
    misses: list[str] = []
    unpacker = Unpacker()
    cache.get_article("")  # the cached articles are read at the first look-up, whether or not a file needs one
    for rel in files:
        source_digest = sources.get(rel)
        if source_digest == "":  # scanned but not read (scan_sources's `unread`): the worker reads it
            misses.append(rel)
            continue
        if source_digest is None:
            try:
                source_digest = content_digest((root / rel).read_bytes())
            except OSError:
                misses.append(rel)  # the loader reports why it cannot be read
                continue
        key = cache.article_key(rel, source_digest)
        cached = cache.get_article(key)
        ready = cache.unpacked.get(key)
        if ready is not None:
            outcomes[rel] = ready
            continue
        try:
            outcomes[rel] = unpacker.unpack(cached)
        except (TypeError, ValueError):  # not a row of this version: load the file again
            misses.append(rel)

    def collect(rows: list[tuple[Row, str]]) -> None:
        for row, source in rows:
            outcome = unpacker.unpack(row, source)
            outcomes[outcome.rel] = outcome
            if outcome.key:
                cache.put_article(outcome.key, row)

    state = (root, loader, cache)
    workers = jobs if len(misses) >= PARALLEL_FROM else 1
    run_tasks(_load_chunk, state, tapered(misses, workers), workers, collect, meanwhile)
    result = []
    for rel in sorted(outcomes):
        outcome = outcomes[rel]
        report.extend(outcome.diagnostics)
        if outcome.loaded is not None:
            result.append(outcome.loaded)
    return result, outcomes


def unpack_ahead(cache: BuildCache) -> None:
    """Unpack every cached article now, and work out the keys of the article files the last
    build scanned, for a build that starts later (serve's next rebuild) and then takes each
    unchanged one as it is (`load_articles`)."""
    scanned = cache.kept("sources")
    if isinstance(scanned, Mapping):
        for rel, (_, source_digest) in scanned.items():
            if rel.startswith(ARTICLES_DIR):
                cache.article_key(rel, source_digest)
    unpacker = Unpacker()
    cache.get_article("")  # the cached articles are read at the first look-up
    for key, row in cache.articles.items():
        if key in cache.unpacked:  # by the build before, in the same process (BuildCache.rolled_over)
            continue
        try:
            outcome = unpacker.unpack(row)
        except (TypeError, ValueError):  # not a row of this version: the build loads the file
            continue
        if outcome.key == key:
            cache.unpacked[key] = outcome


def _load_chunk(state: tuple[Path, ArticleLoader, BuildCache], rels: Sequence[str]) -> list[tuple[Row, str]]:
    root, loader, cache = state
    return [(pack(outcome), outcome.source) for outcome in (_load_one(root, loader, cache, rel) for rel in rels)]


def _load_one(root: Path, loader: ArticleLoader, cache: BuildCache, rel: str) -> LoadOutcome:
    report = Report()
    try:
        data = (root / rel).read_bytes()
    except OSError as exc:
        report.error(rel, None, f"cannot read file: {exc.strerror}")
        return LoadOutcome(rel, "", None, tuple(report.items))
    loaded = loader.load_bytes(rel, data, report)
    card = card_digest(loaded.article) if loaded is not None else ""
    source = content_digest(data)
    return LoadOutcome(rel, cache.article_key(rel, source), loaded, tuple(report.items), card, source)
