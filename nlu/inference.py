"""Forward pass over encoded texts, in length-sorted mini-batches, returning numpy.

Shared by the trainer (dev scores) and the parser's torch runner (`TorchRunner`), so both
decode identically; `nlu.onnx_runner` is the same on ONNX Runtime.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from nlu.decode import RawPrediction, bio_constraints, decode_rows, in_length_order
from nlu.encoding import Encoded
from nlu.features import collate
from nlu.model import JointModel


def resolve_device(device: str | torch.device) -> torch.device:
    """"auto" is CUDA when present, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def decoding_tables(model: JointModel, tags: Sequence[str]):
    """(CRF parameters as numpy, BIO constraint matrices): fixed for a trained model, so a
    parser builds them once; training rebuilds them per evaluation (the CRF changes)."""
    return (model.crf.export() if model.crf is not None else None), bio_constraints(tags)


@torch.inference_mode()
def predict(model: JointModel, items: Sequence[Encoded], tags: Sequence[str], pad_id: int,
            device: torch.device | str, batch_size: int = 64, tables=None) -> list[RawPrediction]:
    """Run the model on `items` (any order in, same order out); decode valid BIO only.
    `tables`: `decoding_tables(model, tags)` if the caller keeps them."""
    was_training = model.training
    if was_training:  # eval() walks every submodule: too slow to do per parsed message
        model.eval()
    crf, constraints = tables if tables is not None else decoding_tables(model, tags)

    def run(chunk: list[Encoded]) -> list[RawPrediction]:
        batch = collate(chunk, pad_id, with_labels=False).to(device)
        intent_logits, tag_logits = model(batch)  # [B, I], [B, W, K]
        return decode_rows(intent_logits.float().cpu().numpy(), tag_logits.float().cpu().numpy(),
                           [len(it.word_pos) for it in chunk], crf, constraints)

    results = in_length_order(items, batch_size, run)
    if was_training:
        model.train()
    return results


FFN_LAYERS = ("intermediate.dense",)  # BERT's 384 -> 1536 expansion in every layer


def quantize_encoder(module: torch.nn.Module, mode: str) -> torch.nn.Module:
    """Dynamic int8 for the encoder's Linear layers: all of them, or the FFN expansions."""
    import warnings

    if mode == "ffn":
        spec = {name for name, layer in module.named_modules()
                if isinstance(layer, torch.nn.Linear) and name.endswith(FFN_LAYERS)}
        if not spec:  # an architecture without BERT's names: stay fp32
            return module
    else:
        spec = {torch.nn.Linear}
    with warnings.catch_warnings():  # torch.ao.quantization announces its successor
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(module, spec, dtype=torch.qint8)


class TorchRunner:
    """A trained model in torch. On CPU its encoder is quantized as `mode` says ("none",
    "ffn", "all"), then traced and frozen (`nlu.traced`); on a GPU it runs as trained."""

    def __init__(self, model_dir: Path, device: str, mode: str) -> None:
        from nlu.artifact import load_artifact
        from nlu.traced import trace_encoder

        self.device = resolve_device(device)
        self.artifact = load_artifact(Path(model_dir), str(self.device))
        config = self.artifact.config
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        model = self.artifact.model
        if self.device.type == "cpu":
            if mode != "none":
                model.encoder = quantize_encoder(model.encoder, mode)
            model.encoder = trace_encoder(model.encoder)
        self.tags = self.artifact.labels.tags
        self.tables = decoding_tables(model, self.tags)
        self.pad_id = self.artifact.tokenizer.pad_token_id or 0

    def predict(self, items: Sequence[Encoded], batch_size: int = 64) -> list[RawPrediction]:
        return predict(self.artifact.model, items, self.tags, self.pad_id, self.device,
                       batch_size, self.tables)
