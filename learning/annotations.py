"""What the staff said about reviewed messages, kept in `.switchboard/annotations.yml`.

    book = Annotations.open(project.root)
    book.annotate(project.domain, candidate, "order_status", "where is [NW-12345](order_id)", who="sam")
    book.dismiss(candidate, who="sam")

Each entry: the candidate's `id` and review `key`, the example's plain `text`, its `intent`,
its entity spans (`start`, `end`, `entity`, `value`), `status` (annotated | dismissed |
merged), `who`, `when` (UTC, ISO 8601) and `new_intent` (the intent is meant to be added to
the domain). Entries are never dropped: a merged one stays, so the message is not offered
for review again.

Texts reach the staff masked (`[email]`, `[phone]` …); an example needs a realistic text, so
`example_text` puts a sample value in place of each placeholder (SAMPLES) before annotating.

    AnnotationInvalid (SwitchboardError)   an intent or entity not in the domain, a span
                                           outside the text, markup that does not parse, a
                                           text that is not the reviewed message's
"""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from core.domain import Domain
from core.errors import SwitchboardError
from learning.candidates import Candidate, review_key
from project.loader import state_path
from project.markup import MarkupError, parse_markup

FILE = "annotations.yml"
SAMPLES = {"email": "jane.doe@example.com", "phone": "+1 415 555 0132", "card": "4111 1111 1111 1111",
           "iban": "DE89 3704 0044 0532 0130 00", "id": "11010519491231002X",
           "address": "221B Baker Street"}
PLACEHOLDER = re.compile(r"\[(" + "|".join(SAMPLES) + r")\](?![({])")


class AnnotationInvalid(SwitchboardError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("annotation not saved:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    value: str


@dataclass
class Annotation:
    id: str
    key: str
    text: str
    intent: str | None = None
    entities: list[Span] = field(default_factory=list)
    status: str = "annotated"  # annotated | dismissed | merged
    who: str | None = None
    when: str = ""
    new_intent: bool = False
    merged_into: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in (None, [], False) or k == "status"}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        spans = [Span(int(s["start"]), int(s["end"]), str(s["entity"]), str(s.get("value", "")))
                 for s in data.get("entities") or ()]
        known = {k: data[k] for k in ("intent", "status", "who", "when", "new_intent", "merged_into")
                 if k in data}
        return cls(str(data["id"]), str(data["key"]), str(data.get("text", "")), entities=spans, **known)


def example_text(masked: str) -> str:
    """`masked` with a sample value in place of each PII placeholder."""
    return PLACEHOLDER.sub(lambda m: SAMPLES[m.group(1)], masked)


def markup_of(text: str, entities: list[dict[str, str]] | list[Span]) -> str:
    """Rasa's inline markup for `text` with `entities` (Spans, or predicted entities as
    {"entity", "text", "value"}: the first occurrence of each text)."""
    spans = []
    for e in entities:
        if isinstance(e, Span):
            spans.append(e)
            continue
        start = text.find(e["text"])
        if start >= 0:
            spans.append(Span(start, start + len(e["text"]), e["entity"], e.get("value") or e["text"]))
    out, at = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < at:
            continue  # overlapping: the first wins
        surface = text[span.start:span.end]
        out.append(text[at:span.start])
        if span.value and span.value != surface:
            value = span.value.replace('"', '\\"')
            out.append(f'[{surface}]{{"entity": "{span.entity}", "value": "{value}"}}')
        else:
            out.append(f"[{surface}]({span.entity})")
        at = span.end
    out.append(text[at:])
    return "".join(out)


def parse_annotation(domain: Domain, candidate_text: str, intent: str, marked: str | None,
                     new_intent: bool = False) -> tuple[str, list[Span]]:
    """(plain text, spans) of an annotation, after every check (AnnotationInvalid lists
    each problem): the intent is the domain's (or `new_intent`), the entities are, every
    span lies inside the text, and the text is the reviewed message's."""
    problems: list[str] = []
    expected = example_text(candidate_text)
    plain, spans = expected, []
    if marked is not None:
        try:
            plain, found, _ = parse_markup(" ".join(marked.split()))
            spans = [Span(s.start, s.end, s.entity, s.value) for s in found]
        except MarkupError as exc:
            problems.append(f"text, column {exc.column}: {exc}")
        if not problems and review_key(plain) not in (review_key(expected), review_key(candidate_text)):
            problems.append(f"text: '{plain}' is not the reviewed message ('{expected}'); only "
                            "add [value](entity) markup to it")
    problems += intent_problems(domain, intent, new_intent)
    for span in spans:
        if span.entity not in domain.entities:
            problems.append(f"entity '{span.entity}' is not in the domain (entities: "
                            f"{', '.join(domain.entities) or 'none'})")
        if not 0 <= span.start < span.end <= len(plain):
            problems.append(f"entity '{span.entity}' span {span.start}-{span.end} is outside the text")
    if problems:
        raise AnnotationInvalid(problems)
    return plain, spans


def intent_problems(domain: Domain, intent: str, new_intent: bool) -> list[str]:
    if not intent or any(c.isspace() for c in intent):
        return [f"intent '{intent}' is not a valid intent name"]
    base = intent.partition("/")[0]
    if base in domain.intents or new_intent:
        return []
    from core.registry import did_you_mean

    return [(f"intent '{intent}' is not in the domain{did_you_mean(intent, domain.intents)}; "
             "pass --new-intent to annotate a new one (then add it to domain.yml before merging)")]


class Annotations:
    """The annotations file of one project (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.entries: dict[str, Annotation] = {}
        if self.path.is_file():
            loaded = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
            for item in loaded:
                entry = Annotation.from_dict(item)
                self.entries[entry.key] = entry

    @classmethod
    def open(cls, root: Path) -> Annotations:
        return cls(state_path(root, FILE))

    def keys(self) -> set[str]:
        return set(self.entries)

    def pending(self) -> list[Annotation]:
        return [a for a in self.entries.values() if a.status == "annotated"]

    def annotate(self, domain: Domain, candidate: Candidate, intent: str, marked: str | None = None,
                 who: str | None = None, new_intent: bool = False) -> Annotation:
        text, spans = parse_annotation(domain, candidate.text, intent, marked, new_intent)
        entry = Annotation(candidate.id, candidate.key, text, intent, spans, "annotated", who,
                           _now(), new_intent)
        self.entries[candidate.key] = entry
        self.save()
        return entry

    def dismiss(self, candidate: Candidate, who: str | None = None) -> Annotation:
        entry = Annotation(candidate.id, candidate.key, candidate.text, status="dismissed",
                           who=who, when=_now())
        self.entries[candidate.key] = entry
        self.save()
        return entry

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(yaml.safe_dump([a.to_dict() for a in self.entries.values()],
                                            allow_unicode=True, sort_keys=False), encoding="utf-8")
        os.replace(temporary, self.path)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
