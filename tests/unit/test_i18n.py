"""UI strings and date formats in English and Korean."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gettimes.config import LANGUAGES
from gettimes.i18n import STRINGS, Translator

SEOUL = ZoneInfo("Asia/Seoul")
SUNDAY = datetime(2025, 10, 26, 7, 5, 9, tzinfo=SEOUL)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_configurable_language_has_strings() -> None:
    assert set(LANGUAGES) <= set(STRINGS)


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert set(STRINGS["ko"]) == set(STRINGS["en"])
    for key, text in STRINGS["en"].items():
        assert _placeholders(STRINGS["ko"][key]) == _placeholders(text), key


@pytest.mark.parametrize(("language", "key", "text"), [
    ("en", "most_viewed", "Most Viewed"),
    ("ko", "most_viewed", "많이 본 뉴스"),
    ("en", "weekly_hot", "Weekly Hot Issue"),
    ("ko", "weekly_hot", "주간 핫이슈"),
    ("en", "hot_issue", "Hot Issue"),
    ("ko", "hot_issue", "핫이슈"),
    ("en", "all_articles", "All articles"),
    ("ko", "all_articles", "전체기사"),
    ("ko", "published", "입력"),
    ("ko", "updated", "수정"),
])
def test_key_strings(language: str, key: str, text: str) -> None:
    assert Translator(language)(key) == text


def test_values_are_filled_in() -> None:
    assert Translator("en")("page_n", n=3) == "Page 3"
    assert Translator("ko")("page_n", n=3) == "3페이지"


def test_unknown_keys_fall_back_to_the_key() -> None:
    assert Translator("ko")("no-such-key") == "no-such-key"


@pytest.mark.parametrize(("language", "edition"), [("en", "2025.10.26 (Sun)"), ("ko", "2025.10.26 (일)")])
def test_edition_date(language: str, edition: str) -> None:
    assert Translator(language).edition(SUNDAY) == edition


def test_edition_weekdays_cover_the_week() -> None:
    en = [Translator("en").edition(SUNDAY + timedelta(days=n))[-4:-1] for n in range(7)]
    ko = [Translator("ko").edition(SUNDAY + timedelta(days=n))[-2] for n in range(7)]
    assert en == ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    assert ko == ["일", "월", "화", "수", "목", "금", "토"]


@pytest.mark.parametrize(("language", "text"), [("en", "October 26, 2025"), ("ko", "2025년 10월 26일")])
def test_reader_facing_date(language: str, text: str) -> None:
    assert Translator(language).date(SUNDAY) == text


def test_full_and_short_times_are_the_same_in_both_languages() -> None:
    for language in LANGUAGES:
        assert Translator(language).full(SUNDAY) == "2025-10-26 07:05:09"
        assert Translator(language).short(SUNDAY) == "10.26 07:05"


def test_dates_are_printed_in_the_zone_they_carry() -> None:
    # The same instant as SUNDAY, seen in UTC, is still Saturday evening.
    saturday = SUNDAY.astimezone(ZoneInfo("UTC"))
    assert Translator("en").edition(saturday) == "2025.10.25 (Sat)"
