"""From texts to word pieces aligned with words: tokenization with offsets, no torch.

Training (`nlu.features`) and both parsers (torch and ONNX Runtime) encode through here, so a
text becomes the same pieces everywhere. The tokenizer is either a transformers fast
tokenizer (training, the torch parser) or a `PieceTokenizer` over the bare tokenizers
library, read from the model's `tokenizer.json` (the ONNX parser and sentence encoder:
transformers' import pulls in torch).
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.training_data import Example
from nlu.decode import Span, align_words, join_spanned, piece_offsets, split_words
from nlu.labels import Labels, word_tags
from nlu.unigram import CompactUnigram

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast


@dataclass(frozen=True)
class Encoded:
    """One tokenized text: pieces, the words that got a piece, and (if known) labels."""

    input_ids: list[int]
    words: list[Span]  # all words of the text (those one piece spans joined: CJK pieces)
    kept: list[int]  # indices into `words` of words that have a first piece
    word_pos: list[int]  # first-piece position of each kept word
    intent: int = 0
    tags: tuple[int, ...] = ()  # one per kept word


def encode_texts(tokenizer: "PreTrainedTokenizerFast | PieceTokenizer", texts: Sequence[str],
                 max_length: int) -> list[Encoded]:
    """Tokenize with offsets (truncating safely) and align word pieces to words (a word
    being what `split_words` finds, joined where one piece spans several: "订单")."""
    if not texts:
        return []
    out = []
    for text, (ids, tokens, raw_offsets) in zip(texts, _pieces(tokenizer, texts, max_length)):
        offsets = piece_offsets(text, tokens, raw_offsets)
        words = join_spanned(split_words(text), offsets)
        aligned = align_words(words, offsets)
        kept = [w for w, t in enumerate(aligned) if t >= 0]
        out.append(Encoded(list(ids), words, kept, [aligned[w] for w in kept]))
    return out


def encode_examples(tokenizer: "PreTrainedTokenizerFast | PieceTokenizer", examples: Sequence[Example],
                    labels: Labels, max_length: int) -> list[Encoded]:
    """`encode_texts` plus intent and per-kept-word tag ids."""
    intent_ids = {n: i for i, n in enumerate(labels.intents)}
    tag_ids = {n: i for i, n in enumerate(labels.tags)}
    out = []
    for ex, enc in zip(examples, encode_texts(tokenizer, [e.text for e in examples], max_length)):
        tags = word_tags(enc.words, ex.entities)
        out.append(replace(enc, intent=intent_ids.get(ex.intent, -1),
                           tags=tuple(tag_ids.get(tags[w], 0) for w in enc.kept)))
    return out


class PieceTokenizer:
    """A bare `tokenizers.Tokenizer` truncating at `max_length` pieces (special ones
    included) and never padding, as transformers' call with `truncation=True,
    max_length=...` does. Tokenizers read from identical files (`canonical_file`) are one
    object in memory, shared by the parser and the sentence encoder whatever their lengths:
    the truncation is set under a lock at each call. A large Unigram vocabulary (e5's 250k
    pieces: ~285 MB in `tokenizers`) is segmented by `nlu.unigram.CompactUnigram` instead, in
    ~90 MB, with the same pieces and offsets."""

    _shared: dict[str, tuple["Tokenizer | CompactUnigram", threading.Lock]] = {}

    def __init__(self, path: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        raw = Path(path).read_bytes()
        key = hashlib.sha256(raw).hexdigest()  # files are written canonical: `canonical_file`
        if key not in self._shared:
            spec = json.loads(raw)
            tokenizer = CompactUnigram.load(spec, Path(path), key)
            if tokenizer is None:
                tokenizer = Tokenizer.from_file(str(path))
                tokenizer.no_truncation()  # set per call; never padding
                tokenizer.no_padding()
            self._shared[key] = (tokenizer, threading.Lock())
        self.tokenizer, self._lock = self._shared[key]
        if isinstance(self.tokenizer, CompactUnigram) and Path(path) not in self.tokenizer.sources:
            self.tokenizer.sources.append(Path(path))
        self.max_length = max_length

    def encode_batch(self, texts: Sequence[str]) -> list:
        """One encoding per text (`tokenizers.Encoding` or `nlu.unigram.Pieces`: ids,
        tokens, offsets), special pieces added."""
        if isinstance(self.tokenizer, CompactUnigram):
            return [self.tokenizer.encode(text, self.max_length) for text in texts]
        with self._lock:
            if (self.tokenizer.truncation or {}).get("max_length") != self.max_length:
                self.tokenizer.enable_truncation(self.max_length)
            return self.tokenizer.encode_batch(list(texts), add_special_tokens=True)


CANONICAL_START = '{\n "version"'  # json.dumps(indent=1) of tokenizers' layout


def canonical_file(path: Path) -> bool:
    """Rewrite the tokenizer.json at `path` without truncation and padding (`PieceTokenizer`
    sets them per call) and in one layout, so that the files two models hold of one tokenizer
    are the same bytes and are read once; False when it was canonical already."""
    with open(path, "rb") as f:  # `train` asks on every run: a canonical file says so at its top
        head = f.read(256).decode("utf-8", "ignore")
    if head.startswith(CANONICAL_START) and '"truncation": null' in head and '"padding": null' in head:
        return False
    raw = Path(path).read_text("utf-8")
    spec = json.loads(raw)
    spec["truncation"] = spec["padding"] = None
    text = json.dumps(spec, ensure_ascii=False, indent=1) + "\n"
    if text == raw:
        return False
    tmp = Path(path).with_suffix(".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(Path(path).stat().st_mode & 0o777)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def load_tokenizer_file(tokenizer_dir: Path, max_length: int) -> PieceTokenizer:
    """The `tokenizer.json` in `tokenizer_dir`, truncating at `max_length` pieces."""
    return PieceTokenizer(Path(tokenizer_dir) / "tokenizer.json", max_length)


def _pieces(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[tuple[list[int], list[str], list[tuple[int, int]]]]:
    """(piece ids, piece strings, character offsets) per text."""
    if isinstance(tokenizer, PieceTokenizer):
        return [(e.ids, e.tokens, e.offsets) for e in tokenizer.encode_batch(texts)]
    enc = tokenizer(list(texts), truncation=True, max_length=max_length,
                    return_offsets_mapping=True, add_special_tokens=True)
    return [(enc["input_ids"][i], enc.tokens(i), enc["offset_mapping"][i]) for i in range(len(texts))]
