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


def resolve_device(device: str | torch.device) -> torch.device:
    """"auto" is CUDA when present, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def decoding_tables(model: JointModel, tags: Sequence[str]):
    """(CRF parameters as numpy, BIO constraint matrices): fixed for a trained model, so a
    parser builds them once; training rebuilds them per evaluation (the CRF changes)."""
    return (model.crf.export() if model.crf is not None else None), bio_constraints(tags)


@torch.inference_mode()
def predict(model: JointModel, items: Sequence[Encoded], tags: Sequence[str], pad_id: int,
            device: torch.device | str, batch_size: int = 64, tables=None) -> list[RawPrediction]:
    """Run the model on `items` (any order in, same order out); decode valid BIO only.
    `tables`: `decoding_tables(model, tags)` if the caller keeps them."""
    was_training = model.training
    if was_training:  # eval() walks every submodule: too slow to do per parsed message
        model.eval()
    crf, constraints = tables if tables is not None else decoding_tables(model, tags)
    order = sorted(range(len(items)), key=lambda i: len(items[i].input_ids))
    results: list[RawPrediction] = [None] * len(items)  # type: ignore[list-item]  # all filled below
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
    return results
