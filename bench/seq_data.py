"""Read JointBERT-style datasets (seq.in / seq.out / label) into `TrainingData`.

Tokens are joined with single spaces, so token i covers a known character span;
BIO tags become `EntitySpan`s over those spans (lenient merge, like conlleval).

A dataset may say otherwise in `dataset.json` next to its splits: `{"token_separator": ""}`
for languages written without spaces (Chinese, one token per character, see
bench/zh_datasets.py): tokens are then joined with nothing, and a token `SPACE_TOKEN`
stands for a space character of the text (seq.in is whitespace-split, so a space cannot be
a token itself).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.training_data import EntitySpan, Example, TrainingData
from nlu.decode import bio_to_spans
from nlu.labels import word_tags


@dataclass(frozen=True)
class SeqExample:
    """One line of a split: tokens, their gold BIO tags and the intent."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    intent: str
    sep: str = " "  # what joins the tokens into the text: " ", or "" (Chinese)

    @classmethod
    def from_text(cls, text: str, sep: str = " ") -> "SeqExample":
        """Untagged tokens of a raw text, split the way the dataset's tokens are."""
        if sep:
            return cls(tuple(text.split(sep) if sep.strip() else text.split()), (), "", sep)
        return cls(tuple(SPACE_TOKEN if c.isspace() else c for c in text), (), "", sep)

    def _surfaces(self) -> list[str]:
        if self.sep:
            return list(self.tokens)
        return [" " if t == SPACE_TOKEN else t for t in self.tokens]

    @property
    def text(self) -> str:
        return self.sep.join(self._surfaces())

    def token_spans(self) -> list[tuple[int, int]]:
        spans, pos = [], 0
        for tok in self._surfaces():
            spans.append((pos, pos + len(tok)))
            pos += len(tok) + len(self.sep)
        return spans


SPACE_TOKEN = "\u2581"  # "▁": a space character of the text, where tokens join with ""


def token_separator(root: Path) -> str:
    """The dataset's `token_separator` (dataset.json), " " when it has none."""
    meta = Path(root) / "dataset.json"
    if not meta.exists():
        return " "
    return json.loads(meta.read_text(encoding="utf-8")).get("token_separator", " ")


def read_split(root: Path, split: str) -> list[SeqExample]:
    """Read `root/split/{seq.in,seq.out,label}`; checks that lines and tokens align."""
    sep = token_separator(root)
    folder = Path(root) / split
    ins = (folder / "seq.in").read_text(encoding="utf-8").splitlines()
    outs = (folder / "seq.out").read_text(encoding="utf-8").splitlines()
    labels = (folder / "label").read_text(encoding="utf-8").splitlines()
    if not (len(ins) == len(outs) == len(labels)):
        raise ValueError(f"{folder}: seq.in/seq.out/label have different line counts")
    out = []
    for n, (line, tag_line, label) in enumerate(zip(ins, outs, labels), start=1):
        tokens, tags = tuple(line.split()), tuple(tag_line.split())
        if len(tokens) != len(tags):
            raise ValueError(f"{folder}/seq.out:{n}: {len(tags)} tags for {len(tokens)} tokens")
        out.append(SeqExample(tokens, tags, label.strip(), sep))
    return out


def to_example(ex: SeqExample) -> Example:
    """An `Example` with character-span entities built from the BIO tags."""
    spans = ex.token_spans()
    text = ex.text
    entities = []
    for label, first, last in bio_to_spans(ex.tags):
        start, end = spans[first][0], spans[last - 1][1]
        entities.append(EntitySpan(start, end, label, text[start:end], text[start:end]))
    return Example(text=text, intent=ex.intent, entities=tuple(entities))


def to_training_data(examples: list[SeqExample]) -> TrainingData:
    return TrainingData(examples=[to_example(e) for e in examples])


def tags_from_entities(ex: SeqExample, entities: list[tuple[str, int, int]]) -> list[str]:
    """Per-token BIO tags from predicted (label, char start, char end) entities."""
    spans = [EntitySpan(start, end, label, "", "") for label, start, end in entities]
    return word_tags(ex.token_spans(), spans)
