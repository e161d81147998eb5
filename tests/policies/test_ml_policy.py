"""The ML policy: what it learns from the example's stories, the glued stories it trains on
(`policies.augment`), and its options. One policy is trained per session (about a second)."""
from __future__ import annotations

import shutil
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from core.domain import Domain, Slot
from core.events import ActionExecuted, Event, SlotSet
from core.message import Entity
from core.tracker import ACTION_LISTEN, Tracker
from core.training_data import Story, StoryStep
from policies.augment import glued_pairs, rules_as_stories, story_pairs
from policies.ml import MLPolicy
from policies.registry import MLOptions, PolicyData
from project.loader import load_project
from tests.core.test_tracker_events import _user
from tests.support import ROOT


@pytest.fixture(scope="session")
def example_ml():
    """(policy, domain) trained on the example's stories and rules, with order_id
    influencing the conversation whatever domain.yml says today."""
    project = load_project(ROOT)
    slots = dict(project.domain.slots)
    slots["order_id"] = replace(slots["order_id"], influence_conversation=True)
    domain = replace(project.domain, slots=slots)
    policy = MLPolicy()
    policy.train(PolicyData(list(project.data.stories), list(project.data.rules)), domain)
    return policy, domain


def _order(intent: str, order_id: str | None = None) -> list[Event]:
    entities = [Entity("order_id", 0, len(order_id), order_id, order_id)] if order_id else []
    events: list[Event] = [ActionExecuted(action=ACTION_LISTEN), _user("…", intent, entities)]
    return events + ([SlotSet(slot="order_id", value=order_id)] if order_id else [])


def _next(policy: MLPolicy, domain: Domain, events: list[Event]) -> str:
    return policy.predict(Tracker("t", dict(domain.slots), list(events)), domain).action


def test_a_new_intent_mid_conversation_gets_its_own_action(example_ml) -> None:
    policy, domain = example_ml
    events: list[Event] = [_user("hi", "greet"), ActionExecuted(action="utter_greet"),
                           *_order("order_status", "48213")]
    assert _next(policy, domain, events) == "action_check_order_status"
    events.append(ActionExecuted(action="action_check_order_status"))
    assert _next(policy, domain, events) == ACTION_LISTEN
    events += _order("bot_challenge")
    assert _next(policy, domain, events) == "utter_bot_challenge"
    events += [ActionExecuted(action="utter_bot_challenge"), *_order("shipping_costs")]
    assert _next(policy, domain, events) == "utter_shipping_costs"


def test_an_order_already_known_is_not_asked_for_again(example_ml) -> None:
    policy, domain = example_ml
    known = [*_order("order_status", "48213")[1:],
             ActionExecuted(action="action_check_order_status"), *_order("track_delivery")]
    assert _next(policy, domain, known) == "action_track_delivery"
    assert _next(policy, domain, _order("track_delivery")[1:]) == "utter_ask_order_id"


def test_never_hands_over_starts_a_form_or_ends_none(example_ml) -> None:
    policy, domain = example_ml
    complaint = [_user("this is unacceptable", "complaint"),
                 ActionExecuted(action="utter_complaint"), *_order("affirm")]
    assert _next(policy, domain, complaint) != "action_handoff"
    for intent in ("return_item", "deny"):
        predicted = _next(policy, domain, _order(intent)[1:])
        assert predicted not in ("return_form", "action_deactivate_loop")


def test_training_is_deterministic(example_ml) -> None:
    policy, domain = example_ml
    project = load_project(ROOT)
    again = MLPolicy()
    again.train(PolicyData(list(project.data.stories), list(project.data.rules)), domain)
    events = [_user("hi", "greet"), ActionExecuted(action="utter_greet"), *_order("thanks")]
    tracker = Tracker("t", dict(domain.slots), events)
    assert again.predict(tracker, domain) == policy.predict(tracker, domain)


# ----- augmentation ------------------------------------------------------------------------

DOMAIN = Domain(intents=["greet", "ask", "inform", "faq", "bye"],
                slots={"order_id": Slot("order_id", "text")})


def story(name: str, *steps: StoryStep, kind: str = "story", conditions=()) -> Story:
    return Story(name, kind, tuple(steps), tuple(conditions))


def intent(name: str) -> StoryStep:
    return StoryStep("intent", name)


def action(name: str) -> StoryStep:
    return StoryStep("action", name)


ORDER = story("order", intent("ask"), action("utter_ask_id"), intent("inform"),
              StoryStep("slot_was_set", slots=(("order_id", "1"),)), action("action_check"))
HELLO = story("hello", intent("greet"), action("utter_greet"), intent("bye"), action("utter_bye"))
FAQ = story("faq", intent("faq"), action("utter_faq"), kind="rule")


