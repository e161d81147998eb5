"""The agent: one customer message in, the bot's replies out, every step on the tracker.

    text -> NLU Message (or a `/intent` button payload) -> UserUttered + slots from entities
         -> until the bot listens: policies predict, `choose` decides, the action runs
         -> replies (BotUttered events)

While a conversation is with a human agent (after `action_handoff`), messages are
recorded but the bot does not answer until `release`.
"""
from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from core.domain import Domain
from core.events import (
    ActionExecuted, BotUttered, Event, Feedback, HandoffReleased, ReminderScheduled, Restarted,
    SessionStarted, SlotSet, UserUttered,
)
from core.message import Entity, IntentScore, Message
from project.loader import Project
from stores.sqlite import InMemoryStore, TrackerStore
from core.tracker import ACTION_LISTEN, Tracker
from dialogue import feedback
from dialogue.actions import ActionRunner
from dialogue.forms import Rejected
from dialogue.registry import ProjectActions, load_project_actions
from dialogue.reminders import EXTERNAL, ReminderClock
from stores.handoffs import HandoffQueue, TicketQueue
from dialogue.slot_filling import fill_on_user_turn
from policies.ensemble import PolicyEnsemble
from policies.decision import TurnRules, decide
from policies.handoff import FALLBACK, HandoffPolicy
from core.prediction import Prediction
from nlu.build import build_project_pipeline

log = logging.getLogger("switchboard.agent")

MAX_ACTIONS_PER_TURN = 10


class UnknownIntent(LookupError):
    """An intent to trigger that the domain does not list."""

