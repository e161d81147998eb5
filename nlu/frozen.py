"""Fine-tuning only the top layers of a deep encoder, with the frozen part computed once.

A 12-layer encoder such as multilingual-e5-small costs ~1.8 s per training step of 32
messages on 2 CPU cores when every layer is fine-tuned. With `trainable_layers: N`, the
embeddings and the bottom layers stay as pretrained: their output for each training message
never changes, so it is computed once before the first epoch (`bottom_states`, eval mode:
no dropout) and every step runs only the top N layers and the heads. Parsing still runs the
whole encoder (`JointModel.forward` without `Batch.hidden`): the weights are the same, so
are the results (checked in tests/nlu/test_frozen_layers.py).

Needs a BERT-style encoder (`embeddings`, `encoder.layer`): BertModel, which is what both
bundled encoders are.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
from torch import nn

from nlu.encoding import Encoded
from nlu.features import collate
from nlu.model import run_layers


def layer_count(encoder: nn.Module) -> int | None:
    """How many transformer layers a BERT-style encoder has (None: another architecture)."""
    layers = getattr(getattr(encoder, "encoder", None), "layer", None)
    if getattr(encoder, "embeddings", None) is None or not isinstance(layers, nn.ModuleList):
        return None
    return len(layers)


SHALLOW = 6  # encoders up to this deep fine-tune every layer unless told otherwise
DEEP_TRAINABLE = 4  # the top layers a deeper one fine-tunes by default


def frozen_count(encoder: nn.Module, trainable_layers: int | None) -> int:
    """How many bottom layers stay frozen (`NLUConfig.trainable_layers`; None: by depth)."""
    total = layer_count(encoder)
    if total is None:
        if trainable_layers is not None:
            logging.getLogger("switchboard.nlu").warning(
                "trainable_layers: %s is ignored: %s is not a BERT-style encoder "
                "(embeddings + encoder.layer); every layer is fine-tuned",
                trainable_layers, type(encoder).__name__)
        return 0
    if trainable_layers is None:
        trainable_layers = total if total <= SHALLOW else DEEP_TRAINABLE
    return max(0, total - trainable_layers)


def freeze_bottom(encoder: nn.Module, frozen: int) -> None:
    """No gradients for the embeddings and the bottom `frozen` layers."""
    if frozen <= 0:
        return
    for param in encoder.embeddings.parameters():
        param.requires_grad_(False)
    for layer in encoder.encoder.layer[:frozen]:
        for param in layer.parameters():
            param.requires_grad_(False)


@torch.no_grad()
def bottom_states(encoder: nn.Module, items: Sequence[Encoded], frozen: int, pad_id: int,
                  device: torch.device, batch_size: int = 64) -> list[torch.Tensor]:
    """Each item's hidden states after the frozen layers, unpadded: [T_i, H] (on CPU)."""
    was_training = encoder.training
    encoder.eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i].input_ids))  # less padding
    by_index: dict[int, torch.Tensor] = {}
    for lo in range(0, len(order), batch_size):
        chunk = order[lo:lo + batch_size]
        batch = collate([items[i] for i in chunk], pad_id, with_labels=False).to(device)
        hidden = encoder.embeddings(input_ids=batch.input_ids)
        hidden = run_layers(encoder, hidden, batch.attention_mask, 0, frozen)
        for row, index in enumerate(chunk):
            by_index[index] = hidden[row, :len(items[index].input_ids)].cpu()
    encoder.train(was_training)
    return [by_index[i] for i in range(len(items))]


def pad_states(states: Sequence[torch.Tensor], length: int) -> torch.Tensor:
    """Stack [T_i, H] states into [B, length, H], zeros after each message's end."""
    out = torch.zeros(len(states), length, states[0].size(1), dtype=states[0].dtype)
    for row, state in enumerate(states):
        out[row, :state.size(0)] = state
    return out
