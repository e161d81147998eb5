"""When the human support team is in: domain.yml `handoff: business_hours:`.

`BusinessHours` answers two questions for any moment: `is_open(when)` and
`next_opening(when)` (the first moment at or after `when` that the team is in). Opening
hours are wall-clock times in the team's IANA timezone (stdlib `zoneinfo`), so a team that
opens at 8:00 in New York opens at 8:00 on both sides of a daylight-saving change.
`format_opening` writes such a moment the way a customer reads it ("Monday 8:00 (EST)").
Parsed (with file:line: key errors) by `project.business_hours`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
RELATIVE = {"en": ("today", "tomorrow"), "zh": ("今天", "明天")}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

Span = tuple[int, int]  # minutes after local midnight: open from the first, closed from the second


def now() -> datetime:
    """The clock business hours are checked against (tests replace it with a fixed moment)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class BusinessHours:
    timezone: str  # an IANA name, e.g. "America/New_York"
    week: tuple[tuple[Span, ...], ...]  # seven entries, Monday first; () = closed that day
    holidays: tuple[date, ...] = ()  # closed all day, whatever the weekday (sorted)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # zoneinfo caches instances by name

    def spans_on(self, day: date) -> tuple[Span, ...]:
        return () if day in self.holidays else self.week[day.weekday()]

    def is_open(self, when: datetime) -> bool:
        local = self._local(when)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.spans_on(local.date()))

    def next_opening(self, when: datetime) -> datetime | None:
        """`when` itself while open, else the next opening; in the team's timezone. None if
        the team never opens (every weekday closed)."""
        local = self._local(when)
        minute = local.hour * 60 + local.minute
        # a week of weekdays, plus one day for each holiday that may fall inside it
        for offset in range(len(self.holidays) + 8):
            day = local.date() + timedelta(days=offset)
            for start, end in self.spans_on(day):
                if offset == 0 and start <= minute < end:
                    return local
                if offset > 0 or start > minute:
                    return datetime.combine(day, _clock_time(start), tzinfo=self.zone)
        return None

    def _local(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("business hours need an aware datetime (one with a timezone)")
        return when.astimezone(self.zone)


def format_opening(opening: datetime, now: datetime | None = None, language: str | None = None) -> str:
    """`opening` as a customer reads it, in its own timezone: "today 14:00 (EDT)",
    "tomorrow 8:00 (EST)", "Monday 8:00 (EST)", or with the date when a week or more away
    from `now`; without `now` (for a record read later), always with the date."""
    lang = language if language in DAY_NAMES else "en"
    days = 7 if now is None else (opening.date() - now.astimezone(opening.tzinfo).date()).days
    clock = f"{opening.hour}:{opening.minute:02d}"
    weekday = DAY_NAMES[lang][opening.weekday()]
    if days in (0, 1):
        day = RELATIVE[lang][days]
    elif days < 7:
        day = weekday
    elif lang == "zh":
        day = f"{opening.month}月{opening.day}日（{weekday}）"
    else:
        day = f"{weekday} {opening.day} {MONTHS[opening.month - 1]}"
    zone = _zone_label(opening)
    if lang == "zh":
        return f"{day}{'' if day.endswith('）') else ' '}{clock}（{zone}）"
    return f"{day} {clock} ({zone})"


def _zone_label(moment: datetime) -> str:
    """The zone's abbreviation at that moment (EST/EDT, CET…); 'UTC+08' where it has none."""
    name = moment.tzname() or "UTC"
    return f"UTC{name}" if name[0] in "+-" else name


def _clock_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)
