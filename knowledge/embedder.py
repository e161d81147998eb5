"""Sentence embeddings for retrieval: mean-pooled, L2-normalised encoder output.

The default is the packaged all-MiniLM-L6-v2 (a sentence-similarity model, unlike the
fine-tuned NLU encoder); any Hugging Face name or local path works the same way.
"""
from __future__ import annotations

import numpy as np

from nlu.encoder import load_tokenizer, resolve_encoder
from nlu.config import DEFAULT_ENCODER


class SentenceEmbedder:
    def __init__(self, name_or_path: str = DEFAULT_ENCODER, max_length: int = 256):
        import torch
        from transformers import AutoModel

        from nlu.encoder import _is_local, _quiet_transformers

        _quiet_transformers()
        path = resolve_encoder(name_or_path)
        self.name = name_or_path
        self.tokenizer = load_tokenizer(name_or_path)
        self.model = AutoModel.from_pretrained(path, local_files_only=_is_local(path)).eval()
        self.max_length = max_length
        self._torch = torch

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        torch = self._torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = self.tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(out) if out else np.zeros((0, 1), dtype=np.float32)
