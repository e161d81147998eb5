"""Dev-set scores used for early stopping: intent accuracy and span-level entity F1."""
from __future__ import annotations

from collections.abc import Sequence

from nlu.decode import bio_to_spans


def intent_accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, pred)) / len(gold)


def span_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Micro F1 over exact (label, start, end) spans; 1.0 when neither side has any."""
    gold_spans = {(i, *s) for i, tags in enumerate(gold) for s in bio_to_spans(tags)}
    pred_spans = {(i, *s) for i, tags in enumerate(pred) for s in bio_to_spans(tags)}
    if not gold_spans and not pred_spans:
        return 1.0
    hits = len(gold_spans & pred_spans)
    if hits == 0:
        return 0.0
    precision, recall = hits / len(pred_spans), hits / len(gold_spans)
    return 2 * precision * recall / (precision + recall)


def dev_score(intent_acc: float, entity_f1: float | None) -> float:
    """The single number early stopping maximises (intent accuracy alone when the data has
    no entities)."""
    return intent_acc if entity_f1 is None else (intent_acc + entity_f1) / 2
