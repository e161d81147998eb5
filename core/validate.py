"""Second validation pass: every name used is declared, and the data is usable.

Runs once every file has loaded; the first pass (the parsers) checked shapes. All
problems are collected; nothing here raises.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from core.checks import did_you_mean
from core.domain import BUILTIN_SLOTS, DEFAULT_INTENTS, Domain
from core.errors import Problem
from core.training_data import Example, Source, Story, StoryStep, TrainingData

MIN_EXAMPLES = 2


class CrossChecker:
    def __init__(self, domain: Domain, domain_file: str):
        self.domain = domain
        self.domain_file = domain_file
        self.problems: list[Problem] = []

    def error(self, source: Source | None, key: str, message: str) -> None:
        where = source or Source(self.domain_file, 0)
        self.problems.append(Problem(where.file, where.line, key, message))

    def warn(self, source: Source | None, key: str, message: str) -> None:
        where = source or Source(self.domain_file, 0)
        self.problems.append(Problem(where.file, where.line, key, message, "warning"))

    def known(self, kind: str, name: str, valid: Iterable[str], source: Source | None,
              key: str, section: str) -> bool:
        valid = list(valid)
        if name in valid:
            return True
        self.error(source, key, f"unknown {kind} '{name}'{did_you_mean(name, valid)} "
                   f"(declare it under '{section}:' in {self.domain_file})")
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
    return check.problems


def _domain_refs(check: CrossChecker) -> None:
    domain = check.domain
    slots, intents = list(domain.slots), [*domain.intents, *DEFAULT_INTENTS]
    for slot in domain.slots.values():
        for mapping in slot.mappings:
            if mapping.entity:
                check.known("entity", mapping.entity, domain.entities, mapping.source,
                            f"slots.{slot.name}.mappings.entity", "entities")
            for intent in (*mapping.intents, *mapping.not_intents):
                check.known("intent", intent, intents, mapping.source,
                            f"slots.{slot.name}.mappings.intent", "intents")
            if mapping.active_loop and mapping.active_loop not in domain.forms:
                check.known("form", mapping.active_loop, domain.forms, mapping.source,
                            f"slots.{slot.name}.mappings.conditions.active_loop", "forms")
    for name, variations in domain.responses.items():
        for index, variation in enumerate(variations):
            for slot in variation.slot_names:
                if slot not in slots and slot not in BUILTIN_SLOTS:
                    check.error(variation.source, f"responses.{name}[{index}].text",
                                f"uses slot '{{{slot}}}' that is not declared"
                                f"{did_you_mean(slot, slots)} (declare it under 'slots:')")
            for slot, _ in variation.conditions:
                check.known("slot", slot, [*slots, *BUILTIN_SLOTS], variation.source,
                            f"responses.{name}[{index}].condition", "slots")
    for form in domain.forms.values():
        for slot in form.required_slots:
            if not check.known("slot", slot, slots, form.source,
                               f"forms.{form.name}.required_slots", "slots"):
                continue
            asks = (f"utter_ask_{slot}", f"utter_ask_{form.name}_{slot}", f"action_ask_{slot}")
            if not any(a in domain.responses or a in domain.actions for a in asks):
                check.error(form.source, f"forms.{form.name}.required_slots",
                            f"the form cannot ask for '{slot}': add a response 'utter_ask_{slot}'")
    handoff_source = domain.declared_at("section", "handoff")
    for intent in domain.handoff.trigger_intents:
        check.known("intent", intent, domain.intents, handoff_source, "handoff.trigger_intents", "intents")
    if domain.handoff.response:
        check.known("response", domain.handoff.response, domain.responses, handoff_source,
                    "handoff.response", "responses")


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
            check.known("intent", base, domain.intents, example.source, "intent", "intents")
        for span in example.entities:
            if check.known("entity", span.entity, domain.entities, example.source, "examples", "entities"):
                _role_group(check, span.entity, span.role, span.group, example.source)
        key = " ".join(example.text.lower().split())
        first = seen.get(key)
        if first is None:
            seen[key] = example
        elif first.intent != example.intent:
            check.error(example.source, "examples",
                        f"'{example.text}' is also an example of intent '{first.intent}' "
                        f"({first.source}); one text can only teach one intent")
        elif training:
            check.warn(example.source, "examples", f"duplicate example '{example.text}' (also at {first.source})")
    if not training:
        return
    for intent in domain.intents:
        count = counts.get(intent, 0)
        if count < MIN_EXAMPLES and intent not in DEFAULT_INTENTS:
            check.error(domain.declared_at("intent", intent), f"intents.{intent}",
                        f"intent has {count} example(s) in the NLU data; it needs at least {MIN_EXAMPLES}")
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
            check.known(f"{kind} of entity '{entity}'", value, declared.get(entity, ()),
                        source, "examples", "entities")


def _step(check: CrossChecker, step: StoryStep) -> None:
    domain = check.domain
    if step.kind == "intent" and step.name:
        check.known("intent", step.name, [*domain.intents, *DEFAULT_INTENTS], step.source,
                    "intent", "intents")
    if step.kind == "action":
        check.known("action", step.name, domain.action_names, step.source, "action",
                    "actions' or 'responses")
    if step.kind == "active_loop" and step.name:
        check.known("form", step.name, domain.forms, step.source, "active_loop", "forms")
    for entity, _ in step.entities:
        check.known("entity", entity, domain.entities, step.source, "entities", "entities")
    for slot, _ in step.slots:
        check.known("slot", slot, [*domain.slots, *BUILTIN_SLOTS], step.source,
                    "slot_was_set", "slots")
    for alternative in step.alternatives:
        _step(check, alternative)
