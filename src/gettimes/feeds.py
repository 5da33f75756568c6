"""RSS 2.0 feeds for the site, each category, tag and reporter, and an Atom 1.0 feed for the site.

What feed validators and readers trip over, and how it is handled here:

- every URL is absolute, also inside the HTML of `content:encoded` and Atom `<content>`;
- `guid` is the permalink, marked `isPermaLink="true"`; an Atom entry's `id` is the
  permalink too, so a reader following both formats sees the same story once;
- RSS dates are RFC 822 with a numeric offset and English names, Atom dates RFC 3339,
  in the site's time zone;
- reporters go in `dc:creator` (RSS `author` must be an e-mail address) and in Atom
  `<author><name>`; the Atom feed names the site as its author, for entries without a byline;
- `lastBuildDate` (Atom `updated`) is the newest article's `updated` or `date`, never
  the clock, so an unchanged site gives the same bytes;
- characters XML 1.0 forbids (most control characters) are removed from all text.

A site of 10,000 articles has some 860 RSS feeds, and an article is in several of
them (its section's, each of its tags', each reporter's). So an RSS item is written
once per build, as XML text, and every feed it appears in shares it; the channel
around the items is plain text too. The layout is the one feedgen writes, which the
Atom feed still uses (one feed, a few items). Feeds are made when their bytes are
read: `GeneratedFile.key` says, without making them, whether they changed.
"""

from __future__ import annotations

import mimetypes
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from feedgen.feed import FeedGenerator

from gettimes import __version__, urls
from gettimes.cache import digest
from gettimes.config import SiteConfig
from gettimes.i18n import Translator
from gettimes.index import SiteIndex
from gettimes.models import Article

SITE_FEED_URL = "/feed.xml"
ATOM_FEED_URL = "/atom.xml"
FEED_FILE = "feed.xml"  # a category's, tag's or reporter's feed, in the folder of its page
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"

