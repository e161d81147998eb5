"""Parse a loaded `domain.yml` into a `Domain`, recording shape problems as we go.

Shape only: whether a slot mapping's entity is declared is the cross-reference
pass's job (`core.validate`).
"""
from __future__ import annotations

from typing import Any

from core.checks import FileChecker, did_you_mean
from core.domain import (
    MAPPING_TYPES, SLOT_TYPES, Button, Domain, Form, GenerationConfig, HandoffConfig,
    Reference, ResponseVariation, SessionConfig, Slot, SlotMapping,
)
from core.training_data import Source
from core.yaml_loader import YDict, YList, line_of

TOP_KEYS = (
    "version", "intents", "entities", "slots", "responses", "actions", "forms",
    "session_config", "config", "e2e_actions", "handoff", "generation",
)
SLOT_KEYS = ("type", "mappings", "initial_value", "influence_conversation", "values",
             "min_value", "max_value")
MAPPING_KEYS = ("type", "entity", "value", "intent", "not_intent", "role", "group",
                "conditions", "action")
VARIATION_KEYS = ("text", "buttons", "condition", "channel", "language", "image", "custom",
                  "quick_replies", "attachment", "elements", "id", "metadata")
HANDOFF_KEYS = ("trigger_intents", "fallbacks_before_handoff", "frustration_threshold",
                "response")
GENERATION_KEYS = ("knowledge", "backend", "top_k", "min_score", "base_url", "model",
                   "api_key_env", "timeout")
BACKENDS = ("extractive", "embedded", "openai")


def parse_domain(root: YDict, check: FileChecker) -> Domain:
    """Build a Domain from a loaded domain.yml; problems go to `check`."""
    domain = Domain()
    if not check.expect(root, dict, 1, "domain"):
        return domain
    check.known_keys(root, TOP_KEYS, "")
    _mark_broken_sections(root, domain)
    at = root.line_of
    _intents(check.sequence(root.get("intents"), at("intents"), "intents"), domain, check)
    _entities(check.sequence(root.get("entities"), at("entities"), "entities"), domain, check)
    for name, value in check.mapping(root.get("slots"), at("slots"), "slots").items():
        _slot(name, value, root["slots"].line_of(name), domain, check)
    for name, value in check.mapping(root.get("responses"), at("responses"), "responses").items():
        parse_response(name, value, root["responses"].line_of(name), domain, check)
    _actions(check.sequence(root.get("actions"), at("actions"), "actions"), domain, check)
    for name, value in check.mapping(root.get("forms"), at("forms"), "forms").items():
        _form(name, value, root["forms"].line_of(name), domain, check)
    domain.session = _session(root.get("session_config"), at("session_config"), check)
    domain.handoff = _handoff(root.get("handoff"), at("handoff"), domain, check)
    domain.generation = _generation(root.get("generation"), at("generation"), check)
    config = check.mapping(root.get("config"), at("config"), "config")
    check.known_keys(config, ("store_entities_as_slots",), "config")
    store = config.get("store_entities_as_slots", True)
    if check.expect(store, bool, config.line_of("store_entities_as_slots"),
                    "config.store_entities_as_slots"):
        domain.store_entities_as_slots = store
    return domain


def _mark_broken_sections(root: YDict, domain: Domain) -> None:
    """Sections that are misspelt or of the wrong type: names they declare are unknown,
    so the second pass must not report every use of them as undeclared."""
    for section in ("intents", "entities", "slots", "responses", "actions", "forms"):
        value = root.get(section)
        wrong_type = value is not None and not isinstance(
            value, list if section in ("intents", "entities", "actions") else dict)
        misspelt = section not in root and any(
            k not in TOP_KEYS and did_you_mean(k, [section]) for k in root)
        if wrong_type or misspelt:
            domain.broken_sections.add(section)


def _ref(domain: Domain, check: FileChecker, kind: str, name: Any, line: int, key: str) -> None:
    if name is not None:
        domain.references.append(Reference(kind, str(name), key, Source(check.file, line)))


