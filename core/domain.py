"""The typed `Domain`: what the assistant knows about (intents, entities, slots),
what it can say (responses) and do (actions, forms), and our own handoff and
generation settings. Built by `project.domain_parser.parse_domain`.
"""
from __future__ import annotations

import re
from typing import Any
from dataclasses import dataclass, field
from functools import cached_property

from core.hours import BusinessHours
from core.training_data import Source

SLOT_TYPES = ("text", "bool", "categorical", "float", "list", "any")
MAPPING_TYPES = ("from_entity", "from_text", "from_intent", "from_trigger_intent", "custom")
DEFAULT_ACTIONS = (
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "action_extract_slots", "action_handoff", "action_generate", "action_refuse",
)
DEFAULT_INTENTS = ("nlu_fallback", "restart", "back", "out_of_scope", "session_start")
# `next_opening`: filled by action_handoff outside business hours (handoff: closed_response)
BUILTIN_SLOTS = ("requested_slot", "session_started_metadata", "next_opening")
SLOT_REFERENCE = re.compile(r"(?<!\{)\{([A-Za-z_][\w-]*)(?:![rs])?\}(?!\})")  # Rasa slots may have hyphens


@dataclass(frozen=True)
class Reference:
    """A name used inside domain.yml that must be declared (checked in the second pass)."""

    kind: str  # "intent" | "entity" | "slot" | "form" | "response"
    name: str
    key: str
    source: Source