# Characters XML 1.0 does not allow, even escaped (lone surrogates can come from YAML escapes).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ASCII_ILLEGAL = bytes(code for code in range(0x20) if chr(code) not in "\t\n\r")
# A start tag with a URL-valued attribute (a quoted value may hold '>'). Most tags of an article
# (<p>, <em>, <td style=...>) have none: passing over them in C, rather than looking at each
# one in Python, is most of what makes absolute_html quick.
_URL_TAG = re.compile(
    r"""<[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*?\s(?:href|src|poster|cite|action|background|srcset)\s*="""
    r"""(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.IGNORECASE,
)
# URL-valued attributes in HTML; the value is double-, single- or un-quoted.
_URL_ATTRIBUTE = re.compile(
    r"""(?P<lead>\s(?:href|src|poster|cite|action|background)\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'<>=`]+))""",
    re.IGNORECASE,
)
_SRCSET = re.compile(r"""(?P<lead>\ssrcset\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.IGNORECASE)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}"
)
_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# An Atom feed must have an `updated`; one without articles has no date to give but this.
_NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)
# Python's own table lacks some image types (webp before 3.13); it is used for the rest.
_IMAGE_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif",
}


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """A file made from the index rather than a template: a feed, a sitemap, robots.txt.

    `key` is a digest of everything the bytes depend on, computed without making them:
    two builds that give a file the same key give it the same bytes. `data` makes the
    bytes, each time it is read.
    """

    path: str  # output-relative
    source: str  # what makes it, for collision messages
    key: str
    make: Callable[[], bytes]
    validate: Callable[[bytes], list[str]] | None = None
    bodies: tuple[str, ...] = ()  # URLs of the articles whose whole body the file holds (see bodyedit.py)

    @classmethod
    def of(cls, path: str, source: str, data: bytes,
           validate: Callable[[bytes], list[str]] | None = None) -> GeneratedFile:
        """A file whose bytes are already made (its key is their digest)."""
        return cls(path, source, digest(data), lambda: data, validate)

    @property
    def data(self) -> bytes:
        return self.make()

    def problems(self) -> list[str]:
        """What is wrong with the file as written (parsed back); empty when it is valid."""
        return self.validate(self.data) if self.validate is not None else []


@dataclass(frozen=True, slots=True)
class KnownKeys:
    """The feeds' keys as the last build worked them out, when since then only what the articles
    from the `edited` files show changed (not where they are listed, nor anything else)."""

    keys: Mapping[str, str]  # feed file -> key
    edited: frozenset[str]  # article source paths


def feed_keys(files: Iterable[GeneratedFile]) -> dict[str, str]:
    """The feeds' keys, for `make_feeds(known=...)` in a later build."""
    return {file.path: file.key for file in files if file.source.startswith("feed ")}


@dataclass(frozen=True, slots=True)
class _Channel:
    title: str
    description: str
    page_url: str  # site URL of the HTML page the feed follows
    feed_url: str


def site_feed_url(config: SiteConfig) -> str:
    """The site's RSS feed, or "" when `feeds.site` is off."""
    return SITE_FEED_URL if config.feeds.site else ""


def atom_feed_url(config: SiteConfig) -> str:
    """The site's Atom feed, or "" when `feeds.atom` is off."""
    return ATOM_FEED_URL if config.feeds.atom else ""


def listing_feed_url(config: SiteConfig, kind: str, page_url: str) -> str:
    """The feed of the category, tag or author ("category", "tag", "author") at `page_url`; "" when off."""
    feeds = config.feeds
    enabled = feeds.categories if kind == "category" else feeds.tags if kind == "tag" else feeds.authors
    return page_url + FEED_FILE if enabled else ""


def make_feeds(config: SiteConfig, index: SiteIndex, static_files: Sequence[tuple[str, Path]],
               source_keys: Mapping[str, str] | None = None, known: KnownKeys | None = None) -> list[GeneratedFile]:
    """The feeds `feeds:` turns on: site RSS and Atom, then one per category, tag and reporter.

    Every configured category, tag and reporter gets one, an empty category too: the theme links them.
    `source_keys` gives an article file's cache key (a digest of its bytes and of what it is
    loaded with), which stands for what its items show in the feeds' keys. `known` is given
    when only what some articles show changed since the last build (carryover.py).
    """
    writer = _FeedWriter(config, dict(static_files), source_keys or {}, known)
    translate = Translator(config.language)
    site = config.title
    files = []
    if config.feeds.site:
        files.append(writer.rss_file(_Channel(site, config.description or site, urls.HOME_URL, SITE_FEED_URL),
                                     index.articles))
    if config.feeds.atom:
        files.append(writer.atom_file(_Channel(site, config.description, urls.HOME_URL, ATOM_FEED_URL),
                                      index.articles))
    if config.feeds.categories:
        for section in index.categories:
            category = section.category
            title = f"{site}: {category.name}"
            files.append(writer.rss_file(_Channel(title, title, category.url, category.url + FEED_FILE),
                                         section.articles))
    if config.feeds.tags:
        for tag_section in index.tags:
            tag = tag_section.tag
            description = translate("tag_description", name=tag.name, site=site)
            files.append(writer.rss_file(_Channel(f"{site}: #{tag.name}", description, tag.url,
                                                  tag.url + FEED_FILE), tag_section.articles))
    if config.feeds.authors:
        for author_section in index.authors:
            author = author_section.author
            description = author.bio or translate("author_description", name=author.name, site=site)
            title = f"{site}: {translate('author_title', name=author.name)}"
            files.append(writer.rss_file(_Channel(title, description, author.url, author.url + FEED_FILE),
                                         author_section.articles))
    return files


class _FeedWriter:
    """Writes the feeds of one build, keeping what several feeds share: items, fingerprints, enclosures."""

    def __init__(self, config: SiteConfig, static_files: Mapping[str, Path], source_keys: Mapping[str, str],
                 known: KnownKeys | None) -> None:
        self.config = config
        self.known = known
        self.source_keys = source_keys
        self.static_files = static_files
        self.mimetypes = mimetypes.MimeTypes()  # the built-in table only, not the machine's
        base = urlsplit(config.base_url)
        self.host = (base.hostname or "").lower()
        self.base_path = base.path.rstrip("/")
        self.count = config.items_per_feed
        self.full_content = config.feeds.full_content
        rights = config.publisher.get("copyright")
        self.rights = rights.strip() if isinstance(rights, str) else ""
        self.settings = digest(__version__, repr((config.base_url, config.language, self.rights, self.count,
                                                  self.full_content, config.timezone.key)))
        # Per article URL, for the whole build.
        self.items: dict[str, str] = {}
        self.fingerprints: dict[str, str] = {}
        self.enclosures: dict[str, tuple[str, str, str] | None] = {}

    def absolute(self, url: str) -> str:
        return urls.absolute(self.config.base_url, url)

    def rss_file(self, channel: _Channel, articles: Sequence[Article]) -> GeneratedFile:
        items = tuple(articles[: self.count])
        path = channel.feed_url.lstrip("/")
        key = self.kept_key(path, items) or digest(self.settings, "rss", repr(channel), *map(self.fingerprint, items))
        return GeneratedFile(path, f"feed {channel.feed_url}", key,
                             partial(self.rss, channel, items), feed_problems, self.bodies(items))

    def atom_file(self, channel: _Channel, articles: Sequence[Article]) -> GeneratedFile:
        items = tuple(articles[: self.count])
        path = channel.feed_url.lstrip("/")
        key = self.kept_key(path, items) or digest(self.settings, "atom", repr(channel), self.config.title,
                                                   *map(self.fingerprint, items))
        return GeneratedFile(path, f"feed {channel.feed_url}", key,
                             partial(self.atom, channel, items), atom_problems, self.bodies(items))

    def kept_key(self, path: str, items: Sequence[Article]) -> str | None:
        """The feed's key from the last build, if it holds none of the edited articles (`KnownKeys`)."""
        if self.known is None or any(article.source in self.known.edited for article in items):
            return None
        return self.known.keys.get(path)

    def bodies(self, items: Sequence[Article]) -> tuple[str, ...]:
        return tuple(article.url for article in items) if self.full_content else ()

    def fingerprint(self, article: Article) -> str:
        """A digest of every value of `article` that its items show."""
        found = self.fingerprints.get(article.url)
        if found is None and (key := self.source_keys.get(article.source)):
            # The file's bytes and its settings decide all but the URL (a numbered slug) and the image file.
            found = self.fingerprints[article.url] = digest(key, article.url, repr(self.enclosure(article)))
        if found is None:
            found = self.fingerprints[article.url] = digest(repr((
                article.url, article.title, article.summary, article.date.isoformat(),
                article.modified.isoformat(), article.category.name, tuple(a.name for a in article.authors),
                tuple(t.name for t in article.tags), self.enclosure(article),
            )), article.body_html if self.full_content else "")
        return found

    def rss(self, channel: _Channel, items: Sequence[Article]) -> bytes:
        """One RSS 2.0 document with `items`, newest first."""
        lines = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            f'<rss xmlns:dc="{DC_NS}" xmlns:atom="{ATOM_NS}" xmlns:content="{CONTENT_NS}" version="2.0">',
            "  <channel>",
            f"    <title>{_text(channel.title)}</title>",
            f"    <link>{_text(self.absolute(channel.page_url))}</link>",
            f"    <description>{_text(channel.description)}</description>",
            f'    <atom:link href="{_attribute(self.absolute(channel.feed_url))}" rel="self" type="{RSS_TYPE}"/>',
        ]
        if self.rights:
            lines.append(f"    <copyright>{_text(self.rights)}</copyright>")
        lines += [
            "    <docs>http://www.rssboard.org/rss-specification</docs>",
            "    <generator>gettimes</generator>",
            f"    <language>{_text(self.config.language)}</language>",
        ]
        if items:
            lines.append(f"    <lastBuildDate>{rfc822(max(a.modified for a in items))}</lastBuildDate>")
        lines += [self.rss_item(article) for article in items]
        lines += ["  </channel>", "</rss>", ""]
        return "\n".join(lines).encode("utf-8")

    def rss_item(self, article: Article) -> str:
        """The `<item>` of `article`, as every feed that lists it writes it (no final line break)."""
        found = self.items.get(article.url)
        if found is not None:
            return found
        link = _text(self.absolute(article.url))
        lines = [
            "    <item>",
            f"      <title>{_text(article.title)}</title>",
            f"      <link>{link}</link>",
            f"      <description>{_text(article.summary) or _text(article.title)}</description>",
        ]
        if self.full_content:
            lines.append(f"      <content:encoded>{_escape(self.content(article))}</content:encoded>")
        lines.append(f'      <guid isPermaLink="true">{link}</guid>')
        lines += [f"      <category>{_text(name)}</category>"
                  for name in (article.category.name, *(tag.name for tag in article.tags))]
        enclosure = self.enclosure(article)
        if enclosure is not None:
            url, length, mime = map(_attribute, enclosure)
            lines.append(f'      <enclosure url="{url}" length="{length}" type="{mime}"/>')
        lines.append(f"      <pubDate>{rfc822(article.date)}</pubDate>")
        lines += [f"      <dc:creator>{_text(author.name)}</dc:creator>" for author in article.authors]
        lines.append("    </item>")
        found = self.items[article.url] = "\n".join(lines)
        return found

    def content(self, article: Article) -> str:
        """The article's HTML with absolute URLs, for `content:encoded` and Atom `<content>`."""
        return feed_content(self.config, article.url, article.body_html)

    def atom(self, channel: _Channel, items: Sequence[Article]) -> bytes:
        """The Atom 1.0 document of the site, through feedgen."""
        feed = FeedGenerator()
        feed.id(self.absolute(channel.feed_url))
        feed.title(xml_text(channel.title))
        if channel.description:
            feed.subtitle(xml_text(channel.description))
        feed.link(href=self.absolute(channel.feed_url), rel="self", type=ATOM_TYPE)
        feed.link(href=self.absolute(channel.page_url), rel="alternate", type="text/html")
        feed.author(name=xml_text(self.config.title))
        feed.language(self.config.language)
        feed.generator("gettimes")
        if self.rights:
            feed.rights(xml_text(self.rights))
        newest = max((article.modified for article in items), default=_NO_DATE.astimezone(self.config.timezone))
        feed.updated(newest)
        for article in items:
            link = self.absolute(article.url)
            entry = feed.add_entry(order="append")
            entry.id(link)
            entry.title(xml_text(article.title))
            entry.link(href=link)  # feedgen 1.0 drops an entry link's rel and type; alternate is the default
            entry.published(article.date)
            entry.updated(article.modified)
            for author in article.authors:
                entry.author(name=xml_text(author.name))
            entry.summary(xml_text(article.summary) or xml_text(article.title))
            if self.full_content:
                entry.content(self.content(article), type="html")
            for name in (article.category.name, *(tag.name for tag in article.tags)):
                entry.category(term=xml_text(name))
            enclosure = self.enclosure(article)
            if enclosure is not None:
                entry.register_extension("enclosure", _AtomEnclosure, atom=True, rss=False)
                entry.enclosure.link = enclosure
        data: bytes = feed.atom_str(pretty=True)
        return data

    def enclosure(self, article: Article) -> tuple[str, str, str] | None:
        """URL, length in bytes and MIME type of the lead image, when it is a file of this site."""
        if article.url not in self.enclosures:
            self.enclosures[article.url] = self._enclosure(article)
        return self.enclosures[article.url]

    def _enclosure(self, article: Article) -> tuple[str, str, str] | None:
        if article.image is None:
            return None
        parts = urlsplit(article.image.src)
        if (parts.scheme or parts.netloc) and (
                parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != self.host):
            return None
        path = unquote(parts.path)
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path):]
        rel = urls.output_path(path)
        source = self.static_files.get(rel) if rel else None
        if rel is None or source is None or not source.is_file():
            return None
        suffix = Path(rel).suffix.lower()
        mime = _IMAGE_TYPES.get(suffix) or self.mimetypes.guess_type(rel)[0] or "application/octet-stream"
        return self.absolute(path), str(source.stat().st_size), mime


