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
from typing import Any
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
               now: datetime, report: Report, tally: StatsTally | None = None) -> Views:
    """Sum the views in the stats file per article; an absent file means no views.

    `tally` is the file as `tally_stats` read it, if that was done ahead (while the
    articles loaded); the rows are matched to the articles here.
    """
    tally = tally or tally_stats(root, config, now)
    return _Matcher(config, articles, pages).views(tally, report)


@dataclass(frozen=True, slots=True)
class _Named:
    """The rows of the stats file that name one page: by `path` or by `slug`."""

    column: str  # "path" or "slug"
    value: str
    total: int
    weekly: int | None  # None: no row of the week names it
    lines: tuple[int, ...]
    first_weekly_line: int  # of its first row in the week (0 for none)


@dataclass(frozen=True, slots=True)
class StatsTally:
    """The stats file read and summed per page it names, not yet matched to the site's articles."""

    file: str
    named: tuple[_Named, ...] = ()  # in the order of their first rows
    problems: tuple[tuple[int | None, str], ...] = ()  # warnings about the file or a row, by line


def tally_stats(root: Path, config: SiteConfig, now: datetime) -> StatsTally:
    """Read the stats file; every problem in it becomes a warning of the tally.

    A missing file is only worth a warning when gettimes.yaml names it: the
    default path is optional.
    """
    path = root / config.stats

    def unread(line: int | None, problem: str) -> StatsTally:
        return StatsTally(config.stats, problems=((line, problem),))

    if not path.is_file():
        if config.stats_explicit:
            return unread(None, "the stats file named by 'stats' in gettimes.yaml does not exist; "
                                "Most Viewed and Weekly Hot Issue stay empty")
        return StatsTally(config.stats)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return unread(line, "the stats file is not UTF-8 text; it is ignored")
    except OSError as exc:
        return unread(None, f"cannot read the stats file ({exc.strerror}); it is ignored")
    today = now.astimezone(config.timezone).date()
    return _Tallier(config.stats).read(text, today)


class _Tallier:
    """Sums the rows of one stats file per page named, noting each bad row."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[tuple[int | None, str]] = []
        self._days: dict[str, date | None] = {}  # an export repeats each day on many rows

    def warn(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def read(self, text: str, today: date) -> StatsTally:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        columns = self._columns(header or [])
        if columns is None:
            return StatsTally(self.file, problems=tuple(self.problems))
        first_week_day = today - timedelta(days=WEEK_DAYS - 1)
        # per (column, value): total, weekly total (None: no row in the week), lines, first weekly line
        named: dict[tuple[str, str], list[Any]] = {}
        line = reader.line_num + 1
        for row in reader:
            row_line, line = line, reader.line_num + 1
            if not "".join(row).strip():
                continue
            parsed = self._row(row, columns, row_line)
            if parsed is None:
                continue
            key, views, day = parsed
            entry = named.get(key)
            if entry is None:
                entry = named[key] = [0, None, [], 0]
            entry[0] += views
            entry[2].append(row_line)
            if day is not None and first_week_day <= day <= today:
                entry[1] = (entry[1] or 0) + views
                entry[3] = entry[3] or row_line
        return StatsTally(self.file, tuple(_Named(column, value, total, weekly, tuple(lines), first_weekly)
                                           for (column, value), (total, weekly, lines, first_weekly) in named.items()),
                          tuple(self.problems))

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

    def _row(self, row: list[str], columns: dict[str, int], line: int
             ) -> tuple[tuple[str, str], int, date | None] | None:
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
        return ("path", page) if page else ("slug", slug), int(views_text), day


class _Matcher:
    """Matches the pages a stats file names to the site's articles."""

    def __init__(self, config: SiteConfig, articles: Sequence[Article], pages: Iterable[Page]) -> None:
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

    def views(self, tally: StatsTally, report: Report) -> Views:
        """The views of each article; a warning for each row that names no page of the site, in file order."""
        problems = list(tally.problems)
        total: dict[str, int] = {}
        weekly: list[tuple[int, str, int]] = []
        for named in tally.named:
            url, problem = self._path_match(named.value) if named.column == "path" else self._slug_match(named.value)
            if problem is not None:
                problems += [(line, problem) for line in named.lines]
            if url is None:
                continue
            total[url] = total.get(url, 0) + named.total
            if named.weekly is not None:
                weekly.append((named.first_weekly_line, url, named.weekly))
        week: dict[str, int] = {}
        for _, url, views in sorted(weekly):  # in the order of the week's first row naming each article
            week[url] = week.get(url, 0) + views
        for line, message in sorted(problems, key=lambda problem: problem[0] or 0):
            report.warning(tally.file, line, message)
        return Views(MappingProxyType(total), MappingProxyType(week))

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

    def _slug_match(self, slug: str) -> tuple[str | None, str | None]:
        url = self.by_slug.get(slug)
        return (url, None) if url is not None else (None, f"no article with slug '{slug}'; row skipped")

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
