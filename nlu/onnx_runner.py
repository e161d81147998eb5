"""The joint model's forward pass on ONNX Runtime (CPU): numpy in, numpy out, no torch.

`OnnxRunner.predict` is `nlu.inference.predict` for the files `nlu.onnx_export` writes:
the same length-sorted mini-batches, the same decoding (`nlu.decode.decode_rows`), so the
parser's answers do not depend on which runner it has.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlu.decode import RawPrediction, bio_constraints, decode_rows, in_length_order
from nlu.encoding import Encoded

ONNX_DIR = "onnx"
# the file each `quantize:` mode is served from (nlu.onnx_export writes them)
FILES = {"none": "model.onnx", "ffn": "model.int8-ffn.onnx", "all": "model.int8.onnx"}
FFN_NODES = ("intermediate/dense",)  # BERT's 384 -> 1536 expansion, as the exporter names it


def model_file(model_dir: Path, mode: str) -> Path | None:
    """The ONNX file for `quantize` mode `mode`; an int8 file missing beside the fp32 one (the
    mode changed after training) is made now, in the model directory or, read-only, a temp
    folder. None: the model has no ONNX export or onnxruntime is not installed."""
    folder = Path(model_dir) / ONNX_DIR
    fp32, wanted = folder / FILES["none"], folder / FILES[mode]
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    if wanted.is_file() or not fp32.is_file():
        return wanted if wanted.is_file() else None
    try:
        quantize_file(fp32, wanted, mode)
    except OSError:  # a read-only model directory
        import tempfile

        wanted = Path(tempfile.mkdtemp(prefix="switchboard-onnx-")) / FILES[mode]
        quantize_file(fp32, wanted, mode)
    return wanted


def data_file(path: Path) -> Path:
    """The file beside the ONNX file `path` that holds its tensors (`save_external`)."""
    return path.with_name(path.name + ".data")


def save_external(model, path: Path) -> None:
    """Write the ONNX `model` (a ModelProto) to `path` with its tensors in `data_file(path)`.

    ONNX Runtime memory-maps a file's external tensors instead of reading them into memory of
    its own: a session opens in a fraction of the time, the pages a forward pass never reads
    (most of a 250k-piece embedding table) stay on disk, and every process serving the file
    shares the pages it does read (multilingual-e5-small: 3.5 s -> 0.4 s to open, 527 -> 144 MB
    resident; BENCHMARKS.md). Both files are replaced by rename, so a session that has the old
    ones mapped keeps reading them.
    """
    import shutil
    import tempfile

    import onnx

    path = Path(path)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=".onnx-"))
    try:
        onnx.save_model(model, str(staging / path.name), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=data_file(path).name,
                        size_threshold=1024)
        data = staging / data_file(path).name
        if data.is_file():  # none when no tensor reaches the threshold
            data.chmod((staging / path.name).stat().st_mode & 0o777)  # onnx writes it owner-only
            data.replace(data_file(path))
        else:
            data_file(path).unlink(missing_ok=True)
        (staging / path.name).replace(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def externalize(path: Path) -> bool:
    """Give an ONNX file written with its tensors inline (an export made before
    `save_external`) its data file. False when there is nothing to move: it has its data file,
    no tensor is large enough, or it names a data file that is gone (a damaged export, which
    loading reports; `train --force` writes it anew)."""
    import onnx

    if data_file(path).is_file():
        return False
    graph = onnx.load(str(path), load_external_data=False).graph
    if any(t.data_location == onnx.TensorProto.EXTERNAL for t in graph.initializer) \
            or not any(len(t.raw_data) >= 1024 for t in graph.initializer):
        return False
    save_external(onnx.load(str(path)), path)
    return True


def refresh_export(model_dir: Path) -> None:
    """Bring the export of a model trained earlier to today's layout, without retraining:
    every ONNX file's tensors in its data file, the tokenizer.json canonical (read once with
    the sentence encoder's: nlu.encoding.canonical_file)."""
    from nlu.encoding import canonical_file

    for path in sorted((Path(model_dir) / ONNX_DIR).glob("*.onnx")):
        externalize(path)
    canonical_file(Path(model_dir) / "tokenizer" / "tokenizer.json")


