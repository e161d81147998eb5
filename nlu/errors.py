"""Errors a user of the NLU can cause, each with a message that says what to do.

Exception tree (under the project-wide user-error base, so the CLI prints them plainly)::

    SwitchboardError
    └── NLUError
    ├── NLUConfigError (also ValueError)       bad or unknown keys in the NLU config
    ├── TrainingDataError (also ValueError)    data the NLU cannot train on
    ├── EncoderLoadError                       encoder name/path cannot be loaded
    ├── ModelNotFoundError (also FileNotFoundError)  no trained model at a path
    └── IncompatibleModelError                 model written by another format version
"""
from __future__ import annotations

from core.errors import SwitchboardError


class NLUError(SwitchboardError):
    """Base class of every error the NLU raises on purpose."""


class NLUConfigError(NLUError, ValueError):
    """The NLU config has unknown keys or bad values.

    `problems` lists every (key, message) pair found, so the caller can point at
    `file:line` for each key rather than stopping at the first one.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        lines = [f"  {key}: {msg}" for key, msg in self.problems]
        super().__init__("invalid NLU config:\n" + "\n".join(lines))


class TrainingDataError(NLUError, ValueError):
    """The training data cannot be used (no examples, bad regex, ...)."""


class EncoderLoadError(NLUError):
    """The encoder named in the config could not be loaded."""


class ModelNotFoundError(NLUError, FileNotFoundError):
    """No trained NLU model where one was expected."""


class IncompatibleModelError(NLUError):
    """The model on disk was written with a different `format_version`."""
