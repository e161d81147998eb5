"""Sentence embeddings for retrieval: mean-pooled, L2-normalised encoder output.

The default is the packaged all-MiniLM-L6-v2 (a sentence-similarity model, unlike the
fine-tuned NLU encoder); projects whose config lists Chinese get multilingual-e5-small
(`nlu.config.default_encoder`); any Hugging Face name or local path works the same way.

e5 models were trained with a prefix on every text: "query: " on questions (and on both
sides of a symmetric comparison, as the FAQ selector's message-to-example one),
"passage: " on documents. `embed` is the query side, `embed_passages` the document side;
for other encoders both are the same.

e5's vectors also share one large common direction: unrelated texts score 0.7-0.85, so
the thresholds set on MiniLM's scale (domain.yml `min_score` 0.3, the FAQ selector's
`MIN_SIMILARITY` 0.45) would let everything through and the bot would answer off-topic
questions. For e5 the mean vector of `CENTERING_TEXTS` is subtracted and the result
renormalised, which puts on- and off-topic scores where MiniLM's are (BENCHMARKS.md,
"Multilingual encoder"). Changing those texts changes every e5 vector: bump
`CENTERING_VERSION`, which is part of `retrieval_name`, so indexes are rebuilt.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from nlu.config import DEFAULT_ENCODER
from nlu.encoder import load_tokenizer, resolve_encoder

# "multilingual-e5-small", "intfloat/e5-base-v2", "models/multilingual-e5-large", …
_E5 = re.compile(r"(^|[/\\])(multilingual-)?e5-(small|base|large)", re.IGNORECASE)
CENTERING_VERSION = 1
# Everyday English and Chinese, none of it from the example project's data or tests.
CENTERING_TEXTS = (
    "hello", "thanks a lot", "I need help with my account", "the weather is nice today",
    "my package never arrived", "how much does shipping cost", "can I pay with paypal",
    "the meeting is moved to Monday", "I love this song", "please call me back",
    "what time do you open", "this is the worst service ever", "our office is in Berlin",
    "Python is a programming language", "the cat sat on the mat",
    "refunds take five business days", "你好", "谢谢", "我的账户登不上去了", "今天天气很好",
    "快递一直没到", "运费是多少", "可以用支付宝付款吗", "会议改到周一了", "我很喜欢这首歌",
    "请给我回电话", "你们几点开门", "服务太差了", "我们的办公室在北京", "猫坐在垫子上",
    "退款需要五个工作日", "这本书很有意思",
)


def is_e5(name_or_path: str) -> bool:
    return bool(_E5.search(name_or_path.strip()))


def e5_prefixes(name_or_path: str) -> tuple[str, str]:
    """(query prefix, passage prefix): e5's for an e5 model, none otherwise."""
    return ("query: ", "passage: ") if is_e5(name_or_path) else ("", "")


def retrieval_name(name_or_path: str) -> str:
    """What stored vectors depend on: the encoder, and for e5 the centering."""
    return f"{name_or_path}+centered-v{CENTERING_VERSION}" if is_e5(name_or_path) else name_or_path


EXPORT_FILE = "model.onnx"  # in `models/sentence_encoder/`, written by train (knowledge.embedder_export)


def exported(folder: Path | None, name_or_path: str) -> bool:
    """Whether `folder` holds the ONNX export of `name_or_path` (and onnxruntime is there)."""
    if folder is None or not (Path(folder) / EXPORT_FILE).is_file():
        return False
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    from nlu.onnx_runner import data_file

    graph_only = (Path(folder) / EXPORT_FILE).stat().st_size < 16 * 1024 * 1024
    if graph_only and not data_file(Path(folder) / EXPORT_FILE).is_file():
        return False  # its tensors are gone: `train` exports it again, serving stays on torch
    meta = json.loads((Path(folder) / "export.json").read_text("utf-8"))
    return meta.get("encoder") == name_or_path


class SentenceEmbedder:
    """`onnx_dir`: a folder `knowledge.embedder_export` wrote for this encoder; then the
    encoder runs on ONNX Runtime and neither torch nor transformers is imported."""

    def __init__(self, name_or_path: str = DEFAULT_ENCODER, max_length: int = 256,
                 onnx_dir: Path | None = None):
        self.name = name_or_path
        self.max_length = max_length
        self.query_prefix, self.passage_prefix = e5_prefixes(name_or_path)
        if exported(onnx_dir, name_or_path):
            self._forward = _OnnxForward(Path(onnx_dir), max_length)
            self.runtime = "onnx"
        else:
            self._forward = _TorchForward(name_or_path, max_length)
            self.runtime = "torch"
        self.center = None  # [H]: e5's common direction, subtracted from every vector
        if is_e5(name_or_path):
            self.center = self.embed(list(CENTERING_TEXTS)).mean(0)

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Queries (and FAQ examples): one unit vector per text."""
        return self._embed([self.query_prefix + t for t in texts], batch_size)

    def embed_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Documents to be retrieved (knowledge passages)."""
        return self._embed([self.passage_prefix + t for t in texts], batch_size)

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = [self._forward(texts[start:start + batch_size])
               for start in range(0, len(texts), batch_size)]
        if not out:
            return np.zeros((0, 1), dtype=np.float32)
        vectors = np.concatenate(out)  # [N, H]
        if self.center is not None:
            vectors = vectors - self.center
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-9)
        return vectors


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """[B, T, H] and [B, T] -> unit vectors [B, H]: the mean over real word pieces."""
    mask = mask[..., None].astype(np.float32)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clip(min=1e-9)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(min=1e-12)


class _TorchForward:
    """texts -> unit vectors with the Hugging Face model in torch."""

    def __init__(self, name_or_path: str, max_length: int) -> None:
        import torch
        from transformers import AutoModel

        from nlu.encoder import _is_local, _quiet_transformers

        _quiet_transformers()
        path = resolve_encoder(name_or_path)
        self.tokenizer = load_tokenizer(name_or_path)
        self.model = AutoModel.from_pretrained(path, local_files_only=_is_local(path)).eval()
        self.max_length = max_length
        self._torch = torch

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._torch.inference_mode():
            batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                                   return_tensors="pt")
            hidden = self.model(**batch).last_hidden_state
        return mean_pool(hidden.numpy(), batch["attention_mask"].numpy())


class _OnnxForward:
    """texts -> unit vectors with the exported encoder on ONNX Runtime."""

    def __init__(self, folder: Path, max_length: int) -> None:
        from nlu.encoding import load_tokenizer_file
        from nlu.onnx_runner import open_session

        meta = json.loads((folder / "export.json").read_text("utf-8"))
        self.tokenizer = load_tokenizer_file(folder, max_length)
        self.session = open_session(folder / EXPORT_FILE)
        self.pad_id = int(meta["pad_id"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def __call__(self, texts: list[str]) -> np.ndarray:
        pieces = [e.ids for e in self.tokenizer.encode_batch(texts)]
        width = max(len(p) for p in pieces)
        ids = np.full((len(pieces), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(pieces), width), dtype=np.int64)
        for row, p in enumerate(pieces):
            ids[row, :len(p)], mask[row, :len(p)] = p, 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        return mean_pool(hidden, mask)
