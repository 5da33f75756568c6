"""Render the planned pages into the staged output.

A page whose fingerprint matches the one recorded when its file was last written
is taken from the previous output; the others are rendered, in parallel when there
are many. Either way the staged tree is the one a full, serial build would write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gettimes import __version__
from gettimes.article_store import LoadOutcome
from gettimes.cache import BuildCache, WrittenPage, digest
from gettimes.diagnostics import Diagnostic, Report
from gettimes.feeds import GeneratedFile
from gettimes.fingerprint import Fingerprinter
from gettimes.freshness import package_digest
from gettimes.output import StagedOutput
from gettimes.parallel import chunked, run_tasks
from gettimes.render import THEME_DIR, PageJob, PageRenderer

Progress = Callable[[int, int], None]
PARALLEL_FROM = 300  # pages to render before processes pay off

# A template that shows article bodies outside the article page, or prints the
# build time, makes those inputs part of every page's fingerprint.
_BODY_OUTSIDE_ARTICLE = re.compile(r"(?<!page\.)\bbody_html\b")
_NOW = re.compile(r"{[{%][^}]*\bnow\b")


@dataclass(frozen=True, slots=True)
class _Rendered:
    written: int
    unchanged: int
    pages: tuple[tuple[str, WrittenPage], ...]
    diagnostics: tuple[Diagnostic, ...]


def write_pages(jobs: Sequence[PageJob], renderer: PageRenderer, output: StagedOutput, cache: BuildCache,
                outcomes: Mapping[str, LoadOutcome], workers: int, report: Report,
                progress: Progress | None) -> dict[str, WrittenPage]:
    """Write every page; returns what the cache should remember of each file."""
    fingerprints = _fingerprinter(renderer, outcomes)
    written: dict[str, WrittenPage] = {}
    pending: list[tuple[int, str, str]] = []
    claimed = [job for job in jobs if output.claim(job.path, job.source, report)]
    for position, job in enumerate(claimed):
        fingerprint, context = fingerprints.page(job)
        previous = cache.written_page(job.path)
        if previous is not None and previous.fingerprint == fingerprint and previous.context == context and \
                output.reuse(job.path, previous.size, previous.mtime_ns):
            written[job.path] = previous
        else:
            pending.append((position, fingerprint, context))
    done = len(claimed) - len(pending)

    def collect(result: _Rendered) -> None:
        nonlocal done
        written.update(result.pages)
        report.extend(result.diagnostics)
        output.written += result.written
        output.unchanged += result.unchanged
        done += len(result.pages)
        if progress is not None:
            progress(done, len(claimed))

    workers = workers if len(pending) >= PARALLEL_FROM else 1
    state = (claimed, renderer, output.final)
    run_tasks(_render_chunk, state, chunked(pending, workers * 8), workers, collect)
    return written


def write_generated(files: Sequence[GeneratedFile], output: StagedOutput, cache: BuildCache,
                    report: Report) -> dict[str, WrittenPage]:
    """Write feeds and sitemaps; one whose key is unchanged is taken from the output unmade."""
    code = package_digest()
    written: dict[str, WrittenPage] = {}
    for file in files:
        if not output.claim(file.path, file.source, report):
            continue
        fingerprint = digest("generated", code, file.key)
        previous = cache.written_page(file.path)
        if previous is None or previous.fingerprint != fingerprint or \
                not output.reuse(file.path, previous.size, previous.mtime_ns):
            output.write(file.path, file.data)
        stat = output.stat(file.path)
        written[file.path] = WrittenPage(fingerprint, stat.st_size, stat.st_mtime_ns)
    return written


def _render_chunk(state: tuple[Sequence[PageJob], PageRenderer, Path],
                  chunk: Sequence[tuple[int, str, str]]) -> _Rendered:
    jobs, renderer, final = state
    output = StagedOutput(final)  # the same staging folder, seen from this process
    report = Report()
    pages = []
    for position, fingerprint, context in chunk:
        job = jobs[position]
        html = renderer.render(job, report)
        if html is None:
            continue
        output.write(job.path, html)
        stat = output.stat(job.path)
        pages.append((job.path, WrittenPage(fingerprint, stat.st_size, stat.st_mtime_ns, context)))
    return _Rendered(output.written, output.unchanged, tuple(pages), tuple(report.items))


def _fingerprinter(renderer: PageRenderer, outcomes: Mapping[str, LoadOutcome]) -> Fingerprinter:
    sources = _template_sources(renderer.site_dir)
    outside_article = "".join(text for name, text in sources if not name.endswith("/article.html"))
    shared = dict(renderer.shared)
    if not any(_NOW.search(text) for _, text in sources):
        shared.pop("now", None)  # no template prints the build time: it is no input of a page
    return Fingerprinter(
        [__version__, package_digest(), *(f"{name}\n{text}" for name, text in sources)],
        shared, outcomes, bool(_BODY_OUTSIDE_ARTICLE.search(outside_article)), renderer.articles,
    )


def bodies_spliceable(site_dir: Path) -> bool:
    """True when an article's body is printed once, as it is, on its own page and nowhere else,
    so that a new body can take the old one's place in the page (bodyedit.py)."""
    sources = _template_sources(site_dir)
    article = [text for name, text in sources if name.endswith("/article.html")][-1:]  # the site's wins
    others = "".join(text for name, text in sources if not name.endswith("/article.html"))
    return (len(article) == 1 and article[0].count("body_html") == 1 and "article.body_html | safe" in article[0]
            and not _BODY_OUTSIDE_ARTICLE.search(others) and not any(_NOW.search(text) for _, text in sources))


def templates_read_the_clock(site_dir: Path) -> bool:
    """True when a template uses `now`, so that every build can change every page."""
    return any(_NOW.search(text) for _, text in _template_sources(site_dir))


def _template_sources(site_dir: Path) -> list[tuple[str, str]]:
    """Every template file a page could use, theme first, with its text."""
    found = []
    for prefix, folder in (("theme", THEME_DIR / "templates"), ("site", site_dir / "templates")):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    found.append((f"{prefix}/{path.relative_to(folder).as_posix()}",
                                  path.read_text("utf-8", errors="replace")))
    return found
