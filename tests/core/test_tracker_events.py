from core.events import (
    ActionExecuted, ActiveLoop, BotUttered, Handoff, HandoffReleased, Restarted, SlotSet,
    UserUttered, event_from_dict,
)
from core.message import Entity, Fallback, IntentScore, Message
from project.loader import load_project
from core.tracker import Tracker
from tests.support import ROOT


def _user(text: str, intent: str, entities=()) -> UserUttered:
    return UserUttered(message=Message(text, IntentScore(intent, 0.9), (IntentScore(intent, 0.9),),
                                       tuple(entities), frustration=0.1), input_channel="rest")


EVENTS = [
    _user("return order 12345", "return_item", [Entity("order_id", 13, 18, "12345", "12345")]),
    SlotSet(slot="order_id", value="12345"),
    ActionExecuted(action="return_form", policy="rules", confidence=1.0, reason="rule"),
    ActiveLoop(loop="return_form"),
    BotUttered(text="Your email?", buttons=(("Skip", "/deny"),), response="utter_ask_email"),
    SlotSet(slot="requested_slot", value="email"),
    ActionExecuted(action="action_listen"),
    Handoff(reason="asked", summary={"slots": {"order_id": "12345"}}, ticket="1"),
]


def test_every_message_field_survives_the_store() -> None:
    """What the NLU pipeline found (language, gibberish, frustration, why it fell back) and
    the channel are typed fields that come back from a stored dict unchanged."""
    user = UserUttered(message=Message("asdf qwer", IntentScore("nlu_fallback", 0.9), language="de",
                                       gibberish=True, frustration=0.4,
                                       fallback=Fallback("greet", 0.9, "no word known", foreign=True)),
                       input_channel="slack")
    back = event_from_dict(user.to_dict())
    assert back == user and back.message.fallback.foreign and back.frustration == 0.4


def test_state_is_rebuilt_from_events() -> None:
    domain = load_project(ROOT).domain
    live = Tracker("c", dict(domain.slots))
    for event in EVENTS:
        live.append(event)
    rebuilt = Tracker.from_events("c", EVENTS, domain)
    for tracker in (live, rebuilt):
        assert tracker.slots["order_id"] == "12345"
        assert tracker.slots["requested_slot"] == "email"
        assert tracker.active_loop == "return_form"
        assert tracker.latest_action == "action_listen"
        assert tracker.handed_off
        assert tracker.slots["sentiment"] == "neutral"  # initial value from domain.yml
    rebuilt.append(HandoffReleased(agent="ann"))
    assert not rebuilt.handed_off


def test_events_round_trip_through_dicts() -> None:
    for event in EVENTS:
        assert event_from_dict(event.to_dict()) == event


def test_restart_clears_state_but_keeps_the_log() -> None:
    domain = load_project(ROOT).domain
    tracker = Tracker.from_events("c", EVENTS + [Restarted()], domain)
    assert tracker.slots["order_id"] is None and tracker.active_loop is None
    assert not tracker.handed_off and len(tracker.events) == len(EVENTS) + 1
    assert tracker.current == []


def test_transcript_and_intent_history() -> None:
    tracker = Tracker.from_events("c", EVENTS)
    assert tracker.intent_history() == ["return_item"]
    assert tracker.transcript() == [{"from": "customer", "text": "return order 12345"},
                                    {"from": "bot", "text": "Your email?"}]


def test_the_conversation_keeps_its_language_over_messages_that_cannot_tell() -> None:
    from dataclasses import replace

    from core.tracker import Tracker

    chinese = _user("我的订单12345到哪了？", "order_status")
    chinese = UserUttered(message=replace(chinese.message, language="zh"))
    email = _user("alex@example.com", "inform")
    email = UserUttered(message=replace(email.message, language="en", language_guessed=True))
    tracker = Tracker.from_events("t", [chinese, email])
    assert tracker.language == "zh" and tracker.audience[0] == "zh"
    english = _user("thanks, and where is my other order?", "order_status")
    tracker.extend([english])
    assert tracker.language == "en"
    assert UserUttered.from_dict(email.to_dict()).message.language_guessed is True
