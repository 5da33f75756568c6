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
