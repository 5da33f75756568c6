"""Edits that change what lists show of an article, but not where it is listed.

A new title or summary changes the pages that show the article, and no other: every
list it is in keeps its place in it, and so does every other article. Such a build can
carry the last build's fingerprint over for each page whose context holds none of the
edited articles, instead of working it out again (pagewriter.py); the fingerprints are
the same either way, as long as what every page shares is the same too, which
`write_pages` checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from gettimes.article_store import LoadOutcome
from gettimes.bodyedit import FewEdits, previous_outcome
from gettimes.cache import BuildCache
from gettimes.models import Article

# What decides where an article is listed and what else is listed with it: its place in
# the site's lists, its neighbours, its related articles, its URL. Everything else (the
# title, the summary, the image, the body, ...) only shows.
PLACE_FIELDS = ("source", "slug", "url", "date", "updated", "category", "tags", "authors", "aliases", "draft",
                "featured")
assert set(PLACE_FIELDS) <= {field.name for field in fields(Article)}


def shown_only_edits(cache: BuildCache, found: FewEdits | None,
                     outcomes: Mapping[str, LoadOutcome]) -> frozenset[str] | None:
    """The article files changed since the last build (`found` by `edited_articles`), when each
    changed what it shows and nothing else changed; None when anything else may have."""
    if found is None:
        return None
    state, changed = found
    for rel in changed:
        old, new = previous_outcome(cache, state, rel), outcomes.get(rel)
        if old is None or new is None or not same_place(old, new):
            return None
    return frozenset(changed)


def same_place(old: LoadOutcome, new: LoadOutcome) -> bool:
    """Whether two loads of one file list the article in the same places (see PLACE_FIELDS)."""
    if old.loaded is None or new.loaded is None or old.diagnostics or new.diagnostics:
        return False
    before, after = old.loaded, new.loaded
    return (before.explicit_slug == after.explicit_slug and before.permalink == after.permalink
            and all(getattr(before.article, name) == getattr(after.article, name) for name in PLACE_FIELDS))
