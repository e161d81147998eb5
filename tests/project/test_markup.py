"""Inline entity markup: the plain text, exact spans, and errors with columns."""
import pytest

from project.markup import MarkupError, parse_markup


def test_round_brackets() -> None:
    text, spans, warnings = parse_markup("where is [12345](order_id) now")
    assert text == "where is 12345 now"
    (span,) = spans
    assert (span.start, span.end, span.entity, span.value) == (9, 14, "order_id", "12345")
    assert text[span.start : span.end] == span.text
    assert warnings == []


def test_json_form_with_synonym_value_role_and_group() -> None:
    marked = 'I want [sneakers]{"entity": "product", "value": "running shoes", "role": "gift", "group": "1"}'
    text, (span,), _ = parse_markup(marked)
    assert text == "I want sneakers"
    assert (span.text, span.value, span.role, span.group) == ("sneakers", "running shoes", "gift", "1")


def test_several_entities_and_unicode() -> None:
    text, spans, _ = parse_markup("订单 [12345](order_id) 到 [上海](city) 🚚")
    assert text == "订单 12345 到 上海 🚚"
    assert [text[s.start : s.end] for s in spans] == ["12345", "上海"]


def test_legacy_entity_colon_value() -> None:
    _, (span,), _ = parse_markup("fly to [NYC](city:New York)")
    assert (span.entity, span.value) == ("city", "New York")


def test_brackets_without_annotation_are_kept_with_a_warning() -> None:
    text, spans, warnings = parse_markup("it says [sic] here")
    assert text == "it says [sic] here" and spans == ()
    assert "no (entity)" in warnings[0]


@pytest.mark.parametrize(
    "marked, column, fragment",
    [
        ("where is [12345(order_id)", 10, "never closed with ']'"),
        ("order [123](order_id", 12, "never closed with ')'"),
        ("[](order_id)", 1, "empty entity text"),
        ('x [a]{"entity": }', 6, "not valid JSON"),
        ('x [a]{"value": "b"}', 6, 'needs an "entity"'),
        ('x [a]{"entity": "p", "colour": "b"}', 6, "unknown key"),
        ("x [a](two words)", 6, "not a valid entity name"),
    ],
)
def test_malformed_markup(marked: str, column: int, fragment: str) -> None:
    with pytest.raises(MarkupError) as info:
        parse_markup(marked)
    assert info.value.column == column
    assert fragment in str(info.value)
