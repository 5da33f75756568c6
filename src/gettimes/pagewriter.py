"""Render the planned pages into the staged output.

A page whose fingerprint matches the one recorded when its file was last written
is taken from the previous output; the others are rendered, in parallel when there
are many. Either way the staged tree is the one a full, serial build would write.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gettimes import __version__
from gettimes.article_store import LoadOutcome
from gettimes.cache import BuildCache, WrittenPage, digest
from gettimes.diagnostics import Diagnostic, Report
from gettimes.feeds import GeneratedFile
from gettimes.fingerprint import Fingerprinter, shows_any
from gettimes.freshness import package_digest
from gettimes.output import StagedOutput
from gettimes.parallel import run_tasks, tapered
from gettimes.render import THEME_DIR, PageJob, PageReads, PageRenderer
from gettimes.splicing import splice

Progress = Callable[[int, int], None]
PARALLEL_FROM = 300  # pages to render before processes pay off
LATER_FROM = 200  # pages to render before serve shows the saved articles' own pages first (`later`)
PARTIALS_KEPT = "partials"  # the build partials' digest and HTML, kept for the next build
# Partials of builds before the last kept too: pages a stopped second swap left (see `Later`) hold them.
PARTIALS_GENERATIONS = 4
PAGE_GLOBAL_KEPT = "page global"  # the part of page fingerprints that every page shares
PAGE_READS_KEPT = "page reads"  # what pages read of the shared context (PageRenderer.page_reads)
MIN_SPLICED = 32  # bytes: a partial shorter than this could stand in a page by chance

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
                progress: Progress | None, shown_only: frozenset[str] | None = None,
                showing: frozenset[str] | None = None, later: list[Later] | None = None,
                meanwhile: Callable[[], None] | None = None) -> dict[str, WrittenPage]:
    """Write every page; returns what the cache should remember of each file. `meanwhile` is
    called once, while worker processes render them.

    A page is taken from the previous output when its fingerprint and the build partials
    are unchanged. When only the partials changed (a new day moved Weekly Hot Issue, say),
    the new partials take the old ones' place in the previous file (see `partial_pieces`).
    `shown_only` names the article files whose edits changed only what pages show of them
    (carryover.py): a page that shows none of them keeps its last fingerprint, if what
    every page shares is unchanged too. `showing`, when given, names the pages that show
    them, which spares looking through every page's context (prepared.py knows them).

    With `later` (serve), a page that needs only the new partials spliced in keeps its
    previous file for now: it is recorded as it was, and added to `later` to be written
    after the output is in place (`Later.write`). So does a page to render, when there are
    many after edits that changed what articles show (a title in a reporter's box of
    hundreds of pages), unless it is one of the edited articles' own pages or is new.
    """
    sources = _template_sources(renderer.site_dir)
    # Reading what templates read means parsing them all: kept while they and the partials are the same.
    reads_key = digest(package_digest(), *(f"{name}\n{text}" for name, text in sources), *sorted(renderer.partials))
    reads = cache.derive(PAGE_READS_KEPT, reads_key, renderer.page_reads)
    fingerprints = _fingerprinter(renderer, outcomes, sources, reads)
    carry = shown_only is not None and cache.kept(PAGE_GLOBAL_KEPT) == fingerprints.global_digest
    cache.keep(PAGE_GLOBAL_KEPT, fingerprints.global_digest)
    edited = {id(article) for article in renderer.articles if article.source in shown_only} if carry and shown_only \
        else set()
    partials = renderer.partials_digest()
    generations = _generations(cache.kept(PARTIALS_KEPT))
    pieces = partial_pieces(renderer, sources, generations)
    kept = [(partials, dict(renderer.partials)), *(old for old in generations if old[0] != partials)]
    cache.keep(PARTIALS_KEPT, tuple(kept[:PARTIALS_GENERATIONS]))
    written: dict[str, WrittenPage] = {}
    pending: list[_Task] = []
    deferred: list[_Task] = []
    claimed = [job for job in jobs if output.claim(job.path, job.source, report)]
    for position, job in enumerate(claimed):
        previous = cache.written_page(job.path)
        if previous is None:
            pending.append((position, None, None))  # fingerprinted where it is rendered, in parallel
            continue
        if carry and previous.fingerprint and \
                not (job.path in showing if showing is not None else shows_any(job.context, edited)):
            if previous.partials == partials and output.reuse(job.path, previous.size, previous.mtime_ns):
                written[job.path] = previous  # the commonest case after a title edit, kept short
                continue
            fingerprint, context = previous.fingerprint, previous.context
        else:
            fingerprint, context = fingerprints.page(job)
        page = WrittenPage(fingerprint, 0, 0, context, partials)
        if previous.fingerprint != fingerprint or previous.context != context:
            pending.append((position, page, None))
        elif previous.partials == partials and output.reuse(job.path, previous.size, previous.mtime_ns):
            written[job.path] = previous
        elif previous.partials in pieces:
            if later is not None and output.reuse(job.path, previous.size, previous.mtime_ns):
                written[job.path] = previous
                deferred.append((position, page, previous))
            else:
                pending.append((position, page, previous))  # spliced, or rendered if the file is not as recorded
        else:
            pending.append((position, page, None))
    if later is not None and shown_only and len(pending) > LATER_FROM:
        pending, left = _own_pages_first(pending, claimed, shown_only, cache, output, written)
        deferred += left
    state = _State(claimed, renderer, output.final, output.fresh, pieces, fingerprints, partials)
    _run_tasks(state, pending, output, workers, report, written, progress, len(claimed) - len(pending), meanwhile)
    if later is not None and deferred:
        later.append(Later(dataclasses.replace(state, fresh=False), tuple(deferred)))
    return written


def _own_pages_first(tasks: list[_Task], jobs: Sequence[PageJob], edited: frozenset[str], cache: BuildCache,
                     output: StagedOutput, written: dict[str, WrittenPage]) -> tuple[list[_Task], list[_Task]]:
    """The tasks to do now (the pages of the `edited` sources, and pages not written before),
    and those left for later, whose previous files are kept (and recorded) meanwhile."""
    now: list[_Task] = []
    left: list[_Task] = []
    for task in tasks:
        job = jobs[task[0]]
        previous = cache.written_page(job.path)
        if job.source in edited or previous is None or not output.reuse(job.path, previous.size, previous.mtime_ns):
            now.append(task)
        else:
            # Kept as it was, but no longer what its fingerprint was made of: should the second
            # swap not happen, the next build renders it, whatever it edits (no fingerprint carried).
            written[job.path] = dataclasses.replace(previous, fingerprint="")
            left.append(task)
    return now, left


@dataclass(frozen=True, slots=True)
class Later:
    """Pages left by `write_pages` as they were until the output is in place (most need only
    the new partials spliced into their previous file): `gettimes serve` reloads the open
    pages first, as a new title in a sidebar box changes every page."""

    state: _State
    tasks: tuple[_Task, ...]

    def write(self, output: StagedOutput, workers: int, report: Report,
              stop: Callable[[], bool] | None = None) -> dict[str, WrittenPage]:
        """Write them into `output`, opened as a copy of the output they were left in; the records
        of those written, which are fewer than the tasks when `stop` said so between two pages."""
        written: dict[str, WrittenPage] = {}
        _run_tasks(dataclasses.replace(self.state, stop=stop), self.tasks, output, workers, report, written, None, 0)
        return written


def _run_tasks(state: _State, tasks: Sequence[_Task], output: StagedOutput, workers: int, report: Report,
               written: dict[str, WrittenPage], progress: Progress | None, done: int,
               meanwhile: Callable[[], None] | None = None) -> None:
    """Render or splice the pages of `tasks`, in worker processes when there are many."""
    total = done + len(tasks)

    def collect(result: _Rendered) -> None:
        nonlocal done
        written.update(result.pages)
        output.written_elsewhere(path for path, _ in result.pages)
        report.extend(result.diagnostics)
        output.written += result.written
        output.unchanged += result.unchanged
        done += len(result.pages)
        if progress is not None:
            progress(done, total)

    workers = workers if len(tasks) >= PARALLEL_FROM else 1
    if progress is not None and tasks:
        progress(done, total)  # rendering starts: the rate counts from here
    run_tasks(_write_chunk, state, tapered(tasks, workers), workers, collect, meanwhile)


Pieces = tuple[tuple[bytes, bytes], ...]  # (old HTML, new HTML) of each build partial that changed
Generation = tuple[str, dict[str, str]]  # a build's partials: their digest, and the HTML of each


def _generations(kept: object) -> list[Generation]:
    """The partials kept by the builds before (`PARTIALS_KEPT`), newest first."""
    if not isinstance(kept, tuple):
        return []
    return [item for item in kept
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)]


def partial_pieces(renderer: PageRenderer, templates: list[tuple[str, str]],
                   generations: Sequence[Generation]) -> dict[str, Pieces]:
    """For the partials of each build before (`generations`), the pieces that turn a page
    written with them into one with this build's, when that is safe; by the old partials' digest.

    It is safe when every template prints each changed partial as it is (`{{ sidebar_html }}`),
    so that a page holds the old partial's HTML exactly where the new one belongs; the splice
    then checks that the old HTML stands once in the file. A partial of a few bytes could
    stand in the page by chance, so such partials are not spliced.
    """
    sources = [text for _, text in templates]
    found: dict[str, Pieces] = {}
    for old_digest, old_partials in generations:
        if old_partials.keys() != renderer.partials.keys():
            continue
        pieces = []
        for key, new in sorted(renderer.partials.items()):
            old = old_partials[key]
            if not isinstance(old, str):
                break
            if old == new:
                continue
            if len(old) < MIN_SPLICED or not all(_printed_as_is(text, key) for text in sources):
                break
            pieces.append((old.encode("utf-8"), str(new).encode("utf-8")))
        else:
            found[old_digest] = tuple(pieces)
    return found


def _printed_as_is(source: str, name: str) -> bool:
    """Whether every mention of the variable `name` in a template is `{{ name }}`."""
    mentions = len(re.findall(rf"\b{name}\b", source))
    return mentions == len(re.findall(rf"{{{{-?\s*{name}\s*-?}}}}", source))


def write_generated(files: Sequence[GeneratedFile], output: StagedOutput, cache: BuildCache,
                    report: Report, workers: int = 1) -> dict[str, WrittenPage]:
    """Write feeds and sitemaps; one whose key is unchanged is taken from the output unmade.

    The others are made in `workers` processes when there are many (a feed per tag and
    reporter: hundreds on a large site)."""
    code = package_digest()
    written: dict[str, WrittenPage] = {}
    pending: list[tuple[int, str]] = []
    for position, file in enumerate(files):
        if not output.claim(file.path, file.source, report):
            continue
        fingerprint = digest("generated", code, file.key)
        previous = cache.written_page(file.path)
        if previous is not None and previous.fingerprint == fingerprint and \
                output.reuse(file.path, previous.size, previous.mtime_ns):
            written[file.path] = previous
        else:
            pending.append((position, fingerprint))

    def collect(result: _Rendered) -> None:
        written.update(result.pages)
        output.written_elsewhere(path for path, _ in result.pages)
        output.written += result.written
        output.unchanged += result.unchanged

    workers = workers if len(pending) >= PARALLEL_FROM else 1
    run_tasks(_make_generated, (files, output.final, output.fresh), tapered(pending, workers), workers,
              collect)
    return written


def _make_generated(state: tuple[Sequence[GeneratedFile], Path, bool],
                    chunk: Sequence[tuple[int, str]]) -> _Rendered:
    files, final, fresh = state
    output = StagedOutput(final, fresh=fresh)  # the same staging folder, seen from this process
    pages = []
    for position, fingerprint in chunk:
        file = files[position]
        stat = output.write(file.path, file.data)
        pages.append((file.path, WrittenPage(fingerprint, stat.st_size, stat.st_mtime_ns)))
    return _Rendered(output.written, output.unchanged, tuple(pages), ())


@dataclass(frozen=True, slots=True)
class _State:
    jobs: Sequence[PageJob]
    renderer: PageRenderer
    final: Path  # the output folder
    fresh: bool  # its staging folder was opened fresh (StagedOutput.fresh)
    pieces: Mapping[str, Pieces]  # partial_pieces
    fingerprints: Fingerprinter  # for the pages new since the last build (a task without a record)
    partials: str  # the build partials' digest
    stop: Callable[[], bool] | None = None  # asked before each page (in each worker): True ends the chunk there


# A page to write: its place among the jobs, what to record of it (None for a page the last
# build did not write: worked out where it is rendered), and the record of its previous file
# when that file only needs the new partials spliced in.
_Task = tuple[int, WrittenPage | None, WrittenPage | None]


def _write_chunk(state: _State, chunk: Sequence[_Task]) -> _Rendered:
    output = StagedOutput(state.final, fresh=state.fresh)  # the same staging folder, seen from this process
    report = Report()
    pages = []
    for position, page, previous in chunk:
        if state.stop is not None and state.stop():
            break
        job = state.jobs[position]
        html = _spliced(state, job.path, previous) if previous is not None else None
        if html is None:
            html = state.renderer.render(job, report)
        if html is None:
            continue
        stat = output.write(job.path, html)
        if page is None:
            fingerprint, context = state.fingerprints.page(job)
            page = WrittenPage(fingerprint, 0, 0, context, state.partials)
        pages.append((job.path, WrittenPage(page.fingerprint, stat.st_size, stat.st_mtime_ns, page.context,
                                            page.partials)))
    return _Rendered(output.written, output.unchanged, tuple(pages), tuple(report.items))


def _spliced(state: _State, rel: str, previous: WrittenPage) -> bytes | None:
    """The previous file of `rel` with the new partials in it, if it is still the file the cache records."""
    try:
        with open(f"{state.final}/{rel}", "rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size != previous.size or stat.st_mtime_ns != previous.mtime_ns:
                return None
            data = handle.read()
    except OSError:
        return None
    return splice(data, state.pieces[previous.partials])


def _fingerprinter(renderer: PageRenderer, outcomes: Mapping[str, LoadOutcome], sources: list[tuple[str, str]],
                   reads: PageReads) -> Fingerprinter:
    outside_article = "".join(text for name, text in sources if not name.endswith("/article.html"))
    # What pages read only through the build partials is no input of theirs: the partials are
    # compared on their own (write_pages). The configuration counts whole, as templates are
    # compiled with it (translations, the base URL).
    shared: dict[str, Any] = {name: value for name, value in renderer.shared.items() if name in reads.names}
    site = shared.get("site")
    if site is not None and reads.site_fields is not None:
        shared["site"] = {name: getattr(site, name) for name in sorted(reads.site_fields) if hasattr(site, name)}
    return Fingerprinter(
        [__version__, package_digest(), repr(renderer.config), *(f"{name}\n{text}" for name, text in sources)],
        shared, outcomes, bool(_BODY_OUTSIDE_ARTICLE.search(outside_article)),
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
