"""config.yml decides which policies and NLU components run: exactly the listed ones, in
order, a project's own `module.Class` included; Rasa names mapped or warned about."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from assistant.project import load_checked_project
from dialogue.agent import Agent
from policies.ensemble import PolicyEnsemble
from stores.handoffs import HandoffQueue
from tests.support import ROOT, KeywordParser

BUILT_IN = {"guardrail", "handoff", "fallback", "knowledge", "core_fallback"}


def _project(tmp_path: Path, config: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "bot"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_project", root)
    (root / "config.yml").write_text(textwrap.dedent(config))
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _agent(root: Path) -> Agent:
    project = load_checked_project(root)
    return Agent(project, KeywordParser(), PolicyEnsemble.train(project), HandoffQueue(), seed=0)


def test_only_rule_policy_runs_when_only_it_is_listed(tmp_path: Path) -> None:
    agent = _agent(_project(tmp_path, """\
        language: en
        pipeline:
        - name: JointBERT
        policies:
        - name: RulePolicy
        """))
    assert agent.policies.names == ["rules"]
    for text in ("hi", "where is my order 12345", "bye"):
        result = agent.handle("c", text)
        policies = {p.policy for step in result.steps for p in step.predictions}
        assert policies <= {"rules"} | BUILT_IN, policies


def test_listed_policies_run_in_order_with_their_priority(tmp_path: Path) -> None:
    agent = _agent(_project(tmp_path, """\
        pipeline: [{name: JointBERT}]
        policies:
        - name: TEDPolicy
          max_history: 3
          epochs: 50
        - name: MemoizationPolicy
          priority: 9
        """))
    assert agent.policies.names == ["ml", "memoization"]
    assert agent.policies.policies[0].max_history == 3 and agent.policies.policies[1].priority == 9


def test_project_component_policy_and_actions_load_and_run(tmp_path: Path) -> None:
    root = _project(tmp_path, """\
        pipeline:
        - name: JointBERT
        - name: shouting.Shouting
          marker: "!!"
        policies:
        - name: RulePolicy
        - name: my_policies.AlwaysGreet
          priority: 2
        """, {
        "shouting.py": '''
            from dataclasses import replace

            class Shouting:
                name = "Shouting"

                def __init__(self, marker="!"):
                    self.marker = marker

                def process(self, message):
                    return replace(message, frustration=1.0 if self.marker in message.text else 0.0)
            ''',
        "my_policies.py": '''
            from core.prediction import Prediction

            class AlwaysGreet:
                name = "always_greet"
                priority = 0

                def train(self, data, domain):
                    return {"always_greet": len(data.stories)}

                def predict(self, tracker, domain, rejected=frozenset()):
                    if tracker.is_new_user_turn:
                        return Prediction("utter_greet", 0.9, self.name, "greets everyone")
                    return None
            ''',
        "actions/__init__.py": "from actions import mine  # noqa: F401\n",
        "actions/mine.py": '''
            from dialogue.registry import action, say

            @action("action_mine")
            def mine(tracker, domain):
                return [say("from the project's own actions")]
            ''',
    })
    agent = _agent(root)
    assert agent.nlu.names == ["JointBERT", "Shouting"]
    assert agent.understand("help!!").frustration == 1.0
    assert agent.policies.names == ["rules", "always_greet"] and agent.policies.policies[1].priority == 2
    result = agent.handle("c", "something nobody wrote a story for")
    assert result.steps[0].chosen.policy == "always_greet"
    # the project's own `actions` package, not the example's beside cli.py
    assert set(agent.runner.custom.actions) == {"action_mine"}
    assert agent.runner.custom.actions["action_mine"](None, None)[0].text.startswith("from the project")


def test_rasa_names_are_mapped_or_warned_never_dropped(tmp_path: Path) -> None:
    root = _project(tmp_path, """\
        pipeline:
        - name: WhitespaceTokenizer
        - name: DIETClassifier
          epochs: 100
        - name: MitieNLP
        - name: MitieEntityExtractor
        - name: FallbackClassifier
          threshold: 0.3
        policies:
        - name: UnexpecTEDIntentPolicy
        - name: RulePolicy
          restrict_rules: false
        """)
    problems = [str(p) for p in load_checked_project(root, strict=False).problems]
    text = "\n".join(problems)
    assert "config.yml:2: info: pipeline[0].name: Rasa NLU component 'WhitespaceTokenizer' runs as 'JointBERT'" in text
    assert "options of Rasa's 'DIETClassifier' that 'JointBERT' does not use: epochs" in text
    assert "config.yml:6: info: pipeline[3].name: Rasa NLU component 'MitieEntityExtractor' runs as 'JointBERT'" in text
    assert "warning: policies[0].name: Rasa policy 'UnexpecTEDIntentPolicy' has no equivalent" in text
    assert "policies[1].restrict_rules: accepted for Rasa compatibility" in text


@pytest.mark.parametrize("config, expected", [
    ("pipeline: [{name: JointBERTT}]", "config.yml:1: pipeline[0].name: unknown NLU component "
                                       "'JointBERTT' — did you mean 'JointBERT'?"),
    ("pipeline:\n- name: FallbackClassifier\n  treshold: 0.3",
     "config.yml:3: pipeline[0].treshold: unknown option — did you mean 'threshold'?"),
    ("policies:\n- name: MLPolicy\n  max_history: many", "config.yml:3: policies[0].max_history: must be a whole number"),
    ("policies: [{name: nowhere.Policy}]", "policies[0].name: "),
    ("pipeline: [{name: JointBERT}]\npolicies: [{name: RulePolicy}, {name: RulePolicy}]",
     "'RulePolicy' is listed twice"),
])
def test_config_mistakes_name_file_line_and_key(tmp_path: Path, config: str, expected: str) -> None:
    root = _project(tmp_path, config + "\n")
    project = load_checked_project(root, strict=False)
    assert project.errors and any(expected in str(p) for p in project.errors), \
        "\n".join(map(str, project.problems))


def test_empty_sections_mean_the_defaults_and_say_so(tmp_path: Path) -> None:
    project = load_checked_project(_project(tmp_path, "language: en\n"), strict=False)
    infos = [str(p) for p in project.problems if p.severity == "info"]
    assert any("no pipeline given: using the default LanguageDetector, JointBERT" in p for p in infos)
    assert any("no policies given: using the default RulePolicy, MemoizationPolicy, MLPolicy" in p
               for p in infos)


def test_shell_debug_shows_what_the_config_made_run(tmp_path: Path) -> None:
    from assistant.shell import describe_setup

    agent = _agent(_project(tmp_path, "pipeline: [{name: JointBERT}]\npolicies: [{name: RulePolicy}]\n"))
    setup = describe_setup(agent)
    assert "NLU pipeline: JointBERT\n" in setup and "policies: rules (priority 6);" in setup


def test_a_custom_core_fallback_action_is_a_fallback_everywhere(tmp_path: Path) -> None:
    """RulePolicy's core_fallback_action_name runs once and ends the turn, and counts as a
    misunderstanding towards the handoff, like the built-in fallback."""
    agent = _agent(_project(tmp_path, """\
        pipeline: [{name: JointBERT}]
        policies:
        - name: RulePolicy
          core_fallback_threshold: 0.99
          core_fallback_action_name: utter_greet
        """))
    first = agent.handle("c", "hello there")
    assert first.actions == ["utter_greet"] and len(first.replies) == 1  # then it listens
    second = agent.handle("c", "hello again")
    assert "action_handoff" in second.actions  # the 2nd misunderstanding in a row


def test_an_undeclared_core_fallback_action_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path, "policies:\n- name: RulePolicy\n  core_fallback_action_name: utter_nope\n")
    errors = [str(p) for p in load_checked_project(root, strict=False).errors]
    assert any("config.yml:3: policies[0].core_fallback_action_name: 'utter_nope' is not" in e
               for e in errors), errors


def test_a_project_policy_loads_after_the_project_moved(tmp_path: Path) -> None:
    from core.imports import project_prefix
    from policies.ensemble import dialogue_fingerprint

    policy = '''
        from core.prediction import Prediction

        class Echo:
            name = "echo"
            priority = 2

            def train(self, data, domain):
                return {}

            def predict(self, tracker, domain, rejected=frozenset()):
                return None
        '''
    root = _project(tmp_path, "policies:\n- name: RulePolicy\n- name: mine.Echo\n", {"mine.py": policy})
    project = load_checked_project(root)
    PolicyEnsemble.train(project).save(tmp_path / "models")
    before = dialogue_fingerprint(project)
    moved = tmp_path / "elsewhere"
    shutil.move(str(root), moved)
    loaded = PolicyEnsemble.load(tmp_path / "models", moved)
    assert type(loaded.policies[1]).__module__ == f"{project_prefix(moved)}.mine"
    assert dialogue_fingerprint(load_checked_project(moved)) == before  # moving retrains nothing
    (moved / "mine.py").write_text((moved / "mine.py").read_text() + "\n# edited\n")
    assert dialogue_fingerprint(load_checked_project(moved)) != before  # editing the class does


def test_a_project_class_with_wrong_options_is_a_validate_error(tmp_path: Path) -> None:
    root = _project(tmp_path, "policies:\n- name: mine.Echo\n  max_hist: 3\n"
                    "pipeline:\n- name: JointBERT\n- name: mine.Loud\n  volume: 11\n", {"mine.py": '''
        class Echo:
            name, priority = "echo", 1

            def __init__(self, max_history=5):
                self.max_history = max_history

            def train(self, data, domain):
                return {}

            def predict(self, tracker, domain, rejected=frozenset()):
                return None

        class Loud:
            def process(self, message):
                return message
        '''})
    errors = [str(p) for p in load_checked_project(root, strict=False).errors]
    assert any("config.yml:2: policies[0]: could not build mine.Echo: TypeError" in e
               and "max_hist" in e for e in errors), errors
    assert any("config.yml:6: pipeline[1]: could not build 'mine.Loud': TypeError" in e
               for e in errors), errors


def test_rasa_init_config_validates_unchanged(tmp_path: Path) -> None:
    """The config.yml `rasa init` writes (Rasa 3.6), options and all."""
    root = _project(tmp_path, """\
        recipe: default.v1
        language: en
        pipeline:
        - name: WhitespaceTokenizer
        - name: RegexFeaturizer
        - name: LexicalSyntacticFeaturizer
        - name: CountVectorsFeaturizer
        - name: CountVectorsFeaturizer
          analyzer: char_wb
          min_ngram: 1
          max_ngram: 4
        - name: DIETClassifier
          epochs: 100
          constrain_similarities: true
        - name: EntitySynonymMapper
        - name: ResponseSelector
          epochs: 100
          constrain_similarities: true
        - name: FallbackClassifier
          threshold: 0.3
          ambiguity_threshold: 0.1
        policies:
        - name: MemoizationPolicy
          max_history: null
        - name: RulePolicy
        - name: UnexpecTEDIntentPolicy
          max_history: 5
          epochs: 100
        - name: TEDPolicy
          max_history: 5
          epochs: 100
          constrain_similarities: true
        """)
    project = load_checked_project(root, strict=False)
    assert not project.errors, "\n".join(map(str, project.errors))
    agent = _agent(root)
    assert agent.nlu.names == ["JointBERT", "RegexEntityExtractor", "EntitySynonymMapper",
                               "ResponseSelector", "FallbackClassifier"]
    assert agent.policies.names == ["memoization", "rules", "ml"]
    assert agent.policies.policies[0].max_history >= 100  # null: the whole conversation
