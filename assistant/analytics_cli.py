"""`cli.py analytics`: the figures of the stored conversations, as tables or JSON.

    python cli.py analytics [-p PROJECT] [--store URL] [--days 30 | --since 2026-11-01]
                            [--channel rest] [--json]

A thin layer over `analytics.figures.analyse`; the store is opened as `cli.py run` opens
it (endpoints.yml or --store; masked stores are read as stored, nothing is unsealed).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported in the command: `cli.py --help` stays instant
    from analytics.figures import Figures, Followed, Report


@click.command("analytics")
@click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The assistant project folder (with domain.yml).")
@click.option("--store", default=None, metavar="URL",
              help="The conversation store: a SQLite file or sqlite:///FILE, redis://HOST:PORT/DB, "
                   "postgresql://USER@HOST:PORT/DB [default: endpoints.yml's tracker_store, else "
                   "PROJECT/.switchboard/conversations.sqlite].")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1),
              help="The window: today and the days before it (UTC).")
@click.option("--since", "since_date", default=None, metavar="YYYY-MM-DD",
              help="The window starts on this day (UTC) instead (until now).")
@click.option("--channel", default=None, help="Only conversations begun on this channel (rest, slack…).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
def analytics_command(project: Path, store: str | None, days: int, since_date: str | None,
                      channel: str | None, as_json: bool) -> None:
    """Conversations, containment, fallbacks, handoffs, generated answers, time to the first
    human reply, intents and feedback: per day, per channel and in total."""
    from analytics.figures import analyse, fallback_actions, window
    from assistant.project import project_stores
    from project.loader import load_project

    try:
        since, until = window(days, since_date)
    except ValueError:
        raise click.BadParameter(f"'{since_date}' is not a date YYYY-MM-DD", param_hint="--since") from None
    loaded = load_project(project, strict=False)
    stores = project_stores(project, loaded, store)
    for problem in stores.warnings:
        click.secho(str(problem), fg="yellow", err=True)
    report = analyse(stores.tracker, since, until, channel, fallback_actions(loaded))
    if as_json:
        click.echo(json.dumps({"store": stores.description, **report.to_json()}, ensure_ascii=False))
    else:
        print_report(report, stores.description)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


COLUMNS = ("Conversations", "Messages", "Contained", "Fallback", "Handoff", "Generated",
           "1st human reply (median)", "Unanswered handoffs")
FEEDBACK_COLUMNS = ("👍", "👎", "👍 share", "Solved", "Not solved", "Solved %")


def figure_cells(f: Figures) -> list[str]:
    return [f"{f.conversations:,}", f"{f.messages:,}", percent(f.containment),
            percent(f.fallback_rate), percent(f.handoff_rate), percent(f.generated_rate),
            duration(f.median_first_human_reply_s), f"{f.unanswered_handoffs:,}"]


def feedback_cells(f: Figures) -> list[str]:
    thumbs = f.thumbs_up + f.thumbs_down
    return [f"{f.thumbs_up:,}", f"{f.thumbs_down:,}", percent(f.thumbs_up / thumbs if thumbs else None),
            f"{f.solved:,}", f"{f.not_solved:,}", percent(f.solved_rate)]


def _table(title: str, first: str, columns: tuple[str, ...]):
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(first)
    for name in columns:
        table.add_column(name, justify="right")
    return table


def _rows(title: str, first: str, rows: dict[str, Figures], total: Figures, cells=figure_cells,
          columns: tuple[str, ...] = COLUMNS):
    table = _table(title, first, columns)
    for name, figures in rows.items():
        table.add_row(name, *cells(figures))
    table.add_section()
    table.add_row("total", *cells(total), style="bold")
    return table


def _followed(title: str, rows: list[Followed], what: str):
    table = _table(title, "Intent of the message before", (what, "Messages with it", "Rate"))
    from rich.markup import escape

    for row in rows:
        table.add_row(escape(row.intent), f"{row.count:,}", f"{row.messages:,}", percent(row.rate))
    return _none_if_empty(table)


def _none_if_empty(table):
    if not table.row_count:
        table.add_row("(none in this window)", style="dim")
    return table


def print_report(report: Report, where: str) -> None:
    """The report as rich tables on stdout (140 columns when it is not a terminal)."""
    from rich.console import Console
    from rich.markup import escape

    from analytics.conversations import day_of

    console = Console(width=None if sys.stdout.isatty() else 140)
    scope = f", channel {report.channel}" if report.channel else ""
    console.print(f"[bold]Analytics[/bold] of {escape(where)}: {day_of(report.since)} to "
                  f"{day_of(report.until)} (UTC){escape(scope)}, {report.total.conversations:,} "
                  f"conversations from {report.senders_read:,} senders read in {report.seconds:.2f} s")
    total = report.total
    console.print(_rows("Per day", "Day", report.days, total))
    console.print(_rows("Per channel", "Channel", report.channels, total))
    intents = _table("Top intents", "Intent", ("Messages", "Share"))
    for row in report.top_intents:
        intents.add_row(escape(row.name), f"{row.count:,}",
                        percent(row.count / total.messages if total.messages else None))
    console.print(_none_if_empty(intents))
    console.print(_followed("Intents most often followed by a fallback", report.before_fallback,
                            "Fallbacks"))
    console.print(_followed("Intents most often followed by a handoff", report.before_handoff,
                            "Handoffs"))
    reasons = _table("Handoff reasons", "Reason", ("Handoffs", "Share"))
    for row in report.handoff_reasons:
        reasons.add_row(escape(row.name or "(none given)"), f"{row.count:,}",
                        percent(row.count / total.handoffs if total.handoffs else None))
    console.print(_none_if_empty(reasons))
    console.print(_rows("Feedback per day", "Day", report.days, total, feedback_cells,
                        FEEDBACK_COLUMNS))
