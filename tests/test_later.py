"""Pages left for a second swap (`BuildOptions.splice_later`, what `gettimes serve` builds with):
the saved article's page is in place first, and after the second swap the output is the
one a clean build gives. Anything that stops the second swap leaves a record that no
later build takes as finished."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SiteFactory, article
from gettimes import build as build_module
from gettimes import pagewriter
from gettimes.build import BuildResult, build_site
from gettimes.diagnostics import Report
from gettimes.output import tree_matches
from gettimes.render import PageJob, PageRenderer
from test_incremental import clean_build, edit, tree
from test_prepared import preview_options, stories

STORY = "content/articles/2025/06/story-5.md"


def serve_options(output: Path) -> build_module.BuildOptions:
    return dataclasses.replace(preview_options(output), splice_later=True)


def featured_site(make_site: SiteFactory) -> Path:
    """Stories, one of them in Hot Issue, the sidebar box on every page."""
    files = stories()
    files[STORY] = files[STORY].replace("category:", "featured: true\ncategory:")
    return make_site(files)


def page(output: Path, url: str) -> str:
    return (output / url.strip("/") / "index.html").read_text("utf-8")


def test_a_title_in_a_sidebar_box_is_on_its_page_first_and_on_every_page_after(make_site: SiteFactory) -> None:
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    edit(site / STORY, "Story 5", "Story Five")
    seen: list[tuple[BuildResult, str, str]] = []

    def committed(result: BuildResult) -> None:
        seen.append((result, page(output, "/article/story-5/"), page(output, "/tag/topic-0/")))

    final = build_site(site, serve_options(output), committed=committed)
    (first, own, other), (second, _, other_after) = seen
    assert first.later > 0 and second.later == 0 and final == second
    assert "Story Five" in own and "Story Five" not in other  # a page that shows it only in the sidebar, for now
    assert "Story Five" in other_after
    assert second.written == first.later
    assert tree(output) == clean_build(site, search_index=False)


def test_many_pages_to_render_leave_all_but_the_edited_article_s_own_for_later(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    monkeypatch.setattr(pagewriter, "LATER_FROM", 0)
    edit(site / STORY, "Story 5", "Story Five")
    seen: list[tuple[BuildResult, str, str]] = []

    def committed(result: BuildResult) -> None:
        seen.append((result, page(output, "/article/story-5/"), page(output, "/tag/desk/page/2/")))

    build_site(site, serve_options(output), committed=committed)
    (first, own, listing), (second, _, listing_after) = seen
    assert first.later > 0
    assert "Story Five" in own and "Story Five" not in listing and "Story Five" in listing_after
    assert tree(output) == clean_build(site, search_index=False)


def test_without_the_second_swap_the_next_build_finishes_the_output(make_site: SiteFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A second swap that cannot be made (or a server stopped meanwhile) leaves the cache
    recording the first swap's output as unfinished: the next build does not take it as it is."""
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    edit(site / STORY, "Story 5", "Story Five")
    monkeypatch.setattr(build_module, "_write_later",
                        lambda later, first, *_: (dataclasses.replace(first, written=0), None, None, None))
    result = build_site(site, serve_options(output))
    assert result.later > 0
    assert "Story Five" not in page(output, "/tag/topic-0/")
    monkeypatch.undo()
    # serve's next child trusts the records of a build whose process ended cleanly
    ahead = build_module.read_cache_ahead(site, output, trusted=True)
    build_site(site, serve_options(output), ahead=ahead)
    assert tree(output) == clean_build(site, search_index=False)


