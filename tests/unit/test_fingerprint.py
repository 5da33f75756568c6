"""Which page contexts show an article (`shows_any`): a page that shows an edited article
must have its fingerprint worked out again, so a miss would leave a stale page."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from gettimes.fingerprint import shows_any
from gettimes.index import Pagination
from unit.test_index import CATEGORIES, _article

EDITED = _article("edited", 1)
OTHER = _article("other", 2)
PAGINATION = Pagination(1, 1, 1, 20, "/category/world/")


@pytest.mark.parametrize("context", [
    {"article": EDITED},
    {"related": (OTHER, EDITED)},
    {"articles": [OTHER, EDITED]},
    {"sections": ((CATEGORIES["world"], (OTHER, EDITED)),)},  # the home page's sections
    {"most_read_by": {"kim": (OTHER, EDITED)}},  # a dict of lists
    {"nested": MappingProxyType({"deeper": [[EDITED]]})},
])
def test_a_context_that_holds_the_article_anywhere_shows_it(context: dict[str, object]) -> None:
    assert shows_any(MappingProxyType(context), {id(EDITED)})


def test_a_context_without_it_does_not() -> None:
    context = {"article": OTHER, "related": (OTHER,), "sections": ((CATEGORIES["world"], (OTHER,)),),
               "most_read_by": {"kim": (OTHER,)}, "pagination": PAGINATION, "feed_url": "", "count": 3,
               "previous": None}
    assert not shows_any(MappingProxyType(context), {id(EDITED)})


def test_a_value_it_cannot_look_into_counts_as_showing_it() -> None:
    assert shows_any(MappingProxyType({"box": object()}), {id(EDITED)})
    assert shows_any(MappingProxyType({"boxes": (OTHER, object())}), {id(EDITED)})
