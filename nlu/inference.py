"""Forward pass over encoded texts, in length-sorted mini-batches, returning numpy.

Shared by the trainer (dev scores) and the parser, so both decode identically.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from nlu.decode import bio_constraints, decode_tags, softmax
from nlu.features import Encoded, collate
from nlu.model import JointModel


@dataclass(frozen=True)
class RawPrediction:
    """Model output for one text: intent distribution, tag id + confidence per kept word."""

    intent_probs: np.ndarray  # [I]
    tag_ids: list[int]
    tag_confidences: list[float]


@torch.inference_mode()
def predict(model: JointModel, items: Sequence[Encoded], tags: Sequence[str], pad_id: int,
            device: torch.device | str, batch_size: int = 64) -> list[RawPrediction]:
    """Run the model on `items` (any order in, same order out); decode valid BIO only."""
    was_training = model.training
    if was_training:  # eval() walks every submodule: too slow to do per parsed message
        model.eval()
    crf = model.crf.export() if model.crf is not None else None
    constraints = bio_constraints(tags)
    order = sorted(range(len(items)), key=lambda i: len(items[i].input_ids))
    results: list[RawPrediction | None] = [None] * len(items)
    for lo in range(0, len(order), batch_size):
        idx = order[lo : lo + batch_size]
        batch = collate([items[i] for i in idx], pad_id, with_labels=False).to(device)
        intent_logits, tag_logits = model(batch)  # [B, I], [B, W, K]
        intent_probs = softmax(intent_logits.float().cpu().numpy())
        tag_logits_np = tag_logits.float().cpu().numpy()
        for row, i in enumerate(idx):
            n_words = len(items[i].word_pos)
            ids, confs = decode_tags(tag_logits_np[row, :n_words], crf, constraints)
            results[i] = RawPrediction(intent_probs[row], ids, confs)
    if was_training:
        model.train()
    return [r for r in results if r is not None]
