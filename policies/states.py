"""What policies see of a conversation.

`states(tracker, domain)` turns a tracker into one `State` per decision point: the
features true just before each action ran (latest intent and entity names, the
previous action, the active form, slot features), plus the state now. Stories and
rules become trackers through `story_events`, so training and prediction use the
same code.
"""
from __future__ import annotations

import itertools
from typing import Iterator

from core.domain import Domain
from core.events import ActionExecuted, ActiveLoop, Event, Restarted, SessionStarted, SlotSet, UserUttered
from core.message import Entity, IntentScore, Message
from core.slots import feature
from core.tracker import ACTION_LISTEN, Tracker
from core.training_data import Story, StoryStep
from core.story_graph import MAX_VARIANTS, variants

State = frozenset  # of strings such as "intent:greet", "prev:utter_greet", "loop:return_form"


def current_state(tracker: Tracker, domain: Domain) -> State:
    return _state(tracker.latest_message, tracker.latest_action, tracker.active_loop,
                  tracker.slots, domain)


def _state(user: UserUttered | None, prev_action: str | None, loop: str | None,
           slots: dict, domain: Domain) -> State:
    features = set()
    if user is not None:
        if user.intent or not user.message.text:
            features.add(f"intent:{user.intent}")
        else:  # an end-to-end story's `user:` text without an intent
            features.add(text_feature(user.message.text))
        shown = domain.featurized_entities(user.intent)
        features.update(f"entity:{e.entity}" for e in user.message.entities
                        if shown is None or e.entity in shown)
    if prev_action:
        features.add(f"prev:{prev_action}")
    if loop:
        features.add(f"loop:{loop}")
    for name, value in slots.items():
        if name == "requested_slot":
            if value:
                features.add(f"slot:requested_slot={value}")
            continue
        slot = domain.slots.get(name)
        shown = feature(slot, value) if slot else None
        if shown is not None:
            features.add(f"slot:{name}={shown}")
    return State(features)


def text_feature(text: str) -> str:
    """The feature of an end-to-end `user:` step: its text, case, spacing and end
    punctuation aside (the memoization policy matches a customer's message on it)."""
    return "text:" + " ".join(text.lower().split()).rstrip(".!?。！？ ")


def turn_length(tracker: Tracker) -> int:
    """How many of `history(tracker)`'s last states follow the latest user message."""
    count = 1
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return count
        if isinstance(event, ActionExecuted):
            count += 1
        elif isinstance(event, (Restarted, SessionStarted)):
            break
    return 0


def training_pairs(tracker: Tracker, domain: Domain) -> list[tuple[list[State], str]]:
    """(states up to a decision, the action taken) for every action in the tracker."""
    states = history(tracker, domain)[:-1]  # the state before each action
    actions = [e.action for e in tracker.current if isinstance(e, ActionExecuted)]
    return [(states[: i + 1], action) for i, action in enumerate(actions)]


def history(tracker: Tracker, domain: Domain) -> list[State]:
    """The states before every action of the current session, and the state now (last).

    Computed incrementally: what was replayed for a tracker is kept on it, so each call only
    replays the events appended since (a long conversation costs no more per turn)."""
    cache = getattr(tracker, "_history_cache", None)
    if cache is None or cache[0] is not domain or cache[1] > len(tracker.events):
        cache = (domain, 0, [], Tracker(tracker.sender_id, tracker.slot_defs))
    _, done, states, replay = cache
    for event in tracker.events[done:]:
        if isinstance(event, (Restarted, SessionStarted)):
            states = []
        elif isinstance(event, ActionExecuted):
            states.append(current_state(replay, domain))
        replay.append(event)
    tracker._history_cache = (domain, len(tracker.events), states, replay)
    return states + [current_state(replay, domain)]


# ----- stories and rules as trackers ------------------------------------------------------

def story_trackers(story: Story, domain: Domain) -> Iterator[Tracker]:
    """One tracker per variant of the story (a story with `or` steps has several)."""
    for steps in itertools.islice(variants(story.steps), MAX_VARIANTS):
        tracker = Tracker(story.name, dict(domain.slots))
        tracker.extend(story_events(list(steps), domain))
        yield tracker


def story_events(steps: list[StoryStep], domain: Domain, end_with_listen: bool = True) -> list[Event]:
    """The events a conversation following `steps` would log (timestamps all 0).

    A user turn is preceded by `action_listen` unless the bot was already listening, and
    a story ends by listening, as every real turn does.
    """
    events: list[Event] = []
    listening = True
    for step in steps:
        if step.kind == "intent":
            if not listening:
                events.append(ActionExecuted(action=ACTION_LISTEN, timestamp=0))
            events.append(UserUttered(message=step_message(step), timestamp=0))
            listening = False
        elif step.kind == "action":
            events.append(ActionExecuted(action=step.name, timestamp=0))
            listening = step.name == ACTION_LISTEN
        elif step.kind == "slot_was_set":
            events.extend(SlotSet(slot=name, value=value, timestamp=0) for name, value in step.slots)
        elif step.kind == "active_loop":
            events.append(ActiveLoop(loop=step.name or None, timestamp=0))
    if end_with_listen and not listening:
        events.append(ActionExecuted(action=ACTION_LISTEN, timestamp=0))
    return events


def step_message(step: StoryStep) -> Message:
    entities = tuple(Entity(name, 0, 0, value or "", value or "") for name, value in step.entities)
    return Message(step.user_text or "", IntentScore(step.name, 1.0), (), entities)
