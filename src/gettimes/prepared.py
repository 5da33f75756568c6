"""A site loaded before the save it is built for: `gettimes serve`'s next rebuild.

While the editor writes, the child process that will run the next rebuild loads the
site as it is: everything a build works out before it writes (the articles, the
index, the plan of pages). When the save comes and it changed only what a few
articles show (a title, a summary, an image, the body; not where they are listed,
see carryover.py), the rebuild swaps the new versions of those articles into that
site instead of loading all of it again. On anything else, or any doubt, it loads
the site in full, as `gettimes build` does. Either way the site is the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gettimes.articles import load_articles
from gettimes.bodyedit import MAX_FILES
from gettimes.build import BuildOptions, LoadedSite, Site, load_site
from gettimes.cache import BuildCache
from gettimes.carryover import same_place
from gettimes.content import ArticleLoader, load_authors
from gettimes.diagnostics import Diagnostic, Report
from gettimes.fingerprint import VALUE_TYPES
from gettimes.freshness import valid_until
from gettimes.models import Article
from gettimes.pagewriter import templates_read_the_clock
from gettimes.render import PageJob, plan_pages
from gettimes.sources import SourceScan, scan_sources


@dataclass(frozen=True, slots=True)
class PreparedSite:
    """The site as loaded ahead, and what swapping edited articles into it takes."""

    options: BuildOptions  # as it was loaded with, `now` included
    valid_until: datetime  # the site is the same for any clock from options.now until then
    digests: Mapping[str, str]  # the sources it was loaded from (SourceScan.digests)
    site: Site
    jobs: tuple[PageJob, ...]
    shown_by: Mapping[str, tuple[int, ...]]  # article source -> the places in `jobs` of the pages showing it
    warnings: tuple[Diagnostic, ...]  # what loading it reported (it had no errors)
    loader: ArticleLoader
    cache: BuildCache  # a scratch copy of the build cache: what loading it read and kept

    def updated(self, root: Path, options: BuildOptions, sources: SourceScan, cache: BuildCache,
                report: Report) -> tuple[Site, list[PageJob]] | None:
        """The site and its pages for `sources` at `options.now`, if the edits since it was loaded
        allow swapping them in (None: load it in full). `cache` is the build's cache, which
        then keeps what a full load would have kept; `report` gets what it would have said."""
        if dataclasses.replace(options, now=self.options.now) != self.options \
                or not self.options.now <= options.now < self.valid_until:
            return None
        changed = _changed_files(self.digests, sources.digests)
        if changed is None or len(changed) > MAX_FILES or any(rel not in self.site.outcomes for rel in changed):
            return None
        load_report = Report()
        _, outcomes = load_articles(root, changed, self.loader, cache, 1, load_report, sources.digests)
        if load_report.items:
            return None  # a message to show: the full load says it, in its place among the others
        listed = {article.source: article for article in self.site.articles if article.source in outcomes}
        swaps: dict[int, Article] = {}
        for rel, new in outcomes.items():
            old = self.site.outcomes[rel]
            if not same_place(old, new) or old.loaded is None or listed.get(rel) is not old.loaded.article:
                return None  # moved, or published under a numbered slug
            assert new.loaded is not None
            swaps[id(old.loaded.article)] = new.loaded.article
        jobs = list(self.jobs)
        for place in sorted({place for rel in changed for place in self.shown_by.get(rel, ())}):
            job = jobs[place]
            jobs[place] = dataclasses.replace(job, context=MappingProxyType(_swapped(dict(job.context), swaps)))
        site = dataclasses.replace(
            self.site,
            articles=tuple(swaps.get(id(article), article) for article in self.site.articles),
            index=self.site.index.replacing(swaps),
            now=options.now.astimezone(self.site.config.timezone),
            outcomes=MappingProxyType({**self.site.outcomes, **outcomes}),
        )
        cache.adopt(self.cache, dropped=[self.site.outcomes[rel].key for rel in changed])
        report.extend(self.warnings)
        return site, jobs

    def showing(self, articles: frozenset[str] | None, jobs: Sequence[PageJob]) -> frozenset[str] | None:
        """The output paths of the pages in `jobs` (as `updated` gave them) that show any of the
        `articles` (by source); they are the same pages as in the site loaded ahead."""
        if not articles:
            return None
        return frozenset(jobs[place].path for source in articles for place in self.shown_by.get(source, ()))


def prepare_site(root: Path, options: BuildOptions, cache: BuildCache,
                 interrupted: Callable[[], bool] = lambda: False) -> PreparedSite | None:
    """Load the site as a build at `options` would, keeping its scratch work out of `cache`.

    None when there is no use in it (the templates print the clock, so every page changes
    with it), when the site has errors, or when `interrupted()` says a save came before
    most of the work was done."""
    if interrupted() or templates_read_the_clock(root):
        return None
    scratch = cache.scratch()
    sources = scan_sources(root, cache.kept("sources"))
    if interrupted():
        return None
    report = Report()
    site = load_site(root, options, report, scratch, sources)
    if site is None:  # from here on, finishing and swapping the save in is quicker than loading again
        return None
    jobs = tuple(plan_pages(site.config, site.index))
    shown_by = _shown_by(jobs)
    if shown_by is None:
        return None
    loader = ArticleLoader(root, site.config, load_authors(root, site.config, Report()))
    until = valid_until(site.articles, options.now, site.config.timezone, options.drafts)
    return PreparedSite(options, until, MappingProxyType(dict(sources.digests)), site, jobs,
                        MappingProxyType(shown_by), tuple(report.items), loader, scratch)


def prepared_from(loaded: LoadedSite, cache: BuildCache, options: BuildOptions) -> PreparedSite | None:
    """The site a build just loaded, as `prepare_site` would load it again for the next build at
    `options`: `cache` is the build cache as that build left it (`BuildCache.rolled_over`), and
    its files are as the build saved them. For a process that runs the next build too."""
    if dataclasses.replace(options, now=loaded.options.now) != loaded.options \
            or templates_read_the_clock(loaded.site.root):
        return None
    shown_by = loaded.shown_by if loaded.shown_by is not None else _shown_by(loaded.jobs)
    if shown_by is None:
        return None
    scratch = cache.scratch()  # what loading the site would have read and kept
    for outcome in loaded.site.outcomes.values():
        if outcome.key:
            scratch.get_article(outcome.key)
    for name in loaded.derived:
        scratch.new_derived[name] = cache.kept(name)
    site = loaded.site
    loader = ArticleLoader(site.root, site.config, load_authors(site.root, site.config, Report()))
    until = valid_until(site.articles, loaded.options.now, site.config.timezone, loaded.options.drafts)
    return PreparedSite(loaded.options, until, MappingProxyType(dict(loaded.digests)), site, loaded.jobs,
                        shown_by if isinstance(shown_by, MappingProxyType) else MappingProxyType(shown_by),
                        loaded.warnings, loader, scratch)


def _changed_files(before: Mapping[str, str], after: Mapping[str, str]) -> list[str] | None:
    """The files whose digest changed, in path order; None when a file was added or removed."""
    if before.keys() != after.keys():
        return None
    return sorted(rel for rel, value in after.items() if before[rel] != value)


def _shown_by(jobs: Sequence[PageJob]) -> dict[str, tuple[int, ...]] | None:
    """For each article's source, the places of the pages whose context holds it; None when a
    context holds something else than articles, plain values (fingerprint.VALUE_TYPES), and
    tuples, lists and mappings of them: swapping articles in it could miss one."""
    places: dict[str, list[int]] = {}
    for place, job in enumerate(jobs):
        found: list[Article] = []
        pending = [*job.context.values()]
        while pending:  # it runs for every page: one loop, without a call per value
            value = pending.pop()
            kind = type(value)
            if kind is Article:
                found.append(value)
            elif kind is tuple or kind is list:
                for item in value:
                    if type(item) is Article:
                        found.append(item)
                    elif type(item) not in VALUE_TYPES:
                        pending.append(item)
            elif kind is dict or kind is MappingProxyType:
                pending.extend(value.values())
            elif kind not in VALUE_TYPES:
                return None
        for source in {article.source for article in found}:
            places.setdefault(source, []).append(place)
    return {source: tuple(each) for source, each in places.items()}


def _swapped(value: Any, swaps: Mapping[int, Article]) -> Any:
    """`value` with the articles in `swaps` replaced (in what `_shown_by` looks into)."""
    kind = type(value)
    if kind is Article:
        return swaps.get(id(value), value)
    if kind is tuple or kind is list:
        return kind(_swapped(item, swaps) for item in value)
    if kind is dict:
        return {key: _swapped(item, swaps) for key, item in value.items()}
    if kind is MappingProxyType:
        return MappingProxyType({key: _swapped(item, swaps) for key, item in value.items()})
    return value
