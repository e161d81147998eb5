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
