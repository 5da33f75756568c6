"""URL slugs: derived through python-slugify, never empty, never a path."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from slugify import slugify

SlugStyle = Literal["ascii", "unicode"]

# An explicit slug is used as written when it is one safe path segment.
_SAFE_SLUG = re.compile(r"[\w][\w-]*(?:\.[\w-]+)*", re.UNICODE)


def make_slug(text: str, style: SlugStyle = "ascii") -> str:
    """`Arts&Culture` -> `arts-culture`; Korean is transliterated unless style is unicode."""
    return str(slugify(text, allow_unicode=style == "unicode"))


def fallback_slug(text: str) -> str:
    """A stable slug for a title that slugifies to nothing (only punctuation or emoji)."""
    return "article-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def is_safe_slug(slug: str) -> bool:
    """True when `slug` is a single path segment with no separators or dot-segments."""
    return bool(_SAFE_SLUG.fullmatch(slug)) and ".." not in slug
