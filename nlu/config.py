"""`NLUConfig`: every knob of the joint intent + entity model, with validation.

The dataclass is the schema: `from_dict` rejects unknown keys (listing the valid
ones) and checks value ranges, reporting all problems at once.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from nlu.errors import NLUConfigError

DEFAULT_ENCODER = "all-MiniLM-L6-v2"  # English-only projects
# Projects whose config.yml lists Chinese (`language: zh`, `languages: [en, zh]`): XLM-R's
# vocabulary covers both, where MiniLM's English word pieces split Chinese into characters.
MULTILINGUAL_ENCODER = "multilingual-e5-small"
_CHINESE = {"zh", "cmn", "yue", "chinese"}


def lists_chinese(languages: Iterable[str]) -> bool:
    """True if any language code is Chinese: "zh", "zh-CN", "zh_Hant", "cmn", …"""
    return any(re.split(r"[-_]", lang.strip().lower())[0] in _CHINESE for lang in languages)


def default_encoder(languages: Iterable[str]) -> str:
    """The encoder a project gets when its config names none: by the languages it lists."""
    return MULTILINGUAL_ENCODER if lists_chinese(languages) else DEFAULT_ENCODER


@dataclass(frozen=True)
class NLUConfig:
    """Hyper-parameters of the joint model, its training and its parsing.

    Defaults are sized for a support assistant (~30 intents, ~700 examples): training takes
    a few minutes on 2 CPU cores, with no wall-clock cap unless `time_budget_s` sets one.
    """

    # HF name, local path, "default" or "multilingual-e5-small". Left out (or "default") in
    # config.yml, the project's languages choose (`nlu.registry`, `default_encoder`).
    encoder: str = DEFAULT_ENCODER
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 2e-4  # encoder
    head_learning_rate: float = 1e-3  # intent/tag heads
    # CRF transitions: they start at zero and need to move by several units for B-x B-x
    # ("New" "Zealand" as two countries) to lose against B-x I-x; at the head rate they
    # stayed within ±0.5. Measured in BENCHMARKS.md.
    crf_learning_rate: float = 1e-2
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 128  # word pieces; longer messages are truncated
    dropout: float = 0.1
    use_crf: bool = True
    # What the intent head reads: "cls" ([CLS]) or "mean" (of the word pieces, how sentence
    # encoders such as MiniLM were trained). Measured in BENCHMARKS.md: within noise on intents.
    intent_pooling: str = "cls"
    freeze_embeddings: bool = True  # word-piece embeddings fixed: ~1/3 faster on CPU
    # Encoder layers fine-tuned, counted from the top; the ones below (and the embeddings) stay
    # as pretrained and run once per training message, not once per step (nlu/frozen.py).
    # None: every layer of an encoder of up to 6 layers (MiniLM), the top 4 of a deeper one
    # (multilingual-e5-small has 12: ~3x faster training on CPU). Measured in BENCHMARKS.md.
    trainable_layers: int | None = None
    balance_classes: bool = True  # inverse-sqrt-frequency intent loss weights
    # batches of texts of similar length (nlu.loop.length_batches): the example trains in
    # 101 s instead of 162 s, but its held-out entity F1 fell 0.826 -> 0.789 (one seed,
    # BENCHMARKS.md), so it is off unless asked for
    length_buckets: bool = False
    seed: int = 42
    dev_fraction: float = 0.1  # held out for early stopping; 0 disables it
    patience: int = 4  # epochs without dev improvement before stopping
    min_steps: int = 200  # small data: epochs are raised to reach this many optimizer steps
    # a wall-clock cap on training (None: none); when it stops training, `cli.py train`
    # refuses the model unless --allow-partial (nlu.quality)
    time_budget_s: float | None = None
    max_steps: int | None = None  # optimizer-step cap; None = no cap
    num_threads: int | None = None  # torch CPU threads; None = torch default
    ranking_size: int = 10  # intents in Message.intent_ranking
    language: str = "en"
    device: str = "cpu"  # "cpu", "cuda", "cuda:1", or "auto"
    # int8 weights when parsing on CPU (dynamic quantization; training is unaffected):
    # "none" (fp32, the default: on ONNX Runtime exactly torch's answers), "ffn" (only each
    # layer's feed-forward expansion: ~20% faster, moves borderline confidences) or "all"
    # (~2x faster, a smaller file, costs accuracy). Measured in BENCHMARKS.md.
    # YAML booleans are accepted: false = "none", true = "all".
    quantize: bool | str = "none"

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "NLUConfig":
        """Build a config from a YAML mapping; raise `NLUConfigError` listing all problems."""
        data = dict(data or {})
        valid = [f.name for f in fields(cls)]
        problems = [
            (key, f"unknown key; valid keys are: {', '.join(valid)}")
            for key in data
            if key not in valid
        ]
        known = {k: v for k, v in data.items() if k in valid}
        problems += _type_problems(known)
        if not problems:
            problems += _range_problems(cls(**known))
        if problems:
            raise NLUConfigError(problems)
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def quantize_mode(self) -> str:
        return quantize_mode(self.quantize)


def quantize_mode(value: bool | str) -> str:
    """"none", "ffn" or "all"; YAML booleans map to "all" / "none"."""
    if isinstance(value, bool):
        return "all" if value else "none"
    if value not in QUANTIZE_MODES:
        raise NLUConfigError([("quantize", f"bad value {value!r}; use one of {', '.join(QUANTIZE_MODES)}")])
    return value


_INTS = {"epochs", "batch_size", "max_length", "seed", "patience", "ranking_size", "min_steps"}
_FLOATS = {"learning_rate", "head_learning_rate", "crf_learning_rate", "weight_decay",
           "warmup_ratio",
           "dropout", "dev_fraction"}
_OPT_INTS = {"max_steps", "num_threads", "trainable_layers"}
_BOOLS = {"use_crf", "balance_classes", "freeze_embeddings", "length_buckets"}
QUANTIZE_MODES = ("none", "ffn", "all")
_STRS = {"encoder", "language", "device", "intent_pooling"}
INTENT_POOLINGS = ("cls", "mean")


def _type_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Check each value's type (YAML gives ints for floats; bools are not ints)."""
    problems = []
    for key, value in values.items():
        is_int = isinstance(value, int) and not isinstance(value, bool)
        ok = (
            (key in _INTS and is_int)
            or (key in _FLOATS and (is_int or isinstance(value, float)))
            or (key in _OPT_INTS and (value is None or is_int))
            or (key == "time_budget_s" and (value is None or is_int or isinstance(value, float)))
            or (key in _BOOLS and isinstance(value, bool))
            or (key in _STRS and isinstance(value, str) and value.strip() != "")
            or (key == "quantize" and (isinstance(value, bool) or value in QUANTIZE_MODES))
        )
        if not ok:
            hint = f"; use one of {', '.join(QUANTIZE_MODES)}" if key == "quantize" else ""
            problems.append((key, f"bad value {value!r} ({type(value).__name__}){hint}"))
    return problems


