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
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])

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


MAX_FILE_BYTES = 5 * 1024 * 1024  # a project file is text someone wrote, not a data dump
MAX_VALUES = 200_000  # values one file may expand to, aliases included (a "billion laughs" stops here)
MAX_DEPTH = 100  # nesting of mappings and sequences
MERGE = "tag:yaml.org,2002:merge"
PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
# what YAML allows in a stream (YAML 1.2 §5.1): anything else is reported with its column
NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


class _Refused(Exception):
    """A file that would take unbounded time or memory to build; `line` is where."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def load_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Load one YAML file. Returns (value or None, problems). Never raises for what the file
    holds: oversized files, control characters, alias bombs, self-referencing aliases, deep
    nesting and unsupported tags are problems with their line, like syntax errors."""
    name = display_path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [Problem(name, 0, "", f"file is over {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                                  "split it (data/ may hold many files)")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 0, "", f"cannot read file: {exc.strerror}")]
    text, problem = _decode(raw, name)
    if problem:
        return None, [problem]
    if not text.strip() or all(_is_comment(l) for l in text.splitlines()):
        return None, [Problem(name, 1, "", "file is empty; remove it or add content")]
    bad = NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, [Problem(name, line, "", f"control character U+{ord(bad.group()):04X} at "
                              f"column {column}; YAML files hold text only (remove it)")]
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
    except RecursionError:
        return None, [Problem(name, 1, "", f"nested too deeply (more than {MAX_DEPTH} levels "
                              "of lists or mappings)")]
    finally:
        loader.dispose()
    problems: list[Problem] = []
    try:
        return _Builder(name, problems).build(node, "", 0), problems
    except _Refused as exc:
        return None, [Problem(name, exc.line, "", str(exc))]


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


class _Builder:
    """Turns a composed node tree into YDict/YList/YStr, flagging duplicate keys, applying
    merge keys (`<<: *base`) and refusing what would not end: an alias inside itself, more
    than MAX_VALUES values, nesting deeper than MAX_DEPTH."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name, self.problems = name, problems
        self.loader = Yaml12Loader("")
        self.values = 0
        self.open: set[int] = set()  # nodes being built (an alias back to one is a cycle)

    def build(self, node: yaml.Node, path: str, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.values += 1
        if self.values > MAX_VALUES:
            raise _Refused(line, f"the file expands to more than {MAX_VALUES:,} values "
                           "(aliases repeating aliases?); write it out plainly")
        if depth > MAX_DEPTH:
            raise _Refused(line, f"nested too deeply (more than {MAX_DEPTH} levels of lists or mappings)")
        if id(node) in self.open:
            raise _Refused(line, "an alias refers to the value it is part of (it would never end)")
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return self._scalar(node, line)
        if node.tag not in PLAIN_TAGS:
            raise _Refused(line, f"unsupported YAML tag '{node.tag}' (project files hold plain "
                           "lists and mappings)")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth, line)
            items = YList(self.build(item, f"{path}[{i}]", depth + 1)
                          for i, item in enumerate(node.value))
            items.line = line
            items.item_lines = [item.start_mark.line + 1 for item in node.value]
            return items
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int, line: int) -> "YDict":
        result = YDict()
        result.line, result.key_lines = line, {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                merged += value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                continue
            key = self.build(key_node, path, depth + 1)
            key = str(key) if key is not None else "null"
            key_line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in result.key_lines:
                self.problems.append(Problem(
                    self.name, key_line, child,
                    f"duplicate key (first defined at line {result.key_lines[key]}); "
                    "the second one would silently replace the first",
                ))
                continue
            result.key_lines[key] = key_line
            result[YStr(key)] = self.build(value_node, child, depth + 1)
        for base in merged:  # `<<: *base`: the keys it has that this mapping does not write
            if not isinstance(base, yaml.MappingNode):
                raise _Refused(base.start_mark.line + 1, "`<<` must merge a mapping (or a list of mappings)")
            built = self.build(base, path, depth + 1)
            for key, value in built.items():
                if key not in result:
                    result.key_lines[key] = built.key_lines.get(key, line)
                    result[key] = value
        return result

    def _scalar(self, node: yaml.Node, line: int) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise _Refused(line, f"unsupported YAML tag '{node.tag}' (project files hold plain "
                           "text, numbers, true/false and null)") from None
        if isinstance(value, str):
            text = YStr(value)
            text.line, text.style = line, node.style
            return text
        return value
