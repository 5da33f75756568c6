"""RSS feeds: parsed back with feedparser and checked field by field, a golden feed, determinism.

The golden feed is tests/data/golden-feed.xml. After an intended change, rewrite
it and review the difference:

    UPDATE_GOLDEN=1 python3 -m pytest tests/unit/test_feeds.py
    git diff tests/data/golden-feed.xml
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import BASIC_CONFIG, FIXED_NOW, SiteFactory, article, options, parse_rss
from gettimes import build
from gettimes.build import build_site, check_site
from gettimes.diagnostics import SiteError
from gettimes.feeds import GeneratedFile, absolute_html, feed_problems, xml_text

DATA = Path(__file__).parent.parent / "data"
GOLDEN_FEED = DATA / "golden-feed.xml"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ATOM = "{http://www.w3.org/2005/Atom}"
RFC822 = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}")
IMAGE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 3 + b"\xff\xd9"  # 774 bytes, never read as an image

FEED_CONFIG = BASIC_CONFIG + "feed_items: 3\ndescription: Fictional news for the tests\n"

CHIP = """\
---
title: "Chip Exports Hit a Record\\a in June"
date: 2025-06-28 09:00:00+09:00
updated: 2025-06-29 10:30:00+09:00
category: Business
authors: [KIM MIN-SEO, LEE JUN]
tags: [semiconductors, exports]
summary: "Shipments rose 12% on demand for memory.\\v"
image: /images/chip.jpg
slug: chip-exports-record
---

