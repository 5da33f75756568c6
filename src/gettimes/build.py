"""The recipes: load a site, build it, check it. Each stage is one line here."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import jinja2

from gettimes.article_store import LoadOutcome
from gettimes.articles import load_articles, unpack_ahead
from gettimes.bodyedit import BodyEditState, edited_articles, rebuild_bodies
from gettimes.cache import BuildCache, WrittenPage, digest, page_row
from gettimes.carryover import shown_only_edits
from gettimes.config import SiteConfig, load_config
from gettimes.content import (
    ARTICLES_DIR,
    AUTHORS_FILE,
    PAGES_DIR,
    ArticleLoader,
    assign_unique_slugs,
    content_files,
    discover,
    load_authors,
    load_page,
)
from gettimes.diagnostics import Diagnostic, Report, SiteError, UsageError
from gettimes.editorial import check_editorial
from gettimes.feeds import GeneratedFile, KnownKeys, feed_keys, make_feeds
from gettimes.freshness import Freshness, input_digest, is_fresh, package_digest, valid_until
from gettimes.index import PublishRules, SiteIndex, build_index
from gettimes.links import check_links
from gettimes.markdown import MarkdownRenderer
from gettimes.models import Article, Page
from gettimes.output import StagedOutput, Tree, folders_unchanged, make_spare, tree_matches, update_spare
from gettimes.output import output_problem as _output_problem
from gettimes.pagewriter import (
    PAGE_READS_KEPT,
    Later,
    bodies_spliceable,
    templates_read_the_clock,
    write_generated,
    write_pages,
)
from gettimes.parallel import default_jobs, forked
from gettimes.render import (
    THEME_DIR,
    CompiledTemplates,
    PageJob,
    PageRenderer,
    check_templates,
    compiled_folder,
    make_environment,
    parse_templates,
    plan_pages,
)
from gettimes.search import index_search
from gettimes.sitemaps import make_sitemaps, sitemap_keys
from gettimes.sources import SourceScan, scan_sources
from gettimes.stats import StatsTally, Views, rank_articles, read_stats, tally_stats

if TYPE_CHECKING:
    from gettimes.prepared import PreparedSite

SOURCE_FOLDERS = ("content", "templates", "static", "data")
SITEMAP_KEYS = "sitemap keys"  # in the build cache: the last build's sitemap files' keys
FEED_KEYS = "feed keys"  # and its feeds' keys
# The pages a second swap stopped by the next save wrote into the spare staging folder, by path:
# their files there are newer than the output's, and the next build opening it as a copy keeps them.
STAGED_KEPT = "staged"
SPARE_UPDATE_FROM = 1000  # files that differ between the spare and the output, before serve updates it ahead
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    now: datetime
    drafts: bool = False
    future: bool = False
    output: Path | None = None  # --output, relative to the working directory
    base_url: str | None = None
    jobs: int | None = None  # worker processes; None: one per core
    cache: bool = True  # read and update .gettimes-cache/
    search_index: bool = True  # run Pagefind into /pagefind/ (serve indexes in the background instead)
    # serve: pages that need only new partials (a sidebar box) spliced in, and most pages when
    # many are to render after a title edit, are written after the output is in place, in a
    # second swap (`BuildResult.later`; pagewriter.write_pages says which)
    splice_later: bool = False

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs is not None else default_jobs()


@dataclass(frozen=True, slots=True)
class Site:
    """A loaded, validated site: everything needed to render, nothing written yet."""

    root: Path
    config: SiteConfig
    articles: tuple[Article, ...]  # every article read, published or not
    index: SiteIndex
    templates: jinja2.Environment
    static_files: tuple[tuple[str, Path], ...]  # output-relative path, source file
    now: datetime
    outcomes: Mapping[str, LoadOutcome]  # article source path -> how it loaded: its cache key, its card


@dataclass(frozen=True, slots=True)
class BuildResult:
    output_dir: Path
    pages: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    warnings: tuple[Diagnostic, ...]
    # A new output was swapped in and the build cache records it: the spare staging folder
    # is then the old output, as recorded (nothing was written, after a build with nothing to do).
    swapped: bool = False
    later: int = 0  # pages left as they were, to write in a second swap (BuildOptions.splice_later)
    # the site as loaded, when the build loaded it (not a body edit's quick rebuild, not a
    # build with nothing to do): serve's child keeps it for the next build (prepared.py)
    loaded: LoadedSite | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LoadedSite:
    """The site a build loaded and the pages it planned, as a build loads it ahead (prepared.py)."""

    options: BuildOptions
    site: Site
    jobs: tuple[PageJob, ...]
    digests: Mapping[str, str]  # the sources it was loaded from (SourceScan.digests)
    warnings: tuple[Diagnostic, ...]  # what loading it reported
    derived: frozenset[str]  # the names of the build cache's values that loading it kept
    # The places in `jobs` of the pages showing each article, when the build took the site loaded
    # ahead (PreparedSite.updated keeps every article where it was): the same as then.
    shown_by: Mapping[str, tuple[int, ...]] | None = None


def load_site(root: Path, options: BuildOptions, report: Report, cache: BuildCache | None = None,
              sources: SourceScan | None = None, articles_loaded: Callable[[], None] | None = None) -> Site | None:
    """Read and validate everything; the first half of build and all of check.

    `sources` is the scan of the site's files a build made first, if any (files it
    found unchanged are then taken from the cache without being read). Templates
    compiled by an earlier build are reused unless caching is off; a build keeps
    those it compiled once it has succeeded (`_keep_compiled`). `articles_loaded` is
    called once every article is loaded without an error, before the rest is worked out."""
    config = load_config(root, report, options.base_url)
    if config is None:
        return None
    now = options.now.astimezone(config.timezone)
    authors = load_authors(root, config, report)
    loader = ArticleLoader(root, config, authors)
    cache = cache or BuildCache.empty(root, _settings_digest(root, config))
    if sources is not None:
        files = content_files(sources.digests, ARTICLES_DIR)
    else:
        files = [path.relative_to(root).as_posix() for path in discover(root / ARTICLES_DIR)]
    compiled = CompiledTemplates(compiled_folder(root, config, package_digest())) if options.cache else None
    environments: list[jinja2.Environment] = []
    tallied: list[StatsTally] = []

    def meanwhile() -> None:  # while the articles load: templates need none, nor does reading the stats file
        environments.append(make_environment(root, config, compiled))
        check_templates(environments[0], root, report)
        if cache.kept(PAGE_READS_KEPT) is None:  # a first build: what pages read is worked out from them all
            parse_templates(environments[0])
        if cache.kept("stats") is None:  # a first build: its rows are matched to the articles once they are loaded
            tallied.append(tally_stats(root, config, now))

    loaded, outcomes = load_articles(root, files, loader, cache, options.workers, report,
                                     sources.digests if sources is not None else None, meanwhile)
    if articles_loaded is not None and not report.has_errors:
        articles_loaded()
    articles = assign_unique_slugs(loaded, report)
    markdown = MarkdownRenderer(config.markdown_html)
    pages = [page for path in discover(root / PAGES_DIR) if (page := load_page(path, root, markdown, report))]
    _warn_unknown_reporters(articles, report)
    rules = PublishRules(now, options.drafts, options.future)
    index = build_index(config, articles, pages, rules)
    related_key = index.related_key()
    # Related articles and the stats file's rankings take about as long: the related table is
    # worked out by a forked process meanwhile, unless the last build kept it.
    with forked(index.related_table, fork=options.workers > 1 and not cache.holds("related", related_key)) as related:
        views = _read_stats(root, config, articles, pages, now, report, cache, sources, *tallied)
        ranked = rank_articles(articles, rules, views, config.sidebar_items)
        table = cache.derive("related", related_key, related.result)
    index = index.with_rankings(ranked.most_viewed, ranked.weekly_hot, ranked.by_author).with_related(table)
    templates = environments[0]
    static_files = _static_files(root)
    if report.has_errors:
        return None
    return Site(root, config, tuple(articles), index, templates, static_files, now,
                MappingProxyType(outcomes))


def _read_stats(root: Path, config: SiteConfig, articles: list[Article], pages: list[Page], now: datetime,
                report: Report, cache: BuildCache, sources: SourceScan | None, tally: StatsTally | None = None
                ) -> Views:
    """The stats file's views, kept from the last build when neither it nor what it is matched to changed.
    `tally` is the file as read while the articles loaded, if it was."""
    stats_digest = sources.digests.get(Path(config.stats).as_posix()) if sources is not None else None
    if stats_digest is None:
        return read_stats(root, config, articles, pages, now, report, tally)
    matched = "\x1f".join(f"{a.url} {a.slug} {' '.join(a.aliases)}" for a in articles)
    key = digest(stats_digest, repr((config.stats, config.base_url, str(config.timezone), now.date().isoformat())),
                 matched, " ".join(page.url for page in pages))

    def read() -> tuple[Views, tuple[Diagnostic, ...]]:
        stats_report = Report()
        return read_stats(root, config, articles, pages, now, stats_report, tally), tuple(stats_report.items)

    kept = cache.derive("stats", key, read)
    if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], Views)):
        kept = read()
    views: Views = kept[0]
    report.extend(kept[1])
    return views


def _settings_digest(root: Path, config: SiteConfig) -> str:
    """What, besides its own bytes, decides how an article file loads."""
    authors = root / AUTHORS_FILE
    return digest(repr(config), authors.read_bytes() if authors.is_file() else b"")


@dataclass(frozen=True, slots=True)
class CacheAhead:
    """The build cache read before the build that uses it started (`read_cache_ahead`)."""

    output: Path  # the output folder it was read for, resolved
    salt: str  # the settings it was read with (_settings_digest)
    cache: BuildCache
    output_as_recorded: bool  # the output and the spare staging folder held what the cache records
    prepared: PreparedSite | None = None  # the site loaded ahead with that cache (prepared.py)


def read_cache_ahead(root: Path, output: Path, trusted: bool = False,
                     carried: BuildCache | None = None) -> CacheAhead | None:
    """Read the build cache for a build into `output` that starts later (serve's next rebuild),
    make the spare staging folder if the last build left none (`make_spare`) or bring it up to
    date with the output (`update_spare`), and check
    that the output and the spare hold what the cache records, unless the caller knows
    they do (`trusted`: the last build into them succeeded, and nothing else writes there).
    `carried` is the cache as the caller's last build left it (`BuildCache.rolled_over`),
    taken instead of reading the files when it was made with the same settings.

    The build uses it only if the configuration still gives the same settings; the
    caller must make sure that neither the cache's files nor the output were written
    meanwhile (serve's output is its private folder, which only its builds write)."""
    config = load_config(root, Report())
    if config is None:
        return None
    output = output.resolve()
    salt = _settings_digest(root, config)
    cache = carried if carried is not None and carried.opens_as(salt, output) else BuildCache.open(root, salt, output)
    unpack_ahead(cache)
    record = cache.freshness if isinstance(cache.freshness, Freshness) else None
    if record is None:
        return CacheAhead(output, salt, cache, False)
    spare = cache.kept("spare")
    if spare is None:
        spare = make_spare(output, record.tree)  # checks the output first
        if spare is not None:
            cache.found_since("spare", spare)
        return CacheAhead(output, salt, cache, spare is not None)
    as_recorded = isinstance(spare, Tree) and (trusted or folders_unchanged(StagedOutput(output).staging, spare)
                                               and tree_matches(output, record.tree))
    base = _with_staged(record.tree, spare, cache.kept(STAGED_KEPT)) if isinstance(spare, Tree) else record.tree
    if as_recorded and isinstance(spare, Tree) and _differ_by_many(spare, base):
        updated = update_spare(output, spare, base)
        cache.found_since("spare", updated)
        as_recorded = updated is not None
    return CacheAhead(output, salt, cache, as_recorded)


def _with_staged(current: Tree, spare: Tree, staged: object) -> Tree:
    """The output as a build opening the staging folder as a copy of it takes it: `current`, but
    for the pages a stopped second swap wrote into that folder (`staged`, as kept under STAGED_KEPT),
    as `spare` records them."""
    if not isinstance(staged, dict) or not staged:
        return current
    in_spare = {rel: (size, mtime_ns) for rel, size, mtime_ns in spare.files if rel in staged}
    return Tree(tuple((rel, *in_spare.get(rel, (size, mtime_ns))) for rel, size, mtime_ns in current.files),
                current.folders)


def _differ_by_many(spare: Tree, current: Tree) -> bool:
    """Whether bringing the spare up to date with the output pays ahead (`update_spare`): a
    build that links a few files into it does so quicker than the look through every file."""
    if spare.files == current.files:
        return False
    return len(set(spare.files).symmetric_difference(current.files)) > SPARE_UPDATE_FROM


@contextlib.contextmanager
def cycle_collector_off() -> Iterator[None]:
    """Python's cyclic garbage collector off for one build, in this process and its workers.

    A build frees what it no longer needs by reference counting: it makes next to no
    reference cycles (10,000 and 50,000 articles peak at the same memory with the
    collector off). The collector's passes over the growing heap of articles, pages
    and records cost a fifth of a rebuild of 10,000 articles, and 6 s of a cold build
    of 50,000, for nothing.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def build_site(root: Path, options: BuildOptions, progress: Progress | None = None,
               ahead: CacheAhead | None = None,
               committed: Callable[[BuildResult], None] | None = None,
               stop_later: Callable[[], bool] | None = None) -> BuildResult:
    """Build the site into its output folder, all or nothing; raise SiteError on problems.

    `ahead` is the build cache as read before this build started, if any. `committed`
    is told the result as soon as a full build has put its output in place, before it
    updates the build cache (`gettimes serve` reloads the open pages then); when that
    result leaves pages for `later`, it is told again once they are in place too.
    `stop_later` is asked between those pages: True (the editor saved again) leaves the
    rest to the next build, which then starts at once."""
    started = time.perf_counter()
    check_output_option(root, options)
    report = Report()
    config = load_config(root, Report(), options.base_url)
    planned_output = (options.output or root / (config.output_dir if config else "public")).resolve()
    cache = _open_cache(root, config, planned_output, options, ahead)
    record = cache.freshness if isinstance(cache.freshness, Freshness) else None
    # A first build leaves the articles to its workers to read; their digests complete the scan.
    # (Not one into another output: it takes the articles another build kept, found by digest.)
    first = record is None and not cache.kept("sources") and not cache.holds_articles()
    sources = scan_sources(root, cache.kept("sources"), unread=f"{ARTICLES_DIR}/" if first else None)
    cache.keep("sources", sources.known)
    options_key = repr((options.drafts, options.future, options.base_url, str(planned_output), options.search_index))
    inputs = input_digest(sources, options_key)
    if options.cache and record is not None and is_fresh(record, inputs, options.now, planned_output):
        return BuildResult(planned_output, record.pages, 0, len(record.tree.files), 0, time.perf_counter() - started,
                           record.warnings)
    # A few article files changed, nothing else: worked out once, for the shortcuts below.
    few_edits = edited_articles(cache, sources, record, options_key, options.now) if record is not None else None
    # The output and the spare were found as the cache records them just before this build.
    checked = ahead is not None and ahead.cache is cache and ahead.output_as_recorded
    if options.cache and record is not None and config is not None:
        def quick_result(written: int, unchanged: int) -> BuildResult:
            assert record is not None
            return BuildResult(planned_output, record.pages, written, unchanged, 0, time.perf_counter() - started,
                               record.warnings, swapped=True)

        quick = rebuild_bodies(root, config, options.now, inputs, cache, sources, record, planned_output, few_edits,
                               options.search_index, checked,
                               (lambda counts: committed(quick_result(*counts))) if committed is not None else None)
        if quick is not None:
            return quick_result(*quick)
    prepared = ahead.prepared if ahead is not None and ahead.cache is cache else None
    kept_before = set(cache.new_derived)
    updated = prepared.updated(root, options, sources, cache, report) if prepared is not None else None
    try:
        site = updated[0] if updated is not None else load_site(root, options, report, cache, sources,
                                                                  cache.save_articles_ahead if options.cache else None)
        output_dir = _output_folder(site, options, report) if site is not None else None
        if site is None or output_dir is None:
            raise SiteError(report)
        if first:
            sources = sources.completed({rel: outcome.source for rel, outcome in site.outcomes.items()})
            cache.keep("sources", sources.known)
            inputs = input_digest(sources, options_key)
        jobs = updated[1] if updated is not None else list(plan_pages(site.config, site.index))
        loaded = LoadedSite(options, site, tuple(jobs), sources.digests, tuple(report.items),
                            frozenset(cache.new_derived.keys() - kept_before),
                            prepared.shown_by if updated is not None and prepared is not None else None)
        shown_only = shown_only_edits(cache, few_edits, site.outcomes)
        output = _open_output(output_dir, cache, record if few_edits is not None else None, checked)
        # Only into a copy of the output as recorded: its spare is then that output, for the second swap.
        later: list[Later] | None = [] if options.splice_later and options.cache and output.is_copy else None
        try:
            showing = prepared.showing(shown_only, jobs) if updated is not None and prepared is not None else None
            make_generated = partial(_generated_files, site, jobs, cache, shown_only)
            written, generated = _write_site(site, jobs, make_generated, output, cache, options.workers, report,
                                             progress, shown_only, showing, later)
            cache.keep(SITEMAP_KEYS, sitemap_keys(generated))
            cache.keep(FEED_KEYS, feed_keys(generated))
            if options.search_index:
                index_search(site.config, output, report)
            if report.has_errors:
                raise SiteError(report)
            counts = output.commit(_files_of(record, output_dir))
        except BaseException:
            output.discard()
            raise
        result = BuildResult(output_dir, len(jobs), counts.written, counts.unchanged, counts.removed,
                             time.perf_counter() - started, tuple(report.warnings), swapped=options.cache,
                             later=sum(len(batch.tasks) for batch in later or ()), loaded=loaded)
        if committed is not None:
            committed(result)
        if options.cache:
            fresh_until = options.now if templates_read_the_clock(root) else \
                valid_until(site.articles, options.now, site.config.timezone, options.drafts)
            cache.keep("spare", record.tree if record is not None else None)  # the old output is the spare now
            cache.keep("bodies", _body_edit_state(site, options_key, generated))
            cache.save(written, Freshness(inputs, options.now, fresh_until, counts.tree, len(jobs),
                                          tuple(report.warnings), left=result.later))
            _keep_compiled(site.templates)
            if later and record is not None:
                result, tree, spare, staged = _write_later(later, result, record.tree, counts.tree, options.workers,
                                                           written, stop_later)
                cache.keep("spare", spare)
                cache.keep(STAGED_KEPT, {rel: page_row(page) for rel, page in staged.items()} if staged else None)
                cache.save(written, Freshness(inputs, options.now, fresh_until, tree or counts.tree, len(jobs),
                                              tuple(report.warnings), left=result.later))
                if committed is not None:
                    committed(result)
        return result
    except BaseException:
        cache.discard_articles_ahead()  # a failed build writes nothing
        raise


def _write_later(later: list[Later], first: BuildResult, spare: Tree, current: Tree, workers: int,
                 written: dict[str, WrittenPage],
                 stop: Callable[[], bool] | None
                 ) -> tuple[BuildResult, Tree | None, Tree | None, dict[str, WrittenPage] | None]:
    """Write the pages `later` left (most get the new partials spliced in) in a second swap;
    `written` is updated with their records. The result says how many are still left (none,
    unless `stop` said so, the spare, the first swap's old output, was not as recorded, or a
    page could not be made: the next build then makes them), with the record of the output
    if it was swapped, of the spare staging folder as it is left (None if not known), and of
    the pages written into it when `stop` said so (STAGED_KEPT)."""
    started = time.perf_counter()
    output = StagedOutput(first.output_dir, spare)
    report = Report()

    def unfinished(spare_left: Tree | None, staged: dict[str, WrittenPage] | None = None
                   ) -> tuple[BuildResult, Tree | None, Tree | None, dict[str, WrittenPage] | None]:
        seconds = time.perf_counter() - started
        return (dataclasses.replace(first, written=0, unchanged=0, removed=0, seconds=seconds), None, spare_left,
                staged)

    if stop is not None and stop():
        return unfinished(spare)
    if not output.open_as(spare, current):
        return unfinished(None)
    output.keep_previous()
    made: dict[str, WrittenPage] = {}
    for batch in later:
        made.update(batch.write(output, workers, report, stop))
    if report.has_errors:
        output.discard()
        return unfinished(None)  # half written: the next build makes a new spare
    if len(made) < first.later:
        # Stopped: the next build takes the staging folder as it is.
        return unfinished(output.record({rel: (page.size, page.mtime_ns) for rel, page in made.items()}), made)
    counts = output.commit([rel for rel, _, _ in current.files])
    written.update(made)
    # The first swap's output is the spare now.
    return dataclasses.replace(first, written=counts.written, unchanged=counts.unchanged, removed=0,
                               seconds=time.perf_counter() - started, later=0), counts.tree, current, None


def _open_output(output_dir: Path, cache: BuildCache, known: Freshness | None, checked: bool) -> StagedOutput:
    """The staging folder, opened as a copy of the current output when that holds what the last
    build recorded (`known`): a build that changes a few files then touches those, not every
    one (`StagedOutput.open_as`). That pays only when few pages change: a copy's files are
    links to the live ones, which cannot be written over. `checked`: the output and the
    spare were found as the cache records them just before this build (`read_cache_ahead`)."""
    kept = cache.kept("spare")
    spare = kept if isinstance(kept, Tree) else None
    staged = cache.kept(STAGED_KEPT)
    output = StagedOutput(output_dir, spare)
    if known is not None and (checked or tree_matches(output_dir, known.tree)) \
            and output.open_as(spare, _with_staged(known.tree, spare, staged) if spare is not None else known.tree,
                               checked):
        if spare is not None and isinstance(staged, dict):
            cache.take_written(staged)  # this build's copy holds them: they are what it starts from
        return output
    return output.open()


def _keep_compiled(templates: jinja2.Environment) -> None:
    """Write the templates this build compiled into the build cache, for the next build."""
    if isinstance(templates.bytecode_cache, CompiledTemplates):
        templates.bytecode_cache.save()


def _body_edit_state(site: Site, options_key: str, generated: list[GeneratedFile]) -> BodyEditState:
    """What a later build needs to apply body-only edits without loading the site (bodyedit.py)."""
    published = {article.source: article for article in site.index.articles}
    articles: dict[str, tuple[str, str]] = {}
    for rel, outcome in site.outcomes.items():
        if outcome.loaded is None or not outcome.key:
            continue
        page = published.get(rel)
        if page is not None and page.slug != outcome.loaded.article.slug:
            continue  # published under a numbered slug: left to full builds
        articles[rel] = (outcome.key, page.url if page is not None else "")
    feeds_of: dict[str, list[str]] = {}
    for file in generated:
        for url in file.bodies:
            feeds_of.setdefault(url, []).append(file.path)
    return BodyEditState(options_key, package_digest(), MappingProxyType(articles),
                         MappingProxyType({url: tuple(paths) for url, paths in feeds_of.items()}),
                         bodies_spliceable(site.root))


def _files_of(record: Freshness | None, output_dir: Path) -> list[str] | None:
    """The output's files as the last build into it left them, if it is known to hold those."""
    if record is None or not output_dir.is_dir():
        return None
    return [rel for rel, _, _ in record.tree.files]


def _open_cache(root: Path, config: SiteConfig | None, output_dir: Path, options: BuildOptions,
                ahead: CacheAhead | None = None) -> BuildCache:
    """The build cache (read ahead if it was, for this output and these settings), or an empty one
    when caching is off or the configuration is broken."""
    if config is None:
        return BuildCache.empty(root, "")
    salt = _settings_digest(root, config)
    if not options.cache:
        return BuildCache.empty(root, salt)
    if ahead is not None and ahead.output == output_dir and ahead.salt == salt:
        return ahead.cache
    return BuildCache.open(root, salt, output_dir)


def _generated_files(site: Site, jobs: list[PageJob], cache: BuildCache | None = None,
                     shown_only: frozenset[str] | None = None) -> list[GeneratedFile]:
    """Feeds, sitemaps and robots.txt: made from the index, not from templates.

    After edits that changed only what pages show of some articles (`shown_only`), the
    sitemaps and the feeds that hold none of them keep the keys the last build gave them."""
    keys = {rel: outcome.key for rel, outcome in site.outcomes.items()}
    known_feeds: KnownKeys | None = None
    known_sitemaps: dict[str, str] | None = None
    if cache is not None and shown_only:
        feeds, sitemaps = cache.kept(FEED_KEYS), cache.kept(SITEMAP_KEYS)
        known_feeds = KnownKeys(feeds, shown_only) if isinstance(feeds, dict) else None
        known_sitemaps = sitemaps if isinstance(sitemaps, dict) else None
    return [*make_feeds(site.config, site.index, site.static_files, keys, known_feeds),
            *make_sitemaps(site.config, site.index, jobs, site.now, known_keys=known_sitemaps)]


def _write_site(site: Site, jobs: list[PageJob], make_generated: Callable[[], list[GeneratedFile]],
                output: StagedOutput, cache: BuildCache, workers: int, report: Report,
                progress: Progress | None, shown_only: frozenset[str] | None = None,
                showing: frozenset[str] | None = None, later: list[Later] | None = None,
                ) -> tuple[dict[str, WrittenPage], list[GeneratedFile]]:
    """Write static files, pages, then feeds and sitemaps (made while worker processes render
    the pages); the records of the files written, and the feeds and sitemaps."""
    for rel, source in site.static_files:
        if output.claim(rel, "static/" + rel, report):
            output.copy(rel, source)
    renderer = PageRenderer(site.templates, site.root, site.config, site.index, site.now)
    generated: list[GeneratedFile] = []
    written = write_pages(jobs, renderer, output, cache, site.outcomes, workers, report, progress, shown_only,
                          showing, later, meanwhile=lambda: generated.extend(make_generated()))
    written.update(write_generated(generated, output, cache, report, workers))
    return written, generated


def check_site(root: Path, options: BuildOptions, render_only: Callable[[str], bool] | None = None) -> Report:
    """Everything a build validates, plus rendering and an internal link check; writes nothing.

    With `render_only`, only the pages made from sources it accepts are rendered and
    link-checked (`check FILE...`); every file is still loaded, for the rules that
    span files. The build cache is read, never written.
    """
    check_output_option(root, options)
    report = Report()
    config = load_config(root, Report(), options.base_url)
    cache = _open_cache(root, config, options.output or root / (config.output_dir if config else "public"), options)
    site = load_site(root, options, report, cache)
    if site is None or _output_folder(site, options, report) is None:
        return report
    renderer = PageRenderer(site.templates, site.root, site.config, site.index, site.now)
    rendered: dict[str, tuple[PageJob, bytes]] = {}
    owners: dict[str, str] = {rel: "static/" + rel for rel, _ in site.static_files}
    jobs = list(plan_pages(site.config, site.index))
    for job in jobs:
        if _claim(owners, job.path, job.source, report) and (render_only is None or render_only(job.source)):
            html = renderer.render(job, report)
            if html is not None:
                rendered[job.path] = (job, html)
    for file in _generated_files(site, jobs):
        if _claim(owners, file.path, file.source, report):
            _check_generated(file, report)
    check_links(site.root, site.config.base_url, rendered.values(), set(owners), report)
    check_editorial(site, report, render_only)  # after the link check, which it does not repeat
    return report


def _claim(owners: dict[str, str], path: str, source: str, report: Report) -> bool:
    if path in owners:
        report.error(source, None, f"output file {path} is also written by {owners[path]}")
        return False
    owners[path] = source
    return True


def _check_generated(file: GeneratedFile, report: Report) -> None:
    """Parse back a feed or sitemap as it would be written; report what is invalid in it."""
    for problem in file.problems():
        report.error(file.path, None, f"invalid {file.source}: {problem}")


def output_problem(root: Path, output: Path) -> str | None:
    """Why `output` cannot be the output folder, or None."""
    return _output_problem(root, output, SOURCE_FOLDERS)


def _output_folder(site: Site, options: BuildOptions, report: Report) -> Path | None:
    if options.output is not None:
        return options.output.resolve()  # checked by check_output_option before loading
    output = site.root / site.config.output_dir
    problem = output_problem(site.root, output)
    if problem:
        report.error("gettimes.yaml", None, f"output_dir: {problem}")
        return None
    return output.resolve()


def check_output_option(root: Path, options: BuildOptions) -> None:
    """Refuse an --output that would overwrite the sources: a usage error (exit 2)."""
    if options.output is not None:
        problem = output_problem(root, options.output)
        if problem:
            raise UsageError(f"--output: {problem}")


def _static_files(root: Path) -> tuple[tuple[str, Path], ...]:
    """Theme static files, then the site's static/ over them, file by file."""
    files: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", root / "static"):
        for path in _walk(folder):
            files[path.relative_to(folder).as_posix()] = path
    return tuple(sorted(files.items()))


def _walk(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith("."))


def _warn_unknown_reporters(articles: list[Article], report: Report) -> None:
    warned: set[str] = set()
    for article in articles:
        for author in article.authors:
            if not author.known and author.name not in warned:
                warned.add(author.name)
                report.warning(article.source, None,
                               f"reporter '{author.name}' has no profile in data/authors.yaml "
                               "(a typo?); a reporter page is made anyway")
