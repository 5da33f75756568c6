"""Jinja rendering: the template environment, the plan of pages, and rendering one page.

A site's `templates/` folder overrides the built-in theme file by file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import CodeType, MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2 import meta, nodes
from jinja2.bccache import Bucket
from jinja2.runtime import Macro
from jinja2.utils import missing
from markupsafe import Markup

try:
    from markupsafe._speedups import _escape_inner
    _PLAIN_ESCAPE = True
except ImportError:  # markupsafe before 3.0, or without its C part: templates print as Jinja does
    _PLAIN_ESCAPE = False

from gettimes import urls
from gettimes.cache import CACHE_DIR, digest
from gettimes.config import SiteConfig
from gettimes.diagnostics import Report
from gettimes.feeds import atom_feed_url, listing_feed_url, site_feed_url
from gettimes.i18n import Translator
from gettimes.index import SiteIndex, paginate
from gettimes.models import Article, Author, Category, Page, Tag

THEME_DIR = Path(__file__).parent / "theme"
TEMPLATE_NAMES = (
    "base.html", "home.html", "article.html", "category.html", "tag.html", "author.html",
    "articles.html", "page.html", "search.html", "404.html", "redirect.html",
)
HOME_SECTION_SIZE = 4
# Partials that draw the same HTML on every page: rendered once per build and given to every
# template as ready HTML under these names (a partial that reads page variables is drawn per page).
BUILD_PARTIALS = (("topbar_html", "_topbar.html"), ("sidebar_html", "_sidebar.html"), ("footer_html", "_footer.html"))
# Macros of `_macros.html` called with the same arguments on many pages (an article in lists and
# related articles, the search form, ad slots): each draws once per arguments in a build.
REUSED_MACROS = ("article_item", "search_form", "ad_slot", "section_links")
MAX_REUSED = 50_000  # drawings kept per macro, up to about 1 KB each


@dataclass(frozen=True, slots=True)
class SiteView:
    """The `site` object every template receives: configuration and navigation."""

    config: SiteConfig
    title: str
    base_url: str
    base_path: str
    language: str
    description: str
    publisher: Mapping[str, Any]
    params: Mapping[str, Any]
    categories: tuple[Category, ...]
    pages: tuple[Page, ...]
    search: bool
    feed_url: str  # the site's RSS feed; "" when `feeds.site` is off
    atom_url: str  # the site's Atom feed; "" when `feeds.atom` is off
    edition: datetime | None  # the newest article's date: the edition shown in the top bar


@dataclass(frozen=True, slots=True)
class PageJob:
    """One output page: where it goes, which template draws it, with what."""

    url: str
    path: str  # output-relative file
    template: str
    source: str  # what it comes from, for collision messages
    context: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


COMPILED_PREFIX = "templates-"  # folders of compiled templates in the build cache, one per key


def _escape_printed(value: Any) -> str:
    """markupsafe's `escape` for a value a template prints: the same text, as a plain string."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        html = value.__html__()
        return html if isinstance(html, str) else str(html)
    return _escape_inner(str(value))


class _Template(jinja2.Template):
    """A template that escapes what it prints without making a `Markup` of each value.

    Jinja compiles `{{ value }}` to `escape(value)`, markupsafe's function, whose result
    goes straight into the page's text. Making that `Markup` object, in Python, was a
    tenth of rendering an article page. The compiled code looks `escape` up in the
    module it was run in, and prints with it alone.
    """

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        if _PLAIN_ESCAPE:
            template.root_render_func.__globals__["escape"] = _escape_printed
        return template


