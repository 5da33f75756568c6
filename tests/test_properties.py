"""Properties that hold for any input: loading never raises, slugs and paths stay safe, output is deterministic."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASIC_CONFIG, FIXED_NOW
from gettimes import urls
from gettimes.config import SiteConfig, load_config
from gettimes.content import ARTICLE_KEYS, ArticleLoader, LoadedArticle, assign_unique_slugs
from gettimes.diagnostics import Report
from gettimes.index import PublishRules, build_index, paginate
from gettimes.models import Article
from gettimes.slugs import fallback_slug, is_safe_slug, make_slug

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each example of the site-wide properties writes and loads several files.
SITE_SETTINGS = settings(SETTINGS, max_examples=100)
REL = "content/articles/story.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ArticleLoader]]:
    root = tmp_path_factory.mktemp("site")
    (root / "gettimes.yaml").write_text(BASIC_CONFIG, encoding="utf-8")
    (root / "content/articles").mkdir(parents=True)
    report = Report()
    config = load_config(root, report)
    assert config is not None
    yield root, ArticleLoader(root, config, {})


def _lines(data: bytes) -> int:
    """How many lines an editor shows for the file (any of the three line endings)."""
    return len(re.split(rb"\r\n|\r|\n", data))


def _load(site: tuple[Path, ArticleLoader], data: bytes) -> tuple[LoadedArticle | None, Report]:
    root, loader = site
    (root / REL).write_bytes(data)
    report = Report()
    return loader.load(root / REL, report), report


def _check_diagnostics(data: bytes, loaded: LoadedArticle | None, report: Report) -> None:
    for diagnostic in report:
        assert diagnostic.path == REL
        assert diagnostic.line is not None and 1 <= diagnostic.line <= _lines(data), (diagnostic, data)
        assert diagnostic.message.strip()
    if loaded is None:
        assert report.errors, "an article that is not loaded must say why"
    else:
        assert not report.errors
        _check_article(loaded.article)


def _check_article(article: Article) -> None:
    assert article.slug and is_safe_slug(article.slug), article.slug
    assert urls.output_path(article.url) is not None
    assert article.date.tzinfo is not None
    assert all(is_safe_slug(tag.slug) for tag in article.tags)
    assert all(is_safe_slug(author.slug) for author in article.authors)
    assert all(urls.output_path(alias) not in (None, "index.html") for alias in article.aliases)


# --- strategies --------------------------------------------------------------

# Any character YAML or Markdown might trip on: controls, line separators, BOMs, quotes, Hangul, emoji.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=24) | st.sampled_from([
    "", " ", "---", "+++", "...", "\t", "\x00", "\x85", "\u2028", "\ufeff", "!!python/name:os.system",
    "[unclosed", "{a: b", "*alias", "&anchor", "%YAML", "? key", "- item", "'", '"', ":", "#",
    "2025-06-23", "2025-02-30", "9999-12-31T23:00:00Z", "한국 경제", "🎉", "../x", "a/b", "a\\b",
    "javascript:alert(1)", "<script>", "World", "culture", "arts&culture",
])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | TEXT
           | st.dates() | st.datetimes(timezones=st.none() | st.just(UTC)))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(TEXT, inner, max_size=4), max_leaves=8)
KEYS = st.sampled_from([*ARTICLE_KEYS, "lang", "layout", "image_caption"]) | TEXT


# Strategies are built once: building them inside a draw costs more than the test itself.
META = st.dictionaries(KEYS, VALUES, max_size=8)
TITLES = TEXT | st.just("A Story")
DATES = VALUES | st.just("2025-06-23")
CATEGORY_NAMES = st.sampled_from(["World", "business", "Culture", "Nowhere"])
BLANK_LINES = st.integers(0, 2)


@st.composite
def yaml_front_matter(draw: st.DrawFn) -> bytes:
    """Random keys with random values of every YAML type, dumped as a real editor's YAML."""
    meta = draw(META)
    if draw(st.booleans()):  # often a nearly valid article, so later checks run too
        meta.setdefault("title", draw(TITLES))
        meta.setdefault("date", draw(DATES))
        meta.setdefault("category", draw(CATEGORY_NAMES))
    header = yaml.safe_dump(meta, allow_unicode=draw(st.booleans()), sort_keys=False)
    text = f"{chr(10) * draw(BLANK_LINES)}---\n{header}---\n{draw(MARKDOWN)}"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


