"""The next rebuild's child of `gettimes serve`, started before the save: it reads the build cache
ahead, and a rebuild that uses what it read gives the site a clean build gives."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SiteFactory, options
from gettimes import article_store, bodyedit, serve_worker
from gettimes import build as build_module
from gettimes import output as output_module
from gettimes.build import BuildOptions, CacheAhead, build_site, read_cache_ahead
from gettimes.cache import BuildCache
from gettimes.serve_worker import next_build_job
from serve.support import alive, serving, wait_until
from test_incremental import build_with_a_spare, clean_build, edit, stories, tree
from test_prepared import Uses, preview_options
from test_prepared import stories as stories_with_slugs

STORY = "content/articles/2025/06/story-5.md"
NO_COLLECTIONS = serve_worker._no_collections
# A body edit that leaves the summary (the first paragraph) alone: bodyedit.py's quick rebuild
SECOND_PARAGRAPH = ("Paragraph of story 5.\n", "Paragraph of story 5.\n\nA second paragraph.\n")


@pytest.fixture(autouse=True)
def collector_kept_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jobs turn the garbage collector off in their one-build child; not in this test process."""
    monkeypatch.setattr(serve_worker, "_no_collections", lambda: None)


class Orders:
    """Stands in for the pipe the server sends the build's options on; `meanwhile` runs first."""

    def __init__(self, sent: BuildOptions | None, meanwhile: Callable[[], None] = lambda: None) -> None:
        self.sent = sent
        self.meanwhile = meanwhile

    def poll(self) -> bool:
        return False

    def recv(self) -> BuildOptions:
        self.meanwhile()
        if self.sent is None:
            raise EOFError
        return self.sent


def run_next_build(site: Path, output: Path, orders: Orders, monkeypatch: pytest.MonkeyPatch,
                   trusted: bool = False, expected: BuildOptions | None = None) -> list[CacheAhead | None]:
    """Run the job in this process; what it passes on to the build as read ahead, one per build."""
    handed: list[CacheAhead | None] = []

    def recording(root: Path, options: BuildOptions, results: Any, ahead: CacheAhead | None = None,
                  stop_later: Any = None) -> None:
        handed.append(ahead)
        build_site(root, options, ahead=ahead)

    monkeypatch.setattr(serve_worker, "build_job", recording)
    next_build_job(site, output, trusted, expected, orders, None)  # type: ignore[arg-type]
    return handed


