"""Parse a loaded `domain.yml` into a `Domain`, recording shape problems as we go.

Shape only: whether a slot mapping's entity is declared is the cross-reference
pass's job (`project.validate`).
"""
from __future__ import annotations

from typing import Any, Iterator

from project.checks import FileChecker, check_version, did_you_mean
from core.domain import (
    MAPPING_TYPES, SLOT_TYPES, YES_NO, Button, Domain, Form, ResponseVariation, Slot, SlotMapping,
)
from project.domain_helpers import declare, named_item, names, refer
from project.domain_settings import parse_feedback, parse_generation, parse_handoff, parse_privacy, \
    parse_session
from core.training_data import Source
from project.yaml_loader import YDict, YList

TOP_KEYS = (
    "version", "intents", "entities", "slots", "responses", "actions", "forms",
    "session_config", "config", "e2e_actions", "handoff", "generation", "privacy", "feedback",
)
SLOT_KEYS = ("type", "mappings", "initial_value", "influence_conversation", "values",
             "min_value", "max_value")
MAPPING_KEYS = ("type", "entity", "value", "intent", "not_intent", "role", "group",
                "conditions", "action")
VARIATION_KEYS = ("text", "buttons", "condition", "channel", "language", "image", "custom",
                  "quick_replies", "attachment", "elements", "id", "metadata")
def parse_domain(root: YDict, check: FileChecker, domain: Domain | None = None) -> Domain:
    """Build a Domain from a loaded domain.yml; problems go to `check`. With `domain`, add
    this file's declarations to it (one file of a domain/ folder): its settings sections
    (session_config, handoff, generation, config) replace the earlier ones only if present."""
    merging = domain is not None
    domain = domain if domain is not None else Domain()
    if merging:
        domain.merged_files.add(check.file)
    if not check.expect(root, dict, 1, "domain"):
        return domain
    check.known_keys(root, TOP_KEYS, "")
    check_version(root, check)
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
    if not merging or "session_config" in root:
        domain.session = parse_session(root.get("session_config"), at("session_config"), check)
    if not merging or "handoff" in root:
        domain.handoff = parse_handoff(root.get("handoff"), at("handoff"), domain, check)
    if not merging or "generation" in root:
        domain.generation = parse_generation(root.get("generation"), at("generation"), check)
    if not merging or "privacy" in root:
        domain.privacy = parse_privacy(root.get("privacy"), at("privacy"), check)
    if not merging or "feedback" in root:
        domain.feedback = parse_feedback(root.get("feedback"), at("feedback"), domain, check)
    if merging and "config" not in root:
        return domain
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


def _named_items(items: YList, section: str, check: FileChecker) -> Iterator[tuple[str, YDict, int]]:
    """(name, options, line) for each well-formed `- name` / `- name: {options}` item."""
    for index, item in enumerate(items):
        line = items.line_of(index)
        named = named_item(item, line, section, check)
        if named:
            yield named[0], named[1], line


def _intents(items: YList, domain: Domain, check: FileChecker) -> None:
    for name, options, line in _named_items(items, "intents", check):
        check.known_keys(options, ("use_entities", "ignore_entities", "triggers"),
                         f"intents.{name}")
        if "triggers" in options:  # accepted, never silently: say it is not applied
            check.warn(options.line_of("triggers"), f"intents.{name}.triggers",
                       "Rasa 2 key (MappingPolicy), ignored: write a rule instead")
        lists: dict[str, Any] = {}
        for attr in ("use_entities", "ignore_entities"):
            value = options.get(attr)
            if value is None or (attr == "use_entities" and value is True):
                continue
            if not isinstance(value, list):
                check.error(options.line_of(attr), f"intents.{name}.{attr}",
                            "must be a list of entity names" + (" or true" if attr == "use_entities" else ""))
                continue
            lists[attr] = tuple(str(e) for e in value)
            for entity in value:
                refer(domain, check, "entity", entity, options.line_of(attr),
                     f"intents.{name}.{attr}")
        if lists:  # what the policies see of the message's entities (slots fill regardless)
            domain.intent_entities[name] = (lists.get("use_entities", True),
                                            lists.get("ignore_entities", ()))
        if declare(domain, "intent", name, line, check, f"intents.{name}"):
            domain.intents.append(name)


def _entities(items: YList, domain: Domain, check: FileChecker) -> None:
    for name, options, line in _named_items(items, "entities", check):
        check.known_keys(options, ("roles", "groups", "influence_conversation"),
                         f"entities.{name}")
        if not declare(domain, "entity", name, line, check, f"entities.{name}"):
            continue
        domain.entities.append(name)
        if "influence_conversation" in options:
            influence = options["influence_conversation"]
            if check.expect(influence, bool, options.line_of("influence_conversation"),
                            f"entities.{name}.influence_conversation") and influence is False:
                domain.quiet_entities.add(name)
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
        for m in _mapping(item, raw_mappings.line_of(i), f"{key}.mappings[{i}]", domain, check)
    )
    influence = spec.get("influence_conversation", True)
    check.expect(influence, bool, spec.line_of("influence_conversation"),
                 f"{key}.influence_conversation")
    low, high = _number(spec, "min_value", key, check), _number(spec, "max_value", key, check)
    if low is not None and high is not None and low > high:
        check.error(spec.line_of("max_value"), f"{key}.max_value",
                    f"must not be below min_value ({high} < {low})")
    if declare(domain, "slot", name, line, check, key):
        domain.slots[name] = Slot(
            name, str(slot_type), mappings, spec.get("initial_value"), values, low, high,
            bool(influence), Source(check.file, line),
        )


