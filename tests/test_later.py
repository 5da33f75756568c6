"""Pages left for a second swap (`BuildOptions.splice_later`, what `gettimes serve` builds with):
the saved article's page is in place first, and after the second swap the output is the
one a clean build gives. Anything that stops the second swap leaves a record that no
later build takes as finished."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import SiteFactory, article
from gettimes import build as build_module
from gettimes import pagewriter
from gettimes.build import BuildResult, build_site
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
                        lambda later, first, *_: (dataclasses.replace(first, written=0), None))
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
