"""Slot values: coerce what the customer said into a slot's declared type, and turn a
slot's value into the small feature the dialogue policies see."""
from __future__ import annotations

from typing import Any

from core.domain import Slot

TRUE_WORDS = {"true", "yes", "y", "1", "on", "yeah", "yep"}
FALSE_WORDS = {"false", "no", "n", "0", "off", "nope"}


class SlotValueError(ValueError):
    """A value that the slot's type cannot hold ('abc' for a float slot)."""


def coerce(slot: Slot, value: Any) -> Any:
    """`value` as the slot's type; None stays None; raises SlotValueError otherwise."""
    if value is None or slot.type == "any":
        return value
    if slot.type == "text":
        return str(value)
    if slot.type == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise SlotValueError(f"{value!r} is not a yes/no value")
    if slot.type == "float":
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            raise SlotValueError(f"{value!r} is not a number") from None
        if slot.min_value is not None:
            number = max(number, slot.min_value)
        if slot.max_value is not None:
            number = min(number, slot.max_value)
        return number
    if slot.type == "categorical":
        by_lower = {str(v).lower(): v for v in slot.values}
        found = by_lower.get(str(value).strip().lower())
        if found is None:
            raise SlotValueError(f"{value!r} is not one of {', '.join(map(str, slot.values))}")
        return found
    if slot.type == "list":
        return list(value) if isinstance(value, (list, tuple)) else [value]
    return value


def feature(slot: Slot, value: Any) -> str | None:
    """What a policy sees of a slot: None for nothing, else a short string such as
    'set', 'true', a categorical value, or a float bucket."""
    if not slot.influence_conversation or value is None:
        return None
    if slot.type == "bool":
        return "true" if value else "false"
    if slot.type == "categorical":
        return str(value).lower()
    if slot.type == "float":
        return f"{float(value):.1f}"
    if slot.type == "list":
        return "set" if value else None
    return "set"
