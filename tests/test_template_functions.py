"""The filters and functions templates are given, in the forms docs/theme.md shows."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from jinja2.filters import do_urlencode
from markupsafe import Markup

from conftest import SiteFactory, article, options
from gettimes.build import build_site
from gettimes.config import load_config
from gettimes.diagnostics import Report
from gettimes.render import make_environment, urlencode


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


class _Shown:
    """An object a template prints through its `__html__`."""

    def __html__(self) -> str:
        return "<em>shown</em>"

    def __str__(self) -> str:
        return "<not used>"


def test_templates_print_and_escape_what_stock_jinja_does(make_site: SiteFactory) -> None:
    source = ("{{ text }}|{{ markup }}|{{ shown }}|{{ number }}|{{ none }}|{{ missing }}|{{ '<' ~ text }}|"
              "{{ '<' ~ markup }}|{% set block %}<i>{{ text }}</i>{% endset %}{{ block }}|{{ block | length }}|"
              "{% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(text) }}{{ m(markup) }}|{{ text | upper }}|"
              "{{ items | join(', ') }}|{{ 'a&b' }}")
    values: dict[str, Any] = {"text": "M&A <b> \"q\" 'a'", "markup": Markup("<b>M&amp;A</b>"), "shown": _Shown(),
                              "number": 3.5, "none": None, "items": ["<x>", Markup("<y>")]}
    site = make_site({"content/articles/a.md": article("Exporters Gain")})
    config = load_config(site, Report())
    assert config is not None
    ours = make_environment(site, config).from_string(source).render(values)
    stock = jinja2.Environment(autoescape=True).from_string(source).render(values)
    assert ours == stock
    assert "M&amp;A &lt;b&gt; &#34;q&#34; &#39;a&#39;" in ours and "<em>shown</em>" in ours


_MACRO_CALLS = (
    "{% macro item(a, b=1, c='<c>') %}[{{ a }}|{{ b }}|{{ c }}]{% endmacro %}"
    "{% macro box(x) %}<{{ caller(x) }}>{% endmacro %}"
    "{% macro rest() %}{{ varargs | join(',') }};{{ kwargs | dictsort | join(',') }}{% endmacro %}"
    "{% macro outer(a) %}({{ item(a, c=a) }}){% endmacro %}"
    "{% macro va() %}{{ varargs | length }}{% endmacro %}{% macro kw() %}{{ kwargs | length }}{% endmacro %}"
    "{{ item('<x>') }}{{ item('x', 2) }}{{ item('x', 2, 3) }}{{ item(a='k') }}{{ item('x', c=None) }}"
    "{{ item(b=5, a=4) }}{% for n in range(2) %}{{ item(n, c=loop.index) }}{% endfor %}"
    "{% block body %}{{ item('in a block', b=[1]) }}{% endblock %}"
    "{% call(v) box(7) %}v={{ v }}{% endcall %}{{ rest(1, 2, k=3) }}{{ rest() }}{{ va() }}{{ kw() }}{{ outer('&') }}"
    "{% autoescape false %}{{ item('<raw>') }}{% endautoescape %}{{ item('x') | length }}"
)


@pytest.mark.parametrize("source", [
    _MACRO_CALLS,
    "{% macro item(a) %}{{ a }}{% endmacro %}{{ item(1, 2) }}",
    "{% macro item(a) %}{{ a }}{% endmacro %}{{ item(1, b=2) }}",
    "{% macro item(a) %}{{ a }}{% endmacro %}{{ item(1, a=2) }}",
    "{% macro box(x) %}<{{ caller(x) }}>{% endmacro %}{{ box(1) }}",
])
def test_macros_are_called_as_stock_jinja_calls_them(make_site: SiteFactory, source: str) -> None:
    site = make_site({"content/articles/a.md": article("Exporters Gain")})
    config = load_config(site, Report())
    assert config is not None

    def rendered(environment: jinja2.Environment) -> str:
        try:
            return environment.from_string(source).render()
        except (TypeError, jinja2.UndefinedError) as exc:  # a call that does not fit the macro: the same error
            return f"{type(exc).__name__}: {exc}"

    ours = rendered(make_environment(site, config))
    assert ours == rendered(jinja2.Environment(autoescape=True))
    assert ("Error: " in ours) == (source != _MACRO_CALLS)
