"""The quick rebuild for body-only edits gives what a full build gives, and only runs when it may."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, FIXED_NOW, SiteFactory, article, options
from gettimes import build
from gettimes.build import build_site
from test_incremental import clean_build, edit, tree

CONFIG = BASIC_CONFIG + "search: false\n"


def stories() -> dict[str, str | bytes]:
    return {
        f"content/articles/2025/06/story-{n}.md": article(
            f"Story {n}", date=f"2025-06-{20 + n:02d} 09:00:00+09:00", category=("World", "Business")[n % 2],
            tags=f"[Topic {n % 3}, Desk]", author="KIM MIN-SEO",
            body=f"The lead of story {n}.\n\nA second paragraph with [a link](/article/story-1/).\n")
        for n in range(6)
    }


@pytest.fixture()
def no_full_build(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record full builds (they load the whole site) instead of failing, so tests can say which ran."""
    loads: list[str] = []
    load_site = build.load_site

    def recording(root: Path, *args: object, **kwargs: object) -> object:
        loads.append(root.name)
        return load_site(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "load_site", recording)
    return loads


def later(minutes: int) -> object:
    return options(now=FIXED_NOW + timedelta(minutes=minutes))


def test_body_edits_are_spliced_in_and_equal_a_full_build(make_site: SiteFactory, no_full_build: list[str]) -> None:
    site = make_site(stories(), config=CONFIG)
    build_site(site, options())
    page = site / "public/article/story-3/index.html"
    feed = site / "public/tag/topic-0/feed.xml"
    untouched = {p: p.stat().st_mtime_ns for p in (site / "public").rglob("*.html") if p != page}
    no_full_build.clear()
    edit(site / "content/articles/2025/06/story-3.md", "A second paragraph", "A corrected <b>second</b> paragraph")
    result = build_site(site, later(1))  # type: ignore[arg-type]
    assert no_full_build == [], "the edit was not applied by the quick rebuild"
    assert b"A corrected <b>second</b> paragraph" in page.read_bytes()
    assert b"A corrected &lt;b&gt;second&lt;/b&gt; paragraph" in feed.read_bytes()
    assert result.written == 7  # the page; the feeds of the site (RSS, Atom), World, Topic 0, Desk, the reporter
    assert {p: p.stat().st_mtime_ns for p in untouched} == untouched
    assert tree(site / "public") == clean_build(site)
    # A second edit of the same article, then a full build with nothing to do: all still equal.
    edit(site / "content/articles/2025/06/story-3.md", "corrected", "twice corrected")
    no_full_build.clear()
    build_site(site, later(2))  # type: ignore[arg-type]
    assert no_full_build == []
    assert tree(site / "public") == clean_build(site)
    second = build_site(site, options(now=FIXED_NOW + timedelta(minutes=3), cache=True))
    assert second.written == 0


def test_an_edit_that_shows_in_lists_takes_the_full_build(make_site: SiteFactory, no_full_build: list[str]) -> None:
    site = make_site(stories(), config=CONFIG)
    build_site(site, options())
    no_full_build.clear()
    edit(site / "content/articles/2025/06/story-2.md", "The lead of story 2", "A new lead")  # the summary
    build_site(site, later(1))  # type: ignore[arg-type]
    assert no_full_build == ["site"]
    assert tree(site / "public") == clean_build(site)
    edit(site / "content/articles/2025/06/story-2.md", "Story 2", "Story Two")  # the title
    no_full_build.clear()
    build_site(site, later(2))  # type: ignore[arg-type]
    assert no_full_build == ["site"]
    assert tree(site / "public") == clean_build(site)


@pytest.mark.parametrize("meddle", ["output", "spare"])
def test_an_output_not_as_left_takes_the_full_build(make_site: SiteFactory, no_full_build: list[str],
                                                    meddle: str) -> None:
    site = make_site(stories(), config=CONFIG)
    build_site(site, options())
    edit(site / "content/articles/2025/06/story-1.md", "The lead", "The first lead")
    build_site(site, later(1))  # type: ignore[arg-type]  # a full build: the spare now holds the first site
    folder = site / ("public" if meddle == "output" else ".public.gettimes-tmp")
    (folder / "article/story-4/stray.html").write_text("not ours", encoding="utf-8")
    no_full_build.clear()
    edit(site / "content/articles/2025/06/story-4.md", "A second paragraph", "Another second paragraph")
    build_site(site, later(2))  # type: ignore[arg-type]
    assert no_full_build == ["site"]
    assert tree(site / "public") == clean_build(site)


def test_a_template_printing_the_body_twice_takes_the_full_build(make_site: SiteFactory,
                                                                  no_full_build: list[str]) -> None:
    files = {**stories(), "templates/article.html": (
        "{% extends 'base.html' %}{% block content %}{{ article.body_html | safe }}"
        "<p>{{ article.body_html | striptags | wordcount }} words</p>{% endblock %}\n")}
    site = make_site(files, config=CONFIG)
    build_site(site, options())
    no_full_build.clear()
    edit(site / "content/articles/2025/06/story-3.md", "A second paragraph", "A longer second paragraph")
    build_site(site, later(1))  # type: ignore[arg-type]
    assert no_full_build == ["site"]
    assert tree(site / "public") == clean_build(site)
