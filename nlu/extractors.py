"""Rule-based entities from the training data (pure functions).

- regexes: `RegexFeature.name` is the entity type; matched case-insensitively.
- lookup tables: whole-word (an end in Chinese script needs no boundary), case-insensitive,
  longest element first.
- synonyms: map an entity's surface text (lower-cased) to its canonical value.

Overlaps are resolved by priority, never by keeping both (one span, one value):
regex entities first (user-written, precise patterns such as order ids), then the
model's entities, then lookup-table matches to fill the gaps.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from core.message import Entity
from nlu.errors import TrainingDataError

from core.training_data import TrainingData


log = logging.getLogger("switchboard.nlu")
REGEX_TIMEOUT_S = 0.05  # per project regex and message, of the matching thread's own CPU time
TIMEOUT_TRIES = 3


@dataclass(frozen=True)
class Patterns:
    """Compiled regex and lookup patterns, each paired with its entity type."""

    regexes: tuple[tuple[str, Any], ...] = ()  # regex.Pattern
    lookups: tuple[tuple[str, re.Pattern[str]], ...] = ()
    canonical: Mapping[str, str] = field(default_factory=dict)  # lower-cased element -> as written


def compile_patterns(regexes: Iterable[tuple[str, str]],
                     lookups: Iterable[tuple[str, Sequence[str]]]) -> Patterns:
    """Compile (name, pattern) regexes and (name, elements) lookup tables. A project's
    regexes run on the `regex` engine (Python's `re` syntax and meaning, V0) with a time
    limit per message, so a pattern that backtracks catastrophically cannot stall a turn."""
    compiled = []
    for name, pattern in regexes:
        try:
            compiled.append((name, regex.compile(pattern, regex.IGNORECASE | regex.V0)))
        except regex.error as exc:
            raise TrainingDataError(f"regex {name!r} does not compile: {pattern!r}: {exc}") from exc
    lookups = list(lookups)
    tables = [(name, _lookup_regex(elements)) for name, elements in lookups if elements]
    canonical = {e.strip().lower(): e.strip() for _, elements in lookups for e in elements}
    return Patterns(tuple(compiled), tuple(t for t in tables if t[1] is not None), canonical)


_CJK_RANGES = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK = re.compile(rf"[{_CJK_RANGES}]")
# a letter, digit or _ of a script with spaces. Case-sensitive inside the lookup tables'
# IGNORECASE patterns (\w and these ranges hold every case of a character anyway): folding the
# class for each element was most of a table's compile time (32 countries: 0.35 -> 0.09 s)
_ALPHABET_WORD = rf"(?-i:[^\W{_CJK_RANGES}])"


def _lookup_regex(elements: Sequence[str]) -> re.Pattern[str] | None:
    cleaned = sorted({e.strip() for e in elements if e.strip()}, key=lambda e: (-len(e), e))
    if not cleaned:
        return None
    alternatives = "|".join(_bounded(e) for e in cleaned)
    return re.compile(rf"(?:{alternatives})", re.IGNORECASE)


def _bounded(element: str) -> str:
    """The element as a whole word: no letter or digit of an alphabet may touch an end
    written in an alphabet ("US" not in "USB", but in "寄到US吗"). A Chinese (or Japanese,
    Korean) end needs no boundary: those scripts put no spaces between words ("寄到日本吗")."""
    start = "" if CJK.match(element[0]) else rf"(?<!{_ALPHABET_WORD})"
    end = "" if CJK.match(element[-1]) else rf"(?!{_ALPHABET_WORD})"
    return f"{start}{re.escape(element)}{end}"


def bounded_matches(pattern, text: str) -> list:
    """`pattern`'s matches in `text`, or TimeoutError when the pattern itself is too slow
    (catastrophic backtracking). `regex`'s timeout is wall-clock time: on a busy server the
    thread may be descheduled past it on a 10-character message, so a timeout counts only
    when the thread spent at least half of it on the CPU; otherwise the match is tried again."""
    for _ in range(TIMEOUT_TRIES):
        started = time.thread_time()
        try:
            return list(pattern.finditer(text, timeout=REGEX_TIMEOUT_S))
        except TimeoutError:
            if time.thread_time() - started >= REGEX_TIMEOUT_S / 2:
                raise
    raise TimeoutError(f"no try of {TIMEOUT_TRIES} finished in {REGEX_TIMEOUT_S} s")


def _matches(text: str, named: Iterable[tuple[str, Any]], extractor: str) -> list[Entity]:
    found = []
    for name, pattern in named:
        try:
            matches = (bounded_matches(pattern, text) if extractor == "regex"
                       else list(pattern.finditer(text)))
        except TimeoutError:
            log.warning("regex %r (entity %s) took over %g s on a %d-character message: "
                        "no match taken from it", pattern.pattern, name, REGEX_TIMEOUT_S, len(text))
            continue
        for m in matches:
            if m.end() > m.start():
                found.append(Entity(entity=name, start=m.start(), end=m.end(), text=m.group(0),
                                    value=m.group(0), confidence=1.0, extractor=extractor))
    return found


def regex_entities(text: str, patterns: Patterns) -> list[Entity]:
    return _matches(text, patterns.regexes, "regex")

def lookup_entities(text: str, patterns: Patterns) -> list[Entity]:
    """Lookup-table matches; the value is the element as the table writes it ("Germany")."""
    return [replace(e, value=patterns.canonical.get(e.text.lower(), e.value))
            for e in _matches(text, patterns.lookups, "lookup")]


def merge_entities(*groups: Sequence[Entity]) -> list[Entity]:
    """Keep entities group by group (earlier groups win); drop any that overlaps a kept one."""
    kept: list[Entity] = []
    for group in groups:
        for ent in group:
            if all(ent.end <= k.start or ent.start >= k.end for k in kept):
                kept.append(ent)
    return sorted(kept, key=lambda e: (e.start, e.end))


def apply_synonyms(entities: Iterable[Entity], synonyms: Mapping[str, str]) -> list[Entity]:
    """Replace `value` by the canonical synonym of the (lower-cased, stripped) surface text."""
    out = []
    for ent in entities:
        canonical = synonyms.get(ent.text.strip().lower())
        out.append(replace(ent, value=canonical) if canonical is not None else ent)
    return out


def collect_patterns(data: TrainingData) -> dict[str, Any]:
    """Regexes, lookups and synonyms for parse time; annotated values become synonyms too."""
    synonyms = {s.text.strip().lower(): s.value for e in data.examples for s in e.entities
                if s.value != s.text}
    synonyms.update(data.synonyms)
    entities = set(data.entity_types)  # a regex or lookup named after no entity is a feature only
    return {"regexes": [[r.name, r.pattern] for r in data.regexes if r.name in entities],
            "lookups": [[t.name, list(t.elements)] for t in data.lookups if t.name in entities],
            "synonyms": synonyms}
