"""A large Unigram (SentencePiece-style) vocabulary in a fraction of the memory `tokenizers` takes.

`tokenizers` holds a Unigram model's pieces in a trie with a hash map per node: e5's 250k-piece
vocabulary (XLM-R's) costs ~285 MB resident and 1.2-2 s to load, more than the ONNX session of
the model it feeds. Here the pieces are one Python dict (piece -> id) and a score array, ~90 MB,
loaded in ~0.7 s. Everything around the model stays the library's own: the tokenizer.json's
normalizer and pre-tokenizer run in `tokenizers` (a `PreTokenizedString`), which also maps
each piece back to its characters in the original text. Only the segmentation itself, a
Viterbi search over the pieces' log-probabilities, is done here, as `tokenizers`' Unigram
does it: candidates in order of start and then length, a later one replacing an earlier only
when its score is strictly higher, an unknown character scored `min score - 10`, consecutive
unknowns fused into one piece.

`CompactUnigram.load` returns None for a tokenizer.json it cannot reproduce (another model
type, another post-processor than `<s> $A </s>`); a text holding an added token such as
`<mask>` is handed to the full library, loaded then.
"""
from __future__ import annotations

import json
import threading
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY
MIN_PIECES = 64_000  # smaller vocabularies are cheap in `tokenizers` itself
CACHED_WORDS = 10_000


@dataclass(frozen=True, slots=True)
class Pieces:
    """What `tokenizers.Encoding` gives the parser: ids, piece strings, character offsets."""

    ids: list[int]
    tokens: list[str]
    offsets: list[tuple[int, int]]


