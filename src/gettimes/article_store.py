"""Loaded articles as rows of plain values, for the build cache.

Pickling the model objects themselves is slow both ways: every frozen dataclass goes
through Python-level `__getstate__`/`__setstate__`. A row of strings, numbers and
datetimes pickles in C, and unpacking builds each object through its constructor,
sharing one object per distinct category, tag, reporter and image among all articles.
Reading back 10,000 cached articles this way is several times quicker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from gettimes.content import LoadedArticle
from gettimes.diagnostics import Diagnostic
from gettimes.models import Article, Author, Category, Image, Tag

_ARTICLE_FIELDS = tuple(field.name for field in fields(Article))
_CATEGORY, _IMAGE, _TAGS, _AUTHORS, _META = (
    _ARTICLE_FIELDS.index(name) for name in ("category", "image", "tags", "authors", "meta"))
Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    """What loading one article file gave; cached as it is, diagnostics included."""

    rel: str
    key: str  # the cache key: a digest of the file's bytes and the settings it loads under
    loaded: LoadedArticle | None
    diagnostics: tuple[Diagnostic, ...]
    card: str = ""  # digest of what listings show of the article (see fingerprint.card_digest)
    source: str = ""  # the digest of the file's bytes, where this build read it (not kept in the row)


def pack(outcome: LoadOutcome) -> Row:
    loaded = outcome.loaded
    packed_loaded = None if loaded is None else (
        _pack_article(loaded.article), loaded.explicit_slug, loaded.slug_line, loaded.permalink)
    diagnostics = tuple((d.path, d.line, d.message, d.severity) for d in outcome.diagnostics)
    return (outcome.rel, outcome.key, packed_loaded, diagnostics, outcome.card)


class Unpacker:
    """Turns rows back into outcomes; equal nested values become one shared object."""

    def __init__(self) -> None:
        self._shared: dict[type, dict[tuple[Any, ...], Any]] = {kind: {} for kind in (Category, Image, Tag, Author)}
        # Rows written by one build share their nested tuples (see _plain), and so do rows read
        # back from one pickle: looking those up by identity spares hashing their strings.
        self._by_identity: dict[int, tuple[tuple[Any, ...], Any]] = {}

    def unpack(self, row: Row, source: str = "") -> LoadOutcome:
        rel, key, packed_loaded, diagnostics, card = row
        loaded = None
        if packed_loaded is not None:
            article, explicit_slug, slug_line, permalink = packed_loaded
            loaded = LoadedArticle(self._article(article), explicit_slug, slug_line, permalink)
        return LoadOutcome(rel, key, loaded, tuple(Diagnostic(*d) for d in diagnostics), card, source)

    def _article(self, packed: tuple[Any, ...]) -> Article:
        if len(packed) != len(_ARTICLE_FIELDS):
            raise ValueError("a row of another version")
        values = list(packed)
        values[_CATEGORY] = self._one(Category, values[_CATEGORY])
        if values[_IMAGE] is not None:
            values[_IMAGE] = self._one(Image, values[_IMAGE])
        values[_TAGS] = tuple([self._one(Tag, item) for item in values[_TAGS]])
        values[_AUTHORS] = tuple([self._one(Author, item) for item in values[_AUTHORS]])
        values[_META] = MappingProxyType(values[_META])
        return Article(*values)

    def _one(self, kind: type, values: tuple[Any, ...]) -> Any:
        known = self._by_identity.get(id(values))
        if known is not None and known[0] is values:
            return known[1]
        shared = self._shared[kind]
        found = shared.get(values)
        if found is None:
            found = shared[values] = kind(*values)
        self._by_identity[id(values)] = (values, found)
        return found


def _values_of(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the field values of a `kind` object as a tuple, in field order."""
    names = [field.name for field in fields(kind)]
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda value: (get(value),)


_ARTICLE_VALUES = _values_of(Article)
_NESTED_VALUES = {kind: _values_of(kind) for kind in (Category, Image, Tag, Author)}


def _pack_article(article: Article) -> tuple[Any, ...]:
    values = list(_ARTICLE_VALUES(article))
    for index in (_CATEGORY, _IMAGE):
        if values[index] is not None:
            values[index] = _plain(values[index])
    for index in (_TAGS, _AUTHORS):
        values[index] = tuple([_plain(item) for item in values[index]])
    values[_META] = dict(values[_META])
    return tuple(values)


_PLAIN: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _plain(value: Any) -> tuple[Any, ...]:
    """The object's values as a tuple, the same tuple object for equal values (pickled once)."""
    values = _NESTED_VALUES[type(value)](value)
    return _PLAIN.setdefault(values, values)
