"""One sender's stored events as conversations, each summed up in one `Conversation`.

What a conversation is: one session of a sender. It begins with a customer message that
is the sender's first, or the first after a `session_started` or `restart` event (the
tracker forgets slots and any handoff there too). Events of a session before its first
customer message (the "did that solve it?" answer clicked after the session expired: a
`feedback` event) belong to the conversation before. Intents triggered by reminders or
the HTTP API (input channel "external") are not customer messages; what their turns do
(a handoff, say) counts all the same.

Its day is the UTC date of its first customer message, its channel that message's input
channel ("unknown" when none was recorded). Every figure of a conversation counts on that
day and channel (a message after midnight too), so per-day and per-channel rows add up to
the totals.

A customer message opens a turn, which lasts until the next one:
  * answered by the bot: not sent while the conversation was with a human;
  * a fallback: an action that asks to rephrase ran in the turn (`FALLBACK_ACTIONS`, and
    RulePolicy's `core_fallback_action_name` where the project names another);
  * generated: `action_generate` ran (a grounded answer that passed its checks; a
    rejected one leaves no `action` event).
A handoff is a `handoff` event; "the intent before" a fallback or a handoff is that of the
customer message before the turn's ("(start)" when it is the conversation's first). The
time to the first human reply runs from a handoff to the first message an agent signed
(`bot` with custom.agent), unless the conversation is released or ends first.
Feedback: `feedback` events, thumbs (kind "message") and the end question (kind
"conversation": 1 solved, -1 not solved).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback"})
GENERATE = "action_generate"
EXTERNAL = "external"  # dialogue.reminders.EXTERNAL: a triggered intent, not the customer
START = "(start)"  # the intent before a conversation's first message
UNKNOWN_CHANNEL = "unknown"
BOUNDARIES = frozenset({"session_started", "restart"})


# Stored rows the figures never read, told by their JSON text before any parsing (a scan
# spends most of its time in json.loads). The marks are JSON structure: inside a string
# value every quote is escaped (\"), so no customer or bot text can contain them; a
# customer message is always kept (its channel's metadata is any JSON).
USER, SLOT, LISTEN = '"event": "user"', '"event": "slot"', '"action": "action_listen"'
BOT, AGENT = '"event": "bot"', '"agent":'


def needed(row: str) -> bool:
    """False for a stored event the figures do not use: a slot, the bot listening, a bot
    message no agent signed (an agent's is `"custom": {"agent": …}`). Keeping one more
    than needed is harmless; none that is needed is refused."""
    if USER in row:
        return True
    if SLOT in row or LISTEN in row:
        return False
    return BOT not in row or AGENT in row


def day_of(timestamp: float) -> str:
    """The UTC date of an epoch timestamp, as YYYY-MM-DD."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")


@dataclass
class Conversation:
    """The figures of one conversation (see the module docstring)."""

    sender_id: str
    started: float  # its first customer message (epoch seconds)
    channel: str
    messages: int = 0  # customer messages
    answered: int = 0  # of them, the bot's to answer (not while with a human)
    fallbacks: int = 0
    generated: int = 0
    intents: list[str] = field(default_factory=list)  # one per customer message
    before_fallback: list[str] = field(default_factory=list)
    before_handoff: list[str] = field(default_factory=list)
    handoff_reasons: list[str] = field(default_factory=list)
    human_waits: list[float] = field(default_factory=list)  # handoff -> first agent message, s
    unanswered_handoffs: int = 0  # released, or ended, before an agent wrote
    thumbs_up: int = 0
    thumbs_down: int = 0
    solved: int = 0
    not_solved: int = 0

    @property
    def day(self) -> str:
        return day_of(self.started)

    @property
    def handed_off(self) -> bool:
        return bool(self.handoff_reasons)


