"""Rasa's JSON shapes for a conversation, both ways: what an action server (`rasa_sdk`)
receives and what it sends back.

    tracker_state(tracker, extra)  -> {"sender_id", "slots", "latest_message", "events", …}
    domain_dict(domain)            -> {"intents", "entities", "slots", "responses", "forms", …}
    events_from_rasa(dicts)        -> Converted(events, ignored)
    messages_from_rasa(dicts, …)   -> [BotUttered]  (a `response:` is rendered from the domain)

Rasa's event names are the wire names (`slot`, `bot`, `active_loop`, `followup`…); the ones
Switchboard has no meaning for (`rewind`, `undo`, `export`) are reported in
`Converted.ignored`, so the caller can say so instead of dropping them silently.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from core.domain import Domain
from core.events import (
    ActionExecuted, ActiveLoop, BotUttered, Event, Followup, Handoff, HandoffReleased,
    ReminderCancelled, ReminderScheduled,
    Restarted, SessionStarted, SlotSet, UserUttered,
)
from core.message import Message
from core.tracker import Tracker
from responses.templates import render_event

# the Rasa version whose protocol this speaks (rasa_sdk compares major.minor and warns)
PROTOCOL_VERSION = "3.6.21"


def parse_data(message: Message) -> dict[str, Any]:
    """A Message as Rasa's `parse_data` / `latest_message`."""
    return {
        "text": message.text,
        "intent": {"name": message.intent.name, "confidence": message.intent.confidence},
        "intent_ranking": [{"name": s.name, "confidence": s.confidence}
                           for s in message.intent_ranking],
        "entities": [_entity(e) for e in message.entities],
        "language": message.language,
    }


def _entity(entity) -> dict[str, Any]:
    data = {"entity": entity.entity, "start": entity.start, "end": entity.end,
            "value": entity.value, "extractor": entity.extractor,
            "confidence_entity": entity.confidence}
    if entity.role:
        data["role"] = entity.role
    if entity.group:
        data["group"] = entity.group
    return data


def event_to_rasa(event: Event) -> dict[str, Any] | None:
    """One of our events as Rasa writes it (None: Rasa has nothing like it)."""
    stamp = {"timestamp": event.timestamp}
    if isinstance(event, UserUttered):
        return {"event": "user", **stamp, "text": event.text, "parse_data": parse_data(event.message),
                "input_channel": event.input_channel, "metadata": event.metadata or {}}
    if isinstance(event, BotUttered):
        data = {"buttons": [{"title": t, "payload": p} for t, p in event.buttons] or None,
                "image": event.image, "custom": event.custom if event.response is None
                or not isinstance(event.custom, dict) else None}
        return {"event": "bot", **stamp, "text": event.text, "data": data,
                "metadata": {"utter_action": event.response} if event.response else {}}
    if isinstance(event, SlotSet):
        return {"event": "slot", **stamp, "name": event.slot, "value": event.value}
    if isinstance(event, ActionExecuted):
        return {"event": "action", **stamp, "name": event.action, "policy": event.policy,
                "confidence": event.confidence}
    if isinstance(event, ActiveLoop):
        return {"event": "active_loop", **stamp, "name": event.loop}
    if isinstance(event, Restarted):
        return {"event": "restart", **stamp}
    if isinstance(event, SessionStarted):
        return {"event": "session_started", **stamp}
    if isinstance(event, Handoff):
        return {"event": "pause", **stamp}
    if isinstance(event, HandoffReleased):
        return {"event": "resume", **stamp}
    if isinstance(event, Followup):
        return {"event": "followup", **stamp, "name": event.action}
    if isinstance(event, ReminderScheduled):
        return {"event": "reminder", **stamp, "intent": event.intent, "name": event.reminder,
                "entities": [{"entity": e, "value": v} for e, v in event.entities],
                "date_time": datetime.fromtimestamp(event.due, timezone.utc).isoformat(),
                "kill_on_user_msg": event.kill_on_user_message}
    if isinstance(event, ReminderCancelled):
        return {"event": "cancel_reminder", **stamp, "name": event.reminder, "intent": event.intent,
                "entities": [{"entity": e, "value": v} for e, v in event.entities]}
    return None


