"""Second validation pass: every name used is declared, and the data is usable.

Runs once every file has loaded; the first pass (the parsers) checked shapes. All
problems are collected; nothing here raises.
"""
from __future__ import annotations

from collections import defaultdict
from difflib import get_close_matches
from typing import Iterable

from project.checks import did_you_mean
from core.domain import BUILTIN_SLOTS, DEFAULT_ACTIONS, DEFAULT_INTENTS, Domain, Reference
from core.errors import Problem
from core.story_graph import unreachable_checkpoints
from core.training_data import Example, Source, StoryStep, TrainingData

MIN_EXAMPLES = 2


BUILT_IN = {*DEFAULT_INTENTS, *BUILTIN_SLOTS, *DEFAULT_ACTIONS}
SECTIONS = {"intent": "intents", "entity": "entities", "slot": "slots", "form": "forms",
            "response": "responses", "action": "actions", "role": "entities",
            "group": "entities"}


class CrossChecker:
    def __init__(self, domain: Domain, domain_file: str):
        self.domain = domain
        self.domain_file = domain_file
        self.problems: list[Problem] = []
        self._names = {  # the domain is complete here: built once, not per reference
            "intent": [*domain.intents, *DEFAULT_INTENTS],
            "entity": list(domain.entities),
            "slot": [*domain.slots, *BUILTIN_SLOTS],
            "form": list(domain.forms),
            "response": list(domain.responses),
            "action": domain.action_names,
        }
        self._sets = {kind: set(names) for kind, names in self._names.items()}

    def error(self, source: Source | None, key: str, message: str) -> None:
        where = source or Source(self.domain_file, 0)
        self.problems.append(Problem(where.file, where.line, key, message))

    def warn(self, source: Source | None, key: str, message: str) -> None:
        where = source or Source(self.domain_file, 0)
        self.problems.append(Problem(where.file, where.line, key, message, "warning"))

    def info(self, source: Source | None, key: str, message: str) -> None:
        where = source or Source(self.domain_file, 0)
        self.problems.append(Problem(where.file, where.line, key, message, "info"))

    def known(self, kind: str, name: str, source: Source | None, key: str, owner: str = "",
              valid: Iterable[str] | None = None, consequence: str = "") -> bool:
        """True if `name` is declared; else an 'unknown …' error (unless its section is broken),
        or with `consequence` a warning saying what follows ("the mapping never applies")."""
        if valid is None:
            if name in self._sets[kind]:
                return True
            valid = self._names[kind]
        else:
            valid = list(valid)
            if name in valid:
                return True
        if SECTIONS.get(kind) in self.domain.broken_sections:
            return False
        section = "actions' or 'responses" if kind == "action" else SECTIONS.get(kind, kind)
        suggestions = [v for v in valid if v not in BUILT_IN]  # suggest what the user declared
        message = (f"unknown {kind} '{name}'{owner}{did_you_mean(name, suggestions)} "
                   f"(declare it under '{section}:' in {self.domain_file})")
        if consequence:
            self.warn(source, key, f"{message}; {consequence}")
        else:
            self.error(source, key, message)
        return False


def cross_check(domain: Domain, domain_file: str, data: TrainingData,
                tests: TrainingData) -> list[Problem]:
    """All cross-reference problems between the domain, the data and the tests."""
    check = CrossChecker(domain, domain_file)
    _domain_refs(check)
    _examples(check, data.examples, training=True)
    _examples(check, tests.examples, training=False)
    for story in [*data.rules, *data.stories, *tests.stories, *tests.rules]:
        for step in [*story.conditions, *story.steps]:
            _step(check, step)
    for stories in (data.stories, tests.stories):
        for story, checkpoint in unreachable_checkpoints(stories):
            check.warn(story.steps[0].source if story.steps else story.source, "checkpoint",
                       f"story '{story.name}' starts at checkpoint '{checkpoint}', which no story "
                       "ends with: it is never used (end another story with it)")
    return check.problems


