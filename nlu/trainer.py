"""`train_nlu`: fine-tune the joint model on TrainingData and write the artifact.

This module is the plumbing (check data, split, encode, save); the optimisation
loop itself lives in `nlu.loop`. Same data + config + seed -> same model on the
same device, unless the wall-clock `time_budget_s` cuts training short.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from core.training_data import Example, TrainingData
from nlu import progress as ui
from nlu.artifact import fingerprint, save_artifact
from nlu.config import NLUConfig
from nlu.encoder import load_encoder, load_tokenizer
from nlu.errors import TrainingDataError
from nlu.extractors import collect_patterns, compile_patterns
from nlu.encoding import encode_examples
from nlu.frozen import freeze_bottom, frozen_count
from nlu.labels import Labels, split_dev
from nlu.inference import resolve_device
from nlu.loop import fit, set_seed
from nlu.model import JointModel
from nlu.quality import baseline_accuracy
from nlu.report import TrainReport


# Below this many held-out examples, dev scores are noise (one message = several points):
# train on everything for the configured epochs instead of early-stopping on them.
MIN_DEV_EXAMPLES = 30


def _check_data(examples: Sequence[Example], patterns: dict[str, Any]) -> None:
    if not examples:
        raise TrainingDataError("no NLU examples to train on; add examples to data/nlu.yml")
    compile_patterns(patterns["regexes"], patterns["lookups"])  # raises on a bad regex
    for ex in examples:
        for s in ex.entities:
            if not (0 <= s.start < s.end <= len(ex.text)):
                raise TrainingDataError(f"entity {s.entity!r} has bad offsets in {ex.text!r}")


def train_nlu(data: TrainingData, config: NLUConfig, out_dir: Path,
              device: str | None = None, progress: bool = True,
              dev_data: TrainingData | None = None) -> TrainReport:
    """Train on `data` and write the artifact to `out_dir`.

    `device` overrides `config.device` ("cpu", "cuda", "auto"). `dev_data` replaces the
    automatic dev split (benchmarks pass the dataset's own dev set).
    """
    patterns = collect_patterns(data)
    _check_data(data.examples, patterns)
    dev_device = resolve_device(device or config.device)
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    set_seed(config.seed)
    if dev_data is not None:
        train_ex, dev_ex = list(data.examples), list(dev_data.examples)
    else:
        train_ex, dev_ex = split_dev(data.examples, config.dev_fraction, config.seed)
        if len(dev_ex) < MIN_DEV_EXAMPLES:  # too few to choose epochs by: use all data
            train_ex, dev_ex = list(data.examples), []
    labels = Labels.from_examples(data.examples)
    tokenizer = load_tokenizer(config.encoder)
    model = JointModel(load_encoder(config.encoder, config.dropout), len(labels.intents),
                       len(labels.tags), config.dropout, config.use_crf,
                       config.intent_pooling).to(dev_device)
    if config.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    model.frozen_layers = frozen_count(model.encoder, config.trainable_layers)
    freeze_bottom(model.encoder, model.frozen_layers)
    train_items = encode_examples(tokenizer, train_ex, labels, config.max_length)
    dev_items = [it for it in encode_examples(tokenizer, dev_ex, labels, config.max_length)
                 if it.intent >= 0]  # dev intents unseen in training cannot be scored
    report = fit(model, train_items, dev_items, labels, config, dev_device,
                 pad_id=tokenizer.pad_token_id or 0, show=progress)
    baseline = baseline_accuracy(train_ex, dev_ex) if dev_items else None
    report = TrainReport(Path(out_dir), fingerprint(data, config), str(dev_device),
                         len(train_items), len(dev_items), **report,
                         baseline_intent_accuracy=baseline)
    save_artifact(Path(out_dir), model, tokenizer, labels, config, patterns,
                  report.fingerprint, report.metrics(), sample=train_items + dev_items)
    if progress:
        ui.print_summary(report)
    return report
