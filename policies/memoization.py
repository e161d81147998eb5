"""Memoization: replay what the stories did in exactly the same recent situation.

The key is the last `max_history` states. When the full window was never seen, shorter
windows (the most recent states only) are tried, down to two states, at a lower
confidence: a story may begin in the middle of a real conversation. Windows that led to
different actions in different stories are forgotten, not guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.domain import Domain
from core.tracker import Tracker
from core.prediction import Prediction
from policies.states import State, history, story_trackers, text_feature, training_pairs, \
    turn_length

CONFLICT = "<conflict>"


@dataclass
class MemoizationPolicy:
    max_history: int = 5
    table: dict[tuple[State, ...], str] = field(default_factory=dict)
    entities: frozenset = frozenset()  # entity features the stories mention
    texts: bool = False  # some story has an end-to-end `user:` step without an intent
    priority: int = 3
    name = "memoization"

    @classmethod
    def from_options(cls, options) -> "MemoizationPolicy":  # policies.registry.MemoizationOptions
        from policies.registry import WHOLE_CONVERSATION

        history = WHOLE_CONVERSATION if options.max_history is None else options.max_history
        return cls(max_history=history, priority=options.priority)

    def train(self, data, domain: Domain) -> dict:
        """Remember every turn of `data.stories` (a policies.registry.PolicyData)."""
        self._train(data.stories, domain)
        return {"stories": len(data.stories)}

    def _train(self, stories, domain: Domain) -> None:
        self.table = {}
        self.entities = frozenset(
            f"entity:{name}" for story in stories for step in story.steps
            for name, _ in (step.entities or ()))
        self.texts = any(step.kind == "intent" and not step.name and step.user_text
                         for story in stories for step in story.steps)
        for story in stories:
            for tracker in story_trackers(story, domain):
                for states, action in training_pairs(tracker, domain):
                    for length in range(2, min(self.max_history, len(states)) + 1):
                        self._remember(self._key(states, length), action)
                    self._remember(self._key(states, self.max_history, pad=True), action)

    def _remember(self, key: tuple, action: str) -> None:
        known = self.table.get(key)
        self.table[key] = action if known in (None, action) else CONFLICT

    @staticmethod
    def _key(states: list[State], length: int, pad: bool = False) -> tuple:
        window = tuple(states[-length:])
        if pad and len(window) < length:
            window = (State({"<start>"}),) + window
        return (length, pad, window)

    def predict(self, tracker: Tracker, domain: Domain,
                rejected: frozenset[str] = frozenset()) -> Prediction | None:
        # an entity no story mentions (a date in passing) must not hide a known situation
        states = [State(f for f in s if not f.startswith("entity:") or f in self.entities)
                  for s in history(tracker, domain)]
        if self.texts and tracker.latest_message is not None:
            # an end-to-end story's `user:` text, said as written, wins over its intent
            found = self._lookup(_with_text(states, tracker), "the message")
            if found is not None:
                return found
        return self._lookup(states, "")

    def _lookup(self, states: list[State], said: str) -> Prediction | None:
        said = f" ({said} as a story says it)" if said else ""
        if len(states) <= self.max_history:
            found = self.table.get(self._key(states, self.max_history, pad=True))
            if found and found != CONFLICT:
                return Prediction(found, 1.0, self.name, "same conversation start as a story" + said)
        for length in range(self.max_history, 1, -1):
            if len(states) < length:
                continue
            found = self.table.get(self._key(states, length))
            if found and found != CONFLICT:
                confidence = 1.0 if length == self.max_history else 0.9
                return Prediction(found, confidence, self.name,
                                  f"last {length} turns match a story" + said)
        return None


def _with_text(states: list[State], tracker: Tracker) -> list[State]:
    """`states` with the latest user message's intent feature replaced by its text's."""
    k = turn_length(tracker)
    text = text_feature(tracker.latest_message.message.text)
    turn = [State({text} | {f for f in s if not f.startswith("intent:")}) for s in states[-k:]]
    return states[:-k] + turn if k else states
