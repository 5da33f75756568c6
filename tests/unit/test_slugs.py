"""URL slugs: derived through python-slugify, never empty, one safe segment, unique per site."""

from __future__ import annotations

import random

import pytest
from slugify import slugify

from conftest import BASIC_CONFIG, SiteFactory, article
from gettimes.content import assign_unique_slugs
from gettimes.diagnostics import Report
from gettimes.slugs import MAX_SLUG_BYTES, Numbered, fallback_slug, is_safe_slug, make_slug

from . import load_articles


@pytest.mark.parametrize(("text", "expected"), [
    ("Arts&Culture", "arts-culture"),
    ("People & Life", "people-life"),
    ("Trump Pushes for Special IP4 Meeting", "trump-pushes-for-special-ip4-meeting"),
    ("  Spaces   around  ", "spaces-around"),
    ("Café Société", "cafe-societe"),
    ("G20: what's next?", "g20-what-s-next"),
    ("한국 경제 성장", "hangug-gyeongje-seongjang"),
])
def test_ascii_slugs(text: str, expected: str) -> None:
    assert make_slug(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("한국 경제 성장", "한국-경제-성장"),
    ("Arts&Culture", "arts-culture"),
    ("서울 Seoul 2025", "서울-seoul-2025"),
])
def test_unicode_slugs_keep_hangul(text: str, expected: str) -> None:
    assert make_slug(text, "unicode") == expected


@pytest.mark.parametrize(("text", "style"), [
    (" ".join(["headline"] * 60), "ascii"),
    ("x" * 500, "ascii"),
    (" ".join(["한국경제"] * 40), "unicode"),
    ("가" * 300, "unicode"),
    (" ".join(["한국경제"] * 40), "ascii"),
])
def test_slugs_of_very_long_titles_fit_a_file_name(text: str, style: str) -> None:
    slug = make_slug(text, style)  # type: ignore[arg-type]
    uncut = slugify(text, allow_unicode=style == "unicode")
    assert 0 < len(slug.encode("utf-8")) <= MAX_SLUG_BYTES and is_safe_slug(slug)
    assert uncut.startswith(slug)
    if "-" in uncut[:len(slug)]:  # cut between words, not inside one
        assert uncut[len(slug)] == "-"


def test_a_long_slug_is_cut_between_words() -> None:
    assert make_slug(" ".join(["headline"] * 60)) == "-".join(["headline"] * 22)


@pytest.mark.parametrize("text", ["!!!", "🎉🎉", "...", "—", "「」", ""])
def test_fallback_slugs_are_safe_and_stable(text: str) -> None:
    assert make_slug(text) == ""
    slug = fallback_slug(text)
    assert slug and is_safe_slug(slug)
    assert fallback_slug(text) == slug


def test_fallback_slugs_differ_for_different_titles() -> None:
    assert fallback_slug("🎉") != fallback_slug("🎊")


@pytest.mark.parametrize(("slug", "safe"), [
    ("trump-ip4-nato", True),
    ("한국-경제", True),
    ("v1.2", True),
    ("2025", True),
    ("../x", False),
    ("..", False),
    (".", False),
    ("a/b", False),
    ("a\\b", False),
    ("a b", False),
    ("", False),
    (".hidden", False),
    ("a..b", False),
    ("-leading-dash", False),
    ("x\x00y", False),
    ("x\ny", False),
    ("a?b", False),
    ("a#b", False),
    ("%2e%2e", False),
    ("a" * MAX_SLUG_BYTES, True),
    ("a" * (MAX_SLUG_BYTES + 1), False),
    ("가" * 67, False),  # 201 bytes
])
def test_safe_slugs_are_one_plain_segment(slug: str, safe: bool) -> None:
    assert is_safe_slug(slug) is safe


# --- numbering repeated names -------------------------------------------------

class _CountingSet(set[str]):
    """A set that counts its membership tests."""

    tests = 0

    def __contains__(self, item: object) -> bool:
        self.tests += 1
        return super().__contains__(item)


def _first_free(name: str, taken: set[str], first: int) -> str:
    """The first of `name`, `name-{first}`, `name-{first + 1}`... not in `taken`: what Numbered must give."""
    unique, number = name, first
    while unique in taken:
        unique, number = f"{name}-{number}", number + 1
    taken.add(unique)
    return unique


