"""Loading good projects into typed objects: the mini fixture, moodbot, the example."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ProjectInvalid
from project.loader import load_project

ROOT = Path(__file__).parent.parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini_project"
MOODBOT = ROOT.parent / "shared" / "rasa-projects" / "moodbot"


def test_mini_project_types_and_lines() -> None:
    project = load_project(MINI)
    domain, data = project.domain, project.data
    assert domain.intents == ["greet", "goodbye", "order_status", "inform"]
    assert domain.slots["order_id"].mappings[0].entity == "order_id"
    assert domain.responses["utter_order_status"][0].slot_names == ["order_id"]
    assert domain.forms["order_form"].required_slots == ("order_id", "email")
    assert domain.handoff.trigger_intents == ("goodbye",)
    order = [e for e in data.examples if e.intent == "order_status"][0]
    assert order.text == "where is my order 12345"
    assert order.entities[0].value == "12345"
    # examples keep the line they were written on: 'examples: |' at 12, first example at 13
    assert (order.source.file.endswith("data/nlu.yml"), order.source.line) == (True, 13)
    story = data.stories[0]
    assert [s.kind for s in story.steps] == ["intent", "action", "intent", "slot_was_set", "action"]
    assert story.steps[2].entities == (("order_id", "12345"),)
    assert story.steps[3].slots == (("order_id", "12345"),)


def test_strict_load_raises_with_all_problems(tmp_path: Path) -> None:
    (tmp_path / "domain.yml").write_text("intents:\n  - greet\n  - greet\nslots:\n  x:\n    type: txt\n")
    with pytest.raises(ProjectInvalid) as info:
        load_project(tmp_path)
    text = str(info.value)
    assert "domain.yml:3: intents.greet: duplicate intent 'greet'" in text
    assert "domain.yml:6: slots.x.type: unknown slot type 'txt'" in text


@pytest.mark.skipif(not MOODBOT.exists(), reason="../shared/rasa-projects not present")
def test_moodbot_loads_unchanged_with_warnings_only() -> None:
    project = load_project(MOODBOT)
    assert project.errors == []
    assert {p.key for p in project.warnings} == {"recipe", "assistant_id"}
    assert len(project.domain.intents) == 7
    assert len(project.data.examples) == 68
    assert len(project.tests.stories) == 7
    first = project.tests.stories[0].steps[0]
    assert (first.user_text, first.name) == ("hello there!", "greet")
    assert project.domain.responses["utter_cheer_up"][0].image.startswith("https://")


def test_confirm_known_must_name_a_required_slot(tmp_path: Path) -> None:
    (tmp_path / "domain.yml").write_text(
        "intents:\n  - inform\nslots:\n  order_id:\n    type: text\n    mappings:\n"
        "    - type: from_text\nforms:\n  f:\n    required_slots:\n    - order_id\n"
        "    confirm_known:\n    - email\n")
    with pytest.raises(ProjectInvalid) as info:
        load_project(tmp_path)
    assert "domain.yml:12: forms.f.confirm_known: 'email' is not one of the form's required_slots" \
        in str(info.value)
