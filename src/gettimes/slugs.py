"""URL slugs: derived through python-slugify, never empty, never a path."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from slugify import slugify

SlugStyle = Literal["ascii", "unicode"]

# An explicit slug is used as written when it is one safe path segment.
_SAFE_SLUG = re.compile(r"[\w][\w-]*(?:\.[\w-]+)*", re.UNICODE)
# File systems hold 255 bytes per path segment; leave room for a "-2" and for suffixes.
MAX_SLUG_BYTES = 200


def make_slug(text: str, style: SlugStyle = "ascii") -> str:
    """`Arts&Culture` -> `arts-culture`; Korean is transliterated unless style is unicode.

    A slug from a very long title is cut at a word boundary to fit a file name.
    """
    slug = str(slugify(text, allow_unicode=style == "unicode"))
    data = slug.encode("utf-8")
    if len(data) <= MAX_SLUG_BYTES:
        return slug
    cut = data[:MAX_SLUG_BYTES].decode("utf-8", "ignore")
    if slug[len(cut)] != "-" and "-" in cut:
        cut = cut.rsplit("-", 1)[0]
    return cut.strip("-")


def fallback_slug(text: str) -> str:
    """A stable slug for a title that slugifies to nothing (only punctuation or emoji)."""
    return "article-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def is_safe_slug(slug: str) -> bool:
    """True when `slug` is a single path segment with no separators or dot-segments."""
    return bool(_SAFE_SLUG.fullmatch(slug)) and ".." not in slug and len(slug.encode("utf-8")) <= MAX_SLUG_BYTES


class Numbered:
    """Makes names unique by numbering them: a name as it is while it is free, then `name-N`
    for the first N from `first` up that is free (`take`).

    Each name's count goes on from where it stopped, which gives the same names as counting
    from `first` every time (taken names stay taken): a name given n times then costs about
    n look-ups instead of n²/2, which counted for a heading repeated through a long live
    blog, or a daily column's title over years of articles."""

    def __init__(self, first: int, taken: set[str] | None = None) -> None:
        self.taken = taken if taken is not None else set()  # the caller's set is used, not copied
        self._first = first
        self._next: dict[str, int] = {}  # a name -> the number to try first for it

    def take(self, name: str) -> str:
        """`name`, or the first numbered form of it that is free; it is taken from now on."""
        unique = name
        if unique in self.taken:
            number = self._next.get(name, self._first)
            unique = f"{name}-{number}"
            while unique in self.taken:
                number += 1
                unique = f"{name}-{number}"
            self._next[name] = number + 1
        self.taken.add(unique)
        return unique
