"""Forms: ask for each required slot in order, validate what the customer gives, finish.

`run_form` is what the form action does each time it runs:
  * when the form starts, the slots already known are kept (validated again) and only what
    is missing is asked; a slot the domain lists under the form's `confirm_known` (a
    Switchboard extension) is confirmed first when its value was remembered rather than
    given in the message that started the form: `utter_confirm_<slot>` ("Is this about
    order 48213?"), and the customer's yes (`affirm`) keeps it, no (`deny`) asks for it,
    a new value replaces it;
  * right after the customer spoke, take values for the form's slots from the message
    (a message with nothing for the form is *rejected*, so other policies can answer it:
    the customer asked something else). The whole text is taken for the requested slot
    (`from_text`) only when the message gave no form slot through an entity;
  * validate new values (registered validators, see dialogue.registry); a rejected value
    is cleared, `utter_invalid_<slot>` is said if the domain has it, and the slot is asked again;
  * ask for the first missing slot with `utter_ask_<slot>`, or, with none missing,
    deactivate the form so the rules can say what happens next.

With the project's own actions (`FormActions`: an action server, as in Rasa), the form
works as Rasa's does: a `validate_<form>` action listed in domain.yml validates (and may
extract) the slots instead of the registered validators, and may choose the next slot by
setting `requested_slot`; a slot is asked by `action_ask_<form>_<slot>` or
`action_ask_<slot>` when the domain lists one, else by the response
`utter_ask_<form>_<slot>`, else `utter_ask_<slot>`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.domain import YES_NO, Domain, Form
from core.events import ActiveLoop, BotUttered, Event, SlotSet
from core.tracker import Tracker
from dialogue.registry import ValidatorFn
from dialogue.slot_filling import candidates
from responses.templates import render_event


@dataclass(frozen=True)
class Rejected:
    """The form could not use the customer's message."""

    reason: str


@dataclass(frozen=True)
class FormActions:
    """How a form reaches the project's own actions. `call(name, tracker, extra)` runs one
    with `extra` events appended to what it sees (a form's slot candidates) and returns its
    events, a Rejected, or None when it could not run (logged by the caller); `has(name)`
    says whether the project runs an action of that name."""

    call: Callable[[str, Tracker, list], "list[Event] | Rejected | None"]
    has: Callable[[str], bool]


_UNSET = object()


