"""Search in a real browser: the demo's Pagefind index, through the search page, in Debian's Chromium."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The only published demo article whose text has this word.
WORD = "paperwork"
ARTICLE = "/article/trade-ministers-agree-on-digital-customs-pilot-for-small-exporters/"
COMMON_WORD = "exports"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def indexed_pages(output: Path) -> list[dict[str, Any]]:
    pages = []
    for path in sorted((output / "pagefind" / "fragment").glob("*.pf_fragment")):
        pages.append(json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):]))
    return pages


def result_links(page: Any) -> list[str]:
    page.wait_for_selector(".pagefind-ui__message:not(.pagefind-ui__loading)")
    page.wait_for_function("() => !document.querySelector('.pagefind-ui__result .pagefind-ui__loading')")
    links = [str(link.get_attribute("href")) for link in page.locator(".pagefind-ui__result-link").all()]
    return [link for link in links if "#" not in link]  # not the sections within a result


def test_the_word_is_in_one_demo_article_only(demo_output: Path) -> None:
    """Guards the fixture: otherwise the next test proves nothing."""
    found = [page["url"] for page in indexed_pages(demo_output) if WORD in str(page["content"]).lower()]
    assert found == [ARTICLE]


def test_typing_a_word_finds_the_one_article_with_it(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/search/")
    box = page.locator(".pagefind-ui__search-input")
    box.fill(WORD)
    page.get_by_text("1 result for paperwork").wait_for()
    assert result_links(page) == [ARTICLE]
    title = page.locator(".pagefind-ui__result-link").first.inner_text()
    assert title == "Trade Ministers Agree on Digital Customs Pilot for Small Exporters"
    assert "paperwork" in page.locator(".pagefind-ui__result-excerpt").first.inner_text().lower()
    page.locator(".pagefind-ui__result-link").first.click()
    page.wait_for_url(demo_url + ARTICLE)


def test_the_query_in_the_address_is_searched_at_once(page: Any, demo_url: str) -> None:
    page.goto(demo_url + f"/search/?q={WORD}")
    page.get_by_text("1 result for paperwork").wait_for()
    assert result_links(page) == [ARTICLE]
    assert page.locator(".pagefind-ui__search-input").input_value() == WORD
    assert page.locator("#search-fallback").is_hidden()  # the plain form is only for browsers without script


def test_filtering_by_category_keeps_only_its_articles(page: Any, demo_url: str, demo_output: Path) -> None:
    in_category = {p["url"] for p in indexed_pages(demo_output) if p["filters"].get("category") == ["Business"]}
    with_word = {p["url"] for p in indexed_pages(demo_output) if COMMON_WORD in str(p["content"]).lower()}
    assert with_word & in_category and with_word - in_category  # the filter has something to do
    page.goto(demo_url + f"/search/?q={COMMON_WORD}")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    unfiltered = set(result_links(page))
    assert unfiltered - in_category  # other sections' articles are found at first
    message = page.locator(".pagefind-ui__message").inner_text()
    page.locator(".pagefind-ui__filter-name", has_text="category").click()
    page.locator(".pagefind-ui__filter-value", has_text="Business").locator("input").check()
    page.wait_for_function("m => document.querySelector('.pagefind-ui__message').textContent !== m", arg=message)
    filtered = set(result_links(page))
    assert filtered and filtered <= in_category


def test_a_korean_word_finds_the_korean_article(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/search/?q=걸프")  # "Gulf", only in the article on cosmetics in the Middle East
    page.get_by_text("1 result for 걸프").wait_for()
    assert result_links(page) == ["/article/k-beauty-middle-east/"]