MARKDOWN_PIECES = st.sampled_from([
    "# Title\n", "## 한국 경제\n", "Para with *em* and **strong**.\n", "\n", "- item\n", "1. one\n", "> quote\n",
    "```\ncode\n", "```\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "Text[^1]\n\n[^1]: note\n", "[^x]\n",
    "<div>raw", "</div>\n", '<a href="javascript:alert(1)">x</a>', "[x](javascript:alert(1))", "![i](data:x)",
    "<script>alert(1)</script>\n", "&amp; &#0; &#x110000;", "\x00", "\t", "    indented\n", "***\n", "---\n",
    "[ref]: /x\n", "<!-- comment", "-->", "\\", "`", "*", "_", "[", "]", "(", ")", "<", ">",
])
MARKDOWN = st.lists(MARKDOWN_PIECES | TEXT, max_size=12).map("".join)


HEADER_LINES = st.lists(TEXT, max_size=8).map("\n".join)
FENCES = st.sampled_from(["---", "+++"])
CLOSINGS = st.sampled_from(["", "...", "---", "+++"])


@st.composite
def raw_text_front_matter(draw: st.DrawFn) -> bytes:
    """A fence, then any text at all as the header, then maybe a closing fence."""
    fence = draw(FENCES)
    closing = fence if draw(st.booleans()) else draw(CLOSINGS)
    return f"{fence}\n{draw(HEADER_LINES)}\n{closing}\n{draw(MARKDOWN)}".encode()


# --- loading never raises ----------------------------------------------------

@SETTINGS
@given(data=yaml_front_matter())
def test_random_yaml_front_matter_never_raises(site: tuple[Path, ArticleLoader], data: bytes) -> None:
    loaded, report = _load(site, data)
    _check_diagnostics(data, loaded, report)


@SETTINGS
@given(data=raw_text_front_matter())
def test_random_text_front_matter_never_raises(site: tuple[Path, ArticleLoader], data: bytes) -> None:
    loaded, report = _load(site, data)
    _check_diagnostics(data, loaded, report)


@SETTINGS
@given(data=st.binary(max_size=300) | st.builds(lambda head, tail: b"---\ntitle: x\n" + head + b"\n---\n" + tail,
                                                 st.binary(max_size=60), st.binary(max_size=60)))
def test_random_bytes_never_raise(site: tuple[Path, ArticleLoader], data: bytes) -> None:
    loaded, report = _load(site, data)
    _check_diagnostics(data, loaded, report)


@SETTINGS
@given(body=MARKDOWN)
def test_random_markdown_bodies_load(site: tuple[Path, ArticleLoader], body: str) -> None:
    data = f"---\ntitle: A Story\ndate: 2025-06-23\ncategory: World\n---\n{body}".encode()
    loaded, report = _load(site, data)
    assert loaded is not None and not report.items
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", loaded.article.body_html, re.IGNORECASE)


@SETTINGS
@given(data=yaml_front_matter())
def test_loading_is_deterministic(site: tuple[Path, ArticleLoader], data: bytes) -> None:
    first, first_report = _load(site, data)
    second, second_report = _load(site, data)
    assert first == second
    assert list(first_report) == list(second_report)


# --- slugs and paths ---------------------------------------------------------

@SETTINGS
@given(text=TEXT, style=st.sampled_from(["ascii", "unicode"]))
def test_slugs_are_never_empty_and_always_one_safe_segment(text: str, style: str) -> None:
    slug = make_slug(text, style) or fallback_slug(text)  # type: ignore[arg-type]
    assert slug and is_safe_slug(slug)
    assert urls.output_path(f"/article/{slug}/") == f"article/{slug}/index.html"


@SETTINGS
@given(title=TEXT, explicit=st.none() | TEXT)
def test_article_slugs_are_safe_for_any_title_and_slug(site: tuple[Path, ArticleLoader], title: str,
                                                       explicit: str | None) -> None:
    meta: dict[str, object] = {"title": title or "x", "date": "2025-06-23", "category": "World"}
    if explicit is not None:
        meta["slug"] = explicit
    data = ("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n").encode()
    loaded, report = _load(site, data)
    _check_diagnostics(data, loaded, report)
    if loaded is not None:
        assert loaded.article.url == f"/article/{loaded.article.slug}/"


