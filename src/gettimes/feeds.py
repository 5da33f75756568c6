"""RSS 2.0 feeds, for the whole site and for each category, through feedgen.

What feed validators and readers trip over, and how it is handled here:

- every URL is absolute, also inside the HTML of `content:encoded`;
- `guid` is the permalink, marked `isPermaLink="true"`;
- dates are RFC 822 with a numeric offset and English names (feedgen formats
  them under the C locale), in the site's time zone;
- reporters go in `dc:creator`: RSS `author` must be an e-mail address;
- `lastBuildDate` is the newest article's `updated` or `date`, never the clock
  (feedgen would use the clock), so an unchanged site gives the same bytes;
- characters XML 1.0 forbids (most control characters) are removed from all text.
"""

from __future__ import annotations

import mimetypes
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from feedgen.feed import FeedGenerator

from gettimes import urls
from gettimes.config import SiteConfig
from gettimes.index import SiteIndex
from gettimes.models import Article

SITE_FEED_URL = "/feed.xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"

# Characters XML 1.0 does not allow, even escaped (lone surrogates can come from YAML escapes).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
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
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LAST_BUILD_DATE = re.compile(rb"\n\s*<lastBuildDate>[^<]*</lastBuildDate>")
# Python's own table lacks some image types (webp before 3.13); it is used for the rest.
_IMAGE_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif",
}


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """A file made from the index rather than a template: a feed, a sitemap, robots.txt."""

    path: str  # output-relative
    source: str  # what makes it, for collision messages
    data: bytes
    validate: Callable[[bytes], list[str]] | None = None

    def problems(self) -> list[str]:
        """What is wrong with the file as written (parsed back); empty when it is valid."""
        return self.validate(self.data) if self.validate is not None else []


@dataclass(frozen=True, slots=True)
class _Channel:
    title: str
    description: str
    page_url: str  # site URL of the HTML page the feed follows
    feed_url: str


def make_feeds(config: SiteConfig, index: SiteIndex, static_files: Sequence[tuple[str, Path]]
               ) -> list[GeneratedFile]:
    """The site feed and one feed per configured category (empty ones too: the theme links them)."""
    writer = _FeedWriter(config, dict(static_files))
    description = config.description or config.title
    files = [GeneratedFile(
        "feed.xml", f"feed {SITE_FEED_URL}",
        writer.rss(_Channel(config.title, description, urls.HOME_URL, SITE_FEED_URL), index.articles),
        feed_problems,
    )]
    for section in index.categories:
        category = section.category
        feed_url = category.url + "feed.xml"
        title = f"{config.title}: {category.name}"
        data = writer.rss(_Channel(title, title, category.url, feed_url), section.articles)
        files.append(GeneratedFile(feed_url.lstrip("/"), f"feed {feed_url}", data, feed_problems))
    return files


class _FeedWriter:
    def __init__(self, config: SiteConfig, static_files: Mapping[str, Path]) -> None:
        self.config = config
        self.static_files = static_files
        self.mimetypes = mimetypes.MimeTypes()  # the built-in table only, not the machine's
        base = urlsplit(config.base_url)
        self.host = (base.hostname or "").lower()
        self.base_path = base.path.rstrip("/")

    def absolute(self, url: str) -> str:
        return urls.absolute(self.config.base_url, url)

    def rss(self, channel: _Channel, articles: Sequence[Article]) -> bytes:
        """One RSS 2.0 document with the newest `feed_items` of `articles` (newest first)."""
        items = articles[: self.config.feed_items]
        feed = FeedGenerator()
        feed.load_extension("dc")
        feed.title(xml_text(channel.title))
        feed.description(xml_text(channel.description))
        # feedgen puts the last link set into RSS <link>, so the self link comes first.
        feed.link(href=self.absolute(channel.feed_url), rel="self", type="application/rss+xml")
        feed.link(href=self.absolute(channel.page_url), rel="alternate")
        feed.language(self.config.language)
        feed.generator("gettimes")
        rights = self.config.publisher.get("copyright")
        if isinstance(rights, str) and rights.strip():
            feed.rights(xml_text(rights.strip()))
        newest = max((article.modified for article in items), default=None)
        if newest is not None:
            feed.lastBuildDate(newest)
        for article in items:
            self._item(feed, article)
        data: bytes = feed.rss_str(pretty=True)
        if newest is None:  # feedgen stamps the clock when no date is set; an empty feed has none
            data = _LAST_BUILD_DATE.sub(b"", data)
        return data

    def _item(self, feed: FeedGenerator, article: Article) -> None:
        link = self.absolute(article.url)
        entry = feed.add_entry(order="append")
        entry.title(xml_text(article.title))
        entry.link(href=link)
        entry.guid(link, permalink=True)
        entry.description(xml_text(article.summary) or xml_text(article.title))
        entry.content(xml_text(absolute_html(article.body_html, self.config.base_url, link)))
        entry.pubDate(article.date)
        for author in article.authors:
            entry.dc.dc_creator(xml_text(author.name), replace=False)
        for name in (article.category.name, *(tag.name for tag in article.tags)):
            entry.category(term=xml_text(name))
        enclosure = self._enclosure(article)
        if enclosure is not None:
            entry.enclosure(*enclosure)

    def _enclosure(self, article: Article) -> tuple[str, str, str] | None:
        """URL, length in bytes and MIME type of the lead image, when it is a file of this site."""
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


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
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

    return _SRCSET.sub(srcset, _URL_ATTRIBUTE.sub(attribute, html))


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
    for number, item in enumerate(channel.findall("item"), 1):
        problems += [f"item {number}: {problem}" for problem in _item_problems(item)]
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
    for match in _URL_ATTRIBUTE.finditer(content):
        value = (match.group("dq") or match.group("sq") or match.group("uq") or "").strip()
        if value and not value.startswith("//") and not _SCHEME.match(value):
            problems.append(f"<content:encoded> has a relative URL '{value}'")
    enclosure = item.find("enclosure")
    if enclosure is not None:
        problems += _absolute("<enclosure> url", enclosure.get("url"))
        if not (enclosure.get("length") or "").isdigit() or not enclosure.get("type"):
            problems.append("<enclosure> needs a length in bytes and a type")
    return problems


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
