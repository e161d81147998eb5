"""The joint model: one encoder, an intent head on the pooled message, a BIO tag head per word.

The intent head reads [CLS] (`intent_pooling: cls`) or the mean of all word pieces
(`mean`, how sentence-transformers such as the default MiniLM were trained).

Shapes: B = batch, T = word pieces, W = words, H = hidden size, I = intents,
K = BIO tags. Each word is represented by its first word piece (`word_pos`).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from nlu.crf import CRF

IGNORE = -100


@dataclass
class Batch:
    """Padded tensors for one mini-batch (labels absent at parse time)."""

    input_ids: torch.Tensor  # [B, T]
    attention_mask: torch.Tensor  # [B, T]
    word_pos: torch.Tensor  # [B, W] index of each word's first piece (0 = padding)
    word_mask: torch.Tensor  # [B, W] bool
    intents: torch.Tensor | None = None  # [B]
    tags: torch.Tensor | None = None  # [B, W]
    # [B, T, H] output of the frozen bottom layers, computed once (training with
    # `trainable_layers`, nlu/frozen.py); None: the whole encoder runs
    hidden: torch.Tensor | None = None

    def to(self, device: torch.device | str) -> "Batch":
        move = lambda t: None if t is None else t.to(device)  # noqa: E731
        return Batch(*(move(getattr(self, f)) for f in self.__dataclass_fields__))


def run_layers(encoder: nn.Module, hidden: torch.Tensor, attention_mask: torch.Tensor,
               start: int, stop: int | None = None) -> torch.Tensor:
    """[B, T, H] through layers start..stop of a BERT-style encoder, as its forward runs them."""
    from transformers.masking_utils import create_bidirectional_mask

    mask = create_bidirectional_mask(config=encoder.config, inputs_embeds=hidden,
                                     attention_mask=attention_mask)
    for layer in encoder.encoder.layer[start:stop]:
        out = layer(hidden, mask)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


class JointModel(nn.Module):
    """Encoder + intent classifier + tag classifier (+ optional CRF)."""

    def __init__(self, encoder: nn.Module, num_intents: int, num_tags: int,
                 dropout: float, use_crf: bool, intent_pooling: str) -> None:
        super().__init__()
        self.intent_pooling = intent_pooling
        hidden = encoder.config.hidden_size
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, num_intents)
        self.tag_head = nn.Linear(hidden, num_tags)
        self.crf = CRF(num_tags) if use_crf else None
        self.frozen_layers = 0  # bottom layers whose output `Batch.hidden` may carry

    def forward(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """Return intent logits [B, I] and word tag logits [B, W, K]."""
        if batch.hidden is not None:  # the frozen layers' output: run only the rest
            hidden = run_layers(self.encoder, batch.hidden, batch.attention_mask,
                                self.frozen_layers)
        else:
            hidden = self.encoder(
                input_ids=batch.input_ids, attention_mask=batch.attention_mask
            ).last_hidden_state  # [B, T, H]
        hidden = self.dropout(hidden)
        intent_logits = self.intent_head(self._pool(hidden, batch.attention_mask))  # [B, I]
        index = batch.word_pos.unsqueeze(2).expand(-1, -1, hidden.size(2))  # [B, W, H]
        words = hidden.gather(1, index)  # [B, W, H]
        return intent_logits, self.tag_head(words)  # [B, W, K]

    def _pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """[B, T, H] -> [B, H]: [CLS], or the mean over real (unpadded) word pieces."""
        if self.intent_pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask.unsqueeze(2).to(hidden.dtype)  # [B, T, 1]
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def loss(self, batch: Batch, intent_weights: torch.Tensor | None) -> torch.Tensor:
        """Intent cross-entropy + tag loss (CRF NLL or cross-entropy), both per-token means."""
        intent_logits, tag_logits = self(batch)
        loss = F.cross_entropy(intent_logits, batch.intents, weight=intent_weights)
        if batch.word_mask.any():
            loss = loss + self._tag_loss(tag_logits, batch)
        return loss

    def _tag_loss(self, tag_logits: torch.Tensor, batch: Batch) -> torch.Tensor:
        if self.crf is None:
            tags = batch.tags.masked_fill(~batch.word_mask, IGNORE)  # [B, W]
            return F.cross_entropy(tag_logits.flatten(0, 1), tags.flatten(), ignore_index=IGNORE)
        rows = batch.word_mask[:, 0]  # the CRF needs >= 1 word per sequence
        nll = self.crf.neg_log_likelihood(
            tag_logits[rows], batch.tags[rows], batch.word_mask[rows]
        )  # [B']
        return nll.sum() / batch.word_mask.sum()
