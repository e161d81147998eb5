"""What the ML policy trains on: the stories, the rules with their conditions, and
conversations glued together from them (Rasa's `augmentation_factor`).

A story is written as if the conversation started with it; real customers ask one thing,
then another, and ask an aside in the middle. So half the glued conversations are a story
cut at a random turn followed by another story (the slots and the active form are reset in
between: the second piece starts fresh, as its writer meant, while the history stays), and
half are a story with a one-turn rule (an FAQ answer, small talk) put in at a random turn,
after which the story goes on. Only the actions after the joint are training examples (the
ones before it are the original story's). This teaches the policy that the latest turns
decide the next action, not how the conversation began.
"""
from __future__ import annotations

import random
from dataclasses import replace

from core.domain import Domain
from core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from core.tracker import Tracker
from core.training_data import Story
from policies.states import State, story_trackers, training_pairs

Pair = tuple[list[State], str]


def rules_as_stories(rules: list[Story], domain: Domain) -> list[Story]:
    """The rules as stories, each with its `condition` (slots, active form) logged before its
    steps, so the policy sees the situation the rule is for ("track it" once the order is
    known). A rule conditioned on a slot that does not influence the conversation is left
    out: the policy cannot see when it applies (RulePolicy can), and learning its steps
    alone would contradict the stories."""
    def seen(name: str) -> bool:
        slot = domain.slots.get(name)
        return name == "requested_slot" or (slot is not None and slot.influence_conversation)

    def visible(step) -> bool:
        return step.kind != "slot_was_set" or all(seen(name) for name, _ in step.slots)

    return [replace(rule, steps=(*rule.conditions, *rule.steps)) for rule in rules
            if all(visible(step) for step in rule.conditions)]


def story_pairs(stories: list[Story], domain: Domain) -> list[Pair]:
    """(states, action) for every action of every variant of `stories`."""
    return [pair for story in stories for tracker in story_trackers(story, domain)
            for pair in training_pairs(tracker, domain)]


def glued_pairs(stories: list[Story], domain: Domain, factor: int, seed: int,
                interrupt: bool = True) -> list[Pair]:
    """The training pairs of `factor * 10` conversations made of two random stories (Rasa's
    number of augmented trackers), only of the second story's actions; seeded.

    The first story is cut at a random turn (the customer changes the subject). With
    `interrupt`, half of them are a one-turn rule (an FAQ answer, small talk) put in the
    middle of a story that then goes on: the pairs of the rule and of the rest."""
    pieces = [tracker.events for story in stories for tracker in story_trackers(story, domain)]
    asides = [tracker.events for story in stories if _is_aside(story)
              for tracker in story_trackers(story, domain)]
    if factor <= 0 or len(pieces) < 2:
        return []
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for number in range(factor * 10):
        tracker = Tracker("augmented", dict(domain.slots))
        if interrupt and asides and number % 2:
            story = rng.choice(pieces)
            cut = rng.choice(_cuts(story))
            tracker.extend(story[:cut])
            if tracker.active_loop:  # a form's own rules say what happens meanwhile
                continue
            skip = sum(isinstance(e, ActionExecuted) for e in tracker.events)
            tracker.extend([*rng.choice(asides), *story[cut:]])
        else:
            first, second = rng.sample(range(len(pieces)), 2)
            tracker.extend(pieces[first][:rng.choice([*_cuts(pieces[first]), len(pieces[first])])])
            tracker.extend(_reset(tracker))
            skip = sum(isinstance(e, ActionExecuted) for e in tracker.events)
            tracker.extend(pieces[second])
        pairs += training_pairs(tracker, domain)[skip:]
    return pairs


def _cuts(events: list[Event]) -> list[int]:
    """Where a story can be cut: before each of its user turns but the first."""
    cuts = [i for i, e in enumerate(events) if isinstance(e, UserUttered) and i > 0]
    return cuts or [len(events)]


def _is_aside(story: Story) -> bool:
    """A rule that answers one message anywhere: one user turn, then actions, no condition."""
    return (story.kind == "rule" and not story.conditions and not story.conversation_start
            and bool(story.steps) and story.steps[0].kind == "intent"
            and all(step.kind == "action" for step in story.steps[1:]))


def _reset(tracker: Tracker) -> list[Event]:
    """Events that put slots back to their initial values and end the active form."""
    initial = {name: slot.initial_value for name, slot in tracker.slot_defs.items()}
    events: list[Event] = [SlotSet(slot=name, value=initial.get(name), timestamp=0)
                           for name, value in tracker.slots.items() if value != initial.get(name)]
    if tracker.active_loop:
        events.append(ActiveLoop(loop=None, timestamp=0))
    return events
