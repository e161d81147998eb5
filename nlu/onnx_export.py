"""The trained joint model as ONNX, so that serving needs neither torch nor transformers
(`nlu.onnx_runner`). Written at train time next to the weights:

    onnx/model.onnx           fp32 (`quantize: none`, the default): encoder and both heads.
                              Inputs input_ids, attention_mask [B, T] and word_pos [B, W]
                              (int64); outputs intent_logits [B, I] and tag_logits [B, W, K].
                              Every axis but I and K is dynamic.
    onnx/<file>.onnx.data     each file's tensors, memory-mapped when served
                              (nlu.onnx_runner.save_external)
    onnx/model.int8-ffn.onnx  dynamic int8 weights (onnxruntime.quantization) on the
                              feed-forward expansions only: `quantize: ffn`
    onnx/model.int8.onnx      dynamic int8 on every MatMul and the embedding table:
                              `quantize: all`, or `true`
    onnx/crf.npz              the CRF's start, end and transition scores (absent without CRF)
    onnx/export.json          the pad id, and what the export checked: torch against each
                              ONNX file on training texts (largest logit difference, intent
                              agreement)

The fp32 file must reproduce torch (logits within `TOLERANCE`) or nothing is written and
the parser keeps torch: an architecture the exporter gets wrong never changes an answer.
"""
from __future__ import annotations

import json
import logging
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nlu.encoding import Encoded
from nlu.features import collate
from nlu.model import Batch, JointModel
from nlu.onnx_runner import FILES, ONNX_DIR, data_file, externalize, quantize_file

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "word_pos")
OUTPUTS = ("intent_logits", "tag_logits")
TOLERANCE = 1e-3  # largest |torch - onnx| fp32 logit accepted
OPSET = 17
CHECK_TEXTS = 256  # training texts the ONNX files are checked on against torch


class _Forward(nn.Module):
    """JointModel.forward with positional tensors, as the exporter needs them."""

    def __init__(self, model: JointModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                word_pos: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model(Batch(input_ids, attention_mask, word_pos, word_pos > 0))


def write_onnx(model_dir: Path, model: JointModel, sample: Sequence[Encoded], pad_id: int,
               quantize: str) -> bool:
    """`model_dir/onnx/`: fp32 plus the int8 file `quantize` names, checked on up to
    `CHECK_TEXTS` of `sample` spread over it; False when not written."""
    step = max(1, len(sample) // CHECK_TEXTS)
    return export_onnx(model, list(sample)[::step][:CHECK_TEXTS], pad_id, Path(model_dir),
                       modes=(quantize,)) is not None


def add_export(model_dir: Path, texts: Sequence[str]) -> bool:
    """The export for a model trained before there was one (checked on `texts`)."""
    from nlu.artifact import load_artifact
    from nlu.encoding import encode_texts

    artifact = load_artifact(Path(model_dir))
    items = encode_texts(artifact.tokenizer, list(texts), artifact.config.max_length)
    return write_onnx(Path(model_dir), artifact.model, items, artifact.tokenizer.pad_token_id or 0,
                      artifact.config.quantize_mode)


def export_onnx(model: JointModel, items: Sequence[Encoded], pad_id: int, out_dir: Path,
                modes: Sequence[str] = ("none",)) -> dict[str, Any] | None:
    """Write `out_dir/onnx/` (fp32 plus the int8 files of `modes`) and return what
    export.json holds; None (and nothing written) when onnx/onnxruntime are missing or the
    fp32 graph does not reproduce torch on `items` (a sample of the training texts)."""
    try:
        import onnx  # noqa: F401 - the exporter and the quantizer need it
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        log.warning("no ONNX export (%s): the model will be served with torch", exc)
        return None
    target = Path(out_dir) / ONNX_DIR
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    was_training, device = model.training, next(model.parameters()).device
    model.to("cpu").eval()
    batch = _batch(items, pad_id)
    try:
        _export(model, _batch(items[:64], pad_id), target / FILES["none"])
        with torch.inference_mode():
            expected = [t.numpy() for t in model(batch)]
    finally:
        model.to(device).train(was_training)
    report: dict[str, Any] = {"texts": len(items), "pad_id": pad_id, "files": {}}
    checked = _compare(target / FILES["none"], batch, expected)
    report["files"]["none"] = checked
    if checked["max_logit_diff"] > TOLERANCE:
        log.warning("ONNX export differs from torch by %.4g on the training texts: the model "
                    "will be served with torch", checked["max_logit_diff"])
        shutil.rmtree(target, ignore_errors=True)
        return None
    for mode in modes:
        if mode != "none":
            quantize_file(target / FILES["none"], target / FILES[mode], mode)
            report["files"][mode] = _compare(target / FILES[mode], batch, expected)
    if model.crf is not None:
        np.savez(target / "crf.npz", **model.crf.export())
    (target / "export.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _batch(items: Sequence[Encoded], pad_id: int) -> Batch:
    return collate(list(items), pad_id, with_labels=False)


def _export(model: JointModel, batch: Batch, path: Path) -> None:
    axes = {"input_ids": {0: "batch", 1: "pieces"}, "attention_mask": {0: "batch", 1: "pieces"},
            "word_pos": {0: "batch", 1: "words"}, "intent_logits": {0: "batch"},
            "tag_logits": {0: "batch", 1: "words"}}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow
        torch.onnx.export(_Forward(model).eval(), (batch.input_ids, batch.attention_mask, batch.word_pos),
                          str(path), dynamo=False, input_names=list(INPUTS),
                          output_names=list(OUTPUTS), dynamic_axes=axes, opset_version=OPSET)
    externalize(path)


def _compare(path: Path, batch: Batch, expected: list[np.ndarray]) -> dict[str, Any]:
    """Largest logit difference (real words only) and intent agreement against torch."""
    from nlu.onnx_runner import open_session, run_session

    intent, tags = run_session(open_session(path), batch.input_ids.numpy(),
                               batch.attention_mask.numpy(), batch.word_pos.numpy())
    words = batch.word_mask.numpy()
    diff = max(float(np.abs(intent - expected[0]).max()),
               float(np.abs(tags - expected[1])[words].max()) if words.any() else 0.0)
    agree = float((intent.argmax(1) == expected[0].argmax(1)).mean())
    return {"file": path.name, "max_logit_diff": round(diff, 6), "intent_agreement": agree,
            "bytes": path.stat().st_size + data_file(path).stat().st_size}
