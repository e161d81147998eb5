"""`cli.py test` replays test stories as `rasa test` does (dialogue/story_test.py): the
story's events are the conversation, each action step is a prediction scored against it,
forms do not run, custom actions are not called; `or`, checkpoints and `user:` steps; the
failed stories written back as YAML with `# predicted:` marks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.dialogue.test_rasa_sdk_server import FIXTURE, RestaurantParser

FORM_STORY = """\
  - story: book a table as Rasa's test stories write it
    steps:
      - user: hello
        intent: greet
      - action: utter_greet
      - user: book a table
        intent: request_restaurant
      - action: restaurant_form
      - active_loop: restaurant_form
      - slot_was_set:
          - requested_slot: cuisine
      - user: "[italian](cuisine)"
        intent: inform
      - action: restaurant_form
      - slot_was_set:
          - cuisine: italian
          - requested_slot: num_people
      - user: "[2](number) people"
        intent: inform
      - action: restaurant_form
      - slot_was_set:
          - num_people: 2
          - requested_slot: outdoor_seating
      - user: "yes"
        intent: affirm
      - action: restaurant_form
      - active_loop: null
      - slot_was_set:
          - requested_slot: null
      - action: action_submit_booking
      - action: utter_anything_else
"""
MORE = """\
  - story: greet, then either thanks or bye
    steps:
      - intent: greet
      - action: utter_greet
      - or:
          - intent: thankyou
          - intent: goodbye
      - action: utter_noworries
  - story: opening
    steps:
      - intent: greet
      - action: utter_greet
      - checkpoint: greeted
  - story: after the greeting
    steps:
      - checkpoint: greeted
      - intent: bot_challenge
      - action: utter_iamabot
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "bot"
    shutil.copytree(FIXTURE, root)
    (root / "endpoints.yml").unlink()  # replay calls no action server
    (root / "tests" / "test_stories.yml").write_text('version: "3.1"\nstories:\n' + FORM_STORY + MORE)
    return root


def _report(root: Path, live: bool = False):
    from dialogue.agent import Agent
    from dialogue.story_test import run_story_tests
    from policies.ensemble import PolicyEnsemble
    from project.loader import load_project
    from stores.handoffs import HandoffQueue

    project = load_project(root)
    agent = Agent(project, RestaurantParser(), PolicyEnsemble.train(project), HandoffQueue(), seed=0)
    return run_story_tests(agent, project.tests.stories, live=live)


def test_a_form_story_passes_without_running_the_form_or_the_action_server(project: Path) -> None:
    report = _report(project)
    names = report.passed + [f.story for f in report.failures]
    assert "book a table as Rasa's test stories write it" in report.passed, report.failures
    # `or`: one story per alternative; the checkpoint joins the two pieces into one story
    assert "greet, then either thanks or bye (or: 1)" in names
    assert "greet, then either thanks or bye (or: 2)" in names
    assert "opening > after the greeting" in report.passed
    assert "after the greeting" not in names
    assert ("action_submit_booking", "action_submit_booking") in report.predictions
    assert ("action_listen", "action_listen") in report.predictions


def test_failed_stories_are_written_back_with_what_was_predicted(project: Path, tmp_path: Path) -> None:
    from assistant.story_report import write_results

    report = _report(project)
    # "goodbye" is answered with utter_goodbye by the rules: the `or: 2` variant fails
    (failure,) = report.failures
    assert failure.story == "greet, then either thanks or bye (or: 2)"
    assert (failure.expected, failure.got) == ("action utter_noworries", "action utter_goodbye")
    written = write_results(report, tmp_path / "results")
    failed = yaml.safe_load(written[0].read_text())
    (story,) = failed["stories"]
    assert story["story"] == failure.story
    text = written[0].read_text()
    assert "  - action: utter_noworries  # predicted: utter_goodbye" in text
    scores = __import__("json").loads(written[1].read_text())
    assert scores["utter_noworries"]["recall"] == 0.5 and "weighted avg" in scores


def test_a_wrong_intent_is_reported_at_its_step(project: Path) -> None:
    path = project / "tests" / "test_stories.yml"
    path.write_text('version: "3.1"\nstories:\n  - story: misunderstood\n    steps:\n'
                    "      - user: hello there\n        intent: thankyou\n"
                    "      - action: utter_noworries\n")
    report = _report(project)
    (failure,) = report.failures
    assert failure.expected == "intent thankyou" and failure.got.startswith("intent greet")
    # the story's intent is what happened: the action after it is predicted from it
    assert report.actions_correct == report.actions_total == 1