def tracker_state(tracker: Tracker, extra: list[Event] | tuple = ()) -> dict[str, Any]:
    """The tracker as Rasa sends it to an action server, with `extra` events appended (a
    form's slot candidates, which `Tracker.slots_to_validate()` reads from the end)."""
    slots = dict(tracker.slots)
    for event in extra:
        if isinstance(event, SlotSet):
            slots[event.slot] = event.value
    start = max(tracker.start - 1, 0)  # the session_started / restart event that began it
    events = [d for d in (event_to_rasa(e) for e in [*tracker.events[start:], *extra]) if d]
    user = tracker.latest_message
    latest = tracker.latest_action
    return {
        "sender_id": tracker.sender_id,
        "slots": slots,
        "latest_message": {**parse_data(user.message), "metadata": user.metadata or {}} if user else {},
        "latest_event_time": tracker.last_event_time,
        "followup_action": tracker.followup_action,
        "paused": tracker.handed_off,
        "events": events,
        "latest_input_channel": user.input_channel if user else None,
        "active_loop": {"name": tracker.active_loop} if tracker.active_loop else {},
        "latest_action": {"action_name": latest} if latest else {},
        "latest_action_name": latest,
    }


def domain_dict(domain: Domain) -> dict[str, Any]:
    """The domain as Rasa's `Domain.as_dict()` gives it to an action server: enough for
    `FormValidationAction` (forms' `required_slots`, slots' `mappings`) and for actions that
    read responses or slot definitions."""
    return {
        "version": "3.1",
        "config": {"store_entities_as_slots": domain.store_entities_as_slots},
        "session_config": {"session_expiration_time": domain.session.expiration_minutes,
                           "carry_over_slots_to_new_session": domain.session.carry_over_slots},
        "intents": list(domain.intents),
        "entities": list(domain.entities),
        "slots": {name: _slot(slot) for name, slot in domain.slots.items()},
        "responses": {name: [_variation(v) for v in variations]
                      for name, variations in domain.responses.items()},
        "actions": list(domain.actions),
        "forms": {name: {"required_slots": list(form.required_slots),
                         **({"ignored_intents": list(form.ignored_intents)}
                            if form.ignored_intents else {})}
                  for name, form in domain.forms.items()},
    }


def _slot(slot) -> dict[str, Any]:
    data: dict[str, Any] = {"type": slot.type, "initial_value": slot.initial_value,
                            "influence_conversation": slot.influence_conversation,
                            "mappings": [_mapping(m) for m in slot.mappings]}
    if slot.values:
        data["values"] = list(slot.values)
    if slot.min_value is not None:
        data["min_value"], data["max_value"] = slot.min_value, slot.max_value
    return data


def _mapping(mapping) -> dict[str, Any]:
    data: dict[str, Any] = {"type": mapping.type}
    for key, value in (("entity", mapping.entity), ("role", mapping.role), ("group", mapping.group),
                       ("value", mapping.value), ("action", mapping.action)):
        if value is not None:
            data[key] = value
    if mapping.intents:
        data["intent"] = list(mapping.intents)
    if mapping.not_intents:
        data["not_intent"] = list(mapping.not_intents)
    if mapping.active_loop:
        condition = {"active_loop": mapping.active_loop}
        if mapping.requested_slot:
            condition["requested_slot"] = mapping.requested_slot
        data["conditions"] = [condition]
    return data


def _variation(variation) -> dict[str, Any]:
    data: dict[str, Any] = {"text": variation.text}
    if variation.buttons:
        data["buttons"] = [{"title": b.title, "payload": b.payload} for b in variation.buttons]
    if variation.image:
        data["image"] = variation.image
    if variation.custom is not None:
        data["custom"] = variation.custom
    if variation.channel:
        data["channel"] = variation.channel
    if variation.conditions:
        data["condition"] = [{"type": "slot", "name": n, "value": v} for n, v in variation.conditions]
    return data


# ----- back from the action server ---------------------------------------------------------

@dataclass
class Converted:
    events: list[Event] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # Rasa event names with no meaning here


