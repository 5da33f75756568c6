"""Page views from the stats file, and the rankings built on them.

The file is a CSV export with a header row: `path` (or `slug`), `views` and an
optional `date` (YYYY-MM-DD). Every problem in it is a warning with its line;
a bad row is skipped and the build goes on.
"""

from __future__ import annotations

import csv
import heapq
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from gettimes.config import SiteConfig
from gettimes.diagnostics import Report
from gettimes.index import PublishRules
from gettimes.models import Article, Page

WEEK_DAYS = 7
# The site's own pages that are not articles (listings by first path segment, and
# fixed files): an analytics export lists them too, so their rows are skipped
# quietly; only a path the site does not have is an "unknown page" warning.
_LISTING_SEGMENTS = frozenset({"category", "tag", "author", "articles", "search", "page"})
_SITE_FILES = ("/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt", "/404.html")
_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Views:
    """View counts by article URL: all time, and in the week ending on the build date."""

    total: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    weekly: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Rankings:
    most_viewed: tuple[Article, ...] = ()
    weekly_hot: tuple[Article, ...] = ()
    by_author: Mapping[str, tuple[Article, ...]] = field(default_factory=lambda: MappingProxyType({}))


def read_stats(root: Path, config: SiteConfig, articles: Sequence[Article], pages: Iterable[Page],
               now: datetime, report: Report) -> Views:
    """Sum the views in the stats file per article; an absent file means no views.

    A missing file is only worth a warning when gettimes.yaml names it: the
    default path is optional.
    """
    path = root / config.stats
    if not path.is_file():
        if config.stats_explicit:
            report.warning(config.stats, None, "the stats file named by 'stats' in gettimes.yaml does not "
                           "exist; Most Viewed and Weekly Hot Issue stay empty")
        return Views()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        report.warning(config.stats, line, "the stats file is not UTF-8 text; it is ignored")
        return Views()
    except OSError as exc:
        report.warning(config.stats, None, f"cannot read the stats file ({exc.strerror}); it is ignored")
        return Views()
    today = now.astimezone(config.timezone).date()
    return _StatsReader(config, articles, pages, report).read(text, today)


