"""From encoded texts to padded tensors (dynamic padding) for training and the torch parser.

Tokenization itself is torch-free, in `nlu.encoding`."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from nlu.encoding import Encoded
from nlu.model import Batch


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
