"""Tag and reporter feeds, the Atom feed, the `feeds:` setting and the keys of generated files.

Feeds are parsed back with feedparser, as a reader would, and with `gettimes check`'s
own validators. The fixed clock is 2025-06-30 03:00 UTC, 12:00 in Asia/Seoul.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from conftest import BASIC_CONFIG, SiteFactory, article, options, parse_rss
from gettimes import build
from gettimes.build import build_site, check_site, load_site
from gettimes.config import load_config
from gettimes.diagnostics import Report
from gettimes.feeds import GeneratedFile, atom_problems, feed_problems, make_feeds
from gettimes.render import plan_pages
from gettimes.sitemaps import make_sitemaps

HOST = "https://news.example.com"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
RFC822 = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}")
IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(100)  # 108 bytes

CONFIG = BASIC_CONFIG + "feed_items: 3\n"
BODY = "See [the earlier story](/article/m1/), [a note](#n) and ![chart](/images/chart.png).\n"

FILES: dict[str, str | bytes] = {
    # five stories tagged "markets" (more than feed_items), by two reporters
    **{f"content/articles/m{n}.md": article(f"Markets Story {n}", f"2025-06-2{n} 09:00:00+09:00", slug=f"m{n}",
                                            author="KIM MIN-SEO" if n % 2 else "LEE JUN",
                                            tags="[markets, Bonds & Rates]" if n <= 2 else "[markets]",
                                            body=BODY)
       for n in range(1, 6)},
    "content/articles/chip.md": article("Chip Exports Record", "2025-06-28 10:00:00+09:00", category="Business",
                                        slug="chip", authors="[KIM MIN-SEO, LEE JUN]", tags="[chips]",
                                        image="/images/chip.png", updated="2025-06-29 08:00:00+09:00",
                                        body=BODY),
    "content/articles/draft.md": article("Draft", "2025-06-29 09:00:00+09:00", slug="draft", tags="[markets]",
                                         draft="true"),
    "static/images/chip.png": IMAGE,
    "static/images/chart.png": IMAGE,
    "data/authors.yaml": "- name: KIM MIN-SEO\n  bio: Covers markets.\n- name: LEE JUN\n",
}
TAG_FEEDS = ("tag/markets/feed.xml", "tag/bonds-rates/feed.xml", "tag/chips/feed.xml")
AUTHOR_FEEDS = ("author/kim-min-seo/feed.xml", "author/lee-jun/feed.xml")


def built(make_site: SiteFactory, tmp_path: Path, config: str = CONFIG,
          files: dict[str, str | bytes] | None = None) -> Path:
    out = tmp_path / "out"
    build_site(make_site(files or FILES, config=config), options(output=out))
    return out


def html_files(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.html")}


# --- tag and reporter feeds ---------------------------------------------------

def test_every_tag_and_reporter_feed_parses_cleanly(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path)
    for rel in (*TAG_FEEDS, *AUTHOR_FEEDS):
        data = (out / rel).read_bytes()
        feed = parse_rss(data)
        assert feed_problems(data) == [], rel
        page = HOST + "/" + rel.removesuffix("feed.xml")
        assert feed.feed.link == page
        assert {"rel": "self", "type": "application/rss+xml", "href": f"{HOST}/{rel}"} in feed.feed.links
        guids = [item.findtext("guid") for item in ET.fromstring(data).findall("channel/item")]
        assert len(set(guids)) == len(guids) > 0, rel
        for entry in feed.entries:
            assert entry.link.startswith(HOST + "/article/") and entry.id == entry.link
            assert RFC822.fullmatch(entry.published), entry.published
            assert entry.published_parsed is not None
            content = entry.content[0].value
            urls = re.findall(r"""(?:href|src)="([^"]*)""", content)
            assert urls and all(url.startswith(HOST) for url in urls), urls


def test_tag_and_reporter_feeds_hold_the_newest_feed_items_articles(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path)
    markets = parse_rss((out / "tag/markets/feed.xml").read_bytes())
    assert markets.feed.title == "Test Times: #markets"
    assert markets.feed.subtitle == "Articles tagged markets in Test Times."
    # feed_items: 3, newest first; the draft is not published
    assert [e.link for e in markets.entries] == [f"{HOST}/article/m{n}/" for n in (5, 4, 3)]
    assert [e.link for e in parse_rss((out / "tag/bonds-rates/feed.xml").read_bytes()).entries] == \
        [f"{HOST}/article/m2/", f"{HOST}/article/m1/"]
    kim = parse_rss((out / "author/kim-min-seo/feed.xml").read_bytes())
    assert kim.feed.title == "Test Times: KIM MIN-SEO"
    assert kim.feed.subtitle == "Covers markets."  # the reporter's bio
    assert [e.link for e in kim.entries] == [f"{HOST}/article/chip/", f"{HOST}/article/m5/", f"{HOST}/article/m3/"]
    lee = ET.fromstring((out / "author/lee-jun/feed.xml").read_bytes())
    assert lee.findtext("channel/description") == "Articles by LEE JUN in Test Times."
    # the chip story was updated on 06-29 08:00, after anything else LEE JUN wrote
    assert lee.findtext("channel/lastBuildDate") == "Sun, 29 Jun 2025 08:00:00 +0900"
    chip = lee.find("channel/item")
    assert chip is not None
    assert [c.text for c in chip.findall("{http://purl.org/dc/elements/1.1/}creator")] == ["KIM MIN-SEO", "LEE JUN"]
    enclosure = chip.find("enclosure")
    assert enclosure is not None and enclosure.attrib == {
        "url": f"{HOST}/images/chip.png", "length": str(len(IMAGE)), "type": "image/png"}


def test_feeds_items_overrides_feed_items(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, config=CONFIG + "feeds:\n  items: 2\n")
    for rel in ("feed.xml", "tag/markets/feed.xml", "author/kim-min-seo/feed.xml", "category/world/feed.xml"):
        assert len(parse_rss((out / rel).read_bytes()).entries) == 2, rel
    assert len(feedparser.parse((out / "atom.xml").read_bytes()).entries) == 2


# --- the Atom feed ------------------------------------------------------------

def test_the_atom_feed_parses_with_ids_dates_authors_and_absolute_content(
        make_site: SiteFactory, tmp_path: Path) -> None:
    data = (built(make_site, tmp_path) / "atom.xml").read_bytes()
    assert atom_problems(data) == []
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == f"{HOST}/atom.xml"
    assert feed.feed.title == "Test Times"
    assert feed.feed.updated == "2025-06-29T08:00:00+09:00"  # the newest article's `updated`, not the clock
    assert feed.feed.author == "Test Times"  # for entries without a byline
    assert {"rel": "self", "type": "application/atom+xml", "href": f"{HOST}/atom.xml"} in feed.feed.links
    assert feed.feed.link == f"{HOST}/"
    ids = [entry.id for entry in feed.entries]
    assert ids == [f"{HOST}/article/chip/", f"{HOST}/article/m5/", f"{HOST}/article/m4/"]  # permalinks, newest first
    chip = feed.entries[0]
    assert chip.link == chip.id
    assert (chip.published, chip.updated) == ("2025-06-28T10:00:00+09:00", "2025-06-29T08:00:00+09:00")
    assert [author.name for author in chip.authors] == ["KIM MIN-SEO", "LEE JUN"]
    assert chip.content[0].type == "text/html"
    assert f'href="{HOST}/article/m1/"' in chip.content[0].value
    assert f'href="{HOST}/article/chip/#n"' in chip.content[0].value
    assert chip.enclosures == [{"href": f"{HOST}/images/chip.png", "type": "image/png", "length": str(len(IMAGE))}]
    assert [tag.term for tag in chip.tags] == ["Business", "chips"]


def test_an_empty_atom_feed_is_valid_and_dated_without_the_clock(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, files={"content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n"})
    data = (out / "atom.xml").read_bytes()
    assert atom_problems(data) == []
    feed = feedparser.parse(data)
    assert (feed.version, feed.entries, feed.feed.updated) == ("atom10", [], "1970-01-01T09:00:00+09:00")


def test_atom_problems_names_what_a_validator_would_flag() -> None:
    bad = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>T</title><updated>yesterday</updated>
  <entry><id>https://x.example/a/</id><title>A</title><updated>2025-06-28T09:00:00+09:00</updated>
    <link href="https://x.example/a/"/><content type="html">&lt;a href="/b/"&gt;b&lt;/a&gt;</content></entry>
  <entry><id>https://x.example/a/</id><title>B</title><updated>2025-06-28T09:00:00+09:00</updated>
    <link href="/b/"/><author><name>K</name></author></entry>
</feed>"""
    assert atom_problems(bad) == [
        "<feed> has no <id>",
        "<updated> 'yesterday' is not an RFC 3339 date such as '2025-06-23T17:05:06+09:00'",
        '<feed> has no <link rel="self">',
        "entry 1: no <author> (and the feed has none)",
        "entry 1: <content> has a relative URL '/b/'",
        "entry 2: the <id> 'https://x.example/a/' is also an earlier entry's",
        "entry 2: <link rel=\"alternate\"> is not an absolute http(s) URL: '/b/'",
    ]
    assert atom_problems(b"<rss/>") == ["the root element is not <feed> in the namespace http://www.w3.org/2005/Atom"]


