"""The response selector for retrieval intents (`faq/returns_window`, `faq/gift_cards`…).

NLU only learns the base intent (`faq`), so a hundred FAQs cost one intent. At train time
every example of every sub-intent is embedded (all-MiniLM-L6-v2 sentence embeddings); at
run time the message's nearest examples vote (similarity-weighted, k nearest) for the
sub-intent, whose response `utter_faq/<name>` is the answer.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from core.artifact_meta import is_up_to_date, read_meta

import numpy as np

from core.training_data import Example, TrainingData

FORMAT_VERSION = 1
# Below either, the selection is not trusted and the bot asks to rephrase instead: the
# nearest FAQ example is not similar enough, or the nearest examples disagree.
MIN_SIMILARITY = 0.45
MIN_VOTE = 0.5


@dataclass(frozen=True)
class Selection:
    intent: str  # the full retrieval intent, e.g. "faq/gift_cards"
    confidence: float  # share of the vote, 0..1
    similarity: float  # cosine similarity of the nearest example

    @property
    def trusted(self) -> bool:
        return self.similarity >= MIN_SIMILARITY and self.confidence >= MIN_VOTE


def retrieval_examples(data: TrainingData) -> list[Example]:
    return [e for e in data.examples if e.retrieval_intent[1] is not None]


def collapse_retrieval_intents(data: TrainingData) -> TrainingData:
    """The same data with `faq/x` examples labelled `faq` (what NLU learns)."""
    from dataclasses import replace

    collapsed = TrainingData(**{**data.__dict__})
    collapsed.examples = [replace(e, intent=e.retrieval_intent[0]) if e.retrieval_intent[1] else e
                          for e in data.examples]
    return collapsed


def fingerprint(examples: list[Example]) -> str:
    blob = json.dumps([(e.text, e.intent) for e in examples]) + str(FORMAT_VERSION)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseSelector:
    def __init__(self, texts: list[str], intents: list[str], vectors: np.ndarray, embedder=None,
                 k: int = 5):
        self.texts, self.intents, self.vectors = texts, intents, vectors
        self.embedder = embedder
        self.k = k

    @classmethod
    def build(cls, examples: list[Example], embedder) -> "ResponseSelector":
        texts = [e.text for e in examples]
        return cls(texts, [e.intent for e in examples], embedder.embed(texts), embedder)

    def select(self, text: str, base: str) -> Selection | None:
        rows = [i for i, intent in enumerate(self.intents) if intent.split("/", 1)[0] == base]
        if not rows or not text.strip():
            return None
        if self.embedder is None:
            from knowledge.embedder import SentenceEmbedder

            self.embedder = SentenceEmbedder()
        query = self.embedder.embed([text])[0]
        similarities = self.vectors[rows] @ query
        nearest = np.argsort(-similarities)[: self.k]
        votes: dict[str, float] = defaultdict(float)
        for index in nearest:
            votes[self.intents[rows[index]]] += max(float(similarities[index]), 0.0)
        winner = max(votes, key=votes.get)
        total = sum(votes.values()) or 1.0
        return Selection(winner, votes[winner] / total, float(similarities[nearest[0]]))

    def save(self, target: Path, print_: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        np.save(target / "vectors.npy", self.vectors)
        (target / "examples.json").write_text(json.dumps(
            {"texts": self.texts, "intents": self.intents}, ensure_ascii=False))
        (target / "metadata.json").write_text(json.dumps(
            {"format_version": FORMAT_VERSION, "fingerprint": print_, "examples": len(self.texts)}))

    @classmethod
    def load(cls, target: Path, embedder=None) -> "ResponseSelector | None":
        meta = read_meta(target)
        if meta is None or meta.get("format_version") != FORMAT_VERSION:
            return None
        try:
            data = json.loads((target / "examples.json").read_text())
            vectors = np.load(target / "vectors.npy")
            return cls(data["texts"], data["intents"], vectors, embedder)
        except Exception as exc:  # noqa: BLE001 - missing, truncated, foreign: the same fix
            from knowledge.index import KnowledgeIndexUnreadable

            raise KnowledgeIndexUnreadable(
                f"{target} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); "
                "run `python cli.py train --force`") from None

    @staticmethod
    def is_up_to_date(target: Path, print_: str) -> bool:
        return is_up_to_date(target, FORMAT_VERSION, print_)