class _Context(jinja2.runtime.Context):
    """A template context that calls macros without Jinja's general call machinery.

    Jinja calls every macro through `Context.call`, then `Macro.__call__`, which works
    out the arguments before calling the macro's function: a few microseconds a call,
    and a listing page calls `article_item` twenty times. A macro without `caller`,
    `varargs` or `kwargs`, given known arguments, gets them here the same way: those
    given by position, then each other by name, or `missing` (for its default).
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own names
        if type(__obj) is Macro and not (__obj.caller or __obj.catch_kwargs or __obj.catch_varargs):
            kwargs.pop("_loop_vars", None)  # what a call in a loop or block passes along: for
            kwargs.pop("_block_vars", None)  # functions that take the context, which a macro does not
            named = __obj.arguments[len(args):]
            if len(args) <= __obj._argument_count and all(name in named for name in kwargs):
                try:
                    html = __obj._func(*args, *[kwargs.get(name, missing) for name in named])
                except StopIteration:  # as Context.call words it
                    return __self.environment.undefined("value was undefined because a callable raised a"
                                                        " StopIteration exception")
                return Markup(html) if __self.eval_ctx.autoescape else html
        return super().call(__obj, *args, **kwargs)


class _Environment(jinja2.Environment):
    template_class = _Template
    context_class = _Context

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A plain dict of the globals, not Jinja's live `ChainMap` over the environment's.

        Each `{% from ... import %}` compares the importing page's globals with the module's,
        which a `ChainMap` makes a loop in Python. The globals are all set before the first
        template loads (`make_environment`)."""
        return {**self.globals, **(d or {})}


def make_environment(site_dir: Path, config: SiteConfig,
                     compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    """The Jinja environment of a site; with `compiled`, templates compiled by an earlier build are reused."""
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(site_dir / "templates"),
        jinja2.FileSystemLoader(THEME_DIR / "templates"),
    ])
    env = _Environment(
        loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=False, bytecode_cache=compiled,
    )
    translate = Translator(config.language)
    base_path = urlsplit(config.base_url).path.rstrip("/")
    env.globals["t"] = translate
    # The theme writes `'key' | t`: with a constant key, Jinja looks the string up once, when it compiles.
    # So do `'/x' | url` and the other filters given constants: what a template compiles to depends on
    # the configuration, which is why compiled templates are kept per configuration (`compiled_folder`).
    env.filters["t"] = translate
    env.filters["date"] = translate.date
    env.filters["datetime"] = translate.full
    env.filters["short"] = translate.short
    env.filters["edition"] = translate.edition
    env.filters["isodate"] = lambda moment: moment.isoformat()
    env.filters["url"] = lambda url: base_path + url if url.startswith("/") and not url.startswith("//") \
        else url
    env.filters["absolute"] = lambda url: urls.absolute(config.base_url, url)
    env.filters["page_url"] = urls.paged
    env.tests["startingwith"] = lambda text, prefix: text.startswith(prefix)  # cheaper than calling the method
    env.filters["urlencode"] = urlencode
    return env


