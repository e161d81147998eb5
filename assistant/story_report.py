"""`cli.py test`: load the trained assistant, replay the test stories, print a report and
write it where Rasa users look for it:

    results/failed_test_stories.yml   each failed story, `# predicted: …` at the wrong steps
    results/story_report.json         per action precision / recall / f1-score / support,
                                      as scikit-learn's classification_report gives them
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.loading import load_agent
from core.training_data import Story
from dialogue.story_test import Scored, StoryTestReport, run_story_tests
from stores.handoffs import HandoffQueue


def run_and_print(project: Path, models: Path, live: bool = False,
                  results: Path | None = None) -> bool:
    agent = load_agent(project, models, seed=0, queue=HandoffQueue())  # tests never touch the real queue
    stories = agent.project.tests.stories
    if not stories:
        click.secho(f"No test stories in {project / 'tests'}.", fg="yellow")
        return True
    report = run_story_tests(agent, stories, live=live)
    for failure in report.failures:
        click.secho(f"✗ {failure.story}", fg="red")
        click.echo(f"    {failure.where}: turn {failure.turn}: {failure.text!r}")
        click.echo(f"    expected {failure.expected}")
        click.echo(f"    got      {failure.got}")
    total = len(report.passed) + len(report.failures)
    accuracy = report.actions_correct / report.actions_total if report.actions_total else 1.0
    color = "green" if report.ok else "red"
    what = "turns replayed" if live else "steps predicted"
    click.secho(f"{'✓' if report.ok else '✗'} {len(report.passed)}/{total} stories passed; "
                f"actions correct on the {what}: {report.actions_correct}/{report.actions_total} "
                f"({accuracy:.1%})", fg=color)
    if not live:
        folder = results or project / "results"
        written = write_results(report, folder)
        click.echo("  wrote " + ", ".join(str(p) for p in written))
    return report.ok


def write_results(report: StoryTestReport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    failed = folder / "failed_test_stories.yml"
    failed.write_text(failed_stories_yaml(report.failed_stories), encoding="utf-8")
    written = [failed]
    if report.predictions:
        from sklearn.metrics import classification_report

        gold, predicted = zip(*report.predictions)
        data = classification_report(list(gold), list(predicted), output_dict=True, zero_division=0)
        path = folder / "story_report.json"
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def failed_stories_yaml(failed: list[tuple[Story, list[Scored]]]) -> str:
    """The failed stories as a test-story file, each wrong step marked as Rasa marks it."""
    if not failed:
        return "# All test stories passed.\nversion: \"3.1\"\nstories: []\n"
    lines = ['version: "3.1"', "stories:"]
    for story, steps in failed:
        where = f"  # {story.source}" if story.source else ""
        lines += [f"- story: {_scalar(story.name)}{where}", "  steps:"]
        for scored in steps:
            lines += _step_lines(scored)
    return "\n".join(lines) + "\n"


def _step_lines(scored: Scored) -> list[str]:
    step, note = scored.step, (f"  # predicted: {scored.predicted}" if scored.predicted else "")
    if step.kind == "intent":
        if step.user_text is not None:
            out = [f"  - user: {_scalar(step.user_text)}{note}"]
            return out + ([f"    intent: {step.name}"] if step.name else [])
        return [f"  - intent: {step.name}{note}"]
    if step.kind == "action":
        return [f"  - action: {step.name}{note}"]
    if step.kind == "slot_was_set":
        return ["  - slot_was_set:"] + [f"    - {name}: {_scalar(value)}" for name, value in step.slots]
    if step.kind == "active_loop":
        return [f"  - active_loop: {step.name or 'null'}"]
    if step.kind == "bot":
        return [f"  - bot: {_scalar(step.name)}"]
    return []


def _scalar(value) -> str:
    """A YAML scalar for `value` (JSON's quoting is valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)
