"""Tracker events: the append-only record of a conversation.

Everything the assistant knows about a conversation is rebuilt from these (see
`core.tracker.Tracker`). Each event is a frozen dataclass with a `timestamp` and
turns into / back from a plain dict (`to_dict` / `event_from_dict`) for the stores
and the HTTP API.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from core.message import Entity, Fallback, IntentScore, Message


def now() -> float:
    return time.time()


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = "event"
    timestamp: float = field(default_factory=now, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.name
        return data


@dataclass(frozen=True)
class UserUttered(Event):
    """The customer wrote something; `message` is what NLU made of it."""

    name: ClassVar[str] = "user"
    message: Message = None  # type: ignore[assignment]
    input_channel: str | None = None  # the channel it came through ("rest", "shell", "slack"…)
    # what the channel's caller sent with the message (Rasa's `metadata`: e.g. the id of a
    # logged-in customer, passed by the website's backend)
    metadata: dict | None = None

    @property
    def intent(self) -> str:
        return self.message.intent.name

    @property
    def frustration(self) -> float:
        return self.message.frustration

    @property
    def text(self) -> str:
        return self.message.text

    def to_dict(self) -> dict[str, Any]:
        message = self.message
        return {
            "event": self.name, "timestamp": self.timestamp, "text": message.text,
            "frustration": message.frustration, "language": message.language,
            "language_guessed": message.language_guessed,
            "intent": asdict(message.intent),
            "intent_ranking": [asdict(s) for s in message.intent_ranking],
            "entities": [asdict(e) for e in message.entities],
            "gibberish": message.gibberish, "asks_for_human": message.asks_for_human,
            "fallback": asdict(message.fallback) if message.fallback else None,
            "input_channel": self.input_channel,
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "UserUttered":
        message = Message(
            text=data["text"], intent=IntentScore(**data["intent"]),
            intent_ranking=tuple(IntentScore(**s) for s in data.get("intent_ranking", ())),
            entities=tuple(Entity(**e) for e in data.get("entities", ())),
            language=data.get("language", "en"),
            language_guessed=data.get("language_guessed", False), frustration=data.get("frustration", 0.0),
            gibberish=data.get("gibberish", False),
            asks_for_human=data.get("asks_for_human", False),
            fallback=Fallback(**data["fallback"]) if data.get("fallback") else None,
        )
        return cls(message=message, input_channel=data.get("input_channel"),
                   metadata=data.get("metadata"), timestamp=data["timestamp"])


@dataclass(frozen=True)
class SlotSet(Event):
    name: ClassVar[str] = "slot"
    slot: str = ""
    value: Any = None


@dataclass(frozen=True)
class ActionExecuted(Event):
    """An action ran; `policy` and `reason` say why it was chosen."""

    name: ClassVar[str] = "action"
    action: str = ""
    policy: str | None = None
    confidence: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class BotUttered(Event):
    name: ClassVar[str] = "bot"
    text: str = ""
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    response: str | None = None  # the utter_* it came from, if any
    custom: Any = None  # a JSON payload for the channel (Rasa's `custom`), or our metadata
    image: str | None = None  # an image URL (Rasa's `image`)


@dataclass(frozen=True)
class ActiveLoop(Event):
    """A form was activated (`loop` = its name) or deactivated (`loop` = None)."""

    name: ClassVar[str] = "active_loop"
    loop: str | None = None


@dataclass(frozen=True)
class Handoff(Event):
    """The conversation went to a human agent; the bot stays silent until released."""

    name: ClassVar[str] = "handoff"
    reason: str = ""
    summary: dict = field(default_factory=dict)
    ticket: str | None = None


@dataclass(frozen=True)
class HandoffReleased(Event):
    name: ClassVar[str] = "handoff_released"
    agent: str | None = None


@dataclass(frozen=True)
class Restarted(Event):
    name: ClassVar[str] = "restart"


@dataclass(frozen=True)
class SessionStarted(Event):
    name: ClassVar[str] = "session_started"


@dataclass(frozen=True)
class Followup(Event):
    """An action asked for `action` to run next (Rasa's `FollowupAction`)."""

    name: ClassVar[str] = "followup"
    action: str = ""


@dataclass(frozen=True)
class ReminderScheduled(Event):
    """An action asked for `intent` to be triggered in this conversation at `due` (epoch
    seconds), as Rasa's `ReminderScheduled`; a later one of the same `reminder` name replaces
    it. With `kill_on_user_message`, a customer message before it is due cancels it."""

    name: ClassVar[str] = "reminder"
    intent: str = ""
    due: float = 0.0
    reminder: str = ""
    entities: tuple = ()  # (entity, value) pairs given to the intent when it fires
    kill_on_user_message: bool = True


@dataclass(frozen=True)
class ReminderCancelled(Event):
    """Rasa's `ReminderCancelled`: the pending reminders matching every given field (none
    given: all of the conversation's)."""

    name: ClassVar[str] = "cancel_reminder"
    reminder: str | None = None
    intent: str | None = None
    entities: tuple = ()


@dataclass(frozen=True)
class Feedback(Event):
    """The customer rated the bot: a thumbs up (`score` 1) or down (-1) on one bot message
    (`kind` "message", `rated` = that message's timestamp), or the answer to the
    end-of-conversation question (`kind` "conversation": 1 solved, -1 not solved)."""

    name: ClassVar[str] = "feedback"
    score: int = 0
    kind: str = "message"  # "message" | "conversation"
    rated: float | None = None  # the rated BotUttered's timestamp (kind "message")
    comment: str | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.name: cls for cls in (UserUttered, SlotSet, ActionExecuted, BotUttered, ActiveLoop,
                              Handoff, HandoffReleased, Restarted, SessionStarted, Followup,
                              ReminderScheduled, ReminderCancelled, Feedback)
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event a `to_dict()` produced (raises KeyError/TypeError on malformed input)."""
    cls = EVENT_TYPES[data["event"]]
    if cls is UserUttered:
        return UserUttered.from_dict(data)
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    if cls is BotUttered:
        values["buttons"] = tuple(tuple(b) for b in values.get("buttons", ()))
    if cls in (ReminderScheduled, ReminderCancelled):
        values["entities"] = tuple(tuple(e) for e in values.get("entities", ()))
    return cls(**values)
