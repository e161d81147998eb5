"""Parse `handoff: business_hours:` into `core.hours.BusinessHours`.

    business_hours:
      timezone: America/New_York        # an IANA name (zoneinfo)
      mon-fri: "08:00-20:00"            # a day or a range of days: one or more time ranges,
      sat-sun: "10:00-16:00"            #   "09:00-12:00, 13:00-17:00"; "closed" (or false)
      holidays: [2025-12-25, 2026-01-01]

Days not named are closed; a range ends at "24:00" at the latest (no overnight ranges).
Every problem is reported at its file:line: key, all at once.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from core.hours import WEEKDAYS, BusinessHours, Span
from project.checks import FileChecker, did_you_mean, describe
from project.yaml_loader import YDict, line_of

KEY = "handoff.business_hours"
FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
EXAMPLE = '"08:00-20:00" (or "09:00-12:00, 13:00-17:00", or closed)'


def parse_business_hours(value: Any, line: int, check: FileChecker) -> BusinessHours | None:
    """The team's hours, or None (always open) when absent or too broken to use."""
    if value is None:
        return None
    if not check.expect(value, dict, line, KEY):
        return None
    spec = check.mapping(value, line, KEY)
    zone = _timezone(spec, line, check)
    week: list[tuple[Span, ...]] = [()] * 7
    named_at: dict[int, str] = {}  # weekday -> the key that gave its hours
    for key, hours in spec.items():
        if key in ("timezone", "holidays"):
            continue
        days = _days(str(key), spec.line_of(key), check)
        spans = _spans(hours, spec.line_of(key), f"{KEY}.{key}", check)
        for day in days:
            if day in named_at:
                check.error(spec.line_of(key), f"{KEY}.{key}",
                            f"{WEEKDAYS[day]} already has hours (from '{named_at[day]}')")
                continue
            named_at[day] = str(key)
            week[day] = spans
    holidays = _holidays(spec, check)
    if zone is None:
        return None
    if not any(week):
        check.warn(line, KEY, "every day is closed: the team is never in, so the bot can "
                   "never say when a human will reply (give hours like mon-fri: \"08:00-20:00\")")
    return BusinessHours(zone, tuple(week), holidays)


def _timezone(spec: YDict, line: int, check: FileChecker) -> str | None:
    name = spec.get("timezone")
    key = f"{KEY}.timezone"
    if name is None:
        check.error(line, key, "missing: name the support team's timezone, e.g. "
                    "timezone: America/New_York")
        return None
    if not check.expect(name, str, spec.line_of("timezone"), key):
        return None
    try:
        ZoneInfo(str(name))
        return str(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        pass
    check.error(spec.line_of("timezone"), key,
                f"unknown timezone '{name}'{did_you_mean(str(name), sorted(available_timezones()))} "
                "(an IANA name such as America/New_York, Europe/Berlin or Asia/Shanghai)")
    return None


def _days(key: str, line: int, check: FileChecker) -> list[int]:
    """`mon`, `monday` or a range `mon-fri` (wrapping round the week: `fri-mon`)."""
    first, dash, last = key.lower().partition("-")
    start = _weekday(first)
    end = _weekday(last) if dash else start
    if start is None or end is None:
        valid = "timezone, holidays, or days: " + ", ".join(WEEKDAYS) + " and ranges like mon-fri"
        bad = first if start is None else last
        check.error(line, f"{KEY}.{key}", f"unknown day '{bad}'{did_you_mean(bad, WEEKDAYS)} "
                    f"(valid keys here: {valid})")
        return []
    return [(start + i) % 7 for i in range((end - start) % 7 + 1)]


def _weekday(name: str) -> int | None:
    name = name.strip()
    if name in WEEKDAYS:
        return WEEKDAYS.index(name)
    return FULL_NAMES.index(name) if name in FULL_NAMES else None


def _spans(value: Any, line: int, key: str, check: FileChecker) -> tuple[Span, ...]:
    if value is False or (isinstance(value, str) and value.strip().lower() == "closed"):
        return ()
    if not isinstance(value, str):
        check.error(line_of(value, line), key, f"expected a time range like {EXAMPLE}, "
                    f"got {describe(value)}")
        return ()
    spans: list[Span] = []
    for part in value.split(","):
        span = _span(part.strip())
        if span is None:
            check.error(line_of(value, line), key, f"bad time range '{part.strip()}': expected "
                        f"HH:MM-HH:MM with the end after the start, like {EXAMPLE}")
            return ()
        spans.append(span)
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            check.error(line_of(value, line), key, f"time ranges overlap in '{value}'")
            return ()
    return tuple(spans)


def _span(text: str) -> Span | None:
    opens, sep, closes = text.partition("-")
    start, end = _minutes(opens.strip()), _minutes(closes.strip())
    if not sep or start is None or end is None or start >= end or start == 24 * 60:
        return None
    return start, end


def _minutes(text: str) -> int | None:
    """'08:30' -> 510; '24:00' (the end of the day) -> 1440; anything else None."""
    match = CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def _holidays(spec: YDict, check: FileChecker) -> tuple[date, ...]:
    key = f"{KEY}.holidays"
    items = check.sequence(spec.get("holidays"), spec.line_of("holidays"), key)
    days = set()
    for index, item in enumerate(items):
        day = item if type(item) is date else _iso_date(item)  # not a datetime
        if day is None:
            check.error(items.line_of(index), f"{key}[{index}]",
                        f"expected a date like 2025-12-25, got {describe(item)}")
            continue
        days.add(day)
    return tuple(sorted(days))


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None
