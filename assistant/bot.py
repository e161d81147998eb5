"""A minimal single-turn dialogue path: intent -> the action its rule names -> Reply.

It lets `cli.py shell` answer with the intent's response as soon as NLU is trained.
Rules of the form `intent X -> action A [-> action B]` are followed, then the actions
that follow X's first turn in a story (whatever came before it); otherwise the
response `utter_<intent>` is used; below the fallback threshold the bot asks to
rephrase. Slots are filled from entities through their `from_entity` mappings.
Multi-turn state, forms, custom actions and handoff belong to the dialogue manager.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from core.domain import Domain
from core.message import Message
from core.project import Project, load_project
from core.training_data import TrainingData
from responses.templates import Reply, render

FALLBACK_RESPONSES = ("utter_ask_rephrase", "utter_default")


@dataclass(frozen=True)
class Turn:
    message: Message
    actions: tuple[str, ...]
    replies: tuple[Reply, ...]
    slots_set: tuple[tuple[str, object], ...]
    reason: str


def rule_actions(data: TrainingData) -> dict[str, tuple[str, ...]]:
    """intent -> the actions run after it: from unconditional one-intent rules first, then
    from the first story turn that follows the intent."""
    table: dict[str, tuple[str, ...]] = {}
    for rule in data.rules:
        steps = rule.steps
        if rule.conditions or not steps or steps[0].kind != "intent":
            continue
        if any(s.kind == "intent" for s in steps[1:]):
            continue
        actions = tuple(s.name for s in steps[1:] if s.kind == "action")
        if actions:
            table.setdefault(steps[0].name, actions)
    for story in data.stories:
        for index, step in enumerate(story.steps):
            if step.kind == "intent" and step.name not in table:
                actions = _actions_after(story.steps[index + 1 :])
                if actions:
                    table[step.name] = actions
    return table


def _actions_after(steps) -> tuple[str, ...]:
    """The actions up to the next user turn (slot events in between are skipped)."""
    actions = []
    for step in steps:
        if step.kind == "intent":
            break
        if step.kind == "action":
            actions.append(step.name)
    return tuple(actions)


def slots_from_entities(domain: Domain, message: Message) -> list[tuple[str, object]]:
    found = []
    for slot in domain.slots.values():
        for mapping in slot.mappings:
            if mapping.type != "from_entity" or mapping.active_loop:
                continue
            if mapping.intents and message.intent.name not in mapping.intents:
                continue
            for entity in message.entities:
                if entity.entity == mapping.entity:
                    found.append((slot.name, entity.value))
    return found


class Assistant:
    def __init__(self, project: Project, parser, fallback_threshold: float, seed: int | None = None):
        self.domain = project.domain
        self.parser = parser
        self.threshold = fallback_threshold
        self.rules = rule_actions(project.data)
        self.slots: dict[str, object] = {n: s.initial_value for n, s in self.domain.slots.items()}
        self.rng = random.Random(seed)

    @classmethod
    def load(cls, project_dir: Path, models: Path, seed: int | None = None) -> "Assistant":
        from assistant.train import nlu_dir
        from nlu import NLUParser

        project = load_project(project_dir)
        return cls(project, NLUParser.load(nlu_dir(models)), project.config.fallback_threshold, seed)

    def restart(self) -> None:
        self.slots = {n: s.initial_value for n, s in self.domain.slots.items()}

    def handle(self, text: str) -> Turn:
        message = self.parser.parse(text)
        slots_set = slots_from_entities(self.domain, message)
        self.slots.update(slots_set)
        actions, reason = self.choose_actions(message)
        replies = tuple(r for a in actions if (r := self.run(a)) is not None)
        return Turn(message, actions, replies, tuple(slots_set), reason)

    def choose_actions(self, message: Message) -> tuple[tuple[str, ...], str]:
        intent = message.intent
        if intent.confidence < self.threshold:
            fallback = next((r for r in FALLBACK_RESPONSES if r in self.domain.responses), "")
            return (fallback,), f"confidence {intent.confidence:.2f} below threshold {self.threshold}"
        if intent.name in self.rules:
            return self.rules[intent.name], f"rule or story turn for intent '{intent.name}'"
        if f"utter_{intent.name}" in self.domain.responses:
            return (f"utter_{intent.name}",), f"response named after intent '{intent.name}'"
        return (), f"no rule or response for intent '{intent.name}'"

    def run(self, action: str) -> Reply | None:
        if action in self.domain.responses:
            return render(action, self.domain.responses[action], self.slots, self.rng)
        if not action:
            return Reply("Sorry, I didn't get that. Could you rephrase?", action="fallback")
        return Reply(f"[{action} is a custom action; it runs once the dialogue manager lands]",
                     action=action)
