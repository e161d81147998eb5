"""`cli.py test`: load the trained assistant, replay the test stories, print a report."""
from __future__ import annotations

from pathlib import Path

import click

from assistant.loading import load_agent
from stores.handoffs import HandoffQueue
from dialogue.story_test import run_story_tests


def run_and_print(project: Path, models: Path) -> bool:
    agent = load_agent(project, models, seed=0, queue=HandoffQueue())  # tests never touch the real queue
    stories = agent.project.tests.stories
    if not stories:
        click.secho(f"No test stories in {project / 'tests'}.", fg="yellow")
        return True
    report = run_story_tests(agent, stories)
    for failure in report.failures:
        click.secho(f"✗ {failure.story}", fg="red")
        click.echo(f"    {failure.where}: turn {failure.turn}: {failure.text!r}")
        click.echo(f"    expected {failure.expected}")
        click.echo(f"    got      {failure.got}")
    total = len(report.passed) + len(report.failures)
    accuracy = report.actions_correct / report.actions_total if report.actions_total else 1.0
    color = "green" if report.ok else "red"
    click.secho(f"{'✓' if report.ok else '✗'} {len(report.passed)}/{total} stories passed; "
                f"actions correct on the turns replayed: {report.actions_correct}/{report.actions_total} "
                f"({accuracy:.1%})", fg=color)
    return report.ok
