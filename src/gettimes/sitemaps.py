"""What search engines read: sitemap.xml, the Google News sitemap and robots.txt.

`lastmod` always comes from the content (an article's `updated` or `date`, a
listing's newest article), never from the clock, so an unchanged site gives
the same bytes. Each file's key is a digest of the values it lists; its bytes are
made when they are read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial

from gettimes import __version__, urls
from gettimes.cache import digest
from gettimes.config import SiteConfig
from gettimes.feeds import GeneratedFile, xml_text
from gettimes.index import SiteIndex
from gettimes.models import Article
from gettimes.render import PageJob

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_URLS = 50_000  # per sitemap file (sitemaps.org)
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX_URLS = 1_000  # per news sitemap (Google News)
# Pages that are not content: search engines need not list them.
_NOT_LISTED = frozenset({"404.html", "search.html", "redirect.html"})
_W3C_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?"
)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str  # absolute
    lastmod: datetime | None  # None for pages without a date (standalone pages, empty listings)


def escape(text: str) -> str:
    """XML character data: xml.sax.saxutils.escape, without importing urllib.request with it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_sitemaps(config: SiteConfig, index: SiteIndex, jobs: Sequence[PageJob], now: datetime,
                  limit: int = MAX_URLS, known_keys: Mapping[str, str] | None = None) -> list[GeneratedFile]:
    """sitemap.xml (an index of sitemap-N.xml beyond `limit` URLs), news-sitemap.xml and robots.txt.

    `known_keys` are the sitemap files' keys as the last build worked them out, given when
    every page is where it was and dated as it was (a title edit: carryover.py). The
    files then keep those keys, and their entries are made only if their bytes are read.
    """
    if known_keys:
        made = cache(lambda: {file.path: file for file in _sitemap_files(config, sitemap_entries(config, jobs),
                                                                          limit)})
        sitemaps = [GeneratedFile(path, "sitemap", key, partial(_data_of, made, path), sitemap_problems)
                    for path, key in known_keys.items()]
    else:
        sitemaps = _sitemap_files(config, sitemap_entries(config, jobs), limit)
    news = news_articles(index.articles, now)
    news_key = digest(__version__, "news", config.base_url, config.title, config.language,
                      *(f"{a.url} {w3c(a.date)} {a.title}" for a in news))
    return [
        *sitemaps,
        GeneratedFile("news-sitemap.xml", "news sitemap", news_key, partial(_news_sitemap, config, news),
                      sitemap_problems),
        GeneratedFile.of("robots.txt", "robots.txt", robots_txt(config)),
    ]


def sitemap_keys(files: Iterable[GeneratedFile]) -> dict[str, str]:
    """The sitemap files' keys, for `make_sitemaps(known_keys=...)` in a later build."""
    return {file.path: file.key for file in files if file.source == "sitemap"}


def _data_of(made: Callable[[], Mapping[str, GeneratedFile]], path: str) -> bytes:
    return made()[path].data


def sitemap_entries(config: SiteConfig, jobs: Iterable[PageJob]) -> list[SitemapEntry]:
    """Every article and listing page (with its pagination) and every standalone page, in page order."""
    entries = []
    for job in jobs:
        if job.template in _NOT_LISTED:
            continue
        article = job.context.get("article")
        if isinstance(article, Article):
            lastmod: datetime | None = article.modified
        else:
            lastmod = max((a.modified for a in _articles_in(job.context.values())), default=None)
        entries.append(SitemapEntry(urls.absolute(config.base_url, job.url), lastmod))
    return entries


def _articles_in(values: Iterable[object]) -> Iterator[Article]:
    """The articles a listing shows, however its context nests them."""
    for value in values:
        if isinstance(value, Article):
            yield value
        elif isinstance(value, tuple | list):
            yield from _articles_in(value)


def _sitemap_files(config: SiteConfig, entries: Sequence[SitemapEntry], limit: int) -> list[GeneratedFile]:
    if len(entries) <= limit:
        return [_sitemap_file("sitemap.xml", "urlset", "url", entries)]
    files = []
    parts = []
    for number, start in enumerate(range(0, len(entries), limit), 1):
        chunk = entries[start : start + limit]
        name = f"sitemap-{number}.xml"
        files.append(_sitemap_file(name, "urlset", "url", chunk))
        parts.append(SitemapEntry(urls.absolute(config.base_url, "/" + name),
                                  max((e.lastmod for e in chunk if e.lastmod), default=None)))
    return [_sitemap_file("sitemap.xml", "sitemapindex", "sitemap", parts), *files]


def _sitemap_file(path: str, root: str, item: str, entries: Sequence[SitemapEntry]) -> GeneratedFile:
    """A sitemap (`urlset` of `url`) or a sitemap index (`sitemapindex` of `sitemap`), keyed by its entries."""
    key = digest(__version__, root, *(f"{e.url} {w3c(e.lastmod) if e.lastmod else ''}" for e in entries))
    return GeneratedFile(path, "sitemap", key, partial(_sitemap_xml, root, item, entries), sitemap_problems)


