"""Conversations with hand-counted figures, built from real events (tests/analytics).

    DAY1 2026-12-01 (UTC)  ann #1 (rest): 5 messages, 4 the bot's, 1 fallback, 1 generated
                           answer, a handoff answered by an agent after 120 s, 👍, solved
    DAY2 2026-12-02        ann's late "not solved" (before her next session's first message:
                           counts for ann #1), ann #2 (rest, 1 message), a restart, ann #3
                           (rest, 1 message, a fallback); bob (slack, 2 messages, a reminder's
                           turn, 👎, a handoff no agent answered)
    40 days before         old (rest): out of the window
"""
from __future__ import annotations

from datetime import datetime, timezone

from core.events import (
    ActionExecuted, BotUttered, Event, Feedback, Handoff, HandoffReleased, Restarted,
    SessionStarted, SlotSet, UserUttered,
)
from core.message import Fallback, IntentScore, Message

DAY1 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc).timestamp()
DAY2 = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc).timestamp()
SINCE = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()
UNTIL = datetime(2026, 12, 3, tzinfo=timezone.utc).timestamp()
ASKED = "the customer asked for a human (talk_to_human)"
FRUSTRATED = "3 frustrated messages in a row"


def user(t: float, intent: str, channel: str | None = "rest", text: str = "hello") -> UserUttered:
    fallback = Fallback("greet", 0.2, "low confidence") if intent == "nlu_fallback" else None
    message = Message(text, IntentScore(intent, 0.9), (IntentScore(intent, 0.9),), fallback=fallback)
    return UserUttered(message=message, input_channel=channel, timestamp=t)


def turn(t: float, intent: str, action: str, channel: str | None = "rest") -> list[Event]:
    """A customer message, the bot's action and reply, and the bot listening again."""
    return [user(t, intent, channel), ActionExecuted(action=action, policy="rules", timestamp=t + 0.1),
            BotUttered(text="…", response=action, timestamp=t + 0.2),
            ActionExecuted(action="action_listen", timestamp=t + 0.3)]


def handoff(t: float, intent: str, reason: str, channel: str = "rest") -> list[Event]:
    return [user(t, intent, channel), ActionExecuted(action="action_handoff", timestamp=t + 0.1),
            BotUttered(text="A person will reply.", timestamp=t + 0.2),
            Handoff(reason=reason, ticket="1", timestamp=t + 0.3)]


def ann() -> list[Event]:
    t = DAY1
    return [SessionStarted(timestamp=t - 1), SlotSet(slot="name", value="Ann", timestamp=t - 1),
            *turn(t, "greet", "utter_greet"),
            *turn(t + 10, "order_status", "action_generate"),
            *turn(t + 20, "nlu_fallback", "action_default_fallback"),
            *handoff(t + 30, "talk_to_human", ASKED),
            user(t + 40, "greet"),  # with the human: not the bot's
            BotUttered(text="Hi, Sam here", custom={"agent": "sam"}, timestamp=t + 30.3 + 120),
            BotUttered(text="Anything else?", custom={"agent": "sam"}, timestamp=t + 400),
            HandoffReleased(agent="sam", timestamp=t + 500),
            Feedback(score=1, kind="message", rated=t + 400, timestamp=t + 510),
            Feedback(score=1, kind="conversation", timestamp=t + 520),
            SessionStarted(timestamp=DAY2),
            Feedback(score=-1, kind="conversation", timestamp=DAY2),  # ann #1's, late
            *turn(DAY2 + 1, "greet", "utter_greet"),
            Restarted(timestamp=DAY2 + 100),
            *turn(DAY2 + 101, "nlu_fallback", "action_default_fallback")]


def bob() -> list[Event]:
    t = DAY2 + 3600
    return [*turn(t, "goodbye", "utter_goodbye", "slack"),
            # a reminder's turn: neither a message nor a fallback of the customer's
            *turn(t + 5, "reminder", "action_default_fallback", "external"),
            Feedback(score=-1, kind="message", rated=t + 0.2, timestamp=t + 6),
            *handoff(t + 10, "talk_to_human", FRUSTRATED, "slack")]


def old() -> list[Event]:
    t = DAY1 - 40 * 86400
    return [*turn(t, "greet", "utter_greet"), *handoff(t + 5, "talk_to_human", ASKED)]


SENDERS = {"ann": ann, "bob": bob, "old": old}


def fill(store) -> None:
    for sender, events in SENDERS.items():
        store.append(sender, events())


def scanned() -> list[tuple[str, list[dict]]]:
    return [(sender, [e.to_dict() for e in events()]) for sender, events in SENDERS.items()]
