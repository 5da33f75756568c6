"""The site index: publish rules, order, grouping, pagination, neighbours, related articles."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import FIXED_NOW
from gettimes.config import CategoryConfig, SiteConfig
from gettimes.index import Pagination, PublishRules, build_index, newest_first, paginate
from gettimes.models import Article, Author, Category, Page, Tag

CONFIG = SiteConfig(
    title="Test Times", base_url="https://news.example.com", paginate=2, sidebar_items=2,
    categories=(CategoryConfig("World", "world"), CategoryConfig("Business", "business"),
                CategoryConfig("Arts&Culture", "culture")),
)
CATEGORIES = {c.slug: Category(c.name, c.slug, f"/category/{c.slug}/") for c in CONFIG.categories}


def _article(slug: str, hours_ago: float, category: str = "world", tags: tuple[str, ...] = (),
             authors: tuple[str, ...] = (), draft: bool = False, featured: bool = False) -> Article:
    return Article(
        source=f"content/articles/{slug}.md", slug=slug, url=f"/article/{slug}/", title=slug.title(),
        date=FIXED_NOW - timedelta(hours=hours_ago), category=CATEGORIES[category], body_html="",
        summary="", tags=tuple(Tag(t, t, f"/tag/{t}/") for t in tags),
        authors=tuple(Author(a, a, f"/author/{a}/") for a in authors), draft=draft, featured=featured,
    )


RULES = PublishRules(FIXED_NOW)


def _slugs(articles: tuple[Article, ...] | list[Article]) -> list[str]:
    return [a.slug for a in articles]


# --- publish rules -----------------------------------------------------------

def test_published_past_articles() -> None:
    assert RULES.allows(_article("past", 1))


def test_an_article_dated_exactly_now_is_published() -> None:
    assert RULES.allows(_article("now", 0))


def test_future_articles_wait_unless_future_is_asked() -> None:
    future = _article("future", -0.001)
    assert not RULES.allows(future)
    assert PublishRules(FIXED_NOW, future=True).allows(future)


def test_drafts_only_with_drafts() -> None:
    draft = _article("draft", 1, draft=True)
    assert not RULES.allows(draft)
    assert not PublishRules(FIXED_NOW, future=True).allows(draft)
    assert PublishRules(FIXED_NOW, drafts=True).allows(draft)


def test_a_future_draft_needs_both_flags() -> None:
    draft = _article("x", -5, draft=True)
    assert not PublishRules(FIXED_NOW, drafts=True).allows(draft)
    assert PublishRules(FIXED_NOW, drafts=True, future=True).allows(draft)


def test_the_rules_compare_instants_not_wall_clocks() -> None:
    seoul_now = FIXED_NOW.astimezone(ZoneInfo("Asia/Seoul"))
    article = _article("x", 0.5)
    assert PublishRules(seoul_now).allows(article)


def test_the_index_holds_only_published_articles() -> None:
    articles = [_article("old", 5), _article("draft", 3, draft=True), _article("future", -3)]
    assert _slugs(build_index(CONFIG, articles, [], RULES).articles) == ["old"]
    everything = build_index(CONFIG, articles, [], PublishRules(FIXED_NOW, drafts=True, future=True))
    assert _slugs(everything.articles) == ["future", "draft", "old"]


# --- order -------------------------------------------------------------------

def test_newest_first_with_ties_broken_by_slug() -> None:
    articles = [_article("b-tie", 2), _article("newest", 1), _article("a-tie", 2), _article("oldest", 9)]
    assert _slugs(newest_first(articles)) == ["newest", "a-tie", "b-tie", "oldest"]


def test_order_does_not_depend_on_input_order() -> None:
    articles = [_article(f"s{n}", n % 4) for n in range(12)]
    orders = set()
    for seed in range(5):
        shuffled = list(articles)
        random.Random(seed).shuffle(shuffled)
        index = build_index(CONFIG, shuffled, [], RULES)
        orders.add((tuple(_slugs(index.articles)), tuple(tuple(_slugs(s.articles)) for s in index.categories),
                    tuple((t.tag.slug, tuple(_slugs(t.articles))) for t in index.tags)))
    assert len(orders) == 1


def test_order_compares_instants_across_offsets() -> None:
    # 11:00 in Seoul is 02:00 UTC, half an hour before the other article.
    seoul = ZoneInfo("Asia/Seoul")
    earlier = dataclasses.replace(_article("earlier", 0), date=datetime(2025, 6, 30, 11, 0, tzinfo=seoul))
    later = dataclasses.replace(_article("later", 0), date=datetime(2025, 6, 30, 2, 30, tzinfo=UTC))
    assert _slugs(newest_first([earlier, later])) == ["later", "earlier"]


# --- grouping ----------------------------------------------------------------

def test_categories_in_configured_order_even_when_empty() -> None:
    index = build_index(CONFIG, [_article("c", 1, "culture"), _article("w", 2, "world")], [], RULES)
    assert [s.category.slug for s in index.categories] == ["world", "business", "culture"]
    assert [_slugs(s.articles) for s in index.categories] == [["w"], [], ["c"]]
    assert index.categories[2].category == Category("Arts&Culture", "culture", "/category/culture/")


def test_tags_and_authors_by_slug_with_newest_first() -> None:
    articles = [_article("a", 3, tags=("zeta", "alpha"), authors=("kim",)),
                _article("b", 1, tags=("alpha",), authors=("lee", "kim"))]
    index = build_index(CONFIG, articles, [], RULES)
    assert [(t.tag.slug, _slugs(t.articles)) for t in index.tags] == [("alpha", ["b", "a"]), ("zeta", ["a"])]
    assert [(s.author.slug, _slugs(s.articles)) for s in index.authors] == [("kim", ["b", "a"]), ("lee", ["b"])]


def test_unpublished_articles_do_not_make_tags() -> None:
    index = build_index(CONFIG, [_article("d", 1, tags=("secret",), draft=True)], [], RULES)
    assert index.tags == () and index.authors == ()


def test_hot_issue_is_the_newest_featured_up_to_sidebar_items() -> None:
    articles = [_article(f"f{n}", n, featured=True) for n in range(1, 5)] + [_article("plain", 0)]
    assert _slugs(build_index(CONFIG, articles, [], RULES).hot_issue) == ["f1", "f2"]


def test_pages_sorted_by_slug() -> None:
    pages = [Page("content/pages/b.md", "b", "/b/", "B", ""), Page("content/pages/a.md", "a", "/a/", "A", "")]
    assert [p.slug for p in build_index(CONFIG, [], pages, RULES).pages] == ["a", "b"]


# --- neighbours and related --------------------------------------------------

def test_neighbours_stay_within_the_category() -> None:
    articles = [_article("w-old", 5), _article("b-mid", 4, "business"), _article("w-mid", 3),
                _article("w-new", 1)]
    neighbours = build_index(CONFIG, articles, [], RULES).neighbours
    mid = neighbours["/article/w-mid/"]
    assert (mid.previous and mid.previous.slug, mid.next and mid.next.slug) == ("w-old", "w-new")
    assert neighbours["/article/w-old/"].previous is None
    assert neighbours["/article/w-new/"].next is None
    lone = neighbours["/article/b-mid/"]
    assert (lone.previous, lone.next) == (None, None)


def test_related_articles_by_shared_tags() -> None:
    target = _article("target", 1, tags=("nato", "g20", "oecd"))
    articles = [target, _article("two-shared", 9, tags=("nato", "g20")), _article("one-new", 2, tags=("oecd",)),
                _article("one-old", 8, tags=("nato",)), _article("none", 3, tags=("sports",)),
                _article("draft", 2, tags=("nato", "g20", "oecd"), draft=True)]
    index = build_index(CONFIG, articles, [], RULES)
    assert _slugs(index.related(target)) == ["two-shared", "one-new", "one-old"]
    assert _slugs(index.related(target, limit=1)) == ["two-shared"]
    assert index.related(_article("untagged", 1)) == []


def _related_by_definition(index: object, article: Article, limit: int) -> list[str]:
    """related() spelled out: most shared tags first, newer first on ties, then none shared left out."""
    own = {tag.slug for tag in article.tags}
    scored = [(-len(own & {tag.slug for tag in other.tags}), number, other.slug)
              for number, other in enumerate(index.articles) if other is not article]  # type: ignore[attr-defined]
    return [slug for shared, _, slug in sorted(scored) if shared < 0][:limit]


@pytest.mark.parametrize("seed", range(4))
def test_related_articles_match_their_definition_on_a_large_archive(seed: int) -> None:
    # A few popular tags on many articles, as in a real archive: the articles sharing two or
    # three of them are many, and the ranking must still count every shared tag.
    rng = random.Random(seed)
    pool = [f"tag{number}" for number in range(12)]
    weights = [40, 30, 20, 12, 8, 5, 4, 3, 2, 2, 1, 1]
    articles = [_article(f"a{number}", number + rng.random(),
                         tags=tuple(dict.fromkeys(rng.choices(pool, weights, k=rng.randint(0, 6)))))
                for number in range(300)]
    index = build_index(CONFIG, articles, [], RULES)
    table = index.related_table()
    indexed = index.with_related(table)
    for article in index.articles:
        for limit in (1, 4, 9):
            assert _slugs(index.related(article, limit)) == _related_by_definition(index, article, limit)
        assert _slugs(indexed.related(article)) == _related_by_definition(index, article, 4)


def test_the_related_key_changes_with_all_that_related_depends_on() -> None:
    """The related table is kept in the build cache under this key: an unchanged key must
    mean an unchanged table."""
    def key(*articles: Article) -> str:
        return build_index(CONFIG, articles, [], RULES).related_key()

    a, b = _article("a", 1, tags=("nato", "g20")), _article("b", 2, tags=("nato",))
    assert key(a, b) == key(b, a) == key(_article("a", 1, tags=("nato", "g20")), b)
    assert key(a, b) != key(_article("a", 1, tags=("nato",)), b)  # a tag less
    assert key(a, b) != key(_article("a", 1, tags=("nato", "oecd")), b)  # another tag
    assert key(a, b) != key(_article("a", 3, tags=("nato", "g20")), b)  # another place
    assert key(a, b) != key(dataclasses.replace(a, url="/article/a-2/"), b)  # another URL


# --- pagination --------------------------------------------------------------

@pytest.mark.parametrize(("count", "per_page", "sizes"), [
    (0, 2, [0]), (1, 2, [1]), (2, 2, [2]), (3, 2, [2, 1]), (5, 2, [2, 2, 1]), (20, 20, [20]), (21, 20, [20, 1]),
])
def test_page_sizes(count: int, per_page: int, sizes: list[int]) -> None:
    items = [_article(f"a{n:02d}", n) for n in range(count)]
    pages = paginate(items, per_page, "/category/world/")
    assert [len(chunk) for _, chunk in pages] == sizes
    assert [a for _, chunk in pages for a in chunk] == items  # nothing lost, nothing repeated
    assert all(p.total_pages == len(sizes) and p.total_items == count for p, _ in pages)


def test_page_urls() -> None:
    pages = [p for p, _ in paginate([_article(f"a{n}", n) for n in range(5)], 2, "/category/world/")]
    assert [p.url for p in pages] == ["/category/world/", "/category/world/page/2/", "/category/world/page/3/"]
    first, middle, last = pages
    assert (first.prev_url, first.next_url) == (None, "/category/world/page/2/")
    assert (middle.prev_url, middle.next_url) == ("/category/world/", "/category/world/page/3/")
    assert (last.prev_url, last.next_url) == ("/category/world/page/2/", None)
    assert (middle.first_url, middle.last_url) == ("/category/world/", "/category/world/page/3/")


def test_root_listing_pages() -> None:
    pages = [p for p, _ in paginate([_article(f"a{n}", n) for n in range(3)], 1, "/articles/")]
    assert pages[2].url == "/articles/page/3/"


def _numbers(pagination: Pagination) -> list[int | None]:
    return [link.number if link else None for link in pagination.links()]


@pytest.mark.parametrize(("current", "expected"), [
    (1, [1, 2, 3, None, 10]),
    (4, [1, 2, 3, 4, 5, 6, None, 10]),
    (5, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (10, [1, None, 8, 9, 10]),
])
def test_page_links_with_gaps(current: int, expected: list[int | None]) -> None:
    assert _numbers(Pagination(current, 10, 100, 10, "/tag/x/")) == expected


def test_page_links_mark_the_current_page() -> None:
    links = Pagination(2, 3, 6, 2, "/tag/x/").links()
    assert [(link.number, link.url, link.current) for link in links if link] == [
        (1, "/tag/x/", False), (2, "/tag/x/page/2/", True), (3, "/tag/x/page/3/", False)]


def test_a_single_page_links_to_itself_only() -> None:
    assert _numbers(Pagination(1, 1, 0, 20, "/")) == [1]


def _holds(value: object, target: Article) -> bool:
    """Whether `value` holds the very object `target`, anywhere in its fields and collections."""
    if value is target:
        return True
    if isinstance(value, tuple | list):
        return any(_holds(item, target) for item in value)
    if hasattr(value, "values") and callable(value.values):  # mappings
        return any(_holds(item, target) for item in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, Article):
        return any(_holds(getattr(value, f.name), target) for f in dataclasses.fields(value))
    return False


@pytest.mark.parametrize("edited", [0, 3, 5])
def test_replacing_articles_gives_the_index_of_the_new_versions(edited: int) -> None:
    articles = [_article(f"a{n}", n, category=("world", "business")[n % 2], tags=(f"t{n % 3}", "desk"),
                         authors=(f"r{n % 2}",), featured=n % 4 == 0) for n in range(8)]
    index = build_index(CONFIG, articles, [], RULES).with_rankings(
        articles[2:6], articles[4:6], {"r0": articles[:4:2], "r1": articles[1:5:2]})
    old = articles[edited]
    new = dataclasses.replace(old, title="A New Title", summary="What lists show now.")
    swapped = [new if article is old else article for article in articles]
    expected = build_index(CONFIG, swapped, [], RULES).with_rankings(  # the same rankings, with `new`
        swapped[2:6], swapped[4:6], {"r0": swapped[:4:2], "r1": swapped[1:5:2]})
    replaced = index.replacing({id(old): new})
    assert replaced == expected
    assert replaced.related(new) == expected.related(new)
    assert not _holds(replaced, old)
    assert _holds(replaced, new)