def test_numbered_gives_a_free_name_as_it_is_then_numbers_from_first() -> None:
    headings = Numbered(1)
    assert [headings.take("update") for _ in range(3)] == ["update", "update-1", "update-2"]
    articles = Numbered(2, {"market-close", "market-close-3"})
    assert [articles.take("market-close") for _ in range(3)] == ["market-close-2", "market-close-4", "market-close-5"]


def test_numbered_gives_what_counting_from_first_each_time_gives() -> None:
    randomness = random.Random(7)
    names = ["a", "a-1", "a-2", "b", "a-1-1", "b-3", "c"]
    for first in (1, 2):
        for _ in range(200):
            given = set(randomness.sample(names, randomness.randrange(len(names))))
            numbered, expected = Numbered(first, set(given)), set(given)
            for name in randomness.choices(names, k=30):
                assert numbered.take(name) == _first_free(name, expected, first)


def test_a_name_given_many_times_costs_a_few_look_ups_each_not_one_per_earlier_repeat() -> None:
    taken = _CountingSet()
    numbered = Numbered(1, taken)
    names = [numbered.take("update") for _ in range(5000)]
    assert names[-1] == "update-4999" and len(set(names)) == 5000
    assert taken.tests <= 2 * 5000  # counting from 1 each time: 12.5 million


# --- slugs of articles -------------------------------------------------------

def _slugs(make_site: SiteFactory, files: dict[str, str], config: str = BASIC_CONFIG
           ) -> tuple[dict[str, str], Report]:
    """{source file name: final slug} after slugs are made unique, and the report."""
    site = make_site(files, config=config)
    loaded, report, _ = load_articles(site)
    articles = assign_unique_slugs(loaded, report)
    return {a.source.rsplit("/", 1)[1]: a.slug for a in articles}, report


@pytest.mark.parametrize("title", ["!!!", "🎉🎉🎉", "“…”", "???"])
def test_a_title_without_letters_still_gets_a_slug(make_site: SiteFactory, title: str) -> None:
    slugs, report = _slugs(make_site, {"content/articles/x.md": article(title=title)})
    assert not report.has_errors
    assert slugs["x.md"] and is_safe_slug(slugs["x.md"])


def test_a_title_and_file_name_without_letters_still_get_a_slug(make_site: SiteFactory) -> None:
    slugs, report = _slugs(make_site, {"content/articles/🎉.md": article(title="🎉")})
    assert not report.has_errors
    assert slugs["🎉.md"].startswith("article-") and is_safe_slug(slugs["🎉.md"])


def test_korean_titles_are_transliterated_by_default(make_site: SiteFactory) -> None:
    slugs, _ = _slugs(make_site, {"content/articles/k.md": article(title="한국 경제 성장")})
    assert slugs["k.md"] == "hangug-gyeongje-seongjang"


def test_korean_titles_keep_hangul_with_unicode_slugs(make_site: SiteFactory) -> None:
    slugs, _ = _slugs(make_site, {"content/articles/k.md": article(title="한국 경제 성장")},
                      config=BASIC_CONFIG + "slugs: unicode\n")
    assert slugs["k.md"] == "한국-경제-성장"


def test_an_explicit_safe_slug_is_used_as_written(make_site: SiteFactory) -> None:
    slugs, report = _slugs(make_site, {"content/articles/a.md": article(slug="trump-ip4-nato")})
    assert slugs["a.md"] == "trump-ip4-nato" and not report.items


@pytest.mark.parametrize(("written", "used"), [
    ("'../x'", "x"),
    ("'a/b'", "a-b"),
    ("'a\\b'", "a-b"),
    ("'/article/old/'", "article-old"),
    ("'Hello World'", "hello-world"),
    ("'..'", None),
    ("'" + "a" * 300 + "'", "a" * MAX_SLUG_BYTES),
])
def test_unsafe_explicit_slugs_are_sanitised_with_a_warning(make_site: SiteFactory, written: str,
                                                            used: str | None) -> None:
    slugs, report = _slugs(make_site, {"content/articles/a.md": article(slug=written)})
    slug = slugs["a.md"]
    assert is_safe_slug(slug)
    if used is not None:
        assert slug == used
    assert not report.has_errors
    [warning] = report.warnings
    assert warning.line == 5  # the `slug:` line of the file
    assert "not a single URL segment" in warning.message


