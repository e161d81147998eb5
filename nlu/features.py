"""From examples to tensors: tokenization with offsets, word alignment, batching."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import torch

from core.training_data import Example
from nlu.decode import Span, align_words, join_spanned, piece_offsets, split_words
from nlu.labels import Labels, word_tags
from nlu.model import Batch

if TYPE_CHECKING:
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


def encode_texts(tokenizer: "PreTrainedTokenizerFast", texts: Sequence[str],
                 max_length: int) -> list[Encoded]:
    """Tokenize with offsets (truncating safely) and align word pieces to words (a word
    being what `split_words` finds, joined where one piece spans several: "订单")."""
    if not texts:
        return []
    enc = tokenizer(list(texts), truncation=True, max_length=max_length,
                    return_offsets_mapping=True, add_special_tokens=True)
    out = []
    for i, (text, ids) in enumerate(zip(texts, enc["input_ids"])):
        offsets = piece_offsets(text, enc.tokens(i), enc["offset_mapping"][i])
        words = join_spanned(split_words(text), offsets)
        aligned = align_words(words, offsets)
        kept = [w for w, t in enumerate(aligned) if t >= 0]
        out.append(Encoded(list(ids), words, kept, [aligned[w] for w in kept]))
    return out


def encode_examples(tokenizer: "PreTrainedTokenizerFast", examples: Sequence[Example],
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


def collate(items: Sequence[Encoded], pad_id: int, with_labels: bool) -> Batch:
    """Pad a list of encoded texts into one `Batch` (dynamic padding)."""
    t_len = max(len(it.input_ids) for it in items)
    w_len = max(1, max(len(it.word_pos) for it in items))
    ids = torch.full((len(items), t_len), pad_id, dtype=torch.long)
    attn = torch.zeros((len(items), t_len), dtype=torch.long)
    pos = torch.zeros((len(items), w_len), dtype=torch.long)
    wmask = torch.zeros((len(items), w_len), dtype=torch.bool)
    tags = torch.zeros((len(items), w_len), dtype=torch.long)
    for row, it in enumerate(items):
        ids[row, : len(it.input_ids)] = torch.tensor(it.input_ids)
        attn[row, : len(it.input_ids)] = 1
        pos[row, : len(it.word_pos)] = torch.tensor(it.word_pos, dtype=torch.long)
        wmask[row, : len(it.word_pos)] = True
        tags[row, : len(it.tags)] = torch.tensor(it.tags, dtype=torch.long)
    if not with_labels:
        return Batch(ids, attn, pos, wmask)
    intents = torch.tensor([it.intent for it in items], dtype=torch.long)
    return Batch(ids, attn, pos, wmask, intents, tags)
