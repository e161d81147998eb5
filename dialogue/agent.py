"""The agent: one customer message in, the bot's replies out, every step on the tracker.

    text -> NLU Message (or a `/intent` button payload) -> UserUttered + slots from entities
         -> until the bot listens: policies predict, `choose` decides, the action runs
         -> replies (BotUttered events)

While a conversation is with a human agent (after `action_handoff`), messages are
recorded but the bot does not answer until `release`.
"""
from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from core.domain import Domain
from nlu.language import detect
from core.events import (
    ActionExecuted, BotUttered, Event, HandoffReleased, Restarted, SessionStarted, SlotSet,
    UserUttered,
)
from core.message import Entity, IntentScore, Message
from project.loader import Project
from stores.sqlite import InMemoryStore, TrackerStore
from core.tracker import ACTION_LISTEN, Tracker
from dialogue.actions import ActionRunner
from dialogue.forms import Rejected
from nlu.gibberish import is_gibberish, known_words
from stores.handoffs import HandoffQueue
from dialogue.slot_filling import fill_on_user_turn
from policies.ensemble import PolicyEnsemble
from nlu.frustration import frustration
from policies.handoff import NLU_FALLBACK
from core.prediction import Prediction

MAX_ACTIONS_PER_TURN = 10
TRACKER_CACHE = 10_000  # conversations kept in memory per process
# After these the bot always waits for the customer (no story needs to say so).
ENDS_TURN = ("action_generate", "action_refuse", "action_default_fallback")
PAYLOAD = re.compile(r"^/([\w/-]+)\s*(\{.*\})?\s*$", re.DOTALL)


@dataclass(frozen=True)
class Step:
    """One action the bot took this turn, and why."""

    action: str
    chosen: Prediction
    predictions: tuple[Prediction, ...]
    events: tuple[Event, ...]
    rejected: str | None = None  # why a form could not use the message (it did not run)


@dataclass
class TurnResult:
    sender_id: str
    message: Message | None
    replies: list[BotUttered] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    slots_set: list[SlotSet] = field(default_factory=list)
    with_human: bool = False

    @property
    def actions(self) -> list[str]:
        return [s.action for s in self.steps if s.action != ACTION_LISTEN and not s.rejected]


