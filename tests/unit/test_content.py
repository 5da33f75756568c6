"""Loading articles, standalone pages and reporter profiles; every problem with its line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, SiteFactory, article
from gettimes.config import load_config
from gettimes.content import ArticleLoader, content_files, discover, load_authors, load_page
from gettimes.diagnostics import Report
from gettimes.markdown import MarkdownRenderer
from gettimes.models import Article, Author, Image

from . import load_articles

Found = list[tuple[int | None, str]]


def _load(make_site: SiteFactory, text: str | bytes, name: str = "story.md", config: str = BASIC_CONFIG,
          files: dict[str, str | bytes] | None = None) -> tuple[Article | None, Report]:
    site = make_site({f"content/articles/{name}": text, **(files or {})}, config=config)
    loaded, report, _ = load_articles(site)
    assert len(loaded) <= 1
    return (loaded[0].article if loaded else None), report


def _ok(make_site: SiteFactory, text: str, **kwargs: object) -> Article:
    loaded, report = _load(make_site, text, **kwargs)  # type: ignore[arg-type]
    assert loaded is not None and not report.has_errors, [str(d) for d in report]
    return loaded


def _errors(make_site: SiteFactory, text: str, **kwargs: object) -> Found:
    loaded, report = _load(make_site, text, **kwargs)  # type: ignore[arg-type]
    assert loaded is None, "an article with errors must not be published"
    assert report.errors, "an article that is dropped must say why"
    assert all(d.path == "content/articles/" + str(kwargs.get("name", "story.md")) for d in report.errors)
    return [(d.line, d.message) for d in report.errors]


FULL = """\
---
title: "Trump Pushes for Special IP4 Meeting"
date: 2025-06-23 17:05:06+09:00
updated: 2025-06-23 18:40:00+09:00
category: world
tags: [NATO, OTAN, OECD, G20]
author: KO YONG-CHUL
summary: "One or two sentences."
image: /images/nato-summit.jpg
slug: trump-ip4-nato
aliases: [/old/url/, /2025/06/nato.html]
draft: true
featured: true
layout: wide
sponsor: {name: GET Media}
---