def _declare(domain: Domain, kind: str, name: str, line: int, check: FileChecker,
             key: str) -> bool:
    """Record where `name` was declared; False (and an error) if it already was."""
    first = domain.sources.get(f"{kind}:{name}")
    if first:
        where = f"line {first.line}" if first.file == check.file else str(first)
        check.error(line, key, f"duplicate {kind} '{name}' (already declared at {where})")
        return False
    domain.sources[f"{kind}:{name}"] = Source(check.file, line)
    return True


def _named_item(item: Any, line: int, key: str, check: FileChecker) -> tuple[str, YDict] | None:
    """Items written as `- name` or `- name: {options}`."""
    if isinstance(item, str) and item.strip():
        return str(item), YDict()
    if isinstance(item, dict) and len(item) == 1:
        name, options = next(iter(item.items()))
        return str(name), check.mapping(options, line, f"{key}.{name}")
    check.error(line_of(item, line), key, f"expected a name or 'name: {{options}}', got {item!r}")
    return None


def _intents(items: YList, domain: Domain, check: FileChecker) -> None:
    for index, item in enumerate(items):
        line = items.line_of(index)
        named = _named_item(item, line, "intents", check)
        if not named:
            continue
        name, options = named
        check.known_keys(options, ("use_entities", "ignore_entities", "triggers"),
                         f"intents.{name}")
        for attr in ("use_entities", "ignore_entities"):
            value = options.get(attr)
            if isinstance(value, list):
                for entity in value:
                    _ref(domain, check, "entity", entity, options.line_of(attr),
                         f"intents.{name}.{attr}")
        if _declare(domain, "intent", name, line, check, f"intents.{name}"):
            domain.intents.append(name)


def _entities(items: YList, domain: Domain, check: FileChecker) -> None:
    for index, item in enumerate(items):
        line = items.line_of(index)
        named = _named_item(item, line, "entities", check)
        if not named:
            continue
        name, options = named
        check.known_keys(options, ("roles", "groups", "influence_conversation"),
                         f"entities.{name}")
        if not _declare(domain, "entity", name, line, check, f"entities.{name}"):
            continue
        domain.entities.append(name)
        for attr, store in (("roles", domain.entity_roles), ("groups", domain.entity_groups)):
            values = check.sequence(options.get(attr), line, f"entities.{name}.{attr}")
            if values:
                store[name] = tuple(str(v) for v in values)


def _slot(name: str, value: Any, line: int, domain: Domain, check: FileChecker) -> None:
    key = f"slots.{name}"
    spec = check.mapping(value, line, key)
    check.known_keys(spec, SLOT_KEYS, key, {"auto_fill": "Rasa 2 key, ignored (use mappings)"})
    slot_type = spec.get("type")
    if slot_type is None:
        check.error(line, f"{key}.type", f"missing; one of {', '.join(SLOT_TYPES)}")
        slot_type = "any"
    elif slot_type not in SLOT_TYPES:
        check.error(spec.line_of("type"), f"{key}.type",
                    f"unknown slot type '{slot_type}'{did_you_mean(slot_type, SLOT_TYPES)} "
                    f"(valid: {', '.join(SLOT_TYPES)})")
        slot_type = "any"
    values = tuple(str(v) for v in check.sequence(spec.get("values"), line, f"{key}.values"))
    if slot_type == "categorical" and not values:
        check.error(line, f"{key}.values", "a categorical slot needs a list of values")
    if "mappings" not in spec:
        check.error(line, f"{key}.mappings",
                    "missing; say how the slot is filled, e.g. "
                    f"'mappings: [{{type: from_entity, entity: {name}}}]' or '[{{type: custom}}]'")
    raw_mappings = check.sequence(spec.get("mappings"), spec.line_of("mappings"), f"{key}.mappings")
    mappings = tuple(
        m for i, item in enumerate(raw_mappings)
        if (m := _mapping(item, raw_mappings.line_of(i), f"{key}.mappings[{i}]", domain, check))
    )
    influence = spec.get("influence_conversation", True)
    check.expect(influence, bool, spec.line_of("influence_conversation"),
                 f"{key}.influence_conversation")
    low, high = _number(spec, "min_value", key, check), _number(spec, "max_value", key, check)
    if low is not None and high is not None and low > high:
        check.error(spec.line_of("max_value"), f"{key}.max_value",
                    f"must not be below min_value ({high} < {low})")
    if _declare(domain, "slot", name, line, check, key):
        domain.slots[name] = Slot(
            name, str(slot_type), mappings, spec.get("initial_value"), values, low, high,
            bool(influence), Source(check.file, line),
        )