class _AtomEnclosure:
    """A feedgen entry extension writing `<link rel="enclosure">` (feedgen 1.0 would drop its rel and length)."""

    def __init__(self) -> None:
        self.link: tuple[str, str, str] | None = None  # URL, length, type

    def extend_atom(self, entry: Any) -> Any:
        if self.link is not None:
            url, length, mime = self.link
            entry.append(entry.makeelement("link", {"href": url, "rel": "enclosure", "type": mime, "length": length}))
        return entry


def rfc822(moment: datetime) -> str:
    """`Mon, 23 Jun 2025 17:05:06 +0900`: English names whatever the locale, the moment's own offset."""
    offset = moment.utcoffset()
    minutes = round(offset.total_seconds()) // 60 if offset is not None else 0
    sign, minutes = ("-", -minutes) if minutes < 0 else ("+", minutes)
    return (f"{_WEEKDAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year:04d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {sign}{minutes // 60:02d}{minutes % 60:02d}")


def feed_content(config: SiteConfig, url: str, body_html: str) -> str:
    """An article's body as `content:encoded` and Atom `<content>` hold it, before XML escaping."""
    return xml_text(absolute_html(body_html, config.base_url, urls.absolute(config.base_url, url)))


def escaped_content(config: SiteConfig, url: str, body_html: str) -> bytes:
    """An article's body exactly as it stands in the bytes of an RSS or Atom feed."""
    return _escape(feed_content(config, url, body_html)).encode("utf-8")