The body.
"""


def test_every_field_of_an_article(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, FULL)
    assert loaded.source == "content/articles/story.md"
    assert loaded.title == "Trump Pushes for Special IP4 Meeting"
    assert loaded.date == datetime(2025, 6, 23, 8, 5, 6, tzinfo=UTC)
    assert loaded.updated == datetime(2025, 6, 23, 9, 40, tzinfo=UTC)
    assert (loaded.category.name, loaded.category.slug, loaded.category.url) == ("World", "world", "/category/world/")
    assert [(t.name, t.slug, t.url) for t in loaded.tags] == [
        ("NATO", "nato", "/tag/nato/"), ("OTAN", "otan", "/tag/otan/"), ("OECD", "oecd", "/tag/oecd/"),
        ("G20", "g20", "/tag/g20/")]
    assert loaded.authors == (Author("KO YONG-CHUL", "ko-yong-chul", "/author/ko-yong-chul/", known=False),)
    assert loaded.author == loaded.authors[0]
    assert loaded.summary == "One or two sentences."
    assert loaded.image == Image("/images/nato-summit.jpg")
    assert (loaded.slug, loaded.url) == ("trump-ip4-nato", "/article/trump-ip4-nato/")
    assert loaded.aliases == ("/old/url/", "/2025/06/nato.html")
    assert loaded.draft is True and loaded.featured is True
    assert loaded.body_html == "<p>The body.</p>\n"
    assert loaded.modified == loaded.updated


def test_unknown_keys_are_kept_in_meta(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, FULL)
    assert dict(loaded.meta) == {"layout": "wide", "sponsor": {"name": "GET Media"}}
    with pytest.raises(TypeError):
        loaded.meta["layout"] = "narrow"  # type: ignore[index]


def test_dates_are_in_the_site_zone(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(date="2025-06-23"))
    assert loaded.date.isoformat() == "2025-06-23T00:00:00+09:00"
    assert str(loaded.date.tzinfo) == "Asia/Seoul"


def test_defaults_of_optional_fields(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(title="Markets Rally", body="First paragraph here.\n\nSecond."))
    assert loaded.slug == "markets-rally" and loaded.url == "/article/markets-rally/"
    assert loaded.summary == "First paragraph here."
    assert (loaded.tags, loaded.authors, loaded.image, loaded.aliases) == ((), (), None, ())
    assert (loaded.draft, loaded.featured, loaded.updated, dict(loaded.meta)) == (False, False, None, {})
    assert loaded.author is None and loaded.modified == loaded.date


@pytest.mark.parametrize(("written", "names"), [
    ("[NATO, G20]", ["NATO", "G20"]),
    ("NATO, G20", ["NATO", "G20"]),
    ("'NATO,  G20 ,,'", ["NATO", "G20"]),
    ("NATO", ["NATO"]),
    ("[2025, Economy]", ["2025", "Economy"]),
    ("[Economy, economy, ECONOMY]", ["Economy"]),
    ("[]", []),
    ("''", []),
    ("[경제, 부동산]", ["경제", "부동산"]),
])
def test_tags_as_list_or_comma_string(make_site: SiteFactory, written: str, names: list[str]) -> None:
    assert [t.name for t in _ok(make_site, article(tags=written)).tags] == names


def test_korean_tag_slugs_follow_the_site_style(make_site: SiteFactory) -> None:
    ascii_tags = _ok(make_site, article(tags="[경제]")).tags
    assert ascii_tags[0].slug == "gyeongje"


def test_author_names_one_reporter_even_with_a_comma(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(author="'Kim, Jr.'"))
    assert [a.name for a in loaded.authors] == ["Kim, Jr."]


def test_authors_keep_the_byline_order(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(authors="[Lee Min-ji, Kim Soo-hyun, Lee Min-ji]"))
    assert [a.name for a in loaded.authors] == ["Lee Min-ji", "Kim Soo-hyun"]


def test_authors_as_a_comma_string(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(authors="Lee Min-ji, Kim Soo-hyun"))
    assert [a.name for a in loaded.authors] == ["Lee Min-ji", "Kim Soo-hyun"]


@pytest.mark.parametrize("written", [("author", "''"), ("author", "'  '"), ("authors", "['', ' ']")])
def test_empty_author_names_make_no_byline(make_site: SiteFactory, written: tuple[str, str]) -> None:
    assert _ok(make_site, article(**{written[0]: written[1]})).authors == ()


def test_one_reporter_written_twice_is_in_the_byline_once(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(authors="[Kim Soo-hyun, kim soo-hyun, KIM SOO-HYUN]"))
    assert [a.name for a in loaded.authors] == ["Kim Soo-hyun"]


def test_author_and_authors_together_is_an_error(make_site: SiteFactory) -> None:
    assert _errors(make_site, article(author="Kim", authors="[Lee]")) == [
        (6, "use either 'author' or 'authors', not both")]


def test_known_and_unknown_reporters(make_site: SiteFactory) -> None:
    profiles = "- name: Kim Soo-hyun\n  slug: kim\n  title: Economy reporter\n  email: kim@example.com\n"
    loaded = _ok(make_site, article(authors="[kim soo-hyun, Nobody Known]"), files={"data/authors.yaml": profiles})
    known, unknown = loaded.authors
    assert (known.name, known.slug, known.url, known.title, known.known) == (
        "Kim Soo-hyun", "kim", "/author/kim/", "Economy reporter", True)
    assert (unknown.name, unknown.slug, unknown.known) == ("Nobody Known", "nobody-known", False)


@pytest.mark.parametrize(("written", "image"), [
    ("/images/a.jpg", Image("/images/a.jpg")),
    ("https://cdn.example.com/a.jpg", Image("https://cdn.example.com/a.jpg")),
    ("{src: /a.jpg, alt: Leaders, caption: At the summit, credit: Reuters}",
     Image("/a.jpg", "Leaders", "At the summit", "Reuters")),
    ("{src: /a.jpg}", Image("/a.jpg")),
])
def test_image_as_path_or_mapping(make_site: SiteFactory, written: str, image: Image) -> None:
    assert _ok(make_site, article(image=written)).image == image


@pytest.mark.parametrize("written", ["''", "'  '"])
def test_blank_image_is_no_image(make_site: SiteFactory, written: str) -> None:
    assert _ok(make_site, article(image=written)).image is None


@pytest.mark.parametrize("written", ["[/a.jpg]", "{alt: x}", "{src: 5}", "5", "true", "{src: ' '}"])
def test_bad_image(make_site: SiteFactory, written: str) -> None:
    errors = _errors(make_site, article(image=written))
    assert len(errors) == 1 and errors[0][0] == 5 and "'image'" in errors[0][1]


@pytest.mark.parametrize("written", ["/old/", "[/old/, /older/page.html]"])
def test_good_aliases(make_site: SiteFactory, written: str) -> None:
    assert _ok(make_site, article(aliases=written)).aliases[0] == "/old/"


@pytest.mark.parametrize("alias", ["old/", "../x/", "/a/../../b/", "/", "https://other.example.com/x/", "/a\\\\b/"])
def test_bad_aliases(make_site: SiteFactory, alias: str) -> None:
    errors = _errors(make_site, article(aliases=f'["{alias}"]'))
    assert len(errors) == 1 and errors[0][0] == 5 and "alias" in errors[0][1]


@pytest.mark.parametrize("written", ["5", "{a: b}", "[/ok/, 5]"])
def test_aliases_must_be_a_list_of_text(make_site: SiteFactory, written: str) -> None:
    assert _errors(make_site, article(aliases=written)) == [
        (5, "'aliases' must be a list of earlier URL paths such as /old/url/")]


@pytest.mark.parametrize("key", ["draft", "featured"])
@pytest.mark.parametrize("value", ["'yes'", "1", "[true]", "'true'"])
def test_flags_must_be_booleans(make_site: SiteFactory, key: str, value: str) -> None:
    assert _errors(make_site, article(**{key: value})) == [(5, f"'{key}' must be true or false")]


@pytest.mark.parametrize(("key", "value"), [("draft", "false"), ("featured", "false"), ("draft", "")])
def test_false_or_empty_flags(make_site: SiteFactory, key: str, value: str) -> None:
    loaded = _ok(make_site, article(**{key: value})) if value else None
    if loaded is not None:
        assert getattr(loaded, key) is False


def test_explicit_summary_is_shortened(make_site: SiteFactory) -> None:
    summary = " ".join(["word"] * 100)
    assert _ok(make_site, article(summary=summary)).summary.endswith("…")


# --- required fields ---------------------------------------------------------

def test_missing_title_date_and_category_are_all_reported(make_site: SiteFactory) -> None:
    errors = _errors(make_site, "\n---\nsummary: Nothing else.\n---\nBody\n")
    assert [line for line, _ in errors] == [2, 2, 2]  # the opening fence
    text = " ".join(message for _, message in errors)
    assert "'title' is required" in text and "'date' is required" in text and "'category' is required" in text


def test_a_misspelt_required_key_is_pointed_out(make_site: SiteFactory) -> None:
    errors = _errors(make_site, "---\ntitel: Hello\ndate: 2025-06-23\ncategory: World\n---\n")
    assert errors == [(1, "'title' is required (found \"titel\"?)")]


@pytest.mark.parametrize("value", ["", "''", "null", "~"])
def test_empty_title_is_missing(make_site: SiteFactory, value: str) -> None:
    text = f"---\ntitle: {value}\ndate: 2025-06-23\ncategory: World\n---\n"
    assert _errors(make_site, text) == [(1, "'title' is required")]


@pytest.mark.parametrize("value", ["[a, b]", "{a: b}", "true", "2025-06-23"])
def test_ill_typed_title_with_its_line(make_site: SiteFactory, value: str) -> None:
    text = f"---\ndate: 2025-06-23\ncategory: World\ntitle: {value}\n---\n"
    assert _errors(make_site, text) == [(4, "'title' must be text (put it in quotes)")]


def test_numeric_title_is_text(make_site: SiteFactory) -> None:
    assert _ok(make_site, "---\ntitle: 1984\ndate: 2025-06-23\ncategory: World\n---\n").title == "1984"


@pytest.mark.parametrize("value", ["'yesterday'", "2025-13-45", "[2025-06-23]", "true", "20250623"])
def test_bad_date_with_its_line(make_site: SiteFactory, value: str) -> None:
    errors = _errors(make_site, article(date=value))
    assert len(errors) == 1 and errors[0][0] == 3 and errors[0][1].startswith("'date' is not a date")


@pytest.mark.parametrize("value", ["", "null", "''"])
def test_empty_date_is_missing_not_silently_dropped(make_site: SiteFactory, value: str) -> None:
    errors = _errors(make_site, article(date=value))
    assert len(errors) == 1 and errors[0][0] in (1, 3) and "'date'" in errors[0][1]


def test_bad_updated_with_its_line(make_site: SiteFactory) -> None:
    errors = _errors(make_site, article(updated="soon"))
    assert len(errors) == 1 and errors[0][0] == 5 and errors[0][1].startswith("'updated' is not a date")


def test_jekyll_file_name_gives_the_date(make_site: SiteFactory) -> None:
    text = "---\ntitle: From Jekyll\ncategory: World\n---\nBody\n"
    loaded = _ok(make_site, text, name="2025-06-22-from-jekyll.md")
    assert loaded.date.isoformat() == "2025-06-22T00:00:00+09:00"


def test_a_file_name_date_that_cannot_be_shown_is_reported(make_site: SiteFactory) -> None:
    text = "---\ntitle: T\ncategory: World\n---\n"
    assert _errors(make_site, text, name="0001-01-01-x.md") == [
        (1, "'date' is required (e.g. date: 2025-06-23 17:05:06+09:00)")]


def test_front_matter_date_wins_over_the_file_name(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, article(date="2025-06-23 10:00"), name="2025-06-22-x.md")
    assert loaded.date.isoformat() == "2025-06-23T10:00:00+09:00"


def test_empty_date_falls_back_to_the_file_name(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, "---\ntitle: T\ndate:\ncategory: World\n---\n", name="2025-06-22-x.md")
    assert loaded.date.isoformat() == "2025-06-22T00:00:00+09:00"


def test_unknown_category_with_suggestion_and_line(make_site: SiteFactory) -> None:
    assert _errors(make_site, article(category="Wrold")) == [
        (4, "unknown category 'Wrold' (did you mean \"World\"?); the categories are: World, Business, Arts&Culture")]


@pytest.mark.parametrize("written", ["world", "WORLD", " World ", "arts&culture", "ARTS&CULTURE", "culture"])
def test_category_names_match_case_insensitively(make_site: SiteFactory, written: str) -> None:
    loaded = _ok(make_site, article(category=f"'{written}'"))
    assert loaded.category.name in ("World", "Arts&Culture")


@pytest.mark.parametrize("value", ["[World]", "{name: World}", "true"])
def test_ill_typed_category_with_its_line(make_site: SiteFactory, value: str) -> None:
    assert _errors(make_site, article(category=value)) == [(4, "'category' must be text (put it in quotes)")]


@pytest.mark.parametrize(("key", "value"), [
    ("tags", "{a: 1}"), ("tags", "5"), ("tags", "[[a]]"), ("tags", "[true]"), ("authors", "{a: b}"),
    ("author", "5"), ("summary", "[a]"), ("slug", "[a]"),
])
def test_ill_typed_optional_fields_with_their_line(make_site: SiteFactory, key: str, value: str) -> None:
    errors = _errors(make_site, article(**{key: value}))
    assert len(errors) == 1 and errors[0][0] == 5 and f"'{key}'" in errors[0][1]


def test_every_problem_in_a_file_is_reported(make_site: SiteFactory) -> None:
    text = ("---\ntitle: [a]\ndate: someday\ncategory: Nowhere\ntags: {a: 1}\nimage: 5\ndraft: maybe\n"
            "aliases: relative/\n---\n")
    assert [line for line, _ in _errors(make_site, text)] == [2, 3, 4, 5, 6, 7, 8]


def test_lines_count_blank_lines_before_the_fence(make_site: SiteFactory) -> None:
    errors = _errors(make_site, "\n\n" + article(category="Nowhere"))
    assert errors[0][0] == 6


def test_errors_in_crlf_bom_files_have_file_lines(make_site: SiteFactory) -> None:
    text = ("\ufeff" + article(category="Nowhere")).replace("\n", "\r\n").encode("utf-8")
    loaded, report = _load(make_site, text)
    assert loaded is None and [d.line for d in report.errors] == [4]


def test_toml_front_matter_loads_an_article(make_site: SiteFactory) -> None:
    text = ('+++\ntitle = "From Hugo"\ndate = 2025-06-23T17:05:06+09:00\ncategory = "Business"\n'
            'tags = ["a", "b"]\ndraft = false\n+++\nBody\n')
    loaded = _ok(make_site, text)
    assert (loaded.title, loaded.category.slug, [t.name for t in loaded.tags]) == ("From Hugo", "business", ["a", "b"])


def test_toml_errors_have_their_key_line(make_site: SiteFactory) -> None:
    text = '+++\ntitle = "x"\ndate = 2025-06-23\ncategory = "Nowhere"\n+++\n'
    assert _errors(make_site, text)[0][0] == 4


def test_invalid_utf8_is_an_error_not_a_crash(make_site: SiteFactory) -> None:
    loaded, report = _load(make_site, article().encode() + b"caf\xe9\n")
    assert loaded is None and [d.line for d in report.errors] == [8]


def test_one_broken_file_does_not_stop_the_others(make_site: SiteFactory) -> None:
    site = make_site({
        "content/articles/a.md": article(title="Good One"),
        "content/articles/b.md": article(category="Nowhere"),
        "content/articles/c.md": "no front matter",
        "content/articles/d.md": article(title="Good Two"),
    })
    loaded, report, _ = load_articles(site)
    assert sorted(item.article.title for item in loaded) == ["Good One", "Good Two"]
    assert sorted(d.path for d in report.errors) == ["content/articles/b.md", "content/articles/c.md"]


def test_discover_finds_markdown_at_any_depth_in_a_stable_order(tmp_path: Path) -> None:
    for rel in ["2025/06/b.md", "2025/06/a.markdown", "x.md", "2024/notes.txt", "_drafts/y.md",
                ".hidden/z.md", "2025/.swap.md", "2025/_partial.md"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["2025/06/a.markdown", "2025/06/b.md", "x.md"]
    assert discover(tmp_path / "missing") == []


def test_loader_is_reusable_and_deterministic(make_site: SiteFactory) -> None:
    site = make_site({"content/articles/a.md": FULL})
    report = Report()
    config = load_config(site, report)
    assert config is not None
    loader = ArticleLoader(site, config, {})
    first = loader.load(site / "content/articles/a.md", report)
    second = loader.load(site / "content/articles/a.md", report)
    assert first == second and first is not None


# --- reporters ---------------------------------------------------------------

def _authors(make_site: SiteFactory, text: str, config: str = BASIC_CONFIG) -> tuple[dict[str, Author], Found]:
    site = make_site({"data/authors.yaml": text}, config=config)
    report = Report()
    loaded_config = load_config(site, report)
    assert loaded_config is not None
    authors = load_authors(site, loaded_config, report)
    return authors, [(d.line, d.message) for d in report]


def test_authors_as_a_list(make_site: SiteFactory) -> None:
    authors, found = _authors(make_site, """\