def test_glued_stories_are_seeded_and_only_train_the_second_piece() -> None:
    pairs = glued_pairs([ORDER, HELLO, FAQ], DOMAIN, factor=3, seed=1)
    assert pairs and pairs == glued_pairs([ORDER, HELLO, FAQ], DOMAIN, factor=3, seed=1)
    assert glued_pairs([ORDER, HELLO], DOMAIN, factor=0, seed=1) == []
    originals = story_pairs([ORDER, HELLO, FAQ], DOMAIN)
    # every glued example comes after the first piece's turns, and the slot set by the
    # first piece is reset before the second starts
    assert all(len(states) > 1 for states, _ in pairs)
    starts = [states for states, _ in pairs if len(states) > 1
              and {"prev:action_listen", "intent:greet"} <= states[-1]]
    assert starts and all("slot:order_id=set" not in states[-1] for states in starts)
    assert {a for _, a in pairs} <= {a for _, a in originals}


def test_an_aside_in_the_middle_of_a_story_lets_it_go_on() -> None:
    pairs = glued_pairs([ORDER, FAQ], DOMAIN, factor=5, seed=0)
    resumed = [states for states, action in pairs if action == "action_check"
               and any("prev:utter_faq" in s for s in states)]
    assert resumed, "no story went on after an FAQ answer in its middle"


def test_rules_train_with_their_conditions_unless_the_policy_cannot_see_them() -> None:
    hidden = {"vip": Slot("vip", "bool", influence_conversation=False)}
    domain = replace(DOMAIN, slots={**DOMAIN.slots, **hidden})
    known = story("known", intent("ask"), action("action_check"), kind="rule",
                  conditions=[StoryStep("slot_was_set", slots=(("order_id", "1"),))])
    vip = story("vip", intent("ask"), action("action_check"), kind="rule",
                conditions=[StoryStep("slot_was_set", slots=(("vip", True),))])
    stories = rules_as_stories([known, vip, FAQ], domain)
    assert [s.name for s in stories] == ["known", "faq"]
    [(states, _)] = [p for p in story_pairs(stories[:1], domain) if p[1] == "action_check"]
    assert "slot:order_id=set" in states[-1]


# ----- options -----------------------------------------------------------------------------

def test_options_are_checked() -> None:
    assert MLOptions().problems() == []
    assert MLOptions(augmentation_factor=0).problems() == []
    assert dict(MLOptions(augmentation_factor=-1, hidden=0).problems()) == {
        "augmentation_factor": "must be >= 0 (0: no glued stories)", "hidden": "must be >= 1"}
    options = MLOptions(max_history=3, hidden=16, epochs=50, augmentation_factor=2)
    policy = MLPolicy.from_options(options)
    assert (policy.max_history, policy.hidden, policy.epochs,
            policy.augmentation_factor) == (3, 16, 50, 2)


def test_ted_policy_options_carry_over(tmp_path: Path) -> None:
    from policies.ensemble import resolve_or_raise

    root = tmp_path / "bot"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_project", root)
    (root / "config.yml").write_text(textwrap.dedent("""\
        policies:
        - name: TEDPolicy
          max_history: 4
          epochs: 100
          augmentation_factor: 10
        """))
    [resolved] = resolve_or_raise(load_project(root))
    assert resolved.name == "MLPolicy"
    assert (resolved.options.max_history, resolved.options.epochs,
            resolved.options.augmentation_factor) == (4, 100, 10)


@pytest.mark.parametrize("actions", [2, 3, 7])
def test_the_forward_pass_gives_scikit_learns_probabilities_exactly(actions: int) -> None:
    import warnings

    import numpy as np
    from sklearn.neural_network import MLPClassifier

    from policies.ml import MLPWeights, mlp_probabilities

    rng = np.random.default_rng(actions)
    x = (rng.random((200, 30)) > 0.7).astype(np.float32)
    y = rng.integers(0, actions, 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, random_state=0).fit(x, y)
    weights = MLPWeights.of(model)
    assert weights == weights and weights != MLPWeights.of(model)  # by identity: arrays inside
    for row in x[:25]:
        expected = model.predict_proba(row[None, :])[0]
        assert np.array_equal(mlp_probabilities(model, row), mlp_probabilities(weights, row))
        if actions > 2:  # softmax: the same operations as scikit-learn's
            assert np.array_equal(mlp_probabilities(weights, row), expected)
        else:  # logistic: numpy's 1 / (1 + exp(-x)) for scipy's expit
            assert np.allclose(mlp_probabilities(weights, row), expected, rtol=1e-6, atol=1e-7)


def test_a_saved_ensemble_serves_without_scikit_learn(tmp_path: Path) -> None:
    """The ML policy keeps its layers as arrays (policies.ml.MLPWeights): loading the trained
    policies and predicting imports neither scikit-learn nor scipy (1.5 s of a server's start)."""
    import subprocess
    import sys

    from policies.ensemble import PolicyEnsemble

    PolicyEnsemble.train(load_project(ROOT)).save(tmp_path / "dialogue")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from policies.ensemble import PolicyEnsemble
        from policies.ml import MLPolicy
        ensemble = PolicyEnsemble.load(Path({str(tmp_path / "dialogue")!r}), Path({str(ROOT)!r}))
        [ml] = [p for p in ensemble.policies if isinstance(p, MLPolicy)]
        assert type(ml.model).__name__ == "MLPWeights", type(ml.model)
        assert ml.predict_states([frozenset({{"intent:greet"}})]) is not None
        assert not {{"sklearn", "scipy"}} & set(sys.modules), sorted(m for m in sys.modules if m.startswith(("sklearn", "scipy")))[:5]
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
