"""Discover and load articles, standalone pages and reporter profiles.

Each file is loaded on its own and every problem in it is reported; a broken
file never stops the others from being read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gettimes import urls
from gettimes.config import SiteConfig, did_you_mean
from gettimes.dates import date_from_filename, parse_date
from gettimes.diagnostics import Report
from gettimes.frontmatter import Document, decode_text, load_yaml_file, parse_document, read_text
from gettimes.markdown import MarkdownRenderer, shorten
from gettimes.models import Article, Author, Category, Image, Page, Tag
from gettimes.slugs import Numbered, fallback_slug, is_safe_slug, make_slug

ARTICLES_DIR = "content/articles"
PAGES_DIR = "content/pages"
AUTHORS_FILE = "data/authors.yaml"
MARKDOWN_SUFFIXES = (".md", ".markdown")

ARTICLE_KEYS = (
    "title", "date", "updated", "category", "tags", "author", "authors", "summary",
    "image", "slug", "aliases", "draft", "featured",
)
AUTHOR_KEYS = ("name", "slug", "title", "bio", "photo", "email")


def discover(folder: Path) -> list[Path]:
    """Markdown files below `folder`, in a stable order; hidden and `_` files skipped."""
    if not folder.is_dir():
        return []
    found = [
        path for path in folder.rglob("*")
        if path.suffix in MARKDOWN_SUFFIXES and path.is_file()
        and not any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)
    ]
    return sorted(found)


def content_files(files: Iterable[str], folder: str) -> list[str]:
    """Of the site-relative `files`, those that `discover` finds in the site's `folder`."""
    prefix = folder + "/"
    start = len(prefix) - 1  # each part below `folder` then follows a "/"
    return sorted(
        rel for rel in files
        if rel.startswith(prefix) and rel.endswith(MARKDOWN_SUFFIXES)
        and "/." not in rel[start:] and "/_" not in rel[start:]
    )


@dataclass(frozen=True, slots=True)
class LoadedArticle:
    """An article as read from its file, before slugs are made unique across the site."""

    article: Article
    explicit_slug: bool
    slug_line: int
    permalink: str = "/article/{slug}/"  # to rebuild the URL if the slug gets a number


# --- reporters --------------------------------------------------------------

def load_authors(site_dir: Path, config: SiteConfig, report: Report) -> dict[str, Author]:
    """Profiles from data/authors.yaml keyed by case-folded name (a list, or a name -> profile map)."""
    path = site_dir / AUTHORS_FILE
    if not path.is_file():
        return {}
    loaded = load_yaml_file(path, AUTHORS_FILE, report)
    if loaded is None:
        return {}
    raw, text = loaded
    entries: list[tuple[Any, Any]]
    if raw is None:
        return {}
    if isinstance(raw, list):
        entries = [(None, item) for item in raw]
    elif isinstance(raw, dict):
        entries = [(name, item if isinstance(item, dict) else None) for name, item in raw.items()]
    else:
        report.error(AUTHORS_FILE, 1, "authors.yaml must be a list of reporter profiles")
        return {}
    lines = _entry_lines(text)
    authors: dict[str, Author] = {}
    for position, (key_name, item) in enumerate(entries):
        line = lines[position] if position < len(lines) else None
        if not isinstance(item, dict):
            report.error(AUTHORS_FILE, line, "each reporter is a mapping with at least a name")
            continue
        name = item.get("name", key_name)
        if not isinstance(name, str) or not name.strip():
            report.error(AUTHORS_FILE, line, "reporter profile without a 'name'")
            continue
        for key in item:
            if key not in AUTHOR_KEYS:
                report.warning(AUTHORS_FILE, line, f"unknown reporter field '{key}'"
                               f"{did_you_mean(str(key), AUTHOR_KEYS)} is ignored")
        slug = _text(item.get("slug")) or make_slug(name, config.slugs) or fallback_slug(name)
        if not is_safe_slug(slug):
            slug = make_slug(slug, config.slugs) or fallback_slug(name)
        if name.strip().casefold() in authors:
            report.error(AUTHORS_FILE, line, f"reporter '{name}' is listed twice")
            continue
        same_slug = next((a for a in authors.values() if a.slug == slug), None)
        if same_slug is not None:
            report.error(AUTHORS_FILE, line, f"reporters '{same_slug.name}' and '{name.strip()}' have the same "
                         f"slug '{slug}' (one reporter page); give one of them another 'slug'")
            continue
        authors[name.strip().casefold()] = Author(
            name=name.strip(), slug=slug, url=urls.author_url(slug),
            title=_text(item.get("title")), bio=_text(item.get("bio")),
            photo=_text(item.get("photo")), email=_text(item.get("email")),
        )
    return authors