class _Reader:
    """Walks one sender's events in order, filling `done` with its conversations."""

    def __init__(self, sender_id: str, fallbacks: frozenset[str]) -> None:
        self.sender_id, self.fallbacks = sender_id, fallbacks
        self.done: list[Conversation] = []
        self.current: Conversation | None = None
        self.fresh = True  # the next customer message begins a conversation
        self.waiting_since: float | None = None  # a handoff no agent has answered yet
        self.with_human = False
        self.last_intent: str | None = None  # the latest customer message's, this conversation
        self.before = START  # the intent before the current turn's message
        self.in_turn = False  # a customer message's turn (not a triggered intent's)

    def user(self, event: dict[str, Any]) -> None:
        channel = event.get("input_channel")
        if channel == EXTERNAL:
            self.before, self.in_turn = self.last_intent or START, False
            return
        if self.fresh or self.current is None:
            self._close()
            self.current = Conversation(self.sender_id, event.get("timestamp", 0.0),
                                        channel or UNKNOWN_CHANNEL)
            self.done.append(self.current)
            self.fresh, self.last_intent = False, None
        conversation = self.current
        intent = (event.get("intent") or {}).get("name") or ""
        conversation.messages += 1
        conversation.answered += not self.with_human
        conversation.intents.append(intent)
        self.before, self.last_intent, self.in_turn = self.last_intent or START, intent, True

    def action(self, event: dict[str, Any]) -> None:
        conversation, action = self.current, event.get("action")
        if conversation is None or not self.in_turn:
            return
        if action in self.fallbacks:
            conversation.fallbacks += 1
            conversation.before_fallback.append(self.before)
            self.in_turn = False  # one fallback per message (a second ask is the same miss)
        elif action == GENERATE:
            conversation.generated += 1

    def handoff(self, event: dict[str, Any]) -> None:
        if self.current is None:
            return
        self._unanswered()
        self.current.handoff_reasons.append(event.get("reason") or "")
        self.current.before_handoff.append(self.before)
        self.waiting_since, self.with_human = event.get("timestamp", 0.0), True

    def bot(self, event: dict[str, Any]) -> None:
        custom = event.get("custom")
        if self.waiting_since is None or not isinstance(custom, dict) or not custom.get("agent"):
            return
        self.current.human_waits.append(max(0.0, event.get("timestamp", 0.0) - self.waiting_since))
        self.waiting_since = None

    def released(self) -> None:
        self._unanswered()
        self.with_human = False

    def feedback(self, event: dict[str, Any]) -> None:
        conversation, score = self.current, event.get("score")
        if conversation is None or score not in (1, -1):
            return
        if event.get("kind") == "conversation":
            conversation.solved += score == 1
            conversation.not_solved += score == -1
        else:
            conversation.thumbs_up += score == 1
            conversation.thumbs_down += score == -1

    def boundary(self) -> None:
        self._unanswered()
        self.fresh, self.with_human, self.in_turn = True, False, False

    def _unanswered(self) -> None:
        if self.waiting_since is not None and self.current is not None:
            self.current.unanswered_handoffs += 1
        self.waiting_since = None

    def _close(self) -> None:
        self._unanswered()
        self.with_human = False


def split(sender_id: str, events: Iterable[dict[str, Any]],
          fallbacks: frozenset[str] = FALLBACK_ACTIONS) -> list[Conversation]:
    """The conversations in one sender's event dicts (as the stores keep them), in order."""
    reader = _Reader(sender_id, fallbacks)
    handlers = {"user": reader.user, "action": reader.action, "handoff": reader.handoff,
                "bot": reader.bot, "feedback": reader.feedback}
    for event in events:
        name = event.get("event")
        handler = handlers.get(name)
        if handler is not None:
            handler(event)
        elif name in BOUNDARIES:
            reader.boundary()
        elif name == "handoff_released":
            reader.released()
    reader._close()
    return reader.done


def conversations(scanned: Iterable[tuple[str, list[dict[str, Any]]]],
                  fallbacks: frozenset[str] = FALLBACK_ACTIONS) -> Iterator[Conversation]:
    """Every conversation of every scanned sender (`analytics.scan.stored_conversations`)."""
    for sender_id, events in scanned:
        yield from split(sender_id, events, fallbacks)
