"""Dates from front matter: cases in fixtures/dates.txt, plus Jekyll file-name dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from gettimes.dates import date_from_filename, parse_date
from gettimes.diagnostics import Report
from gettimes.frontmatter import parse_document

from . import Case, case_ids, read_cases

SEOUL = ZoneInfo("Asia/Seoul")
CASES = read_cases("dates.txt")
_ZONE = re.compile(r"\[([A-Za-z_/]+)\]$")


def _front_matter_value(case: Case) -> object:
    """The value YAML gives for `date: INPUT`, as an article's front matter would."""
    report = Report()
    document = parse_document(f"---\ndate: {case.input.strip()}\n---\n", "a.md", report)
    assert document is not None, f"{case.where}: the input is not valid YAML: {list(map(str, report))}"
    return document.meta["date"]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_date_case(case: Case) -> None:
    zone_name = _ZONE.search(case.title)
    zone = ZoneInfo(zone_name.group(1)) if zone_name else SEOUL
    moment = parse_date(_front_matter_value(case), zone)
    expected = case.expected.strip()
    if expected == "None":
        assert moment is None, f"{case.where}: {case.input.strip()!r} gave {moment}"
        return
    assert moment is not None, f"{case.where}: {case.input.strip()!r} is not read as a date"
    assert moment.isoformat() == expected, f"{case.where}: {moment.isoformat()} != {expected}"
    # Shown in the site zone, so every page prints the same wall time for it.
    assert moment.tzinfo is zone, f"{case.where}: not in the site zone"


def test_case_file_has_cases() -> None:
    assert len(CASES) >= 25


def test_aware_values_keep_their_instant() -> None:
    moment = datetime(2025, 6, 23, 8, 5, 6, tzinfo=UTC)
    converted = parse_date(moment, SEOUL)
    assert converted == moment  # the same instant...
    assert converted is not None and converted.hour == 17  # ...on the Seoul clock


def test_naive_values_are_site_wall_time() -> None:
    converted = parse_date(datetime(2025, 6, 23, 17, 5), SEOUL)
    assert converted == datetime(2025, 6, 23, 8, 5, tzinfo=UTC)


def test_date_objects_mean_midnight() -> None:
    assert parse_date(date(2025, 6, 23), SEOUL) == datetime(2025, 6, 23, tzinfo=SEOUL)


def test_fixed_offset_zones_work_too() -> None:
    zone = timezone(timedelta(hours=-3))
    assert parse_date("2025-06-23", zone) == datetime(2025, 6, 23, 3, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, 5, 3.5, True, ["2025-06-23"], {"y": 2025}, b"2025-06-23"])
def test_values_of_other_types_are_not_dates(value: object) -> None:
    assert parse_date(value, SEOUL) is None


@pytest.mark.parametrize(("name", "expected"), [
    ("2025-06-23-nato-summit.md", date(2025, 6, 23)),
    ("2024-02-29-leap.markdown", date(2024, 2, 29)),
    ("2025-02-30-no-such-day.md", None),
    ("2025-06-23.md", None),  # Jekyll needs the dash before the title
    ("nato-2025-06-23-summit.md", None),
    ("25-06-23-short-year.md", None),
    ("2025-6-23-one-digit.md", None),
])
def test_jekyll_file_name_dates(name: str, expected: date | None) -> None:
    assert date_from_filename(name) == expected
