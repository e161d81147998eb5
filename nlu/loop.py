"""The optimisation loop: AdamW, warm-up + linear decay, early stopping, budgets.

Kept apart from `trainer.py` (data and artifact plumbing) so the loop reads top to bottom.
"""
from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from nlu import progress as ui
from nlu.config import NLUConfig
from nlu.encoding import Encoded
from nlu.features import collate
from nlu.frozen import bottom_states, pad_states
from nlu.labels import Labels
from nlu.inference import predict
from nlu.metrics import dev_score, intent_accuracy, span_f1
from nlu.model import Batch, JointModel
from nlu.report import EpochScores


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def intent_weights(items: Sequence[Encoded], n_intents: int) -> torch.Tensor:
    """Inverse-sqrt-frequency class weights, scaled so the average example weighs 1."""
    counts = Counter(it.intent for it in items)
    raw = torch.tensor([counts[i] ** -0.5 if counts.get(i) else 0.0
                        for i in range(n_intents)])
    mean = sum(raw[it.intent] for it in items) / len(items)
    return raw / mean


def make_optimizer(model: JointModel, config: NLUConfig, total_steps: int
                   ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW (encoder, head and CRF learning rates; no decay on biases, LayerNorm and the
    CRF) + warm-up/linear decay."""
    rates = {"encoder": config.learning_rate, "head": config.head_learning_rate,
             "crf": config.crf_learning_rate}
    groups: dict[tuple[str, bool], list[torch.nn.Parameter]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        part = name.split(".")[0] if name.split(".")[0] in ("encoder", "crf") else "head"
        key = (part, part != "crf" and param.ndim >= 2 and "LayerNorm" not in name)
        groups.setdefault(key, []).append(param)
    optimizer = torch.optim.AdamW([
        {"params": params, "lr": rates[part],
         "weight_decay": config.weight_decay if decays else 0.0}
        for (part, decays), params in groups.items()
    ])
    warmup = int(total_steps * config.warmup_ratio)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def evaluate(model: JointModel, items: Sequence[Encoded], labels: Labels, pad_id: int,
             device: torch.device) -> tuple[float, float | None]:
    """Dev intent accuracy and span-level entity F1 (over words that got a word piece; None
    when the data has no entity at all: nothing was measured)."""
    preds = predict(model, items, labels.tags, pad_id, device)
    gold_i = [labels.intents[it.intent] for it in items]
    pred_i = [labels.intents[int(p.intent_probs.argmax())] for p in preds]
    gold_t = [[labels.tags[t] for t in it.tags] for it in items]
    pred_t = [[labels.tags[t] for t in p.tag_ids] for p in preds]
    if all(tag == "O" for tag in labels.tags):
        return intent_accuracy(gold_i, pred_i), None
    return intent_accuracy(gold_i, pred_i), span_f1(gold_t, pred_t)


BUCKET_BATCHES = 8  # batches whose texts are sorted by length together


def length_batches(order: list[int], lengths: Sequence[int], batch_size: int,
                   rng: random.Random) -> list[list[int]]:
    """The shuffled `order` cut into batches of texts of similar length (so dynamic padding
    pads little): each window of BUCKET_BATCHES batches is sorted by length and cut, then
    all batches are shuffled, so an epoch still sees them in a random order."""
    window = batch_size * BUCKET_BATCHES
    batches: list[list[int]] = []
    for lo in range(0, len(order), window):
        chunk = sorted(order[lo : lo + window], key=lengths.__getitem__)
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _clone_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def fit(model: JointModel, train_items: Sequence[Encoded], dev_items: Sequence[Encoded],
        labels: Labels, config: NLUConfig, device: torch.device, pad_id: int,
        show: bool) -> dict[str, Any]:
    """Train in place; leave the best-on-dev weights in `model`; return report fields."""
    batch_size = config.batch_size
    per_epoch = math.ceil(len(train_items) / batch_size)
    # Small data sets (tens of examples) get enough optimizer steps to learn at all.
    epochs = max(config.epochs, math.ceil(config.min_steps / per_epoch))
    total = per_epoch * epochs
    if config.max_steps:
        total = min(total, config.max_steps)
    optimizer, scheduler = make_optimizer(model, config, total)
    weights = intent_weights(train_items, len(labels.intents)).to(device) \
        if config.balance_classes else None
    rng = random.Random(config.seed)
    began, step, stopped = time.perf_counter(), 0, "epochs"
    states = bottom_states(model.encoder, train_items, model.frozen_layers, pad_id, device) \
        if model.frozen_layers else None
    lengths = [len(it.input_ids) for it in train_items]
    history: list[EpochScores] = []
    best_score, best_epoch, best_state, stale = -1.0, 1, None, 0
    with ui.TrainProgress(total, show) as bar:
        for epoch in range(1, epochs + 1):
            epoch_began = time.perf_counter()
            order = list(range(len(train_items)))
            rng.shuffle(order)
            model.train()
            losses = []
            batches = length_batches(order, lengths, batch_size, rng) if config.length_buckets \
                else [order[lo : lo + batch_size] for lo in range(0, len(order), batch_size)]
            for chosen in batches:
                batch = collate([train_items[i] for i in chosen], pad_id, with_labels=True)
                if states is not None:
                    batch.hidden = pad_states([states[i] for i in chosen], batch.input_ids.size(1))
                batch = batch.to(device)
                losses.append(_step(model, batch, weights, optimizer, scheduler))
                step += 1
                bar.step(losses[-1])
                stopped = _budget_hit(config, began, step, total) or stopped
                if stopped != "epochs":
                    break
            acc, f1 = evaluate(model, dev_items, labels, pad_id, device) if dev_items \
                else (None, None)
            scores = EpochScores(epoch, float(np.mean(losses)), acc, f1,
                                 time.perf_counter() - epoch_began)
            history.append(scores)
            bar.epoch_done(scores, epochs)
            score = dev_score(acc, f1) if dev_items else float(epoch)
            if score > best_score:
                best_score, best_epoch, stale = score, epoch, 0
                best_state = _clone_state(model) if dev_items else None
            else:
                stale += 1
            if stopped == "epochs" and dev_items and stale >= config.patience \
                    and step >= config.min_steps and epoch < epochs:
                stopped = "early_stopping"
            if stopped != "epochs":
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"epochs_run": len(history), "best_epoch": best_epoch, "steps": step,
            "train_seconds": time.perf_counter() - began, "stopped_because": stopped,
            "history": tuple(history)}


def _step(model: JointModel, batch: Batch, weights: torch.Tensor | None,
          optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LambdaLR) -> float:
    """One optimizer step with gradient clipping; returns the batch loss."""
    loss = model.loss(batch, weights)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    return loss.item()


def _budget_hit(config: NLUConfig, began: float, step: int, total: int) -> str | None:
    """Which cap (if any) ends training after this step."""
    if config.time_budget_s is not None and time.perf_counter() - began > config.time_budget_s:
        return "time_budget"
    if config.max_steps is not None and step >= total:
        return "max_steps"
    return None
