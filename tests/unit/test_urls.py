"""URLs and the output files they map to: the contract's table, and nothing outside the output."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gettimes import urls


@pytest.mark.parametrize(("url", "path"), [
    ("/", "index.html"),
    ("/article/trump-ip4-nato/", "article/trump-ip4-nato/index.html"),
    ("/category/world/", "category/world/index.html"),
    ("/category/world/page/2/", "category/world/page/2/index.html"),
    ("/tag/g20/", "tag/g20/index.html"),
    ("/author/kim/page/3/", "author/kim/page/3/index.html"),
    ("/articles/", "articles/index.html"),
    ("/about/", "about/index.html"),
    ("/search/", "search/index.html"),
    ("/feed.xml", "feed.xml"),
    ("/category/world/feed.xml", "category/world/feed.xml"),
    ("/sitemap.xml", "sitemap.xml"),
    ("/news-sitemap.xml", "news-sitemap.xml"),
    ("/robots.txt", "robots.txt"),
    ("/404.html", "404.html"),
    ("/2025/06/old-story.html", "2025/06/old-story.html"),
    ("/article/한국-경제/", "article/한국-경제/index.html"),
    ("/a//b/", "a/b/index.html"),
])
def test_output_paths(url: str, path: str) -> None:
    assert urls.output_path(url) == path


@pytest.mark.parametrize("url", [
    "", "article/x/", "https://example.com/x/", "/../x/", "/a/../../x/", "/a/../b/", "/./x/", "/..",
    "/a\\b/", "/..\\..\\x", "/a\x00b/", "/./",
])
def test_output_path_refuses_what_could_leave_the_output(url: str) -> None:
    assert urls.output_path(url) is None


def test_url_helpers_follow_the_contract_table() -> None:
    assert urls.category_url("world") == "/category/world/"
    assert urls.tag_url("g20") == "/tag/g20/"
    assert urls.author_url("kim") == "/author/kim/"
    assert urls.page_url("about") == "/about/"
    assert (urls.HOME_URL, urls.ARTICLES_URL, urls.SEARCH_URL, urls.NOT_FOUND_URL) == (
        "/", "/articles/", "/search/", "/404.html")


def test_paged_urls() -> None:
    assert urls.paged("/category/world/", 1) == "/category/world/"
    assert urls.paged("/category/world/", 2) == "/category/world/page/2/"
    assert urls.paged("/", 3) == "/page/3/"


def test_article_url_placeholders_use_the_local_date() -> None:
    # 23:30 on the 30th in Seoul is still the 30th in the URL, whatever UTC says.
    date = datetime(2025, 6, 30, 23, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    pattern = "/{yyyy}/{mm}/{dd}/{category}/{slug}/"
    assert urls.article_url(pattern, "x", date, "world") == "/2025/06/30/world/x/"
    assert urls.article_url("/article/{slug}/", "x", date, "world") == "/article/x/"
    assert urls.article_url("/{yyyy}/{mm}/{slug}/", "y", datetime(2025, 1, 5), "c") == "/2025/01/y/"


@pytest.mark.parametrize(("url", "absolute"), [
    ("/article/x/", "https://news.example.com/article/x/"),
    ("/", "https://news.example.com/"),
    ("/article/한국/", "https://news.example.com/article/%ED%95%9C%EA%B5%AD/"),
    ("/a b/", "https://news.example.com/a%20b/"),
    ("/search/?q=x#top", "https://news.example.com/search/?q=x#top"),
    ("https://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"),
    ("//cdn.example.com/a.jpg", "//cdn.example.com/a.jpg"),
])
def test_absolute_urls(url: str, absolute: str) -> None:
    assert urls.absolute("https://news.example.com", url) == absolute


def test_absolute_urls_keep_a_base_path() -> None:
    assert urls.absolute("https://example.com/news", "/article/x/") == "https://example.com/news/article/x/"


def test_reserved_slugs_cover_every_built_in_first_segment() -> None:
    for name in ("article", "category", "tag", "author", "articles", "search", "page", "feed.xml",
                 "sitemap.xml", "news-sitemap.xml", "robots.txt", "404.html"):
        assert name in urls.RESERVED_SLUGS


@given(st.lists(st.sampled_from(["a", "b-c", "_d", "", ".", "..", "x.y", "한", "e\\f", "%2e", "Z9"]), max_size=5),
       st.booleans(), st.booleans())
def test_output_path_is_the_same_by_its_shortcut(segments: list[str], leading: bool, trailing: bool) -> None:
    url = ("/" if leading else "") + "/".join(segments) + ("/" if trailing else "")
    assert urls.output_path(url) == urls.output_path_by_segments(url)
