"""What a human agent reads first on a ticket (`summarize`: the headline, reason, priority,
intents, slots, last messages, frustration) and how urgent the ticket is (`triage`)."""
from __future__ import annotations

from core.domain import HandoffConfig
from core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from core.message import IntentScore, Message
from core.tracker import Tracker
from stores.handoffs import HandoffQueue, summarize, triage

CONFIG = HandoffConfig(trigger_intents=("human_handoff",), frustration_threshold=0.7,
                       priority_intents=(("complaint", "high"), ("chitchat", "low")))


def user(text: str, intent: str, frustration: float = 0.0) -> UserUttered:
    return UserUttered(message=Message(text, IntentScore(intent, 0.9), frustration=frustration))


def conversation(*events) -> Tracker:
    return Tracker.from_events("ann", events)


def misunderstood_then_asked(frustration: float = 0.0) -> Tracker:
    return conversation(
        user("where is 48213", "order_status"), SlotSet(slot="order_id", value="48213"),
        ActionExecuted(action="action_check_order_status"), BotUttered(text="It ships today."),
        user("qwfp", "nlu_fallback"), ActionExecuted(action="action_default_fallback"),
        BotUttered(text="Sorry, could you rephrase?"),
        user("zxcv", "nlu_fallback"), ActionExecuted(action="action_default_fallback"),
        BotUttered(text="Sorry, could you rephrase?"),
        user("a person please!!", "human_handoff", frustration),
    )


def test_the_summary_has_a_headline_and_everything_an_agent_needs() -> None:
    tracker = misunderstood_then_asked(0.85)
    priority, notes = triage(tracker, CONFIG)
    summary = summarize(tracker, "the customer asked for a human (human_handoff)", last=3,
                        priority=priority, notes=notes)
    assert summary["headline"] == ("The customer asked for a human (human_handoff) after 2 "
                                   "messages not understood; order id 48213; frustrated (0.85); "
                                   "high priority")
    assert summary["reason"] == "the customer asked for a human (human_handoff)"
    assert summary["priority"] == "high" and summary["not_understood"] == 2
    assert summary["intents"] == ["order_status", "nlu_fallback", "nlu_fallback", "human_handoff"]
    assert summary["slots"] == {"order_id": "48213"} and summary["max_frustration"] == 0.85
    assert summary["last_messages"][-1] == {"from": "customer", "text": "a person please!!"}
    assert len(summary["last_messages"]) == 3


def test_the_headline_does_not_repeat_a_reason_about_misunderstanding() -> None:
    tracker = misunderstood_then_asked()
    summary = summarize(tracker, "2 messages in a row not understood")
    assert summary["headline"] == "2 messages in a row not understood; order id 48213"
    slots = conversation(user("hi", "greet"), SlotSet(slot="returning_customer", value=True),
                         SlotSet(slot="known_customer", value=False),
                         SlotSet(slot="requested_slot", value="email"),
                         SlotSet(slot="basket", value=["a", "b"]))
    assert summarize(slots, "")["headline"] == "Handed over; returning customer"


def test_priority_rules() -> None:
    # an explicit request, or repeated misunderstanding: normal
    assert triage(misunderstood_then_asked(), CONFIG) == ("normal", ())
    # a frustrated message (at the threshold) or an intent of priority_intents: theirs
    assert triage(misunderstood_then_asked(0.7), CONFIG) == ("high", ("frustrated (0.70)",))
    complaint = conversation(user("this is appalling", "complaint", 0.4), user("yes", "affirm"))
    assert triage(complaint, CONFIG) == ("high", ("complaint",))
    assert triage(conversation(user("tell me a joke", "chitchat")), CONFIG) == ("low", ("chitchat",))
    # of several, the most urgent wins
    both = conversation(user("joke", "chitchat"), user("this is appalling", "complaint"))
    assert triage(both, CONFIG) == ("high", ("complaint",))
    # with no priority_intents, a complaint is an ordinary ticket
    assert triage(complaint, HandoffConfig()) == ("normal", ())


def test_the_queue_stores_the_summary_with_its_priority_and_notes() -> None:
    queue = HandoffQueue()
    ticket = queue.add(misunderstood_then_asked(0.9), "asked", "high",
                       ("filed outside business hours, next opening Monday 8:00 (EST)",))
    assert ticket.priority == "high" and queue.get(ticket.id) == ticket
    assert ticket.summary["headline"] == (
        "Asked after 2 messages not understood; order id 48213; filed outside business hours, "
        "next opening Monday 8:00 (EST); high priority")