def test_feed_problems_flags_a_guid_given_twice() -> None:
    item = ("<item><title>A</title><link>https://x.example/a/</link><guid>https://x.example/a/</guid>"
            "<pubDate>Sat, 28 Jun 2025 09:00:00 +0900</pubDate></item>")
    data = ('<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>'
            "<link>https://x.example/</link><description>D</description>"
            '<atom:link href="https://x.example/feed.xml" rel="self"/>' + item * 2 + "</channel></rss>")
    assert feed_problems(data.encode()) == ["item 2: the <guid> 'https://x.example/a/' is also an earlier item's"]


def test_check_validates_the_atom_feed(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = GeneratedFile.of("atom.xml", "feed /atom.xml", b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
                              atom_problems)
    monkeypatch.setattr(build, "make_feeds", lambda *args: [broken])
    errors = [str(d) for d in check_site(make_site(FILES, config=CONFIG), options()).errors]
    assert "atom.xml: invalid feed /atom.xml: <feed> has no <id>" in errors


def test_check_finds_every_feed_valid_and_every_feed_link_alive(make_site: SiteFactory) -> None:
    report = check_site(make_site(FILES, config=CONFIG), options())
    assert [str(d) for d in report.errors] == []


# --- the pages link to their feeds ---------------------------------------------

def _head_links(html: str) -> list[str]:
    return re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml"[^>]*href="([^"]*)"', html)


def test_pages_link_to_their_feeds_in_the_head_and_on_the_page(make_site: SiteFactory, tmp_path: Path) -> None:
    pages = html_files(built(make_site, tmp_path))
    assert _head_links(pages["index.html"]) == ["/feed.xml", "/atom.xml"]
    for page, feed in [("tag/markets/index.html", "/tag/markets/feed.xml"),
                       ("tag/markets/page/2/index.html", "/tag/markets/feed.xml"),
                       ("author/kim-min-seo/index.html", "/author/kim-min-seo/feed.xml"),
                       ("category/world/index.html", "/category/world/feed.xml")]:
        assert _head_links(pages[page]) == ["/feed.xml", feed], page
        assert f'<a class="feed-link" href="{feed}" type="application/rss+xml">RSS' in pages[page], page
    assert _head_links(pages["article/m1/index.html"]) == ["/feed.xml", "/category/world/feed.xml"]


# --- turning feeds off ----------------------------------------------------------

def test_a_feed_turned_off_is_neither_written_nor_linked(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, config=CONFIG + "feeds:\n  tags: false\n  atom: false\n")
    assert not (out / "atom.xml").exists()
    assert not any((out / "tag").rglob("*.xml"))
    assert all((out / rel).is_file() for rel in ("feed.xml", "category/world/feed.xml", *AUTHOR_FEEDS))
    pages = html_files(out)
    assert not any("atom.xml" in html or re.search(r"/tag/[^/]+/feed\.xml", html) for html in pages.values())
    assert _head_links(pages["tag/markets/index.html"]) == ["/feed.xml"]
    assert "feed-link" not in pages["tag/markets/index.html"]
    assert "feed-link" in pages["author/lee-jun/index.html"]


def test_with_every_feed_off_there_is_no_feed_and_no_feed_link(make_site: SiteFactory, tmp_path: Path) -> None:
    config = CONFIG + "feeds: {site: false, atom: false, categories: false, tags: false, authors: false}\n"
    out = built(make_site, tmp_path, config=config)
    assert sorted(p.name for p in out.rglob("*.xml")) == ["news-sitemap.xml", "sitemap.xml"]
    for rel, html in html_files(out).items():
        assert "feed.xml" not in html and "atom.xml" not in html and "rss+xml" not in html, rel
    # the sitemap lists no feed, and check finds no broken link to one
    assert "feed.xml" not in (out / "sitemap.xml").read_text("utf-8")
    assert [str(d) for d in check_site(make_site(FILES, config=config), options()).errors] == []


def test_the_site_feed_off_leaves_the_top_bar_linking_the_atom_feed(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, config=CONFIG + "feeds:\n  site: false\n")
    assert not (out / "feed.xml").exists()
    home = (out / "index.html").read_text("utf-8")
    assert _head_links(home) == ["/atom.xml"]
    assert '<a href="/atom.xml">RSS</a>' in home


def test_summary_content_leaves_the_html_out(make_site: SiteFactory, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, config=CONFIG + "feeds:\n  content: summary\n")
    for rel in ("feed.xml", "tag/markets/feed.xml", "author/lee-jun/feed.xml"):
        data = (out / rel).read_bytes()
        assert parse_rss(data).entries and feed_problems(data) == []
        root = ET.fromstring(data)
        assert root.findall(f"channel/item/{CONTENT}encoded") == [], rel
        assert all(item.findtext("description") for item in root.findall("channel/item"))
    atom = (out / "atom.xml").read_bytes()
    assert atom_problems(atom) == []
    root = ET.fromstring(atom)
    assert root.findall(f"{ATOM}entry/{ATOM}content") == []
    assert all(entry.findtext(f"{ATOM}summary") for entry in root.findall(f"{ATOM}entry"))


# --- keys: what a rebuild may skip --------------------------------------------------

def _generated(site: Path) -> dict[str, GeneratedFile]:
    loaded = load_site(site, options(), Report())
    assert loaded is not None
    files = make_feeds(loaded.config, loaded.index, loaded.static_files)
    files += make_sitemaps(loaded.config, loaded.index, plan_pages(loaded.config, loaded.index), loaded.now)
    return {file.path: file for file in files}


def test_keys_are_equal_for_an_unchanged_site_and_change_with_a_title(make_site: SiteFactory) -> None:
    site = make_site(FILES, config=CONFIG)
    first, second = _generated(site), _generated(site)
    assert {path: f.key for path, f in first.items()} == {path: f.key for path, f in second.items()}
    assert all(first[path].data == second[path].data for path in first)
    (site / "content/articles/m4.md").write_text(
        article("Markets Story Four, Retitled", "2025-06-24 09:00:00+09:00", slug="m4", author="LEE JUN",
                tags="[markets]", body=BODY), encoding="utf-8")
    third = _generated(site)
    changed = sorted(path for path in first if first[path].key != third[path].key)
    # every feed that lists m4, and nothing else (the sitemaps show no titles; m4 is not in the news window)
    assert changed == ["atom.xml", "author/lee-jun/feed.xml", "category/world/feed.xml", "feed.xml",
                       "tag/markets/feed.xml"]
    assert all(first[path].data != third[path].data for path in changed)


def test_sitemap_keys_follow_lastmod(make_site: SiteFactory) -> None:
    site = make_site(FILES, config=CONFIG)
    before = _generated(site)
    (site / "content/articles/m1.md").write_text(
        article("Markets Story 1", "2025-06-21 09:00:00+09:00", slug="m1", author="KIM MIN-SEO",
                tags="[markets, Bonds & Rates]", updated="2025-06-29 11:00:00+09:00", body=BODY), encoding="utf-8")
    after = _generated(site)
    assert before["sitemap.xml"].key != after["sitemap.xml"].key
    assert before["robots.txt"].key == after["robots.txt"].key
    assert before["news-sitemap.xml"].key == after["news-sitemap.xml"].key  # m1 was published days ago


# --- the `feeds:` setting ----------------------------------------------------------

def _config_errors(make_site: SiteFactory, feeds: str) -> list[tuple[int | None, str]]:
    site = make_site({}, config="title: T\nbase_url: https://news.example.com\ncategories: [World]\n" + feeds)
    report = Report()
    load_config(site, report)
    return [(d.line, d.message) for d in report.errors]


@pytest.mark.parametrize(("feeds", "expected"), [
    ("feeds:\n  tag: false\n", [(5, "unknown feeds option 'tag' (did you mean \"tags\"?) "
                                   "(known: content, items, site, atom, categories, tags, authors)")]),
    ("feeds:\n  site: true\n  atom: 'no'\n", [(6, "'feeds.atom' must be true or false")]),
    ("feeds:\n  content: excerpt\n", [(5, "'feeds.content' must be one of full, summary, not 'excerpt'")]),
    ("feeds: {items: 0}\n", [(4, "'feeds.items' must be a whole number of at least 1")]),
    ("feeds:\n  items: ten\n", [(5, "'feeds.items' must be a whole number of at least 1")]),
    ("feeds: false\n", [(4, "'feeds' must be a mapping such as {content: summary, tags: false}")]),
    ("feed:\n  tags: false\n", [(4, "unknown configuration key 'feed' (did you mean \"feeds\"?)")]),
])
def test_feeds_setting_mistakes_name_the_line(make_site: SiteFactory, feeds: str,
                                              expected: list[tuple[int, str]]) -> None:
    assert _config_errors(make_site, feeds) == expected


def test_feeds_setting_defaults_and_values(make_site: SiteFactory) -> None:
    assert _config_errors(make_site, "feeds:\n") == []
    site = make_site({}, config=CONFIG + "feeds:\n  content: summary\n  items: 7\n  authors: false\n")
    config = load_config(site, Report())
    assert config is not None
    assert (config.feeds.full_content, config.feeds.items, config.items_per_feed, config.feed_items) == \
        (False, 7, 7, 3)
    assert (config.feeds.site, config.feeds.atom, config.feeds.categories, config.feeds.tags,
            config.feeds.authors) == (True, True, True, True, False)
    default = load_config(make_site({}, config=CONFIG), Report())
    assert default is not None and default.items_per_feed == 3 and default.feeds.full_content


def test_a_standalone_page_may_not_take_the_atom_feeds_path(make_site: SiteFactory) -> None:
    site = make_site({"content/pages/atom.md": "---\ntitle: Atom\nslug: atom.xml\n---\n\nHi.\n"}, config=CONFIG)
    assert "content/pages/atom.md:3: slug 'atom.xml' is a built-in path of the site; choose another slug" in \
        [str(d) for d in check_site(site, options()).errors]


def test_stats_rows_for_the_new_feeds_are_skipped_silently(make_site: SiteFactory) -> None:
    stats = "path,views\n/atom.xml,5\n/tag/markets/feed.xml,3\n/author/lee-jun/feed.xml,2\n/article/m1/,1\n"
    report = check_site(make_site({**FILES, "data/stats.csv": stats}, config=CONFIG), options())
    assert [str(d) for d in report.warnings if "stats.csv" in d.path] == []
