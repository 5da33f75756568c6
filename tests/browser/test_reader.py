"""What a reader gets in a real browser: accessible, keyboard-usable, responsive, light pages that work without JS.

Runs the built demo site in Debian's headless Chromium through Playwright; screenshots
for review are written to tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import DEMO_PAGES, node_module_file

SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTHS = (360, 375, 414, 768, 1024, 1280, 1920)
ARTICLE = DEMO_PAGES["article"]
OTHER_ARTICLE = "/article/exports-fourth-month-rise/"
PAGE_WEIGHT_LIMIT = 100_000  # bytes, everything but images

ContextFactory = Callable[..., Any]


@pytest.fixture
def new_context(browser: Any) -> Iterator[ContextFactory]:
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def open_page(new_context: ContextFactory, url: str, width: int = 1280, **options: Any) -> Any:
    page = new_context(width, **options).new_page()
    response = page.goto(url)
    assert response is not None and response.ok, url
    return page


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", list(DEMO_PAGES))
def test_axe_finds_no_violations(new_context: ContextFactory, demo_url: str, name: str, width: int) -> None:
    axe = node_module_file("axe-core/axe.min.js")
    page = open_page(new_context, demo_url + DEMO_PAGES[name], width)
    if width < 800:  # check the opened section menu too
        page.get_by_text("Menu", exact=True).click()
    page.add_script_tag(path=str(axe))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    report = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
              for v in violations]
    assert not report, "\n".join(report)


def test_skip_link_comes_first_is_visible_and_jumps_to_the_content(new_context: ContextFactory,
                                                                   demo_url: str) -> None:
    page = open_page(new_context, demo_url + ARTICLE)
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return {cls: e.className, top: r.top, bottom: r.bottom, outline: s.outlineStyle, text: e.textContent};
    }""")
    assert focused["cls"] == "skip-link"
    assert focused["top"] >= 0 and focused["bottom"] > focused["top"], "the focused skip link is on screen"
    assert focused["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_every_focused_control_shows_a_focus_indicator(new_context: ContextFactory, demo_url: str) -> None:
    page = open_page(new_context, demo_url + ARTICLE)
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, text: (e.textContent || '').trim().slice(0, 40),
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
        }""")
        seen.append(state)
        assert state["outline"] != "none" and state["width"] >= 2, state
    assert {s["tag"] for s in seen} >= {"A", "BUTTON"}, "tabbing reaches links and the article's buttons"


@pytest.mark.parametrize("width", [360, 1280])
def test_reading_and_navigating_work_without_javascript(new_context: ContextFactory, demo_url: str,
                                                        width: int) -> None:
    page = open_page(new_context, demo_url + "/", width, java_script_enabled=False)
    business = page.locator(".categories").get_by_role("link", name="Business", exact=True)
    if width < 800:
        assert not business.is_visible(), "the section list is folded behind the menu button on phones"
        page.get_by_text("Menu", exact=True).click()
    assert business.is_visible()
    business.click()
    page.wait_for_url("**/category/business/")
    assert page.locator("h1").inner_text() == "Business"
    page.locator(".item-title a").first.click()
    page.wait_for_url("**/article/**")
    assert len(page.locator(".story-body").inner_text()) > 200
    assert page.locator(".reporter-box a").first.is_visible()
    assert page.locator(".share a.facebook").is_visible()
    # Controls that need a script stay out of the way when there is none.
    assert not page.locator("[data-text-size], [data-print], [data-copy-url]").first.is_visible()
    page.goto(demo_url + "/articles/")
    page.locator(".pagination").get_by_role("link", name="2").click()
    page.wait_for_url("**/articles/page/2/")
    assert page.locator(".item").count() > 0


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scrolling(new_context: ContextFactory, demo_url: str, width: int) -> None:
    page = new_context(width).new_page()
    for name, url in DEMO_PAGES.items():
        page.goto(demo_url + url)
        if width < 800:
            page.get_by_text("Menu", exact=True).click()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_for_review(new_context: ContextFactory, demo_url: str, width: int) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page = new_context(width).new_page()
    for name in ("home", "article", "category", "reporter", "404"):
        page.goto(demo_url + DEMO_PAGES[name])
        page.evaluate("""() => Promise.all([...document.images].map(image => {
            image.loading = "eager";
            return image.complete ? null : new Promise(done => { image.onload = image.onerror = done; });
        }))""")
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG")


def test_article_page_is_light_and_makes_no_third_party_requests(new_context: ContextFactory,
                                                                 demo_url: str) -> None:
    page = new_context(1280).new_page()
    foreign: list[str] = []
    sizes: dict[str, tuple[str, int]] = {}

    def route(handled: Any) -> None:
        if handled.request.url.startswith(demo_url + "/"):
            handled.continue_()
        else:
            foreign.append(handled.request.url)
            handled.abort()

    def measure(response: Any) -> None:
        sizes[response.url] = (response.request.resource_type, len(response.body()))

    page.route("**/*", route)
    page.on("response", measure)
    page.goto(demo_url + ARTICLE, wait_until="networkidle")
    page.mouse.wheel(0, 20_000)  # bring lazy images in too
    page.wait_for_load_state("networkidle")
    assert not foreign, f"third-party requests: {foreign}"
    assert not [url for url, (kind, _) in sizes.items() if kind == "font"], "no web fonts"
    weight = {url: size for url, (kind, size) in sizes.items() if kind != "image"}
    total = sum(weight.values())
    assert total < PAGE_WEIGHT_LIMIT, f"{total} bytes without images: {json.dumps(weight, indent=1)}"
    assert any(kind == "stylesheet" for kind, _ in sizes.values()) and any(
        kind == "script" for kind, _ in sizes.values()), "the theme's CSS and JS were loaded and counted"


def test_text_size_buttons_change_and_remember_the_size(new_context: ContextFactory, demo_url: str) -> None:
    context = new_context(1280)
    page = context.new_page()
    page.goto(demo_url + ARTICLE)
    body = page.locator(".story-body")

    def size() -> float:
        return float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

    start = size()
    page.locator("[data-text-size='1']").click()
    larger = size()
    assert larger > start
    page.goto(demo_url + OTHER_ARTICLE)
    assert size() == larger, "the chosen size carries over to the next article"
    page.locator("[data-text-size='-1']").click()
    page.locator("[data-text-size='-1']").click()
    assert size() < start


def test_copy_url_button_copies_the_canonical_url(new_context: ContextFactory, demo_url: str) -> None:
    context = new_context(1280)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_url)
    page = context.new_page()
    page.goto(demo_url + ARTICLE)
    page.get_by_role("button", name="Copy URL").click()
    page.get_by_role("status").get_by_text("URL copied").wait_for()
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert page.evaluate("navigator.clipboard.readText()") == canonical


def test_print_stylesheet_leaves_only_the_article(new_context: ContextFactory, demo_url: str) -> None:
    page = open_page(new_context, demo_url + ARTICLE)
    page.emulate_media(media="print")
    assert page.locator(".story-title").is_visible()
    assert page.locator(".story-body").is_visible()
    for part in (".topbar", ".category-nav", ".sidebar", ".site-footer", ".share", ".tools", ".related",
                 ".prev-next"):
        assert not page.locator(part).first.is_visible(), f"{part} is printed"


def test_escape_closes_the_section_menu(new_context: ContextFactory, demo_url: str) -> None:
    page = open_page(new_context, demo_url + "/", 375)
    summary = page.get_by_text("Menu", exact=True)
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator(".categories").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".categories").is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
