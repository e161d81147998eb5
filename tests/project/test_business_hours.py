"""`handoff: business_hours:`, `closed_response` and `priority_intents` in domain.yml: parsed
into `HandoffConfig`, and every bad value reported at its file:line: key, all at once."""
from __future__ import annotations

import shutil
from pathlib import Path

from project.loader import load_project

MINI = Path(__file__).parent.parent / "fixtures" / "mini_project"
ROOT = Path(__file__).parent.parent.parent


def project_with(tmp_path: Path, handoff: str):
    """The mini project with this text after its `handoff:` section's first lines."""
    root = tmp_path / "project"
    shutil.copytree(MINI, root)
    domain = root / "domain.yml"
    domain.write_text(domain.read_text() + handoff)
    return load_project(root, strict=False), domain.read_text().splitlines()


def line(lines: list[str], text: str) -> int:
    """The 1-based number of the (only) line containing `text`."""
    (number,) = [n for n, l in enumerate(lines, start=1) if text in l]
    return number


def messages(project) -> list[str]:
    return [str(p).split(":", 1)[1] for p in project.problems]  # without the file's path


def test_the_examples_hours_match_its_faq() -> None:
    domain = load_project(ROOT).domain
    hours = domain.handoff.business_hours
    assert hours.timezone == "America/New_York" and hours.holidays == ()
    # "Monday to Friday, 8 am to 8 pm ET, and weekends 10 am to 4 pm ET"
    assert hours.week == (((8 * 60, 20 * 60),),) * 5 + (((10 * 60, 16 * 60),),) * 2
    assert domain.handoff.closed_response == "utter_handoff_closed"
    assert dict(domain.handoff.priority_intents) == {"complaint": "high"}
    closed = domain.responses["utter_handoff_closed"]
    assert all("{next_opening}" in v.text and "right now" not in v.text for v in closed)
    assert {v.language for v in closed} == {None, "zh"}


def test_days_ranges_holidays_and_closed_days(tmp_path: Path) -> None:
    project, _ = project_with(tmp_path, """\
  business_hours:
    timezone: Europe/Berlin
    Monday: "09:00-12:00, 13:00-17:30"
    tue-thu: 09:00-17:00
    fri: "09:00-24:00"
    sat: closed
    sun: false
    holidays: [2025-12-25, "2026-01-01"]
  closed_response: utter_goodbye
  priority_intents: {order_status: low}
""")
    assert project.errors == [], project.errors
    handoff = project.domain.handoff
    hours = handoff.business_hours
    assert hours.week[0] == ((540, 720), (780, 1050)) and hours.week[1] == hours.week[3] == ((540, 1020),)
    assert hours.week[4] == ((540, 1440),) and hours.week[5] == hours.week[6] == ()
    assert [d.isoformat() for d in hours.holidays] == ["2025-12-25", "2026-01-01"]
    assert handoff.closed_response == "utter_goodbye"
    assert handoff.priority_intents == (("order_status", "low"),)


def test_no_business_hours_means_always_open(tmp_path: Path) -> None:
    project, _ = project_with(tmp_path, "")
    assert project.errors == [] and project.domain.handoff.business_hours is None


def test_bad_days_ranges_timezone_and_holidays_are_reported_at_their_lines(tmp_path: Path) -> None:
    project, lines = project_with(tmp_path, """\
  business_hours:
    timezone: America/New_Yrok
    mon-fry: "08:00-20:00"
    sat: "10:00-16"
    sun: "16:00-10:00"
    wed: "08:00-12:00, 11:00-14:00"
    tue: 9
    holidays: ["2025-13-01"]
  closed_response: utter_closed
  priority_intents:
    greet: urgent
    shouting: high
""")
    found = messages(project)
    expected = [
        (line(lines, "timezone:"), "handoff.business_hours.timezone",
         "unknown timezone 'America/New_Yrok' — did you mean 'America/New_York'?"),
        (line(lines, "mon-fry"), "handoff.business_hours.mon-fry", "unknown day 'fry'"),
        (line(lines, "sat:"), "handoff.business_hours.sat", "bad time range '10:00-16'"),
        (line(lines, "sun:"), "handoff.business_hours.sun", "bad time range '16:00-10:00'"),
        (line(lines, "wed:"), "handoff.business_hours.wed", "time ranges overlap"),
        (line(lines, "tue:"), "handoff.business_hours.tue", "got the number 9"),
        (line(lines, "holidays:"), "handoff.business_hours.holidays[0]", "expected a date like 2025-12-25"),
        (line(lines, "closed_response"), "handoff.closed_response", "unknown response 'utter_closed'"),
        (line(lines, "greet: urgent"), "handoff.priority_intents.greet",
         "unknown priority 'urgent' (valid: high, normal, low)"),
        (line(lines, "shouting"), "handoff.priority_intents", "unknown intent 'shouting'"),
    ]
    for number, key, text in expected:
        prefix = f"{number}: {key}:"
        assert any(m.startswith(prefix) and text in m for m in found), (prefix, text, found)
    assert len(project.errors) == len(expected), found
    assert project.domain.handoff.business_hours is None  # an unknown timezone: unusable


def test_a_day_given_twice_and_a_missing_timezone(tmp_path: Path) -> None:
    project, lines = project_with(tmp_path, """\
  business_hours:
    mon-fri: "08:00-20:00"
    fri: "08:00-18:00"
""")
    found = messages(project)
    assert f"{line(lines, ' fri:')}: handoff.business_hours.fri: fri already has hours (from 'mon-fri')" \
        in [m.strip() for m in found], found
    assert any(m.startswith(f"{line(lines, 'business_hours:')}: handoff.business_hours.timezone: missing")
               for m in found), found


def test_closed_response_without_hours_and_a_team_never_in_are_warnings(tmp_path: Path) -> None:
    project, lines = project_with(tmp_path, """\
  closed_response: utter_goodbye
""")
    assert project.errors == []
    (warning,) = project.warnings
    assert (warning.line, warning.key) == (line(lines, "closed_response"), "handoff.closed_response")
    never, lines = project_with(tmp_path / "never", """\
  business_hours:
    timezone: UTC
    mon-sun: closed
""")
    assert never.errors == [] and "every day is closed" in never.warnings[0].message
    assert never.warnings[0].line == line(lines, "business_hours:")


def test_business_hours_that_are_not_a_mapping_or_a_dangling_range(tmp_path: Path) -> None:
    project, lines = project_with(tmp_path, """\
  business_hours: "9-5"
""")
    assert [m.strip() for m in messages(project)] == [
        f"{line(lines, 'business_hours')}: handoff.business_hours: expected a mapping (key: value), got '9-5'"]
    project, lines = project_with(tmp_path / "dangling", """\
  business_hours:
    timezone: UTC
    mon-: "08:00-20:00"
""")
    assert any(m.startswith(f"{line(lines, 'mon-')}: handoff.business_hours.mon-: unknown day ''")
               for m in messages(project)), messages(project)
