"""The editorial warnings of `gettimes check`: what a reader would notice, not what breaks the build.

Three rules, all warnings:

- an article with no `summary` whose first paragraph makes a poor description
  (the meta description, the listings' summary, the shared-link preview);
- an image with a site-relative path that no static file provides;
- two or more published articles with the same title.

Descriptions and images are checked in every article file, drafts and scheduled
ones included, so that a file is right before it goes out. Titles are compared
among the articles the build would publish (with --drafts and --future, those
too), since a title only collides where readers see both.

The rules read the loaded articles; a source file is read again only for the few
articles a rule flags, to find the line to point at.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from gettimes import urls
from gettimes.diagnostics import Report
from gettimes.frontmatter import Document, parse_document, read_text
from gettimes.markdown import SUMMARY_LENGTH, shorten
from gettimes.models import Article

if TYPE_CHECKING:
    from gettimes.build import Site

# Below this width a description that is not a full sentence says too little (a
# caption, a byline, a dateline). Korean, Chinese and Japanese characters count
# twice: they carry about as much as two Latin letters.
MIN_DESCRIPTION_WIDTH = 50
# A duplicate-title warning names this many other articles, then counts the rest.
NAMED_DUPLICATES = 3
EXCERPT_LENGTH = 60

_URL_ONLY = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*", re.IGNORECASE)
# A full sentence ends with a stop, perhaps inside closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)\]」』》]*$")
_CJK_STOP = re.compile(r"[。！？]")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.IGNORECASE)
_SPACE = re.compile(r"\s")
_UNUSUAL = ("//", "/.", "\\", "\x00")  # in a path that urls.output_path must judge


def check_editorial(site: Site, report: Report, wanted: Callable[[str], bool] | None = None) -> None:
    """Add the editorial warnings for the articles whose source `wanted` accepts (all when None).

    Run it after the link check: an image the link check already reported as a
    broken link in the same file is not reported twice.
    """
    sources = _Sources(site.root)
    chosen = [a for a in site.articles if wanted is None or wanted(a.source)]
    for article in chosen:
        _check_description(article, sources, report)
    base_path = urlsplit(site.config.base_url).path.rstrip("/")
    static = {rel for rel, _ in site.static_files}
    broken = _broken_links(report)
    for article in chosen:
        _check_images(article, base_path, static, broken, sources, report)
    _check_titles(site.index.articles, wanted, sources, report)


# --- descriptions -----------------------------------------------------------

def description_problem(text: str, title: str) -> str | None:
    """Why `text`, the description derived from an article's body, is poor; None when it will do.

    The cheap length tests come first: this runs on every article of the site.
    """
    if not text:
        return "the body has no paragraph of text to describe the article"
    if _URL_ONLY.fullmatch(text):
        return f'the first paragraph is only a web address ("{_excerpt(text)}")'
    # The derived text has its whitespace collapsed already, so it is no longer than a title it repeats.
    if len(text) <= len(title) and normal_title(text) == normal_title(title):
        return "the first paragraph only repeats the title"
    if _cut_mid_word(text) and not _CJK_STOP.search(text):
        return f'the first paragraph is cut mid-word, with no full sentence in it ("{_excerpt(text)}")'
    if len(text) < MIN_DESCRIPTION_WIDTH and display_width(text) < MIN_DESCRIPTION_WIDTH \
            and not _SENTENCE_END.search(text):
        return f'the first paragraph is too short to describe the article ("{_excerpt(text)}")'
    return None


def _excerpt(text: str) -> str:
    return shorten(text, EXCERPT_LENGTH)


def _cut_mid_word(text: str) -> bool:
    """Whether the derived text was shortened where no space was near (see markdown.shorten)."""
    return len(text) > SUMMARY_LENGTH - 10 and text.endswith("…") and not _SPACE.search(text)


def display_width(text: str) -> int:
    """Characters, counting wide (Korean, Chinese, Japanese) ones twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _check_description(article: Article, sources: _Sources, report: Report) -> None:
    problem = description_problem(article.summary, article.title)
    if problem is None:
        return
    source = sources.get(article.source)
    if source is None or source.has_summary():
        return  # a summary given in the front matter is the editor's choice
    report.warning(article.source, source.line_of("title"),
                   f"no summary, and {problem}; add a 'summary:' line")


# --- images -----------------------------------------------------------------

