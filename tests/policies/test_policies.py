from core.domain import Domain, HandoffConfig
from core.events import ActionExecuted, ActiveLoop, SlotSet
from core.tracker import Tracker
from core.training_data import Story, StoryStep
from policies.handoff import HandoffPolicy
from policies.memoization import MemoizationPolicy
from core.prediction import Prediction, choose
from policies.registry import PolicyData
from policies.rules import RulePolicy
from policies.states import story_events
from tests.core.test_tracker_events import _user


def steps(*items) -> tuple[StoryStep, ...]:
    out = []
    for kind, name in items:
        out.append(StoryStep(kind, name))
    return tuple(out)


def rule(name, *items, conditions=(), start=False, wait=True) -> Story:
    return Story(name, "rule", steps(*items), tuple(conditions), start, wait)


DOMAIN = Domain(intents=["greet", "inform", "shipping_costs", "deny"], forms={})


def test_choose_priority_then_confidence_then_core_fallback() -> None:
    ml = Prediction("utter_a", 0.9, "ml", "")
    memo = Prediction("utter_b", 0.6, "memoization", "")
    rules = Prediction("utter_c", 1.0, "rules", "")
    assert choose([ml, memo]) is memo
    assert choose([ml, memo, rules]) is rules
    assert choose([Prediction("utter_a", 0.95, "ml", ""), ml]).confidence == 0.95
    low = choose([Prediction("utter_a", 0.2, "ml", "")], core_threshold=0.3)
    assert low.action == "action_default_fallback" and low.policy == "core_fallback"


def test_rule_predicts_each_action_then_listens() -> None:
    policy = RulePolicy()
    policy.train(PolicyData([], [rule("thanks", ("intent", "greet"), ("action", "utter_a"), ("action", "utter_b"))]), DOMAIN)
    tracker = Tracker("t")
    tracker.append(_user("hi", "greet"))
    assert policy.predict(tracker, DOMAIN).action == "utter_a"
    tracker.append(ActionExecuted(action="utter_a"))
    assert policy.predict(tracker, DOMAIN).action == "utter_b"
    tracker.append(ActionExecuted(action="utter_b"))
    assert policy.predict(tracker, DOMAIN).action == "action_listen"


def test_conversation_start_rule_only_matches_at_the_start() -> None:
    policy = RulePolicy()
    policy.train(PolicyData([], [rule("welcome", ("intent", "greet"), ("action", "utter_welcome"), start=True)]), DOMAIN)
    tracker = Tracker("t")
    tracker.append(_user("hi", "greet"))
    assert policy.predict(tracker, DOMAIN).action == "utter_welcome"
    tracker.extend([ActionExecuted(action="utter_welcome"), ActionExecuted(action="action_listen"),
                    _user("hi again", "greet")])
    assert policy.predict(tracker, DOMAIN) is None


def test_active_form_runs_unless_a_rule_for_it_handles_the_intent() -> None:
    policy = RulePolicy()
    unhappy = rule("costs in form", ("intent", "shipping_costs"), ("action", "utter_costs"),
                   ("action", "f"), conditions=(StoryStep("active_loop", "f"),))
    policy.train(PolicyData([], [unhappy, rule("hello", ("intent", "greet"), ("action", "utter_greet"))]), DOMAIN)
    tracker = Tracker("t")
    tracker.extend([ActiveLoop(loop="f"), SlotSet(slot="requested_slot", value="email"),
                    ActionExecuted(action="action_listen"), _user("x@y.z", "inform")])
    assert policy.predict(tracker, DOMAIN).action == "f"
    tracker.append(_user("what does shipping cost", "shipping_costs"))
    assert policy.predict(tracker, DOMAIN).action == "utter_costs"
    tracker.append(_user("hello", "greet"))  # not written for the form: the form goes first
    assert policy.predict(tracker, DOMAIN).action == "f"
    assert policy.predict(tracker, DOMAIN, frozenset({"f"})).action == "utter_greet"


def test_memoization_replays_a_story_and_forgets_conflicts() -> None:
    story_a = Story("a", "story", steps(("intent", "greet"), ("action", "utter_a")))
    story_b = Story("b", "story", steps(("intent", "greet"), ("action", "utter_b")))
    story_c = Story("c", "story", steps(("intent", "deny"), ("action", "utter_c")))
    policy = MemoizationPolicy(max_history=3)
    policy.train(PolicyData([story_a, story_b, story_c], []), DOMAIN)
    tracker = Tracker.from_events("t", story_events(list(story_c.steps[:1]), DOMAIN, end_with_listen=False))
    assert policy.predict(tracker, DOMAIN).action == "utter_c"
    tracker = Tracker.from_events("t", story_events(list(story_a.steps[:1]), DOMAIN, end_with_listen=False))
    assert policy.predict(tracker, DOMAIN) is None  # greet led to two different actions


def test_handoff_triggers() -> None:
    domain = Domain(handoff=HandoffConfig(trigger_intents=("human_handoff",), fallbacks_before_handoff=2,
                                          frustration_threshold=0.7, frustrated_messages_before_handoff=2))
    policy = HandoffPolicy()
    asked = Tracker.from_events("t", [_user("a human please", "human_handoff")])
    assert policy.predict(asked, domain).action == "action_handoff"
    once = Tracker.from_events("t", [_user("blah", "nlu_fallback")])
    assert policy.predict(once, domain) is None
    twice = Tracker.from_events("t", [_user("blah", "nlu_fallback"),
                                      ActionExecuted(action="action_default_fallback"),
                                      ActionExecuted(action="action_listen"), _user("blorp", "nlu_fallback")])
    assert "2 messages in a row" in policy.predict(twice, domain).reason


