"""`NLUParser`: text in, frozen `Message` out.

preprocess (words + word pieces with offsets) -> forward (a runner: ONNX Runtime,
`nlu.onnx_runner`, or torch, `nlu.inference.TorchRunner`) -> postprocess
(`build_message`, pure: BIO merge, confidences, rule entities, synonyms). Offsets always
come from the original text, never from re-joined tokens.

On the CPU a model trained with its ONNX export is served from ONNX Runtime, and neither
torch nor transformers is imported: a lean process that starts fast. A GPU, a model
without the export, or `runtime="torch"` (env SWITCHBOARD_RUNTIME=torch, which keeps the sentence encoder of
`assistant.loading` on torch too) run torch.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from core.message import Entity, Message
from nlu.artifact import Parts, read_file, read_parts
from nlu.config import quantize_mode
from nlu.decode import RawPrediction, bio_to_spans, rank_intents, spans_to_entities
from nlu.errors import IncompatibleModelError
from nlu.extractors import (
    Patterns,
    apply_synonyms,
    compile_patterns,
    lookup_entities,
    merge_entities,
    regex_entities,
)
from nlu.encoding import Encoded, encode_texts, load_tokenizer_file
from nlu.labels import Labels, split_label

log = logging.getLogger(__name__)
RUNTIMES = ("auto", "onnx", "torch")


def model_entities(text: str, enc: Encoded, raw: RawPrediction, labels: Labels) -> list[Entity]:
    """Entities predicted by the tagger, with entity/role/group split out of the label."""
    tags = ["O"] * len(enc.words)
    confs = [0.0] * len(enc.words)
    for k, w in enumerate(enc.kept):
        tags[w], confs[w] = labels.tags[raw.tag_ids[k]], raw.tag_confidences[k]
    out = []
    for ent in spans_to_entities(text, enc.words, bio_to_spans(tags), confs):
        entity, role, group = split_label(ent.entity)
        out.append(replace(ent, entity=entity, role=role, group=group))
    return out


def build_message(text: str, enc: Encoded, raw: RawPrediction, labels: Labels,
                  patterns: Patterns, synonyms: dict[str, str], ranking_size: int,
                  language: str) -> Message:
    """Assemble the `Message` for one text from the model's raw output (pure)."""
    ranking = rank_intents(raw.intent_probs, labels.intents, ranking_size)
    entities = merge_entities(regex_entities(text, patterns),
                              model_entities(text, enc, raw, labels),
                              lookup_entities(text, patterns))
    return Message(text=text, intent=ranking[0], intent_ranking=ranking,
                   entities=tuple(apply_synonyms(entities, synonyms)), language=language)


class NLUParser:
    """A loaded NLU model. Thread-compatible for reading; not for concurrent training."""

    def __init__(self, runner, tokenizer, parts: Parts) -> None:
        self.runner = runner  # .predict(encoded, batch_size) -> list[RawPrediction]
        self.tokenizer = tokenizer
        self.config = parts.config
        self.labels = parts.labels
        self.patterns = compile_patterns(parts.patterns["regexes"], parts.patterns["lookups"])
        self.synonyms: dict[str, str] = dict(parts.patterns["synonyms"])
        # False inside an NLU pipeline, where RegexEntityExtractor and EntitySynonymMapper
        # are components of their own (`nlu.components`); True for the parser on its own.
        self.rule_entities = True

    @classmethod
    def load(cls, model_dir: str | Path, device: str = "cpu",
             quantize: bool | str | None = None, runtime: str | None = None) -> "NLUParser":
        """Load `models/<name>/`; raises ModelNotFoundError / IncompatibleModelError.

        `quantize` ("none", "ffn", "all"; None: the model config's `quantize`, "none"
        by default) picks fp32 or int8 weights. `runtime`: "onnx", "torch" or "auto" (None: env
        SWITCHBOARD_RUNTIME, else "auto": ONNX on the CPU when the model has its export).
        The config's `num_threads`, if set, applies to parsing as to training.
        """
        model_dir = Path(model_dir)
        parts = read_parts(model_dir)
        mode = parts.config.quantize_mode if quantize is None else quantize_mode(quantize)
        from nlu.onnx_runner import configured_runtime

        runtime = runtime or configured_runtime()
        if runtime not in RUNTIMES:
            raise ValueError(f"NLU runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
        if runtime != "torch" and device == "cpu":
            from nlu.onnx_runner import OnnxRunner, model_file, pad_id

            path = model_file(model_dir, mode)
            if path is not None:
                runner = read_file(path, lambda p: OnnxRunner(
                    p, parts.labels.tags, pad_id(model_dir), parts.config.num_threads))
                tokenizer = read_file(model_dir / "tokenizer", lambda p: load_tokenizer_file(
                    p, parts.config.max_length))
                return cls(runner, tokenizer, parts)
            if runtime == "onnx":
                raise IncompatibleModelError(
                    f"{model_dir} has no ONNX export (or onnxruntime is not installed); "
                    "run `python cli.py train --force`")
            log.info("%s has no ONNX export: parsing with torch", model_dir)
        elif runtime == "onnx":
            raise ValueError(f"the ONNX runtime runs on the CPU, not on device {device!r}")
        from nlu.inference import TorchRunner

        runner = TorchRunner(model_dir, device, mode)
        return cls(runner, runner.artifact.tokenizer, parts)

    @property
    def artifact(self):
        """The torch model and its parts (the torch runner only)."""
        return self.runner.artifact

    @property
    def intents(self) -> tuple[str, ...]:
        return self.labels.intents

    def parse(self, text: str) -> Message:
        """Intent, ranking and entities of one text."""
        return self.parse_batch([text])[0]

    def parse_batch(self, texts: Sequence[str], batch_size: int = 64) -> list[Message]:
        """Parse many texts at once (length-sorted mini-batches); order is kept."""
        if isinstance(texts, str):
            raise TypeError("parse_batch takes a list of texts; use parse() for one text")
        texts = list(texts)
        if not texts:
            return []
        encoded = encode_texts(self.tokenizer, texts, self.config.max_length)
        raws = self.runner.predict(encoded, batch_size)
        patterns, synonyms = (self.patterns, self.synonyms) if self.rule_entities else (Patterns(), {})
        return [build_message(t, e, r, self.labels, patterns, synonyms,
                              self.config.ranking_size, self.config.language)
                for t, e, r in zip(texts, encoded, raws)]
