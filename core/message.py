"""The typed objects that flow out of NLU: one frozen `Message` per parsed text.

Character offsets (`start`, `end`) always index the original text, so
`text[e.start:e.end] == e.text` holds for every entity.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IntentScore:
    """One intent and the model's confidence in it (0..1)."""

    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    """An entity found in a message.

    `text` is the surface form (`message.text[start:end]`); `value` is what slots
    receive, after synonym mapping ("NYC" -> "New York").
    """

    entity: str
    start: int
    end: int
    text: str
    value: str
    confidence: float = 1.0
    extractor: str = "model"  # "model" | "regex" | "lookup"
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Message:
    """Everything NLU knows about one user text."""

    text: str
    intent: IntentScore
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    language: str = "en"
    meta: dict = field(default_factory=dict, compare=False)
