"""Typed results of training: per-epoch dev scores and the final `TrainReport`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EpochScores:
    epoch: int
    loss: float
    dev_intent_accuracy: float | None
    dev_entity_f1: float | None
    seconds: float


@dataclass(frozen=True)
class TrainReport:
    """What happened during training; also saved (as metrics) in the artifact."""

    model_dir: Path
    fingerprint: str
    device: str
    train_examples: int
    dev_examples: int
    epochs_run: int
    best_epoch: int
    steps: int
    train_seconds: float
    stopped_because: str  # "epochs" | "early_stopping" | "time_budget" | "max_steps"
    history: tuple[EpochScores, ...] = field(default_factory=tuple)
    # the TF-IDF + logistic regression baseline on the same split (nlu.quality)
    baseline_intent_accuracy: float | None = None

    @property
    def best(self) -> EpochScores:
        return self.history[self.best_epoch - 1]

    def metrics(self) -> dict[str, Any]:
        best = self.best
        return {"dev_intent_accuracy": best.dev_intent_accuracy,
                "dev_entity_f1": best.dev_entity_f1, "best_epoch": self.best_epoch,
                "epochs_run": self.epochs_run, "steps": self.steps,
                "train_seconds": round(self.train_seconds, 2), "device": self.device,
                "train_examples": self.train_examples, "dev_examples": self.dev_examples,
                "stopped_because": self.stopped_because,
                "baseline_intent_accuracy": self.baseline_intent_accuracy}