WEATHER = {
    # File names sort in a different order from the dates.
    "content/articles/a-latest.md": article(title="Weather", date="2025-06-25 09:00:00+09:00"),
    "content/articles/b-oldest.md": article(title="Weather", date="2025-06-21 09:00:00+09:00"),
    "content/articles/c-middle.md": article(title="Weather", date="2025-06-23 09:00:00+09:00"),
}


def test_colliding_derived_slugs_are_numbered_by_date(make_site: SiteFactory) -> None:
    slugs, report = _slugs(make_site, WEATHER)
    assert slugs == {"b-oldest.md": "weather", "c-middle.md": "weather-2", "a-latest.md": "weather-3"}
    assert not report.has_errors
    warned = sorted((d.path, d.message) for d in report.warnings)
    assert [path for path, _ in warned] == ["content/articles/a-latest.md", "content/articles/c-middle.md"]
    assert all("b-oldest.md" in message for _, message in warned)


def test_numbered_slugs_do_not_depend_on_the_order_files_are_read(make_site: SiteFactory) -> None:
    site = make_site(WEATHER)
    loaded, _, _ = load_articles(site)
    results = set()
    for seed in range(6):
        shuffled = list(loaded)
        random.Random(seed).shuffle(shuffled)
        articles = assign_unique_slugs(shuffled, Report())
        results.add(tuple(sorted((a.source, a.slug, a.url) for a in articles)))
    assert len(results) == 1


def test_numbered_slugs_change_the_url_too(make_site: SiteFactory) -> None:
    site = make_site(WEATHER)
    loaded, report, _ = load_articles(site)
    urls = {a.slug: a.url for a in assign_unique_slugs(loaded, report)}
    assert urls == {"weather": "/article/weather/", "weather-2": "/article/weather-2/",
                    "weather-3": "/article/weather-3/"}


def test_numbered_slug_url_with_a_category_named_like_the_article(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG + "permalinks:\n  article: /{category}/{slug}/\n"
    site = make_site({
        "content/articles/a.md": article(title="World", date="2025-06-21"),
        "content/articles/b.md": article(title="World", date="2025-06-22"),
    }, config=config)
    loaded, report, _ = load_articles(site)
    urls = sorted(a.url for a in assign_unique_slugs(loaded, report))
    assert urls == ["/world/world-2/", "/world/world/"]


def test_same_time_collisions_break_by_file_path(make_site: SiteFactory) -> None:
    slugs, _ = _slugs(make_site, {
        "content/articles/2025/b.md": article(title="Weather"),
        "content/articles/2025/a.md": article(title="Weather"),
    })
    assert slugs == {"a.md": "weather", "b.md": "weather-2"}


def test_a_derived_slug_gives_way_to_an_explicit_one(make_site: SiteFactory) -> None:
    slugs, report = _slugs(make_site, {
        "content/articles/old.md": article(title="Weather", date="2025-06-01"),
        "content/articles/new.md": article(title="Forecast", date="2025-06-20", slug="weather"),
    })
    assert slugs == {"new.md": "weather", "old.md": "weather-2"}
    assert not report.has_errors and len(report.warnings) == 1


def test_a_number_suffix_never_lands_on_a_taken_slug(make_site: SiteFactory) -> None:
    slugs, _ = _slugs(make_site, {
        "content/articles/a.md": article(title="Weather", date="2025-06-01"),
        "content/articles/b.md": article(title="Weather 2", date="2025-06-02"),
        "content/articles/c.md": article(title="Weather", date="2025-06-03"),
    })
    assert len(set(slugs.values())) == 3
    assert slugs["a.md"] == "weather" and slugs["b.md"] == "weather-2"


def test_duplicate_explicit_slugs_are_an_error_naming_both_files(make_site: SiteFactory) -> None:
    _, report = _slugs(make_site, {
        "content/articles/2025/06/first.md": article(title="One", slug="same", date="2025-06-01"),
        "content/articles/2025/06/second.md": article(title="Two", slug="same", date="2025-06-02"),
    })
    [error] = report.errors
    named = {error.path} | {part for part in error.message.split() if part.startswith("content/")}
    assert named == {"content/articles/2025/06/first.md", "content/articles/2025/06/second.md"}
    assert error.line == 5  # the `slug:` line
    assert "same" in error.message