def _domain_refs(check: CrossChecker) -> None:
    domain = check.domain
    for ref in domain.references:
        if ref.kind == "intent" and ".mappings[" in ref.key:  # Rasa warns: it never matches
            check.known(ref.kind, ref.name, ref.source, ref.key, consequence=(
                "no message has it, so this condition never holds" if ref.key.endswith(".intent")
                else "no message has it, so it excludes nothing"))
        elif ref.kind != "form_slot":
            check.known(ref.kind, ref.name, ref.source, ref.key)
        elif check.known("slot", ref.name, ref.source, ref.key, valid=domain.slots):
            _form_can_ask(check, ref.key.split(".")[1], ref)
    slots = list(domain.slots)
    for name, variations in domain.responses.items():
        for index, variation in enumerate(variations):
            for slot in variation.slot_names:
                if slot not in slots and slot not in BUILTIN_SLOTS and "slots" not in domain.broken_sections:
                    # as in Rasa, not a mistake: the action that sends the response may
                    # pass the value (utter_message(response=..., total=42))
                    close = did_you_mean(slot, slots)
                    typo = bool(get_close_matches(slot, slots, n=1, cutoff=0.8))  # 'ordr_id'
                    (check.warn if typo else check.info)(
                        variation.source, f"responses.{name}[{index}].text",
                        f"'{{{slot}}}' is not a slot: an action that sends {name} must pass it "
                        f"(utter_message(response=\"{name}\", {slot}=...)); otherwise it "
                        f"shows as '—'{close}")


def _form_can_ask(check: CrossChecker, form: str, ref: Reference) -> None:
    domain, slot = check.domain, ref.name
    asks = (f"utter_ask_{slot}", f"utter_ask_{form}_{slot}", f"action_ask_{slot}",
            f"action_ask_{form}_{slot}")
    if not any(a in domain.responses or a in domain.actions for a in asks):
        check.warn(ref.source, ref.key,
                   f"form '{form}' has no question for '{slot}' (utter_ask_{slot}, "
                   f"utter_ask_{form}_{slot} or action_ask_{slot}): it will ask "
                   f"\"What is your {slot.replace('_', ' ')}?\"")


def _examples(check: CrossChecker, examples: list[Example], training: bool) -> None:
    domain = check.domain
    seen: dict[str, Example] = {}
    counts: dict[str, int] = defaultdict(int)
    reported: set[str] = set()
    for example in examples:
        base = example.retrieval_intent[0]
        counts[base] += 1
        if base not in reported and base not in domain.intents:
            reported.add(base)
            check.known("intent", base, example.block or example.source, "intent",
                        valid=domain.intents)
        for span in example.entities:
            if check.known("entity", span.entity, example.source, "examples"):
                _role_group(check, span.entity, span.role, span.group, example.source)
        key = " ".join(example.text.lower().split())
        first = seen.get(key)
        if first is None:
            seen[key] = example
        elif first.intent != example.intent:  # Rasa warns (verify_example_repetition_in_intents)
            check.warn(example.source, "examples",
                       f"'{example.text}' is also an example of intent '{first.intent}' "
                       f"({first.source}); the model learns it as both, so keep it under one")
        elif training:  # Rasa says nothing: the model sees it twice, no harm
            check.info(example.source, "examples", f"duplicate example '{example.text}' (also at {first.source})")
    if not training:
        return
    for intent in domain.intents:
        count = counts.get(intent, 0)
        if count < MIN_EXAMPLES and intent not in DEFAULT_INTENTS:  # Rasa warns
            why = (f"the model never predicts it: a message reaches it only as the button "
                   f"payload /{intent}, a reminder or trigger_intent" if count == 0 else
                   "the model can hardly learn it from one")
            check.warn(domain.declared_at("intent", intent), f"intents.{intent}",
                       f"intent has {count} example(s) in the NLU data; {why} (add at least "
                       f"{MIN_EXAMPLES})")
    annotated = {s.entity for e in examples for s in e.entities}
    for entity in domain.entities:
        if entity not in annotated:
            check.warn(domain.declared_at("entity", entity), f"entities.{entity}",
                       "declared but never annotated in the NLU data; the model cannot learn it")


def _role_group(check: CrossChecker, entity: str, role: str | None, group: str | None,
                source: Source | None) -> None:
    for kind, value, declared in (("role", role, check.domain.entity_roles),
                                  ("group", group, check.domain.entity_groups)):
        if value is not None:
            check.known(kind, value, source, "examples", f" of entity '{entity}'",
                        valid=declared.get(entity, ()))


def _step(check: CrossChecker, step: StoryStep) -> None:
    if step.kind in ("intent", "action") and step.name:
        check.known(step.kind, step.name, step.source, step.kind)
    if step.kind == "active_loop" and step.name:
        check.known("form", step.name, step.source, "active_loop")
    for index, (entity, _) in enumerate(step.entities):
        check.known("entity", entity, _item_source(step, index), "entities")
    for index, (slot, _) in enumerate(step.slots):
        check.known("slot", slot, _item_source(step, index), "slot_was_set")
    for alternative in step.alternatives:
        _step(check, alternative)


def _item_source(step: StoryStep, index: int) -> Source | None:
    """Where the index-th entity or slot of a step is written (its own line if known)."""
    if step.source and index < len(step.item_lines):
        return Source(step.source.file, step.item_lines[index])
    return step.source
