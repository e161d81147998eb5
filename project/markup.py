"""Rasa's inline entity markup, parsed by hand so mistakes get a column and a reason.

    where is [12345](order_id)                 -> entity order_id, value "12345"
    I want [sneakers]{"entity": "product", "value": "running shoes"}
    fly to [Berlin](city:BER)                  -> legacy Rasa 1 "entity:value" form

`parse_markup` returns the plain text and the spans; `MarkupError` says what is wrong
and at which column (1-based) of the example.
"""
from __future__ import annotations

import json

from core.training_data import EntitySpan

JSON_KEYS = {"entity", "value", "role", "group"}


class MarkupError(ValueError):
    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


def parse_markup(marked: str) -> tuple[str, tuple[EntitySpan, ...], list[str]]:
    """Strip markup from one example. Returns (plain text, entity spans, warnings)."""
    plain: list[str] = []
    spans: list[EntitySpan] = []
    warnings: list[str] = []
    i = 0
    while i < len(marked):
        if marked[i] != "[":
            plain.append(marked[i])
            i += 1
            continue
        close = _closing_bracket(marked, i)
        entity_text = marked[i + 1 : close]
        after = marked[close + 1 : close + 2]
        if after not in ("(", "{"):
            warnings.append(
                f"'[{entity_text}]' at column {i + 1} has no (entity) after it; kept as plain text"
            )
            plain.append(marked[i : close + 1])
            i = close + 1
            continue
        if not entity_text.strip():
            raise MarkupError("empty entity text '[]'", i + 1)
        end = _closing(marked, close + 1, ")" if after == "(" else "}")
        annotation = marked[close + 2 : end]
        start = len("".join(plain))
        span = _span(entity_text, annotation, after, start, close + 2)
        spans.append(span)
        plain.append(entity_text)
        i = end + 1
    return "".join(plain), tuple(spans), warnings


def _closing_bracket(text: str, open_at: int) -> int:
    for j in range(open_at + 1, len(text)):
        if text[j] == "]":
            return j
        if text[j] == "[":
            break
    raise MarkupError(
        "'[' is never closed with ']' (entity markup is [text](entity))", open_at + 1
    )


def _closing(text: str, open_at: int, closer: str) -> int:
    end = text.find(closer, open_at + 1)
    if end < 0:
        raise MarkupError(f"'{text[open_at]}' is never closed with '{closer}'", open_at + 1)
    return end


def _span(entity_text: str, annotation: str, kind: str, start: int, column: int) -> EntitySpan:
    end = start + len(entity_text)
    if kind == "(":
        entity, _, value = annotation.partition(":")
        entity = entity.strip()
        if not entity or any(c.isspace() for c in entity):
            raise MarkupError(f"'({annotation})' is not a valid entity name", column)
        return EntitySpan(start, end, entity, entity_text, value.strip() or entity_text)
    try:
        fields = json.loads("{" + annotation + "}")
    except json.JSONDecodeError as exc:
        raise MarkupError(
            f"'{{{annotation}}}' is not valid JSON ({exc.msg}); "
            'write it like {"entity": "product", "value": "shoes"}', column,
        ) from None
    unknown = set(fields) - JSON_KEYS
    if unknown:
        raise MarkupError(
            f"unknown key(s) {sorted(unknown)} in entity JSON (valid: entity, value, role, group)",
            column,
        )
    entity = fields.get("entity")
    if not isinstance(entity, str) or not entity.strip():
        raise MarkupError('entity JSON needs an "entity" name', column)
    value = fields.get("value", entity_text)
    return EntitySpan(
        start, end, entity.strip(), entity_text, str(value),
        _opt(fields.get("role")), _opt(fields.get("group")),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
