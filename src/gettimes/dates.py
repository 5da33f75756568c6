"""Dates from front matter: YAML timestamps or the common string forms."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

_SPACED_OFFSET = re.compile(r"\s*([+-])(\d{2}):?(\d{2})$")
_DATE_PART = re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})")
FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")


def parse_date(value: object, zone: tzinfo) -> datetime | None:
    """An aware datetime in `zone`, or None when `value` is not a date.

    Naive values are taken as wall time in `zone`; a date alone means 00:00 there.
    Values with an offset keep their instant and are shown in `zone`.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _parse_string(value.strip())
        if parsed is None:
            return None
        moment = parsed
    else:
        return None
    try:
        moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
        moment.astimezone(UTC)  # feeds and sitemaps show it in UTC
    except OverflowError:  # hours from year 1 or the end of 9999: no page could print it
        return None
    return moment


def _parse_string(text: str) -> datetime | None:
    match = _DATE_PART.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    rest = text[match.end():]
    text = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    text = _SPACED_OFFSET.sub(lambda m: f"{m.group(1)}{m.group(2)}:{m.group(3)}", text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def date_from_filename(name: str) -> date | None:
    """The date a Jekyll-style file name starts with (`2025-06-23-title.md`)."""
    match = FILENAME_DATE.match(name)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
