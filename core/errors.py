"""User-facing errors. Only `cli.py` (and later the HTTP layer) catches them, and prints
them without a traceback.

    SwitchboardError                 -- anything a user can cause and fix
     ├── ProjectInvalid              -- one or more Problems in the YAML files
     └── nlu.errors.NLUError         -- bad NLU config, missing or incompatible model…

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

