"""The quick rebuild after edits that change only article bodies.

Fixing a typo in paragraph five is the most common change to a news site, and it
changes very little of the output: the article's own page and the feeds that carry
its full text. Nothing else shows a body: listings show an article's "card" (title,
summary, date, image, ...), which the edit leaves as it was. So, when every changed
file is an article whose card is unchanged, the build swaps the old body for the new
one in those few files, instead of loading the whole site again.

It is a shortcut, never a different result: it runs only when the last build into
the same output recorded everything it needs and the output and the spare staging
folder are as that build left them, and it gives up (the full build runs) on
anything unexpected. The result is the one a full build gives, byte for byte;
tests/test_bodyedit.py holds it to that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gettimes import urls
from gettimes.article_store import LoadOutcome, Unpacker, pack
from gettimes.cache import BuildCache, WrittenPage
from gettimes.config import SiteConfig
from gettimes.content import ArticleLoader, load_authors
from gettimes.diagnostics import Report
from gettimes.feeds import escaped_content
from gettimes.fingerprint import card_digest, own_article_fingerprint
from gettimes.freshness import Freshness, package_digest
from gettimes.output import StagedOutput, Tree, tree_matches
from gettimes.sources import SourceScan, content_digest
from gettimes.splicing import splice

MAX_FILES = 20  # beyond this many changed files the full build is no slower
Counts = tuple[int, int]  # files written, files unchanged


@dataclass(frozen=True, slots=True)
class BodyEditState:
    """What a full build leaves for the quick rebuild (kept in the build cache)."""

    options_key: str
    code: str  # freshness.package_digest() of the build
    articles: Mapping[str, tuple[str, str]]  # source -> (cache key, URL of its page, "" if none)
    feeds_of: Mapping[str, tuple[str, ...]]  # article URL -> the files holding its whole body
    spliceable: bool  # the templates print a body on its own article page only


def rebuild_bodies(root: Path, config: SiteConfig, now: datetime, inputs: str, cache: BuildCache,
                   sources: SourceScan, record: Freshness, output_dir: Path, found: FewEdits | None,
                   search_index: bool = True, checked: bool = False,
                   committed: Callable[[Counts], None] | None = None) -> Counts | None:
    """Apply body-only edits to the output; (files written, files unchanged), or None to build in full.

    `found` is what `edited_articles` found. `checked`: the output and the spare staging
    folder were just found as the cache records them (`read_cache_ahead`). `committed` is
    told the counts as soon as the new output is in place, before the cache is updated."""
    spare = cache.kept("spare")
    if not (spare is None or isinstance(spare, Tree)) or (config.search and search_index):
        return None  # with search on, Pagefind would index it all again
    if found is None or not found[0].spliceable or record.left:
        return None  # pages left by the last build for a second swap: the full build writes them
    state, changed = found
    loader = ArticleLoader(root, config, load_authors(root, config, Report()))
    edits = [edit for rel in changed if (edit := _body_edit(rel, root, loader, state, cache)) is not None]
    if len(edits) != len(changed):
        return None  # found first: loading the edited files costs less than checking the output
    if not checked and not tree_matches(output_dir, record.tree):
        return None  # the output is not as the last build left it: the full build repairs it
    return _apply(edits, config, now, inputs, cache, sources, record, spare, state, output_dir, checked, committed)


# What the last build left for later builds, and the article files changed since (edited_articles).
FewEdits = tuple[BodyEditState, list[str]]


def edited_articles(cache: BuildCache, sources: SourceScan, record: Freshness, options_key: str,
                    now: datetime) -> FewEdits | None:
    """What the last build left for later builds, and the article files changed since, when
    that build's state still holds (the same options, code and clock window) and nothing
    changed but a few of its article files (none added or removed, no other file)."""
    state = cache.kept("bodies")
    previous_sources = cache.kept("sources")
    if not (isinstance(state, BodyEditState) and isinstance(previous_sources, Mapping)
            and state.options_key == options_key and state.code == package_digest()
            and record.built_at <= now < record.valid_until):
        return None
    changed = changed_files(previous_sources, sources)
    if not changed or len(changed) > MAX_FILES or any(rel not in state.articles for rel in changed):
        return None
    return state, changed


def previous_outcome(cache: BuildCache, state: BodyEditState, rel: str) -> LoadOutcome | None:
    """How the article file `rel` loaded in the last build, from the build cache."""
    key = state.articles[rel][0]
    row = cache.articles.get(key) or cache.article_row(key)  # the shard alone, if no build read them all
    try:
        return Unpacker().unpack(row) if row is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class _Edit:
    rel: str
    old: LoadOutcome
    new: LoadOutcome
    url: str  # its page, or "" when it has none (a draft)


def changed_files(previous: Mapping[str, object], sources: SourceScan) -> list[str] | None:
    """The files whose digest changed; None when a file was added or removed."""
    if previous.keys() != sources.known.keys():
        return None
    changed = []
    for rel, (_, value) in sources.known.items():
        entry = previous[rel]
        if not (isinstance(entry, tuple) and len(entry) == 2):
            return None
        if entry[1] != value:
            changed.append(rel)
    return changed


def _body_edit(rel: str, root: Path, loader: ArticleLoader, state: BodyEditState, cache: BuildCache) -> _Edit | None:
    """The edit of one article file, if it changed nothing but the body."""
    url = state.articles[rel][1]
    old = previous_outcome(cache, state, rel)
    if old is None:
        return None
    try:
        data = (root / rel).read_bytes()
    except OSError:
        return None
    report = Report()
    loaded = loader.load_bytes(rel, data, report)
    if loaded is None or report.items or old.loaded is None or old.diagnostics:
        return None  # a message to show, or gone: the full build says what it has to
    new = LoadOutcome(rel, cache.article_key(rel, content_digest(data)), loaded, (), card_digest(loaded.article))
    before, after = old.loaded, new.loaded
    assert after is not None
    if (new.card != old.card or after.article.slug != before.article.slug or after.explicit_slug != before.explicit_slug
            or after.permalink != before.permalink or (url and url != after.article.url)):
        return None
    return _Edit(rel, old, new, url)


def _apply(edits: list[_Edit], config: SiteConfig, now: datetime, inputs: str, cache: BuildCache,
           sources: SourceScan, record: Freshness, spare: Tree | None, state: BodyEditState,
           output_dir: Path, checked: bool, committed: Callable[[Counts], None] | None) -> Counts | None:
    """Splice the new bodies into the files that hold them; None if one of them is not as expected."""
    replacements: dict[str, bytes] = {}
    records: dict[str, WrittenPage] = {}
    for edit in edits:
        if not edit.url:
            continue
        assert edit.old.loaded is not None and edit.new.loaded is not None
        old_body, new_body = edit.old.loaded.article.body_html, edit.new.loaded.article.body_html
        page = urls.output_path(edit.url)
        written = cache.written_page(page) if page is not None else None
        if page is None or written is None or not written.context:
            return None
        pieces = [(old_body.encode(), new_body.encode())]
        if not _splice(output_dir, page, pieces, replacements):
            return None
        fingerprint = own_article_fingerprint(written.context, edit.new.key, edit.new.loaded.article.slug)
        records[page] = WrittenPage(fingerprint, 0, 0, written.context, written.partials)
        feed_pieces = [(escaped_content(config, edit.url, old_body), escaped_content(config, edit.url, new_body))]
        for feed in state.feeds_of.get(edit.url, ()):
            if not _splice(output_dir, feed, feed_pieces, replacements):
                return None
            records[feed] = WrittenPage("", 0, 0)  # made in full by the next full build: it costs one feed
    output = StagedOutput(output_dir, spare)
    if not output.open_as(spare, record.tree, checked):
        return None
    output.keep_previous()
    for rel, data in sorted(replacements.items()):
        output.write(rel, data)
    counts = output.commit([rel for rel, _, _ in record.tree.files])
    result = (counts.written, len(counts.tree.files) - counts.written)
    if committed is not None:
        committed(result)
    _remember(edits, records, counts.tree, inputs, now, cache, sources, record, state)
    return result


def _splice(output_dir: Path, rel: str, pieces: list[tuple[bytes, bytes]], replacements: dict[str, bytes]) -> bool:
    """Replace each old piece, which must stand exactly once in the file, by the new one."""
    data = replacements.get(rel)
    if data is None:
        try:
            data = (output_dir / rel).read_bytes()
        except OSError:
            return False
    spliced = splice(data, pieces)
    if spliced is None:
        return False
    replacements[rel] = spliced
    return True


def _remember(edits: list[_Edit], records: dict[str, WrittenPage], tree: Tree, inputs: str, now: datetime,
              cache: BuildCache, sources: SourceScan, record: Freshness, state: BodyEditState) -> None:
    """Update the build cache as the full build would have left it."""
    sizes = {rel: (size, mtime_ns) for rel, size, mtime_ns in tree.files}
    pages = dict(cache.pages)
    for path, page in records.items():
        size, mtime_ns = sizes[path]
        pages[path] = (page.fingerprint, size, mtime_ns, page.context, page.partials)
    articles = dict(state.articles)
    for edit in edits:
        cache.replace_article(edit.old.key, edit.new.key, pack(edit.new))
        articles[edit.rel] = (edit.new.key, edit.url)
    cache.keep_all_derived()
    cache.keep("sources", sources.known)
    cache.keep("spare", record.tree)
    cache.keep("bodies", BodyEditState(state.options_key, state.code, articles, state.feeds_of, state.spliceable))
    cache.save(pages, Freshness(inputs, now, record.valid_until, tree, record.pages, record.warnings))