def _text(text: str) -> str:
    """`text` as XML character data."""
    return _escape(xml_text(text))


def _escape(text: str) -> str:
    """XML character data, escaped as lxml writes it (so a feed reads as feedgen wrote it)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(text: str) -> str:
    """`text` as an XML attribute value between double quotes, escaped as lxml writes it."""
    return (_escape(xml_text(text)).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    # Most text has none of them; finding that out in bytes is many times quicker than with the regex.
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _XML_ILLEGAL.sub("", text)
    if len(data.translate(None, _ASCII_ILLEGAL)) == len(data) and "\ufffe" not in text and "\uffff" not in text:
        return text
    return _XML_ILLEGAL.sub("", text)


def absolute_html(html: str, base_url: str, page_url: str) -> str:
    """`html` with every relative link and image source made absolute.

    Root-relative URLs are joined to `base_url` (which may have a path); others
    are resolved against `page_url`, the absolute URL of the page they are on.
    """
    base = urlsplit(base_url)
    origin = f"{base.scheme}://{base.netloc}"
    base_path = base.path.rstrip("/")

    def resolve(value: str) -> str:
        url = value.strip()
        if not url or url.startswith("//") or _SCHEME.match(url):
            return value
        if url.startswith("#") and len(url) > 1:  # a footnote, most often; quicker than urljoin
            return page_url + url
        if url.startswith("/"):
            if base_path and (url == base_path or url.startswith(base_path + "/")):
                return origin + url
            return urls.absolute(base_url, url)
        return urljoin(page_url, url)

    def attribute(match: re.Match[str]) -> str:
        quote = '"' if match.group("dq") is not None else "'" if match.group("sq") is not None else '"'
        value = next(v for v in (match.group("dq"), match.group("sq"), match.group("uq")) if v is not None)
        return f"{match.group('lead')}{quote}{resolve(value)}{quote}"

    def srcset(match: re.Match[str]) -> str:
        quote = '"' if match.group("dq") is not None else "'"
        value = match.group("dq") if match.group("dq") is not None else match.group("sq")
        candidates = []
        for candidate in value.split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            candidates.append(f"{resolve(url)} {descriptor.strip()}".strip() if url else "")
        return f"{match.group('lead')}{quote}{', '.join(c for c in candidates if c)}{quote}"

    def start_tag(match: re.Match[str]) -> str:
        return _SRCSET.sub(srcset, _URL_ATTRIBUTE.sub(attribute, match.group()))

    return _URL_TAG.sub(start_tag, html)


def relative_urls(html: str) -> list[str]:
    """The URL attribute values in the start tags of `html` that are not absolute."""
    found = []
    for tag in _URL_TAG.finditer(html):
        for match in _URL_ATTRIBUTE.finditer(tag.group()):
            value = (match.group("dq") or match.group("sq") or match.group("uq") or "").strip()
            if value and not value.startswith("//") and not _SCHEME.match(value):
                found.append(value)
    return found


# --- parsing a feed back, for `gettimes check` --------------------------------

def feed_problems(data: bytes) -> list[str]:
    """What a feed validator would flag in an RSS 2.0 document; empty when there is nothing."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "rss" or root.get("version") != "2.0":
        return ['the root element is not <rss version="2.0">']
    channel = root.find("channel")
    if channel is None:
        return ["no <channel> element"]
    problems = [f"<channel> has no <{name}>" for name in ("title", "link", "description")
                if not (channel.findtext(name) or "").strip()]
    problems += _absolute("<channel><link>", channel.findtext("link"))
    self_link = channel.find(f"{{{ATOM_NS}}}link[@rel='self']")
    if self_link is None:
        problems.append('<channel> has no <atom:link rel="self">')
    else:
        problems += _absolute('<atom:link rel="self">', self_link.get("href"))
    problems += _date("<lastBuildDate>", channel.findtext("lastBuildDate"), required=False)
    guids: set[str] = set()
    for number, item in enumerate(channel.findall("item"), 1):
        problems += [f"item {number}: {problem}" for problem in _item_problems(item)]
        guid = (item.findtext("guid") or "").strip()
        if guid in guids:
            problems.append(f"item {number}: the <guid> '{guid}' is also an earlier item's")
        guids.add(guid)
    return problems


