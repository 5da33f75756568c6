"""Fingerprints of pages: a hash of everything a page is rendered from.

Two builds that give a page the same fingerprint give it the same bytes, so the
second can take the file from the previous output. A page's fingerprint covers the
templates and configuration (the `global` part), the values every template
receives (sidebars, navigation), and its own context, where an article counts by
what listings show of it (its "card": everything but the body) unless it is the
page's own `article`, which counts by its source bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from gettimes.cache import digest
from gettimes.models import Article
from gettimes.render import PageJob


class Fingerprinter:
    def __init__(self, global_parts: Iterable[str], shared: Mapping[str, Any],
                 source_digests: Mapping[str, str], body_in_listings: bool) -> None:
        """`source_digests` maps an article's source path to the digest of what it was loaded from."""
        self._cards: dict[int, str] = {}
        self._sources = source_digests
        self._body_in_listings = body_in_listings
        self._global = digest(*global_parts, self._value(dict(shared)))

    def page(self, job: PageJob) -> str:
        own = job.context.get("article")
        parts = [self._global, job.template, job.url, self._value(dict(job.context))]
        if isinstance(own, Article):
            parts.append(self._sources.get(own.source, "") + own.slug)
        return digest(*parts)

    def _card(self, article: Article) -> str:
        key = id(article)
        card = self._cards.get(key)
        if card is None:
            if self._body_in_listings:
                card = digest(self._sources.get(article.source, ""), repr(article))
            else:
                card = digest(repr(dataclasses.replace(article, body_html="")))
            self._cards[key] = card
        return card

    def _value(self, value: Any) -> str:
        if isinstance(value, Article):
            return "A" + self._card(value)
        if isinstance(value, str | int | float | bool | datetime | date) or value is None:
            return repr(value)
        if isinstance(value, tuple | list):
            return "[" + ",".join(self._value(item) for item in value) + "]"
        if isinstance(value, Mapping):
            return "{" + ",".join(f"{key!r}:{self._value(item)}" for key, item in sorted(value.items())) + "}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return type(value).__name__ + self._value(fields)
        return repr(value)
