"""Full-text search: Pagefind's index is built into /pagefind/ with the site, all or nothing."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, SiteFactory, article, options
from gettimes import search
from gettimes.build import build_site, check_site
from gettimes.diagnostics import SiteError

ARTICLES = {
    "content/articles/tariffs.md": article("Tariff Talks Resume", category="World",
                                           body="Negotiators met in a lighthouse to discuss tariffs.\n",
                                           author="Jane Doe"),
    "content/articles/chips.md": article("Chip Orders Climb", date="2025-06-24 09:00:00+09:00",
                                         category="Business", body="Foundries report record orders.\n",
                                         author="Kim Hana"),
    "content/articles/poem.md": article("시의 계절", date="2025-06-25 09:00:00+09:00", category="Arts&Culture",
                                        body="가을 밤에 시인이 낭독회를 열었다.\n", lang="ko"),
}


def built(make_site: SiteFactory, config: str = BASIC_CONFIG) -> Path:
    site = make_site(ARTICLES, config=config)
    build_site(site, options())
    return site / "public"


def fragments(output: Path) -> list[dict[str, object]]:
    """What Pagefind stored for each indexed page."""
    pages = []
    for path in sorted((output / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        pages.append(json.loads(data[len(b"pagefind_dcd"):]))
    return pages


def test_a_build_with_search_writes_the_pagefind_bundle(make_site: SiteFactory) -> None:
    output = built(make_site)
    assert (output / "pagefind" / "pagefind.js").is_file()
    assert (output / "pagefind" / "pagefind-ui.js").is_file()
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert sum(language["page_count"] for language in entry["languages"].values()) == 3
    assert (output / "search" / "index.html").is_file()


def test_only_articles_are_indexed_with_their_title_date_category_and_reporter(make_site: SiteFactory) -> None:
    pages = fragments(built(make_site))
    assert len(pages) == 3
    tariffs = next(page for page in pages if page["url"] == "/article/tariff-talks-resume/")
    assert "lighthouse" in str(tariffs["content"])
    assert "Chip Orders Climb" not in str(tariffs["content"])  # sidebars and listings are not indexed
    assert tariffs["meta"] == {"title": "Tariff Talks Resume", "date": "2025-06-23T17:05:06+09:00"}
    assert tariffs["filters"] == {"category": ["World"], "reporter": ["Jane Doe"]}
    korean = next(page for page in pages if "낭독회" in str(page["content"]))
    assert korean["filters"] == {"category": ["Arts&Culture"]}


def bundle(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted((output / "pagefind").rglob("*")) if p.is_file()}


def test_two_clean_builds_write_the_same_bundle(make_site: SiteFactory) -> None:
    """Pagefind orders filter values at random; the build puts them in order."""
    output = built(make_site)
    first = bundle(output)
    assert len([rel for rel in first if rel.endswith(".pf_filter")]) == 2
    for _ in range(3):
        shutil.rmtree(output)
        build_site(output.parent, options(cache=False))
        assert bundle(output) == first


def test_search_false_writes_no_index_and_no_search_page(make_site: SiteFactory) -> None:
    output = built(make_site, BASIC_CONFIG + "search: false\n")
    assert (output / "index.html").is_file()
    assert not (output / "pagefind").exists()
    assert not (output / "search").exists()
    assert b"/search/" not in (output / "index.html").read_bytes()


def test_a_pagefind_failure_is_a_diagnostic_and_keeps_the_previous_site(make_site: SiteFactory,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    output = built(make_site)
    before = {p: p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    site = output.parent
    (site / "content/articles/new.md").write_text(article("A New Story"), encoding="utf-8")
    monkeypatch.setattr(search, "COMMAND", (sys.executable, "-c", "import sys; sys.exit('index broken')"))
    with pytest.raises(SiteError) as failure:
        build_site(site, options())
    messages = [str(d) for d in failure.value.report.errors]
    assert any(m.startswith("pagefind: search: Pagefind failed") and "index broken" in m for m in messages), messages
    after = {p: p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    assert after == before


def test_a_missing_pagefind_program_is_a_diagnostic(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    site = make_site(ARTICLES)
    monkeypatch.setattr(search, "COMMAND", (str(tmp_path / "no-such-pagefind"),))
    with pytest.raises(SiteError) as failure:
        build_site(site, options())
    assert [d.message.split(":")[0] for d in failure.value.report.errors] == ["search"]
    assert not (site / "public").exists()


def test_check_does_not_report_the_index_as_broken_links(make_site: SiteFactory) -> None:
    site = make_site(ARTICLES)
    report = check_site(site, options())
    assert not report.errors, [str(d) for d in report.errors]


def test_a_deleted_article_is_no_longer_found(make_site: SiteFactory) -> None:
    """The staging folder still holds an earlier site's pages when Pagefind runs; the index must not."""
    output = built(make_site)
    site = output.parent
    tariffs = site / "content/articles/tariffs.md"
    tariffs.write_text(tariffs.read_text("utf-8") + "\nA correction.\n", encoding="utf-8")
    build_site(site, options())  # the staging folder now holds the first build, poem included
    assert (site / ".public.gettimes-tmp/article/siyi-gyejeol/index.html").is_file()
    (site / "content/articles/poem.md").unlink()
    build_site(site, options())
    urls = sorted(str(page["url"]) for page in fragments(output))
    assert len(urls) == 2 and not any("siyi" in url for url in urls)