def _entry_lines(text: str) -> list[int]:
    import yaml

    from gettimes.frontmatter import node_line, yaml_node_lines
    root = yaml_node_lines(text)
    if isinstance(root, yaml.SequenceNode):
        return [node_line(text, node) for node in root.value]
    if isinstance(root, yaml.MappingNode):
        return [node_line(text, key) for key, _ in root.value]
    return []


def _text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip() if isinstance(value, str | int | float) else ""


# --- articles ---------------------------------------------------------------

class ArticleLoader:
    """Turns one article file into an `Article`, reporting each problem with its line."""

    def __init__(self, site_dir: Path, config: SiteConfig, authors: Mapping[str, Author]) -> None:
        self.site_dir = site_dir
        self.config = config
        self.authors = authors
        self.markdown = MarkdownRenderer(config.markdown_html)
        # The same names recur in thousands of articles, and slugifying one costs more than
        # the rest of a tag: each tag, category and unlisted reporter is made once.
        self._tags: dict[str, Tag] = {}
        self._categories: dict[str, Category] = {}
        self._unlisted: dict[str, Author] = {}

    def tag(self, name: str) -> Tag:
        tag = self._tags.get(name)
        if tag is None:
            slug = make_slug(name, self.config.slugs) or fallback_slug(name)
            tag = self._tags[name] = Tag(name, slug, urls.tag_url(slug))
        return tag

    def category(self, name: str) -> Category | None:
        """The configured category called `name`, None if there is none."""
        category = self._categories.get(name)
        if category is None:
            found = self.config.category_named(name)
            if found is None:
                return None
            category = self._categories[name] = Category(found.name, found.slug, urls.category_url(found.slug))
        return category

    def reporter(self, name: str) -> Author:
        """The reporter called `name`: their profile, or one made from the name alone."""
        known = self.authors.get(name.casefold())
        if known is not None:
            return known
        unlisted = self._unlisted.get(name)
        if unlisted is None:
            slug = make_slug(name, self.config.slugs) or fallback_slug(name)
            unlisted = self._unlisted[name] = Author(name, slug, urls.author_url(slug), known=False)
        return unlisted

    def load(self, path: Path, report: Report) -> LoadedArticle | None:
        rel = path.relative_to(self.site_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.error(rel, None, f"cannot read file: {exc.strerror}")
            return None
        return self.load_bytes(rel, data, report)

    def load_bytes(self, rel: str, data: bytes, report: Report) -> LoadedArticle | None:
        """Load an article from the bytes of its file at `rel` (site-relative)."""
        text = decode_text(data, rel, report)
        if text is None:
            return None
        document = parse_document(text, rel, report)
        if document is None:
            return None
        return _ArticleFields(self, document, rel.rsplit("/", 1)[-1], report).build()


class _ArticleFields:
    """Validation of one article's front matter; `ok` turns False on the first error."""

    def __init__(self, loader: ArticleLoader, document: Document, filename: str, report: Report) -> None:
        self.loader = loader
        self.config = loader.config
        self.doc = document
        self.meta = document.meta
        self.filename = filename
        self.report = report
        self.ok = True

    def error(self, key: str, message: str) -> None:
        self.ok = False
        self.report.error(self.doc.rel, self.doc.line_of(key), message)

    def missing(self, key: str, message: str) -> None:
        typo = did_you_mean(key, [k for k in self.meta if k not in ARTICLE_KEYS])
        hint = typo.replace("did you mean", "found") if typo else ""
        self.ok = False
        self.report.error(self.doc.rel, max(self.doc.header_line - 1, 1), message + hint)

    def text(self, key: str, required: bool = False) -> str:
        value = self.meta.get(key)
        if value is None or value == "":
            if required:
                self.missing(key, f"'{key}' is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"'{key}' must be text (put it in quotes)")
            return ""
        return str(value).strip()

    def flag(self, key: str) -> bool:
        value = self.meta.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false")
            return False
        return value

    def date(self, key: str) -> datetime | None:
        value = self.meta.get(key)
        if value is None or value == "":
            return None
        moment = parse_date(value, self.config.timezone)
        if moment is None:
            self.error(key, f"'{key}' is not a date: '{value}' (use 2025-06-23 or 2025-06-23 17:05:06+09:00)")
        return moment

    def names(self, key: str) -> list[str]:
        """A list of names given as a YAML list or a comma-separated string."""
        value = self.meta.get(key)
        if value is None or value == "":
            return []
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list) or not all(
            isinstance(i, str | int | float) and not isinstance(i, bool) for i in items
        ):
            self.error(key, f"'{key}' must be a list of names or a comma-separated text")
            return []
        return [str(item).strip() for item in items if str(item).strip()]

    def build(self) -> LoadedArticle | None:
        config = self.config
        title = self.text("title", required=True)
        published = self.date("date")
        if published is None and self.meta.get("date") in (None, ""):  # absent or left empty
            from_name = date_from_filename(self.filename)
            published = parse_date(from_name, config.timezone) if from_name else None
            if published is None:
                self.missing("date", "'date' is required (e.g. date: 2025-06-23 17:05:06+09:00)")
        updated = self.date("updated")
        category = self._category()
        tags = self._tags()
        authors = self._authors()
        image = self._image()
        aliases = self._aliases()
        draft = self.flag("draft")
        featured = self.flag("featured")
        summary = self.text("summary")
        lang = self.text("lang")
        explicit = self.text("slug")
        slug = self._slug(explicit, title)
        if not self.ok or published is None or category is None:
            return None
        rendered = self.loader.markdown.render(self.doc.body)
        extra = {k: v for k, v in self.meta.items() if k not in ARTICLE_KEYS}
        article = Article(
            source=self.doc.rel, slug=slug,
            url=urls.article_url(config.article_permalink, slug, published, category.slug),
            title=title, date=published, category=category, body_html=rendered.html,
            summary=shorten(summary) if summary else rendered.summary,
            updated=updated, tags=tags, authors=authors, image=image, aliases=aliases,
            draft=draft, featured=featured, lang=lang, meta=MappingProxyType(extra),
        )
        return LoadedArticle(article, bool(explicit), self.doc.line_of("slug"), config.article_permalink)

    def _category(self) -> Category | None:
        name = self.text("category", required=True)
        if not name:
            return None
        found = self.loader.category(name)
        if found is None:
            names = [c.name for c in self.config.categories]
            self.error("category", f"unknown category '{name}'{did_you_mean(name, names)}; "
                       f"the categories are: {', '.join(names)}")
        return found

    def _tags(self) -> tuple[Tag, ...]:
        tags: dict[str, Tag] = {}
        for name in self.names("tags"):
            tag = self.loader.tag(name)
            tags.setdefault(tag.slug, tag)
        return tuple(tags.values())

    def _authors(self) -> tuple[Author, ...]:
        if "author" in self.meta and "authors" in self.meta:
            self.error("authors", "use either 'author' or 'authors', not both")
            return ()
        key = "authors" if "authors" in self.meta else "author"
        value = self.meta.get(key)
        # `author:` holds one name, even one with a comma in it.
        names = [value.strip()] if key == "author" and isinstance(value, str) else self.names(key)
        result: list[Author] = []
        for name in filter(None, names):
            reporter = self.loader.reporter(name)
            if all(other.slug != reporter.slug for other in result):  # one reporter, one page, once
                result.append(reporter)
        return tuple(result)

    def _image(self) -> Image | None:
        value = self.meta.get("image")
        if value is None or isinstance(value, str) and not value.strip():
            return None
        caption = _text(self.meta.get("image_caption"))
        if isinstance(value, str):
            return Image(value.strip(), alt="", caption=caption)
        if isinstance(value, dict) and isinstance(value.get("src"), str) and value["src"].strip():
            return Image(value["src"].strip(), _text(value.get("alt")),
                         _text(value.get("caption")) or caption, _text(value.get("credit")))
        self.error("image", "'image' must be a path or a mapping with src, alt, caption, credit")
        return None

    def _aliases(self) -> tuple[str, ...]:
        value = self.meta.get("aliases")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.error("aliases", "'aliases' must be a list of earlier URL paths such as /old/url/")
            return ()
        result = []
        for alias in items:
            alias = alias.strip()
            if urls.output_path(alias) is None or alias == "/":
                self.error("aliases", f"alias '{alias}' must be a path on this site starting with '/'")
                continue
            if "." not in alias.rsplit("/", 1)[-1] and not alias.endswith("/"):
                alias += "/"  # /old/story is served from /old/story/index.html, as Hugo does
            result.append(alias)
        return tuple(result)

    def _slug(self, explicit: str, title: str) -> str:
        style = self.config.slugs
        if explicit:
            if is_safe_slug(explicit):
                return explicit
            cleaned = make_slug(explicit, style) or fallback_slug(explicit)
            self.report.warning(self.doc.rel, self.doc.line_of("slug"),
                                f"slug '{explicit}' is not a single URL segment; using '{cleaned}'")
            return cleaned
        stem = Path(self.filename).stem
        return make_slug(title, style) or make_slug(stem, style) or fallback_slug(title or stem)


def assign_unique_slugs(loaded: Iterable[LoadedArticle], report: Report) -> list[Article]:
    """Refuse duplicate explicit slugs; number colliding derived slugs -2, -3 in date order."""
    items = sorted(loaded, key=lambda item: (item.article.date, item.article.source))
    taken: dict[str, LoadedArticle] = {}
    for item in items:
        if not item.explicit_slug:
            continue
        other = taken.get(item.article.slug)
        if other is not None:
            report.error(item.article.source, item.slug_line,
                         f"slug '{item.article.slug}' is also used by {other.article.source}")
        else:
            taken[item.article.slug] = item
    result: list[Article] = []
    numbered = Numbered(2, set(taken))
    for item in items:
        article = item.article
        if item.explicit_slug:
            result.append(article)
            continue
        slug = numbered.take(article.slug)
        if slug != article.slug:
            owner = taken[article.slug].article.source
            report.warning(article.source, None,
                           f"the slug '{article.slug}' is already used by {owner}; "
                           f"this article is published at '{slug}' (set 'slug:' to choose)")
            url = urls.article_url(item.permalink, slug, article.date, article.category.slug)
            article = dataclasses.replace(article, slug=slug, url=url)
        taken[slug] = item
        result.append(article)
    return result


# --- standalone pages --------------------------------------------------------

def load_page(path: Path, site_dir: Path, markdown: MarkdownRenderer, report: Report) -> Page | None:
    rel = path.relative_to(site_dir).as_posix()
    text = read_text(path, rel, report)
    if text is None:
        return None
    document = parse_document(text, rel, report)
    if document is None:
        return None
    title = document.meta.get("title")
    ok = True
    if not isinstance(title, str | int | float) or isinstance(title, bool) or not str(title).strip():
        report.error(rel, document.line_of("title"), "'title' is required and must be text")
        ok = False
    slug = document.meta.get("slug", path.stem)
    if not isinstance(slug, str) or not is_safe_slug(slug.strip("/")):
        report.error(rel, document.line_of("slug"), f"slug '{slug}' must be a single URL segment")
        ok = False
    elif slug.strip("/").casefold() in urls.RESERVED_SLUGS:
        report.error(rel, document.line_of("slug"),
                     f"slug '{slug}' is a built-in path of the site; choose another slug")
        ok = False
    if not ok:
        return None
    slug = str(slug).strip("/")
    rendered = markdown.render(document.body)
    extra = {k: v for k, v in document.meta.items() if k not in ("title", "slug")}
    summary = _text(document.meta.get("summary")) or rendered.summary
    return Page(rel, slug, urls.page_url(slug), str(title).strip(), rendered.html,
                summary, MappingProxyType(extra))
