"""Load every article of a site: from the cache where the file is unchanged, the
rest in parallel. The result is the same, in the same order, however it was made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gettimes.cache import BuildCache
from gettimes.content import ArticleLoader, LoadedArticle
from gettimes.diagnostics import Diagnostic, Report
from gettimes.parallel import chunked, run_tasks

# Below this many files to parse, starting processes costs more than it saves.
PARALLEL_FROM = 200


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    """What loading one file gave; cached as it is, diagnostics included."""

    rel: str
    key: str
    loaded: LoadedArticle | None
    diagnostics: tuple[Diagnostic, ...]


def load_articles(root: Path, paths: Sequence[Path], loader: ArticleLoader, cache: BuildCache,
                  jobs: int, report: Report) -> tuple[list[LoadedArticle], dict[str, str]]:
    """The loaded articles in path order, and the digest of each one's source by path."""
    outcomes: dict[str, LoadOutcome] = {}
    misses: list[str] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError:
            misses.append(rel)  # the loader reports why it cannot be read
            continue
        cached = cache.get_article(cache.article_key(rel, data))
        if isinstance(cached, LoadOutcome):
            outcomes[rel] = cached
        else:
            misses.append(rel)

    def collect(results: list[LoadOutcome]) -> None:
        for outcome in results:
            outcomes[outcome.rel] = outcome
            if outcome.key:
                cache.put_article(outcome.key, outcome)

    state = (root, loader, cache)
    workers = jobs if len(misses) >= PARALLEL_FROM else 1
    run_tasks(_load_chunk, state, chunked(misses, workers * 4), workers, collect)
    result = []
    for rel in sorted(outcomes):
        outcome = outcomes[rel]
        report.extend(outcome.diagnostics)
        if outcome.loaded is not None:
            result.append(outcome.loaded)
    return result, {rel: outcome.key for rel, outcome in outcomes.items()}


def _load_chunk(state: tuple[Path, ArticleLoader, BuildCache], rels: Sequence[str]) -> list[LoadOutcome]:
    root, loader, cache = state
    results = []
    for rel in rels:
        report = Report()
        try:
            data = (root / rel).read_bytes()
        except OSError as exc:
            report.error(rel, None, f"cannot read file: {exc.strerror}")
            results.append(LoadOutcome(rel, "", None, tuple(report.items)))
            continue
        loaded = loader.load_bytes(rel, data, report)
        results.append(LoadOutcome(rel, cache.article_key(rel, data), loaded, tuple(report.items)))
    return results
