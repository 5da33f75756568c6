"""A site loaded ahead of the save (prepared.py): swapping edited articles into it gives
the site a clean build gives, and anything it cannot be sure of is loaded in full."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import FIXED_NOW, SiteFactory, article, options
from gettimes import build as build_module
from gettimes import prepared as prepared_module
from gettimes.build import BuildOptions, build_site, read_cache_ahead
from gettimes.diagnostics import SiteError
from gettimes.prepared import PreparedSite, prepare_site
from test_incremental import clean_build, edit, tree

STORY = "content/articles/2025/06/story-5.md"


def stories(count: int = 8) -> dict[str, str | bytes]:
    """Articles with their own slugs, so that a new title keeps the URL (a derived slug follows the title)."""
    return {
        f"content/articles/2025/06/story-{n}.md": article(
            f"Story {n}", date=f"2025-06-{1 + n:02d} 09:00:00+09:00", category=("World", "Business")[n % 2],
            tags=f"[Topic {n % 3}, Desk]", author="KIM MIN-SEO", slug=f"story-{n}", body=f"Paragraph of story {n}.\n")
        for n in range(count)
    }


def preview_options(output: Path, now: datetime = FIXED_NOW) -> BuildOptions:
    """What `gettimes serve` builds with: its own folder, the search index left to the background."""
    return options(output=output, now=now, search_index=False)


class Uses:
    """Records whether each build took the prepared site (True) or loaded the site in full (False)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.taken: list[bool] = []
        updated = PreparedSite.updated

        def recording(prepared: PreparedSite, *args: object) -> object:
            result = updated(prepared, *args)  # type: ignore[arg-type]
            self.taken.append(result is not None)
            return result

        monkeypatch.setattr(PreparedSite, "updated", recording)


def build_prepared(site: Path, output: Path, change: Callable[[Path], None], now: datetime = FIXED_NOW,
                   later: datetime | None = None) -> None:
    """Load the site ahead at `now` as serve's next build does, make the change, then build at `later`."""
    ahead = read_cache_ahead(site, output)
    assert ahead is not None
    prepared = prepare_site(site, preview_options(output, now), ahead.cache)
    assert prepared is not None
    change(site)
    build_site(site, preview_options(output, later or now), ahead=dataclasses.replace(ahead, prepared=prepared))



STEPS: list[tuple[str, Callable[[Path], None], list[bool]]] = [
    ("nothing", lambda site: None, []),  # nothing to build
    ("title edit", lambda site: edit(site / STORY, "Story 5", "Story Five"), [True]),
    ("summary added", lambda site: edit(site / STORY, "category:", "summary: What lists show of it.\ncategory:"),
     [True]),
    ("image added", lambda site: edit(site / STORY, "category:", "image: /images/story-5.jpg\ncategory:"), [True]),
    ("two titles", lambda site: (edit(site / STORY, "Story Five", "Story 5 Again"),
                                 edit(site / "content/articles/2025/06/story-6.md", "Story 6", "Story Six")), [True]),
    ("title and body", lambda site: edit(site / STORY, "Story 5 Again\"", "Story 5\"")
     or edit(site / STORY, "Paragraph", "A new paragraph"), [True]),
    ("body edit", lambda site: edit(site / STORY, "A new paragraph", "Paragraph"), []),  # bodyedit.py's quick path
    ("date edit", lambda site: edit(site / "content/articles/2025/06/story-7.md", "2025-06-08", "2025-06-01"),
     [False]),
    ("tags edit", lambda site: edit(site / "content/articles/2025/06/story-6.md", "[Topic 0, Desk]",
                                    "[Topic 1, Topic 2]"), [False]),
    ("featured", lambda site: edit(site / STORY, "category:", "featured: true\ncategory:"), [False]),
    ("new article", lambda site: (site / "content/articles/2025/06/new.md").write_text(
        article("Brand New", date="2025-06-20 10:00:00+09:00", tags="[Desk]"), encoding="utf-8"), [False]),
    ("deletion", lambda site: (site / "content/articles/2025/06/story-1.md").unlink(), [False]),
    ("draft flip", lambda site: edit(site / "content/articles/2025/06/story-4.md", "category:",
                                     "draft: true\ncategory:"), [False]),
    ("title of a draft", lambda site: edit(site / "content/articles/2025/06/story-4.md", "Story 4", "Story Four"),
     [True]),
    ("stats", lambda site: (site / "data").mkdir() or (site / "data/stats.csv").write_text(
        "path,views,date\n/article/story-6/,50,2025-06-29\n/article/story-3/,20,2025-06-29\n", encoding="utf-8"),
     [False]),
    ("title in Most Viewed", lambda site: edit(site / "content/articles/2025/06/story-6.md", "Story Six", "Story 6"),
     [True]),
    ("template", lambda site: (site / "templates").mkdir() or (site / "templates/tag.html").write_text(
        "<h1>{{ tag.name }}</h1>{% for a in articles %}<p>{{ a.title }}</p>{% endfor %}\n", encoding="utf-8"),
     [False]),
    ("title shown by the new template", lambda site: edit(site / STORY, "Story 5", "Story Five"), [True]),
    ("config", lambda site: edit(site / "gettimes.yaml", "paginate: 2", "paginate: 3"), []),  # another cache
]