@dataclass(frozen=True)
class SlotMapping:
    type: str
    entity: str | None = None
    value: object = None
    intents: tuple[str, ...] = ()
    not_intents: tuple[str, ...] = ()
    role: str | None = None
    group: str | None = None
    active_loop: str | None = None  # from `conditions`; "" means any/no condition
    requested_slot: str | None = None
    source: Source | None = field(default=None, compare=False, repr=False)
    action: str | None = None  # a `custom` mapping's action: it fills the slot after each message


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    mappings: tuple[SlotMapping, ...] = ()
    initial_value: object = None
    values: tuple[str, ...] = ()  # categorical
    min_value: float | None = None
    max_value: float | None = None
    influence_conversation: bool = True
    source: Source | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class ResponseVariation:
    """One way of saying a response; chosen when all `conditions` (slot, value) hold."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    conditions: tuple[tuple[str, object], ...] = ()
    channel: str | None = None
    language: str | None = None
    image: str | None = None
    custom: object = None
    source: Source | None = field(default=None, compare=False, repr=False)

    @cached_property  # read on every render: parsed once
    def slot_names(self) -> list[str]:
        """Slots the text interpolates, e.g. ['order_id'] for 'order {order_id}'."""
        return SLOT_REFERENCE.findall(self.text)


# How a customer answers "yes" / "no" (Rasa's usual intent names): a form confirming a
# remembered value reads these.
YES_NO = {"affirm": True, "deny": False}


@dataclass(frozen=True)
class Form:
    name: str
    required_slots: tuple[str, ...]
    ignored_intents: tuple[str, ...] = ()
    source: Source | None = field(default=None, compare=False, repr=False)
    # Switchboard: slots whose remembered value the form confirms before using it
    # ("Is this about order 48213?") instead of taking it silently
    confirm_known: tuple[str, ...] = ()

    def confirming(self, slots: dict) -> str | None:
        """The slot whose remembered value the form is asking the customer to confirm:
        it was asked for (`requested_slot`) although it has a value."""
        requested = slots.get("requested_slot")
        if requested in self.confirm_known and slots.get(requested) is not None:
            return requested
        return None


@dataclass(frozen=True)
class SessionConfig:
    expiration_minutes: float = 60
    carry_over_slots: bool = True


# a handoff ticket's priority, most urgent first: agents' queues list tickets in this order
PRIORITIES = ("high", "normal", "low")


@dataclass(frozen=True)
class HandoffConfig:
    trigger_intents: tuple[str, ...] = ()
    fallbacks_before_handoff: int = 2
    frustration_threshold: float = 0.7
    frustrated_messages_before_handoff: int = 2
    response: str | None = None
    # when the support team is in; None: always (the bot never says when they will reply)
    business_hours: BusinessHours | None = None
    closed_response: str | None = None  # said instead of `response` outside business hours
    # (intent, priority): a ticket whose conversation had the intent gets that priority
    priority_intents: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PrivacyConfig:
    """domain.yml `privacy:`. `retention_days`: conversations with no event for that long
    are deleted (by the server every hour, and by `cli.py conversations purge`); None: kept.
    `mask_pii` (default true): the stores keep personal data masked, slot values sealed and
    email/phone sender ids pseudonymised (stores.private); false keeps everything as said."""

    retention_days: float | None = None
    mask_pii: bool = True


@dataclass(frozen=True)
class FeedbackConfig:
    """domain.yml `feedback:`. `ask_after`: the actions (e.g. utter_goodbye) after which the
    bot asks once per session whether that solved it (none: never asked); `question`: the
    response that asks (its buttons' payloads `/feedback{"solved": true}` and `…false}`;
    None: a built-in question in the customer's language); `thanks`: the response to an
    answer (None: a built-in one); `thumbs`: the chat page shows thumbs up/down on bot
    messages."""

    ask_after: tuple[str, ...] = ()
    question: str | None = None
    thanks: str | None = None
    thumbs: bool = True


@dataclass(frozen=True)
class GenerationConfig:
    knowledge: str | None = None
    backend: str = "extractive"
    top_k: int = 3
    min_score: float = 0.3
    template_confidence: float = 0.6  # below it, a relevant passage beats an FAQ template
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    timeout: float = 20.0


@dataclass
class Domain:
    intents: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    entity_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    entity_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    responses: dict[str, list[ResponseVariation]] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)
    session: SessionConfig = field(default_factory=SessionConfig)
    handoff: HandoffConfig = field(default_factory=HandoffConfig)
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    store_entities_as_slots: bool = True
    sources: dict[str, Source] = field(default_factory=dict)  # "intent:greet" -> where declared
    references: list[Reference] = field(default_factory=list)
    broken_sections: set[str] = field(default_factory=set)  # unreadable: skip name checks
    merged_files: set[str] = field(default_factory=set)  # a domain/ folder's files, merged
    # an intent's `use_entities` (True: all, or a list) and `ignore_entities`, as written
    intent_entities: dict[str, tuple[Any, tuple[str, ...]]] = field(default_factory=dict)
    quiet_entities: set[str] = field(default_factory=set)  # `influence_conversation: false`

    def featurized_entities(self, intent: str) -> frozenset[str] | None:
        """The entities the policies see with `intent` (None: every one), as Rasa reads an
        intent's `use_entities` / `ignore_entities` and an entity's `influence_conversation`."""
        cache = self.__dict__.setdefault("_featurized", {})
        if intent not in cache:
            use, ignore = self.intent_entities.get(intent, (True, ()))
            if use is True:
                hidden = set(ignore) | self.quiet_entities
                cache[intent] = frozenset(e for e in self.entities if e not in hidden) \
                    if hidden else None
            else:
                cache[intent] = frozenset(e for e in (use or ()) if e not in ignore)
        return cache[intent]

    @property
    def action_names(self) -> list[str]:
        """Every action a story may name: responses, custom actions, forms, defaults, and
        `utter_faq` for retrieval responses such as `utter_faq/returns_window`."""
        return [*self.responses, *self.actions, *self.forms, *DEFAULT_ACTIONS,
                *self.retrieval_actions]

    @property
    def retrieval_actions(self) -> list[str]:
        """`utter_<base>` for each retrieval intent with responses `utter_<base>/<name>`."""
        return list(dict.fromkeys(name.split("/", 1)[0] for name in self.responses if "/" in name))

    def declared_at(self, kind: str, name: str) -> Source | None:
        return self.sources.get(f"{kind}:{name}")
