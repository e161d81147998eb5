"""Typed training data: NLU examples, synonyms, regexes, lookup tables, rules and stories.

One `TrainingData` holds everything read from `data/*.yml` (and, for conversation
tests, `tests/test_stories.yml`). Every item keeps its `Source` so later passes can
point at `file:line`.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where an item was written: a path (as the user would type it) and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class EntitySpan:
    """An annotated entity in a training example; `start`/`end` index the plain text."""

    start: int
    end: int
    entity: str
    text: str
    value: str  # canonical value (== text unless a synonym value was given)
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Example:
    """One NLU training example, markup already removed."""

    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()
    source: Source | None = field(default=None, compare=False, repr=False)
    block: Source | None = field(default=None, compare=False, repr=False)  # its `- intent:` line

    @property
    def retrieval_intent(self) -> tuple[str, str | None]:
        """Split Rasa's `faq/returns_window` into (`faq`, `returns_window`)."""
        base, _, sub = self.intent.partition("/")
        return base, (sub or None)


@dataclass(frozen=True)
class RegexFeature:
    name: str
    pattern: str
    source: Source | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LookupTable:
    name: str
    elements: tuple[str, ...]
    source: Source | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StoryStep:
    """One step of a story or rule.

    kind is one of: "intent" (user turn; `name` is the intent, may be empty in
    end-to-end test steps), "action", "bot" (end-to-end bot text), "slot_was_set",
    "active_loop", "checkpoint", "or" (alternatives in `alternatives`).
    """

    kind: str
    name: str = ""
    entities: tuple[tuple[str, str | None], ...] = ()  # (entity, value or None)
    slots: tuple[tuple[str, object], ...] = ()  # for slot_was_set
    user_text: str | None = None  # `user:` in test stories
    alternatives: tuple["StoryStep", ...] = ()
    source: Source | None = field(default=None, compare=False, repr=False)
    item_lines: tuple[int, ...] = field(default=(), compare=False)  # of entities / slots


@dataclass(frozen=True)
class Story:
    """A story, a rule or a test story (kind: "story" | "rule" | "test")."""

    name: str
    kind: str
    steps: tuple[StoryStep, ...]
    conditions: tuple[StoryStep, ...] = ()  # rules only
    conversation_start: bool = False  # rules only
    wait_for_user_input: bool = True  # rules only
    source: Source | None = field(default=None, compare=False, repr=False)


@dataclass
class TrainingData:
    """Everything in the project's data files."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # lower-cased variant -> canonical
    regexes: list[RegexFeature] = field(default_factory=list)
    lookups: list[LookupTable] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    rules: list[Story] = field(default_factory=list)

    @property
    def entity_types(self) -> list[str]:
        return list(dict.fromkeys(s.entity for e in self.examples for s in e.entities))

    def merge(self, other: "TrainingData") -> None:
        self.examples += other.examples
        self.synonyms.update(other.synonyms)
        self.regexes += other.regexes
        self.lookups += other.lookups
        self.stories += other.stories
        self.rules += other.rules
