"""Rasa's story and rule semantics in training: `or` steps in rules, checkpoints joining
stories, a slot mapping's list of conditions read as OR, unreachable checkpoints warned."""
from __future__ import annotations

import shutil
from pathlib import Path

from core.events import ActionExecuted, UserUttered
from core.message import Entity, IntentScore, Message
from core.tracker import Tracker
from tests.dialogue.test_rasa_sdk_server import FIXTURE


def _project(tmp_path: Path, rules: str = "", stories: str = "") -> Path:
    root = tmp_path / "bot"
    shutil.copytree(FIXTURE, root)
    if rules:
        (root / "data" / "rules.yml").write_text('version: "3.1"\nrules:\n' + rules)
    if stories:
        (root / "data" / "stories.yml").write_text('version: "3.1"\nstories:\n' + stories)
    return root


def _next(policies, domain, intent: str) -> str:
    tracker = Tracker("t", dict(domain.slots))
    tracker.extend([ActionExecuted(action="action_listen"),
                    UserUttered(message=Message(intent, IntentScore(intent, 1.0)))])
    return max(policies.predictions(tracker, domain, frozenset()), key=lambda p: p.confidence).action


def test_a_rule_with_or_steps_holds_for_each_alternative(tmp_path: Path) -> None:
    from policies.ensemble import PolicyEnsemble
    from project.loader import load_project

    root = _project(tmp_path, rules="""\
  - rule: thanks or bye
    steps:
      - or:
          - intent: thankyou
          - intent: goodbye
      - action: utter_noworries
""")
    project = load_project(root)
    policies = PolicyEnsemble.train(project)
    assert _next(policies, project.domain, "thankyou") == "utter_noworries"
    assert _next(policies, project.domain, "goodbye") == "utter_noworries"


def test_checkpoints_join_stories_and_an_unreachable_one_warns(tmp_path: Path) -> None:
    from core.story_graph import stitch_checkpoints
    from project.loader import load_project

    root = _project(tmp_path, stories="""\
  - story: opening
    steps:
      - intent: greet
      - action: utter_greet
      - checkpoint: greeted
  - story: then thanks
    steps:
      - checkpoint: greeted
      - intent: thankyou
      - action: utter_noworries
  - story: then bye
    steps:
      - checkpoint: greeted
      - intent: goodbye
      - action: utter_goodbye
  - story: nobody gets here
    steps:
      - checkpoint: nowhere
      - intent: goodbye
      - action: utter_goodbye
""")
    project = load_project(root)
    joined = stitch_checkpoints(project.data.stories)
    assert [s.name for s in joined] == ["opening > then thanks", "opening > then bye"]
    assert [step.name for step in joined[1].steps] == ["greet", "utter_greet", "goodbye", "utter_goodbye"]
    (warning,) = [str(p) for p in project.warnings if "starts at checkpoint" in str(p)]
    assert "stories.yml:20: warning: checkpoint: story 'nobody gets here' starts at checkpoint " \
           "'nowhere', which no story ends with" in warning


def test_a_mapping_with_several_conditions_applies_under_any_of_them(tmp_path: Path) -> None:
    from dialogue.slot_filling import candidates
    from project.loader import load_project

    root = _project(tmp_path)
    domain_file = root / "domain.yml"
    text = domain_file.read_text().replace("""        conditions:
          - active_loop: restaurant_form
  num_people:""", """        conditions:
          - active_loop: restaurant_form
          - active_loop: other_form
  num_people:""")
    text = text.replace("forms:\n", "forms:\n  other_form:\n    required_slots:\n      - cuisine\n")
    domain_file.write_text(text)
    domain = load_project(root).domain
    user = UserUttered(message=Message("thai", IntentScore("inform", 1.0),
                                       entities=(Entity("cuisine", 0, 4, "thai", "thai"),)))
    for form in ("restaurant_form", "other_form"):
        assert candidates(domain, user, form, "cuisine", ["cuisine"]) == {"cuisine": "thai"}
    assert candidates(domain, user, None, None, ["cuisine"]) == {}
