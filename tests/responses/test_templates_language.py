import logging
import random

from core.domain import ResponseVariation
from nlu.language import detect
from responses.templates import choose, fill, render

EN = ResponseVariation(text="Hello {name}!")
ZH = ResponseVariation(text="您好，{name}！", language="zh")
ANGRY_ZH = ResponseVariation(text="非常抱歉，{name}。", language="zh", conditions=(("sentiment", "frustrated"),))


def test_language_detection() -> None:
    assert detect("我的订单到哪了？") == "zh"
    assert detect("where is my order 12345") == "en"
    assert detect("order NW-12345 还没到") == "zh"
    assert detect("12345 !!!") == "en" and detect("hola", "es") == "es"


def test_variation_in_the_customers_language_else_the_default() -> None:
    rng = random.Random(0)
    assert choose([EN, ZH], {}, rng, "zh") is ZH
    assert choose([EN, ZH], {}, rng, "en") is EN
    assert choose([EN], {}, rng, "zh") is EN  # no Chinese text: the default one
    assert choose([EN, ZH, ANGRY_ZH], {"sentiment": "frustrated"}, rng, "zh") is ANGRY_ZH


def test_falling_back_to_the_default_language_is_noted(caplog) -> None:
    rng = random.Random(0)
    with caplog.at_level(logging.DEBUG, logger="switchboard.responses"):
        assert render("utter_hi", [EN, ZH], {"name": "Ana"}, rng, "es", default="en").text == "Hello Ana!"
        assert render("utter_hi", [EN, ZH], {"name": "Ana"}, rng, "en", default="en")
        assert render("utter_hi", [EN, ZH], {"name": "Ana"}, rng, "zh-CN", default="en").text == "您好，Ana！"
    assert [r.getMessage() for r in caplog.records] == ["no es variation of utter_hi: default language"]


def test_variations_all_marked_fall_back_to_the_default_languages() -> None:
    rng = random.Random(0)
    en = ResponseVariation(text="Hello!", language="en")
    assert choose([en, ZH], {}, rng, "de", default="en") is en
    assert choose([en, ZH], {}, rng, "de") is None  # default unknown: nothing to fall back to
    assert choose([en, ZH], {}, rng, "zh", default="en") is ZH


def test_slots_braces_and_missing_values() -> None:
    assert fill("Order {order_id} ({{not a slot}})", {"order_id": "48213"}) == "Order 48213 ({not a slot})"
    assert fill("Order {order_id!r}", {"order_id": "1"}) == "Order 1"
    assert "{" not in fill("Sent to {email}.", {})


def test_seeded_variations_repeat() -> None:
    variations = [ResponseVariation(text=t) for t in "abcdef"]
    rng_a, rng_b = random.Random(7), random.Random(7)
    first = [render("r", variations, {}, rng_a).text for _ in range(8)]
    again = [render("r", variations, {}, rng_b).text for _ in range(8)]
    assert first == again and len(set(first)) > 1