def test_a_save_is_built_with_the_cache_read_before_it(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_site(site, options(output=output))
    orders = Orders(options(output=output), lambda: edit(site / STORY, "Story 5", "Story Five"))
    (ahead,) = run_next_build(site, output, orders, monkeypatch)
    assert ahead is not None and ahead.output == output.resolve()
    assert tree(output) == clean_build(site)


def test_articles_unpacked_ahead_are_taken_as_they_are(make_site: SiteFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_site(site, options(output=output))
    ahead = read_cache_ahead(site, output)
    assert ahead is not None and len(ahead.cache.unpacked) == 8
    edit(site / STORY, "Story 5", "Story Five")
    unpacked: list[str] = []
    unpack = article_store.Unpacker.unpack

    def recording(self: article_store.Unpacker, row: article_store.Row, source: str = "") -> article_store.LoadOutcome:
        unpacked.append(row[0])
        return unpack(self, row, source)

    monkeypatch.setattr(article_store.Unpacker, "unpack", recording)
    build_site(site, options(output=output), ahead=ahead)
    assert set(unpacked) == {STORY}  # only the edited file: the others were unpacked ahead
    assert tree(output) == clean_build(site)


@pytest.mark.parametrize("change", [
    ("body", "Paragraph of story 5", "A new paragraph of story 5"),
    ("title", "Story 5", "Story Five"),
])
def test_the_spare_staging_folder_is_made_ahead(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch,
                                                change: tuple[str, str, str]) -> None:
    """The first save after a cold build finds the staging folder made, in hard links to the
    output's files: it links none of the files it keeps (without it, it links each)."""
    site = make_site(stories(8))
    output = site.parent / "preview"
    staging = site.parent / ".preview.gettimes-tmp"
    build_site(site, options(output=output, search_index=False))
    assert not staging.exists()
    ahead = read_cache_ahead(site, output)
    assert ahead is not None and ahead.cache.kept("spare") is not None
    kept = sorted(path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file())
    assert sorted(path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file()) == kept
    assert all((staging / rel).stat().st_ino == (output / rel).stat().st_ino for rel in kept)
    _, old, new = change
    edit(site / STORY, old, new)
    linked: list[str] = []
    link = os.link

    def counting(source: Any, target: Any, **keywords: Any) -> None:
        linked.append(str(source))
        link(source, target, **keywords)

    monkeypatch.setattr(os, "link", counting)
    build_site(site, options(output=output, search_index=False), ahead=ahead)  # serve indexes apart
    assert linked == []
    assert tree(output) == clean_build(site, search_index=False)


def test_no_spare_is_made_for_an_output_changed_since_its_record(make_site: SiteFactory) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_site(site, options(output=output))
    (output / "index.html").write_text("changed by hand", "utf-8")
    ahead = read_cache_ahead(site, output)
    assert ahead is not None and ahead.cache.kept("spare") is None and not ahead.output_as_recorded
    assert not (site.parent / ".preview.gettimes-tmp").exists()


@pytest.mark.parametrize("change", [("Story 5", "Story Five"), SECOND_PARAGRAPH])
def test_an_output_found_as_recorded_ahead_is_not_checked_again(make_site: SiteFactory, change: tuple[str, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve's next build checks its private output and spare folder while the editor types
    (a body edit takes the quick path of bodyedit.py, a title edit the full build)."""
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_with_a_spare(site, output=output, search_index=False)
    ahead = read_cache_ahead(site, output)
    assert ahead is not None and ahead.output_as_recorded
    edit(site / STORY, *change)
    for module in (build_module, output_module):
        monkeypatch.setattr(module, "tree_matches", lambda *_: pytest.fail("checked again"))
        monkeypatch.setattr(module, "folders_unchanged", lambda *_: pytest.fail("checked again"))
    monkeypatch.setattr(bodyedit, "tree_matches", lambda *_: pytest.fail("checked again"))
    build_site(site, preview_options(output), ahead=ahead)
    monkeypatch.undo()
    assert tree(output) == clean_build(site, search_index=False)
    (output / "tag/topic-1/index.html").write_text("changed by hand", "utf-8")
    ahead = read_cache_ahead(site, output)
    assert ahead is not None and not ahead.output_as_recorded


def test_a_cache_rewritten_meanwhile_is_read_again(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_site(site, options(output=output))

    def other_build() -> None:  # `gettimes build` in a terminal, into the same folder, after an edit
        edit(site / STORY, "Story 5", "Story Five")
        build_site(site, options(output=output))
        edit(site / "content/articles/2025/06/story-3.md", "Story 3", "Story Three")

    (ahead,) = run_next_build(site, output, Orders(options(output=output), other_build), monkeypatch)
    assert ahead is None
    assert tree(output) == clean_build(site)


def test_no_build_when_the_server_sends_no_options(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_site(site, options(output=output))
    assert run_next_build(site, output, Orders(None), monkeypatch) == []


@pytest.mark.parametrize("change", ["language", "output"])
def test_a_cache_read_for_other_settings_is_not_used(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch,
                                                     change: str) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_site(site, options(output=output))
    ahead = read_cache_ahead(site, output)
    assert ahead is not None
    if change == "language":
        edit(site / "gettimes.yaml", "language: en", "language: ko")
    else:
        output = site.parent / "elsewhere"
    opened: list[Path] = []
    open_cache = BuildCache.open.__func__  # type: ignore[attr-defined]

    def counting(cls: type[BuildCache], root: Path, salt: str, out: Path) -> BuildCache:
        opened.append(out)
        return open_cache(cls, root, salt, out)  # type: ignore[no-any-return]

    monkeypatch.setattr(build_module.BuildCache, "open", classmethod(counting))
    build_site(site, options(output=output), ahead=ahead)
    assert opened == [output.resolve()]
    assert tree(output) == clean_build(site)


def test_after_a_clean_build_the_next_child_trusts_the_output_record(make_site: SiteFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The server tells the next build's child when the last build succeeded and its child
    ended cleanly: the output and spare are then as the cache records them, unchecked."""
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_with_a_spare(site, output=output)
    for module in (build_module, output_module):
        monkeypatch.setattr(module, "tree_matches", lambda *_: pytest.fail("checked"))
        monkeypatch.setattr(module, "folders_unchanged", lambda *_: pytest.fail("checked"))
    orders = Orders(options(output=output), lambda: edit(site / STORY, "Story 5", "Story Five"))
    (ahead,) = run_next_build(site, output, orders, monkeypatch, trusted=True)
    assert ahead is not None and ahead.output_as_recorded
    monkeypatch.undo()
    assert tree(output) == clean_build(site)


def test_a_spare_written_into_by_a_stopped_build_is_found_out_ahead(make_site: SiteFactory,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A build stopped mid-way leaves its files in the spare staging folder; untrusted (the
    last build swapped nothing in), the next child finds that out and the build repairs it."""
    site = make_site(stories(8))
    for story in (site / "content/articles/2025/06").glob("story-*.md"):  # a title edit keeps the URL
        edit(story, "category:", f"slug: {story.stem}\ncategory:")
    output = site.parent / "preview"
    build_with_a_spare(site, output=output)
    stale = site.parent / ".preview.gettimes-tmp/tag/topic-2/index.html"  # shows neither edited story
    assert stale.stat().st_nlink == 2  # the output's very file, so far
    stale.unlink()
    stale.write_text("half a build", "utf-8")  # as a stopped build writes: a new file in the spare
    build_site(site, options(output=output))  # nothing to do: nothing swapped in
    oldest = site / "content/articles/2025/06/story-0.md"  # in no sidebar box: few pages show it
    orders = Orders(options(output=output), lambda: edit(oldest, "Story 0", "Story Zero"))
    (ahead,) = run_next_build(site, output, orders, monkeypatch, trusted=False)
    assert ahead is not None and not ahead.output_as_recorded
    assert tree(output) == clean_build(site)


def test_the_server_trusts_the_output_only_after_a_build_that_swapped_it_in(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new child is started when the last build's child ended instead of staying for the next
    build (test_serve_rollover.py): after new settings, or a failed build."""
    site = make_site(stories(8))
    told: list[bool] = []
    with serving(site) as running:
        preview = running.server.preview
        start_next = preview._start_next
        monkeypatch.setattr(preview, "_start_next", lambda trusted: (told.append(trusted), start_next(trusted)))
        # New settings: the build opens the cache files anew, and its child ends after it.
        running.write("gettimes.yaml", (site / "gettimes.yaml").read_text("utf-8").replace("paginate: 2",
                                                                                            "paginate: 3"))
        wait_until(lambda: told, "the next child started")
        first = wait_until(lambda: preview._next, "the next child waiting")
        # The same bytes again: nothing to do, nothing swapped in; the child stays.
        rebuilt = sum("Rebuilt (" in line for line in running.lines)
        running.write(STORY, (site / STORY).read_text("utf-8"))
        wait_until(lambda: sum("Rebuilt (" in line for line in running.lines) > rebuilt, "the rebuild")
        wait_until(lambda: preview._next is first, "the child kept for the save after")
        running.write(STORY, (site / STORY).read_text("utf-8").replace("category:", "category: [", 1))
        wait_until(lambda: len(told) == 2, "the next child started after the failed build")
    assert told == [True, False]


def test_a_build_child_that_fails_after_the_output_is_in_place_ends_with_an_error(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output is swapped in, then the cache cannot be saved: the child must not end
    cleanly, or the next one would trust a record that is not the output's."""
    site = make_site(stories(8))
    output = site.parent / "preview"
    results = Results(site)

    def failing(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(BuildCache, "save", failing)
    with pytest.raises(SystemExit) as ended:
        serve_worker.build_job(site, options(output=output), results)  # type: ignore[arg-type]
    assert ended.value.code == 1
    ((outcome, _),) = results.sent
    assert isinstance(outcome, serve_worker.Built)  # the open pages reloaded: the output is in place


def test_serve_keeps_a_child_ready_for_the_next_save_and_ends_it(make_site: SiteFactory) -> None:
    site = make_site(stories(8))
    with serving(site) as running:
        preview = running.server.preview
        first = wait_until(lambda: preview._next, "a child waiting for the next save")
        assert first.pid is not None and alive(first.pid)
        running.write(STORY, (site / STORY).read_text("utf-8").replace("Paragraph", "New paragraph"))
        running.page_with("/article/story-5/", "New paragraph")
        wait_until(lambda: preview._next is first, "the same child waiting again, for the save after")
        assert alive(first.pid)
    assert not alive(first.pid)


class Results:
    """Stands in for the pipe a build's child sends its outcome on; notes what was saved by then."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.sent: list[tuple[object, bool]] = []

    def send(self, outcome: object) -> None:
        self.sent.append((outcome, any(self.site.joinpath(".gettimes-cache").glob("pages-*.pickle"))))


def test_a_build_tells_its_outcome_once_before_it_saves_the_cache(make_site: SiteFactory) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    results = Results(site)
    serve_worker.build_job(site, options(output=output), results)  # type: ignore[arg-type]
    ((outcome, saved),) = results.sent
    assert isinstance(outcome, serve_worker.Built) and outcome.written > 0
    assert not saved  # the open pages reload while the child still writes the cache
    assert any((site / ".gettimes-cache").glob("pages-*.pickle"))
    serve_worker.build_job(site, options(output=output), results)  # type: ignore[arg-type]
    assert len(results.sent) == 2  # nothing to do: told at the end, once
    edit(site / "gettimes.yaml", "categories:", "categories: [")
    serve_worker.build_job(site, options(output=output), results)  # type: ignore[arg-type]
    assert len(results.sent) == 3 and isinstance(results.sent[-1][0], serve_worker.Failed)



def test_a_body_edit_tells_its_outcome_before_it_saves_the_cache(make_site: SiteFactory,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    output = site.parent / "preview"
    build_with_a_spare(site, output=output, search_index=False)
    edit(site / STORY, *SECOND_PARAGRAPH)

    def cache_files() -> dict[str, int]:
        return {path.name: path.stat().st_ino for path in (site / ".gettimes-cache").glob("pages-*.pickle")}

    before = cache_files()
    sent: list[tuple[object, dict[str, int]]] = []

    class Results:
        def send(self, outcome: object) -> None:
            sent.append((outcome, cache_files()))

    monkeypatch.setattr(build_module, "load_site", lambda *_: pytest.fail("not the quick rebuild of a body"))
    serve_worker.build_job(site, preview_options(output), Results())  # type: ignore[arg-type]
    monkeypatch.undo()
    ((outcome, at_send),) = sent
    assert isinstance(outcome, serve_worker.Built) and outcome.written > 0
    assert at_send == before != cache_files()  # told first, saved after
    assert tree(output) == clean_build(site, search_index=False)


def test_a_build_child_runs_without_the_cyclic_garbage_collector() -> None:
    assert gc.isenabled()
    try:
        NO_COLLECTIONS()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_next_child_loads_the_site_ahead_and_builds_the_save_with_it(make_site: SiteFactory,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories_with_slugs())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    uses = Uses(monkeypatch)
    orders = Orders(preview_options(output), lambda: edit(site / STORY, "Story 5", "Story Five"))
    (ahead,) = run_next_build(site, output, orders, monkeypatch, expected=preview_options(output))
    assert ahead is not None and ahead.prepared is not None
    assert uses.taken == [True]
    assert tree(output) == clean_build(site, search_index=False)
