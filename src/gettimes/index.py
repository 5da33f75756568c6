"""The site index: which articles are published, in what order, grouped how.

Everything a page shows about other pages (listings, neighbours, sidebars)
comes from here, computed once per build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from types import MappingProxyType

from gettimes import urls
from gettimes.config import SiteConfig
from gettimes.models import Article, Author, Category, Page, Tag

RELATED_LIMIT = 4  # related articles under each article

@dataclass(frozen=True, slots=True)
class PublishRules:
    now: datetime
    drafts: bool = False
    future: bool = False

    def allows(self, article: Article) -> bool:
        if article.draft and not self.drafts:
            return False
        return self.future or article.date <= self.now


@dataclass(frozen=True, slots=True)
class CategorySection:
    category: Category
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class TagSection:
    tag: Tag
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class AuthorSection:
    author: Author
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class Pagination:
    """One page of a listing: its number, the total, and the URLs around it."""

    number: int
    total_pages: int
    total_items: int
    per_page: int
    base_url: str

    def url_of(self, number: int) -> str:
        return urls.paged(self.base_url, number)

    @property
    def url(self) -> str:
        return self.url_of(self.number)

    @property
    def prev_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.total_pages else None

    @property
    def first_url(self) -> str:
        return self.base_url

    @property
    def last_url(self) -> str:
        return self.url_of(self.total_pages)

    def links(self, window: int = 2) -> list[PageLink | None]:
        """Numbered links around the current page; None marks a gap ("…")."""
        numbers = sorted({1, self.total_pages, *range(max(1, self.number - window),
                                                       min(self.total_pages, self.number + window) + 1)})
        result: list[PageLink | None] = []
        previous = 0
        for number in numbers:
            if number - previous > 1:
                result.append(None)
            result.append(PageLink(number, self.url_of(number), number == self.number))
            previous = number
        return result


def paginate(items: Sequence[Article], per_page: int, base_url: str
             ) -> list[tuple[Pagination, tuple[Article, ...]]]:
    """Split a listing into pages; an empty listing still has its first page."""
    total = max(1, ceil(len(items) / per_page))
    return [
        (Pagination(n, total, len(items), per_page, base_url),
         tuple(items[(n - 1) * per_page : n * per_page]))
        for n in range(1, total + 1)
    ]


@dataclass(frozen=True, slots=True)
class Neighbours:
    previous: Article | None  # older, same category
    next: Article | None  # newer, same category


@dataclass(frozen=True, slots=True)
class SiteIndex:
    articles: tuple[Article, ...]  # published, newest first
    categories: tuple[CategorySection, ...]  # configured order
    tags: tuple[TagSection, ...]  # by slug
    authors: tuple[AuthorSection, ...]  # by slug
    pages: tuple[Page, ...]
    hot_issue: tuple[Article, ...]
    most_viewed: tuple[Article, ...] = ()
    weekly_hot: tuple[Article, ...] = ()
    # reporter slug -> their most read articles (all-time views), for the reporter box and page
    author_most_read: Mapping[str, tuple[Article, ...]] = field(default_factory=lambda: MappingProxyType({}))
    neighbours: Mapping[str, Neighbours] = field(default_factory=lambda: MappingProxyType({}))
    # For related(): each article's place in `articles`, and each tag's places, ascending.
    _positions: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    _tag_positions: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # related() for every article, by URL, as positions in `articles` (see with_related)
    _related: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def related(self, article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
        """Articles sharing the most tags with `article`, newer first on ties."""
        kept = self._related.get(article.url) if limit == RELATED_LIMIT else None
        if kept is not None and self.articles[self._positions[article.url]] is article:
            return [self.articles[position] for position in kept]
        return [self.articles[position] for position in self._related_positions(article, limit)]

    def related_key(self) -> str:
        """A digest of all that related() depends on: every published article's place and URL, and
        the places of each tag's articles (which give every article's tags)."""
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(repr(tuple(self._positions)).encode())  # URLs in the order of their places
        hasher.update(repr(sorted(self._tag_positions.items())).encode())
        return hasher.hexdigest()

    def related_table(self) -> dict[str, tuple[int, ...]]:
        """related() of every published article, as positions in `articles`."""
        sets = {slug: frozenset(positions) for slug, positions in self._tag_positions.items()}
        pairs: dict[tuple[str, str], frozenset[int]] = {}
        return {article.url: self._related_positions(article, RELATED_LIMIT, sets, pairs)
                for article in self.articles}

    def with_rankings(self, most_viewed: Sequence[Article], weekly_hot: Sequence[Article],
                      author_most_read: Mapping[str, Sequence[Article]]) -> SiteIndex:
        """This index with the rankings of the stats file (build_index's last three arguments)."""
        return dataclasses.replace(
            self, most_viewed=tuple(most_viewed), weekly_hot=tuple(weekly_hot),
            author_most_read=MappingProxyType({slug: tuple(items) for slug, items in author_most_read.items()}))

    def with_related(self, table: Mapping[str, tuple[int, ...]]) -> SiteIndex:
        """This index answering related() from `table`, made by related_table() for the same related_key()."""
        return dataclasses.replace(self, _related=MappingProxyType(dict(table)))

    def replacing(self, new: Mapping[int, Article]) -> SiteIndex:
        """This index with articles swapped for new versions of them (`new`: by the `id` of the old
        one) that keep their place: the same URL, date, category, tags, reporters and featured flag
        (carryover.PLACE_FIELDS). Every list then holds the same articles in the same order, and
        only the lists of the new versions' category, tags and reporters hold any of them."""
        def swap(items: tuple[Article, ...]) -> tuple[Article, ...]:
            if not any(id(item) in new for item in items):
                return items
            return tuple(new.get(id(item), item) for item in items)

        articles = list(self.articles)
        for article in new.values():
            position = self._positions.get(article.url)
            if position is not None:
                articles[position] = new.get(id(articles[position]), articles[position])
        categories = {article.category.slug for article in new.values()}
        tags = {tag.slug for article in new.values() for tag in article.tags}
        authors = {author.slug for article in new.values() for author in article.authors}
        neighbours = dict(self.neighbours)
        for article in new.values():  # an article's neighbours are in its category, so they list it as theirs
            around = self.neighbours.get(article.url)
            for other in (around.previous, around.next) if around is not None else ():
                if other is not None:
                    entry = neighbours[other.url]
                    neighbours[other.url] = Neighbours(new.get(id(entry.previous), entry.previous),
                                                       new.get(id(entry.next), entry.next))
        return dataclasses.replace(
            self,
            articles=tuple(articles),
            categories=tuple(CategorySection(s.category, swap(s.articles)) if s.category.slug in categories else s
                             for s in self.categories),
            tags=tuple(TagSection(s.tag, swap(s.articles)) if s.tag.slug in tags else s for s in self.tags),
            authors=tuple(AuthorSection(s.author, swap(s.articles)) if s.author.slug in authors else s
                          for s in self.authors),
            hot_issue=swap(self.hot_issue),
            most_viewed=swap(self.most_viewed),
            weekly_hot=swap(self.weekly_hot),
            author_most_read=MappingProxyType({slug: swap(items) if slug in authors else items
                                               for slug, items in self.author_most_read.items()}),
            neighbours=MappingProxyType(neighbours),
        )

    def _related_positions(self, article: Article, limit: int,
                           sets: Mapping[str, frozenset[int]] | None = None,
                           pairs: dict[tuple[str, str], frozenset[int]] | None = None) -> tuple[int, ...]:
        """The articles sharing the most tags, newer first on ties; then the newest sharing one.

        It runs for every article, so the work stays in C set operations: the articles
        sharing two or more tags are the union of each pair of tags' intersection, and
        only those sharing three or more (few) are counted one by one. The popular tags'
        sets grow with the archive: counting every article that shares two of them, or
        intersecting the same pair again for each of its articles, made this quadratic
        (11 s at 50,000 articles). `pairs` keeps each pair's intersection across articles.
        """
        own = self._positions.get(article.url)
        slugs = sorted({tag.slug for tag in article.tags if tag.slug in self._tag_positions})
        if own is None or not slugs:
            return ()
        lists = [self._tag_positions[slug] for slug in slugs]
        tag_sets = [sets[slug] for slug in slugs] if sets is not None else [frozenset(each) for each in lists]
        pairs = {} if pairs is None else pairs
        shared: set[int] = set()  # in two or more of the tags
        three: set[int] = set()  # in three or more
        for first in range(len(slugs)):
            for second in range(first + 1, len(slugs)):
                key = (slugs[first], slugs[second])
                both = pairs.get(key)
                if both is None:
                    both = pairs[key] = tag_sets[first] & tag_sets[second]
                shared |= both
                for third in tag_sets[second + 1:]:
                    three |= both & third
        shared.discard(own)
        three.discard(own)
        ranked = sorted((-sum(position in each for each in tag_sets), position) for position in three)
        chosen = [position for _, position in ranked[:limit]]
        if len(chosen) < limit:
            chosen += sorted(shared - three)[:limit - len(chosen)]  # two tags each: newest first
        if len(chosen) < limit:  # then the newest sharing one tag
            seen = {own, *chosen}
            # The next picks stand within the first len(seen) + picks of their tag's list, newest first.
            head = len(seen) + limit - len(chosen)
            for position in sorted({position for each in lists for position in each[:head]}):
                if position not in seen:
                    chosen.append(position)
                    if len(chosen) >= limit:
                        break
        return tuple(chosen)


_SLUG = operator.attrgetter("slug")
_DATE = operator.attrgetter("date")


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Newest first; equal times by slug, so the order never depends on file order."""
    return sorted(sorted(articles, key=_SLUG), key=_DATE, reverse=True)


def build_index(
    config: SiteConfig,
    articles: Iterable[Article],
    pages: Iterable[Page],
    rules: PublishRules,
) -> SiteIndex:
    """The published articles in their lists; the stats file's rankings are added by `with_rankings`."""
    published = newest_first(a for a in articles if rules.allows(a))
    positions = {article.url: position for position, article in enumerate(published)}
    by_category: dict[str, list[Article]] = {c.slug: [] for c in config.categories}
    by_tag: dict[str, list[Article]] = {}
    tag_positions: dict[str, list[int]] = {}
    tag_of: dict[str, Tag] = {}
    by_author: dict[str, list[Article]] = {}
    author_of: dict[str, Author] = {}
    for position, article in enumerate(published):
        by_category[article.category.slug].append(article)
        for tag in article.tags:
            by_tag.setdefault(tag.slug, []).append(article)
            tag_positions.setdefault(tag.slug, []).append(position)
            tag_of.setdefault(tag.slug, tag)
        for author in article.authors:
            by_author.setdefault(author.slug, []).append(article)
            author_of.setdefault(author.slug, author)
    categories = tuple(
        CategorySection(Category(c.name, c.slug, urls.category_url(c.slug)), tuple(by_category[c.slug]))
        for c in config.categories
    )
    neighbours: dict[str, Neighbours] = {}
    for section in categories:
        items = section.articles
        for position, article in enumerate(items):
            neighbours[article.url] = Neighbours(
                previous=items[position + 1] if position + 1 < len(items) else None,
                next=items[position - 1] if position > 0 else None,
            )
    return SiteIndex(
        articles=tuple(published),
        categories=categories,
        tags=tuple(TagSection(tag_of[s], tuple(by_tag[s])) for s in sorted(by_tag)),
        authors=tuple(AuthorSection(author_of[s], tuple(by_author[s])) for s in sorted(by_author)),
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        hot_issue=tuple(a for a in published if a.featured)[: config.sidebar_items],
        neighbours=MappingProxyType(neighbours),
        _positions=MappingProxyType(positions),
        _tag_positions=MappingProxyType({slug: tuple(places) for slug, places in tag_positions.items()}),
    )
