"""Regex, lookup-table and synonym entities (pure functions)."""
from __future__ import annotations

import pytest

from core.message import Entity
from nlu.errors import TrainingDataError
from nlu.extractors import (
    apply_synonyms,
    compile_patterns,
    lookup_entities,
    merge_entities,
    regex_entities,
)


def test_regex_entities_are_case_insensitive_with_exact_offsets() -> None:
    patterns = compile_patterns([("order_id", r"\b[a-z]{2}\d{4}\b")], [])
    text = "where is order AB1234 and cd5678?"
    ents = regex_entities(text, patterns)
    assert [(e.entity, e.text, e.extractor) for e in ents] == [
        ("order_id", "AB1234", "regex"), ("order_id", "cd5678", "regex")]
    assert all(text[e.start : e.end] == e.text for e in ents)


def test_lookup_prefers_longest_whole_word_match() -> None:
    patterns = compile_patterns([], [("color", ["blue", "dark blue", "red"])])
    ents = lookup_entities("I want Dark Blue, not reddish", patterns)
    assert [(e.text, e.extractor) for e in ents] == [("Dark Blue", "lookup")]


def test_bad_regex_is_a_training_data_error() -> None:
    with pytest.raises(TrainingDataError, match="order_id"):
        compile_patterns([("order_id", "([a-z")], [])


def test_synonyms_map_lowercased_surface_to_canonical() -> None:
    ent = Entity("city", 0, 3, "NYC", "NYC")
    assert apply_synonyms([ent], {"nyc": "New York"})[0].value == "New York"
    assert apply_synonyms([ent], {})[0].value == "NYC"


def test_merge_priority_regex_then_model_then_lookup() -> None:
    regex = [Entity("order_id", 0, 6, "AB1234", "AB1234", extractor="regex")]
    model = [Entity("city", 0, 9, "AB1234 in", "AB1234 in"), Entity("city", 13, 18, "paris", "paris")]
    lookup = [Entity("city", 13, 18, "paris", "paris", extractor="lookup"),
              Entity("color", 22, 25, "red", "red", extractor="lookup")]
    merged = merge_entities(regex, model, lookup)
    assert [(e.entity, e.start, e.extractor) for e in merged] == [
        ("order_id", 0, "regex"), ("city", 13, "model"), ("color", 22, "lookup")]


def test_lookup_value_is_the_element_as_written_in_the_table() -> None:
    patterns = compile_patterns([], [("country", ["Germany", "New Zealand"])])
    (entity,) = lookup_entities("do you ship to new zealand?", patterns)
    assert (entity.text, entity.value) == ("new zealand", "New Zealand")


def test_lookup_elements_are_found_in_chinese_text_and_still_whole_words_in_english() -> None:
    patterns = compile_patterns([], [("country", ["日本", "US", "加拿大", "Österreich"])])

    def found(text: str) -> list[str]:
        return [e.text for e in lookup_entities(text, patterns)]

    assert found("能寄到日本吗") == ["日本"]
    assert found("寄到加拿大和日本") == ["加拿大", "日本"]
    assert found("寄到US吗") == ["US"]
    assert found("a USB cable") == []
    assert found("nach Österreich!") == ["Österreich"] and found("xÖsterreich") == []


def test_the_examples_regexes_find_order_numbers_emails_amounts_and_dates_in_chinese() -> None:
    from project.loader import load_project
    from tests.support import ROOT

    data = load_project(ROOT).data
    patterns = compile_patterns([(r.name, r.pattern) for r in data.regexes], [])

    def found(text: str) -> list[tuple[str, str]]:
        return [(e.entity, e.text) for e in regex_entities(text, patterns)]

    assert found("你好，我的订单12345什么时候到？") == [("order_id", "12345")]
    assert found("单号是NW-62810，邮箱是alex@example.com的") == [("order_id", "NW-62810"),
                                                          ("email", "alex@example.com")]
    assert found("我的 order 12345 到哪了") == [("order_id", "12345")]
    assert found("手机13812345678") == []  # a mobile number is no order number
    assert ("amount", "199元") in found("退了199元还没到账")
    assert ("amount", "¥59.90") in found("付了¥59.90")
    assert ("date", "3月3日") in found("3月3日下的单") and ("date", "下周二") in found("下周二能到吗")
    assert found("where is order NW-55871?") == [("order_id", "NW-55871")]
