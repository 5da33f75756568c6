"""gettimes.yaml: defaults, every bad key reported with its line, categories and their slugs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, SiteFactory, article, options
from gettimes.build import load_site
from gettimes.config import SiteConfig, did_you_mean, load_config
from gettimes.diagnostics import Report

MINIMAL = "title: T\nbase_url: https://news.example.com\ncategories: [World]\n"


def _load(make_site: SiteFactory, config: str | None, base_url: str | None = None
          ) -> tuple[SiteConfig | None, list[tuple[int | None, str]]]:
    site = make_site({}, config=config)
    report = Report()
    loaded = load_config(site, report, base_url)
    assert not report.warnings
    return loaded, [(d.line, d.message) for d in report.errors]


def _errors(make_site: SiteFactory, config: str) -> list[tuple[int | None, str]]:
    # A configuration with errors may still be returned, so that the articles are
    # checked in the same run; the errors fail the build all the same.
    _, errors = _load(make_site, config)
    assert errors
    return errors


def test_minor_config_mistakes_still_let_the_articles_be_checked(make_site: SiteFactory) -> None:
    site = make_site({"content/articles/a.md": article(category="Wordl")},
                     config=BASIC_CONFIG + "timzone: Asia/Seoul\nsidebar_items: zero\n")
    report = Report()
    assert load_site(site, options(), report) is None
    assert [(d.path, d.line) for d in report.errors] == [
        ("content/articles/a.md", 4), ("gettimes.yaml", 10), ("gettimes.yaml", 11)]


def test_essential_config_mistakes_stop_before_the_articles(make_site: SiteFactory) -> None:
    loaded, errors = _load(make_site, BASIC_CONFIG.replace("base_url: https://news.example.com", "base_url: x"))
    assert loaded is None and errors


def test_basic_config(make_site: SiteFactory) -> None:
    config, errors = _load(make_site, BASIC_CONFIG)
    assert errors == [] and config is not None
    assert config.title == "Test Times"
    assert config.base_url == "https://news.example.com"
    assert str(config.timezone) == "Asia/Seoul"
    assert config.paginate == 2
    assert [(c.name, c.slug) for c in config.categories] == [
        ("World", "world"), ("Business", "business"), ("Arts&Culture", "culture")]


def test_defaults(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL)
    assert config is not None
    assert (config.language, str(config.timezone), config.output_dir, config.stats) == ("en", "UTC", "public",
                                                                                         "data/stats.csv")
    assert (config.paginate, config.feed_items, config.sidebar_items) == (20, 20, 5)
    assert (config.slugs, config.article_permalink, config.markdown_html, config.search) == (
        "ascii", "/article/{slug}/", True, True)
    assert dict(config.publisher) == {} and dict(config.params) == {}


def test_every_setting_is_read(make_site: SiteFactory) -> None:
    config, errors = _load(make_site, MINIMAL + """\
language: ko
timezone: Europe/Berlin
output_dir: site-out
stats: data/views.csv
paginate: 7
feed_items: 9
sidebar_items: 3
slugs: unicode
permalinks:
  article: /{yyyy}/{mm}/{dd}/{category}/{slug}/
markdown:
  html: false
