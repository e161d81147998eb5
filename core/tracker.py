"""The conversation tracker: an append-only list of events and the state rebuilt from it.

State (slots, active form, whether a human has the conversation, …) is never stored
separately: `Tracker.from_events(events)` rebuilds exactly what `append` built, so a
tracker read back from a store is the tracker that was written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from core.domain import Domain, Slot
from core.events import (
    ActionExecuted, ActiveLoop, BotUttered, Event, Followup, Handoff, HandoffReleased,
    Restarted, SessionStarted, SlotSet, UserUttered,
)

ACTION_LISTEN = "action_listen"


@dataclass
class Tracker:
    sender_id: str
    slot_defs: dict[str, Slot] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict, init=False)
    active_loop: str | None = field(default=None, init=False)
    latest_message: UserUttered | None = field(default=None, init=False)
    latest_action: str | None = field(default=None, init=False)
    handoff: Handoff | None = field(default=None, init=False)
    followup_action: str | None = field(default=None, init=False)  # to run next (Followup)
    start: int = field(default=0, init=False)  # index of the first event after a restart

    def __post_init__(self) -> None:
        events, self.events = self.events, []
        self._reset()
        for event in events:
            self.append(event)

    @classmethod
    def from_events(cls, sender_id: str, events: Iterable[Event],
                    domain: Domain | None = None) -> "Tracker":
        return cls(sender_id, dict(domain.slots) if domain else {}, list(events))

    def _reset(self) -> None:
        self.slots = {name: slot.initial_value for name, slot in self.slot_defs.items()}
        self.active_loop = None
        self.latest_message = None
        self.latest_action = None
        self.handoff = None
        self.followup_action = None

    def append(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, UserUttered):
            self.latest_message = event
        elif isinstance(event, SlotSet):
            self.slots[event.slot] = event.value
        elif isinstance(event, ActionExecuted):
            self.latest_action = event.action
            self.followup_action = None
        elif isinstance(event, Followup):
            self.followup_action = event.action
        elif isinstance(event, ActiveLoop):
            self.active_loop = event.loop
        elif isinstance(event, Handoff):
            self.handoff = event
        elif isinstance(event, HandoffReleased):
            self.handoff = None
        elif isinstance(event, (Restarted, SessionStarted)):
            self._reset()
            self.start = len(self.events)

    def extend(self, events: Iterable[Event]) -> None:
        for event in events:
            self.append(event)

    # ----- views used by policies, actions and the shell -------------------------------

    @property
    def current(self) -> list[Event]:
        """The events since the last restart (a copy: for whole-session views)."""
        return self.events[self.start:]

    def latest_first(self) -> Iterator[Event]:
        """The events since the last restart, newest first, without copying the list: the
        per-message checks below stop after a few events however long the conversation."""
        events = self.events
        for index in range(len(events) - 1, self.start - 1, -1):
            yield events[index]

    @property
    def language(self) -> str | None:
        """The customer's language: the latest message's, or when that one could not tell
        ("ok", "12345", an email) the last one that could; None before the first message."""
        for event in self.latest_first():
            if isinstance(event, UserUttered) and not event.message.language_guessed:
                return event.message.language
        return self.latest_message.message.language if self.latest_message else None

    @property
    def audience(self) -> tuple[str | None, str | None]:
        """(language, input channel) of the conversation (`language`, the latest message's
        channel): which response variations fit (`language: zh`, `channel: slack`)."""
        user = self.latest_message
        return (self.language, user.input_channel) if user else (None, None)

    @property
    def handed_off(self) -> bool:
        return self.handoff is not None

    @property
    def is_new_user_turn(self) -> bool:
        """True right after the customer spoke (no action has run since)."""
        for event in self.latest_first():
            if isinstance(event, UserUttered):
                return True
            if isinstance(event, ActionExecuted):
                return event.action == ACTION_LISTEN
        return False

    def user_turns(self) -> list[UserUttered]:
        return [e for e in self.current if isinstance(e, UserUttered)]

    def in_a_row(self, test) -> int:
        """How many of the latest user messages, counting back, pass `test`."""
        count = 0
        for event in self.latest_first():
            if isinstance(event, UserUttered):
                if not test(event):
                    break
                count += 1
        return count

    def intent_history(self) -> list[str]:
        return [turn.intent for turn in self.user_turns()]

    def transcript(self) -> list[dict[str, str]]:
        """Who said what, in order: [{'from': 'customer'|'bot', 'text': ...}]."""
        lines = []
        for event in self.current:
            if isinstance(event, UserUttered):
                lines.append({"from": "customer", "text": event.text})
            elif isinstance(event, BotUttered):
                lines.append({"from": "bot", "text": event.text})
        return lines

    def answered(self) -> bool:
        """Whether the bot has said something since the latest user message."""
        for event in self.latest_first():
            if isinstance(event, UserUttered):
                return False
            if isinstance(event, BotUttered):
                return True
        return False

    def actions_since_user(self) -> list[str]:
        """Actions run since the latest user message (action_listen excluded)."""
        actions: list[str] = []
        for event in self.latest_first():
            if isinstance(event, UserUttered):
                break
            if isinstance(event, ActionExecuted) and event.action != ACTION_LISTEN:
                actions.append(event.action)
        return actions[::-1]

    @property
    def last_event_time(self) -> float | None:
        return self.events[-1].timestamp if self.events else None

