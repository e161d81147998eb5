"""Shape checks shared by the domain, config and data parsers.

A `FileChecker` belongs to one file; every check records a `Problem` and returns a
usable fallback value, so one run reports every problem in the file at once.
"""
from __future__ import annotations

from typing import Any, Iterable

from core.errors import Problem
from core.registry import did_you_mean  # noqa: F401 (the parsers import it from here)
from project.yaml_loader import YDict, YList, line_of

TYPE_NAMES = {
    dict: "a mapping (key: value)",
    list: "a list ('- item' lines)",
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
}


def describe(value: Any) -> str:
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, bool):
        return f"'{value}' (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


class FileChecker:
    """Collects problems for one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, key, message))

    def warn(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, key, message, "warning"))

    def info(self, line: int, key: str, message: str) -> None:
        """Not a problem: what Switchboard made of something (a Rasa name it mapped)."""
        self.problems.append(Problem(self.file, line, key, message, "info"))

    def expect(self, value: Any, kind: type | tuple, line: int, key: str) -> bool:
        """True if `value` is of `kind`; otherwise record 'expected …, got …'."""
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            wanted = " or ".join(TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.error(line_of(value, line), key, f"expected {wanted}, got {describe(value)}")
        return ok

    def mapping(self, value: Any, line: int, key: str) -> YDict:
        """`value` if it is a mapping, else an empty one (after recording the problem)."""
        if value is None:
            empty = YDict()
            empty.line, empty.key_lines = line, {}
            return empty
        if self.expect(value, dict, line, key):
            return value
        empty = YDict()
        empty.line, empty.key_lines = line, {}
        return empty

    def sequence(self, value: Any, line: int, key: str) -> YList:
        if value is None:
            empty = YList()
            empty.line, empty.item_lines = line, []
            return empty
        if self.expect(value, list, line, key):
            return value
        empty = YList()
        empty.line, empty.item_lines = line, []
        return empty

    def known_keys(
        self,
        mapping: YDict,
        allowed: Iterable[str],
        prefix: str,
        foreign: dict[str, str] | None = None,
    ) -> None:
        """Flag keys not in `allowed`; keys in `foreign` (key -> note) only warn."""
        allowed = list(allowed)
        foreign = foreign or {}
        for key in mapping:
            if key in allowed:
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in foreign:
                self.warn(mapping.line_of(key), path, foreign[key])
                continue
            valid = ", ".join(allowed)
            self.error(
                mapping.line_of(key), path,
                f"unknown key{did_you_mean(key, allowed)} (valid keys here: {valid})",
            )


RASA_VERSIONS = ("2.0", "3.0", "3.1")  # the `version:` of Rasa's YAML formats read here


def check_version(root: YDict, check: FileChecker) -> None:
    """A file's `version:`: one of Rasa's formats 2.0 – 3.1 (any other is read as 3.1, said)."""
    if "version" not in root:
        return
    value = root["version"]
    text = f"{value:.1f}" if isinstance(value, float) else str(value).strip()
    if text not in RASA_VERSIONS:
        check.warn(root.line_of("version"), "version",
                   f"'{text}' is not a Rasa format version read here ({', '.join(RASA_VERSIONS)}); "
                   "read as 3.1")
