"""What the renderer draws once per build (the top bar, the sidebar, the footer, an article's list item),
and how a site's own partials still decide what pages show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SiteFactory, article, options
from gettimes import render
from gettimes.build import build_site, load_site
from gettimes.diagnostics import Report, SiteError
from gettimes.render import PageRenderer, make_environment, plan_pages


def site_with(make_site: SiteFactory, **templates: str) -> Path:
    return make_site({
        "content/articles/a.md": article("Exporters Gain", "2025-06-20 09:00:00+09:00", tags="[Trade]"),
        "content/articles/b.md": article("Chip Orders Climb", "2025-06-23 17:05:06+09:00", category="Business"),
        **{f"templates/{name}": text for name, text in templates.items()},
    })


def page(site: Path, url: str) -> str:
    return (site / "public" / url.strip("/") / "index.html").read_text("utf-8")


def renderer(site: Path) -> PageRenderer:
    loaded = load_site(site, options(), Report())
    assert loaded is not None
    return PageRenderer(loaded.templates, loaded.root, loaded.config, loaded.index, loaded.now)


def test_the_themes_top_bar_sidebar_and_footer_are_drawn_once_per_build(make_site: SiteFactory) -> None:
    drawn = renderer(site_with(make_site))
    assert set(drawn.partials) == {"topbar_html", "sidebar_html", "footer_html"}
    assert not drawn.page_partials
    assert 'class="sidebar"' in drawn.partials["sidebar_html"]
    assert 'class="site-footer"' in drawn.partials["footer_html"]
    assert '<time datetime="2025-06-23">2025.06.23 (Mon)</time>' in drawn.partials["topbar_html"]


def test_a_sidebar_that_reads_the_page_is_drawn_for_each_page(make_site: SiteFactory) -> None:
    site = site_with(make_site, **{
        "_sidebar.html": '<aside class="sidebar">On {{ page_url }}{% if article is defined %}: '
                         '{{ article.title }}{% endif %}</aside>\n',
    })
    assert renderer(site).page_partials == {"sidebar_html": "_sidebar.html"}
    build_site(site, options())
    assert '<aside class="sidebar">On /</aside>' in page(site, "/")
    assert '<aside class="sidebar">On /article/exporters-gain/: Exporters Gain</aside>' in \
        page(site, "/article/exporters-gain/")
    assert '<aside class="sidebar">On /tag/trade/</aside>' in page(site, "/tag/trade/")


@pytest.mark.parametrize("templates", [
    {"_sidebar.html": '<aside class="sidebar">{% include "_here.html" %}</aside>\n',
     "_here.html": "On {{ page_url }}"},
    {"_sidebar.html": '<aside class="sidebar">{% import "_here.html" as here with context %}{{ here.url() }}</aside>\n',
     "_here.html": "{% macro url() %}On {{ page_url }}{% endmacro %}"},
    {"_sidebar.html": '{% set name = "_here" ~ ".html" %}<aside class="sidebar">{% include name %}</aside>\n',
     "_here.html": "On {{ page_url }}"},
], ids=["include", "import-with-context", "computed-name"])
def test_a_sidebar_whose_partials_read_the_page_is_drawn_for_each_page(make_site: SiteFactory,
                                                                       templates: dict[str, str]) -> None:
    site = site_with(make_site, **templates)
    assert renderer(site).page_partials == {"sidebar_html": "_sidebar.html"}
    build_site(site, options())
    assert '<aside class="sidebar">On /</aside>' in page(site, "/")
    assert '<aside class="sidebar">On /tag/trade/</aside>' in page(site, "/tag/trade/")


def test_a_sidebar_importing_macros_without_context_is_drawn_once(make_site: SiteFactory) -> None:
    site = site_with(make_site, **{
        "_sidebar.html": '{% from "_box.html" import box %}<aside class="sidebar">{{ box(site.title) }}</aside>\n',
        "_box.html": "{% macro box(text) %}[{{ text }}]{% endmacro %}",
    })
    assert "sidebar_html" in renderer(site).partials
    build_site(site, options())
    assert '<aside class="sidebar">[Test Times]</aside>' in page(site, "/tag/trade/")


def test_an_overridden_partial_inside_the_footer_is_used(make_site: SiteFactory) -> None:
    site = site_with(make_site, **{"_publisher.html": "<p>Printed by {{ site.title }}</p>\n"})
    build_site(site, options())
    for url in ("/", "/article/chip-orders-climb/", "/category/business/"):
        footer = page(site, url).split('<footer class="site-footer">', 1)[1]
        assert "<p>Printed by Test Times</p>" in footer, url
        assert '<a href="/category/business/">Business</a>' in footer, url


def test_a_partial_that_fails_is_reported_with_its_file_and_line(make_site: SiteFactory) -> None:
    site = site_with(make_site, **{"_sidebar.html": "<aside>\n{{ most_viewed.nothing() }}\n</aside>\n"})
    with pytest.raises(SiteError) as failed:
        build_site(site, options())
    errors = failed.value.report.errors
    assert errors and all(error.path == "templates/_sidebar.html" and error.line == 2 for error in errors), errors
    assert any(error.message.startswith("while rendering / (home)") for error in errors), errors


@pytest.mark.parametrize("name", ["article_item", "section_links"])
def test_a_reused_macro_draws_the_same_arguments_once_per_build(make_site: SiteFactory,
                                                                monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """An article's list item, or the section menu of a current section, is drawn once and reused."""
    site = site_with(make_site)
    loaded = load_site(site, options(), Report())
    assert loaded is not None
    drawn = PageRenderer(loaded.templates, loaded.root, loaded.config, loaded.index, loaded.now)
    macro = vars(loaded.templates.get_template("_macros.html").module)[name]
    calls: list[tuple[object, ...]] = []
    draw: Callable[..., str] = macro._func.draw

    def counted(*arguments: object) -> str:
        calls.append(arguments)
        return draw(*arguments)

    monkeypatch.setattr(macro._func, "draw", counted)
    pages = {job.url: drawn.render(job, Report()) for job in plan_pages(loaded.config, loaded.index)}
    assert calls and len(calls) == len({(id(call[0]), *call[1:]) for call in calls}), "each drawing once"

    monkeypatch.setattr(render, "REUSED_MACROS", ())
    fresh = make_environment(loaded.root, loaded.config)
    plain = PageRenderer(fresh, loaded.root, loaded.config, loaded.index, loaded.now)
    assert {job.url: plain.render(job, Report()) for job in plan_pages(loaded.config, loaded.index)} == pages


