"""The sidebar and footer are drawn once per build, yet a site's own partials still decide what they show."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SiteFactory, article, options
from gettimes.build import build_site, load_site
from gettimes.diagnostics import Report, SiteError
from gettimes.render import PageRenderer


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


def test_the_themes_sidebar_and_footer_are_drawn_once_per_build(make_site: SiteFactory) -> None:
    drawn = renderer(site_with(make_site))
    assert set(drawn.partials) == {"sidebar_html", "footer_html"}
    assert not drawn.page_partials
    assert 'class="sidebar"' in drawn.partials["sidebar_html"]
    assert 'class="site-footer"' in drawn.partials["footer_html"]


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