def _check_images(article: Article, base_path: str, static: set[str], broken: dict[str, list[str]],
                  sources: _Sources, report: Report) -> None:
    images: list[tuple[str, bool]] = []  # (src as in the front matter or the HTML, whether from the front matter)
    if article.image is not None:
        images.append((article.image.src, True))
    body = article.body_html
    if "<img" in body or "<IMG" in body or "<Img" in body:  # a plain search is many times quicker than a regex
        images += [(html.unescape(match.group(1).strip("\"'")), False)
                    for match in _IMG_SRC.finditer(body)]
    reported: set[tuple[str, int | None]] = set()
    for src, in_front_matter in images:
        rel = static_path(src, base_path)
        if rel is None or rel in static or _already_reported(src, broken.get(article.source, ())):
            continue
        source = sources.get(article.source)
        line, written = (None, unquote(src)) if source is None else \
            source.image_line(src) if in_front_matter else source.body_line(src)
        if (written, line) in reported:
            continue
        reported.add((written, line))
        report.warning(article.source, line, f"image '{written}' not found: add static/{rel} or correct the path")


def static_path(src: str, base_path: str = "") -> str | None:
    """The static file a site-relative image URL needs, or None for a URL this check leaves alone."""
    if not src.startswith("/") or src.startswith("//"):
        return None  # external (http:, https:, //host), data:, or relative to the page
    path = src.partition("?")[0].partition("#")[0]
    if "%" in path:
        path = unquote(path)
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path):]
    if any(part in path for part in _UNUSUAL) or path.endswith("/"):
        return urls.output_path(path)
    return path[1:]  # what output_path gives for a plain file path, without its cost


def _broken_links(report: Report) -> dict[str, list[str]]:
    """The error messages already reported, by file: the link check names broken images in them."""
    by_file: dict[str, list[str]] = {}
    for diagnostic in report.items:
        if diagnostic.severity == "error":
            by_file.setdefault(diagnostic.path, []).append(unquote(diagnostic.message))
    return by_file


def _already_reported(src: str, messages: Iterable[str]) -> bool:
    needle = unquote(src)
    return any(needle in message for message in messages)


# --- titles -----------------------------------------------------------------

def normal_title(title: str) -> str:
    """A title as compared for duplicates: case and runs of whitespace ignored."""
    return " ".join(title.casefold().split())


def _check_titles(published: Iterable[Article], wanted: Callable[[str], bool] | None, sources: _Sources,
                  report: Report) -> None:
    groups: dict[str, list[Article]] = {}
    for article in published:
        groups.setdefault(normal_title(article.title), []).append(article)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda a: a.source)
        for article in group:
            if wanted is not None and not wanted(article.source):
                continue
            # The first few others stand among the group's first few: a daily column's title,
            # thousands of times over, is not gone through once per article.
            others = [other for other in group[:NAMED_DUPLICATES + 1] if other is not article][:NAMED_DUPLICATES]
            named = ", ".join(f"{other.source}:{sources.line(other.source, 'title')}" for other in others)
            left = len(group) - 1 - len(others)
            more = f" and {left} more" if left else ""
            report.warning(article.source, sources.line(article.source, "title"),
                           f"the title \"{shorten(article.title, EXCERPT_LENGTH)}\" is also the title of "
                           f"{named}{more}; give each article its own title")


# --- source lines -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Source:
    """An article file read again, to find the line of what a rule flagged."""

    document: Document

    def line_of(self, key: str) -> int:
        return self.document.line_of(key)

    def has_summary(self) -> bool:
        value = self.document.meta.get("summary")
        return value is not None and str(value).strip() != ""

    def image_line(self, src: str) -> tuple[int, str]:
        """The line of the front matter image (the one holding its path, else the `image` key's), and the path."""
        key_line = self.line_of("image")
        start = max(key_line - self.document.header_line, 0)
        found = _find(self.document.header.split("\n")[start:], src)
        return (key_line, src) if found is None else (self.document.header_line + start + found[0], found[1])

    def body_line(self, src: str) -> tuple[int | None, str]:
        """The first body line that refers to `src`, and `src` as written there."""
        found = _find(self.document.body.split("\n"), src)
        return (None, unquote(src)) if found is None else (self.document.body_line + found[0], found[1])


def _find(lines: list[str], src: str) -> tuple[int, str] | None:
    """The index of the first line holding `src` as it is, percent-decoded or HTML-escaped; and that form."""
    escaped = html.escape(src, quote=False)
    for index, text in enumerate(lines):
        for form, written in ((src, src), (unquote(src), unquote(src)), (escaped, src)):
            if form in text:
                return index, written
    return None


class _Sources:
    """Article files read again on demand, each at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.read: dict[str, _Source | None] = {}

    def get(self, rel: str) -> _Source | None:
        if rel not in self.read:
            text = read_text(self.root / rel, rel, Report())
            document = None if text is None else parse_document(text, rel, Report())
            self.read[rel] = None if document is None else _Source(document)
        return self.read[rel]

    def line(self, rel: str, key: str) -> int | None:
        source = self.get(rel)
        return None if source is None else source.line_of(key)
