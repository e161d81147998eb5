"""`NLUParser`: text in, frozen `Message` out.

preprocess (words + word pieces with offsets) -> forward (`nlu.inference.predict`)
-> postprocess (`build_message`, pure: BIO merge, confidences, rule entities,
synonyms). Offsets always come from the original text, never from re-joined tokens.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch

from core.message import Entity, Message
from nlu.artifact import Artifact, load_artifact
from nlu.config import quantize_mode
from nlu.traced import trace_encoder
from nlu.decode import bio_to_spans, rank_intents, spans_to_entities
from nlu.extractors import (
    Patterns,
    apply_synonyms,
    compile_patterns,
    lookup_entities,
    merge_entities,
    regex_entities,
)
from nlu.features import Encoded, encode_texts
from nlu.labels import Labels, split_label
from nlu.inference import RawPrediction, decoding_tables, predict, resolve_device


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


FFN_LAYERS = ("intermediate.dense",)  # BERT's 384 -> 1536 expansion in every layer


def _quantize(module: torch.nn.Module, mode: str) -> torch.nn.Module:
    """Dynamic int8 for the encoder's Linear layers: all of them, or the FFN expansions."""
    import warnings

    if mode == "ffn":
        spec = {name for name, layer in module.named_modules()
                if isinstance(layer, torch.nn.Linear) and name.endswith(FFN_LAYERS)}
        if not spec:  # an architecture without BERT's names: stay fp32
            return module
    else:
        spec = {torch.nn.Linear}
    with warnings.catch_warnings():  # torch.ao.quantization announces its successor
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(module, spec, dtype=torch.qint8)


class NLUParser:
    """A loaded NLU model. Thread-compatible for reading; not for concurrent training."""

    def __init__(self, artifact: Artifact, device: str = "cpu") -> None:
        self.artifact = artifact
        self.device = resolve_device(device)
        self.config = artifact.config
        self.labels = artifact.labels
        self.patterns = compile_patterns(artifact.patterns["regexes"], artifact.patterns["lookups"])
        self.synonyms: dict[str, str] = dict(artifact.patterns["synonyms"])
        self.tables = decoding_tables(artifact.model, artifact.labels.tags)
        self.pad_id = artifact.tokenizer.pad_token_id or 0
        # False inside an NLU pipeline, where RegexEntityExtractor and EntitySynonymMapper
        # are components of their own (`nlu.components`); True for the parser on its own.
        self.rule_entities = True

    @classmethod
    def load(cls, model_dir: str | Path, device: str = "cpu",
             quantize: bool | str | None = None) -> "NLUParser":
        """Load `models/<name>/`; raises ModelNotFoundError / IncompatibleModelError.

        On CPU the encoder is quantized as `quantize` says ("none", "ffn", "all"; None:
        the model config's `quantize`, "ffn" by default), then traced and frozen
        (`nlu.traced`). On a GPU it runs as trained. The config's `num_threads`, if set,
        applies to parsing as to training.
        """
        dev = resolve_device(device)
        artifact = load_artifact(Path(model_dir), str(dev))
        config = artifact.config
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        mode = config.quantize_mode if quantize is None else quantize_mode(quantize)
        if dev.type == "cpu":
            if mode != "none":
                artifact.model.encoder = _quantize(artifact.model.encoder, mode)
            artifact.model.encoder = trace_encoder(artifact.model.encoder)
        return cls(artifact, str(dev))

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
        encoded = encode_texts(self.artifact.tokenizer, texts, self.config.max_length)
        raws = predict(self.artifact.model, encoded, self.labels.tags, self.pad_id, self.device,
                       batch_size, self.tables)
        patterns, synonyms = (self.patterns, self.synonyms) if self.rule_entities else (Patterns(), {})
        return [build_message(t, e, r, self.labels, patterns, synonyms,
                              self.config.ranking_size, self.config.language)
                for t, e, r in zip(texts, encoded, raws)]
