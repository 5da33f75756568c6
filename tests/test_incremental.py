"""Incremental builds: reusing the cache and the previous output never changes the result.

After every step of an editing session the output must equal, byte for byte, a
clean build of the same sources at the same clock without any cache.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import FIXED_NOW, SiteFactory, article, options
from gettimes import build as build_module
from gettimes import carryover, content, feeds, sitemaps, sources
from gettimes.build import build_site
from gettimes.cache import BuildCache
from gettimes.diagnostics import SiteError
from gettimes.feeds import GeneratedFile
from gettimes.fingerprint import Fingerprinter
from gettimes.render import PageJob, PageRenderer


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(site: Path, **changes: object) -> dict[str, str]:
    output = site.parent / "clean"
    shutil.rmtree(output, ignore_errors=True)
    build_site(site, options(output=output, cache=False, jobs=1, **changes))
    return tree(output)


def stories(count: int) -> dict[str, str | bytes]:
    return {
        f"content/articles/2025/06/story-{n}.md": article(
            f"Story {n}", date=f"2025-06-{1 + n:02d} 09:00:00+09:00", category=("World", "Business")[n % 2],
            tags=f"[Topic {n % 3}, Desk]", author="KIM MIN-SEO", body=f"Paragraph of story {n}.\n")
        for n in range(8)
    }


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text("utf-8").replace(old, new), encoding="utf-8")


def build_with_a_spare(site: Path, **changes: object) -> None:
    """Build `stories(8)`, then again after an edit: the swap leaves the spare staging folder."""
    build_site(site, options(**changes))
    edit(site / "content/articles/2025/06/story-7.md", "Paragraph of story 7", "The paragraph of story 7")
    build_site(site, options(**changes))
    output = Path(str(changes.get("output", site / "public")))
    assert (output.parent / f".{output.name}.gettimes-tmp").is_dir()


STEPS: list[tuple[str, Callable[[Path], None]]] = [
    ("nothing", lambda site: None),
    ("body edit", lambda site: edit(site / "content/articles/2025/06/story-3.md", "Paragraph", "Changed paragraph")),
    ("title edit", lambda site: edit(site / "content/articles/2025/06/story-5.md", "Story 5", "Story Five")),
    ("summary added", lambda site: edit(site / "content/articles/2025/06/story-5.md", "category:",
                                        "summary: What lists show of it.\ncategory:")),
    ("date edit", lambda site: edit(site / "content/articles/2025/06/story-7.md", "2025-06-08", "2025-06-01")),
    ("tags edit", lambda site: edit(site / "content/articles/2025/06/story-6.md", "[Topic 0, Desk]",
                                    "[Topic 1, Topic 2]")),  # related articles change, nobody moves
    ("new article", lambda site: (site / "content/articles/2025/06/new.md").write_text(
        article("Brand New", date="2025-06-20 10:00:00+09:00", tags="[Desk]"), encoding="utf-8")),
    ("deletion", lambda site: (site / "content/articles/2025/06/story-1.md").unlink()),
    ("rename", lambda site: (site / "content/articles/2025/06/story-2.md").rename(
        site / "content/articles/2025/06/renamed.md")),
    ("draft flip", lambda site: edit(site / "content/articles/2025/06/story-4.md", "category:",
                                     "draft: true\ncategory:")),
    ("template", lambda site: (site / "templates").mkdir() or (site / "templates/tag.html").write_text(
        "<h1>{{ tag.name }}</h1>{% for a in articles %}<p>{{ a.title }}</p>{% endfor %}\n", encoding="utf-8")),
    ("config", lambda site: edit(site / "gettimes.yaml", "paginate: 2", "paginate: 3")),
    ("stats", lambda site: (site / "data").mkdir() or (site / "data/stats.csv").write_text(
        "path,views,date\n/article/story-6/,50,2025-06-29\n", encoding="utf-8")),
    ("authors", lambda site: (site / "data/authors.yaml").write_text(
        "- name: KIM MIN-SEO\n  bio: Writes about markets.\n", encoding="utf-8")),
    ("static", lambda site: (site / "static").mkdir() or (site / "static/robots-note.txt").write_text("hi")),
]


def test_every_step_of_an_editing_session_equals_a_clean_build(make_site: SiteFactory) -> None:
    site = make_site(stories(8))
    for name, step in STEPS:
        step(site)
        build_site(site, options())
        assert tree(site / "public") == clean_build(site), f"after the step: {name}"


def test_parallel_and_serial_builds_are_identical(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    monkeypatch.setattr("gettimes.articles.PARALLEL_FROM", 1)
    monkeypatch.setattr("gettimes.pagewriter.PARALLEL_FROM", 1)
    build_site(site, options(jobs=2, cache=False))
    assert tree(site / "public") == clean_build(site)


def test_an_unchanged_site_is_not_even_read_again(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    first = build_site(site, options())
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "public").rglob("*") if p.is_file()}

    def no_loading(*args: object) -> None:
        raise AssertionError("an unchanged site was loaded again")

    monkeypatch.setattr(content.ArticleLoader, "load_bytes", no_loading)
    second = build_site(site, options(now=FIXED_NOW + timedelta(minutes=5)))
    assert (second.written, second.unchanged, second.pages) == (0, first.written, first.pages)
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_a_first_build_leaves_reading_the_articles_to_its_workers(make_site: SiteFactory,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    scanned: list[bytes] = []
    digest_bytes = sources.content_digest

    def scan_digest(data: bytes) -> str:
        scanned.append(data)
        return digest_bytes(data)

    monkeypatch.setattr(sources, "content_digest", scan_digest)  # what the scan reads (articles.py has its own)
    first = build_site(site, options())
    assert scanned and not any(b"Paragraph of story" in data for data in scanned)
    second = build_site(site, options(now=FIXED_NOW + timedelta(minutes=5)))
    assert (second.written, second.unchanged) == (0, first.written)  # the scan was completed from the workers
    edit(site / "content/articles/2025/06/story-3.md", "Paragraph of story 3", "The paragraph of story 3")
    build_site(site, options(now=FIXED_NOW + timedelta(minutes=10)))
    assert tree(site / "public") == clean_build(site, now=FIXED_NOW + timedelta(minutes=10))


def test_a_first_build_into_another_output_takes_the_cached_articles(make_site: SiteFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    build_site(site, options())

    def no_loading(*args: object) -> None:
        raise AssertionError("an article was loaded again")

    monkeypatch.setattr(content.ArticleLoader, "load_bytes", no_loading)
    build_site(site, options(output=site.parent / "preview"))  # as `gettimes serve` does, or `build --output`
    monkeypatch.undo()
    assert tree(site.parent / "preview") == clean_build(site)


def test_a_cold_build_that_fails_while_rendering_writes_no_output_and_no_cache(make_site: SiteFactory) -> None:
    # The article cache is written while the pages render (BuildCache.save_articles_ahead).
    site = make_site({**stories(8), "templates/article.html": "{{ page.missing.attribute }}"})
    with pytest.raises(SiteError):
        build_site(site, options())
    assert not (site / "public").exists() and not (site / ".gettimes-cache").exists()
    (site / "templates/article.html").unlink()
    build_site(site, options())
    assert len(list((site / ".gettimes-cache").glob("articles-*.pickle"))) > 1
    assert not list((site / ".gettimes-cache").glob("*.tmp"))
    assert tree(site / "public") == clean_build(site)


@pytest.mark.parametrize(("name", "files", "later"), [
    ("a future article comes out", {"content/articles/2025/06/later.md": article(
        "Scheduled Story", date="2025-06-30 12:30:00+09:00")}, timedelta(minutes=31)),
    ("an article leaves the news sitemap", {}, timedelta(days=3)),
    ("a new day moves the weekly window", {"data/stats.csv": "path,views,date\n/article/story-6/,50,2025-06-24\n"},
     timedelta(days=1)),
])
def test_the_clock_alone_can_change_the_site(make_site: SiteFactory, name: str, files: dict[str, str | bytes],
                                              later: timedelta) -> None:
    site = make_site({**stories(8), **files})
    build_site(site, options())
    build_site(site, options(now=FIXED_NOW + later))
    assert tree(site / "public") == clean_build(site, now=FIXED_NOW + later), name


@pytest.mark.parametrize("change", ["nothing", "a title"])
def test_a_damaged_output_is_repaired(make_site: SiteFactory, change: str) -> None:
    site = make_site(stories(8))
    build_with_a_spare(site)
    (site / "public/article/story-3/index.html").unlink()
    (site / "public/index.html").write_text("edited by hand", encoding="utf-8")
    if change == "a title":
        edit(site / "content/articles/2025/06/story-5.md", "Story 5", "Story Five")
    build_site(site, options())
    assert tree(site / "public") == clean_build(site)


def test_a_few_edited_articles_open_the_staging_folder_as_a_copy_of_the_output(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a few article edits the staging folder is opened from the records of both
    folders (few files touched), not by checking each of its files against the output."""
    site = make_site(stories(8))
    build_with_a_spare(site)
    opened: list[str] = []
    open_staging = build_module.StagedOutput.open

    def noting(output: build_module.StagedOutput) -> build_module.StagedOutput:
        if output.final.name == "public":  # not the clean builds compared with
            opened.append(output.final.name)
        return open_staging(output)

    monkeypatch.setattr(build_module.StagedOutput, "open", noting)
    for story, old, new in (("story-5", "Story 5", "Story Five"), ("story-6", "[Topic 0, Desk]", "[Topic 1]")):
        edit(site / f"content/articles/2025/06/{story}.md", old, new)
        build_site(site, options())
        assert opened == []
        assert tree(site / "public") == clean_build(site)
    (site / "content/articles/2025/06/new.md").write_text(article("Brand New", date="2025-06-20 10:00:00+09:00"),
                                                          encoding="utf-8")
    build_site(site, options())  # a file added: checked file by file
    assert opened == ["public"]
    assert tree(site / "public") == clean_build(site)


