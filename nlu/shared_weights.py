"""One copy in memory of a word-embedding table that two served ONNX models hold alike.

The bilingual example serves two multilingual-e5-small models: the joint NLU model and the
sentence encoder of the knowledge index and FAQ selector. The NLU model trains with its
word-piece embeddings frozen (`freeze_embeddings`, the default), so both files hold the same
250k x 384 table: 370 MB in fp32, once per ONNX Runtime session. Each export records its
table's name and SHA-256 (`embedding_record`, in its export.json). When the files to be served
record the same digest, the table is read once and handed to every session as its initializer
(`SessionOptions.add_initializer`), instead of each session keeping its own copy.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SUFFIX = "word_embeddings.weight"


def embedding_record(path: Path) -> dict[str, str] | None:
    """{"name", "sha256"} of the word-embedding initializer of the ONNX file at `path`."""
    import onnx
    from onnx import numpy_helper

    for tensor in onnx.load(str(path)).graph.initializer:
        if tensor.name.endswith(SUFFIX):
            table = numpy_helper.to_array(tensor)
            return {"name": tensor.name, "sha256": hashlib.sha256(table.tobytes()).hexdigest()}
    return None


def recorded(folder: Path, onnx_file: str) -> tuple[Path, dict | None] | None:
    """(the ONNX file, the embedding record its folder's export.json holds, None in an older
    export) for `shared_initializers`; None when the folder has no such export."""
    import json

    meta_file = folder / "export.json"
    if not meta_file.is_file() or not (folder / onnx_file).is_file():
        return None
    return folder / onnx_file, json.loads(meta_file.read_text("utf-8")).get("word_embeddings")


def shared_initializers(files: Sequence[tuple[Path, dict | None]]) -> list[dict[str, Any]]:
    """For each (ONNX file, its embedding record or None): the initializers its session takes
    from the shared tables ({} for a file whose table no other file has)."""
    digests = [record["sha256"] if record else None for _, record in files]
    values: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    for (path, record), digest in zip(files, digests):
        if digest is None or digests.count(digest) < 2:
            out.append({})
            continue
        if digest not in values:
            values[digest] = _table(path, record["name"])
        out.append({record["name"]: values[digest]})
    return out


def _table(path: Path, name: str):
    import gc

    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    model = onnx.load(str(path))
    tensor = next(t for t in model.graph.initializer if t.name == name)
    table = np.ascontiguousarray(numpy_helper.to_array(tensor))
    del model, tensor
    gc.collect()  # the 470 MB protobuf, before the sessions allocate
    return ort.OrtValue.ortvalue_from_numpy(table)  # keeps `table` alive


def ensure_record(folder: Path, onnx_file: str) -> None:
    """Add the embedding record to `folder/export.json` where an export made before the
    record existed lacks it (so a model trained earlier shares too, without retraining)."""
    import json

    meta_file = folder / "export.json"
    if not meta_file.is_file() or not (folder / onnx_file).is_file():
        return
    meta = json.loads(meta_file.read_text("utf-8"))
    if "word_embeddings" in meta:
        return
    meta["word_embeddings"] = embedding_record(folder / onnx_file)
    meta_file.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
