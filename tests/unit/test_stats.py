"""The stats file: Most Viewed, Weekly Hot Issue and each reporter's most read.

The fixed clock is 2025-06-30 03:00 UTC, 12:00 in Asia/Seoul, so the weekly
window of the basic site runs from 2025-06-24 to 2025-06-30, both included.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, FIXED_NOW, SiteFactory, article, options
from gettimes import stats
from gettimes.build import BuildOptions, Site, load_site
from gettimes.diagnostics import Report
from gettimes.models import Article, Category
from gettimes.stats import read_stats

ARTICLES = {
    "content/articles/old.md": article("Old Favourite", "2025-06-01 09:00:00+09:00", slug="old",
                                       author="KIM MIN-SEO"),
    "content/articles/mid.md": article("Mid Story", "2025-06-20 09:00:00+09:00", slug="mid",
                                       author="KIM MIN-SEO", aliases="[/old-mid-url/]"),
    "content/articles/new.md": article("New Story", "2025-06-25 09:00:00+09:00", slug="new",
                                       author="LEE JUN"),
    "data/authors.yaml": "- name: KIM MIN-SEO\n- name: LEE JUN\n",
}


def load(site_dir: Path, build: BuildOptions | None = None) -> tuple[Site, list[str]]:
    report = Report()
    site = load_site(site_dir, build or options(), report)
    assert site is not None, [str(d) for d in report]
    assert not report.has_errors
    return site, [str(d) for d in report.warnings]


def slugs(articles: tuple[object, ...]) -> list[str]:
    return [a.slug for a in articles]  # type: ignore[attr-defined]


def test_all_time_and_weekly_rankings_differ(make_site: SiteFactory) -> None:
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": """\
        path,views,date
        /article/old/,1000,2025-06-10
        /article/mid/,300,2025-06-24
        /article/mid/,100,2025-06-23
        /article/new/,500,2025-06-30
        /article/new/,50,2025-07-01
        """}))
    assert warnings == []
    assert slugs(site.index.most_viewed) == ["old", "new", "mid"]  # 1000, 550, 400
    # 06-24 is the first day of the week ending 06-30; 06-23 and the future 07-01 are not in it
    assert slugs(site.index.weekly_hot) == ["new", "mid"]  # 500, 300


def test_rows_without_a_date_count_for_all_time_only(make_site: SiteFactory) -> None:
    site, _ = load(make_site({**ARTICLES, "data/stats.csv": """\
        path,views
        /article/old/,10
        /article/new/,20
        """}))
    assert slugs(site.index.most_viewed) == ["new", "old"]
    assert site.index.weekly_hot == ()


def test_ties_go_to_the_newer_article_then_the_slug(make_site: SiteFactory) -> None:
    files = {
        **ARTICLES,
        "content/articles/twin-b.md": article("Twin B", "2025-06-26 09:00:00+09:00", slug="twin-b"),
        "content/articles/twin-a.md": article("Twin A", "2025-06-26 09:00:00+09:00", slug="twin-a"),
        "data/stats.csv": """\
            path,views,date
            /article/old/,70,2025-06-28
            /article/new/,70,2025-06-28
            /article/twin-b/,70,2025-06-28
            /article/twin-a/,70,2025-06-28
            /article/mid/,70,2025-06-28
            """,
    }
    site, _ = load(make_site(files))
    expected = ["twin-a", "twin-b", "new", "mid", "old"]
    assert slugs(site.index.most_viewed) == expected
    assert slugs(site.index.weekly_hot) == expected


def test_paths_full_urls_and_aliases_all_name_the_article(make_site: SiteFactory) -> None:
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": """\
        path,views,date
        /article/mid,1,2025-06-28
        /article/mid/,2,2025-06-28
        https://news.example.com/article/mid/,4,2025-06-28
        http://NEWS.example.com/article/mid?utm_source=x,8,2025-06-28
        /article/mid/index.html,16,2025-06-28
        /old-mid-url/,32,2025-06-28
        /article/%6Did/,64,2025-06-28
        /article/old/,126,2025-06-28
        """}))
    assert warnings == []
    assert slugs(site.index.most_viewed) == ["mid", "old"]  # 127 against 126: every form counted
    counts = _views(site)
    assert counts == {"mid": 127, "old": 126}


def _views(site: Site) -> dict[str, int]:
    """All-time views per slug, read again from the site's stats file, to test the sums exactly."""
    report = Report()
    views = read_stats(site.root, site.config, site.articles, site.index.pages, site.now, report)
    by_url = {a.url: a.slug for a in site.articles}
    return {by_url[url]: count for url, count in views.total.items()}