def test_a_template_that_prints_the_clock_is_rendered_every_time(make_site: SiteFactory) -> None:
    site = make_site({**stories(8), "templates/404.html": "<p>Built {{ now.isoformat() }}</p>\n"})
    build_site(site, options())
    later = FIXED_NOW + timedelta(seconds=30)
    build_site(site, options(now=later))
    assert later.astimezone(ZoneInfo("Asia/Seoul")).isoformat() in (site / "public/404.html").read_text("utf-8")


def test_an_edit_makes_only_the_feeds_that_show_it(make_site: SiteFactory,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    build_site(site, options(jobs=1))
    edit(site / "content/articles/2025/06/story-3.md", "Paragraph", "Changed paragraph")
    made: list[str] = []
    make_data = GeneratedFile.data.fget
    assert make_data is not None
    monkeypatch.setattr(GeneratedFile, "data", property(lambda file: made.append(file.path) or make_data(file)))
    build_site(site, options(jobs=1))
    # story-3 is in the site feeds, its category's, its tags' (Topic 0, Desk) and its reporter's.
    assert sorted(made) == ["atom.xml", "author/kim-min-seo/feed.xml", "category/business/feed.xml", "feed.xml",
                            "tag/desk/feed.xml", "tag/topic-0/feed.xml"]
    assert tree(site / "public") == clean_build(site)


WEEKLY_STATS = {"data/stats.csv": "path,views,date\n/article/story-6/,50,2025-06-24\n"}


def rendered_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the pages rendered from now on (builds of these small sites run in this process)."""
    urls: list[str] = []
    render = PageRenderer.render
    monkeypatch.setattr(PageRenderer, "render",
                        lambda self, job, report: urls.append(job.url) or render(self, job, report))
    return urls


def test_a_new_day_splices_the_sidebar_into_pages_instead_of_rendering_them(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({**stories(8), **WEEKLY_STATS})
    build_site(site, options())
    page = site / "public/article/story-3/index.html"
    before = page.read_text("utf-8")
    rendered = rendered_urls(monkeypatch)
    later = FIXED_NOW + timedelta(days=1)  # the weekly window moves: Weekly Hot Issue changes on every page
    result = build_site(site, options(now=later))
    assert rendered == []
    assert page.read_text("utf-8") != before
    assert result.written >= result.pages
    assert tree(site / "public") == clean_build(site, now=later)


def test_pages_first_written_in_worker_processes_are_spliced_a_day_later(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page new to the build cache is fingerprinted in the process that renders it; the next
    build must find the same fingerprint there, or it renders every page again."""
    site = make_site({**stories(8), **WEEKLY_STATS})
    monkeypatch.setattr("gettimes.pagewriter.PARALLEL_FROM", 1)
    build_site(site, options(jobs=2))
    rendered = rendered_urls(monkeypatch)
    later = FIXED_NOW + timedelta(days=1)
    build_site(site, options(now=later, jobs=1))  # here, where renders are seen
    assert rendered == []
    assert tree(site / "public") == clean_build(site, now=later)


@pytest.mark.parametrize("sidebar", [
    "{% block sidebar %}{{ sidebar_html }}<!-- {{ sidebar_html | length }} -->{% endblock %}",  # not only as it is
    "{% block sidebar %}{{ sidebar_html }}{{ sidebar_html }}{% endblock %}",  # printed twice
])
def test_a_partial_that_cannot_be_spliced_is_rendered_with_the_page(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch, sidebar: str) -> None:
    site = make_site({**stories(8), **WEEKLY_STATS,
                      "templates/category.html": '{% extends "base.html" %}' + sidebar + "\n"})
    build_site(site, options())
    rendered = rendered_urls(monkeypatch)
    later = FIXED_NOW + timedelta(days=1)
    build_site(site, options(now=later))
    assert rendered  # some pages cannot take the new sidebar by a splice
    assert tree(site / "public") == clean_build(site, now=later)


def test_a_page_changed_by_hand_is_rendered_rather_than_spliced(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({**stories(8), **WEEKLY_STATS})
    build_site(site, options())
    page = site / "public/article/story-3/index.html"
    page.write_text(page.read_text("utf-8").replace("</main>", "<p>by hand</p></main>"), encoding="utf-8")
    rendered = rendered_urls(monkeypatch)
    later = FIXED_NOW + timedelta(days=1)
    build_site(site, options(now=later))
    assert rendered == ["/article/story-3/"]
    assert tree(site / "public") == clean_build(site, now=later)


def test_a_new_article_leaves_the_lists_it_does_not_enter_alone(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    build_site(site, options())
    rendered = rendered_urls(monkeypatch)
    # Newer than every story: the edition date in the top bar changes on every page.
    (site / "content/articles/2025/06/fresh.md").write_text(
        article("Fresh Story", date="2025-06-29 08:00:00+09:00", tags="[Elsewhere]", author="LEE JI-WON"),
        encoding="utf-8")
    build_site(site, options())
    assert "/fresh-story/" in " ".join(rendered) or "/article/fresh-story/" in rendered
    assert "/tag/topic-1/" not in rendered and "/author/kim-min-seo/" not in rendered
    assert tree(site / "public") == clean_build(site)


SHOWN_ONLY_EDITS = [  # what is edited, and a page that shows none of it
    ("title", {"story-5.md": ("Story 5", "Story Five")}, "/tag/topic-1/"),
    ("summary", {"story-2.md": ("category:", "summary: What lists show of it.\ncategory:")}, "/tag/topic-1/"),
    ("two titles", {"story-6.md": ("Story 6", "Story Six"), "story-7.md": ("Story 7", "Story Seven")},
     "/tag/topic-2/"),
]


def test_a_title_edit_keeps_the_sitemap_keys_and_makes_entries_only_to_write(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page is where it was and dated as it was: the sitemap's entries are not made
    again, unless its file must be written (here: deleted from the output by hand)."""
    site = make_site(stories(8))
    for story in (site / "content/articles/2025/06").glob("story-*.md"):  # a title edit keeps the URL
        edit(story, "category:", f"slug: {story.stem}\ncategory:")
    build_site(site, options())
    made: list[int] = []
    entries = sitemaps.sitemap_entries

    def counting(*arguments: Any) -> Any:
        made.append(1)
        return entries(*arguments)

    monkeypatch.setattr(sitemaps, "sitemap_entries", counting)
    edit(site / "content/articles/2025/06/story-5.md", "Story 5", "Story Five")
    build_site(site, options())
    assert made == []
    assert tree(site / "public") == clean_build(site)
    (site / "public/sitemap.xml").unlink()
    edit(site / "content/articles/2025/06/story-5.md", "Story Five", "Story 5 Again")
    made.clear()  # the clean build made them
    build_site(site, options())
    assert made == [1]
    assert tree(site / "public") == clean_build(site)


def fingerprint_counter() -> tuple[list[str], Callable[[Fingerprinter, PageJob], tuple[str, str]]]:
    """A stand-in for `Fingerprinter.page` that notes the URL of each page it works out, and that list."""
    worked_out: list[str] = []
    page = Fingerprinter.page

    def counting(self: Fingerprinter, job: PageJob) -> tuple[str, str]:
        worked_out.append(job.url)
        return page(self, job)

    return worked_out, counting


def test_pages_that_do_not_show_an_edited_title_keep_their_fingerprints(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that changes only what pages show of an article (carryover.py) carries the
    fingerprints of the other pages over: the same ones working them out gives."""
    site = make_site(stories(8))
    for story in (site / "content/articles/2025/06").glob("story-*.md"):  # a title edit keeps the URL
        edit(story, "category:", f"slug: {story.stem}\ncategory:")
    build_site(site, options())
    worked_out, counting = fingerprint_counter()
    for name, edits, untouched in SHOWN_ONLY_EDITS:
        for file, (old, new) in edits.items():
            edit(site / "content/articles/2025/06" / file, old, new)
        twin = site.parent / f"twin-{name.replace(' ', '-')}"
        shutil.copytree(site, twin, symlinks=True)
        worked_out.clear()
        with monkeypatch.context() as patch:
            patch.setattr(Fingerprinter, "page", counting)
            build_site(site, options())
        with monkeypatch.context() as patch:  # the same build, every fingerprint worked out
            patch.setattr(build_module, "shown_only_edits", lambda *args: None)
            build_site(twin, options())
        assert fingerprints(site) == fingerprints(twin), name
        assert tree(site / "public") == clean_build(site), name
        assert 0 < len(worked_out) < len(fingerprints(site)), name
        assert untouched not in worked_out and all(f"/article/{file[:-3]}/" in worked_out for file in edits), name


def fingerprints(site: Path) -> dict[str, tuple[str, str]]:
    """The fingerprint (and context part) of each page the last build into public/ wrote."""
    cache = BuildCache.open(site, "", site / "public")
    return {path: (row[0], row[3]) for path, row in cache.pages.items()}


@pytest.mark.parametrize("change", [
    ("date", "2025-06-06", "2025-06-01"),
    ("tags", "[Topic 2, Desk]", "[Topic 2]"),
    ("category", "category: Business", "category: World"),
    ("slug", "category:", "slug: another-slug\ncategory:"),
    ("draft", "category:", "draft: true\ncategory:"),
    ("featured", "category:", "featured: true\ncategory:"),
])
def test_an_edit_that_moves_an_article_is_not_shown_only(make_site: SiteFactory, change: tuple[str, str, str]) -> None:
    site = make_site(stories(8))
    build_site(site, options())
    _, old, new = change
    edit(site / "content/articles/2025/06/story-5.md", old, new)
    calls: list[frozenset[str] | None] = []
    real = carryover.shown_only_edits

    def recording(*args: Any) -> frozenset[str] | None:
        calls.append(real(*args))
        return calls[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_module, "shown_only_edits", recording)
        build_site(site, options())
    assert calls == [None]
    assert tree(site / "public") == clean_build(site)


def _reporter_box_site(make_site: SiteFactory, templates: dict[str, str | bytes] | None = None) -> Path:
    """Two articles by one reporter; the reporter box on Beta's page lists Alpha, her most read."""
    return make_site({
        "content/articles/2025/06/alpha.md": article("Alpha", slug="alpha", tags="[Alpha]", author="KIM MIN-SEO"),
        "content/articles/2025/06/beta.md": article("Beta", category="Business", slug="beta", tags="[Beta]",
                                                   author="KIM MIN-SEO", date="2025-06-20 09:00:00+09:00"),
        "data/stats.csv": "path,views,date\n/article/alpha/,50,2025-06-22\n",
        **(templates or {}),
    })


def test_a_title_in_a_reporter_box_changes_only_the_pages_that_show_it(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The theme's reporter box reads the page's own `most_read_by`: a new title of an article
    in it is worked out again for the pages whose reporters list it, and carried elsewhere."""
    site = _reporter_box_site(make_site)
    build_site(site, options())
    worked_out, counting = fingerprint_counter()
    edit(site / "content/articles/2025/06/alpha.md", 'title: "Alpha"', 'title: "Alpha Renamed"')
    monkeypatch.setattr(Fingerprinter, "page", counting)
    build_site(site, options())
    assert "Alpha Renamed" in (site / "public/article/beta/index.html").read_text("utf-8")
    assert "/article/beta/" in worked_out and "/tag/beta/" not in worked_out
    assert tree(site / "public") == clean_build(site)


def test_a_title_shown_through_what_every_page_shares_is_not_carried_over(make_site: SiteFactory) -> None:
    """A theme that reads `author_most_read`, which every page shares, in its reporter box: a
    new title of an article in it changes pages whose own context does not hold it, so no
    fingerprint is carried over."""
    theme_article = (Path(content.__file__).parent / "theme" / "templates" / "article.html").read_text("utf-8")
    shared_box = theme_article.replace("most_read_by.get(", "author_most_read.get(")
    assert shared_box != theme_article
    site = _reporter_box_site(make_site, {"templates/article.html": shared_box})
    build_site(site, options())
    edit(site / "content/articles/2025/06/alpha.md", 'title: "Alpha"', 'title: "Alpha Renamed"')
    build_site(site, options())
    assert "Alpha Renamed" in (site / "public/article/beta/index.html").read_text("utf-8")
    assert tree(site / "public") == clean_build(site)


def test_a_title_edit_keeps_the_keys_of_the_feeds_that_do_not_hold_the_article(
        make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feeds that hold none of the edited articles keep their keys from the last build; the
    others are worked out again, and the output is the one a clean build gives."""
    site = make_site(stories(8))
    for story in (site / "content/articles/2025/06").glob("story-*.md"):  # a title edit keeps the URL
        edit(story, "category:", f"slug: {story.stem}\ncategory:")
    build_site(site, options())
    answers: dict[str, bool] = {}
    kept_key = feeds._FeedWriter.kept_key

    def noting(writer: Any, path: str, items: Any) -> str | None:
        key = kept_key(writer, path, items)
        answers[path] = key is not None
        return key

    monkeypatch.setattr(feeds._FeedWriter, "kept_key", noting)
    edit(site / "content/articles/2025/06/story-5.md", "Story 5", "Story Five")  # Business; Topic 2, Desk
    build_site(site, options())
    assert answers["tag/topic-1/feed.xml"] and answers["category/world/feed.xml"]
    assert not answers["tag/topic-2/feed.xml"] and not answers["feed.xml"]
    assert tree(site / "public") == clean_build(site)
    answers.clear()
    edit(site / "content/articles/2025/06/story-5.md", "Story Five", "Story Five, Again")
    (site / "public/tag/topic-2/feed.xml").unlink()  # written again, from its new key
    build_site(site, options())
    assert not answers["tag/topic-2/feed.xml"]
    assert tree(site / "public") == clean_build(site)