def quantize_file(src: Path, dst: Path, mode: str) -> None:
    """Dynamic int8 weights: on every MatMul and Gather ("all") or the FFN MatMuls ("ffn");
    written with `save_external`."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = None
    if mode == "ffn":
        graph = onnx.load(str(src), load_external_data=False).graph
        nodes = [n.name for n in graph.node if n.op_type == "MatMul"
                 and any(part in n.name for part in FFN_NODES)]
        if not nodes:  # an architecture without BERT's names: int8 everywhere instead
            nodes = None
    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "consider pre-processing before quantization"
    tmp = dst.with_suffix(".tmp")
    try:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, nodes_to_quantize=nodes)
        save_external(onnx.load(str(tmp)), dst)
    finally:
        tmp.unlink(missing_ok=True)
        quiet.setLevel(level)


def configured_runtime() -> str:
    """env SWITCHBOARD_RUNTIME: "torch" keeps the parser and the sentence encoder on torch;
    unset or "auto": ONNX Runtime where the models have their export."""
    return os.environ.get("SWITCHBOARD_RUNTIME") or "auto"


def pad_id(model_dir: Path) -> int:
    """The tokenizer's padding id, as the export recorded it."""
    import json

    return int(json.loads((Path(model_dir) / ONNX_DIR / "export.json").read_text("utf-8"))["pad_id"])


def open_session(path: Path, threads: int | None = None):
    """An InferenceSession on the CPU; `threads` intra-op threads (None: one per core)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # no warnings about unused initializers and the like
    # idle intra-op threads sleep instead of spinning: a server's request threads, the
    # store and the other session need those cores (moodbot, 8 senders: 1.4x the messages
    # per CPU-second; one message at a time: the same latency; BENCHMARKS.md)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_session(session, input_ids: np.ndarray, attention_mask: np.ndarray,
                word_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(intent logits [B, I], tag logits [B, W, K])."""
    intent, tags = session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask,
                                      "word_pos": word_pos})
    return intent, tags


def pad(items: Sequence[Encoded], pad_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """input_ids, attention_mask [B, T] and word_pos [B, W] as int64 (dynamic padding)."""
    t_len = max(len(it.input_ids) for it in items)
    w_len = max(1, max(len(it.word_pos) for it in items))
    ids = np.full((len(items), t_len), pad_id, dtype=np.int64)
    attn = np.zeros((len(items), t_len), dtype=np.int64)
    pos = np.zeros((len(items), w_len), dtype=np.int64)
    for row, it in enumerate(items):
        ids[row, : len(it.input_ids)] = it.input_ids
        attn[row, : len(it.input_ids)] = 1
        pos[row, : len(it.word_pos)] = it.word_pos
    return ids, attn, pos


class OnnxRunner:
    """One ONNX file of a trained model, with its CRF and BIO decoding tables."""

    def __init__(self, path: Path, tags: Sequence[str], pad_id: int,
                 threads: int | None = None) -> None:
        self.path = Path(path)
        self.session = open_session(self.path, threads)
        crf_file = self.path.parent / "crf.npz"
        crf = dict(np.load(crf_file)) if crf_file.is_file() else None
        self.tables = (crf, bio_constraints(tags))
        self.pad_id = pad_id

    def predict(self, items: Sequence[Encoded], batch_size: int = 64) -> list[RawPrediction]:
        """Predictions for `items`, in their order."""
        crf, constraints = self.tables

        def run(chunk: list[Encoded]) -> list[RawPrediction]:
            intent, tags = run_session(self.session, *pad(chunk, self.pad_id))
            return decode_rows(intent, tags, [len(it.word_pos) for it in chunk], crf, constraints)

        return in_length_order(items, batch_size, run)
