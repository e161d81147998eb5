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
    assert {p.key for p in project.warnings} == {"assistant_id"}
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


def test_scalars_are_read_as_yaml_1_2_like_rasa(tmp_path: Path) -> None:
    """PyYAML alone reads YAML 1.1: `Yes` would become True and a button would say "True"."""
    from project.yaml_loader import load_yaml

    path = tmp_path / "values.yml"
    path.write_text("title: Yes\nanswer: no\nswitch: on\nflag: true\nnothing: ~\ncount: 012\n"
                    "octal: 0o17\nhex: 0x1F\nratio: 1.5e3\nwhen: 2025-13-01\nday: 2025-01-02\n")
    value, problems = load_yaml(path)
    assert problems == []
    assert dict(value) == {"title": "Yes", "answer": "no", "switch": "on", "flag": True,
                           "nothing": None, "count": 12, "octal": 15, "hex": 31, "ratio": 1500.0,
                           "when": "2025-13-01", "day": "2025-01-02"}


def test_a_button_titled_yes_says_yes() -> None:
    project = load_project(Path(__file__).parent.parent / "fixtures" / "rasa_sdk_bot")
    buttons = project.domain.responses["utter_confirm_seating"][0].buttons
    assert [(b.title, b.payload) for b in buttons] == [("Yes", "/affirm"), ("No", "/deny")]


def test_a_domain_folder_of_several_files_is_merged(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "bot"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "rasa_sdk_bot", root)
    text = (root / "domain.yml").read_text()
    head, responses = text.split("\nresponses:\n")
    responses, rest = responses.split("\nactions:\n")
    (root / "domain.yml").unlink()
    (root / "domain").mkdir()
    (root / "domain" / "core.yml").write_text(head + "\nactions:\n" + rest)
    (root / "domain" / "responses.yml").write_text('version: "3.1"\nresponses:\n' + responses)
    (root / "domain" / "smalltalk" ).mkdir()
    (root / "domain" / "smalltalk" / "greet.yml").write_text(
        'intents:\n  - greet\nresponses:\n  utter_greet:\n    - text: "a second greeting"\n')
    project = load_project(root)
    whole = load_project(Path(__file__).parent.parent / "fixtures" / "rasa_sdk_bot")
    assert project.domain.intents == whole.domain.intents
    assert set(project.domain.responses) == set(whole.domain.responses)
    assert project.domain.forms == whole.domain.forms and project.domain.slots == whole.domain.slots
    assert project.domain.session == whole.domain.session
    (warning,) = [str(p) for p in project.warnings if "utter_greet" in str(p)]
    assert "domain/smalltalk/greet.yml:4: warning: responses.utter_greet: response 'utter_greet' " \
        "is also declared in" in warning  # the first one is kept
    assert project.domain.responses["utter_greet"][0].text.startswith("Hello!")


def test_hyphenated_slot_names_fill_their_responses(tmp_path: Path) -> None:
    """Duckling's dimensions are entity names with hyphens; Rasa projects name slots after them."""
    import shutil

    from responses.templates import render

    root = tmp_path / "bot"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "rasa_sdk_bot", root)
    text = (root / "domain.yml").read_text()
    text = text.replace("  - number\n", "  - number\n  - amount-of-money\n", 1)
    text = text.replace("slots:\n", "slots:\n  amount-of-money:\n    type: text\n    mappings:\n"
                        "      - type: from_entity\n        entity: amount-of-money\n", 1)
    text = text.replace("responses:\n", "responses:\n  utter_refund:\n"
                        "    - text: \"We refund {amount-of-money}.\"\n", 1)
    (root / "domain.yml").write_text(text)
    project = load_project(root)
    assert "amount-of-money" in project.domain.slots
    assert not [p for p in project.errors if "amount-of-money" in str(p)]
    reply = render("utter_refund", project.domain.responses["utter_refund"],
                   {"amount-of-money": "20 EUR"}, __import__("random").Random(0))
    assert reply.text == "We refund 20 EUR."


def test_rasa_format_versions_2_0_to_3_1_are_read_and_others_warn(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "bot"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "rasa_sdk_bot", root)
    for version in ('"2.0"', '"3.0"', "3.1", '"3.1"'):
        (root / "data" / "rules.yml").write_text(
            (root / "data" / "rules.yml").read_text().replace(
                (root / "data" / "rules.yml").read_text().splitlines()[0], f"version: {version}", 1))
        assert not [p for p in load_project(root).problems if p.key == "version"], version
    (root / "domain.yml").write_text((root / "domain.yml").read_text().replace('version: "3.1"', 'version: "4.0"'))
    (warning,) = [str(p) for p in load_project(root).problems if p.key == "version"]
    assert warning.endswith("domain.yml:1: warning: version: '4.0' is not a Rasa format version read "
                            "here (2.0, 3.0, 3.1); read as 3.1")


def test_an_end_to_end_bot_text_is_the_response_that_says_it(tmp_path: Path) -> None:
    (tmp_path / "domain.yml").write_text(
        'version: "3.1"\nintents: [greet, bye]\nresponses:\n  utter_greet:\n  - text: "Hey! How are you?"\n'
        "  utter_bye:\n  - text: Bye\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n'
        "- intent: bye\n  examples: |\n    - bye\n    - see you\n")
    (tmp_path / "data" / "stories.yml").write_text(
        'version: "3.1"\nstories:\n- story: e2e\n  steps:\n  - user: hi\n  - bot: "hey!  how are you?"\n'
        "  - intent: bye\n  - bot: See you soon\n")
    project = load_project(tmp_path, strict=False)
    steps = project.data.stories[0].steps
    assert [(s.kind, s.name) for s in steps[1::2]] == [("action", "utter_greet"), ("bot", "See you soon")]
    assert any("stories.yml:8: warning: bot: no response says 'See you soon'" in str(p)
               for p in project.problems)
