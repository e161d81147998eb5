"""Small helpers shared by the domain parsers: declaring names and recording uses."""
from __future__ import annotations

from typing import Any

from project.checks import FileChecker
from core.domain import Domain, Reference
from core.training_data import Source
from project.yaml_loader import YDict, line_of


# names a domain/ folder may list in several files, as Rasa merges them: no warning
MERGED_KINDS = ("intent", "entity", "action")


def refer(domain: Domain, check: FileChecker, kind: str, name: Any, line: int, key: str) -> None:
    if name is not None:
        domain.references.append(Reference(kind, str(name), key, Source(check.file, line)))


def declare(domain: Domain, kind: str, name: str, line: int, check: FileChecker,
             key: str) -> bool:
    """Record where `name` was declared; False (and an error) if it already was."""
    first = domain.declared_at(kind, name)
    merged = domain.merged_files
    if first and first.file != check.file and first.file in merged and check.file in merged:
        # two files of a domain/ folder
        if kind not in MERGED_KINDS:
            check.warn(line, key, f"{kind} '{name}' is also declared in {first}; the first "
                       "one is kept")
        return False
    if first:
        where = f"line {first.line}" if first.file == check.file else str(first)
        check.error(line, key, f"duplicate {kind} '{name}' (already declared at {where})")
        return False
    domain.sources[f"{kind}:{name}"] = Source(check.file, line)
    return True


def named_item(item: Any, line: int, key: str, check: FileChecker) -> tuple[str, YDict] | None:
    """Items written as `- name` or `- name: {options}`."""
    if isinstance(item, str) and item.strip():
        return str(item), YDict()
    if isinstance(item, dict) and len(item) == 1:
        name, options = next(iter(item.items()))
        return str(name), check.mapping(options, line, f"{key}.{name}")
    check.error(line_of(item, line), key, f"expected a name or 'name: {{options}}', got {item!r}")
    return None


def names(value: Any, line: int, key: str, check: FileChecker) -> tuple[str, ...]:
    """A name or a list of names."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (str(value),)
    return tuple(str(v) for v in check.sequence(value, line, key))
