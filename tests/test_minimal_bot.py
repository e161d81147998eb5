"""The single-turn path the shell uses until the dialogue manager lands."""
from pathlib import Path

import pytest

from assistant.bot import rule_actions
from core.project import load_project

MOODBOT = Path(__file__).parent.parent.parent / "shared" / "rasa-projects" / "moodbot"
MINI = Path(__file__).parent / "fixtures" / "mini_project"


def test_rules_first_then_the_first_story_turn() -> None:
    table = rule_actions(load_project(MINI).data)
    assert table["greet"] == ("utter_greet",)
    assert table["order_status"] == ("action_check_order_status",)  # slot events skipped


@pytest.mark.skipif(not MOODBOT.exists(), reason="../shared/rasa-projects not present")
def test_moodbot_story_turn_with_two_actions() -> None:
    table = rule_actions(load_project(MOODBOT).data)
    assert table["mood_unhappy"] == ("utter_cheer_up", "utter_did_that_help")
    assert table["goodbye"] == ("utter_goodbye",)
