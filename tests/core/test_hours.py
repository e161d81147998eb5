"""Business hours: open or closed at a given moment, the next opening, across weekends,
holidays and daylight-saving changes, and the opening as a customer reads it."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from core.hours import BusinessHours, format_opening

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAY, WEEKEND = ((8 * 60, 20 * 60),), ((10 * 60, 16 * 60),)
# the example's team: Monday to Friday 8-20, weekends 10-16, New York time
TEAM = BusinessHours("America/New_York", (WEEKDAY,) * 5 + (WEEKEND,) * 2)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize("when, is_open", [
    (ny(2025, 1, 15, 7, 59), False),   # Wednesday, before opening
    (ny(2025, 1, 15, 8, 0), True),     # opening time itself
    (ny(2025, 1, 15, 19, 59), True),
    (ny(2025, 1, 15, 20, 0), False),   # closing time: closed
    (ny(2025, 1, 18, 9, 30), False),   # Saturday opens later
    (ny(2025, 1, 18, 10, 0), True),
    (datetime(2025, 1, 15, 13, 0, tzinfo=timezone.utc), True),    # 8:00 EST
    (datetime(2025, 1, 15, 12, 59, tzinfo=timezone.utc), False),  # 7:59 EST
    (datetime(2025, 7, 16, 12, 0, tzinfo=timezone.utc), True),    # 8:00 EDT: summer time
    (datetime(2025, 7, 16, 11, 59, tzinfo=timezone.utc), False),
])
def test_open_at_wall_clock_time_in_the_teams_timezone(when: datetime, is_open: bool) -> None:
    assert TEAM.is_open(when) is is_open


def test_next_opening_is_now_while_open_and_the_next_morning_after_closing() -> None:
    assert TEAM.next_opening(ny(2025, 1, 15, 12, 0)) == ny(2025, 1, 15, 12, 0)
    assert TEAM.next_opening(ny(2025, 1, 15, 6, 0)) == ny(2025, 1, 15, 8, 0)
    assert TEAM.next_opening(ny(2025, 1, 15, 21, 0)) == ny(2025, 1, 16, 8, 0)
    assert TEAM.next_opening(ny(2025, 1, 17, 22, 0)) == ny(2025, 1, 18, 10, 0)  # Friday night


def test_next_opening_across_the_spring_and_autumn_changes() -> None:
    # Sunday 9 March 2025: clocks jump from 2:00 to 3:00 in New York; the team still opens at 10:00
    saturday_night = datetime(2025, 3, 9, 2, 0, tzinfo=timezone.utc)  # Saturday 21:00 EST
    opening = TEAM.next_opening(saturday_night)
    assert opening == ny(2025, 3, 9, 10, 0) and opening.utcoffset().total_seconds() == -4 * 3600
    assert opening.astimezone(timezone.utc).hour == 14
    # Sunday 2 November 2025: back to EST; 10:00 New York is 15:00 UTC again
    assert TEAM.next_opening(ny(2025, 11, 2, 1, 30)).astimezone(timezone.utc) == \
        datetime(2025, 11, 2, 15, 0, tzinfo=timezone.utc)
    assert not TEAM.is_open(datetime(2025, 11, 2, 14, 59, tzinfo=timezone.utc))


def test_holidays_are_closed_all_day_and_skipped() -> None:
    team = BusinessHours("America/New_York", TEAM.week, (date(2025, 12, 25), date(2025, 12, 26)))
    assert not team.is_open(ny(2025, 12, 25, 12, 0))
    assert team.next_opening(ny(2025, 12, 24, 21, 0)) == ny(2025, 12, 27, 10, 0)  # a Saturday


def test_several_ranges_a_day_and_a_team_that_never_opens() -> None:
    split = BusinessHours("Europe/Berlin", (((9 * 60, 12 * 60), (13 * 60, 17 * 60)),) + ((),) * 6)
    berlin = ZoneInfo("Europe/Berlin")
    assert not split.is_open(datetime(2025, 1, 13, 12, 30, tzinfo=berlin))
    assert split.next_opening(datetime(2025, 1, 13, 12, 30, tzinfo=berlin)) == \
        datetime(2025, 1, 13, 13, 0, tzinfo=berlin)
    assert split.next_opening(datetime(2025, 1, 13, 18, 0, tzinfo=berlin)) == \
        datetime(2025, 1, 20, 9, 0, tzinfo=berlin)  # next Monday
    never = BusinessHours("UTC", ((),) * 7)
    assert never.next_opening(datetime(2025, 1, 13, tzinfo=timezone.utc)) is None


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        TEAM.is_open(datetime(2025, 1, 15, 12, 0))


def test_the_opening_as_a_customer_reads_it() -> None:
    friday_night = ny(2025, 1, 17, 22, 0)
    assert format_opening(ny(2025, 1, 17, 23, 0), friday_night) == "today 23:00 (EST)"
    assert format_opening(ny(2025, 1, 18, 10, 0), friday_night) == "tomorrow 10:00 (EST)"
    assert format_opening(ny(2025, 1, 20, 8, 0), friday_night) == "Monday 8:00 (EST)"
    assert format_opening(ny(2025, 7, 21, 8, 0), ny(2025, 7, 19, 17, 0)) == "Monday 8:00 (EDT)"
    assert format_opening(ny(2025, 1, 27, 8, 0), friday_night) == "Monday 27 January 8:00 (EST)"
    assert format_opening(ny(2025, 1, 20, 8, 0), friday_night, "zh") == "周一 8:00（EST）"
    assert format_opening(ny(2025, 1, 18, 10, 0)) == "Saturday 18 January 10:00 (EST)"  # no "now"
    assert format_opening(ny(2025, 1, 18, 10, 0), language="zh") == "1月18日（周六）10:00（EST）"
    # "now" in another timezone: the days are counted in the team's
    assert format_opening(ny(2025, 1, 18, 10, 0), datetime(2025, 1, 18, 4, 0, tzinfo=timezone.utc)) \
        == "tomorrow 10:00 (EST)"
    dubai = datetime(2025, 1, 20, 9, 0, tzinfo=ZoneInfo("Asia/Dubai"))
    assert format_opening(dubai, dubai) == "today 9:00 (UTC+04)"  # a zone with no abbreviation