def test_every_step_of_an_editing_session_equals_a_clean_build(make_site: SiteFactory,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    uses = Uses(monkeypatch)
    for name, step, taken in STEPS:
        uses.taken.clear()
        build_prepared(site, output, step)
        assert uses.taken == taken, f"the prepared site taken or not after the step: {name}"
        assert tree(output) == clean_build(site, search_index=False), f"after the step: {name}"


def test_a_site_loaded_ahead_holds_until_the_clock_changes_it(make_site: SiteFactory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    scheduled = {"content/articles/2025/06/later.md": article(
        "Scheduled Story", date="2025-06-30 12:30:00+09:00", slug="later")}
    site = make_site({**stories(), **scheduled})
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    uses = Uses(monkeypatch)
    soon = FIXED_NOW + timedelta(minutes=5)
    build_prepared(site, output, lambda site: edit(site / STORY, "Story 5", "Story Five"), later=soon)
    assert tree(output) == clean_build(site, now=soon, search_index=False)
    out = FIXED_NOW + timedelta(minutes=31)  # the scheduled story is out
    build_prepared(site, output, lambda site: edit(site / STORY, "Story Five", "Story 5"), now=soon, later=out)
    assert uses.taken == [True, False]
    assert tree(output) == clean_build(site, now=out, search_index=False)


def test_a_broken_save_is_reported_as_without_the_site_loaded_ahead(make_site: SiteFactory) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    with pytest.raises(SiteError) as raised:
        build_prepared(site, output, lambda site: edit(site / STORY, 'title: "Story 5"', "title: [Story 5"))
    with pytest.raises(SiteError) as expected:
        build_site(site, preview_options(site.parent / "elsewhere"))
    assert raised.value.report.errors == expected.value.report.errors
    assert [(error.path, error.line is not None) for error in raised.value.report.errors] == [(STORY, True)]


def test_a_title_edit_with_the_site_loaded_ahead_loads_nothing_else(make_site: SiteFactory,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    ahead = read_cache_ahead(site, output)
    assert ahead is not None
    prepared = prepare_site(site, preview_options(output), ahead.cache)
    edit(site / STORY, "Story 5", "Story Five")

    def no_loading(*args: object) -> None:
        raise AssertionError("the whole site was loaded again")

    monkeypatch.setattr(build_module, "load_site", no_loading)
    monkeypatch.setattr(build_module, "plan_pages", no_loading)
    result = build_site(site, preview_options(output), ahead=dataclasses.replace(ahead, prepared=prepared))
    assert 0 < result.written < result.pages
    monkeypatch.undo()
    assert tree(output) == clean_build(site, search_index=False)


def test_a_warning_is_given_as_by_a_full_load(make_site: SiteFactory) -> None:
    unknown = {"content/articles/2025/06/guest.md": article("Guest Story", author="NOBODY KNOWN", slug="guest")}
    site = make_site({**stories(), **unknown, "data/authors.yaml": "- name: KIM MIN-SEO\n"})
    output = site.parent / "preview"
    first = build_site(site, preview_options(output))
    assert first.warnings
    ahead = read_cache_ahead(site, output)
    assert ahead is not None
    prepared = prepare_site(site, preview_options(output), ahead.cache)
    edit(site / STORY, "Story 5", "Story Five")
    result = build_site(site, preview_options(output), ahead=dataclasses.replace(ahead, prepared=prepared))
    assert result.warnings == first.warnings


def test_nothing_is_prepared_when_a_template_prints_the_clock(make_site: SiteFactory) -> None:
    site = make_site({**stories(), "templates/404.html": "<p>{{ now }}</p>\n"})
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    ahead = read_cache_ahead(site, output)
    assert ahead is not None
    assert prepare_site(site, preview_options(output), ahead.cache) is None


def test_loading_ahead_stops_when_the_save_comes(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    ahead = read_cache_ahead(site, output)
    assert ahead is not None
    loaded: list[str] = []
    monkeypatch.setattr(prepared_module, "load_site", lambda *args: loaded.append("site"))
    assert prepare_site(site, preview_options(output), ahead.cache, interrupted=lambda: True) is None
    assert loaded == []
