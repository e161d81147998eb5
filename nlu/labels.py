"""Label maps and gold labels (torch-free): intents, BIO tags, dev split.

Entity labels carry roles and groups ("city|from|" for city with role "from") so the
model learns them as distinct tag types; `split_label` undoes this after decoding.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from core.training_data import EntitySpan, Example
from nlu.decode import Span


def entity_label(span: EntitySpan) -> str:
    """Tag label of an annotated span: the entity type, plus role/group when present."""
    if span.role is None and span.group is None:
        return span.entity
    return f"{span.entity}|{span.role or ''}|{span.group or ''}"


def split_label(label: str) -> tuple[str, str | None, str | None]:
    """Inverse of `entity_label`: (entity, role, group)."""
    entity, _, rest = label.partition("|")
    role, _, group = rest.partition("|")
    return entity, role or None, group or None


@dataclass(frozen=True)
class Labels:
    """Intent names and BIO tag names; indices are the model's output positions."""

    intents: tuple[str, ...]
    tags: tuple[str, ...]  # "O" first, then B-x, I-x per entity label

    @classmethod
    def from_examples(cls, examples: Sequence[Example]) -> "Labels":
        intents = tuple(dict.fromkeys(e.intent for e in examples))
        names = sorted({entity_label(s) for e in examples for s in e.entities})
        return cls(intents, ("O", *[f"{p}-{n}" for n in names for p in ("B", "I")]))


def word_tags(words: Sequence[Span], entities: Sequence[EntitySpan]) -> list[str]:
    """BIO tag per word: words overlapping an entity's characters belong to it."""
    tags = ["O"] * len(words)
    for ent in sorted(entities, key=lambda s: s.start):
        inside = [i for i, (ws, we) in enumerate(words)
                  if ws < ent.end and we > ent.start and tags[i] == "O"]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 else "I-") + entity_label(ent)
    return tags


def split_dev(examples: Sequence[Example], fraction: float, seed: int
              ) -> tuple[list[Example], list[Example]]:
    """Stratified by intent; every intent keeps at least one training example."""
    if fraction <= 0:
        return list(examples), []
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by_intent[ex.intent].append(i)
    rng = random.Random(seed)
    dev_ids: set[int] = set()
    for ids in by_intent.values():
        n_dev = min(round(len(ids) * fraction), len(ids) - 1)
        dev_ids.update(rng.sample(ids, n_dev) if n_dev > 0 else [])
    train = [e for i, e in enumerate(examples) if i not in dev_ids]
    return train, [e for i, e in enumerate(examples) if i in dev_ids]