search: false
description: Daily news
publisher: {company: GET Media, ceo: Kim}
params: {analytics: G-1}
""")
    assert errors == [] and config is not None
    assert (config.language, str(config.timezone), config.output_dir, config.stats) == (
        "ko", "Europe/Berlin", "site-out", "data/views.csv")
    assert (config.paginate, config.feed_items, config.sidebar_items, config.slugs) == (7, 9, 3, "unicode")
    assert config.article_permalink == "/{yyyy}/{mm}/{dd}/{category}/{slug}/"
    assert (config.markdown_html, config.search, config.description) == (False, False, "Daily news")
    assert config.publisher["company"] == "GET Media" and config.params["analytics"] == "G-1"


def test_missing_file_is_one_error(tmp_path: Path) -> None:
    report = Report()
    assert load_config(tmp_path, report) is None
    [error] = report.errors
    assert error.path == "gettimes.yaml" and "gettimes init" in error.message


@pytest.mark.parametrize("key", ["title", "base_url", "categories"])
def test_required_keys(make_site: SiteFactory, key: str) -> None:
    text = "".join(line + "\n" for line in MINIMAL.splitlines() if not line.startswith(key))
    errors = _errors(make_site, text)
    assert len(errors) == 1 and f"'{key}'" in errors[0][1] or "base_url" in errors[0][1]
    assert "required" in errors[0][1]


def test_unknown_key_with_line_and_suggestion(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL + "\ntimzone: Asia/Seoul\n")
    assert errors == [(5, "unknown configuration key 'timzone' (did you mean \"timezone\"?)")]


def test_unknown_key_without_a_close_match_has_no_suggestion(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL + "colour_scheme: dark\n")
    assert errors == [(4, "unknown configuration key 'colour_scheme'")]


def test_every_problem_is_reported_in_one_pass(make_site: SiteFactory) -> None:
    errors = _errors(make_site, """\