class Agent:
    def __init__(self, project: Project, parser, policies: PolicyEnsemble,
                 queue: HandoffQueue | None = None, seed: int | None = None, answerer=None,
                 selector=None, store: TrackerStore | None = None):
        self.project = project
        self.domain: Domain = project.domain
        self.parser = parser
        self.policies = policies
        self.queue = queue or HandoffQueue()
        self.rng = random.Random(seed)
        self.answerer = answerer
        self.runner = ActionRunner(self.domain, self.queue, self.rng, answerer, selector)
        self.threshold = project.config.fallback_threshold
        self.vocabulary = known_words(project.data)
        self.store: TrackerStore = store or InMemoryStore()
        self._locks: dict[str, threading.Lock] = {}
        self._trackers: OrderedDict[str, Tracker] = OrderedDict()  # LRU of recent conversations
        self._locks_guard = threading.Lock()

    def tracker(self, sender_id: str) -> Tracker:
        """The conversation as stored. Trackers are cached and only the events stored since
        (by this or another worker) are read, so a turn costs the same at message 5 and 500."""
        cached = self._trackers.get(sender_id)
        stored = self.store.size(sender_id)
        if cached is not None and stored >= len(cached.events):
            cached.extend(self.store.load(sender_id, since=len(cached.events)))
            self._trackers.move_to_end(sender_id)
            return cached
        tracker = Tracker(sender_id, dict(self.domain.slots), self.store.load(sender_id))
        self._trackers[sender_id] = tracker
        while len(self._trackers) > TRACKER_CACHE:
            self._trackers.popitem(last=False)
        return tracker

    def lock(self, sender_id: str) -> threading.Lock:
        """One lock per conversation: two messages of one sender never interleave."""
        with self._locks_guard:
            return self._locks.setdefault(sender_id, threading.Lock())

    @contextmanager
    def conversation(self, sender_id: str) -> Iterator[None]:
        """Hold one conversation: the process lock, and the store's lock when it has one
        (Redis: shared by every worker and host)."""
        with self.lock(sender_id):
            store_lock = getattr(self.store, "lock", None)
            if store_lock is None:
                yield
            else:
                with store_lock(sender_id):
                    yield

    def _append(self, sender_id: str, *events: Event) -> Tracker:
        with self.conversation(sender_id):
            self.store.append(sender_id, events)
            return self.tracker(sender_id)

    # ----- one message ----------------------------------------------------------------

    def understand(self, text: str) -> Message:
        """NLU, or a button payload such as `/affirm` or `/inform{"order_id": "123"}`."""
        payload = self._payload(text)
        if payload is not None:
            return payload
        message = self.parser.parse(text)
        config = self.project.config
        language = detect(text, config.language)
        if language != message.language:
            message = replace(message, language=language)
        foreign = language not in {config.language, *config.languages}
        gibberish = not foreign and is_gibberish(message, self.vocabulary)
        if message.intent.confidence < self.threshold or gibberish or foreign:
            why = (f"written in '{language}', the NLU is trained on '{config.language}'" if foreign
                   else "no word known from the training data" if gibberish
                   else f"confidence below {self.threshold}")
            meta = {**message.meta, "confidence": message.intent.confidence,
                    "predicted": message.intent.name, "why": why, "foreign": foreign}
            message = replace(message, intent=IntentScore(NLU_FALLBACK, message.intent.confidence),
                              meta=meta)
        return message

    def _payload(self, text: str) -> Message | None:
        match = PAYLOAD.match(text.strip())
        if not match or match.group(1) not in self.domain.intents:
            return None
        entities = []
        if match.group(2):
            try:
                values = json.loads(match.group(2))
            except ValueError:
                values = {}
            if isinstance(values, dict):
                entities = [Entity(str(k), 0, 0, str(v), str(v), extractor="payload")
                            for k, v in values.items()]
        return Message(text, IntentScore(match.group(1), 1.0), (IntentScore(match.group(1), 1.0),),
                       tuple(entities))

    def handle(self, sender_id: str, text: str, input_channel: str | None = None) -> TurnResult:
        """Process one message; the new events are stored in one append when the turn ends.
        `input_channel` names the channel it came through (responses may have variations
        for it, `channel: slack`)."""
        with self.conversation(sender_id):
            tracker = self.tracker(sender_id)
            before = len(tracker.events)
            try:
                result = self._handle(tracker, text, input_channel)
                self.store.append(sender_id, tracker.events[before:])
                return result
            except BaseException:
                self._trackers.pop(sender_id, None)  # never serve a turn that was not stored
                raise

    def _handle(self, tracker: Tracker, text: str, input_channel: str | None) -> TurnResult:
        sender_id = tracker.sender_id
        self._maybe_start_session(tracker)
        message = self.understand(text)
        user = UserUttered(message=message, frustration=frustration(text), input_channel=input_channel)
        tracker.append(user)
        result = TurnResult(sender_id, message)
        if tracker.handed_off:
            result.with_human = True
            return result
        result.slots_set = self._slots_from_message(tracker, user)
        tracker.extend(result.slots_set)
        self._act(tracker, result)
        return result

    def _slots_from_message(self, tracker: Tracker, user: UserUttered) -> list[SlotSet]:
        events = fill_on_user_turn(self.domain, user, tracker.slots)
        sentiment = self.domain.slots.get("sentiment")
        if sentiment is not None and "frustrated" in sentiment.values:
            frustrated = user.frustration >= self.domain.handoff.frustration_threshold
            calm = next((v for v in sentiment.values if v != "frustrated"), None)
            value = "frustrated" if frustrated else calm
            if value is not None and tracker.slots.get("sentiment") != value:
                events.append(SlotSet(slot="sentiment", value=value))
        return events

    def _act(self, tracker: Tracker, result: TurnResult) -> None:
        rejected = False
        for _ in range(MAX_ACTIONS_PER_TURN):
            if tracker.latest_action in ENDS_TURN and not tracker.is_new_user_turn:
                chosen = Prediction(ACTION_LISTEN, 1.0, "rules", f"{tracker.latest_action} ends the turn")
                predictions = [chosen]
            else:
                chosen, predictions = self.policies.decide(tracker, self.domain, loop_rejected=rejected)
                chosen = self._knowledge_instead_of_fallback(tracker, chosen)
            action = chosen.action
            if action == ACTION_LISTEN and self._form_waits(tracker):
                action = tracker.active_loop
                chosen = Prediction(action, 1.0, "rules", f"back to form '{action}' before listening")
            events = self.runner.run(action, tracker, chosen)
            if isinstance(events, Rejected) and action == "action_generate":
                result.steps.append(Step(action, chosen, tuple(predictions), (), events.reason))
                action = "action_default_fallback"
                chosen = Prediction(action, 1.0, "core_fallback", f"no grounded answer: {events.reason}")
                events = self.runner.run(action, tracker, chosen)
            if isinstance(events, Rejected):
                rejected = True
                result.steps.append(Step(action, chosen, tuple(predictions), (), events.reason))
                continue
            rejected = False
            tracker.append(ActionExecuted(action=action, policy=chosen.policy,
                                          confidence=chosen.confidence, reason=chosen.reason))
            tracker.extend(events)
            result.steps.append(Step(action, chosen, tuple(predictions), tuple(events)))
            result.replies += [e for e in events if isinstance(e, BotUttered)]
            if action == ACTION_LISTEN or tracker.handed_off:
                return
        tracker.append(ActionExecuted(action=ACTION_LISTEN, reason="too many actions in one turn"))

    def _knowledge_instead_of_fallback(self, tracker: Tracker, chosen: Prediction) -> Prediction:
        """Answer from the knowledge base (`action_generate`) when no template fits but a
        passage is relevant: the bot would ask to rephrase, or would answer with a response
        template for an intent NLU is unsure of (below `generation.template_confidence`).
        Generation still declines, and the bot asks to rephrase, if the answer fails a check."""
        user = tracker.latest_message
        if self.answerer is None or not tracker.is_new_user_turn or user is None:
            return chosen
        unsure = (chosen.action.startswith("utter_")
                  and user.message.intent.confidence < self.domain.generation.template_confidence)
        if chosen.action != "action_default_fallback" and not unsure:
            return chosen
        hits = self.answerer.relevant(user.text)
        if not hits:
            if unsure:  # an unsure template and nothing to ground an answer in: ask instead
                intent = user.message.intent
                return Prediction("action_default_fallback", 1.0, "core_fallback",
                                  f"NLU unsure of '{intent.name}' ({intent.confidence:.2f} < "
                                  f"{self.domain.generation.template_confidence}) and no passage is relevant")
            return chosen
        best = hits[0]
        return Prediction("action_generate", best.score, "knowledge",
                          f"no template fits ({chosen.reason}); passage {best.passage.id} "
                          f"scores {best.score:.2f}")

    @staticmethod
    def _form_waits(tracker: Tracker) -> bool:
        """A form interrupted this turn asks its question again before the bot listens."""
        return bool(tracker.active_loop) and tracker.active_loop not in tracker.actions_since_user()

    # ----- sessions, restarts, humans -------------------------------------------------

    def _maybe_start_session(self, tracker: Tracker) -> None:
        last = tracker.last_event_time
        expiry = self.domain.session.expiration_minutes * 60
        if last is not None and (expiry <= 0 or last + expiry > time.time()):
            return
        carried = dict(tracker.slots) if last is not None and self.domain.session.carry_over_slots else {}
        tracker.append(SessionStarted())
        tracker.extend(SlotSet(slot=k, value=v) for k, v in carried.items()
                       if v is not None and k != "requested_slot"
                       and v != getattr(self.domain.slots.get(k), "initial_value", None))

    def restart(self, sender_id: str) -> None:
        self._append(sender_id, Restarted())

    def agent_says(self, sender_id: str, text: str, agent: str | None = None) -> Tracker | None:
        """A human agent's message in a handed-off conversation (None if it is not handed off)."""
        if not self.tracker(sender_id).handed_off:
            return None
        return self._append(sender_id, BotUttered(text=text, custom={"agent": agent or "agent"}))

    def release(self, sender_id: str, agent: str | None = None) -> bool:
        """A human agent hands the conversation back to the bot."""
        tracker = self.tracker(sender_id)
        if not tracker.handed_off:
            return False
        ticket = tracker.handoff.ticket
        if ticket and ticket.isdigit():
            self.queue.release(int(ticket), agent)
        self._append(sender_id, HandoffReleased(agent=agent))
        return True
