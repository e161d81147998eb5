"""Switchboard NLU: a joint BERT model for intents and entities, trained offline.

Public API::

    from nlu import NLUConfig, fingerprint, train_nlu, NLUParser
    report = train_nlu(training_data, NLUConfig(), Path("models/nlu"))
    parser = NLUParser.load("models/nlu")
    message = parser.parse("where is my order 1234?")

`train_nlu` and `NLUParser` import torch; they are loaded on first access so that
`import nlu` (and CLI `--help`) stays fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nlu.artifact import FORMAT_VERSION, fingerprint, is_up_to_date, read_metadata
from nlu.config import NLUConfig
from nlu.errors import (
    EncoderLoadError,
    IncompatibleModelError,
    ModelNotFoundError,
    NLUConfigError,
    NLUError,
    TrainingDataError,
)

if TYPE_CHECKING:
    from nlu.parser import NLUParser
    from nlu.report import TrainReport
    from nlu.trainer import train_nlu

__all__ = [
    "FORMAT_VERSION", "EncoderLoadError", "IncompatibleModelError", "ModelNotFoundError",
    "NLUConfig", "NLUConfigError", "NLUError", "NLUParser", "TrainReport", "TrainingDataError",
    "fingerprint", "is_up_to_date", "read_metadata", "train_nlu",
]

_LAZY = {"NLUParser": "nlu.parser", "train_nlu": "nlu.trainer", "TrainReport": "nlu.report"}


def __getattr__(name: str) -> Any:
    """Import the torch-heavy parts only when they are first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nlu' has no attribute {name!r}")