def test_the_slug_column_may_stand_in_for_the_path(make_site: SiteFactory) -> None:
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": """\
        slug,views,date
        mid,40,2025-06-29
        new,30,2025-06-29
        gone,99,2025-06-29
        """}))
    assert warnings == ["data/stats.csv:4: warning: no article with slug 'gone'; row skipped"]
    assert slugs(site.index.most_viewed) == ["mid", "new"]
    assert slugs(site.index.weekly_hot) == ["mid", "new"]


def test_malformed_and_unknown_rows_are_warnings_with_their_line(make_site: SiteFactory) -> None:
    lines = [
        "path,views,date",                              # 1
        "/article/old/,5,2025-06-29",                   # 2 counted
        "/article/nope/,5,",                            # 3 unknown
        "/article/old/,-3,2025-06-29",                  # 4 negative
        "/article/old/,abc,",                           # 5 not a number
        "/article/old/,5,2025/06/01",                   # 6 date form
        "/article/old/,5,2025-02-30",                   # 7 no such day
        ",5,2025-06-29",                                # 8 no path
        "/article/old/",                                # 9 no views
        "",                                             # 10 blank: skipped quietly
        "https://elsewhere.example.org/article/old/,5,",  # 11 another host
        "/category/world/,100,",                        # 12 a listing page: skipped quietly
        '"/article/new/","7","2025-06-29"',             # 13 counted
        "/article/old/,1.5,",                           # 14 not whole
        "/,900,",                                       # 15 the home page: skipped quietly
        "/feed.xml,30,",                                # 16 the feed: skipped quietly
        "/article/nope/,2,2025-06-28",                  # 17 unknown again: warned again
        "/article/old/,4,2025/06/01",                   # 18 the same bad date again
        "/article/old/,3,2025-06-29",                   # 19 counted: a path seen before
    ]
    # a byte order mark and CRLF line endings, as spreadsheet exports write them
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": data}))
    assert warnings == [
        "data/stats.csv:3: warning: no article at '/article/nope/'; row skipped",
        "data/stats.csv:4: warning: views must be a whole number of 0 or more, not '-3'; row skipped",
        "data/stats.csv:5: warning: views must be a whole number of 0 or more, not 'abc'; row skipped",
        "data/stats.csv:6: warning: date must be a day written YYYY-MM-DD, not '2025/06/01'; row skipped",
        "data/stats.csv:7: warning: date must be a day written YYYY-MM-DD, not '2025-02-30'; row skipped",
        "data/stats.csv:8: warning: missing path; row skipped",
        "data/stats.csv:9: warning: missing views; row skipped",
        "data/stats.csv:11: warning: 'https://elsewhere.example.org/article/old/' is not on this site's host "
        "(news.example.com); row skipped",
        "data/stats.csv:14: warning: views must be a whole number of 0 or more, not '1.5'; row skipped",
        "data/stats.csv:17: warning: no article at '/article/nope/'; row skipped",
        "data/stats.csv:18: warning: date must be a day written YYYY-MM-DD, not '2025/06/01'; row skipped",
    ]
    assert slugs(site.index.most_viewed) == ["old", "new"]
    assert _views(site) == {"old": 8, "new": 7}


def test_a_quoted_field_over_two_lines_keeps_the_following_line_numbers(make_site: SiteFactory) -> None:
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": """\
        path,views,date,note
        /article/old/,5,2025-06-29,"spans
        two lines"
        /article/nope/,1,,
        """}))
    assert warnings == ["data/stats.csv:4: warning: no article at '/article/nope/'; row skipped"]
    assert slugs(site.index.most_viewed) == ["old"]


@pytest.mark.parametrize("content", [
    "/article/old/,5,2025-06-29\n",
    "",
    "page,count\n/article/old/,5\n",
])
def test_a_missing_header_is_a_warning_on_line_1_and_nothing_counts(make_site: SiteFactory, content: str) -> None:
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": content}))
    assert len(warnings) == 1
    assert warnings[0].startswith("data/stats.csv:1: warning: the first line must be a header naming the columns "
                                  "path (or slug), views and, optionally, date; found '")
    assert warnings[0].endswith("', so the file is ignored")
    assert site.index.most_viewed == ()


def test_a_file_that_is_not_utf8_is_a_warning_at_the_bad_line(make_site: SiteFactory) -> None:
    data = b"path,views\n/article/old/,5\n/article/\xc7\xd1/,3\n"
    site, warnings = load(make_site({**ARTICLES, "data/stats.csv": data}))
    assert warnings == ["data/stats.csv:3: warning: the stats file is not UTF-8 text; it is ignored"]
    assert site.index.most_viewed == ()


def test_no_stats_file_is_fine_unless_the_configuration_names_one(make_site: SiteFactory) -> None:
    site, warnings = load(make_site(ARTICLES))
    assert warnings == []
    assert site.index.most_viewed == site.index.weekly_hot == ()

    site, warnings = load(make_site(ARTICLES, config=BASIC_CONFIG + "stats: data/views.csv\n"))
    assert warnings == ["data/views.csv: warning: the stats file named by 'stats' in gettimes.yaml does not exist; "
                        "Most Viewed and Weekly Hot Issue stay empty"]


def test_the_configured_stats_file_is_the_one_read(make_site: SiteFactory) -> None:
    site_dir = make_site({**ARTICLES, "data/views.csv": "path,views\n/article/mid/,9\n",
                          "data/stats.csv": "path,views\n/article/old/,9\n"},
                         config=BASIC_CONFIG + "stats: data/views.csv\n")
    site, warnings = load(site_dir)
    assert warnings == []
    assert slugs(site.index.most_viewed) == ["mid"]


def test_sidebar_items_limits_every_list(make_site: SiteFactory) -> None:
    site, _ = load(make_site({**ARTICLES, "data/stats.csv": """\
        path,views,date
        /article/old/,3,2025-06-29
        /article/mid/,2,2025-06-29
        /article/new/,1,2025-06-29
        """}, config=BASIC_CONFIG + "sidebar_items: 2\n"))
    assert slugs(site.index.most_viewed) == ["old", "mid"]
    assert slugs(site.index.weekly_hot) == ["old", "mid"]
    assert slugs(site.index.author_most_read["kim-min-seo"]) == ["old", "mid"]


def test_only_published_articles_are_ranked(make_site: SiteFactory) -> None:
    files = {
        **ARTICLES,
        "content/articles/draft.md": article("Draft", "2025-06-28 09:00:00+09:00", slug="draft", draft="true"),
        "content/articles/later.md": article("Later", "2025-07-02 09:00:00+09:00", slug="later"),
        "data/stats.csv": """\
            path,views,date
            /article/draft/,900,2025-06-29
            /article/later/,800,2025-06-29
            /article/old/,1,2025-06-29
            """,
    }
    site_dir = make_site(files)
    site, warnings = load(site_dir)
    assert warnings == []  # rows for unpublished articles are not unknown pages
    assert slugs(site.index.most_viewed) == ["old"]
    site, _ = load(site_dir, options(drafts=True, future=True))
    assert slugs(site.index.most_viewed) == ["draft", "later", "old"]


def test_each_reporter_has_their_most_read_articles(make_site: SiteFactory) -> None:
    site, _ = load(make_site({**ARTICLES, "data/stats.csv": """\
        path,views
        /article/old/,10
        /article/mid/,20
        /article/new/,5
        """}))
    assert {slug: slugs(items) for slug, items in site.index.author_most_read.items()} == {
        "kim-min-seo": ["mid", "old"],
        "lee-jun": ["new"],
    }


ZONE_CONFIG = BASIC_CONFIG.replace("timezone: Asia/Seoul", "timezone: ZONE")


@pytest.mark.parametrize(("zone", "now", "counted", "not_counted"), [
    # 12:00 UTC on 06-29 is already 02:00 on 06-30 at UTC+14: the build date is 06-30
    ("Pacific/Kiritimati", datetime(2025, 6, 29, 12, 0, tzinfo=UTC), ["2025-06-30", "2025-06-24"],
     ["2025-06-23", "2025-07-01"]),
    # 03:00 UTC on 06-30 is still 16:00 on 06-29 at UTC-11: the build date is 06-29
    ("Pacific/Pago_Pago", datetime(2025, 6, 30, 3, 0, tzinfo=UTC), ["2025-06-29", "2025-06-23"],
     ["2025-06-22", "2025-06-30"]),
])
def test_the_week_ends_on_the_build_date_in_the_site_time_zone(
        make_site: SiteFactory, zone: str, now: datetime, counted: list[str], not_counted: list[str]) -> None:
    files = {f"content/articles/{n}.md": article(f"Story {n}", "2025-06-01 09:00:00", slug=f"s{n}")
             for n in range(4)}
    days = [*counted, *not_counted]
    files["data/stats.csv"] = "path,views,date\n" + "".join(
        f"/article/s{n}/,{10 + n},{day}\n" for n, day in enumerate(days))
    site, warnings = load(make_site(files, config=ZONE_CONFIG.replace("ZONE", zone)), options(now=now))
    assert warnings == []
    assert slugs(site.index.weekly_hot) == ["s1", "s0"]
    assert slugs(site.index.most_viewed) == ["s3", "s2", "s1", "s0"]



@pytest.mark.parametrize("seed", range(4))
def test_rankings_are_the_first_entries_of_the_whole_order(seed: int) -> None:
    """Ranking looks closely only at the articles with the highest counts; that must change
    nothing, ties at the cut included."""
    chance = random.Random(seed)
    articles = [Article(source=f"content/articles/a{n}.md", slug=f"a{n}", url=f"/article/a{n}/", title=f"A{n}",
                        date=FIXED_NOW - timedelta(hours=chance.randrange(6)),
                        category=Category("World", "world", "/category/world/"), body_html="", summary="")
                for n in range(60)]
    counts = {article.url: chance.choice((0, 1, 2, 3, 3, 7)) for article in articles}
    whole = sorted((a for a in articles if counts[a.url] > 0),
                   key=lambda a: (-counts[a.url], -a.date.timestamp(), a.slug))
    for limit in (1, 2, 5, 10, 30, 59, 60, 61):
        assert stats._top(articles, counts, limit) == tuple(whole[:limit])
