"""Live reload in a real browser: an editor saves, the open tab shows it without a click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import SiteFactory, article
from gettimes.reload import OVERLAY_ID
from serve.support import serving

STORY = "content/articles/2025/06/story.md"
TIMEOUT_MS = 60_000  # a bound for a hung test, not a speed requirement


def story(title: str, category: str = "World") -> str:
    return article(title, slug="story", category=category)


@pytest.fixture
def site(make_site: SiteFactory) -> Path:
    return make_site({STORY: story("Original Headline")})


def _heading(page: Any) -> Any:
    from playwright.sync_api import expect

    return expect(page.locator("h1").first)


def test_saving_a_new_title_reloads_the_open_article(site: Path, page: Any) -> None:
    with serving(site) as running:
        page.goto(f"http://127.0.0.1:{running.port}/article/story/")
        _heading(page).to_have_text("Original Headline")
        page.evaluate("window.sameDocument = true")
        running.write(STORY, story("A Headline Saved Just Now"))
        _heading(page).to_have_text("A Headline Saved Just Now", timeout=TIMEOUT_MS)
        assert page.evaluate("window.sameDocument") is None  # the page was reloaded, not patched


def test_a_broken_save_shows_the_overlay_until_it_is_fixed(site: Path, page: Any) -> None:
    from playwright.sync_api import expect

    with serving(site) as running:
        page.goto(f"http://127.0.0.1:{running.port}/article/story/")
        running.write(STORY, story("Broken", category="<i>Nowhere</i>"))
        overlay = page.locator(f"#{OVERLAY_ID}")
        expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
        expect(overlay).to_contain_text(f"{STORY}:4: ", timeout=TIMEOUT_MS)
        expect(overlay).to_contain_text("<i>Nowhere</i>")  # shown as text, not as markup
        assert page.locator(f"#{OVERLAY_ID} i").count() == 0
        _heading(page).to_have_text("Original Headline")  # the last good page, under the overlay
        running.write(STORY, story("Fixed Headline"))
        _heading(page).to_have_text("Fixed Headline", timeout=TIMEOUT_MS)
        expect(overlay).to_have_count(0)


def test_an_open_page_reconnects_after_the_server_restarts(site: Path, page: Any) -> None:
    with serving(site) as first:
        port = first.port
        page.goto(f"http://127.0.0.1:{port}/article/story/")
        _heading(page).to_have_text("Original Headline")
    (site / STORY).write_text(story("Changed While Stopped"), encoding="utf-8")
    with serving(site, port=port) as second:
        assert second.port == port
        _heading(page).to_have_text("Changed While Stopped", timeout=TIMEOUT_MS)


def test_an_open_search_page_finds_a_saved_article_once_it_is_indexed(site: Path, page: Any) -> None:
    from playwright.sync_api import expect

    with serving(site) as running:
        page.goto(f"http://127.0.0.1:{running.port}/search/?q=zeppelin")
        expect(page.locator(".pagefind-ui__message")).to_contain_text("zeppelin", timeout=TIMEOUT_MS)
        assert page.locator(".pagefind-ui__result-link").count() == 0
        page.evaluate("window.sameDocument = true")
        running.write("content/articles/2025/06/airship.md",
                      article("Airship Returns", slug="airship", body="A zeppelin landed in the harbour.\n"))
        result = page.locator(".pagefind-ui__result-link")
        expect(result).to_have_text("Airship Returns", timeout=TIMEOUT_MS)  # no click: the page reloaded
        assert result.get_attribute("href") == "/article/airship/"
        assert page.evaluate("window.sameDocument") is None
