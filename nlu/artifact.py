"""The trained model on disk: one self-contained, versioned directory.

Layout of `models/<name>/`::

    metadata.json      format_version, fingerprint, labels, metrics, library versions
    nlu_config.json    the NLUConfig it was trained with
    patterns.json      regexes, lookup tables and synonyms used at parse time
    encoder/           encoder config.json (architecture only)
    tokenizer/         fast tokenizer files
    model.safetensors  all weights: encoder + heads + CRF
    onnx/              the same model for ONNX Runtime, fp32 and int8 (`nlu.onnx_export`)

Loading checks `format_version` first and refuses other versions with
`IncompatibleModelError`. `fingerprint` hashes exactly what training reads, so the
CLI can skip retraining when neither the NLU data nor the NLU config changed.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import artifact_meta
from core.training_data import TrainingData
from nlu.config import NLUConfig
from nlu.encoding import canonical_file
from nlu.errors import IncompatibleModelError, ModelNotFoundError
from nlu.labels import Labels

if TYPE_CHECKING:
    from collections.abc import Sequence

    from transformers import PreTrainedTokenizerFast

    from nlu.encoding import Encoded
    from nlu.model import JointModel

FORMAT_VERSION = 1
METADATA_FILE = "metadata.json"
_NOT_FINGERPRINTED = {"device", "num_threads", "quantize"}  # where it runs, not what it learns


def fingerprint(data: TrainingData, config: NLUConfig) -> str:
    """sha256 over NLU examples, synonyms, regexes, lookups and the NLU config.

    Responses, stories and rules are not part of it. Example order is included
    because shuffling (and so the trained model) depends on it.
    """
    payload = {
        "format_version": FORMAT_VERSION,
        "examples": [
            [e.text, e.intent,
             [[s.start, s.end, s.entity, s.value, s.role, s.group] for s in e.entities]]
            for e in data.examples
        ],
        "synonyms": sorted(data.synonyms.items()),
        "regexes": [[r.name, r.pattern] for r in data.regexes],
        "lookups": [[t.name, list(t.elements)] for t in data.lookups],
        "config": {k: v for k, v in config.to_dict().items() if k not in _NOT_FINGERPRINTED
                   # added later: off, it trains as before, so older models stay up to date
                   and not (k == "length_buckets" and not v)},
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def read_metadata(model_dir: Path) -> dict[str, Any]:
    """Read and version-check `metadata.json`; clear errors for missing/incompatible models."""
    path = Path(model_dir) / METADATA_FILE
    if not path.is_file():
        raise ModelNotFoundError(
            f"no trained NLU model at {model_dir} (missing {METADATA_FILE}); run `python cli.py train` first"
        )
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IncompatibleModelError(f"{path} is not valid JSON ({exc}); retrain the model") from exc
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"NLU model at {model_dir} has format_version {version!r}, but this version of "
            f"Switchboard reads format_version {FORMAT_VERSION}; retrain the model"
        )
    return meta


def is_up_to_date(model_dir: Path, expected_fingerprint: str) -> bool:
    """True when a loadable model exists at `model_dir` with this fingerprint."""
    return artifact_meta.is_up_to_date(Path(model_dir), FORMAT_VERSION, expected_fingerprint)


def save_artifact(out_dir: Path, model: "JointModel", tokenizer: "PreTrainedTokenizerFast",
                  labels: Labels, config: NLUConfig, patterns: dict[str, Any],
                  data_fingerprint: str, metrics: dict[str, Any],
                  sample: "Sequence[Encoded]" = ()) -> None:
    """Write everything into a temp dir, then swap it in, so a crash never leaves half a model.
    With `sample` (training texts, encoded) the ONNX files are written too, checked on it."""
    import torch
    import transformers
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.encoder.config.save_pretrained(tmp / "encoder")
    tokenizer.save_pretrained(tmp / "tokenizer")
    canonical_file(tmp / "tokenizer" / "tokenizer.json")  # the same bytes as the sentence encoder's
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(tmp / "model.safetensors"))
    _write_json(tmp / "nlu_config.json", config.to_dict())
    _write_json(tmp / "patterns.json", patterns)
    _write_json(tmp / METADATA_FILE, {
        "format_version": FORMAT_VERSION,
        "fingerprint": data_fingerprint,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "encoder": config.encoder,
        "use_crf": config.use_crf,
        "intents": list(labels.intents),
        "tags": list(labels.tags),
        "metrics": metrics,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
    })
    if sample:
        from nlu.onnx_export import write_onnx

        write_onnx(tmp, model, sample, tokenizer.pad_token_id or 0, config.quantize_mode)
    _swap_in(tmp, out_dir)


def _swap_in(tmp: Path, out_dir: Path) -> None:
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    tmp.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass
class Artifact:
    """A loaded model directory, ready for `NLUParser`."""

    model: "JointModel"
    tokenizer: "PreTrainedTokenizerFast"
    labels: Labels
    config: NLUConfig
    patterns: dict[str, Any]


@dataclass(frozen=True)
class Parts:
    """What a model directory holds besides weights and tokenizer (read without torch)."""

    config: NLUConfig
    labels: Labels
    patterns: dict[str, Any]


def read_parts(model_dir: Path) -> Parts:
    """The version-checked metadata, config, labels and patterns of a model directory."""
    model_dir = Path(model_dir)
    meta = read_metadata(model_dir)
    config = read_file(model_dir / "nlu_config.json",
                   lambda p: NLUConfig.from_dict(json.loads(p.read_text("utf-8"))))
    patterns = read_file(model_dir / "patterns.json", lambda p: json.loads(p.read_text("utf-8")))
    return Parts(config, Labels(tuple(meta["intents"]), tuple(meta["tags"])), patterns)


def load_artifact(model_dir: Path, device: str = "cpu") -> Artifact:
    """Load a model directory written by `save_artifact` (version-checked first)."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from nlu.encoder import encoder_from_config
    from nlu.model import JointModel

    model_dir = Path(model_dir)
    parts = read_parts(model_dir)
    config, labels = parts.config, parts.labels
    tokenizer = read_file(model_dir / "tokenizer",
                      lambda p: AutoTokenizer.from_pretrained(str(p), local_files_only=True))
    encoder = read_file(model_dir / "encoder", encoder_from_config)
    model = JointModel(encoder, len(labels.intents), len(labels.tags), config.dropout, config.use_crf,
                       config.intent_pooling)
    read_file(model_dir / "model.safetensors",
          lambda p: model.load_state_dict(load_file(str(p)), strict=True))
    model.to(device).eval()
    return Artifact(model, tokenizer, labels, config, parts.patterns)


def read_file(path: Path, reader):
    """`reader(path)`, or IncompatibleModelError naming the file and the fix when it is
    missing, truncated or not what this version wrote."""
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - any reader's failure means the same to the user
        missing = isinstance(exc, FileNotFoundError) or not path.exists()
        raise IncompatibleModelError(
            f"{path} {'is missing' if missing else 'cannot be read'}"
            + ("" if missing else f" ({type(exc).__name__}: {str(exc)[:200]})")
            + ": the trained model is incomplete; run `python cli.py train --force`") from None