def _item_problems(item: ET.Element) -> list[str]:
    problems = [] if (item.findtext("title") or "").strip() else ["no <title>"]
    problems += _absolute("<link>", item.findtext("link"))
    guid = item.find("guid")
    if guid is None:
        problems.append("no <guid>")
    elif guid.get("isPermaLink", "true") == "true":
        problems += _absolute("<guid> (a permalink)", guid.text)
    problems += _date("<pubDate>", item.findtext("pubDate"), required=True)
    if item.find("author") is not None and "@" not in (item.findtext("author") or ""):
        problems.append("<author> must be an e-mail address (names go in <dc:creator>)")
    content = item.findtext(f"{{{CONTENT_NS}}}encoded") or ""
    problems += [f"<content:encoded> has a relative URL '{value}'" for value in relative_urls(content)]
    enclosure = item.find("enclosure")
    if enclosure is not None:
        problems += _absolute("<enclosure> url", enclosure.get("url"))
        if not (enclosure.get("length") or "").isdigit() or not enclosure.get("type"):
            problems.append("<enclosure> needs a length in bytes and a type")
    return problems


def atom_problems(data: bytes) -> list[str]:
    """What a feed validator would flag in an Atom 1.0 document (RFC 4287); empty when there is nothing."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{{{ATOM_NS}}}feed":
        return [f"the root element is not <feed> in the namespace {ATOM_NS}"]

    def text(element: ET.Element, name: str) -> str:
        return (element.findtext(f"{{{ATOM_NS}}}{name}") or "").strip()

    problems = [f"<feed> has no <{name}>" for name in ("id", "title") if not text(root, name)]
    problems += _rfc3339("<updated>", root.findtext(f"{{{ATOM_NS}}}updated"), required=True)
    self_link = root.find(f"{{{ATOM_NS}}}link[@rel='self']")
    if self_link is None:
        problems.append('<feed> has no <link rel="self">')
    else:
        problems += _absolute('<link rel="self">', self_link.get("href"))
    feed_author = bool(root.findtext(f"{{{ATOM_NS}}}author/{{{ATOM_NS}}}name", "").strip())
    ids: set[str] = set()
    for number, entry in enumerate(root.findall(f"{{{ATOM_NS}}}entry"), 1):
        found = [] if text(entry, "title") else ["no <title>"]
        entry_id = text(entry, "id")
        if not _SCHEME.match(entry_id):
            found.append(f"<id> is not an absolute IRI: '{entry_id}'")
        elif entry_id in ids:
            found.append(f"the <id> '{entry_id}' is also an earlier entry's")
        ids.add(entry_id)
        found += _rfc3339("<updated>", entry.findtext(f"{{{ATOM_NS}}}updated"), required=True)
        found += _rfc3339("<published>", entry.findtext(f"{{{ATOM_NS}}}published"), required=False)
        links = entry.findall(f"{{{ATOM_NS}}}link")
        alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
        if not alternate:
            found.append('no <link rel="alternate">')
        for link in links:
            found += _absolute(f'<link rel="{link.get("rel", "alternate")}">', link.get("href"))
        if not feed_author and not entry.findtext(f"{{{ATOM_NS}}}author/{{{ATOM_NS}}}name", "").strip():
            found.append("no <author> (and the feed has none)")
        content = entry.find(f"{{{ATOM_NS}}}content")
        if content is not None and content.get("type") == "html":
            found += [f"<content> has a relative URL '{value}'" for value in relative_urls(content.text or "")]
        problems += [f"entry {number}: {problem}" for problem in found]
    return problems


def _rfc3339(what: str, value: str | None, required: bool) -> list[str]:
    if value is None:
        return [f"no {what}"] if required else []
    if not _RFC3339.fullmatch(value.strip()):
        return [f"{what} '{value}' is not an RFC 3339 date such as '2025-06-23T17:05:06+09:00'"]
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return [f"{what} '{value}' is not a real date"]
    return []


def _absolute(what: str, url: str | None) -> list[str]:
    if not url or not url.strip().startswith(("http://", "https://")):
        return [f"{what} is not an absolute http(s) URL: '{url or ''}'"]
    return []


def _date(what: str, value: str | None, required: bool) -> list[str]:
    if value is None:
        return [f"no {what}"] if required else []
    if not _RFC822.fullmatch(value.strip()):
        return [f"{what} '{value}' is not an RFC 822 date such as 'Mon, 23 Jun 2025 17:05:06 +0900'"]
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return [f"{what} '{value}' is not a real date"]
    if _WEEKDAYS[moment.weekday()] != value.strip()[:3]:
        return [f"{what} '{value}' names the wrong day of the week"]
    return []