SESSION_START = "action_session_start"
SESSION_METADATA = "session_started_metadata"
TRACKER_CACHE = 10_000  # conversations kept in memory per process
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
    """One assistant: its NLU pipeline (built from config.yml around `parser`, the trained
    joint model), its policies and built-in rules, its actions, and the tracker store."""

    def __init__(self, project: Project, parser, policies: PolicyEnsemble,
                 queue: TicketQueue | None = None, seed: int | None = None, answerer=None,
                 selector=None, store: TrackerStore | None = None,
                 actions: ProjectActions | None = None):
        self.project = project
        self.domain: Domain = project.domain
        self.policies = policies
        self.queue: TicketQueue = queue or HandoffQueue()
        self.rng = random.Random(seed)
        self.answerer = answerer
        if actions is None:  # the project's own actions/ (imported once per process)
            actions = load_project_actions(project.root)
        self.runner = ActionRunner(self.domain, self.queue, self.rng, answerer, selector, actions)
        fallbacks = frozenset({FALLBACK, policies.fallback.core_fallback_action_name})
        self.rules = TurnRules(handoff=HandoffPolicy(fallbacks),
                               relevant=answerer.relevant if answerer is not None else None)
        # `custom` slot mappings that name an action (Rasa 3's action_extract_slots runs them)
        self.mapping_actions = tuple(dict.fromkeys(
            m.action for s in self.domain.slots.values() for m in s.mappings
            if m.type == "custom" and m.action))
        self.store: TrackerStore = store or InMemoryStore()
        self.parser = parser
        self._locks: dict[str, threading.Lock] = {}
        self._trackers: OrderedDict[str, Tracker] = OrderedDict()  # LRU of recent conversations
        self._locks_guard = threading.Lock()
        self.reminders = ReminderClock(self._reminder_due)
        # called with the TurnResult of a turn no customer message started (a reminder):
        # how a channel that can push (the shell) shows its replies
        self.on_external_turn: list[Callable[[TurnResult], None]] = []

    @property
    def parser(self):
        """The trained joint model; setting it (e.g. to a batching wrapper) rebuilds the NLU
        pipeline around it."""
        return self._parser

    @parser.setter
    def parser(self, parser) -> None:
        self._parser = parser
        self.nlu = build_project_pipeline(self.project, parser)

    def tracker(self, sender_id: str) -> Tracker:
        """The conversation as stored. Trackers are cached and only the events stored since
        (by this or another worker) are read, so a turn costs the same at message 5 and 500."""
        cached = self._trackers.get(sender_id)
        if cached is not None and cached.events:
            # one read: the stored events from the cached end on. The first must be the
            # cached last one: a conversation deleted (and begun again, shorter or not)
            # through another process is not served from here
            newer = self.store.load(sender_id, since=len(cached.events) - 1)
            if newer and newer[0].timestamp == cached.events[-1].timestamp \
                    and newer[0].name == cached.events[-1].name:
                cached.extend(newer[1:])
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
        """Hold one conversation: the process lock, then the store's (SQLite: every worker
        on this host; Redis and PostgreSQL: every worker and host)."""
        with self.lock(sender_id), self.store.lock(sender_id):
            yield

    def _append(self, sender_id: str, *events: Event) -> Tracker:
        with self.conversation(sender_id):
            self.store.append(sender_id, events)
            return self.tracker(sender_id)

    # ----- one message ----------------------------------------------------------------

    def understand(self, text: str) -> Message:
        """The NLU pipeline's Message, or a button payload such as `/affirm` or
        `/inform{"order_id": "123"}`."""
        payload = self._payload(text)
        return payload if payload is not None else self.nlu.process(text)

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

    def handle(self, sender_id: str, text: str, input_channel: str | None = None,
               metadata: dict | None = None) -> TurnResult:
        """Process one message; the new events are stored in one append when the turn ends.
        `input_channel` names the channel it came through (responses may have variations
        for it, `channel: slack`); `metadata` is what the channel's caller sent with it
        (on the UserUttered event; at a session start also the `session_started_metadata`
        slot, which the project's `action_session_start` can read)."""
        with self.conversation(sender_id):
            tracker = self.tracker(sender_id)
            before = len(tracker.events)
            try:
                result = self._handle(tracker, text, input_channel, metadata or None)
                self.store.append(sender_id, tracker.events[before:])
                self.reminders.track(sender_id, tracker.events[before:])
                return result
            except BaseException:
                self._trackers.pop(sender_id, None)  # never serve a turn that was not stored
                raise

    def trigger_intent(self, sender_id: str, intent: str,
                       entities: tuple[tuple[str, str], ...] | dict = ()) -> TurnResult:
        """A turn started by `intent` (and its entities) instead of a customer message, as
        Rasa's `trigger_intent` API and reminders do; the UserUttered's input channel is
        `external`, so it cancels no reminder. Raises UnknownIntent for one not in the domain."""
        if intent not in self.domain.intents:
            raise UnknownIntent(intent)
        pairs = dict(entities.items() if isinstance(entities, dict) else entities)
        payload = f"/{intent}" + (json.dumps(pairs, ensure_ascii=False) if pairs else "")
        return self.handle(sender_id, payload, input_channel=EXTERNAL)

    def _reminder_due(self, sender_id: str, reminder: ReminderScheduled) -> None:
        try:
            result = self.trigger_intent(sender_id, reminder.intent, reminder.entities)
        except UnknownIntent:
            log.error("reminder '%s' of %s: intent '%s' is not in the domain; not triggered",
                      reminder.reminder, sender_id, reminder.intent)
            return
        for listener in self.on_external_turn:
            listener(result)

    def _handle(self, tracker: Tracker, text: str, input_channel: str | None,
                metadata: dict | None) -> TurnResult:
        sender_id = tracker.sender_id
        self._maybe_start_session(tracker, metadata)
        score = feedback.answer_score(text)
        if score is not None:  # the end-of-conversation question's button: not a turn
            return self._answered(tracker, text, score)
        message = self.understand(text)
        user = UserUttered(message=message, input_channel=input_channel, metadata=metadata)
        tracker.append(user)
        result = TurnResult(sender_id, message)
        if tracker.handed_off:
            result.with_human = True
            return result
        result.slots_set = self.slots_from_message(tracker, user)
        tracker.extend(result.slots_set)
        self._act(tracker, result)
        return result

    def _answered(self, tracker: Tracker, text: str, score: int) -> TurnResult:
        tracker.extend(feedback.answered(score))
        result = TurnResult(tracker.sender_id, Message(text, IntentScore("feedback", 1.0)))
        thanks = self._respond(self.domain.feedback.thanks, tracker)
        if not thanks:
            thanks = [BotUttered(text=feedback.built_in(feedback.THANKS_TEXT, tracker),
                                 response=feedback.THANKS)]
        tracker.extend(thanks)
        result.replies += [e for e in thanks if isinstance(e, BotUttered)]
        return result

    def _respond(self, response: str | None, tracker: Tracker) -> list[Event]:
        """The events of the domain's `response` (none when it is None or says nothing)."""
        if response is None:
            return []
        events = self.runner.run(response, tracker, Prediction(response, 1.0, "feedback",
                                                               "domain.yml feedback"))
        return events if isinstance(events, list) else []

    def _ask_solved(self, tracker: Tracker, result: TurnResult) -> None:
        """domain.yml feedback: "Did that solve it?", once per session (not an action: the
        policies' view of the conversation does not change)."""
        asked = self._respond(self.domain.feedback.question, tracker) or [feedback.question(tracker)]
        tracker.extend(asked)
        result.replies += [e for e in asked if isinstance(e, BotUttered)]

    def feedback(self, sender_id: str, score: int, text: str | None = None) -> Feedback | None:
        """A thumbs up (1) or down (-1) on the bot's latest message whose text is `text`
        (None: its latest message); None when the conversation has no such message."""
        tracker = self.tracker(sender_id)
        rated = next((e for e in tracker.latest_first() if isinstance(e, BotUttered)
                      and (text is None or e.text == text)), None)
        if rated is None:
            return None
        event = Feedback(score=1 if score > 0 else -1, kind="message", rated=rated.timestamp)
        self._append(sender_id, event)
        return event

    def slots_from_message(self, tracker: Tracker, user: UserUttered) -> list[SlotSet]:
        """What the message sets, before any action runs: the domain's slot mappings, the
        custom mappings' actions, the sentiment slot (also used by story replays)."""
        events = fill_on_user_turn(self.domain, user, tracker.slots)
        events += self._custom_mappings(tracker, events)
        sentiment = self.domain.slots.get("sentiment")
        if sentiment is not None and "frustrated" in sentiment.values:
            frustrated = user.frustration >= self.domain.handoff.frustration_threshold
            calm = next((v for v in sentiment.values if v != "frustrated"), None)
            value = "frustrated" if frustrated else calm
            if value is not None and tracker.slots.get("sentiment") != value:
                events.append(SlotSet(slot="sentiment", value=value))
        return events

    def _custom_mappings(self, tracker: Tracker, found: list[SlotSet]) -> list[SlotSet]:
        """The slots of `custom` mappings that name an action (Rasa 3's action_extract_slots
        runs it after each message): its SlotSet events; anything else it returns is logged."""
        out: list[SlotSet] = []
        for name in self.mapping_actions:
            if not self.runner.custom.served(name):
                continue
            events = self.runner.custom_action(name, tracker, [*found, *out])
            if not isinstance(events, list):
                log.error("slot mapping action '%s' did not run: %s", name,
                          getattr(events, "reason", events))
                continue
            slots = [e for e in events if isinstance(e, SlotSet)]
            if len(slots) < len(events):
                log.info("slot mapping action '%s' returned events other than slots; ignored", name)
            out += slots
        return out

    def _act(self, tracker: Tracker, result: TurnResult) -> None:
        """Until the bot listens: `policies.decision.decide` picks, the action runs. An action
        that cannot use the message (a form, a grounded answer that failed its checks) is
        recorded as rejected and the decision is taken again without it."""
        rejected: dict[str, str] = {}
        ask = False
        for _ in range(MAX_ACTIONS_PER_TURN):
            followup = tracker.followup_action
            if followup is not None and followup in self.domain.action_names:
                chosen = Prediction(followup, 1.0, "followup", "the previous action asked for it")
                predictions: tuple[Prediction, ...] = (chosen,)
            else:
                if followup is not None:
                    log.warning("followup action '%s' is not in the domain; ignored", followup)
                decision = decide(tracker, self.domain, self.policies, self.rules, rejected)
                chosen, predictions = decision.chosen, decision.predictions
            action = chosen.action
            events = self.runner.run(action, tracker, chosen)
            if isinstance(events, Rejected):
                rejected[action] = events.reason
                result.steps.append(Step(action, chosen, predictions, (), events.reason))
                continue
            rejected = {}
            tracker.append(ActionExecuted(action=action, policy=chosen.policy,
                                          confidence=chosen.confidence, reason=chosen.reason))
            tracker.extend(events)
            result.steps.append(Step(action, chosen, predictions, tuple(events)))
            result.replies += [e for e in events if isinstance(e, BotUttered)]
            ask = ask or feedback.should_ask(self.domain, tracker, action)
            if tracker.handed_off:
                return
            if action == ACTION_LISTEN:
                if ask:
                    self._ask_solved(tracker, result)
                return
        tracker.append(ActionExecuted(action=ACTION_LISTEN, reason="too many actions in one turn"))

    # ----- sessions, restarts, humans -------------------------------------------------

    def _maybe_start_session(self, tracker: Tracker, metadata: dict | None = None) -> None:
        """A new session on the first message and after `session_expiration_time`: slots
        carried over as the domain says, the message's metadata in `session_started_metadata`,
        then the project's own `action_session_start` if it has one (e.g. a customer-profile
        look-up: its SlotSet and other events follow the built-in ones)."""
        last = tracker.last_event_time
        expiry = self.domain.session.expiration_minutes * 60
        if last is not None and (expiry <= 0 or last + expiry > time.time()):
            return
        carried = dict(tracker.slots) if last is not None and self.domain.session.carry_over_slots else {}
        tracker.append(SessionStarted())
        tracker.extend(SlotSet(slot=k, value=v) for k, v in carried.items()
                       if v is not None and k not in ("requested_slot", SESSION_METADATA)
                       and v != getattr(self.domain.slots.get(k), "initial_value", None))
        if metadata:
            tracker.append(SlotSet(slot=SESSION_METADATA, value=metadata))
        if SESSION_START in self.runner.custom.actions or self.runner.project_own(SESSION_START):
            events = self.runner.custom_action(SESSION_START, tracker)
            if not isinstance(events, list):  # the session starts without it, as it would in Rasa
                log.error("the project's %s did not run: %s", SESSION_START,
                          getattr(events, "reason", events))
                return
            # Rasa's SDK returns SessionStarted and action_listen too: ours are already there
            tracker.extend(e for e in events if not isinstance(e, (SessionStarted, ActionExecuted)))

    def forget(self, sender_id: str) -> int:
        """Delete the conversation everywhere this agent keeps it (store, cache, handoff
        tickets, pending reminders); how many events the store held."""
        with self.conversation(sender_id):
            events = self.store.delete(sender_id)
            self._trackers.pop(sender_id, None)
        self.queue.delete_sender(sender_id)
        self.reminders.forget(sender_id)
        self.runner.custom.forget(sender_id)  # the project's own records (@forget)
        return events

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
