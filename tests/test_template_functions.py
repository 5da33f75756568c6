"""The filters and functions templates are given, in the forms docs/theme.md shows."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2.filters import do_urlencode
from markupsafe import Markup

from conftest import SiteFactory, article, options
from gettimes.build import build_site
from gettimes.render import urlencode


def test_t_as_a_filter_gives_the_same_strings_as_t_the_function(make_site: SiteFactory) -> None:
    site = make_site({
        "content/articles/a.md": article("Exporters Gain"),
        "templates/page.html": "{{ t('menu') }}|{{ 'menu' | t }}|{{ t('page_n', n=3) }}|{{ 'page_n' | t(n=3) }}|"
                               "{% set key = 'sections' %}{{ key | t }}|{{ 'no_such_key' | t }}\n",
        "content/pages/about.md": "---\ntitle: About\n---\n\nText.\n",
    }, config="title: T\nbase_url: https://x.example\nlanguage: ko\ncategories: [World]\n")
    build_site(site, options())
    assert (site / "public" / "about" / "index.html").read_text("utf-8") == \
        "메뉴|메뉴|3페이지|3페이지|섹션|no_such_key\n"


def test_startingwith_tells_whether_a_string_starts_with_another(make_site: SiteFactory) -> None:
    site = make_site({
        "content/articles/a.md": article("Exporters Gain"),
        "templates/page.html": "{{ page_url is startingwith('/ab') }} {{ page_url is startingwith('/about/') }} "
                               "{{ page_url is startingwith('/about/x') }} {{ 'x' is startingwith('') }}\n",
        "content/pages/about.md": "---\ntitle: About\n---\n\nText.\n",
    })
    build_site(site, options())
    assert (site / "public" / "about" / "index.html").read_text("utf-8") == "True True False True\n"


def test_urlencode_writes_what_jinjas_own_filter_writes() -> None:
    every_character = "".join(chr(code) for code in range(0x20000) if not 0xD800 <= code <= 0xDFFF)
    samples: list[Any] = [every_character, "", "Chip Orders Climb: 'S&P 500' <up> 10%",
                          "한국 수출 증가\nhttps://x.example/a b/", Markup("<b>M&A</b>"), 42, {"q": "a b", "page": 2},
                          [("k", "v/w")]]
    for value in samples:
        assert urlencode(value) == do_urlencode(value), repr(value)[:40]
        assert type(urlencode(value)) is str
    with pytest.raises(UnicodeEncodeError):
        do_urlencode("\ud800")
    with pytest.raises(UnicodeEncodeError):
        urlencode("\ud800")
