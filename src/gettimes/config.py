"""The site configuration, `gettimes.yaml`, validated into a frozen `SiteConfig`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from gettimes.diagnostics import Report
from gettimes.frontmatter import load_yaml_file, node_line, yaml_key_lines, yaml_node_lines
from gettimes.slugs import SlugStyle, is_safe_slug, make_slug

CONFIG_FILE = "gettimes.yaml"
LANGUAGES = ("en", "ko")
PERMALINK_FIELDS = ("slug", "yyyy", "mm", "dd", "category")
# A scheme, a host, then an optional path: no spaces, no query or fragment to glue paths onto.
_BASE_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?")

KNOWN_KEYS = (
    "title", "base_url", "language", "timezone", "categories", "output_dir", "stats",
    "paginate", "feed_items", "sidebar_items", "slugs", "permalinks", "markdown",
    "search", "publisher", "description", "params", "feeds",
)
FEED_OPTIONS = ("content", "items", "site", "atom", "categories", "tags", "authors")
FEED_CONTENT = ("full", "summary")


_ESSENTIAL_KEYS = ("title", "base_url", "categories", "slugs", "permalinks", "output_dir")


@dataclass(frozen=True, slots=True)
class CategoryConfig:
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """The `feeds:` mapping: which feeds are made, and what their items carry."""

    full_content: bool = True  # `content: full`: the article's HTML in content:encoded (Atom: <content>)
    items: int | None = None  # None: the contract's `feed_items`
    site: bool = True  # /feed.xml
    atom: bool = True  # /atom.xml
    categories: bool = True  # /category/{slug}/feed.xml
    tags: bool = True  # /tag/{slug}/feed.xml
    authors: bool = True  # /author/{slug}/feed.xml


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything `gettimes.yaml` says, with defaults filled in."""

    title: str
    base_url: str
    categories: tuple[CategoryConfig, ...]
    language: str = "en"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    output_dir: str = "public"
    stats: str = "data/stats.csv"
    stats_explicit: bool = False  # `stats:` is in gettimes.yaml, so a missing file is worth a warning
    paginate: int = 20
    feed_items: int = 20
    sidebar_items: int = 5
    slugs: SlugStyle = "ascii"
    article_permalink: str = "/article/{slug}/"
    markdown_html: bool = True
    search: bool = True
    description: str = ""
    publisher: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    feeds: FeedSettings = field(default_factory=FeedSettings)

    @property
    def items_per_feed(self) -> int:
        """`feeds.items`, else `feed_items`."""
        return self.feeds.items or self.feed_items

    def category_named(self, name: str) -> CategoryConfig | None:
        """The configured category matching `name` case-insensitively (or by slug)."""
        wanted = name.strip().casefold()
        for category in self.categories:
            if category.name.casefold() == wanted or category.slug == wanted:
                return category
        return None


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean "x"?)' hint, or '' when nothing is close."""
    lowered = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=0.6)
    return f' (did you mean "{lowered[close[0]]}"?)' if close else ""


def load_config(site_dir: Path, report: Report, base_url: str | None = None) -> SiteConfig | None:
    """Read and validate `gettimes.yaml`; None (with every problem reported) if unusable."""
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        report.error(CONFIG_FILE, None,
                     "no gettimes.yaml here: run 'gettimes init' to create a site, "
                     "or run gettimes inside the site's folder")
        return None
    loaded = load_yaml_file(path, CONFIG_FILE, report)
    if loaded is None:
        return None
    raw, text = loaded
    if not isinstance(raw, dict):
        report.error(CONFIG_FILE, 1, "the configuration must be a mapping of keys to values")
        return None
    return _ConfigReader(raw, text, report).read(base_url)