class CompactUnigram:
    """`encode(text, max_length)` as `tokenizers.Tokenizer.encode(text, add_special_tokens=True)`
    with truncation at `max_length` pieces would give it, for the tokenizer.json it was loaded from."""

    def __init__(self, spec: dict[str, Any], source: Path, digest: str,
                 framing: tuple[tuple[str, int], tuple[str, int]]) -> None:
        from tokenizers import PreTokenizedString, Tokenizer

        self._pretokenized = PreTokenizedString  # per message: no import on the hot path

        model = spec["model"]
        self.ids: dict[str, int] = {}
        self.scores = array("d")
        self.longest: dict[str, int] = {}  # first character -> the longest piece starting with it
        for i, (piece, score) in enumerate(model["vocab"]):
            self.ids[piece] = i  # as tokenizers: a repeated piece takes its last id
            self.scores.append(score)
            if piece and len(piece) > self.longest.get(piece[0], 0):
                self.longest[piece[0]] = len(piece)
        self.unk_id = int(model["unk_id"])
        self.unk_score = min(self.scores) - UNK_PENALTY
        self.framing = framing  # (<s>, its id), (</s>, its id)
        self.added = [t["content"] for t in spec.get("added_tokens", [])]
        # the normalizer and pre-tokenizer, on a model that is never asked to segment
        bare = {**spec, "model": {"type": "WordLevel", "vocab": {"<unk>": 0}, "unk_token": "<unk>"},
                "added_tokens": [], "post_processor": None, "truncation": None, "padding": None}
        shell = Tokenizer.from_str(json.dumps(bare))
        self.normalizer, self.pre_tokenizer = shell.normalizer, shell.pre_tokenizer
        # where the full library is read from, for a text with an added token: every path this
        # file was loaded from (train's staging folders are renamed), checked by its digest
        self.sources, self.digest = [Path(source)], digest
        self._full = None
        self._lock = threading.Lock()
        # words recur (tokenizers' own Unigram caches its 10,000 latest too)
        self.segment = lru_cache(maxsize=CACHED_WORDS)(self._segment)

    @classmethod
    def load(cls, spec: dict[str, Any], source: Path, digest: str) -> "CompactUnigram | None":
        """The compact model of `spec` (the tokenizer.json at `source`, parsed; `digest`: its
        bytes' SHA-256), or None when it is not a large Unigram model with a normalizer and a
        pre-tokenizer, framed `<s> $A </s>`."""
        model = spec.get("model") or {}
        if model.get("type") != "Unigram" or model.get("byte_fallback") or len(model.get("vocab", ())) < MIN_PIECES \
                or model.get("unk_id") is None or not spec.get("normalizer") or not spec.get("pre_tokenizer"):
            return None
        if any(token.get("normalized") for token in spec.get("added_tokens", [])):
            return None  # matched after normalization: not what `encode` looks for
        framing = _framing(spec.get("post_processor"))
        return cls(spec, source, digest, framing) if framing else None

    def encode(self, text: str, max_length: int) -> Pieces:
        if any(token in text for token in self.added):
            return self._library(text, max_length)
        pre = self._pretokenized(text)
        pre.normalize(self.normalizer.normalize)
        self.pre_tokenizer.pre_tokenize(pre)
        pre.split(lambda _, word: [word[start:end] for start, end in self.segment(word.normalized)])
        splits = pre.get_splits(offset_referential="original", offset_type="char")
        (first, first_id), (last, last_id) = self.framing
        splits = splits[: max(0, max_length - 2)]
        ids, tokens, offsets = [first_id], [first], [(0, 0)]
        for piece, offset, _ in splits:
            ids.append(self.ids.get(piece, self.unk_id))
            tokens.append(piece)
            offsets.append(tuple(offset))
        return Pieces(ids + [last_id], tokens + [last], offsets + [(0, 0)])

    def _segment(self, word: str) -> list[tuple[int, int]]:
        """The best split of `word` into pieces, as (start, end) character ranges."""
        n = len(word)
        score: list[float | None] = [None] * (n + 1)
        start = [0] * (n + 1)
        unknown = [False] * (n + 1)
        score[0] = 0.0
        ids, scores, longest = self.ids, self.scores, self.longest
        for i in range(n):
            base = score[i]
            single = False
            for length in range(1, min(longest.get(word[i], 0), n - i) + 1):
                piece = ids.get(word[i:i + length])
                if piece is None:
                    continue
                candidate = scores[piece] + base
                end = i + length
                if score[end] is None or candidate > score[end]:  # the vocabulary's own <unk> fuses too
                    score[end], start[end], unknown[end] = candidate, i, piece == self.unk_id
                single = single or length == 1
            if not single:
                candidate = self.unk_score + base
                if score[i + 1] is None or candidate > score[i + 1]:
                    score[i + 1], start[i + 1], unknown[i + 1] = candidate, i, True
        ranges: list[tuple[int, int, bool]] = []
        end = n
        while end > 0:
            ranges.append((start[end], end, unknown[end]))
            end = start[end]
        fused: list[tuple[int, int]] = []
        was_unknown = False
        for begin, end, unk in reversed(ranges):
            if unk and was_unknown:
                fused[-1] = (fused[-1][0], end)
            else:
                fused.append((begin, end))
            was_unknown = unk
        return fused

    def _library(self, text: str, max_length: int) -> Pieces:
        """The full `tokenizers` model, loaded the first time a text needs it."""
        with self._lock:
            if self._full is None:
                from tokenizers import Tokenizer

                self._full = Tokenizer.from_str(self._source_text())
                self._full.no_padding()
            if (self._full.truncation or {}).get("max_length") != max_length:
                self._full.enable_truncation(max_length)
            e = self._full.encode(text, add_special_tokens=True)
        return Pieces(list(e.ids), list(e.tokens), [tuple(o) for o in e.offsets])


    def _source_text(self) -> str:
        import hashlib

        for path in reversed(self.sources):
            try:
                raw = path.read_bytes()
            except OSError:
                continue
            if hashlib.sha256(raw).hexdigest() == self.digest:
                return raw.decode("utf-8")
        raise FileNotFoundError(f"{self.sources[-1]} is gone or changed since it was loaded: "
                                "restart the server after `python cli.py train`")


def _framing(post: dict | None) -> tuple[tuple[str, int], tuple[str, int]] | None:
    """((first special, id), (last special, id)) for a TemplateProcessing `<s> $A </s>`."""
    if not post or post.get("type") != "TemplateProcessing":
        return None
    single = post.get("single") or []
    shape = [next(iter(item)) for item in single]
    if shape != ["SpecialToken", "Sequence", "SpecialToken"]:
        return None
    names = [single[0]["SpecialToken"]["id"], single[2]["SpecialToken"]["id"]]
    specials = post.get("special_tokens") or {}
    try:
        return tuple((name, int(specials[name]["ids"][0])) for name in names)  # type: ignore[return-value]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
