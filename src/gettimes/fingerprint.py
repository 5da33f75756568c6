"""Fingerprints of pages: a hash of everything a page is rendered from.

Two builds that give a page the same fingerprint give it the same bytes, so the
second can take the file from the previous output. A page's fingerprint covers the
templates and configuration (the `global` part), the values every template
receives (sidebars, navigation), and its own context, where an article counts by
what listings show of it (its "card": everything but the body) unless it is the
page's own `article`, which counts by its source bytes.

Cards are computed when an article file is loaded and kept in the build cache with
it, so an unchanged article costs a dictionary look-up here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from gettimes.cache import digest
from gettimes.index import Pagination
from gettimes.models import Article, Author, Category, Image, Page, Tag
from gettimes.render import PageJob

if TYPE_CHECKING:
    from gettimes.article_store import LoadOutcome

_ARTICLE_CARD_FIELDS = tuple(field.name for field in dataclasses.fields(Article) if field.name != "body_html")
# Values whose repr shows all they hold and that hold no article.
VALUE_TYPES = frozenset({str, int, float, bool, datetime, date, type(None), Category, Tag, Author, Image, Page,
                      Pagination})


def card_digest(article: Article) -> str:
    """A digest of everything an article shows outside its own page (all but the body)."""
    return digest(*(repr(getattr(article, name)) for name in _ARTICLE_CARD_FIELDS))


def own_article_fingerprint(context: str, source_key: str, slug: str) -> str:
    """An article page's fingerprint: its context and its own article's source."""
    return digest(context, source_key + slug)


class Fingerprinter:
    def __init__(self, global_parts: Iterable[str], shared: Mapping[str, Any],
                 outcomes: Mapping[str, LoadOutcome], body_in_listings: bool) -> None:
        """`outcomes` maps an article's source path to how it was loaded (its cache key and card)."""
        self._cards: dict[int, tuple[Article, str]] = {}
        self._outcomes = outcomes
        self._body_in_listings = body_in_listings
        # Each article's part of a fingerprint, by identity: the look-up of most values here,
        # worked out at first use (a title edit's build fingerprints a few pages only). An id
        # here is one in _cards, which holds its article: it cannot be reused meanwhile.
        self._article_values: dict[int, str] = {}
        self._global = digest(*global_parts, self._value(dict(shared)))

    @property
    def global_digest(self) -> str:
        """The part every page's fingerprint shares: templates, configuration, shared values."""
        return self._global

    def page(self, job: PageJob) -> tuple[str, str]:
        """The page's fingerprint, and for an article page the part of it that is not its own article."""
        context = digest(self._global, job.template, job.url, self._value(dict(job.context)))
        own = job.context.get("article")
        if isinstance(own, Article):
            return own_article_fingerprint(context, self._source_key(own), own.slug), context
        return context, ""

    def _source_key(self, article: Article) -> str:
        outcome = self._outcomes.get(article.source)
        return outcome.key if outcome is not None else ""

    def _card(self, article: Article) -> str:
        kept = self._cards.get(id(article))
        if kept is not None and kept[0] is article:
            return kept[1]
        if self._body_in_listings:
            card = digest(self._source_key(article), repr(article))
        else:
            outcome = self._outcomes.get(article.source)
            loaded = outcome.loaded if outcome is not None else None
            # The card computed at load time holds unless the slug was numbered since.
            if outcome is not None and outcome.card and loaded is not None and loaded.article.slug == article.slug:
                card = outcome.card
            else:
                card = card_digest(article)
        self._cards[id(article)] = (article, card)  # holding the article keeps its id from being reused
        return card

    def _value(self, value: Any) -> str:
        kind = type(value)
        if kind is Article:
            found = self._article_values.get(id(value))
            if found is None:
                found = self._article_values[id(value)] = "A" + self._card(value)
            return found
        if kind in VALUE_TYPES:
            return repr(value)
        if kind is tuple or kind is list:
            known = self._article_values
            return "[" + ",".join([known.get(id(item)) or self._value(item) for item in value]) + "]"
        if isinstance(value, Mapping):
            return "{" + ",".join([f"{key!r}:{self._value(item)}" for key, item in sorted(value.items())]) + "}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            named = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return kind.__name__ + self._value(named)
        return repr(value)


def shows_any(value: Any, articles: set[int]) -> bool:
    """Whether a page context `value` holds one of `articles` (by id), or may hold one in a way not looked into."""
    kind = type(value)
    if kind is Article:
        return id(value) in articles
    if kind in VALUE_TYPES:
        return False
    if kind is tuple or kind is list:
        items: Iterable[Any] = value
    elif kind is MappingProxyType or kind is dict or isinstance(value, Mapping):
        items = value.values()
    else:
        return True
    for item in items:  # mostly articles, lists of them and plain values: looked at here, without a call each
        kind = type(item)
        if kind is Article:
            if id(item) in articles:
                return True
        elif kind is tuple:
            for inner in item:
                if type(inner) is Article:
                    if id(inner) in articles:
                        return True
                elif type(inner) not in VALUE_TYPES and shows_any(inner, articles):
                    return True
        elif kind not in VALUE_TYPES and shows_any(item, articles):
            return True
    return False