class _ConfigReader:
    """Validates one raw configuration mapping, reporting every problem with its line."""

    def __init__(self, raw: dict[str, Any], text: str, report: Report) -> None:
        self.raw = raw
        self.text = text
        self.report = report
        self.lines = yaml_key_lines(text)
        self.ok = True
        self.fatal = False

    def error(self, key: str | None, message: str, line: int | None = None) -> None:
        self.ok = False
        # Without these the articles cannot be checked; other mistakes are reported
        # together with the articles' problems in the same run.
        self.fatal = self.fatal or key in (None, *_ESSENTIAL_KEYS)
        self.report.error(CONFIG_FILE, line or (self.lines.get(key, 1) if key else 1), message)

    def string(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if value is None:
            self.error(key, f"'{key}' is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"'{key}' must be text")
            return ""
        return str(value)

    def integer(self, key: str, default: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(key, f"'{key}' must be a whole number of at least 1")
            return default
        return value

    def boolean(self, key: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false")
            return default
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.raw.get(key) or {}
        if not isinstance(value, dict):
            self.error(key, f"'{key}' must be a mapping of keys to values")
            return {}
        return {str(k): v for k, v in value.items()}

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in choices:
            self.error(key, f"'{key}' must be one of {', '.join(choices)}, not '{value}'")
            return default
        return value

    def read(self, base_url_override: str | None) -> SiteConfig | None:
        for key in self.raw:
            if key not in KNOWN_KEYS:
                self.error(key, f"unknown configuration key '{key}'{did_you_mean(key, KNOWN_KEYS)}")
        title = self.string("title")
        base_url = self._base_url(base_url_override)
        language = self.choice("language", "en", LANGUAGES)
        timezone = self._timezone()
        slug_style = self.choice("slugs", "ascii", ("ascii", "unicode"))
        categories = self._categories("ascii" if slug_style == "ascii" else "unicode")
        output_dir = self.string("output_dir", "public")
        stats = self.string("stats", "data/stats.csv")
        markdown = self.mapping("markdown")
        for key in markdown:
            if key != "html":
                self.error("markdown", f"unknown markdown option '{key}' (only 'html' is known)")
        permalink = self._permalink()
        config = SiteConfig(
            title=title,
            base_url=base_url,
            categories=categories,
            language=language,
            timezone=timezone,
            output_dir=output_dir,
            stats=stats,
            stats_explicit="stats" in self.raw,
            paginate=self.integer("paginate", 20),
            feed_items=self.integer("feed_items", 20),
            sidebar_items=self.integer("sidebar_items", 5),
            slugs="unicode" if slug_style == "unicode" else "ascii",
            article_permalink=permalink,
            markdown_html=self.boolean("markdown", markdown.get("html"), True),
            search=self.boolean("search", self.raw.get("search"), True),
            description=self.string("description", ""),
            publisher=MappingProxyType(self.mapping("publisher")),
            params=MappingProxyType(self.mapping("params")),
            feeds=self._feeds(),
        )
        return None if self.fatal else config

    def _feeds(self) -> FeedSettings:
        value = self.raw.get("feeds")
        if value is None:
            return FeedSettings()
        if not isinstance(value, dict):
            self.error("feeds", "'feeds' must be a mapping such as {content: summary, tags: false}")
            return FeedSettings()
        lines = _mapping_key_lines(self.text, "feeds")
        options = {str(key): option for key, option in value.items()}
        for key in options:
            if key not in FEED_OPTIONS:
                self.error("feeds", f"unknown feeds option '{key}'{did_you_mean(key, FEED_OPTIONS)} "
                           f"(known: {', '.join(FEED_OPTIONS)})", lines.get(key))

        def switch(key: str) -> bool:
            option = options.get(key, True)
            if not isinstance(option, bool):
                self.error("feeds", f"'feeds.{key}' must be true or false", lines.get(key))
                return True
            return option

        content = options.get("content", "full")
        if content not in FEED_CONTENT:
            self.error("feeds", f"'feeds.content' must be one of {', '.join(FEED_CONTENT)}, not '{content}'",
                       lines.get("content"))
            content = "full"
        items = options.get("items")
        if items is not None and (isinstance(items, bool) or not isinstance(items, int) or items < 1):
            self.error("feeds", "'feeds.items' must be a whole number of at least 1", lines.get("items"))
            items = None
        return FeedSettings(full_content=content == "full", items=items, site=switch("site"), atom=switch("atom"),
                            categories=switch("categories"), tags=switch("tags"), authors=switch("authors"))

    def _base_url(self, override: str | None) -> str:
        value = (override if override is not None else self.string("base_url")).strip()
        raw = self.raw.get("base_url")
        already_reported = override is None and (isinstance(raw, bool) or not isinstance(raw, str | int | float))
        if not already_reported and not _BASE_URL.fullmatch(value):
            message = f"base_url must be an absolute http(s) URL such as https://www.example.com, not '{value}'"
            if override is not None:
                self.error(None, f"--base-url: {message}")
            else:
                self.error("base_url", message)
        return value.rstrip("/")

    def _timezone(self) -> ZoneInfo:
        name = self.string("timezone", "UTC")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.error("timezone", f"unknown time zone '{name}': use an IANA name such as Asia/Seoul or UTC")
            return ZoneInfo("UTC")

    def _categories(self, slug_style: SlugStyle) -> tuple[CategoryConfig, ...]:
        value = self.raw.get("categories")
        if not isinstance(value, list) or not value:
            self.error("categories", "'categories' is required: a list of category names")
            return ()
        item_lines = _sequence_item_lines(self.text, "categories")
        result: list[CategoryConfig] = []
        seen: dict[str, str] = {}
        for position, item in enumerate(value):
            line = item_lines[position] if position < len(item_lines) else None
            name, slug = _category_item(item)
            if not name:
                self.error("categories", "each category is a name, or a mapping {name, slug}", line)
                continue
            if slug and not is_safe_slug(slug):
                self.error("categories", f"the slug '{slug}' of category '{name}' must be one URL segment "
                           "of letters, digits and dashes", line)
                continue
            slug = slug or make_slug(name, slug_style)
            if not slug:
                self.error("categories", f"category '{name}' needs a slug", line)
                continue
            if slug in seen:
                self.error("categories", f"categories '{seen[slug]}' and '{name}' have the same slug '{slug}'", line)
                continue
            seen[slug] = name
            result.append(CategoryConfig(name, slug))
        return tuple(result)

    def _permalink(self) -> str:
        permalinks = self.mapping("permalinks")
        for key in permalinks:
            if key != "article":
                self.error("permalinks", f"unknown permalink '{key}' (only 'article' can be set)")
        pattern = permalinks.get("article", "/article/{slug}/")
        if not isinstance(pattern, str):
            self.error("permalinks", "permalinks.article must be text such as /article/{slug}/")
            return "/article/{slug}/"
        fields = re.findall(r"{([^}]*)}", pattern)
        unknown = [f for f in fields if f not in PERMALINK_FIELDS]
        if unknown or "slug" not in fields or not pattern.startswith("/") or ".." in pattern \
                or not _formats(pattern):
            self.error("permalinks", "permalinks.article must start with '/', contain {slug} and use only "
                       "{slug} {yyyy} {mm} {dd} {category}")
            return "/article/{slug}/"
        if not pattern.endswith(("/", ".html")):
            self.error("permalinks", "permalinks.article must end with '/' (a folder with an index.html) "
                       "or '.html', so that every host serves it as a page")
            return "/article/{slug}/"
        return pattern


def _formats(pattern: str) -> bool:
    """True when `pattern` fills in to a URL path (no stray braces, no backslashes)."""
    try:
        sample = pattern.format(slug="s", yyyy="2025", mm="01", dd="01", category="c")
    except (ValueError, KeyError, IndexError, AttributeError):
        return False
    return "\\" not in sample


def _category_item(item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        return item.strip(), ""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        slug = item.get("slug")
        return item["name"].strip(), str(slug).strip("/ ") if isinstance(slug, str) else ""
    return "", ""


def _mapping_key_lines(text: str, key: str) -> dict[str, int]:
    """1-based lines of the keys of the mapping under the top-level `key`."""
    root = yaml_node_lines(text)
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key and isinstance(value_node, yaml.MappingNode):
            return {str(node.value): node_line(text, node) for node, _ in value_node.value}
    return {}


def _sequence_item_lines(text: str, key: str) -> list[int]:
    root = yaml_node_lines(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key and isinstance(value_node, yaml.SequenceNode):
            return [node_line(text, item) for item in value_node.value]
    return []