def _sitemap_xml(root: str, item: str, entries: Iterable[SitemapEntry]) -> bytes:
    """A sitemap (`urlset` of `url`) or a sitemap index (`sitemapindex` of `sitemap`)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{SITEMAP_NS}">']
    for entry in entries:
        lines += [f"  <{item}>", f"    <loc>{escape(entry.url)}</loc>"]
        if entry.lastmod is not None:
            lines.append(f"    <lastmod>{w3c(entry.lastmod)}</lastmod>")
        lines.append(f"  </{item}>")
    lines.append(f"</{root}>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def news_articles(articles: Iterable[Article], now: datetime) -> list[Article]:
    """The articles a news sitemap lists: published in the 48 hours up to `now`, newest first.

    The window is inclusive at both ends: an article dated exactly 48 hours
    before the build is in, one a second older is out. Articles dated after
    `now` (built with --future) are out: they are not news yet.
    """
    recent = [a for a in articles if now - NEWS_WINDOW <= a.date <= now]
    recent.sort(key=lambda a: a.slug)
    recent.sort(key=lambda a: a.date, reverse=True)
    return recent[:NEWS_MAX_URLS]


def news_sitemap(config: SiteConfig, articles: Iterable[Article], now: datetime) -> bytes:
    """The Google News sitemap; an empty <urlset> when nothing is recent."""
    return _news_sitemap(config, news_articles(articles, now))


def _news_sitemap(config: SiteConfig, news: Iterable[Article]) -> bytes:
    name = escape(xml_text(config.title))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">']
    for article in news:
        lines += [
            "  <url>",
            f"    <loc>{escape(urls.absolute(config.base_url, article.url))}</loc>",
            "    <news:news>",
            "      <news:publication>",
            f"        <news:name>{name}</news:name>",
            f"        <news:language>{escape(config.language)}</news:language>",
            "      </news:publication>",
            f"      <news:publication_date>{w3c(article.date)}</news:publication_date>",
            f"      <news:title>{escape(xml_text(article.title))}</news:title>",
            "    </news:news>",
            "  </url>",
        ]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(config: SiteConfig) -> bytes:
    """Allow everything and name both sitemaps by absolute URL."""
    return (
        "User-agent: *\n"
        "Disallow:\n"
        "\n"
        f"Sitemap: {urls.absolute(config.base_url, '/sitemap.xml')}\n"
        f"Sitemap: {urls.absolute(config.base_url, '/news-sitemap.xml')}\n"
    ).encode()


def w3c(moment: datetime) -> str:
    """A W3C datetime with seconds and the offset: 2025-06-23T17:05:06+09:00."""
    return moment.isoformat(timespec="seconds")


# --- parsing a sitemap back, for `gettimes check` -----------------------------

def sitemap_problems(data: bytes) -> list[str]:
    """What a sitemap validator would flag; empty when there is nothing."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    kinds = {f"{{{SITEMAP_NS}}}urlset": "url", f"{{{SITEMAP_NS}}}sitemapindex": "sitemap"}
    child = kinds.get(root.tag)
    if child is None:
        return [f"the root element is not <urlset> or <sitemapindex> in the namespace {SITEMAP_NS}"]
    items = root.findall(f"{{{SITEMAP_NS}}}{child}")
    problems = [] if len(items) <= MAX_URLS else [f"{len(items)} entries; a sitemap holds at most {MAX_URLS}"]
    for number, item in enumerate(items, 1):
        loc = (item.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
        if not loc.startswith(("http://", "https://")) or len(loc) > 2048:
            problems.append(f"entry {number}: <loc> is not an absolute http(s) URL of at most 2048 characters: "
                            f"'{loc}'")
        lastmod = item.findtext(f"{{{SITEMAP_NS}}}lastmod")
        if lastmod is not None and not _W3C_DATETIME.fullmatch(lastmod.strip()):
            problems.append(f"entry {number}: <lastmod> '{lastmod}' is not a W3C datetime")
        news = item.find(f"{{{NEWS_NS}}}news")
        if news is not None:
            problems += [f"entry {number}: {problem}" for problem in _news_problems(news)]
    news_count = len(root.findall(f"{{{SITEMAP_NS}}}url/{{{NEWS_NS}}}news"))
    if news_count > NEWS_MAX_URLS:
        problems.append(f"{news_count} news entries; a news sitemap holds at most {NEWS_MAX_URLS}")
    return problems


def _news_problems(news: ET.Element) -> list[str]:
    def text(path: str) -> str:
        return (news.findtext(path.replace("news:", f"{{{NEWS_NS}}}")) or "").strip()

    problems = [f"no <{path.split('/')[-1]}>" for path in
                ("news:publication/news:name", "news:publication/news:language", "news:title")
                if not text(path)]
    published = text("news:publication_date")
    if not _W3C_DATETIME.fullmatch(published):
        problems.append(f"<news:publication_date> '{published}' is not a W3C datetime")
    return problems
