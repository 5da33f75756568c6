"""The one place that knows URLs and the output files they map to."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

# First path segments the generator owns; a standalone page may not take them.
RESERVED_SLUGS = frozenset({
    "article", "category", "tag", "author", "articles", "search", "page", "feed.xml", "atom.xml",
    "sitemap.xml", "news-sitemap.xml", "robots.txt", "404.html", "index.html",
    "pagefind", "static", "assets", "theme",
})


def article_url(pattern: str, slug: str, date: datetime, category_slug: str) -> str:
    return pattern.format(
        slug=slug, yyyy=f"{date.year:04d}", mm=f"{date.month:02d}", dd=f"{date.day:02d}",
        category=category_slug,
    )


def paged(url: str, page: int) -> str:
    """`/category/world/` page 3 -> `/category/world/page/3/`; page 1 is the plain URL."""
    return url if page <= 1 else f"{url}page/{page}/"


def category_url(slug: str) -> str:
    return f"/category/{slug}/"


def tag_url(slug: str) -> str:
    return f"/tag/{slug}/"


def author_url(slug: str) -> str:
    return f"/author/{slug}/"


ARTICLES_URL = "/articles/"
HOME_URL = "/"
SEARCH_URL = "/search/"
NOT_FOUND_URL = "/404.html"


def page_url(slug: str) -> str:
    return f"/{slug}/"


# Segments of letters, digits, "-" and "_" (no dot-segment, no empty one), ending in "/".
_PLAIN_FOLDER_URL = re.compile(r"(?:/[A-Za-z0-9_-]+)+/")


def output_path(url: str) -> str | None:
    """The output-relative file for a site URL, or None if it would leave the output.

    `/a/b/` -> `a/b/index.html`; `/feed.xml` -> `feed.xml`. Dot-segments,
    backslashes and empty results are refused, so nothing is written outside.
    """
    if _PLAIN_FOLDER_URL.fullmatch(url):  # /article/some-slug/ and the like: nothing to refuse
        return url[1:] + "index.html"
    return output_path_by_segments(url)


def output_path_by_segments(url: str) -> str | None:
    """`output_path`, worked out one segment at a time (what its shortcut must agree with)."""
    if not url.startswith("/") or "\\" in url or "\x00" in url:
        return None
    segments = [s for s in url.split("/") if s]
    if "." in segments or ".." in segments:
        return None
    path = "/".join(segments)
    if url.endswith("/"):
        return f"{path}/index.html" if path else "index.html"
    return path or None


def absolute(base_url: str, url: str) -> str:
    """An absolute URL on the site, percent-encoding non-ASCII path characters."""
    if url.startswith(("http://", "https://", "//")):
        return url
    return base_url + quote(url, safe="/#?=&%:@!$'()*+,;~-._")