@SETTINGS
@given(url=st.text(st.sampled_from("/.\\ab\x00%:?#한"), max_size=30) | TEXT)
def test_output_path_never_escapes(url: str) -> None:
    path = urls.output_path(url)
    if path is None:
        return
    assert path and not path.startswith("/") and "\\" not in path and "\x00" not in path
    assert ".." not in path.split("/") and "." not in path.split("/")
    assert posixpath.normpath(posixpath.join("/out", path)).startswith("/out/")


# --- site-wide invariants ----------------------------------------------------

# (title, hours before now, explicit slug) for a handful of articles with many collisions.
ARTICLE_SETS = st.lists(st.tuples(
    st.sampled_from(["Weather", "weather", "Weather 2", "Markets", "!!!", "🎉", "날씨"]),
    st.integers(-48, 48),
    st.none() | st.sampled_from(["weather", "weather-2", "markets", "unique-one", "unique-two"]),
), max_size=6)


def _articles(site: tuple[Path, ArticleLoader], specs: list[tuple[str, int, str | None]]) -> list[LoadedArticle]:
    root, loader = site
    loaded = []
    for number, (title, hours, slug) in enumerate(specs):
        when = (FIXED_NOW - timedelta(hours=hours)).isoformat()
        meta = {"title": title, "date": when, "category": "World", **({"slug": slug} if slug else {})}
        path = root / f"content/articles/set-{number}.md"
        path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\nBody\n", encoding="utf-8")
        item = loader.load(path, Report())
        assert item is not None
        loaded.append(item)
    return loaded


@SITE_SETTINGS
@given(specs=ARTICLE_SETS, seed=st.randoms(use_true_random=False))
def test_unique_slugs_are_unique_and_independent_of_file_order(site: tuple[Path, ArticleLoader],
                                                               specs: list[tuple[str, int, str | None]],
                                                               seed: object) -> None:
    loaded = _articles(site, specs)
    report = Report()
    articles = assign_unique_slugs(loaded, report)
    explicit = [item.article.slug for item in loaded if item.explicit_slug]
    if len(explicit) == len(set(explicit)):
        assert not report.has_errors
        assert len({a.slug for a in articles}) == len(articles)
        assert len({a.url for a in articles}) == len(articles)
    shuffled = list(loaded)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    again = assign_unique_slugs(shuffled, Report())
    assert sorted((a.source, a.slug, a.url) for a in again) == sorted((a.source, a.slug, a.url) for a in articles)


def _config(site: tuple[Path, ArticleLoader]) -> SiteConfig:
    return site[1].config


@SITE_SETTINGS
@given(specs=ARTICLE_SETS, drafts=st.booleans(), future=st.booleans(), per_page=st.integers(1, 4))
def test_index_invariants(site: tuple[Path, ArticleLoader], specs: list[tuple[str, int, str | None]],
                          drafts: bool, future: bool, per_page: int) -> None:
    articles = assign_unique_slugs(_articles(site, specs), Report())
    index = build_index(_config(site), articles, [], PublishRules(FIXED_NOW, drafts, future))
    published = list(index.articles)
    assert all(future or a.date <= FIXED_NOW for a in published)
    assert [a.date for a in published] == sorted((a.date for a in published), reverse=True)
    assert sorted(a.url for s in index.categories for a in s.articles) == sorted(a.url for a in published)
    pages = paginate(published, per_page, "/articles/")
    assert [a for _, chunk in pages for a in chunk] == published
    assert len({p.url for p, _ in pages}) == len(pages)


@pytest.mark.parametrize("value", [date.min, date.max, datetime.combine(date.max, time.max),
                                   datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)])
def test_calendar_edges_are_errors_not_crashes(site: tuple[Path, ArticleLoader], value: object) -> None:
    data = ("---\n" + yaml.safe_dump({"title": "x", "date": value, "category": "World"}) + "---\n").encode()
    loaded, report = _load(site, data)
    _check_diagnostics(data, loaded, report)