def test_a_request_for_a_human_inside_another_intent_hands_over() -> None:
    from dataclasses import replace

    from core.events import UserUttered

    domain = Domain(handoff=HandoffConfig(trigger_intents=("human_handoff",)))
    complaint = _user("太差了，我要投诉，转人工", "complaint")
    flagged = UserUttered(message=replace(complaint.message, asks_for_human=True))
    found = HandoffPolicy().predict(Tracker.from_events("t", [flagged]), domain)
    assert found.action == "action_handoff" and "in a complaint message" in found.reason
    assert HandoffPolicy().predict(Tracker.from_events("t", [complaint]), domain) is None
    no_handoffs = Domain(handoff=HandoffConfig(trigger_intents=()))
    assert HandoffPolicy().predict(Tracker.from_events("t", [flagged]), no_handoffs) is None


def test_rule_slot_conditions_read_as_rasa_featurises_the_slot() -> None:
    from core.domain import Slot

    domain = Domain(intents=["track"], forms={}, slots={
        "order_id": Slot("order_id", "text", influence_conversation=True),
        "vip": Slot("vip", "bool")})
    policy = RulePolicy()
    known = rule("known order", ("intent", "track"), ("action", "action_track"),
                 conditions=(StoryStep("slot_was_set", slots=(("order_id", "48213"),)),))
    vip = rule("vip", ("intent", "track"), ("action", "utter_vip"), ("action", "action_track"),
               conditions=(StoryStep("slot_was_set", slots=(("order_id", "1"), ("vip", True))),))
    policy.train(PolicyData([], [known, vip]), domain)
    def track(*slots) -> str | None:
        tracker = Tracker("t", dict(domain.slots))
        tracker.extend([*slots, ActionExecuted(action="action_listen"), _user("track it", "track")])
        found = policy.predict(tracker, domain)
        return found.action if found else None

    assert track() is None  # no order known
    assert track(SlotSet(slot="order_id", value="12345")) == "action_track"  # any number
    assert track(SlotSet(slot="order_id", value="1"), SlotSet(slot="vip", value=False)) == "action_track"
    assert track(SlotSet(slot="order_id", value="1"), SlotSet(slot="vip", value=True)) == "utter_vip"


def test_a_yes_or_no_to_a_forms_confirmation_goes_to_the_form() -> None:
    from core.domain import Form, Slot

    domain = Domain(intents=["deny", "affirm", "inform"], slots={"order_id": Slot("order_id", "text")},
                    forms={"f": Form("f", ("order_id",), confirm_known=("order_id",))})
    cancel = rule("no stops the form", ("intent", "deny"), ("action", "action_deactivate_loop"),
                  conditions=(StoryStep("active_loop", "f"),))
    policy = RulePolicy()
    policy.train(PolicyData([], [cancel]), domain)
    tracker = Tracker("t", dict(domain.slots))
    tracker.extend([ActiveLoop(loop="f"), SlotSet(slot="order_id", value="12345"),
                    SlotSet(slot="requested_slot", value="order_id"),
                    ActionExecuted(action="action_listen"), _user("no", "deny")])
    assert policy.predict(tracker, domain).action == "f"  # "not that order"
    tracker.append(SlotSet(slot="order_id", value=None))  # asked for it: no means stop
    assert policy.predict(tracker, domain).action == "action_deactivate_loop"


def test_an_end_to_end_user_text_is_matched_on_the_text_before_the_intent() -> None:
    """Rasa's e2e stories: `- user: "I can always go for sushi"` with no intent, then an
    action; the customer's message said that way gets it, whatever intent NLU gave."""
    said = StoryStep("intent", "", user_text="I can always go for sushi")
    stories = [
        Story("suggest", "story", steps(("intent", "greet"), ("action", "utter_suggest"),
                                        ("intent", "inform"), ("action", "utter_suggest"))),
        Story("indirect", "story", (*steps(("intent", "greet"), ("action", "utter_suggest")), said,
                                    *steps(("action", "utter_search")))),
    ]
    policy = MemoizationPolicy(max_history=3)
    policy.train(PolicyData(stories, []), DOMAIN)
    assert policy.texts

    def after(text: str, intent: str) -> str:
        tracker = Tracker("t")
        tracker.extend([_user("hi", "greet"), ActionExecuted(action="utter_suggest"),
                        ActionExecuted(action="action_listen"), _user(text, intent)])
        return policy.predict(tracker, DOMAIN).action

    assert after("i can always go for  SUSHI!", "inform") == "utter_search"
    assert after("something else", "inform") == "utter_suggest"


def test_use_entities_ignore_entities_and_influence_conversation_hide_entities_from_policies(tmp_path) -> None:
    from core.message import Entity, IntentScore, Message
    from core.events import UserUttered
    from policies.states import current_state
    from project.loader import load_project

    (tmp_path / "domain.yml").write_text(
        'version: "3.1"\nintents:\n- chitchat:\n    use_entities: []\n- inform:\n'
        "    ignore_entities: [cuisine]\n- request:\n    use_entities: [number]\n- greet\n"
        "entities:\n- cuisine\n- number\n- mood:\n    influence_conversation: false\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n')
    domain = load_project(tmp_path, strict=False).domain

    def seen(intent: str) -> set[str]:
        entities = tuple(Entity(n, 0, 1, "x", "x") for n in ("cuisine", "number", "mood"))
        tracker = Tracker("t")
        tracker.append(UserUttered(message=Message("x", IntentScore(intent, 1.0), (), entities)))
        return {f[7:] for f in current_state(tracker, domain) if f.startswith("entity:")}

    assert seen("chitchat") == set()
    assert seen("inform") == {"number"}
    assert seen("request") == {"number"}
    assert seen("greet") == {"cuisine", "number"}
