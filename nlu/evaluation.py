"""Scoring NLU predictions against labelled examples, as `rasa test nlu` scores them (pure:
no model, no files; `assistant.nlu_report` runs the pipeline and writes the reports).

    intent_report(gold, predicted)         scikit-learn's classification_report, as a dict
    intent_errors(examples, messages)      the misclassified texts, in Rasa's JSON shape
    entity_report(examples, entities)      seqeval's span-level report over character BIO tags
    stratified_folds(examples, n, seed)    cross-validation folds, each intent spread evenly

Entities are compared as exact (label, start, end) character spans: each text is tagged
character by character (B-/I-/O), so Chinese, with no spaces between words, is scored like
English and a span the model cut one character short counts as wrong.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from core.message import Entity, Message
from core.training_data import EntitySpan, Example

Span = tuple[str, int, int]  # (entity, start, end) in the text's characters


def intent_report(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per intent precision / recall / f1-score / support, plus accuracy and the macro and
    weighted averages: exactly `classification_report(output_dict=True, zero_division=0)`."""
    from sklearn.metrics import classification_report

    return to_builtin(classification_report(list(gold), list(predicted), output_dict=True,
                                            zero_division=0))


def intent_errors(examples: Sequence[Example], messages: Sequence[Message]) -> list[dict]:
    """Rasa's intent_errors.json: each wrong prediction, the most confident first."""
    errors = [_intent_entry(ex, msg) for ex, msg in zip(examples, messages)
              if ex.intent != msg.intent.name]
    return sorted(errors, key=lambda e: -e["intent_prediction"]["confidence"])


def intent_successes(examples: Sequence[Example], messages: Sequence[Message]) -> list[dict]:
    """Rasa's intent_successes.json: each right prediction, the least confident first."""
    hits = [_intent_entry(ex, msg) for ex, msg in zip(examples, messages)
            if ex.intent == msg.intent.name]
    return sorted(hits, key=lambda e: e["intent_prediction"]["confidence"])


def _intent_entry(example: Example, message: Message) -> dict:
    return {"text": example.text, "intent": example.intent,
            "intent_prediction": {"name": message.intent.name,
                                  "confidence": round(float(message.intent.confidence), 4)}}


def most_confused(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, tuple[str, int]]:
    """For each intent that was ever mispredicted: the wrong intent it got most often, and
    how many times (ties: the name first in alphabetical order)."""
    wrong: dict[str, Counter] = defaultdict(Counter)
    for g, p in zip(gold, predicted):
        if g != p:
            wrong[g][p] += 1
    return {g: min(c.items(), key=lambda kv: (-kv[1], kv[0])) for g, c in wrong.items()}


def gold_spans(example: Example) -> list[Span]:
    return [(s.entity, s.start, s.end) for s in example.entities]


def entity_spans(entities: Sequence[Entity | EntitySpan]) -> list[Span]:
    return [(e.entity, e.start, e.end) for e in entities]


def char_bio(text: str, spans: Sequence[Span]) -> list[str]:
    """One BIO tag per character. Overlapping spans cannot be tagged both: the first one
    (by start, then the longest) keeps the characters."""
    tags = ["O"] * len(text)
    for entity, start, end in sorted(spans, key=lambda s: (s[1], -s[2])):
        start, end = max(start, 0), min(end, len(text))
        if start >= end or any(t != "O" for t in tags[start:end]):
            continue
        tags[start] = f"B-{entity}"
        tags[start + 1:end] = [f"I-{entity}"] * (end - start - 1)
    return tags


def entity_report(examples: Sequence[Example],
                  predicted: Sequence[Sequence[Entity]]) -> dict[str, Any] | None:
    """seqeval's classification_report (per entity, micro / macro / weighted avg) over
    exact character spans; None when neither side has a single entity."""
    gold_tags = [char_bio(ex.text, gold_spans(ex)) for ex in examples]
    pred_tags = [char_bio(ex.text, entity_spans(p)) for ex, p in zip(examples, predicted)]
    if not any(t != "O" for tags in gold_tags + pred_tags for t in tags):
        return None
    from seqeval.metrics import classification_report

    # seqeval cannot score an empty sequence: an empty text has no entity either way
    pairs = [(g, p) for g, p in zip(gold_tags, pred_tags) if g]
    report = classification_report([g for g, _ in pairs], [p for _, p in pairs],
                                   output_dict=True, zero_division=0)
    return to_builtin(report)


def entity_errors(examples: Sequence[Example],
                  predicted: Sequence[Sequence[Entity]]) -> list[dict]:
    """Rasa's <extractor>_errors.json: each text whose predicted spans differ from the gold ones."""
    out = []
    for ex, found in zip(examples, predicted):
        if sorted(gold_spans(ex)) != sorted(entity_spans(found)):
            out.append({"text": ex.text,
                        "entities": [_span_dict(s) for s in ex.entities],
                        "predicted_entities": [_span_dict(e) for e in found]})
    return out


def _span_dict(span: Entity | EntitySpan) -> dict:
    out = {"start": span.start, "end": span.end, "value": span.text, "entity": span.entity}
    if isinstance(span, Entity):
        out.update(extractor=span.extractor, confidence=round(float(span.confidence), 4))
    return out


def micro_f1(report: dict[str, Any] | None) -> float | None:
    return None if report is None else report["micro avg"]["f1-score"]


def stratified_folds(examples: Sequence[Example], n: int, seed: int = 0) -> list[list[int]]:
    """`n` folds of example indices, the examples of each intent shuffled and dealt round
    the folds in turn (continuing where the last intent stopped, so folds differ in size by
    at most one example)."""
    if n < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by_intent[ex.intent].append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(n)]
    turn = 0
    for intent in sorted(by_intent):
        indices = by_intent[intent]
        rng.shuffle(indices)
        for i in indices:
            folds[turn % n].append(i)
            turn += 1
    return [sorted(f) for f in folds]


def to_builtin(value: Any) -> Any:
    """numpy scalars (seqeval's supports, sklearn's floats) as plain Python, for JSON."""
    if isinstance(value, dict):
        return {k: to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_builtin(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
