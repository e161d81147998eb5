"""The knowledge index: passages, their embeddings, and search.

Built at train time into `models/knowledge/` (passages.json, embeddings.npy,
metadata.json with the fingerprint of the documents and the encoder); searched at run
time. The score is a blend of cosine similarity (meaning) and word overlap with the
passage (exact terms such as "GDPR" or "Norway"), both 0..1.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Collection

import numpy as np

from core.errors import SwitchboardError

from core.artifact_meta import is_up_to_date, read_meta
from knowledge.chunks import Passage
from nlu.config import DEFAULT_ENCODER

FORMAT_VERSION = 1
LEXICAL_WEIGHT = 0.1
WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset("""a an the and or of to in on for with is are was were be been it its i my me we
you your our do does did can could would should how what when where which who why this that
there here from by at as if not no yes any all so than then too very just about into out up""".split())


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


def _terms(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1}


def fingerprint(passages: list[Passage], encoder: str) -> str:
    blob = json.dumps([asdict(p) for p in passages], sort_keys=True) + encoder + str(FORMAT_VERSION)
    return hashlib.sha256(blob.encode()).hexdigest()


class KnowledgeIndexUnreadable(SwitchboardError):
    """models/knowledge is there but cannot be read."""


class KnowledgeIndex:
    def __init__(self, passages: list[Passage], embeddings: np.ndarray, embedder=None,
                 encoder: str = DEFAULT_ENCODER):
        self.passages = passages
        self.embeddings = embeddings
        self.embedder = embedder
        self.encoder = encoder
        self._terms = [_terms(p.heading + " " + p.text) for p in passages]

    @classmethod
    def build(cls, passages: list[Passage], embedder) -> "KnowledgeIndex":
        embed = getattr(embedder, "embed_passages", embedder.embed)  # e5: "passage: "
        vectors = embed([p.for_embedding for p in passages]) if passages else \
            np.zeros((0, 1), dtype=np.float32)
        return cls(passages, vectors.astype(np.float32), embedder, embedder.name)

    def search(self, query: str, k: int = 3,
               languages: Collection[str | None] | None = None) -> list[Hit]:
        """The k best passages for `query`; only those whose `language` is in `languages`
        when given (None there: the passages without one, the project's default language)."""
        keep = None if languages is None else \
            np.array([p.language in languages for p in self.passages], dtype=bool)
        if not self.passages or not query.strip() or (keep is not None and not keep.any()):
            return []
        if self.embedder is None:
            from knowledge.embedder import SentenceEmbedder

            self.embedder = SentenceEmbedder(self.encoder)
        vector = self.embedder.embed([query])[0]
        dense = self.embeddings @ vector
        words = _terms(query)
        lexical = np.array([len(words & t) / len(words) if words else 0.0 for t in self._terms])
        scores = (1 - LEXICAL_WEIGHT) * dense + LEXICAL_WEIGHT * lexical
        if keep is not None:
            scores = np.where(keep, scores, -np.inf)
            k = min(k, int(keep.sum()))
        order = np.argsort(-scores)[:k]
        return [Hit(self.passages[i], float(scores[i])) for i in order]

    def languages(self) -> set[str | None]:
        """The passages' languages (None: without one, the project's default language)."""
        return {p.language for p in self.passages}

    def save(self, target: Path, print_: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        np.save(target / "embeddings.npy", self.embeddings)
        (target / "passages.json").write_text(
            json.dumps([asdict(p) for p in self.passages], ensure_ascii=False, indent=1))
        (target / "metadata.json").write_text(json.dumps(
            {"format_version": FORMAT_VERSION, "fingerprint": print_, "encoder": self.encoder,
             "passages": len(self.passages)}, indent=2))

    @classmethod
    def load(cls, target: Path, embedder=None) -> "KnowledgeIndex | None":
        meta = read_meta(target)
        if meta is None or meta.get("format_version") != FORMAT_VERSION:
            return None
        try:
            passages = [Passage(**p) for p in json.loads((target / "passages.json").read_text())]
            vectors = np.load(target / "embeddings.npy")
        except Exception as exc:  # noqa: BLE001 - missing, truncated, foreign: the same fix
            raise KnowledgeIndexUnreadable(
                f"{target} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); "
                "run `python cli.py train --force`") from None
        return cls(passages, vectors, embedder, meta["encoder"])

    @staticmethod
    def is_up_to_date(target: Path, print_: str) -> bool:
        return is_up_to_date(target, FORMAT_VERSION, print_)