def test_drawings_are_kept_only_for_plain_arguments_and_the_sites_objects(make_site: SiteFactory) -> None:
    loaded = load_site(site_with(make_site), options(), Report())
    assert loaded is not None
    story, other = loaded.articles
    calls: list[tuple[object, ...]] = []

    def draw(*arguments: object) -> str:
        calls.append(arguments)
        return f"drawing {len(calls)}"

    drawings = render._Drawings(draw)
    assert drawings(story, True, "h2") == drawings(story, True, "h2") == "drawing 1"
    assert drawings(story, False, "h2") == "drawing 2"
    assert drawings(other, True, "h2") == "drawing 3"
    assert drawings(story, 1, "h2") == "drawing 4" and drawings(story, 1, "h2") == "drawing 5", "1 is not True"
    assert drawings({"title": "x"}, True) == "drawing 6" and drawings({"title": "x"}, True) == "drawing 7"
    assert drawings("site-search", "Search") == drawings("site-search", "Search") == "drawing 8"
    assert drawings(story.category, "h2") == drawings(story.category, "h2") == "drawing 9"
    assert drawings([story], "h2") == "drawing 10" and drawings([story], "h2") == "drawing 11", "a list may change"


def test_pages_read_the_rankings_and_the_edition_only_through_the_partials(make_site: SiteFactory) -> None:
    reads = renderer(site_with(make_site)).page_reads()
    assert not reads.names & {"most_viewed", "weekly_hot", "hot_issue"}
    assert "author_most_read" not in reads.names  # the reporter box reads the page's own most_read_by
    assert reads.site_fields is not None
    assert "edition" not in reads.site_fields and {"title", "params", "categories"} <= reads.site_fields


@pytest.mark.parametrize(("templates", "read"), [
    ({"404.html": '{% extends "base.html" %}{% block content %}{{ site }}{% endblock %}\n'}, None),
    ({"404.html": '{% extends "base.html" %}{% block content %}{{ shout(site) }}{% endblock %}\n'}, None),
    ({"404.html": '{% extends "base.html" %}{% block content %}{{ site.edition }}{% endblock %}\n'}, "edition"),
    ({"404.html": '{% from "_mine.html" import when %}{% extends "base.html" %}'
                  '{% block content %}{{ when(site) }}{% endblock %}\n',
      "_mine.html": "{% macro when(paper) %}{{ paper.edition }}{% endmacro %}\n"}, "edition"),
])
def test_a_template_reading_more_of_site_makes_it_part_of_every_page(
        make_site: SiteFactory, templates: dict[str, str], read: str | None) -> None:
    fields = renderer(site_with(make_site, **templates)).page_reads().site_fields
    assert fields is None if read is None else read in fields


def test_a_partial_included_by_a_page_counts_as_read_by_it(make_site: SiteFactory) -> None:
    site = site_with(make_site, **{
        "404.html": '{% extends "base.html" %}{% block content %}{% include "_sidebar.html" %}{% endblock %}\n'})
    assert {"most_viewed", "weekly_hot"} <= renderer(site).page_reads().names