def run_form(form: Form, tracker: Tracker, domain: Domain, rng=None,
             validators: dict[str, ValidatorFn] | None = None,
             actions: FormActions | None = None) -> list[Event] | Rejected:
    events: list[Event] = []
    check = f"validate_{form.name}"
    remote = actions if actions is not None and actions.has(check) else None
    activating = tracker.active_loop != form.name
    slots = dict(tracker.slots)
    validators = validators or {}
    if activating:
        events.append(ActiveLoop(loop=form.name))
    user = tracker.latest_message
    fresh: dict[str, object] = {}
    confirming = None if activating else form.confirming(slots)
    answer = None  # the customer's yes / no to a confirmation
    if user is not None and tracker.is_new_user_turn:
        requested = None if activating else slots.get("requested_slot")
        wanted = list(form.required_slots)
        trigger = form.name if activating else None
        skip = ("from_text",) if confirming else ()  # "yes" is not the value
        fresh = candidates(domain, user, form.name, requested, wanted, trigger, skip=("from_text",)) \
            or candidates(domain, user, form.name, requested, wanted, trigger, skip=skip)
        if confirming and confirming not in fresh:
            answer = YES_NO.get(user.intent)
        if not activating and user.intent in form.ignored_intents:
            fresh = {}
        if not activating and not fresh and answer is None and remote is None:
            return Rejected(f"nothing in the message for '{requested or form.name}'")
    chosen_next = _UNSET  # requested_slot, when validate_<form> set it
    validated_remotely = False
    if remote is not None and (activating or (user is not None and tracker.is_new_user_turn)):
        known = {s: slots[s] for s in form.required_slots if slots.get(s) is not None} \
            if activating else {}
        result = remote.call(check, tracker, [*events, *(SlotSet(slot=s, value=v)
                                                         for s, v in {**known, **fresh}.items())])
        if isinstance(result, Rejected):
            return result
        if result is not None:
            validated = [e for e in result if isinstance(e, SlotSet)]
            if not activating and answer is None \
                    and not any(e.slot != "requested_slot" for e in validated):
                return Rejected(f"{check} took nothing from the message for "
                                f"'{slots.get('requested_slot') or form.name}'")
            events += result
            for event in validated:
                slots[event.slot] = event.value
                if event.slot == "requested_slot":
                    chosen_next = event.value
            fresh = {}  # validated by the project's action
            validated_remotely = True
    if activating and not validated_remotely:  # what the conversation already knows stays, if it is still valid
        for slot in form.required_slots:
            if slot not in fresh and slots.get(slot) is not None \
                    and _validate(validators, slot, slots[slot], tracker, domain) is None:
                events.append(SlotSet(slot=slot, value=None))
                slots[slot] = None
    if answer is False:
        events.append(SlotSet(slot=confirming, value=None))
        slots[confirming] = None
    for slot, value in fresh.items():
        checked = _validate(validators, slot, value, tracker, domain)
        if checked is None:
            events.append(SlotSet(slot=slot, value=None))
            invalid = render_event(domain, f"utter_invalid_{slot}", {**slots, slot: value}, rng,
                                   *tracker.audience)
            if invalid:
                events.append(invalid)
            slots[slot] = None
        elif slots.get(slot) != checked or slot not in tracker.slots:
            events.append(SlotSet(slot=slot, value=checked))
            slots[slot] = checked
    confirm = _to_confirm(form, slots, fresh, after=confirming if not activating else None,
                          started=activating)
    if confirm is not None:
        events.append(render_event(domain, f"utter_confirm_{confirm}", slots, rng, *tracker.audience)
                      or _confirm_question(confirm, slots[confirm]))
        events.append(SlotSet(slot="requested_slot", value=confirm))
        return events
    if chosen_next is not _UNSET:
        missing = chosen_next
    else:
        missing = next((s for s in form.required_slots if slots.get(s) is None), None)
    if missing is None:
        events += [SlotSet(slot="requested_slot", value=None), ActiveLoop(loop=None)]
        return events
    if slots.get("requested_slot") != missing:
        events.append(SlotSet(slot="requested_slot", value=missing))
    events += _ask(form, missing, tracker, domain, slots, rng, actions, events)
    return events


def _ask(form: Form, slot: str, tracker: Tracker, domain: Domain, slots: dict, rng,
         actions: FormActions | None, events: list[Event]) -> list[Event]:
    """The question for `slot`: the project's `action_ask_<form>_<slot>` / `action_ask_<slot>`,
    else the response `utter_ask_<form>_<slot>` / `utter_ask_<slot>`, else a plain question."""
    if actions is not None:
        for name in (f"action_ask_{form.name}_{slot}", f"action_ask_{slot}"):
            if actions.has(name):
                asked = actions.call(name, tracker, events)
                if isinstance(asked, list):
                    return asked
    for name in (f"utter_ask_{form.name}_{slot}", f"utter_ask_{slot}"):
        event = render_event(domain, name, slots, rng, *tracker.audience)
        if event is not None:
            return [event]
    return [BotUttered(text=f"What is your {slot.replace('_', ' ')}?")]


def _to_confirm(form: Form, slots: dict, fresh: dict, after: str | None,
                started: bool) -> str | None:
    """The next remembered value to confirm: when the form starts, the first of
    `confirm_known`; after a confirmation, the next one listed after it."""
    if not started and after is None:
        return None
    listed = form.confirm_known
    start = listed.index(after) + 1 if after in listed else 0
    return next((s for s in listed[start:] if slots.get(s) is not None and s not in fresh), None)


def _confirm_question(slot: str, value) -> BotUttered:
    return BotUttered(text=f"Just to check: is your {slot.replace('_', ' ')} {value}?",
                      buttons=(("Yes", "/affirm"), ("No", "/deny")))


def _validate(validators: dict[str, ValidatorFn], slot: str, value, tracker: Tracker,
              domain: Domain):
    check = validators.get(slot)
    if check is None:
        return value
    return check(value, tracker, domain)
