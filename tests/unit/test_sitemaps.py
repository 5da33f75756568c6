"""Sitemaps, the Google News sitemap and robots.txt, validated against the published schemas.

tests/data/sitemap.xsd and siteindex.xsd are the sitemaps.org 0.9 schemas;
sitemap-news.xsd is the Google News extension and news-sitemap.xsd joins the two.
The fixed clock is 2025-06-30 03:00 UTC, 12:00 in Asia/Seoul.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from conftest import BASIC_CONFIG, FIXED_NOW, SiteFactory, article, options
from gettimes.build import build_site, check_site, load_site
from gettimes.diagnostics import Report, SiteError
from gettimes.models import Article, Category
from gettimes.render import plan_pages
from gettimes.sitemaps import NEWS_MAX_URLS, make_sitemaps, news_articles, sitemap_problems

DATA = Path(__file__).parent.parent / "data"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
HOST = "https://news.example.com"

FILES: dict[str, str | bytes] = {
    "content/articles/a1.md": article("First", "2025-06-20 09:00:00+09:00", slug="a1", author="KIM MIN-SEO",
                                      updated="2025-06-25 10:00:00+09:00", tags="[markets]"),
    "content/articles/a2.md": article("Second", "2025-06-26 09:00:00+09:00", slug="a2", author="KIM MIN-SEO"),
    "content/articles/a3.md": article("Third", "2025-06-27 09:00:00+09:00", slug="a3", category="Business",
                                      author="LEE JUN", tags="[markets]"),
    "content/articles/a4.md": article("Fourth", "2025-06-28 09:00:00+09:00", slug="a4", author="LEE JUN",
                                      aliases="[/old/a4/]"),
    "content/articles/draft.md": article("Draft", "2025-06-29 09:00:00+09:00", slug="draft", draft="true"),
    "content/pages/about.md": "---\ntitle: About Us\n---\n\nWho we are.\n",
    "data/authors.yaml": "- name: KIM MIN-SEO\n- name: LEE JUN\n",
}


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / name)))


def assert_valid(name: str, data: bytes) -> None:
    xsd = schema(name)
    assert xsd.validate(etree.fromstring(data)), xsd.error_log


def entries(data: bytes) -> dict[str, str | None]:
    root = ET.fromstring(data)
    return {(u.findtext(f"{NS}loc") or ""): u.findtext(f"{NS}lastmod") for u in root.findall(f"{NS}url")}


@pytest.fixture
def out(make_site: SiteFactory, tmp_path: Path) -> Path:
    build_site(make_site(FILES), options(output=tmp_path / "out"))
    return tmp_path / "out"


def test_the_sitemap_is_valid_and_lists_every_content_page(out: Path) -> None:
    data = (out / "sitemap.xml").read_bytes()
    assert_valid("sitemap.xsd", data)
    assert sitemap_problems(data) == []
    pages = {"/" + p.parent.relative_to(out).as_posix() + "/" for p in out.rglob("index.html")}
    pages = {p.replace("/./", "/") for p in pages}
    # not listed: the search page and the redirect left at an alias
    assert {HOST + p for p in pages - {"/search/", "/old/a4/"}} == set(entries(data))
    assert f"{HOST}/category/world/page/2/" in entries(data)
    assert f"{HOST}/articles/page/2/" in entries(data)
    assert f"{HOST}/about/" in entries(data)
    assert f"{HOST}/article/draft/" not in entries(data)


def test_lastmod_comes_from_the_content_never_the_clock(out: Path) -> None:
    lastmod = entries((out / "sitemap.xml").read_bytes())
    assert lastmod[f"{HOST}/"] == "2025-06-28T09:00:00+09:00"
    assert lastmod[f"{HOST}/article/a1/"] == "2025-06-25T10:00:00+09:00"  # its `updated`
    assert lastmod[f"{HOST}/article/a2/"] == "2025-06-26T09:00:00+09:00"  # its `date`
    assert lastmod[f"{HOST}/category/world/"] == "2025-06-28T09:00:00+09:00"  # lists a4 and a2
    assert lastmod[f"{HOST}/category/world/page/2/"] == "2025-06-25T10:00:00+09:00"  # lists a1
    assert lastmod[f"{HOST}/tag/markets/"] == "2025-06-27T09:00:00+09:00"
    assert lastmod[f"{HOST}/author/lee-jun/"] == "2025-06-28T09:00:00+09:00"
    assert lastmod[f"{HOST}/category/culture/"] is None  # lists nothing
    assert lastmod[f"{HOST}/about/"] is None  # a standalone page has no date


def test_sitemaps_are_byte_identical_across_builds_at_different_times(make_site: SiteFactory,
                                                                     tmp_path: Path) -> None:
    site = make_site(FILES)
    build_site(site, options(output=tmp_path / "one"))
    build_site(site, options(output=tmp_path / "two", now=FIXED_NOW + timedelta(days=40, seconds=1)))
    for name in ("sitemap.xml", "robots.txt"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_beyond_the_limit_the_sitemap_becomes_an_index(make_site: SiteFactory) -> None:
    report = Report()
    site = load_site(make_site(FILES), options(), report)
    assert site is not None
    jobs = list(plan_pages(site.config, site.index))
    whole = {f.path: f.data for f in make_sitemaps(site.config, site.index, jobs, site.now)}
    split = {f.path: f.data for f in make_sitemaps(site.config, site.index, jobs, site.now, limit=5)}
    every = entries(whole["sitemap.xml"])
    parts = [f"sitemap-{n}.xml" for n in range(1, (len(every) + 4) // 5 + 1)]
    assert sorted(split) == sorted(["sitemap.xml", "news-sitemap.xml", "robots.txt", *parts])
    index = split["sitemap.xml"]
    assert_valid("siteindex.xsd", index)
    assert sitemap_problems(index) == []
    listed = ET.fromstring(index).findall(f"{NS}sitemap")
    assert [s.findtext(f"{NS}loc") for s in listed] == [f"{HOST}/{part}" for part in parts]
    joined: dict[str, str | None] = {}
    for part, entry in zip(parts, listed, strict=True):
        assert_valid("sitemap.xsd", split[part])
        chunk = entries(split[part])
        assert len(chunk) <= 5
        assert entry.findtext(f"{NS}lastmod") == max(v for v in chunk.values() if v)
        joined.update(chunk)
    assert list(joined.items()) == list(every.items())  # same URLs, same order, same dates


def test_robots_txt_names_both_sitemaps_by_absolute_url(out: Path) -> None:
    assert (out / "robots.txt").read_text("utf-8") == (
        "User-agent: *\n"
        "Disallow:\n"
        "\n"
        "Sitemap: https://news.example.com/sitemap.xml\n"
        "Sitemap: https://news.example.com/news-sitemap.xml\n"
    )


def test_a_base_url_with_a_path_is_in_every_url(make_site: SiteFactory, tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace("https://news.example.com", "https://example.com/edition")
    build_site(make_site(FILES, config=config), options(output=tmp_path / "out"))
    locs = entries((tmp_path / "out" / "sitemap.xml").read_bytes())
    assert all(loc.startswith("https://example.com/edition/") for loc in locs)
    assert "Sitemap: https://example.com/edition/sitemap.xml\n" in (tmp_path / "out" / "robots.txt").read_text()


# --- the Google News sitemap ------------------------------------------------

NEWS_CONFIG = BASIC_CONFIG.replace("title: Test Times", "title: Times & Tides").replace("language: en",
                                                                                        "language: ko")
WINDOW_FILES: dict[str, str | bytes] = {
    "content/articles/edge.md": article("Exactly 48 Hours", "2025-06-28 12:00:00+09:00", slug="edge"),
    "content/articles/out.md": article("48 Hours and a Second", "2025-06-28 11:59:59+09:00", slug="out"),
    "content/articles/now.md": article("Right Now", "2025-06-30 12:00:00+09:00", slug="now"),
    "content/articles/recent.md": article("Last Night <Live>", "2025-06-29 20:00:00+09:00", slug="recent"),
    "content/articles/future.md": article("Tomorrow", "2025-06-30 13:00:00+09:00", slug="future"),
    "content/articles/revised.md": article("Old but Revised", "2025-06-01 09:00:00+09:00", slug="revised",
                                           updated="2025-06-29 09:00:00+09:00"),
}


def test_the_news_sitemap_lists_the_last_48_hours_edges_included(make_site: SiteFactory, tmp_path: Path) -> None:
    """Exactly 48 h before the build is in, a second more is out; so are --future articles and old
    articles updated lately (the date that counts is the original publication)."""
    build_site(make_site(WINDOW_FILES, config=NEWS_CONFIG), options(output=tmp_path / "out", future=True))
    data = (tmp_path / "out" / "news-sitemap.xml").read_bytes()
    assert_valid("news-sitemap.xsd", data)
    assert sitemap_problems(data) == []
    urls = ET.fromstring(data).findall(f"{NS}url")
    assert [u.findtext(f"{NS}loc") for u in urls] == [f"{HOST}/article/{s}/" for s in ("now", "recent", "edge")]
    first = urls[1].find(f"{NEWS}news")
    assert first is not None
    assert first.findtext(f"{NEWS}publication/{NEWS}name") == "Times & Tides"
    assert first.findtext(f"{NEWS}publication/{NEWS}language") == "ko"
    assert first.findtext(f"{NEWS}publication_date") == "2025-06-29T20:00:00+09:00"
    assert first.findtext(f"{NEWS}title") == "Last Night <Live>"
    # the future article is built (--future) and is in the main sitemap, just not in the news one
    assert f"{HOST}/article/future/" in entries((tmp_path / "out" / "sitemap.xml").read_bytes())


def test_with_nothing_recent_the_news_sitemap_is_an_empty_urlset(make_site: SiteFactory, tmp_path: Path) -> None:
    """The published sitemap.xsd demands at least one <url>, so an empty news sitemap cannot pass it;
    search engines accept an empty <urlset>, and that is what is written: well-formed, right namespaces."""
    build_site(make_site(FILES), options(output=tmp_path / "out", now=FIXED_NOW + timedelta(days=30)))
    data = (tmp_path / "out" / "news-sitemap.xml").read_bytes()
    root = ET.fromstring(data)
    assert root.tag == f"{NS}urlset" and list(root) == []
    assert b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' in data
    assert sitemap_problems(data) == []


def test_the_news_sitemap_holds_at_most_1000_articles_newest_first() -> None:
    world = Category("World", "world", "/category/world/")
    now = datetime.fromisoformat("2025-06-30T12:00:00+09:00")
    articles = [Article(f"content/articles/{n}.md", f"s{n:04d}", f"/article/s{n:04d}/", f"Story {n}",
                        now - timedelta(minutes=n), world, "<p>x</p>", "x")
                for n in range(NEWS_MAX_URLS + 5)]
    listed = news_articles(reversed(articles), now)
    assert len(listed) == NEWS_MAX_URLS
    assert listed == articles[:NEWS_MAX_URLS]


# --- check --------------------------------------------------------------------

def test_check_reports_no_sitemap_problem_and_refuses_a_static_robots_txt(make_site: SiteFactory,
                                                                         tmp_path: Path) -> None:
    errors = [str(d) for d in check_site(make_site(FILES), options()).errors]
    assert [e for e in errors if "sitemap" in e or "robots" in e] == []
    site = make_site({**FILES, "static/robots.txt": "User-agent: *\n"})
    message = "robots.txt: output file robots.txt is also written by static/robots.txt"
    assert message in [str(d) for d in check_site(site, options()).errors]
    with pytest.raises(SiteError):
        build_site(site, options(output=tmp_path / "out"))


def test_sitemap_problems_names_what_a_validator_would_flag() -> None:
    bad = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>/article/a/</loc><lastmod>30 June 2025</lastmod></url>
  <url><loc>https://x.example/b/</loc>
    <news:news><news:publication><news:name>X</news:name></news:publication>
      <news:publication_date>yesterday</news:publication_date><news:title>B</news:title></news:news>
  </url>
</urlset>"""
    assert sitemap_problems(bad) == [
        "entry 1: <loc> is not an absolute http(s) URL of at most 2048 characters: '/article/a/'",
        "entry 1: <lastmod> '30 June 2025' is not a W3C datetime",
        "entry 2: no <news:language>",
        "entry 2: <news:publication_date> 'yesterday' is not a W3C datetime",
    ]
    assert sitemap_problems(b"<urlset/>") == [
        "the root element is not <urlset> or <sitemapindex> in the namespace "
        "http://www.sitemaps.org/schemas/sitemap/0.9"]
