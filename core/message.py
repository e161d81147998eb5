"""The typed objects that flow out of NLU: one frozen `Message` per parsed text.

Character offsets (`start`, `end`) always index the original text, so
`text[e.start:e.end] == e.text` holds for every entity.
"""
from __future__ import annotations

from dataclasses import dataclass


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
class Fallback:
    """Why NLU gave up on a message (its intent became `nlu_fallback`): what the model
    predicted, how sure it was, and the reason (low confidence, gibberish, a language the
    assistant was not trained on)."""

    predicted: str
    confidence: float
    reason: str
    foreign: bool = False  # written in a language the NLU was not trained on


NO_INTENT = IntentScore("", 0.0)
NLU_FALLBACK = "nlu_fallback"  # the intent of a message NLU did not understand


@dataclass(frozen=True)
class Message:
    """Everything NLU knows about one user text. Each pipeline component returns a new
    `Message` with its own fields filled; every field survives the tracker store
    (`core.events.UserUttered.to_dict`)."""

    text: str
    intent: IntentScore = NO_INTENT
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    language: str = "en"
    # the text could not tell (no words, too short: "ok", "12345", an email): `language`
    # is the default, and the conversation keeps the language it had (Tracker.language)
    language_guessed: bool = False
    frustration: float = 0.0  # 0..1 (nlu.frustration), 0 unless FrustrationScorer runs
    # asks to be put through to a person, whatever the intent (nlu.human_request);
    # False unless HumanRequestDetector runs
    asks_for_human: bool = False
    gibberish: bool = False  # keyboard mashing (nlu.gibberish)
    fallback: Fallback | None = None  # set when the intent was replaced by nlu_fallback
