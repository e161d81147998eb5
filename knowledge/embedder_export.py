"""The sentence encoder as ONNX, for serving the knowledge index and the FAQ selector without
torch (`knowledge.embedder.SentenceEmbedder(onnx_dir=...)`). Written by `cli.py train`
into `models/sentence_encoder/`:

    model.onnx       fp32: input_ids, attention_mask (and token_type_ids where the model
                     reads them) [B, T] -> last_hidden_state [B, T, H]; B and T dynamic
    model.onnx.data  its tensors, memory-mapped when served (nlu.onnx_runner.save_external)
    tokenizer.json   the encoder's fast tokenizer
    export.json      the encoder's name, the pad id, and the check: the largest cosine
                     distance between torch's and ONNX's vectors on everyday texts

fp32, not int8: stored passage and example vectors were made in torch, and the thresholds
(`min_score`, the selector's similarity) are set on its scale. Nothing is written when the
check fails; the embedder then stays on torch.
"""
from __future__ import annotations

import json
import logging
import shutil
import warnings
from pathlib import Path


from knowledge.embedder import CENTERING_TEXTS, EXPORT_FILE, SentenceEmbedder, exported
from nlu.encoding import canonical_file
from nlu.onnx_runner import externalize

log = logging.getLogger(__name__)
TOLERANCE = 1e-4  # largest 1 - cosine(torch, onnx) accepted


def ensure_export(name_or_path: str, folder: Path) -> bool:
    """`folder` holds the export of `name_or_path` afterwards (made now if it did not)."""
    if exported(folder, name_or_path):
        externalize(folder / EXPORT_FILE)  # an export made with its tensors inline
        canonical_file(folder / "tokenizer.json")  # or its tokenizer as transformers left it
        return True
    try:
        import onnx  # noqa: F401 - the exporter needs it
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        log.warning("no ONNX export of the sentence encoder (%s): it will run on torch", exc)
        return False
    import torch

    embedder = SentenceEmbedder(name_or_path)  # torch
    forward = embedder._forward
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    sample = forward.tokenizer(list(CENTERING_TEXTS[:4]), padding=True, return_tensors="pt")
    names = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in sample]

    class Forward(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model(**dict(zip(names, tensors))).last_hidden_state

    axes = {n: {0: "batch", 1: "pieces"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "pieces"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(Forward(forward.model).eval(), tuple(sample[n] for n in names),
                          str(tmp / EXPORT_FILE), dynamo=False, input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17)
    externalize(tmp / EXPORT_FILE)
    forward.tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
    canonical_file(tmp / "tokenizer.json")  # the same bytes as the NLU model's, read once
    pad_id = forward.tokenizer.pad_token_id or 0
    (tmp / "export.json").write_text(json.dumps({"encoder": name_or_path, "pad_id": pad_id}) + "\n",
                                     encoding="utf-8")
    texts = list(CENTERING_TEXTS)
    expected = embedder.embed(texts)
    got = SentenceEmbedder(name_or_path, onnx_dir=tmp).embed(texts)
    distance = float(1 - (expected * got).sum(1).min())
    if distance > TOLERANCE:
        log.warning("the sentence encoder's ONNX export differs from torch (cosine distance "
                    "%.3g): it will run on torch", distance)
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    (tmp / "export.json").write_text(json.dumps(
        {"encoder": name_or_path, "pad_id": pad_id, "texts": len(texts),
         "max_cosine_distance": round(distance, 8)}, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return True
