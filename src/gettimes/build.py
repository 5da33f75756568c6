"""The recipes: load a site, build it, check it. Each stage is one line here."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import jinja2

from gettimes.articles import load_articles
from gettimes.cache import BuildCache, WrittenPage, digest
from gettimes.config import SiteConfig, load_config
from gettimes.content import (
    ARTICLES_DIR,
    AUTHORS_FILE,
    PAGES_DIR,
    ArticleLoader,
    assign_unique_slugs,
    discover,
    load_authors,
    load_page,
)
from gettimes.diagnostics import Diagnostic, Report, SiteError, UsageError
from gettimes.feeds import GeneratedFile, make_feeds
from gettimes.freshness import Freshness, input_digest, is_fresh, output_files, valid_until
from gettimes.index import PublishRules, SiteIndex, build_index
from gettimes.links import check_links
from gettimes.markdown import MarkdownRenderer
from gettimes.models import Article
from gettimes.output import StagedOutput
from gettimes.output import output_problem as _output_problem
from gettimes.pagewriter import templates_read_the_clock, write_pages
from gettimes.parallel import default_jobs
from gettimes.render import (
    THEME_DIR,
    PageJob,
    PageRenderer,
    check_templates,
    make_environment,
    plan_pages,
)
from gettimes.search import index_search
from gettimes.sitemaps import make_sitemaps
from gettimes.stats import rank_articles, read_stats

SOURCE_FOLDERS = ("content", "templates", "static", "data")
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
    source_digests: Mapping[str, str]  # article source path -> digest of its bytes and settings


@dataclass(frozen=True, slots=True)
class BuildResult:
    output_dir: Path
    pages: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    warnings: tuple[Diagnostic, ...]


def load_site(root: Path, options: BuildOptions, report: Report, cache: BuildCache | None = None) -> Site | None:
    """Read and validate everything; the first half of build and all of check."""
    config = load_config(root, report, options.base_url)
    if config is None:
        return None
    now = options.now.astimezone(config.timezone)
    authors = load_authors(root, config, report)
    loader = ArticleLoader(root, config, authors)
    cache = cache or BuildCache.empty(root, _settings_digest(root, config))
    loaded, source_digests = load_articles(root, discover(root / ARTICLES_DIR), loader, cache, options.workers,
                                           report)
    articles = assign_unique_slugs(loaded, report)
    markdown = MarkdownRenderer(config.markdown_html)
    pages = [page for path in discover(root / PAGES_DIR) if (page := load_page(path, root, markdown, report))]
    _warn_unknown_reporters(articles, report)
    rules = PublishRules(now, options.drafts, options.future)
    views = read_stats(root, config, articles, pages, now, report)
    ranked = rank_articles(articles, rules, views, config.sidebar_items)
    index = build_index(config, articles, pages, rules, ranked.most_viewed, ranked.weekly_hot, ranked.by_author)
    templates = make_environment(root, config)
    check_templates(templates, root, report)
    static_files = _static_files(root)
    if report.has_errors:
        return None
    return Site(root, config, tuple(articles), index, templates, static_files, now,
                MappingProxyType(source_digests))


def _settings_digest(root: Path, config: SiteConfig) -> str:
    """What, besides its own bytes, decides how an article file loads."""
    authors = root / AUTHORS_FILE
    return digest(repr(config), authors.read_bytes() if authors.is_file() else b"")


def build_site(root: Path, options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site into its output folder, all or nothing; raise SiteError on problems."""
    started = time.perf_counter()
    check_output_option(root, options)
    report = Report()
    config = load_config(root, Report(), options.base_url)
    planned_output = (options.output or root / (config.output_dir if config else "public")).resolve()
    cache = _open_cache(root, config, planned_output, options)
    inputs = input_digest(root, repr((options.drafts, options.future, options.base_url, str(planned_output))))
    record = cache.freshness if isinstance(cache.freshness, Freshness) else None
    if options.cache and record is not None and is_fresh(record, inputs, options.now, planned_output):
        return BuildResult(planned_output, record.pages, 0, len(record.files), 0, time.perf_counter() - started,
                           record.warnings)
    site = load_site(root, options, report, cache)
    output_dir = _output_folder(site, options, report) if site is not None else None
    if site is None or output_dir is None:
        raise SiteError(report)
    jobs = list(plan_pages(site.config, site.index))
    generated = _generated_files(site, jobs)
    output = StagedOutput(output_dir).open()
    try:
        written = _write_site(site, jobs, generated, output, cache, options.workers, report, progress)
        if options.search_index:
            index_search(site.config, output, report)
        if report.has_errors:
            raise SiteError(report)
        counts = output.commit()
    except BaseException:
        output.discard()
        raise
    if options.cache:
        fresh_until = options.now if templates_read_the_clock(root) else \
            valid_until(site.articles, options.now, site.config.timezone, options.drafts)
        cache.save(written, Freshness(inputs, options.now, fresh_until, output_files(output_dir), len(jobs),
                                      tuple(report.warnings)))
    return BuildResult(output_dir, len(jobs), counts.written, counts.unchanged, counts.removed,
                       time.perf_counter() - started, tuple(report.warnings))


def _open_cache(root: Path, config: SiteConfig | None, output_dir: Path, options: BuildOptions) -> BuildCache:
    """The build cache, or an empty one when caching is off or the configuration is broken."""
    if config is None:
        return BuildCache.empty(root, "")
    salt = _settings_digest(root, config)
    return BuildCache.open(root, salt, output_dir) if options.cache else BuildCache.empty(root, salt)


def _generated_files(site: Site, jobs: list[PageJob]) -> list[GeneratedFile]:
    """Feeds, sitemaps and robots.txt: made from the index, not from templates."""
    return [*make_feeds(site.config, site.index, site.static_files),
            *make_sitemaps(site.config, site.index, jobs, site.now)]


def _write_site(site: Site, jobs: list[PageJob], generated: list[GeneratedFile], output: StagedOutput,
                cache: BuildCache, workers: int, report: Report,
                progress: Progress | None) -> dict[str, WrittenPage]:
    for rel, source in site.static_files:
        if output.claim(rel, "static/" + rel, report):
            output.copy(rel, source)
    renderer = PageRenderer(site.templates, site.root, site.config, site.index, site.now)
    written = write_pages(jobs, renderer, output, cache, site.source_digests, workers, report, progress)
    for file in generated:
        if output.claim(file.path, file.source, report):
            output.write(file.path, file.data)
    return written


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
