"""User-facing errors: every error a user can cause and fix is a `SwitchboardError`. Only
`cli.py` catches them (printed as their message, no traceback); the HTTP layer answers
bad requests itself with a 4xx naming the field.

    SwitchboardError                          anything a user can cause and fix (raised as
     │                                        such: a store URL or server that cannot be used)
     ├── ProjectInvalid                       Problems (file:line: key) in the project's YAML:
     │                                        domain, config, data, tests, endpoints.yml,
     │                                        credentials.yml — all of them at once
     ├── core.imports.ProjectCodeError        the project's own Python (actions/, a
     │    │                                   `module.Class`) could not be imported: file:line
     │    └── channels.registry.NotAChannel   a `module.Class` channel that is no InputChannel
     ├── nlu.errors.NLUError                  the NLU model and its training
     │    ├── NLUConfigError                  bad JointBERT options
     │    ├── TrainingDataError               nothing to train on, a regex that does not compile
     │    ├── EncoderLoadError                an encoder name/path that cannot be loaded
     │    ├── ModelNotFoundError              no trained model: run `cli.py train`
     │    └── IncompatibleModelError          trained by another version: `train --force`
     ├── nlu.pipeline.PipelineError           a pipeline component that cannot be built, or
     │                                        returned something other than a Message
     ├── policies.ensemble.DialogueModelError no or incompatible `models/dialogue`
     └── assistant.init.InitError             `cli.py init` into a folder that is not empty

A `Problem` is one finding in a file: an error (training refuses), a warning (it works, but
probably not as meant), or info (what Switchboard made of something, e.g. a Rasa name).
Anything else escaping to the CLI is a bug in Switchboard, and is reported as one.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a project file.

    Rendered as `file:line: key: message`, the shape editors and CI logs understand.
    """

    file: str
    line: int
    key: str
    message: str
    severity: str = "error"  # "error" | "warning" | "info"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        tag = "" if self.severity == "error" else f" {self.severity}:"
        return f"{where}:{tag}{key} {self.message}"


class SwitchboardError(Exception):
    """Base of every error a user can cause; printed as its message, no traceback."""


class ProjectInvalid(SwitchboardError):
    """The project's YAML has errors; all of them are in `problems`."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{lines}\n{len(errors)} error(s) found.")


class StoreUnavailable(SwitchboardError):
    """The tracker store cannot read or write right now (a broken file, a full disk, a
    server that does not answer); the turn is not stored and the caller should retry."""