Memory chip exports rose for a fourth month.\x01 See [the earlier report](/article/older-story/),
[a chart](charts/june.html) and [the notes](#notes).

![Wafer](/images/chip.jpg "A wafer")

<p><a href='/tag/exports/'>More on exports</a>
<img srcset="/images/chip.jpg 1x, /images/chip@2x.jpg 2x" src=/images/chip.jpg alt=""></p>

Write to [the desk](mailto:desk@example.com), read [elsewhere](https://example.org/x)
or load [the script](//cdn.example.net/a.js).
"""

FILES: dict[str, str | bytes] = {
    "content/articles/chip.md": CHIP,
    "content/articles/korean.md": article("반도체 수출 사상 최대 & 전망", "2025-06-27 08:00:00+09:00",
                                          category="World", author="KIM MIN-SEO", slug="chips-ko",
                                          body="첫 문단입니다.\n"),
    "content/articles/monsoon.md": article("Monsoon Arrives Early", "2025-06-26 18:15:00+09:00",
                                           category="World", author="LEE JUN", slug="monsoon"),
    "content/articles/older.md": article("An Older Story", "2025-06-20 07:00:00+09:00",
                                         category="World", author="LEE JUN", slug="older-story"),
    "content/articles/draft.md": article("Not Yet", "2025-06-29 07:00:00+09:00", slug="not-yet",
                                         draft="true"),
    "static/images/chip.jpg": IMAGE,
    "data/authors.yaml": "- name: KIM MIN-SEO\n- name: LEE JUN\n",
}


def built(make_site: SiteFactory, tmp_path: Path, config: str = FEED_CONFIG, **changes: Any) -> Path:
    site = make_site(FILES, config=config)
    out = tmp_path / "out"
    build_site(site, options(output=out, **changes))
    return out


def items(data: bytes) -> list[ET.Element]:
    return ET.fromstring(data).findall("channel/item")


def test_the_site_feed_parses_cleanly_and_holds_the_newest_items(make_site: SiteFactory, tmp_path: Path) -> None:
    data = (built(make_site, tmp_path) / "feed.xml").read_bytes()
    feed = parse_rss(data)
    assert feed.feed.title == "Test Times"
    assert feed.feed.link == "https://news.example.com/"
    assert feed.feed.subtitle == "Fictional news for the tests"
    assert feed.feed.language == "en"
    assert {"rel": "self", "type": "application/rss+xml", "href": "https://news.example.com/feed.xml"} \
        in feed.feed.links
    # feed_items: 3, newest first; the draft is not published
    assert [e.link for e in feed.entries] == [
        "https://news.example.com/article/chip-exports-record/",
        "https://news.example.com/article/chips-ko/",
        "https://news.example.com/article/monsoon/",
    ]
    assert feed.entries[1].title == "반도체 수출 사상 최대 & 전망"
    assert feed_problems(data) == []


def test_an_item_has_every_field_right(make_site: SiteFactory, tmp_path: Path) -> None:
    data = (built(make_site, tmp_path) / "feed.xml").read_bytes()
    entry = parse_rss(data).entries[0]
    item = items(data)[0]
    link = "https://news.example.com/article/chip-exports-record/"
    assert entry.title == "Chip Exports Hit a Record in June"  # the BEL character is gone
    assert entry.link == link
    guid = item.find("guid")
    assert guid is not None and guid.text == link and guid.get("isPermaLink") == "true"
    assert entry.published == "Sat, 28 Jun 2025 09:00:00 +0900"
    assert item.findtext("description") == "Shipments rose 12% on demand for memory."  # no vertical tab
    assert [c.text for c in item.findall(f"{DC}creator")] == ["KIM MIN-SEO", "LEE JUN"]
    assert item.find("author") is None  # RSS <author> is for e-mail addresses only
    assert [c.text for c in item.findall("category")] == ["Business", "semiconductors", "exports"]
    assert entry.enclosures == [{"href": "https://news.example.com/images/chip.jpg", "length": str(len(IMAGE)),
                                 "type": "image/jpeg"}]
    content = item.findtext(f"{CONTENT}encoded") or ""
    assert "<p>Memory chip exports rose for a fourth month. See" in content  # \x01 removed, HTML kept
    assert "\x01" not in data.decode("utf-8")


def test_every_url_in_the_content_is_absolute(make_site: SiteFactory, tmp_path: Path) -> None:
    data = (built(make_site, tmp_path) / "feed.xml").read_bytes()
    content = items(data)[0].findtext(f"{CONTENT}encoded") or ""
    link = "https://news.example.com/article/chip-exports-record/"
    for expected in [
        'href="https://news.example.com/article/older-story/"',
        f'href="{link}charts/june.html"',
        f'href="{link}#notes"',
        'src="https://news.example.com/images/chip.jpg"',
        "href='https://news.example.com/tag/exports/'",
        'srcset="https://news.example.com/images/chip.jpg 1x, https://news.example.com/images/chip@2x.jpg 2x"',
        'href="mailto:desk@example.com"',
        'href="https://example.org/x"',
        'href="//cdn.example.net/a.js"',
    ]:
        assert expected in content
    values = re.findall(r"""\s(?:href|src)=["']?([^"'\s>]+)""", content)
    assert values and all(v.startswith(("https://", "mailto:", "//")) for v in values), values


def test_last_build_date_is_the_newest_article_not_the_clock(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path)
    site_feed = ET.fromstring((out / "feed.xml").read_bytes())
    # the chip story was updated on 06-29 10:30: newer than any date in the feed
    assert site_feed.findtext("channel/lastBuildDate") == "Sun, 29 Jun 2025 10:30:00 +0900"
    world = ET.fromstring((out / "category/world/feed.xml").read_bytes())
    assert world.findtext("channel/lastBuildDate") == "Fri, 27 Jun 2025 08:00:00 +0900"


def test_category_feeds_exist_for_every_category_even_an_empty_one(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path)
    world = parse_rss((out / "category/world/feed.xml").read_bytes())
    assert world.feed.title == "Test Times: World"
    assert world.feed.link == "https://news.example.com/category/world/"
    assert {"rel": "self", "type": "application/rss+xml",
            "href": "https://news.example.com/category/world/feed.xml"} in world.feed.links
    assert [e.link.rsplit("/", 2)[1] for e in world.entries] == ["chips-ko", "monsoon", "older-story"]
    business = parse_rss((out / "category/business/feed.xml").read_bytes())
    assert [e.title for e in business.entries] == ["Chip Exports Hit a Record in June"]
    empty = (out / "category/culture/feed.xml").read_bytes()
    assert parse_rss(empty).entries == []
    assert b"lastBuildDate" not in empty  # no article, no date: never the clock
    assert all(feed_problems((out / p).read_bytes()) == [] for p in
               ("feed.xml", "category/world/feed.xml", "category/business/feed.xml", "category/culture/feed.xml"))


def test_dates_have_english_names_and_numeric_offsets_whatever_the_language(
        make_site: SiteFactory, tmp_path: Path) -> None:
    config = FEED_CONFIG.replace("language: en", "language: ko").replace("Asia/Seoul", "America/New_York")
    data = (built(make_site, tmp_path, config=config) / "feed.xml").read_bytes()
    dates = [item.findtext("pubDate") for item in items(data)]
    # the same instants, shown in the site's zone (EDT, -0400)
    assert dates == ["Fri, 27 Jun 2025 20:00:00 -0400", "Thu, 26 Jun 2025 19:00:00 -0400",
                     "Thu, 26 Jun 2025 05:15:00 -0400"]
    assert all(RFC822.fullmatch(d or "") for d in dates)
    assert ET.fromstring(data).findtext("channel/language") == "ko"


def test_feeds_are_byte_identical_across_builds_at_different_times(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site(FILES, config=FEED_CONFIG)
    first, second = tmp_path / "first", tmp_path / "second"
    build_site(site, options(output=first))
    build_site(site, options(output=second, now=FIXED_NOW + timedelta(days=3, hours=7, seconds=13)))
    feeds = sorted(p.relative_to(first).as_posix() for p in [*first.rglob("feed.xml"), first / "atom.xml"])
    # the site, 3 categories, 2 tags, 2 reporters, and the Atom feed
    assert len(feeds) == 9
    for rel in feeds:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_the_site_feed_matches_the_golden_file(make_site: SiteFactory, tmp_path: Path,
                                               request: pytest.FixtureRequest) -> None:
    data = (built(make_site, tmp_path) / "feed.xml").read_bytes()
    if os.environ.get("UPDATE_GOLDEN") == "1" or request.config.getoption("--update-golden", default=False):
        GOLDEN_FEED.write_bytes(data)
    assert data.decode("utf-8") == GOLDEN_FEED.read_text("utf-8")


def test_check_counts_the_feeds_as_existing_and_finds_them_valid(make_site: SiteFactory) -> None:
    report = check_site(make_site(FILES, config=FEED_CONFIG), options())
    # the theme links /feed.xml and each category's feed.xml on every page: none is broken, none invalid
    errors = [str(d) for d in report.errors]
    assert [e for e in errors if "feed" in e or "sitemap" in e or "invalid" in e] == []


def test_check_reports_an_invalid_feed(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = GeneratedFile.of("feed.xml", "feed /feed.xml", b"<rss><channel/></rss>", feed_problems)
    monkeypatch.setattr(build, "make_feeds", lambda *args: [broken])
    report = check_site(make_site(FILES, config=FEED_CONFIG), options())
    assert 'feed.xml: invalid feed /feed.xml: the root element is not <rss version="2.0">' in \
        [str(d) for d in report.errors]


def test_a_static_file_in_the_way_of_a_feed_is_an_error(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site({**FILES, "static/feed.xml": "<rss/>"}, config=FEED_CONFIG)
    message = "feed /feed.xml: output file feed.xml is also written by static/feed.xml"
    assert message in [str(d) for d in check_site(site, options()).errors]
    with pytest.raises(SiteError) as caught:
        build_site(site, options(output=tmp_path / "out"))
    assert message in [str(d) for d in caught.value.report.errors]
    assert not (tmp_path / "out").exists()


def test_feed_problems_names_what_a_validator_would_flag() -> None:
    bad = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>T</title><link>/</link><description>D</description>
    <lastBuildDate>Mon, 30 Jun 2025 12:00:00 GMT</lastBuildDate>
    <item>
      <title>A</title><link>https://x.example/a/</link>
      <author>KIM MIN-SEO</author>
      <pubDate>Tue, 28 Jun 2025 09:00:00 +0900</pubDate>
      <content:encoded>&lt;a href="/b/"&gt;b&lt;/a&gt;</content:encoded>
    </item>
  </channel>
</rss>"""
    assert feed_problems(bad) == [
        "<channel><link> is not an absolute http(s) URL: '/'",
        '<channel> has no <atom:link rel="self">',
        "<lastBuildDate> 'Mon, 30 Jun 2025 12:00:00 GMT' is not an RFC 822 date such as "
        "'Mon, 23 Jun 2025 17:05:06 +0900'",
        "item 1: no <guid>",
        "item 1: <pubDate> 'Tue, 28 Jun 2025 09:00:00 +0900' names the wrong day of the week",
        "item 1: <author> must be an e-mail address (names go in <dc:creator>)",
        "item 1: <content:encoded> has a relative URL '/b/'",
    ]
    assert feed_problems(b"<rss") and feed_problems(b"<rss")[0].startswith("not well-formed XML")


@pytest.mark.parametrize(("html", "expected"), [
    ('<a href="/a/">', '<a href="https://news.example.com/a/">'),
    ('<a href="b.html">', '<a href="https://news.example.com/article/x/b.html">'),
    ('<a href="../c/">', '<a href="https://news.example.com/article/c/">'),
    ('<a href="#fn1">', '<a href="https://news.example.com/article/x/#fn1">'),
    ('<a href="#">', '<a href="https://news.example.com/article/x/">'),
    ('<a title="a > b" href="/a/">', '<a title="a > b" href="https://news.example.com/a/">'),
    ('<td style="x"><a data-href="/a/">', '<td style="x"><a data-href="/a/">'),
    ("<img src='/i.png'>", "<img src='https://news.example.com/i.png'>"),
    ("<img src=/i.png alt=x>", '<img src="https://news.example.com/i.png" alt=x>'),
    ('<video poster="/p.jpg">', '<video poster="https://news.example.com/p.jpg">'),
    ('<a href="https://other.example/">', '<a href="https://other.example/">'),
    ('<a href="//cdn.example/x">', '<a href="//cdn.example/x">'),
    ('<a href="mailto:a@b.example">', '<a href="mailto:a@b.example">'),
    ('<a href="/search/?q=a&amp;b=c">', '<a href="https://news.example.com/search/?q=a&amp;b=c">'),
    ('<a href="/기사/">', '<a href="https://news.example.com/%EA%B8%B0%EC%82%AC/">'),
    ('<img srcset="/a.jpg 1x, /b.jpg 2x">', '<img srcset="https://news.example.com/a.jpg 1x, '
                                            'https://news.example.com/b.jpg 2x">'),
    ("<p>href=\"/not-an-attribute/\"</p>", "<p>href=\"/not-an-attribute/\"</p>"),
])
def test_absolute_html(html: str, expected: str) -> None:
    assert absolute_html(html, "https://news.example.com", "https://news.example.com/article/x/") == expected


def test_absolute_html_with_a_base_path() -> None:
    base = "https://example.com/news"
    page = "https://example.com/news/article/x/"
    assert absolute_html('<a href="/article/y/">', base, page) == '<a href="https://example.com/news/article/y/">'
    # a link already written with the base path is not given it twice
    assert absolute_html('<a href="/news/article/y/">', base, page) == \
        '<a href="https://example.com/news/article/y/">'
    assert absolute_html('<a href="y/">', base, page) == '<a href="https://example.com/news/article/x/y/">'


def test_xml_text_removes_only_what_xml_forbids() -> None:
    assert xml_text("a\x00b\x08c\x0bd\x0ce\x1ff\ufffeg\ud800h") == "abcdefgh"
    assert xml_text("tab\there\nnew\rline 한글 €") == "tab\there\nnew\rline 한글 €"