def _number(spec: YDict, attr: str, key: str, check: FileChecker) -> float | None:
    if attr not in spec:
        return None
    value = spec[attr]
    return float(value) if check.expect(value, float, spec.line_of(attr), f"{key}.{attr}") else None


def _mapping(item: Any, line: int, key: str, domain: Domain,
             check: FileChecker) -> tuple[SlotMapping, ...]:
    """The mapping, once per entry of its `conditions` (as in Rasa, any one of them holding
    is enough), or once without conditions."""
    spec = check.mapping(item, line, key)
    if not spec:
        return ()
    check.known_keys(spec, MAPPING_KEYS, key)
    mapping_type = spec.get("type")
    if mapping_type not in MAPPING_TYPES:
        hint = did_you_mean(mapping_type, MAPPING_TYPES) if isinstance(mapping_type, str) else ""
        check.error(spec.line_of("type"), f"{key}.type",
                    f"unknown mapping type {mapping_type!r}{hint} (valid: {', '.join(MAPPING_TYPES)})")
        return ()
    if mapping_type == "from_entity" and not spec.get("entity"):
        check.error(spec.line, f"{key}.entity", "a from_entity mapping needs 'entity'")
    if mapping_type == "from_intent" and "value" not in spec:
        check.error(spec.line, f"{key}.value", "a from_intent mapping needs 'value' (what the slot is set to)")
    refer(domain, check, "entity", spec.get("entity"), spec.line_of("entity"), f"{key}.entity")
    if mapping_type == "custom" and spec.get("action"):
        refer(domain, check, "action", spec["action"], spec.line_of("action"), f"{key}.action")
    intents = {}
    for attr in ("intent", "not_intent"):
        intents[attr] = names(spec.get(attr), spec.line_of(attr), f"{key}.{attr}", check)
        for intent in intents[attr]:
            refer(domain, check, "intent", intent, spec.line_of(attr), f"{key}.{attr}")
    conditions = check.sequence(spec.get("conditions"), spec.line_of("conditions"), f"{key}.conditions")
    alternatives: list[tuple[str | None, str | None]] = []
    for i, cond in enumerate(conditions):
        ckey = f"{key}.conditions[{i}]"
        cond = check.mapping(cond, conditions.line_of(i), ckey)
        check.known_keys(cond, ("active_loop", "requested_slot"), ckey)
        loop, requested = cond.get("active_loop"), cond.get("requested_slot")
        alternatives.append((str(loop) if loop is not None else None,
                             str(requested) if requested is not None else None))
        refer(domain, check, "form", loop, cond.line_of("active_loop"), f"{ckey}.active_loop")
        refer(domain, check, "slot", requested, cond.line_of("requested_slot"), f"{ckey}.requested_slot")
    return tuple(SlotMapping(
        str(mapping_type), spec.get("entity"), spec.get("value"),
        intents["intent"], intents["not_intent"],
        spec.get("role"), spec.get("group"), loop, requested, Source(check.file, spec.line),
        str(spec["action"]) if mapping_type == "custom" and spec.get("action") else None,
    ) for loop, requested in (alternatives or [(None, None)]))


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
    if declare(domain, "response", name, line, check, key):
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
            refer(domain, check, "intent", intent, button.line_of("payload"), f"{bkey}.payload")
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
        refer(domain, check, "slot", cond["name"], cond.line_of("name"), f"{ckey}.name")
        conditions.append((str(cond["name"]), cond.get("value")))
    return tuple(conditions)


def _actions(items: YList, domain: Domain, check: FileChecker) -> None:
    for name, _, line in _named_items(items, "actions", check):
        if declare(domain, "action", name, line, check, f"actions.{name}"):
            domain.actions.append(name)


def _form(name: str, value: Any, line: int, domain: Domain, check: FileChecker) -> None:
    key = f"forms.{name}"
    spec = check.mapping(value, line, key)
    check.known_keys(spec, ("required_slots", "ignored_intents", "confirm_known"), key)
    required = spec.get("required_slots")
    if isinstance(required, dict):
        check.error(spec.line_of("required_slots"), f"{key}.required_slots",
                    "Rasa 2 form syntax; list the slot names here and move their "
                    "mappings to the slots section")
        required = list(required)
    elif required is None:
        check.error(line, f"{key}.required_slots", "missing; list the slots the form asks for")
    slots = names(required, spec.line_of("required_slots"), f"{key}.required_slots", check)
    ignored = names(spec.get("ignored_intents"), line, f"{key}.ignored_intents", check)
    for attr, kind, listed in (("required_slots", "form_slot", slots), ("ignored_intents", "intent", ignored)):
        value = spec.get(attr)
        for index, item in enumerate(listed):
            item_line = value.line_of(index) if isinstance(value, YList) else spec.line_of(attr)
            refer(domain, check, kind, item, item_line, f"{key}.{attr}")
    confirm = names(spec.get("confirm_known"), spec.line_of("confirm_known"), f"{key}.confirm_known", check)
    for slot in confirm:
        if slot not in slots:
            check.error(spec.line_of("confirm_known"), f"{key}.confirm_known",
                        f"'{slot}' is not one of the form's required_slots")
    if confirm and not all(intent in domain.intents for intent in YES_NO):
        check.warn(spec.line_of("confirm_known"), f"{key}.confirm_known",
                   "confirming a remembered value needs the intents "
                   f"{' and '.join(YES_NO)} (the customer's yes / no); without them the "
                   "customer can only confirm by giving the value again")
    if declare(domain, "form", name, line, check, key):
        domain.forms[name] = Form(name, slots, ignored, Source(check.file, line), confirm)