def compiled_folder(site_dir: Path, config: SiteConfig, code: str) -> Path:
    """Where compiled templates are kept for this configuration: `.gettimes-cache/templates-KEY/`.

    Jinja compiles each template to Python code once its source is known, and folds
    filters given constants into that code (`'key' | t` becomes the translated text,
    `'/x' | url` the path under base_url). So the key covers everything compiled code
    can depend on besides the template's own source (which Jinja checks itself):
    gettimes' code and strings (`code`, freshness.package_digest), Jinja's version,
    Python's, and the configuration.
    """
    key = digest(code, jinja2.__version__, sys.version, repr(config))
    return site_dir / CACHE_DIR / f"{COMPILED_PREFIX}{key}"


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's bytecode cache in one folder of the build cache; damaged or missing files are compiled anew.

    Templates compiled during a build are written by `save`, which a build calls only
    once it has succeeded (a failed build writes nothing); it also removes the folders
    of other keys (an earlier configuration or gettimes version).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = (self.folder / f"{bucket.key}.code").read_bytes()
        except OSError:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # noqa: BLE001 - truncated or foreign: compile the template again
            bucket.reset()
        if not isinstance(bucket.code, CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()

    def save(self) -> None:
        """Write the templates compiled since the last save; a failure only costs compiling them again."""
        compiled, self._compiled = self._compiled, {}
        if not compiled:
            return
        with contextlib.suppress(OSError):
            self._make_folder()
            for key, data in compiled.items():
                target = self.folder / f"{key}.code"
                temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
                temporary.write_bytes(data)
                os.replace(temporary, target)

    def _make_folder(self) -> None:
        cache = self.folder.parent
        cache.mkdir(exist_ok=True)
        ignore = cache / ".gitignore"
        if not ignore.is_file():
            ignore.write_text("*\n", encoding="utf-8")
        for other in cache.glob(f"{COMPILED_PREFIX}*"):
            if other.is_dir() and not other.is_symlink():
                if other != self.folder:
                    shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink()
        self.folder.mkdir(exist_ok=True)


_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


class _PercentEncoded(dict[int, str]):
    """A code point -> the character as Jinja's `urlencode` writes it: itself, or its UTF-8 bytes as %XX."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = text = char if char in _URL_SAFE else "".join(f"%{byte:02X}" for byte in char.encode())
        return text


_PERCENT_ENCODED = _PercentEncoded()


def urlencode(value: Any) -> str:
    """Jinja's `urlencode` filter, in a quicker way for a string (article pages quote their URL and title)."""
    if isinstance(value, str):
        return str.translate(value, _PERCENT_ENCODED)
    quoted: str = jinja2.filters.do_urlencode(value)
    return quoted


def check_templates(env: jinja2.Environment, site_dir: Path, report: Report) -> None:
    """Compile every theme template (and any site template) so syntax errors show up at once.

    Partials too, so that a build compiles every template in this process, where the
    build keeps them compiled (`CompiledTemplates`), not in its worker processes."""
    names = set(TEMPLATE_NAMES)
    names.update(p.relative_to(THEME_DIR / "templates").as_posix() for p in (THEME_DIR / "templates").rglob("*.html"))
    own = site_dir / "templates"
    if own.is_dir():
        names.update(p.relative_to(own).as_posix() for p in own.rglob("*.html"))
    for name in sorted(names):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            report.error(_template_path(site_dir, exc.filename or name), exc.lineno,
                         f"template syntax error: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            report.error("templates/" + name, None, f"template not found: {exc.name}")
        except UnicodeDecodeError as exc:  # the theme's templates are UTF-8: this is the site's own
            line = exc.object.count(b"\n", 0, exc.start) + 1
            report.error("templates/" + name, line, "file is not valid UTF-8; save it with UTF-8 encoding")


def parse_templates(env: jinja2.Environment) -> None:
    """Find out now what every template reads (kept by source text in this process), which the
    build partials and `page_reads` need. A first build does it while its worker processes load
    the articles; `gettimes serve` runs each build in a child started before the save, which
    does it while it waits."""
    for name in env.list_templates():
        _reads_of(env, name)


def _template_path(site_dir: Path, filename: str) -> str:
    path = Path(filename)
    for root, prefix in ((site_dir / "templates", "templates/"), (THEME_DIR / "templates", "theme:")):
        try:
            return prefix + path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return filename


def site_view(config: SiteConfig, index: SiteIndex) -> SiteView:
    return SiteView(
        config=config, title=config.title, base_url=config.base_url,
        base_path=urlsplit(config.base_url).path.rstrip("/"), language=config.language,
        description=config.description, publisher=config.publisher, params=config.params,
        categories=tuple(section.category for section in index.categories),
        pages=index.pages, search=config.search, feed_url=site_feed_url(config), atom_url=atom_feed_url(config),
        edition=index.articles[0].date if index.articles else None,
    )


def plan_pages(config: SiteConfig, index: SiteIndex) -> Iterator[PageJob]:
    """Every HTML page of the site, in a stable order."""
    per_page = config.paginate
    yield PageJob(urls.HOME_URL, "index.html", "home.html", "home", MappingProxyType({
        "articles": index.articles[:per_page],
        "lead": index.articles[0] if index.articles else None,
        "sections": tuple((s.category, s.articles[:HOME_SECTION_SIZE])
                          for s in index.categories if s.articles),
    }))
    for article in index.articles:
        neighbours = index.neighbours.get(article.url)
        yield _job(article.url, "article.html", article.source, {
            "article": article,
            "previous": neighbours.previous if neighbours else None,
            "next": neighbours.next if neighbours else None,
            "related": tuple(index.related(article)),
            "feed_url": listing_feed_url(config, "category", article.category.url),
            # Its own reporters' part of author_most_read: a page that shows one reporter's
            # list changes with that list alone, not with every reporter's.
            "most_read_by": {author.slug: index.author_most_read[author.slug]
                             for author in article.authors if author.slug in index.author_most_read},
        })
    for section in index.categories:
        yield from _listing(section.category.url, "category.html", "category",
                            section.category, section.articles, per_page, config)
    for tag_section in index.tags:
        yield from _listing(tag_section.tag.url, "tag.html", "tag",
                            tag_section.tag, tag_section.articles, per_page, config)
    for author_section in index.authors:
        yield from _listing(author_section.author.url, "author.html", "author",
                            author_section.author, author_section.articles, per_page, config)
    yield from _listing(urls.ARTICLES_URL, "articles.html", "articles", None, index.articles, per_page, config)
    for page in index.pages:
        yield _job(page.url, "page.html", page.source, {"page": page})
    if config.search:
        yield _job(urls.SEARCH_URL, "search.html", "search", {})
    yield PageJob(urls.NOT_FOUND_URL, "404.html", "404.html", "404", MappingProxyType({
        "articles": index.articles[:5],
    }))
    for article in index.articles:
        for alias in article.aliases:
            yield _job(alias, "redirect.html", article.source, {"target": article})


def _job(url: str, template: str, source: str, context: dict[str, Any]) -> PageJob:
    path = urls.output_path(url)
    if path is None:  # content validation refuses such URLs; this guards the writer
        raise ValueError(f"unsafe URL {url!r} from {source}")
    return PageJob(url, path, template, source, MappingProxyType(context))


def _listing(base_url: str, template: str, key: str, subject: object,
             articles: tuple[Article, ...], per_page: int, config: SiteConfig) -> Iterator[PageJob]:
    for pagination, items in paginate(articles, per_page, base_url):
        context: dict[str, Any] = {"articles": items, "pagination": pagination}
        if subject is not None:
            context[key] = subject
            context["feed_url"] = listing_feed_url(config, key, base_url)  # its feed; "" when off
        yield _job(pagination.url, template, f"{key} {base_url}", context)


class PageRenderer:
    """Renders `PageJob`s with the context every template shares.

    It is made once per build, before any worker process starts, so what it prepares
    here (the build partials) is prepared once. Each process then keeps the list items
    it draws (`REUSED_MACROS`) for the pages it renders.
    """

    def __init__(self, env: jinja2.Environment, site_dir: Path, config: SiteConfig,
                 index: SiteIndex, now: datetime) -> None:
        self.env = env
        self.site_dir = site_dir
        self.config = config
        self.articles = index.articles  # the published articles, which the pages show
        self.shared: dict[str, Any] = {
            "site": site_view(config, index),
            "now": now,
            "most_viewed": index.most_viewed,
            "weekly_hot": index.weekly_hot,
            "hot_issue": index.hot_issue,
            "author_most_read": index.author_most_read,
        }
        _reuse_drawings(env)
        self.partials: dict[str, Markup] = {}
        self.page_partials: dict[str, str] = {}
        for key, name in BUILD_PARTIALS:
            html = self._render_once(name)
            if html is None:
                self.page_partials[key] = name
            else:
                self.partials[key] = html

    def partials_digest(self) -> str:
        """A digest of the build partials' HTML: pages written with the same one hold the same partials."""
        return digest(*(f"{key}\0{html}" for key, html in sorted(self.partials.items())))

    def page_reads(self) -> PageReads:
        """What of the shared context the pages read, other than through the build partials.

        A build partial drawn once is read by no page: its HTML is (`partials`). That holds
        unless another template passes its context to it (includes it, say): it is then
        read like any other template.
        """
        once = {name for key, name in BUILD_PARTIALS if key in self.partials}
        found = {}
        for name in self.env.list_templates():
            reads = _reads_of(self.env, name)
            if reads is None:
                return PageReads(frozenset(self.shared), None)
            found[name] = reads
        passed = {other for reads in found.values() for other in reads.uses}
        if None in passed:
            once = set()  # a template name computed while rendering: any template may be passed a context
        once -= passed
        names: set[str] = set()
        fields = _FieldReads()
        macros: dict[tuple[str, int], _FieldReads] = {}
        for reads in found.values():
            for key, read in reads.macro_params.items():
                macros[key] = macros.get(key, _FieldReads()).merged(read)
        for name, reads in found.items():
            if name in once:
                continue
            names |= reads.names
            fields = fields.merged(reads.site)
        # `site` handed to a macro counts by what the macro reads of that parameter (one level deep).
        handed = [macros.get(call, _WHOLE) for call in fields.passed]
        for read in handed:
            fields = fields.merged(read)
        site_fields = None if fields.whole or any(read.passed for read in handed) else fields.fields
        return PageReads(frozenset(names & set(self.shared)), site_fields)

    def render(self, job: PageJob, report: Report) -> bytes | None:
        try:
            template = self.env.get_template(job.template)
            context = {**self.shared, **self.partials, **job.context, "page_url": job.url,
                       "pagination": job.context.get("pagination")}
            for key, name in self.page_partials.items():
                context[key] = _PagePartial(self.env.get_template(name), context)
            html = template.render(context)
        except jinja2.TemplateError as exc:
            self._report(exc, job, report)
            return None
        except Exception as exc:  # a template calling something wrongly: report, don't crash
            self._report(exc, job, report)
            return None
        return html.encode("utf-8")

    def _render_once(self, name: str) -> Markup | None:
        """The partial drawn with the shared context, or None if it may read a page's own variables."""
        if not _reads_only(self.env, name, {*self.shared, *self.env.globals}, set()):
            return None
        try:
            return Markup(self.env.get_template(name).render(self.shared))
        except Exception:  # drawn per page instead, where the page reports the error
            return None

    def _report(self, exc: Exception, job: PageJob, report: Report) -> None:
        path, line = self._template_location(exc, job.template)
        report.error(path, line, f"while rendering {job.url} ({job.source}): "
                     f"{type(exc).__name__}: {exc}")

    def _template_location(self, exc: Exception, template: str) -> tuple[str, int | None]:
        if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
            return _template_path(self.site_dir, exc.filename), exc.lineno
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".html"):
                return _template_path(self.site_dir, frame.filename), frame.lineno
        return "templates/" + template, None


def _reuse_drawings(env: jinja2.Environment) -> None:
    """Make the `REUSED_MACROS` of the (possibly overridden) `_macros.html` keep what they draw.

    Every template imports its macros from the one module the environment keeps, so every
    page calls the same `Macro` objects. A macro sees only its arguments and the globals, so
    the same arguments give the same HTML.
    """
    try:
        module = env.get_template("_macros.html").module
    except Exception:  # missing or broken: the pages that import it report that
        return
    for name in REUSED_MACROS:
        macro = getattr(module, name, None)
        draw = getattr(macro, "_func", None)  # what a Macro calls with all its arguments, in order
        if isinstance(macro, Macro) and callable(draw) and not isinstance(draw, _Drawings):
            macro._func = _Drawings(draw)


_BY_VALUE = (bool, str, type(None))  # not int: True == 1, yet they print differently
_BY_IDENTITY = (Article, Category, Tag, Author, Page)  # frozen, and alive for the whole build


class _Drawings:
    """A macro's function, keeping its HTML per arguments: strings, flags and the site's objects."""

    def __init__(self, draw: Callable[..., str]) -> None:
        self.draw = draw
        self.kept: dict[tuple[object, ...], tuple[tuple[Any, ...], str]] = {}

    def __call__(self, *arguments: Any) -> str:
        key = []
        for value in arguments:
            if type(value) in _BY_VALUE or value is missing:
                key.append(value)
            elif type(value) in _BY_IDENTITY or type(value) is SiteView:
                key.append(id(value))
            else:  # a list, a mapping, a template's own object: could change, so drawn every time
                return self.draw(*arguments)
        kept = self.kept.get(tuple(key))
        if kept is None:
            kept = arguments, self.draw(*arguments)  # holding the arguments keeps their ids from being reused
            if len(self.kept) < MAX_REUSED:
                self.kept[tuple(key)] = kept
        return kept[1]


@dataclass(frozen=True, slots=True)
class _PagePartial:
    """A build partial that reads page variables: drawn with the page's context when printed."""

    template: jinja2.Template
    context: Mapping[str, Any]

    def __html__(self) -> str:
        return self.template.render(self.context)

    def __str__(self) -> str:
        return self.__html__()


def _reads_only(env: jinja2.Environment, name: str, names: set[str], seen: set[str]) -> bool:
    """Whether template `name`, and every template it passes its context to, reads only `names`."""
    if name in seen:
        return True
    seen.add(name)
    reads = _reads_of(env, name)
    if reads is None:
        return False
    return reads.names <= names and all(other is not None and _reads_only(env, other, names, seen)
                                        for other in reads.uses)


@dataclass(frozen=True, slots=True)
class PageReads:
    """What pages read of the shared context: its names, and of `site` the fields (None: maybe all)."""

    names: frozenset[str]
    site_fields: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class _FieldReads:
    """How a template uses one variable: the fields it reads of it, the macros it hands it to
    (name, argument position), and whether it uses it otherwise (so maybe all of it)."""

    fields: frozenset[str] = frozenset()
    passed: frozenset[tuple[str, int]] = frozenset()
    whole: bool = False

    def merged(self, other: _FieldReads) -> _FieldReads:
        return _FieldReads(self.fields | other.fields, self.passed | other.passed, self.whole or other.whole)


_WHOLE = _FieldReads(whole=True)


@dataclass(frozen=True, slots=True)
class _TemplateReads:
    names: frozenset[str]  # the variables it reads from its context
    uses: tuple[str | None, ...]  # the templates it passes its context to; None: computed at run time
    site: _FieldReads  # how it uses `site`
    macro_params: Mapping[tuple[str, int], _FieldReads]  # how its macros use each parameter


_NAMES_IN: dict[str, _TemplateReads] = {}


def _reads_of(env: jinja2.Environment, name: str) -> _TemplateReads | None:
    """What template `name` reads (`_names_in`); None when it cannot be read as a template: a
    syntax error, or a file that is no UTF-8 text (check_templates reports those pages use)."""
    if env.loader is None:
        return None
    try:
        return _names_in(env, env.loader.get_source(env, name)[0])
    except (jinja2.TemplateError, UnicodeDecodeError):
        return None


def _names_in(env: jinja2.Environment, source: str) -> _TemplateReads:
    """What a template reads from its context, and the templates it passes that context to.

    Those are the templates it includes or extends, and those it imports `with context`; a plain
    import sees only the globals, so what it reads cannot differ from page to page. Kept by
    source text: parsing is slow, and `gettimes serve` rebuilds often with the same templates.
    """
    found = _NAMES_IN.get(source)
    if found is None:
        ast = env.parse(source)
        uses: list[str | None] = []
        for node in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            if isinstance(node, nodes.Extends | nodes.Include) or (
                    isinstance(node, nodes.Import | nodes.FromImport) and node.with_context):
                uses.extend(_template_names(node.template))
        found = _TemplateReads(frozenset(meta.find_undeclared_variables(ast)), tuple(uses), _field_reads(ast, "site"),
                               MappingProxyType(_macro_params(ast)))
        if len(_NAMES_IN) >= 64:
            _NAMES_IN.clear()
        _NAMES_IN[source] = found
    return found


def _field_reads(tree: nodes.Node, name: str) -> _FieldReads:
    """How the nodes below `tree` use the variable `name`: `name.field`, `macro(name)`, or otherwise."""
    fields = {node for node in tree.find_all(nodes.Getattr)
              if isinstance(node.node, nodes.Name) and node.node.name == name}
    passed = set()
    accounted = {id(node.node) for node in fields}
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name):
            for position, argument in enumerate(call.args):
                if isinstance(argument, nodes.Name) and argument.name == name:
                    passed.add((call.node.name, position))
                    accounted.add(id(argument))
    whole = any(node.name == name and node.ctx != "param" and id(node) not in accounted
                for node in tree.find_all(nodes.Name))
    return _FieldReads(frozenset(node.attr for node in fields), frozenset(passed), whole)


def _macro_params(ast: nodes.Template) -> dict[tuple[str, int], _FieldReads]:
    """For each macro defined in the template, how it uses each of its parameters."""
    found = {}
    for macro in ast.find_all(nodes.Macro):
        for position, parameter in enumerate(macro.args):
            found[(macro.name, position)] = _field_reads(nodes.Template(macro.body), parameter.name)
    return found


def _template_names(template: nodes.Expr) -> list[str | None]:
    """The names in `{% include "a.html" %}`, `{% include ["a.html", "b.html"] %}`; None if computed."""
    if isinstance(template, nodes.Const):
        values = template.value if isinstance(template.value, list | tuple) else [template.value]
    elif isinstance(template, nodes.Tuple | nodes.List):
        values = [item.value if isinstance(item, nodes.Const) else None for item in template.items]
    else:
        values = [None]
    return [value if isinstance(value, str) else None for value in values]
