"""Read a YAML file into plain Python values that remember their line numbers.

Mappings become `YDict` (with `.line` and `.key_lines`), sequences `YList` (with
`.line` and `.item_lines`), strings `YStr` (with `.line` and `.style`, so the lines
of a `|` block can be counted). Everything that can go wrong before the structure is
known (not UTF-8, empty, tabs, YAML syntax, duplicate keys) becomes a `Problem`
instead of an exception.

Scalars are read as YAML 1.2 (its core schema), as Rasa reads them: `yes`, `no`, `on`,
`off` stay strings (a button titled `Yes` says "Yes", not "True"), `012` is twelve, a date
stays a string; only `true`/`false` are booleans and `null`/`~`/empty is None.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's implicit types."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
):
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _int12(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node)
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)

from core.errors import Problem


class YDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YStr(str):
    line: int = 0
    style: str | None = None


def line_of(value: Any, default: int) -> int:
    """The line a loaded value starts on, or `default` for ints, bools and None."""
    return getattr(value, "line", 0) or default


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Load one YAML file. Returns (value or None, problems)."""
    name = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 0, "", f"cannot read file: {exc.strerror}")]
    text, problem = _decode(raw, name)
    if problem:
        return None, [problem]
    if not text.strip() or all(_is_comment(l) for l in text.splitlines()):
        return None, [Problem(name, 1, "", "file is empty; remove it or add content")]
    tabs = _tab_problems(text, name)
    if tabs:
        return None, tabs
    loader = Yaml12Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, name, text)]
    except yaml.YAMLError as exc:
        return None, [Problem(name, 1, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    problems: list[Problem] = []
    return _build(node, Yaml12Loader(""), name, problems, ""), problems


def _decode(raw: bytes, name: str) -> tuple[str, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        return "", Problem(
            name, line, "",
            f"file is not UTF-8 (byte 0x{byte} at column {column}); "
            "save it with UTF-8 encoding",
        )


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _tab_problems(text: str, name: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(Problem(
                name, number, "",
                "tab character in indentation; YAML needs spaces (replace the tab with spaces)",
            ))
    return problems


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    opened = _unclosed_quote(text.splitlines(), line)
    if opened:
        return Problem(name, opened, "", "YAML syntax error: a quote opened on this line is "
                       "never closed, so the lines after it were read as part of the text")
    what = exc.problem or "invalid YAML"
    if exc.context:
        what = f"{exc.context}, {what}"
    hint = ""
    if "mapping values are not allowed" in what:
        hint = " (a ':' inside a value? put the value in quotes)"
    elif "could not find expected ':'" in what or "expected <block end>" in what:
        hint = " (check the indentation of this line and the one before)"
    return Problem(name, line, "", f"YAML syntax error: {what}{hint}")


def _unclosed_quote(lines: list[str], error_line: int) -> int | None:
    """The line (1-based) of a value whose opening quote is never closed, if any.

    PyYAML reads on past such a quote and complains lines later; look back for a
    `key: "value` line with an odd number of double quotes.
    """
    for number in range(error_line - 1, max(0, error_line - 15), -1):
        line = lines[number - 1].replace('\\"', "")
        _, sep, value = line.partition(": ")
        value = value.split(" #")[0].strip()
        if sep and value.startswith('"') and value.count('"') % 2 == 1:
            return number
    return None


def _build(node: yaml.Node, loader: yaml.SafeLoader, name: str, problems: list[Problem],
           path: str) -> Any:
    """Turn a composed node tree into YDict/YList/YStr, flagging duplicate keys."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = YDict()
        result.line, result.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _build(key_node, loader, name, problems, path)
            key = str(key) if key is not None else "null"
            key_line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in result.key_lines:
                problems.append(Problem(
                    name, key_line, child,
                    f"duplicate key (first defined at line {result.key_lines[key]}); "
                    "the second one would silently replace the first",
                ))
                continue
            result.key_lines[key] = key_line
            result[YStr(key)] = _build(value_node, loader, name, problems, child)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YList(_build(item, loader, name, problems, f"{path}[{i}]")
                      for i, item in enumerate(node.value))
        items.line = line
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    value = loader.construct_object(node, deep=True)
    if isinstance(value, str):
        text = YStr(value)
        text.line, text.style = line, node.style
        return text
    return value