titel: Test Times
base_url: news.example.com
categoris: [World]
timezone: Mars/Olympus
language: fr
paginate: 0
search: maybe
""")
    lines = [line for line, _ in errors]
    text = "\n".join(message for _, message in errors)
    assert lines == sorted(lines)
    assert len(errors) >= 8
    assert "'titel' (did you mean \"title\"?)" in text
    assert "'categoris' (did you mean \"categories\"?)" in text
    assert "'title' is required" in text and "'categories' is required" in text
    assert "news.example.com" in text and "Mars/Olympus" in text and "'fr'" in text
    assert "'paginate'" in text and "'search'" in text
    assert (3, "unknown configuration key 'categoris' (did you mean \"categories\"?)") in errors
    assert any(line == 4 and "Mars/Olympus" in message for line, message in errors)


@pytest.mark.parametrize(("name", "slug"), [
    ("Arts&Culture", "arts-culture"),
    ("People & Life", "people-life"),
    ("World", "world"),
    ("IT/Science", "it-science"),
    ("경제", "gyeongje"),
])
def test_category_slugs_through_slugify(make_site: SiteFactory, name: str, slug: str) -> None:
    config, _ = _load(make_site, MINIMAL.replace("[World]", f'["{name}"]'))
    assert config is not None
    assert [(c.name, c.slug) for c in config.categories] == [(name, slug)]


def test_category_given_as_mapping_keeps_its_slug(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL.replace("[World]", "\n  - {name: Arts&Culture, slug: culture}\n"
                                                            "  - name: People & Life\n"))
    assert config is not None
    assert [(c.name, c.slug) for c in config.categories] == [("Arts&Culture", "culture"),
                                                             ("People & Life", "people-life")]


def test_unicode_category_slugs(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL.replace("[World]", "[경제, 국제]") + "slugs: unicode\n")
    assert config is not None
    assert [c.slug for c in config.categories] == ["경제", "국제"]


def test_categories_keep_their_order(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL.replace("[World]", "[Sports, World, Business]"))
    assert config is not None
    assert [c.name for c in config.categories] == ["Sports", "World", "Business"]


def test_category_lookup_is_case_insensitive(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, BASIC_CONFIG)
    assert config is not None
    for written in ("arts&culture", "ARTS&CULTURE", " Arts&Culture ", "culture"):
        found = config.category_named(written)
        assert found is not None and found.slug == "culture"
    assert config.category_named("Sport") is None


def test_duplicate_category_slugs_with_their_line(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL.replace("[World]", "\n  - Arts&Culture\n  - World\n  - Arts & Culture\n"))
    assert errors == [(6, "categories 'Arts&Culture' and 'Arts & Culture' have the same slug 'arts-culture'")]


def test_duplicate_explicit_category_slug(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL.replace("[World]", "\n  - World\n  - {name: Global, slug: world}\n"))
    assert len(errors) == 1 and errors[0][0] == 5 and "same slug 'world'" in errors[0][1]


@pytest.mark.parametrize("item", ["5", "{slug: x}", "[a, b]", "''"])
def test_bad_category_items_with_their_line(make_site: SiteFactory, item: str) -> None:
    errors = _errors(make_site, MINIMAL.replace("[World]", f"\n  - World\n  - {item}\n"))
    assert len(errors) == 1 and errors[0][0] == 5


def test_a_category_name_without_letters_needs_a_slug(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL.replace("[World]", "['!!!']"))
    assert errors == [(3, "category '!!!' needs a slug")]


@pytest.mark.parametrize("slug", ["../x", "a/b", "a\\\\b", "..", "a b", "/a/b/", "a?b"])
def test_unsafe_category_slugs_are_errors(make_site: SiteFactory, slug: str) -> None:
    errors = _errors(make_site, MINIMAL.replace("[World]", f'\n  - World\n  - {{name: Other, slug: "{slug}"}}\n'))
    assert len(errors) == 1 and errors[0][0] == 5, errors


def test_category_slug_with_surrounding_slashes_is_trimmed(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL.replace("[World]", "[{name: Arts, slug: /culture/}]"))
    assert config is not None and config.categories[0].slug == "culture"


@pytest.mark.parametrize("categories", ["[]", "World", "{World: 1}", "null"])
def test_categories_must_be_a_non_empty_list(make_site: SiteFactory, categories: str) -> None:
    errors = _errors(make_site, MINIMAL.replace("[World]", categories))
    assert errors == [(3, "'categories' is required: a list of category names")]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "Asia/seoul", "KST+9"])
def test_bad_timezone(make_site: SiteFactory, zone: str) -> None:
    errors = _errors(make_site, MINIMAL + f'timezone: "{zone}"\n')
    assert len(errors) == 1 and errors[0][0] == 4 and "unknown time zone" in errors[0][1]


@pytest.mark.parametrize("url", ["www.example.com", "ftp://example.com", "https://", "/news",
                                 "https://exa mple.com", "https://example.com/a b", "", "https:/example.com"])
def test_bad_base_url(make_site: SiteFactory, url: str) -> None:
    errors = _errors(make_site, MINIMAL.replace("https://news.example.com", f'"{url}"'))
    assert len(errors) == 1 and errors[0][0] == 2, errors


@pytest.mark.parametrize(("url", "kept"), [
    ("https://news.example.com/", "https://news.example.com"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("https://example.com/news/", "https://example.com/news"),
    ("  https://example.com  ", "https://example.com"),
])
def test_good_base_url_loses_its_trailing_slash(make_site: SiteFactory, url: str, kept: str) -> None:
    config, errors = _load(make_site, MINIMAL.replace("https://news.example.com", f'"{url}"'))
    assert errors == [] and config is not None and config.base_url == kept


def test_base_url_override(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL, base_url="http://localhost:8000/")
    assert config is not None and config.base_url == "http://localhost:8000"


def test_bad_base_url_override_names_the_option(make_site: SiteFactory) -> None:
    _, errors = _load(make_site, MINIMAL, base_url="localhost")
    assert len(errors) == 1 and errors[0][1].startswith("--base-url:")


@pytest.mark.parametrize("pattern", [
    "/article/{slug}/", "/{yyyy}/{mm}/{slug}/", "/news/{category}/{slug}.html", "/{yyyy}/{mm}/{dd}/{slug}/",
])
def test_good_permalinks(make_site: SiteFactory, pattern: str) -> None:
    config, errors = _load(make_site, MINIMAL + f"permalinks:\n  article: {pattern}\n")
    assert errors == [] and config is not None and config.article_permalink == pattern


@pytest.mark.parametrize("pattern", [
    "/news/{id}/",  # unknown placeholder
    "/news/",  # no slug: every article on one URL
    "news/{slug}/",  # not rooted
    "/../{slug}/",  # leaves the output
    "/news/{slug}/}/",  # a stray brace
    "/news/{slug}/{/",
    "/news/{slug:>10}/",  # format specs
    "/news/{slug.upper}/",
    "/news/{0}/{slug}/",
    "/news\\{slug}/",
])
def test_bad_permalinks(make_site: SiteFactory, pattern: str) -> None:
    errors = _errors(make_site, MINIMAL + f"permalinks:\n  article: '{pattern}'\n")
    assert len(errors) == 1 and errors[0][0] == 4 and "permalinks.article" in errors[0][1], errors


def test_unknown_permalink_kind(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL + "permalinks:\n  tag: /t/{slug}/\n")
    assert errors == [(4, "unknown permalink 'tag' (only 'article' can be set)")]


def test_unknown_markdown_option(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL + "markdown:\n  typographer: true\n")
    assert errors == [(4, "unknown markdown option 'typographer' (only 'html' is known)")]


@pytest.mark.parametrize(("setting", "text"), [
    ("language: fr", "'language' must be one of en, ko, not 'fr'"),
    ("slugs: latin", "'slugs' must be one of ascii, unicode, not 'latin'"),
    ("paginate: 0", "'paginate' must be a whole number of at least 1"),
    ("feed_items: ten", "'feed_items' must be a whole number of at least 1"),
    ("sidebar_items: true", "'sidebar_items' must be a whole number of at least 1"),
    ("search: 'yes'", "'search' must be true or false"),
    ("publisher: Kim", "'publisher' must be a mapping of keys to values"),
    ("output_dir: [a]", "'output_dir' must be text"),
])
def test_ill_typed_values_with_their_line(make_site: SiteFactory, setting: str, text: str) -> None:
    assert _errors(make_site, MINIMAL + setting + "\n") == [(4, text)]


def test_yaml_syntax_error_line(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL + "publisher:\n  company: GET\n   ceo: Kim\n")
    assert len(errors) == 1 and errors[0][0] == 6 and errors[0][1].startswith("invalid YAML")


@pytest.mark.parametrize("text", ["- title\n- base_url\n", "just words\n", ""])
def test_config_must_be_a_mapping(make_site: SiteFactory, text: str) -> None:
    assert _errors(make_site, text) == [(1, "the configuration must be a mapping of keys to values")]


def test_python_tags_in_config_are_refused(make_site: SiteFactory) -> None:
    errors = _errors(make_site, MINIMAL + "description: !!python/object/apply:os.system [echo]\n")
    assert len(errors) == 1 and errors[0][0] == 4 and "not allowed" in errors[0][1]


def test_config_is_frozen(make_site: SiteFactory) -> None:
    config, _ = _load(make_site, MINIMAL)
    assert config is not None
    with pytest.raises(AttributeError):
        config.title = "Changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.publisher["x"] = 1  # type: ignore[index]


def test_did_you_mean() -> None:
    assert did_you_mean("Wrold", ["World", "Business"]) == ' (did you mean "World"?)'
    assert did_you_mean("world", ["World"]) == ' (did you mean "World"?)'
    assert did_you_mean("zzz", ["World", "Business"]) == ""


def test_a_date_that_does_not_exist_is_text_not_a_crash(make_site: SiteFactory) -> None:
    config, errors = _load(make_site, MINIMAL + "description: 2025-02-30\n")
    assert errors == [] and config is not None and config.description == "2025-02-30"


def test_item_lines_count_only_real_line_breaks(make_site: SiteFactory) -> None:
    # YAML also breaks lines at U+2028; the file (and the editor) does not.
    text = 'description: "a\u2028b\u2028c"\n' + MINIMAL.replace("[World]", "\n  - World\n  - World\n")
    assert _errors(make_site, text) == [(6, "categories 'World' and 'World' have the same slug 'world'")]


@pytest.mark.parametrize("pattern", ["/news/{slug}", "/news/{yyyy}/{slug}.php"])
def test_a_permalink_must_name_a_page(make_site: SiteFactory, pattern: str) -> None:
    errors = _errors(make_site, BASIC_CONFIG + f"permalinks:\n  article: {pattern}\n")
    assert [message for _, message in errors] == [
        "permalinks.article must end with '/' (a folder with an index.html) or '.html', "
        "so that every host serves it as a page"]
