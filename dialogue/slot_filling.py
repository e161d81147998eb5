"""Fill slots from a user message through the mappings declared in domain.yml.

`from_entity`, `from_intent` and `from_text` mappings apply on every turn unless their
`conditions` tie them to a form (`active_loop`) and the slot it is asking for
(`requested_slot`); `from_trigger_intent` applies when that form is activated.
Values are coerced to the slot's type; a value the type cannot hold is skipped.
"""
from __future__ import annotations

from core.domain import Domain, SlotMapping
from core.events import SlotSet, UserUttered
from core.slots import SlotValueError, coerce


def _applies(mapping: SlotMapping, user: UserUttered, active_loop: str | None,
             requested: str | None, slot: str) -> bool:
    intent = user.intent
    if mapping.intents and intent not in mapping.intents:
        return False
    if intent in mapping.not_intents:
        return False
    if mapping.active_loop:  # tied to a form
        if mapping.active_loop != active_loop:
            return False
        if mapping.requested_slot and mapping.requested_slot != requested:
            return False
    elif mapping.type == "from_text" and not (active_loop and requested == slot):
        return False  # an unconditioned from_text only answers the question asked
    return True


def candidates(domain: Domain, user: UserUttered, active_loop: str | None,
               requested: str | None, slots: list[str] | None = None,
               activating: str | None = None, skip: tuple[str, ...] = ()) -> dict[str, object]:
    """slot -> value found in this message (first matching mapping of each slot wins);
    mappings whose type is in `skip` are not used."""
    found: dict[str, object] = {}
    for slot in domain.slots.values():
        if slots is not None and slot.name not in slots:
            continue
        for mapping in slot.mappings:
            if mapping.type in skip:
                continue
            value = _value(mapping, user, active_loop, requested, slot.name, activating)
            if value is None:
                continue
            if isinstance(value, list) and slot.type != "list":
                value = value[0]
            try:
                found[slot.name] = coerce(slot, value)
            except SlotValueError:
                continue
            break
    return found


def _value(mapping: SlotMapping, user: UserUttered, active_loop: str | None,
           requested: str | None, slot: str, activating: str | None):
    if mapping.type == "from_trigger_intent":
        if not activating or (mapping.active_loop and mapping.active_loop != activating):
            return None
        return mapping.value if (not mapping.intents or user.intent in mapping.intents) else None
    if mapping.type == "custom" or not _applies(mapping, user, active_loop, requested, slot):
        return None
    if mapping.type == "from_entity":
        values = [e.value for e in user.message.entities
                  if e.entity == mapping.entity
                  and (mapping.role is None or e.role == mapping.role)
                  and (mapping.group is None or e.group == mapping.group)]
        if not values:
            return None
        return values if len(values) > 1 else values[0]
    if mapping.type == "from_intent":
        return mapping.value
    if mapping.type == "from_text":
        return user.text.strip() or None
    return None


def fill_on_user_turn(domain: Domain, user: UserUttered, slots: dict) -> list[SlotSet]:
    """SlotSet events for what this message says, through mappings not tied to a form
    (those are the form's business: it validates what they find)."""
    found = candidates(domain, user, active_loop=None, requested=None)
    return [SlotSet(slot=name, value=value) for name, value in found.items()
            if slots.get(name) != value]