def _range_problems(cfg: NLUConfig) -> list[tuple[str, str]]:
    """Check value ranges of an already well-typed config."""
    checks = [
        ("epochs", cfg.epochs >= 1, "must be >= 1"),
        ("batch_size", cfg.batch_size >= 1, "must be >= 1"),
        ("learning_rate", cfg.learning_rate > 0, "must be > 0"),
        ("head_learning_rate", cfg.head_learning_rate > 0, "must be > 0"),
        ("crf_learning_rate", cfg.crf_learning_rate > 0, "must be > 0"),
        ("weight_decay", cfg.weight_decay >= 0, "must be >= 0"),
        ("warmup_ratio", 0 <= cfg.warmup_ratio < 1, "must be in [0, 1)"),
        ("max_length", 8 <= cfg.max_length <= 512, "must be in [8, 512]"),
        ("dropout", 0 <= cfg.dropout < 1, "must be in [0, 1)"),
        ("dev_fraction", 0 <= cfg.dev_fraction < 1, "must be in [0, 1)"),
        ("patience", cfg.patience >= 1, "must be >= 1"),
        ("min_steps", cfg.min_steps >= 0, "must be >= 0"),
        ("time_budget_s", cfg.time_budget_s is None or cfg.time_budget_s > 0, "must be > 0"),
        ("max_steps", cfg.max_steps is None or cfg.max_steps >= 1, "must be >= 1"),
        ("num_threads", cfg.num_threads is None or cfg.num_threads >= 1, "must be >= 1"),
        ("trainable_layers", cfg.trainable_layers is None or cfg.trainable_layers >= 1,
         "must be >= 1"),
        ("ranking_size", cfg.ranking_size >= 1, "must be >= 1"),
        ("intent_pooling", cfg.intent_pooling in INTENT_POOLINGS,
         f"must be one of {', '.join(INTENT_POOLINGS)}"),
        ("device", cfg.device == "auto" or cfg.device.split(":")[0] in ("cpu", "cuda", "mps"),
         "must be cpu, cuda, cuda:N, mps or auto"),
    ]
    return [(key, msg) for key, ok, msg in checks if not ok]
