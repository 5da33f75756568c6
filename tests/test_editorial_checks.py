"""`gettimes check` warns about poor derived descriptions, missing images and duplicate titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXED_NOW, SiteFactory, article, options
from gettimes.build import build_site, check_site, load_site
from gettimes.diagnostics import Report
from gettimes.editorial import check_editorial, description_problem, display_width, normal_title, static_path

ROOT = Path(__file__).resolve().parent.parent
JUNE = "content/articles/2025/06"
LEAD = ("The central bank held its policy rate at 2.5 percent on Thursday, citing slowing "
        "inflation and weak household spending.\n")
ADD = "add a 'summary:' line"


def warnings(site: Path, **changes: object) -> list[str]:
    return [str(d) for d in check_site(site, options(**changes)).warnings]


def problems(site: Path, **changes: object) -> list[str]:
    return [str(d) for d in check_site(site, options(**changes))]


def check(site: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    from gettimes.cli import main

    monkeypatch.chdir(site)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    result = CliRunner().invoke(main, ["check", *args], env={"SOURCE_DATE_EPOCH": str(int(FIXED_NOW.timestamp()))})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


# --- descriptions -----------------------------------------------------------

@pytest.mark.parametrize(("body", "reason"), [
    ("Photo: Yonhap\n\n" + LEAD, 'the first paragraph is too short to describe the article ("Photo: Yonhap")'),
    ("## Background\n\n![Port cranes](https://images.example.org/cranes.jpg)\n",
     "the body has no paragraph of text to describe the article"),
    ("https://www.example.org/reports/2025/exports-by-region-and-industry-full-table.html\n",
     'the first paragraph is only a web address ("https://www.example.org/reports/2025/exports-by-region-and-i…")'),
    ("**rates on hold**\n\n" + LEAD, "the first paragraph only repeats the title"),
    ("経済" * 120 + "\n", 'the first paragraph is cut mid-word, with no full sentence in it ("' + "経済" * 30 + '…")'),
])
def test_a_poor_first_paragraph_without_summary_warns_on_the_title_line(make_site: SiteFactory, body: str,
                                                                       reason: str) -> None:
    site = make_site({f"{JUNE}/story.md": article("Rates on Hold", body=body)})
    assert warnings(site) == [f"{JUNE}/story.md:2: warning: no summary, and {reason}; {ADD}"]


@pytest.mark.parametrize("body", [
    LEAD,
    "The first paragraph.\n",  # short, but a full sentence says something
    "![Port cranes](/favicon.svg)\n\n" + LEAD,  # the image is skipped, the lead describes
    "경북의 한 소도시에서 양조장과 숙소를 운영하는 가상의 청년 창업가를 만났다.\n",
    "日本銀行は木曜日、政策金利を据え置いた。" * 12 + "\n",  # cut, but after full sentences
    "The governor said: “Rates stay put.”\n",  # a closing quote after the stop
])
def test_a_good_first_paragraph_needs_no_summary(make_site: SiteFactory, body: str) -> None:
    site = make_site({f"{JUNE}/story.md": article("Rates on Hold", body=body)})
    assert warnings(site) == []


def test_a_summary_in_the_front_matter_is_the_editors_choice(make_site: SiteFactory) -> None:
    site = make_site({
        f"{JUNE}/given.md": article("Given", summary="Rates on hold", body="Photo: Yonhap\n"),
        f"{JUNE}/empty.md": article("Empty", summary='""', body="Photo: Yonhap\n"),
    })
    assert warnings(site) == [f'{JUNE}/empty.md:2: warning: no summary, and the first paragraph is too short '
                              f'to describe the article ("Photo: Yonhap"); {ADD}']


def test_drafts_and_scheduled_articles_get_description_warnings_too(make_site: SiteFactory) -> None:
    site = make_site({
        f"{JUNE}/draft.md": article("Draft", draft="true", body="TK\n"),
        f"{JUNE}/later.md": article("Later", date="2025-07-30 09:00:00+09:00", body="TK\n"),
    })
    assert [w.split(": warning")[0] for w in warnings(site)] == [f"{JUNE}/draft.md:2", f"{JUNE}/later.md:2"]


@pytest.mark.parametrize(("text", "poor"), [
    ("", True),
    ("By KIM MIN-SU, staff reporter", True),
    ("SEOUL, June 3 —", True),
    ("Rates held.", False),
    ("Rates held…", True),  # trailing off is no full sentence
    ("www.example.org/a-very-long-address/that-goes-on-and-on/for-more-than-fifty", True),
    ("한국은행이 기준금리를 동결했다", True),  # 15 wide characters count 30, and no full stop
    ("한국은행이 기준금리를 동결했다.", False),
    ("Title", True),
])
def test_description_rules(text: str, poor: bool) -> None:
    assert (description_problem(text, "Title") is not None) is poor


def test_wide_characters_count_twice() -> None:
    assert display_width("금리 동결 A") == 11


# --- images -----------------------------------------------------------------

def test_missing_images_of_a_draft_are_warned_at_their_lines(make_site: SiteFactory) -> None:
    body = (LEAD + "\n![Cranes at Busan](/images/cranes.jpg)\n\n"
            '<figure><img alt="Ship" src="/images/ship%20one.jpg"></figure>\n\n'
            "![Here](/images/here.jpg) and ![far](https://cdn.example.org/x.jpg) "
            "![inline](data:image/png;base64,iVBORw0KGgo=) ![proto](//cdn.example.org/y.jpg) "
            "![relative](images/rel.jpg)\n")
    site = make_site({
        f"{JUNE}/story.md": article("Story", draft="true", image="\n  src: /images/missing-lead.jpg\n  alt: Port",
                                    body=body),
        "static/images/here.jpg": b"\xff\xd8",
    })
    assert warnings(site) == [
        f"{JUNE}/story.md:7: warning: image '/images/missing-lead.jpg' not found: "
        "add static/images/missing-lead.jpg or correct the path",
        f"{JUNE}/story.md:13: warning: image '/images/cranes.jpg' not found: "
        "add static/images/cranes.jpg or correct the path",
        f"{JUNE}/story.md:15: warning: image '/images/ship%20one.jpg' not found: "
        "add static/images/ship one.jpg or correct the path",
    ]


def test_a_published_missing_image_is_only_the_broken_link_error(make_site: SiteFactory) -> None:
    site = make_site({f"{JUNE}/story.md": article("Story", image="/images/lead.jpg", body=LEAD)})
    assert problems(site) == [
        f"{JUNE}/story.md:5: broken link to /images/lead.jpg",
        "templates: broken link to /images/lead.jpg on 3 pages (first: /, from home)",
    ]


def test_images_under_the_base_path_and_from_the_theme_are_found(make_site: SiteFactory) -> None:
    config = "title: T\nbase_url: https://example.com/news/\ntimezone: Asia/Seoul\ncategories: [World]\n"
    site = make_site({
        f"{JUNE}/story.md": article("Story", draft="true", image="/news/images/x.jpg",
                                    body=LEAD + "\n![Logo](/favicon.svg) ![Gone](/news/images/gone.jpg)\n"),
        "static/images/x.jpg": b"\xff\xd8",
    }, config=config)
    assert warnings(site) == [f"{JUNE}/story.md:11: warning: image '/news/images/gone.jpg' not found: "
                              "add static/images/gone.jpg or correct the path"]


@pytest.mark.parametrize(("src", "expected"), [
    ("/images/a.jpg", "images/a.jpg"),
    ("/news/images/a.jpg?v=2#top", "images/a.jpg"),
    ("/images/%EC%82%AC%EC%A7%84.jpg", "images/사진.jpg"),
    ("https://example.com/a.jpg", None),
    ("//cdn.example.com/a.jpg", None),
    ("data:image/png;base64,AAAA", None),
    ("images/a.jpg", None),
])
def test_static_path(src: str, expected: str | None) -> None:
    assert static_path(src, "/news") == expected


# --- duplicate titles -------------------------------------------------------

def test_duplicate_titles_warn_on_each_naming_the_others(make_site: SiteFactory) -> None:
    site = make_site({
        f"{JUNE}/a.md": article("Exports  Hit a Record", body=LEAD),
        f"{JUNE}/b.md": article("exports hit a record", date="2025-06-24 09:00:00+09:00", body=LEAD,
                                slug="exports-again"),
        f"{JUNE}/c.md": article("Exports Hit a Record Again", body=LEAD),
    })
    assert warnings(site) == [
        f'{JUNE}/a.md:2: warning: the title "Exports Hit a Record" is also the title of {JUNE}/b.md:2; '
        "give each article its own title",
        f'{JUNE}/b.md:2: warning: the title "exports hit a record" is also the title of {JUNE}/a.md:2; '
        "give each article its own title",
    ]


def test_a_long_list_of_duplicates_is_cut_short(make_site: SiteFactory) -> None:
    site = make_site({f"{JUNE}/w{n}.md": article("Weather", body=LEAD, slug=f"weather-{n}") for n in range(5)})
    found = warnings(site)
    assert len(found) == 5
    assert found[0] == (f'{JUNE}/w0.md:2: warning: the title "Weather" is also the title of '
                        f"{JUNE}/w1.md:2, {JUNE}/w2.md:2, {JUNE}/w3.md:2 and 1 more; give each article its own title")
    assert f"of {JUNE}/w0.md:2, {JUNE}/w1.md:2, {JUNE}/w3.md:2 and 1 more;" in found[2]
    assert f"of {JUNE}/w0.md:2, {JUNE}/w1.md:2, {JUNE}/w2.md:2 and 1 more;" in found[4]


def test_only_published_articles_share_titles_unless_drafts_are_checked(make_site: SiteFactory) -> None:
    site = make_site({
        f"{JUNE}/live.md": article("Rates on Hold", body=LEAD),
        f"{JUNE}/draft.md": article("Rates on Hold", draft="true", body=LEAD, slug="rates-draft"),
    })
    assert warnings(site) == []
    assert [w.split(": warning")[0] for w in warnings(site, drafts=True)] == [f"{JUNE}/draft.md:2",
                                                                              f"{JUNE}/live.md:2"]


def test_title_normalisation() -> None:
    assert normal_title("  Exports\tHIT  a record ") == normal_title("exports hit a record")
    assert normal_title("Exports hit a record.") != normal_title("exports hit a record")


# --- check FILE, formats, build -----------------------------------------------

@pytest.fixture
def editorial_site(make_site: SiteFactory) -> Path:
    return make_site({
        f"{JUNE}/a.md": article("Same Title", body="Photo: Yonhap\n"),
        f"{JUNE}/b.md": article("Same Title", body=LEAD, slug="same-b"),
        f"{JUNE}/c.md": article("Other", body="Photo: Yonhap\n"),
    })


def test_check_files_reports_only_the_given_files(editorial_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(editorial_site, monkeypatch, f"{JUNE}/b.md")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f'{JUNE}/b.md:2: warning: the title "Same Title" is also the title of {JUNE}/a.md:2; '
        "give each article its own title",
    ]
    assert result.stdout == "gettimes check: 0 errors, 1 warning\n"


def test_json_and_github_formats_carry_the_warnings(editorial_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = json.loads(check(editorial_site, monkeypatch, "--format", "json").stdout)
    assert (document["errors"], document["warnings"]) == (0, 4)
    assert document["diagnostics"][0] == {
        "path": f"{JUNE}/a.md", "line": 2, "severity": "warning",
        "message": f'no summary, and the first paragraph is too short to describe the article ("Photo: Yonhap"); {ADD}',
    }
    github = check(editorial_site, monkeypatch, "--format", "github")
    assert github.exit_code == 0
    assert github.stdout.splitlines()[1] == (
        f"::warning file={JUNE}/a.md,line=2::the title \"Same Title\" is also the title of {JUNE}/b.md:2; "
        "give each article its own title")


def test_build_keeps_quiet_about_them(editorial_site: Path) -> None:
    assert [str(w) for w in build_site(editorial_site, options()).warnings] == []


def test_the_demo_site_has_no_editorial_warnings() -> None:
    site = load_site(ROOT, options(drafts=True, future=True, cache=False), Report())
    assert site is not None
    report = Report()
    check_editorial(site, report)
    assert [str(d) for d in report] == []