def events_from_rasa(dicts: list, domain: Domain) -> Converted:
    """The events an action returned, as ours. Malformed entries are reported in `ignored`."""
    out = Converted()
    for data in dicts or ():
        kind = data.get("event") if isinstance(data, dict) else None
        if kind == "slot" and isinstance(data.get("name"), str):
            out.events.append(SlotSet(slot=data["name"], value=data.get("value")))
        elif kind == "active_loop" or kind == "form":
            name = data.get("name")
            out.events.append(ActiveLoop(loop=name if isinstance(name, str) and name else None))
        elif kind == "bot":
            out.events.append(_bot(data))
        elif kind == "restart":
            out.events.append(Restarted())
        elif kind == "session_started":
            out.events.append(SessionStarted())
        elif kind == "reset_slots":
            out.events += [SlotSet(slot=name, value=slot.initial_value)
                           for name, slot in domain.slots.items()]
        elif kind == "followup" and isinstance(data.get("name"), str):
            out.events.append(Followup(action=data["name"]))
        elif kind == "reminder" and isinstance(data.get("intent"), str):
            reminder = _reminder(data)
            if reminder is None:
                out.ignored.append("reminder (no valid date_time)")
            else:
                out.events.append(reminder)
        elif kind == "cancel_reminder":
            name, intent = data.get("name"), data.get("intent")
            out.events.append(ReminderCancelled(
                reminder=name if isinstance(name, str) else None,
                intent=intent if isinstance(intent, str) else None,
                entities=_entity_pairs(data.get("entities"))))
        elif kind == "action":  # e.g. action_session_start's trailing action_listen
            continue
        else:
            out.ignored.append(str(kind))
    return out


def _reminder(data: dict) -> ReminderScheduled | None:
    """rasa_sdk's ReminderScheduled: `date_time` an ISO string (a naive one is local time),
    `name` (none: one of its own, so it replaces nothing), `kill_on_user_msg` (default true)."""
    try:
        due = datetime.fromisoformat(str(data.get("date_time")))
    except ValueError:
        return None
    name = data.get("name")
    return ReminderScheduled(
        intent=data["intent"], due=due.timestamp(),
        reminder=name if isinstance(name, str) and name else f"reminder-{uuid.uuid4().hex[:12]}",
        entities=_entity_pairs(data.get("entities")),
        kill_on_user_message=data.get("kill_on_user_msg", True) is not False)


def _entity_pairs(entities) -> tuple[tuple[str, str], ...]:
    """Rasa's entities as a list of {entity, value} or a {name: value} mapping."""
    if isinstance(entities, dict):
        return tuple((str(k), str(v)) for k, v in entities.items())
    if isinstance(entities, list):
        return tuple((str(e["entity"]), str(e.get("value"))) for e in entities
                     if isinstance(e, dict) and "entity" in e)
    return ()


def _bot(data: dict) -> BotUttered:
    extra = data.get("data") or {}
    return BotUttered(text=str(data.get("text") or ""), buttons=_buttons(extra.get("buttons")),
                      image=extra.get("image"), custom=extra.get("custom") or None,
                      response=(data.get("metadata") or {}).get("utter_action"))


def _buttons(buttons) -> tuple[tuple[str, str], ...]:
    return tuple((str(b.get("title", "")), str(b.get("payload", ""))) for b in buttons or ()
                 if isinstance(b, dict))


def messages_from_rasa(messages: list, domain: Domain, tracker: Tracker,
                       rng: random.Random | None) -> tuple[list[BotUttered], list[str]]:
    """`dispatcher.utter_message(...)` calls as bot messages, and the names of responses the
    domain does not have. `response=` renders the domain's response with the slots and the
    extra keyword arguments (`utter_message(response="utter_total", total=42)`); text,
    buttons, image and `json_message` (custom) are taken as they are."""
    replies: list[BotUttered] = []
    missing: list[str] = []
    known = {"text", "buttons", "elements", "custom", "template", "response", "image",
             "attachment", "quick_replies"}
    for message in messages or ():
        if not isinstance(message, dict):
            continue
        name = message.get("response") or message.get("template")
        if name:
            values = {k: v for k, v in message.items() if k not in known}
            event = render_event(domain, name, {**tracker.slots, **values}, rng, *tracker.audience)
            if event is None:
                missing.append(name)
                continue
            replies.append(event)
            continue
        custom = message.get("custom") or None
        extras = {k: message[k] for k in ("elements", "attachment") if message.get(k)}
        if extras:
            custom = {**(custom or {}), **extras}
        text = message.get("text")
        if text is None and not message.get("buttons") and not message.get("image") and not custom:
            continue
        replies.append(BotUttered(text=str(text or ""), buttons=_buttons(message.get("buttons")),
                                  image=message.get("image"), custom=custom))
    return replies, missing
