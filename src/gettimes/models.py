"""The site's content as immutable values. No I/O here; relations live in the index."""

from __future__ import annotations

import copyreg
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any


def _read_only(items: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(items)


# Models hold read-only mappings; let them cross process boundaries and into the cache.
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class Author:
    """A reporter; `known` is False when data/authors.yaml has no profile for the name."""

    name: str
    slug: str
    url: str
    title: str = ""
    bio: str = ""
    photo: str = ""
    email: str = ""
    known: bool = True


@dataclass(frozen=True, slots=True)
class Article:
    source: str  # site-relative path of the Markdown file
    slug: str
    url: str
    title: str
    date: datetime  # timezone-aware
    category: Category
    body_html: str
    summary: str
    updated: datetime | None = None
    tags: tuple[Tag, ...] = ()
    authors: tuple[Author, ...] = ()
    image: Image | None = None
    aliases: tuple[str, ...] = ()
    draft: bool = False
    featured: bool = False
    lang: str = ""
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def author(self) -> Author | None:
        """The first reporter in the byline, for templates that show one."""
        return self.authors[0] if self.authors else None

    @property
    def modified(self) -> datetime:
        return self.updated or self.date


@dataclass(frozen=True, slots=True)
class Page:
    """A standalone page from content/pages/ (about, contact, ...)."""

    source: str
    slug: str
    url: str
    title: str
    body_html: str
    summary: str = ""
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
