"""Rasa's own example projects, copied unchanged under tests/fixtures/rasa/ (Apache-2.0, see
its README.md): each validates, trains on the default encoder and runs its own test stories
with `cli.py` as a user runs them; formbot and reminderbot hold a live conversation whose
custom actions run on a real `python -m rasa_sdk` action server (the actions are
Switchboard's own implementation of the examples', in each project's actions/).

Where a project's own test stories disagree with its own rules, the test says which steps
and why (Rasa's `rasa test` fails the same steps).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services import start_action_server, stop_action_server
from tests.support import ROOT

pytestmark = pytest.mark.slow
RASA = ROOT / "tests" / "fixtures" / "rasa"
CLI = ROOT / "cli.py"


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(CLI), *args], input=stdin, capture_output=True,
                            text=True, timeout=900, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def trained(tmp_path_factory, name: str) -> Path:
    root = tmp_path_factory.mktemp(name) / name
    shutil.copytree(RASA / name, root)
    validated = cli("validate", "--project", str(root))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert ": error:" not in validated.stdout
    result = cli("train", "--project", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def story_report(root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    result = cli("test", "--project", str(root))
    return result, json.loads((root / "results" / "story_report.json").read_text())


@pytest.fixture(scope="module")
def action_servers():
    started: list = []

    def start(root: Path) -> None:
        server = start_action_server(root)
        if server is None:
            pytest.skip("rasa-sdk is not installed in .venv-sdk (scripts/install-test-services.sh "
                        "installs it with `make test`)")
        started.append(server[0])
        (root / "endpoints.yml").write_text(f"action_endpoint:\n  url: {server[1]}\n")

    yield start
    for process in started:
        stop_action_server(process)


def test_moodbot_passes_its_own_test_stories(tmp_path_factory) -> None:
    root = trained(tmp_path_factory, "moodbot")
    result, _ = story_report(root)
    assert result.returncode == 0, result.stdout
    assert "7/7 stories passed" in result.stdout


def test_e2ebot_follows_its_end_to_end_stories(tmp_path_factory) -> None:
    """Its stories have `user:` texts without intents; every action of its test stories is
    right. "I can always go for sushi" is labelled `affirm` by the test story, which NLU
    trained on its 33 examples need not agree with."""
    root = trained(tmp_path_factory, "e2ebot")
    result, report = story_report(root)
    assert report["accuracy"] == 1.0, result.stdout
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗ ") and "/" not in line]
    assert len(failed) <= 1, result.stdout


def test_formbot_replays_its_stories_and_books_a_table_on_the_action_server(
        tmp_path_factory, action_servers) -> None:
    root = trained(tmp_path_factory, "formbot")
    result, _ = story_report(root)
    # Its rule "submit form" says utter_submit, then utter_slots_values; its 3 test stories
    # (older than that rule) expect utter_slots_values straight after the form. Every other
    # step, chitchat inside the form included, is predicted as the stories say.
    wrong = [line.split("got", 1)[1].strip() for line in result.stdout.splitlines()
             if line.strip().startswith("got")]
    assert wrong == ["action utter_submit"] * 3, result.stdout
    assert "actions correct on the steps predicted: 20/23" in result.stdout

    action_servers(root)
    shell = cli("shell", "--project", str(root), stdin="hi\nim looking for a restaurant\n"
                "afghan food\nitalian please\n4 people\noutside\nno\ngreat service\n")
    out = shell.stdout
    assert "Cuisine type is not in the database, please try again" in out  # validate_restaurant_form
    assert "How many people?" in out and "Do you want to sit outside?" in out
    assert "All done!" in out
    assert " - cuisine: italian" in out and " - outdoor_seating: True" in out
    assert "num_people: 4" in out


def test_reminderbot_reminds_through_the_action_server(tmp_path_factory, action_servers) -> None:
    """A ReminderScheduled from the action server fires 5 s later as EXTERNAL_reminder with
    the message's PERSON (spaCy's SpacyEntityExtractor), answered by another custom action;
    `action_forget_reminders` cancels a pending one."""
    root = trained(tmp_path_factory, "reminderbot")
    action_servers(root)
    started = time.time()
    shell = cli("shell", "--project", str(root),
                stdin="hello\nremind me to call Susan Miller\nwhat's the conversation id?\n")
    out = shell.stdout
    assert "I will remind you in 5 seconds." in out
    assert "The ID of this conversation is 'shell'." in out
    assert "(reminder: EXTERNAL_reminder)" in out
    assert out.index("Remember to call Susan Miller!") > out.index("The ID of this conversation")
    assert time.time() - started >= 5

    cancelled = cli("shell", "--project", str(root),
                    stdin="remind me to call John\nforget about the reminders\n")
    assert "Okay, I'll cancel all your reminders." in cancelled.stdout
    assert "Remember to call" not in cancelled.stdout
