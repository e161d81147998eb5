"""A small linear-chain CRF over word-level BIO tags (training loss only).

Decoding (Viterbi) and per-word marginals run in numpy in `nlu.decode`, on the
transition matrices this module exports, so inference stays pure and testable.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


class CRF(nn.Module):
    """Transition scores between K tags, plus start/end scores."""

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        self.start = nn.Parameter(torch.zeros(num_tags))  # [K]
        self.end = nn.Parameter(torch.zeros(num_tags))  # [K]
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))  # [K_from, K_to]

    def neg_log_likelihood(
        self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """-log p(tags | emissions) per sequence.

        emissions [B, W, K], tags [B, W], mask [B, W] (left-aligned, every row has
        at least one word) -> [B].
        """
        return self._log_partition(emissions, mask) - self._score(emissions, tags, mask)

    def _score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        maskf = mask.float()  # [B, W]
        emit = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # [B, W]
        trans = self.transitions[tags[:, :-1], tags[:, 1:]]  # [B, W-1]
        score = self.start[tags[:, 0]] + (emit * maskf).sum(1) + (trans * maskf[:, 1:]).sum(1)
        last = tags.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)  # [B]
        return score + self.end[last]

    def _log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        alpha = self.start + emissions[:, 0]  # [B, K]
        for t in range(1, emissions.size(1)):
            # [B, K_from, 1] + [K_from, K_to] + [B, 1, K_to] -> logsumexp over K_from
            nxt = torch.logsumexp(
                alpha.unsqueeze(2) + self.transitions + emissions[:, t].unsqueeze(1), dim=1
            )
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)  # [B]

    def export(self) -> dict[str, np.ndarray]:
        """Transition parameters as numpy arrays for `nlu.decode`."""
        return {
            "start": self.start.detach().cpu().numpy(),
            "end": self.end.detach().cpu().numpy(),
            "transitions": self.transitions.detach().cpu().numpy(),
        }