class _StatsReader:
    """Matches the rows of one stats file to articles, warning about each bad row."""

    def __init__(self, config: SiteConfig, articles: Sequence[Article], pages: Iterable[Page],
                 report: Report) -> None:
        self.file = config.stats
        self.report = report
        base = urlsplit(config.base_url)
        self.host = (base.hostname or "").lower()
        self.base_path = base.path.rstrip("/")
        self.by_path: dict[str, str] = {}
        self.by_slug: dict[str, str] = {}
        for article in articles:
            self.by_slug[article.slug] = article.url
            for url in (article.url, *article.aliases):
                self.by_path.setdefault(_path_key(url), article.url)
        self.other_pages = {_path_key(url) for url in (*(page.url for page in pages), *_SITE_FILES)}
        # An export repeats each page on many days: each path and day is worked out once.
        self._paths: dict[str, tuple[str | None, str | None]] = {}
        self._days: dict[str, date | None] = {}

    def warn(self, line: int, message: str) -> None:
        self.report.warning(self.file, line, message)

    def read(self, text: str, today: date) -> Views:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        columns = self._columns(header or [])
        if columns is None:
            return Views()
        first_week_day = today - timedelta(days=WEEK_DAYS - 1)
        total: dict[str, int] = {}
        weekly: dict[str, int] = {}
        line = reader.line_num + 1
        for row in reader:
            row_line, line = line, reader.line_num + 1
            if not "".join(row).strip():
                continue
            parsed = self._row(row, columns, row_line)
            if parsed is None:
                continue
            url, views, day = parsed
            total[url] = total.get(url, 0) + views
            if day is not None and first_week_day <= day <= today:
                weekly[url] = weekly.get(url, 0) + views
        return Views(MappingProxyType(total), MappingProxyType(weekly))

    def _columns(self, header: list[str]) -> dict[str, int] | None:
        names = [cell.strip().casefold() for cell in header]
        columns: dict[str, int] = {
            name: names.index(name) for name in ("path", "slug", "views", "date") if name in names
        }
        if "views" not in columns or ("path" not in columns and "slug" not in columns):
            found = ",".join(cell.strip() for cell in header) or "nothing"
            self.warn(1, "the first line must be a header naming the columns path (or slug), views and, "
                      f"optionally, date; found '{found}', so the file is ignored")
            return None
        return columns

    def _row(self, row: list[str], columns: dict[str, int], line: int) -> tuple[str, int, date | None] | None:
        width = len(row)
        page, slug, views_text, date_text = (
            row[position].strip() if position is not None and position < width else ""
            for position in (columns.get("path"), columns.get("slug"), columns.get("views"), columns.get("date")))
        if not page and not slug:
            self.warn(line, f"missing {'path' if 'path' in columns else 'slug'}; row skipped")
            return None
        if not views_text:
            self.warn(line, "missing views; row skipped")
            return None
        if not _DIGITS.fullmatch(views_text):
            self.warn(line, f"views must be a whole number of 0 or more, not '{views_text}'; row skipped")
            return None
        day: date | None = None
        if date_text:
            if date_text in self._days:
                day = self._days[date_text]
            else:
                day = self._days[date_text] = _parse_day(date_text)
            if day is None:
                self.warn(line, f"date must be a day written YYYY-MM-DD, not '{date_text}'; row skipped")
                return None
        url = self._match_path(page, line) if page else self._match_slug(slug, line)
        if url is None:
            return None
        return url, int(views_text), day

    def _match_path(self, value: str, line: int) -> str | None:
        found = self._paths.get(value)
        if found is None:
            found = self._paths[value] = self._path_match(value)
        url, problem = found
        if problem is not None:
            self.warn(line, problem)
        return url

    def _path_match(self, value: str) -> tuple[str | None, str | None]:
        """The article URL a path column's value names, or the warning its rows get (None for neither)."""
        parts = urlsplit(value)
        if (parts.scheme or parts.netloc) and (
                parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != self.host):
            return None, f"'{value}' is not on this site's host ({self.host}); row skipped"
        key = _path_key(parts.path)
        if self.base_path and (key == self.base_path or key.startswith(self.base_path + "/")):
            key = key[len(self.base_path):]
        url = self.by_path.get(key)
        if url is None and not self._is_other_page(key):
            return None, f"no article at '{value}'; row skipped"
        return url, None

    def _match_slug(self, slug: str, line: int) -> str | None:
        url = self.by_slug.get(slug)
        if url is None:
            self.warn(line, f"no article with slug '{slug}'; row skipped")
        return url

    def _is_other_page(self, key: str) -> bool:
        segments = key.strip("/").split("/")
        return key in self.other_pages or segments[0] in _LISTING_SEGMENTS


def _path_key(path: str) -> str:
    """`/article/x/`, `/article/x`, `/article/x/index.html` and `/article/%78/` all -> `/article/x`."""
    path = unquote(path)
    if not path.startswith("/"):
        path = "/" + path
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path.rstrip("/")


def _parse_day(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def rank_articles(articles: Iterable[Article], rules: PublishRules, views: Views, limit: int) -> Rankings:
    """Most Viewed, Weekly Hot Issue and each reporter's most read, `limit` entries each.

    Only published articles with at least one view count; ties go to the newer
    article, then to the slug in alphabetical order.
    """
    published = [article for article in articles if rules.allows(article)]
    by_author: dict[str, list[Article]] = {}
    for article in published:
        for author in article.authors:
            by_author.setdefault(author.slug, []).append(article)
    return Rankings(
        most_viewed=_top(published, views.total, limit),
        weekly_hot=_top(published, views.weekly, limit),
        by_author=MappingProxyType({
            slug: ranked for slug, items in sorted(by_author.items())
            if (ranked := _top(items, views.total, limit))
        }),
    )


def _top(articles: Iterable[Article], counts: Mapping[str, int], limit: int) -> tuple[Article, ...]:
    viewed = [article for article in articles if counts.get(article.url, 0) > 0]
    if 0 < limit < len(viewed):  # only those with at least the limit-th highest count can be in it
        least = heapq.nlargest(limit, [counts[article.url] for article in viewed])[-1]
        viewed = [article for article in viewed if counts[article.url] >= least]
    viewed.sort(key=lambda a: (-counts[a.url], -a.date.timestamp(), a.slug))
    return tuple(viewed[:limit])