def _number(spec: YDict, attr: str, key: str, check: FileChecker) -> float | None:
    if attr not in spec:
        return None
    value = spec[attr]
    return float(value) if check.expect(value, float, spec.line_of(attr), f"{key}.{attr}") else None


def _names(value: Any, line: int, key: str, check: FileChecker) -> tuple[str, ...]:
    """A name or a list of names."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (str(value),)
    return tuple(str(v) for v in check.sequence(value, line, key))


def _mapping(item: Any, line: int, key: str, domain: Domain,
             check: FileChecker) -> SlotMapping | None:
    spec = check.mapping(item, line, key)
    if not spec:
        return None
    check.known_keys(spec, MAPPING_KEYS, key)
    mapping_type = spec.get("type")
    if mapping_type not in MAPPING_TYPES:
        hint = did_you_mean(mapping_type, MAPPING_TYPES) if isinstance(mapping_type, str) else ""
        check.error(spec.line_of("type"), f"{key}.type",
                    f"unknown mapping type {mapping_type!r}{hint} (valid: {', '.join(MAPPING_TYPES)})")
        return None
    if mapping_type == "from_entity" and not spec.get("entity"):
        check.error(spec.line, f"{key}.entity", "a from_entity mapping needs 'entity'")
    if mapping_type == "from_intent" and "value" not in spec:
        check.error(spec.line, f"{key}.value", "a from_intent mapping needs 'value' (what the slot is set to)")
    _ref(domain, check, "entity", spec.get("entity"), spec.line_of("entity"), f"{key}.entity")
    for attr in ("intent", "not_intent"):
        for intent in _names(spec.get(attr), spec.line_of(attr), f"{key}.{attr}", check):
            _ref(domain, check, "intent", intent, spec.line_of(attr), f"{key}.{attr}")
    active_loop = requested = None
    conditions = check.sequence(spec.get("conditions"), spec.line_of("conditions"), f"{key}.conditions")
    for i, cond in enumerate(conditions):
        ckey = f"{key}.conditions[{i}]"
        cond = check.mapping(cond, conditions.line_of(i), ckey)
        check.known_keys(cond, ("active_loop", "requested_slot"), ckey)
        active_loop = cond.get("active_loop", active_loop)
        requested = cond.get("requested_slot", requested)
        _ref(domain, check, "form", cond.get("active_loop"), cond.line_of("active_loop"), f"{ckey}.active_loop")
        _ref(domain, check, "slot", cond.get("requested_slot"), cond.line_of("requested_slot"),
             f"{ckey}.requested_slot")
    return SlotMapping(
        str(mapping_type), spec.get("entity"), spec.get("value"),
        _names(spec.get("intent"), spec.line, f"{key}.intent", check),
        _names(spec.get("not_intent"), spec.line, f"{key}.not_intent", check),
        spec.get("role"), spec.get("group"), active_loop, requested, Source(check.file, spec.line),
    )


def parse_response(name: str, value: Any, line: int, domain: Domain, check: FileChecker) -> None:
    key = f"responses.{name}"
    variations = check.sequence(value, line, key)
    if value is not None and isinstance(value, list) and not variations:
        check.error(line, key, "a response needs at least one variation ('- text: ...')")
    parsed = []
    for index, item in enumerate(variations):
        vkey, vline = f"{key}[{index}]", variations.line_of(index)
        spec = check.mapping(item, vline, vkey)
        check.known_keys(spec, VARIATION_KEYS, vkey)
        text = spec.get("text", "")
        if not check.expect(text, str, spec.line_of("text"), f"{vkey}.text"):
            text = ""
        if not any(k in spec for k in ("text", "image", "custom", "buttons", "attachment")):
            check.error(vline, vkey, "a response variation needs 'text' (or image/custom)")
        parsed.append(ResponseVariation(
            str(text), _buttons(spec, vkey, domain, check), _conditions(spec, vkey, domain, check),
            spec.get("channel"), spec.get("language"), spec.get("image"), spec.get("custom"),
            Source(check.file, spec.line_of("text") if "text" in spec else vline),
        ))
    if _declare(domain, "response", name, line, check, key):
        domain.responses[name] = parsed


def _buttons(spec: YDict, key: str, domain: Domain, check: FileChecker) -> tuple[Button, ...]:
    field = "buttons" if "buttons" in spec else "quick_replies"
    items = check.sequence(spec.get(field), spec.line_of(field), f"{key}.{field}")
    buttons = []
    for index, item in enumerate(items):
        bkey = f"{key}.{field}[{index}]"
        button = check.mapping(item, items.line_of(index), bkey)
        check.known_keys(button, ("title", "payload", "type", "url"), bkey)
        if "title" not in button:
            check.error(items.line_of(index), f"{bkey}.title", "a button needs a 'title'")
        payload = str(button.get("payload", ""))
        if payload.startswith("/") and len(payload) > 1:  # "/intent" or '/intent{"entity": ...}'
            intent = payload[1:].split("{", 1)[0].split("@", 1)[0].strip()
            _ref(domain, check, "intent", intent, button.line_of("payload"), f"{bkey}.payload")
        buttons.append(Button(str(button.get("title", "")), payload))
    return tuple(buttons)


def _conditions(spec: YDict, key: str, domain: Domain,
                check: FileChecker) -> tuple[tuple[str, object], ...]:
    items = check.sequence(spec.get("condition"), spec.line_of("condition"), f"{key}.condition")
    conditions = []
    for index, item in enumerate(items):
        ckey = f"{key}.condition[{index}]"
        cond = check.mapping(item, items.line_of(index), ckey)
        check.known_keys(cond, ("type", "name", "value"), ckey)
        if cond.get("type", "slot") != "slot":
            check.error(cond.line_of("type"), f"{ckey}.type", "only 'slot' conditions exist")
        if "name" not in cond:
            check.error(items.line_of(index), f"{ckey}.name", "a condition needs the slot 'name'")
            continue
        _ref(domain, check, "slot", cond["name"], cond.line_of("name"), f"{ckey}.name")
        conditions.append((str(cond["name"]), cond.get("value")))
    return tuple(conditions)


def _actions(items: YList, domain: Domain, check: FileChecker) -> None:
    for index, item in enumerate(items):
        line = items.line_of(index)
        named = _named_item(item, line, "actions", check)
        if named and _declare(domain, "action", named[0], line, check, f"actions.{named[0]}"):
            domain.actions.append(named[0])


def _form(name: str, value: Any, line: int, domain: Domain, check: FileChecker) -> None:
    key = f"forms.{name}"
    spec = check.mapping(value, line, key)
    check.known_keys(spec, ("required_slots", "ignored_intents"), key)
    required = spec.get("required_slots")
    if isinstance(required, dict):
        check.error(spec.line_of("required_slots"), f"{key}.required_slots",
                    "Rasa 2 form syntax; list the slot names here and move their "
                    "mappings to the slots section")
        required = list(required)
    elif required is None:
        check.error(line, f"{key}.required_slots", "missing; list the slots the form asks for")
    slots = _names(required, spec.line_of("required_slots"), f"{key}.required_slots", check)
    ignored = _names(spec.get("ignored_intents"), line, f"{key}.ignored_intents", check)
    for attr, kind, names in (("required_slots", "form_slot", slots), ("ignored_intents", "intent", ignored)):
        value = spec.get(attr)
        for index, item in enumerate(names):
            item_line = value.line_of(index) if isinstance(value, YList) else spec.line_of(attr)
            _ref(domain, check, kind, item, item_line, f"{key}.{attr}")
    if _declare(domain, "form", name, line, check, key):
        domain.forms[name] = Form(name, slots, ignored, Source(check.file, line))


def _session(value: Any, line: int, check: FileChecker) -> SessionConfig:
    spec = check.mapping(value, line, "session_config")
    check.known_keys(spec, ("session_expiration_time", "carry_over_slots_to_new_session"),
                     "session_config")
    minutes = spec.get("session_expiration_time", 60)
    carry = spec.get("carry_over_slots_to_new_session", True)
    ok = check.expect(minutes, float, spec.line_of("session_expiration_time"),
                      "session_config.session_expiration_time")
    ok &= check.expect(carry, bool, spec.line_of("carry_over_slots_to_new_session"),
                       "session_config.carry_over_slots_to_new_session")
    return SessionConfig(float(minutes), bool(carry)) if ok else SessionConfig()


def _handoff(value: Any, line: int, domain: Domain, check: FileChecker) -> HandoffConfig:
    spec = check.mapping(value, line, "handoff")
    check.known_keys(spec, HANDOFF_KEYS, "handoff")
    fallbacks = spec.get("fallbacks_before_handoff", 2)
    threshold = spec.get("frustration_threshold", 0.7)
    ok = check.expect(fallbacks, int, spec.line_of("fallbacks_before_handoff"),
                      "handoff.fallbacks_before_handoff")
    ok &= check.expect(threshold, float, spec.line_of("frustration_threshold"),
                       "handoff.frustration_threshold")
    if ok and not 0 <= threshold <= 1:
        check.error(spec.line_of("frustration_threshold"), "handoff.frustration_threshold",
                    f"must be between 0 and 1, got {threshold}")
    if ok and fallbacks < 1:
        check.error(spec.line_of("fallbacks_before_handoff"), "handoff.fallbacks_before_handoff",
                    f"must be 1 or more, got {fallbacks}")
    intents = _names(spec.get("trigger_intents"), spec.line_of("trigger_intents"),
                     "handoff.trigger_intents", check)
    for intent in intents:
        _ref(domain, check, "intent", intent, spec.line_of("trigger_intents"), "handoff.trigger_intents")
    _ref(domain, check, "response", spec.get("response"), spec.line_of("response"), "handoff.response")
    if not ok:
        return HandoffConfig(intents)
    return HandoffConfig(intents, int(fallbacks), float(threshold), spec.get("response"))


def _generation(value: Any, line: int, check: FileChecker) -> GenerationConfig:
    spec = check.mapping(value, line, "generation")
    check.known_keys(spec, GENERATION_KEYS, "generation")
    backend = spec.get("backend", "extractive")
    if backend not in BACKENDS:
        hint = did_you_mean(backend, BACKENDS) if isinstance(backend, str) else ""
        check.error(spec.line_of("backend"), "generation.backend",
                    f"unknown backend {backend!r}{hint} (valid: {', '.join(BACKENDS)})")
        backend = "extractive"
    numbers = {}
    for attr, kind, default in (("top_k", int, 3), ("min_score", float, 0.35),
                                ("timeout", float, 20.0)):
        number = spec.get(attr, default)
        ok = check.expect(number, kind, spec.line_of(attr), f"generation.{attr}")
        if ok and number <= 0 and attr != "min_score":
            check.error(spec.line_of(attr), f"generation.{attr}", f"must be above 0, got {number}")
            ok = False
        numbers[attr] = kind(number) if ok else default
    return GenerationConfig(
        spec.get("knowledge"), str(backend), numbers["top_k"], numbers["min_score"],
        spec.get("base_url"), spec.get("model"), spec.get("api_key_env"), numbers["timeout"],
    )