def test_a_build_stopped_before_its_second_swap_is_finished_by_the_next(make_site: SiteFactory,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    edit(site / STORY, "Story 5", "Story Five")

    def stopped(*args: object) -> None:
        raise KeyboardInterrupt  # the server stops the child (SIGTERM) while it writes them

    monkeypatch.setattr(build_module, "_write_later", stopped)
    with pytest.raises(KeyboardInterrupt):
        build_site(site, serve_options(output))
    monkeypatch.undo()
    build_site(site, serve_options(output))
    assert tree(output) == clean_build(site, search_index=False)


def test_gettimes_build_leaves_nothing_for_later(make_site: SiteFactory) -> None:
    site = featured_site(make_site)
    build_site(site, preview_options(site / "public"))
    edit(site / STORY, "Story 5", "Story Five")
    told: list[BuildResult] = []
    result = build_site(site, preview_options(site / "public"), committed=told.append)
    assert told == [result] and result.later == 0
    assert "Story Five" in page(site / "public", "/tag/topic-0/")


def test_the_spare_is_brought_up_to_date_ahead_after_a_second_swap(make_site: SiteFactory,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "SPARE_UPDATE_FROM", 0)  # this small site's every file counts as many
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    edit(site / STORY, "Story 5", "Story Five")
    build_site(site, serve_options(output))
    ahead = build_module.read_cache_ahead(site, output)
    assert ahead is not None and ahead.output_as_recorded
    spare = ahead.cache.kept("spare")
    assert spare.files == ahead.cache.freshness.tree.files  # as the output: the next build links nothing
    staging = output.parent / f".{output.name}.gettimes-tmp"
    for rel, _, _ in spare.files:
        assert (staging / rel).stat().st_ino == (output / rel).stat().st_ino, rel
    edit(site / STORY, "Story Five", "Story 5")
    build_site(site, serve_options(output), ahead=ahead)
    assert tree(output) == clean_build(site, search_index=False)


def test_a_new_article_is_written_at_once(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    monkeypatch.setattr(pagewriter, "LATER_FROM", 0)
    (site / "content/articles/2025/06/new.md").write_text(article("Brand New", slug="new"), encoding="utf-8")
    build_site(site, serve_options(output))
    assert tree(output) == clean_build(site, search_index=False)


class Renders:
    """The pages the builds render, rather than splice the new partials into or take as they are."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._paths: list[str] = []
        real = PageRenderer.render

        def rendering(renderer: PageRenderer, job: PageJob, report: Report) -> bytes | None:
            self._paths.append(job.path)
            return real(renderer, job, report)

        monkeypatch.setattr(PageRenderer, "render", rendering)

    def take(self) -> set[str]:
        """The pages rendered since the last call."""
        paths = set(self._paths)
        self._paths.clear()
        return paths


def stop_after(asked: int) -> Callable[[], bool]:
    """A `stop_later` that says stop from its `asked`+1st call on (it is asked once before the
    second swap begins, then before each page)."""
    calls = 0

    def stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > asked
    return stop


def test_a_second_swap_stopped_by_the_next_save_leaves_its_pages_to_the_next_build(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saves one after another, each before the last one's pages left for later were all written:
    the staging folder is left as the cache records it, and the next build splices its new
    partials into the pages left, whichever build's partials they hold."""
    site = featured_site(make_site)
    output = site.parent / "preview"
    staging = output.parent / f".{output.name}.gettimes-tmp"
    build_site(site, serve_options(output))
    renders = Renders(monkeypatch)
    edit(site / STORY, "Story 5", "Story Five")
    first = build_site(site, serve_options(output), stop_later=stop_after(3))
    own = renders.take()  # the pages that show the story itself: rendered at once
    assert first.later > 0 and own
    assert "Story Five" in page(output, "/article/story-5/") and "Story Five" not in page(output, "/tag/topic-0/")
    ahead = build_module.read_cache_ahead(site, output)  # trusting nothing: it checks the output and the spare
    assert ahead is not None and ahead.output_as_recorded
    spare = ahead.cache.kept("spare")
    assert tree_matches(staging, spare)
    made = [rel for rel, _, _ in spare.files if (staging / rel).stat().st_ino != (output / rel).stat().st_ino]
    assert len(made) == 2  # written into it before the stop; every other file is the output's
    staged = {rel: ((staging / rel).stat().st_ino, (staging / rel).stat().st_mtime_ns) for rel in made}

    edit(site / STORY, "Story Five", "Story Six")
    second = build_site(site, serve_options(output), ahead=ahead, stop_later=lambda: True)
    assert second.later > 0 and renders.take() == own
    # The next build started from those two files, not the output's older ones: they are in its output, untouched.
    assert {rel: ((output / rel).stat().st_ino, (output / rel).stat().st_mtime_ns) for rel in made} == staged
    edit(site / STORY, "Story Six", "Story Seven")
    last = build_site(site, serve_options(output))
    assert last.later == 0 and renders.take() == own  # the pages of both stopped swaps spliced
    assert "Story Seven" in page(output, "/tag/topic-0/")
    assert tree(output) == clean_build(site, search_index=False)


def test_pages_left_with_partials_older_than_those_kept_are_rendered(make_site: SiteFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagewriter, "PARTIALS_GENERATIONS", 1)  # the last build's only
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    renders = Renders(monkeypatch)
    edit(site / STORY, "Story 5", "Story Five")
    build_site(site, serve_options(output), stop_later=lambda: True)
    own = renders.take()
    edit(site / STORY, "Story Five", "Story Six")
    build_site(site, serve_options(output))
    assert renders.take() > own  # the pages left with the partials of two builds before
    assert tree(output) == clean_build(site, search_index=False)


OTHER = "content/articles/2025/06/story-2.md"


@pytest.mark.parametrize("then", ["nothing", "a body", "a title"])
def test_after_a_stopped_second_swap_the_next_build_writes_the_pages_left(make_site: SiteFactory,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          then: str) -> None:
    """Whatever the next save: a build with nothing to do, the quick rebuild of a body edit
    and a title edit that re-renders only the pages showing the title each finish the pages
    the stopped swap left, those to render (LATER_FROM) as well as those to splice."""
    monkeypatch.setattr(pagewriter, "LATER_FROM", 0)
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, serve_options(output))
    edit(site / STORY, "Story 5", "Story Five")
    assert build_site(site, serve_options(output), stop_later=lambda: True).later > 0
    if then == "a body":
        edit(site / OTHER, "Paragraph of story 2.\n", "Paragraph of story 2.\n\nAnd a second one.\n")
    elif then == "a title":
        edit(site / OTHER, "Story 2", "Story Two")
    build_site(site, serve_options(output))
    assert tree(output) == clean_build(site, search_index=False)