- name: Kim Soo-hyun
  slug: kim
  title: Economy reporter
  bio: Covers markets.
  photo: /images/kim.jpg
  email: kim@example.com
- name: Lee Min-ji
""")
    assert found == []
    assert authors["kim soo-hyun"] == Author("Kim Soo-hyun", "kim", "/author/kim/", "Economy reporter",
                                             "Covers markets.", "/images/kim.jpg", "kim@example.com")
    assert authors["lee min-ji"].slug == "lee-min-ji" and authors["lee min-ji"].known


def test_authors_as_a_mapping(make_site: SiteFactory) -> None:
    authors, found = _authors(make_site, "Kim Soo-hyun:\n  title: Economy reporter\nLee Min-ji: {slug: lee}\n")
    assert found == []
    assert authors["kim soo-hyun"].title == "Economy reporter" and authors["lee min-ji"].url == "/author/lee/"


def test_bad_author_entries_with_their_lines(make_site: SiteFactory) -> None:
    _, found = _authors(make_site, """\
- name: Kim
- just a name
- title: No name
- name: kim
- name: Lee
  emial: lee@example.com
""")
    assert found == [
        (2, "each reporter is a mapping with at least a name"),
        (3, "reporter profile without a 'name'"),
        (4, "reporter 'kim' is listed twice"),
        (5, "unknown reporter field 'emial' (did you mean \"email\"?) is ignored"),
    ]


def test_author_entry_lines_count_only_real_line_breaks(make_site: SiteFactory) -> None:
    _, found = _authors(make_site, '- name: Kim\n  bio: "One\u2028two\u2028three"\n- name: kim\n')
    assert found == [(3, "reporter 'kim' is listed twice")]


def test_two_reporters_with_one_slug_is_an_error(make_site: SiteFactory) -> None:
    authors, found = _authors(make_site, "- name: Kim Lee\n- name: Park\n- name: kim-lee\n- name: Cho\n  slug: park\n")
    assert found == [
        (3, "reporters 'Kim Lee' and 'kim-lee' have the same slug 'kim-lee' (one reporter page); "
            "give one of them another 'slug'"),
        (4, "reporters 'Park' and 'Cho' have the same slug 'park' (one reporter page); "
            "give one of them another 'slug'"),
    ]
    assert sorted(authors) == ["kim lee", "park"]


def test_authors_file_of_the_wrong_shape(make_site: SiteFactory) -> None:
    authors, found = _authors(make_site, "just words\n")
    assert authors == {} and found == [(1, "authors.yaml must be a list of reporter profiles")]


def test_authors_yaml_error_line(make_site: SiteFactory) -> None:
    _, found = _authors(make_site, "- name: Kim\n- name: [Lee\n")
    assert len(found) == 1 and found[0][0] == 2


def test_unsafe_author_slug_is_made_safe(make_site: SiteFactory) -> None:
    authors, _ = _authors(make_site, "- name: Kim\n  slug: ../../etc\n")
    assert authors["kim"].slug == "etc"


def test_korean_reporter_slug_follows_the_site_style(make_site: SiteFactory) -> None:
    ascii_authors, _ = _authors(make_site, "- name: 김수현\n")
    unicode_authors, _ = _authors(make_site, "- name: 김수현\n", config=BASIC_CONFIG + "slugs: unicode\n")
    assert ascii_authors["김수현"].slug == "gimsuhyeon"
    assert unicode_authors["김수현"].slug == "김수현"


def test_no_authors_file_is_fine(make_site: SiteFactory) -> None:
    site = make_site({})
    report = Report()
    config = load_config(site, report)
    assert config is not None and load_authors(site, config, report) == {} and not report.items


# --- standalone pages --------------------------------------------------------

def _page(make_site: SiteFactory, name: str, text: str) -> tuple[object, Found]:
    site = make_site({f"content/pages/{name}": text})
    report = Report()
    page = load_page(site / "content/pages" / name, site, MarkdownRenderer(), report)
    return page, [(d.line, d.message) for d in report]


def test_a_page_is_published_at_its_name(make_site: SiteFactory) -> None:
    page, found = _page(make_site, "about.md", "---\ntitle: About Us\nlayout: wide\n---\nWe report.\n")
    assert found == []
    assert (page.slug, page.url, page.title, page.body_html) == (  # type: ignore[attr-defined]
        "about", "/about/", "About Us", "<p>We report.</p>\n")
    assert dict(page.meta) == {"layout": "wide"}  # type: ignore[attr-defined]


def test_a_page_slug_overrides_the_name(make_site: SiteFactory) -> None:
    page, found = _page(make_site, "contact.md", "---\ntitle: Contact\nslug: contact-us\n---\n")
    assert found == [] and page.url == "/contact-us/"  # type: ignore[attr-defined]


@pytest.mark.parametrize("slug", ["article", "category", "tag", "author", "articles", "search", "page",
                                  "feed.xml", "sitemap.xml", "news-sitemap.xml", "robots.txt", "404.html",
                                  "Search", "/tag/"])
def test_reserved_page_slugs_are_refused(make_site: SiteFactory, slug: str) -> None:
    page, found = _page(make_site, "x.md", f"---\ntitle: X\nslug: '{slug}'\n---\n")
    assert page is None and len(found) == 1 and found[0][0] == 3 and "built-in path" in found[0][1]


@pytest.mark.parametrize("name", ["tag.md", "search.md", "articles.md"])
def test_reserved_page_file_names_are_refused(make_site: SiteFactory, name: str) -> None:
    page, found = _page(make_site, name, "---\ntitle: X\n---\n")
    assert page is None and len(found) == 1 and "built-in path" in found[0][1]


@pytest.mark.parametrize("slug", ["../x", "a/b", "''", "[a]"])
def test_unsafe_page_slugs_are_refused(make_site: SiteFactory, slug: str) -> None:
    page, found = _page(make_site, "x.md", f"---\ntitle: X\nslug: {slug}\n---\n")
    assert page is None and len(found) == 1 and found[0][0] == 3


def test_a_page_needs_a_title(make_site: SiteFactory) -> None:
    page, found = _page(make_site, "x.md", "---\nsummary: x\n---\n")
    assert page is None and found == [(1, "'title' is required and must be text")]


def test_control_characters_in_front_matter_never_reach_the_page(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, '---\ntitle: "Bell\\x07 and\\x01 null"\ndate: 2025-06-01\n'
                 'category: World\ntags: ["Tab\\x0bbed"]\n---\n\nBody.\n')
    assert loaded.title == "Bell and null"
    assert [tag.name for tag in loaded.tags] == ["Tabbed"]


def test_an_alias_without_a_file_name_becomes_a_folder(make_site: SiteFactory) -> None:
    loaded = _ok(make_site, '---\ntitle: T\ndate: 2025-06-01\ncategory: World\n'
                 'aliases: [/old/story, /old/page.html, /old/folder/]\n---\n\nBody.\n')
    assert loaded.aliases == ("/old/story/", "/old/page.html", "/old/folder/")


def test_content_files_finds_what_discover_finds(tmp_path: Path) -> None:
    for rel in ("content/articles/2025/a.md", "content/articles/b.markdown", "content/articles/.hidden.md",
                "content/articles/_draft/c.md", "content/articles/d.txt", "content/articles-old/e.md",
                "content/articles/2025/.git/f.md", "content/pages/about.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    everything = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path / "content/articles")]
    assert content_files(everything, "content/articles") == found == ["content/articles/2025/a.md",
                                                                     "content/articles/b.markdown"]
