"""The per-message frustration signal (`nlu.frustration`): Chinese cue families, Chinese
negation and hedging (issue 15). Precision / recall on the labelled sets: bench/frustration.py."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.frustration import frustration

THRESHOLD = 0.7  # the handoff policy's default


@pytest.mark.parametrize("text", [
    "你们就是一群骗子",                    # strong word
    "再不退钱我就打12315",                 # threat to complain to the authorities
    "都一个星期了还没发货",                # waiting
    "这个问题我已经说了三遍了",            # repeating oneself
    "别再踢皮球了，给个准话",              # passed around
    "你们是不是骗子？",                    # 是不是 is a question, not a negation
    "什么玩意儿，到底能不能退",
])
def test_chinese_frustration_crosses_the_threshold(text: str) -> None:
    assert frustration(text) >= THRESHOLD


@pytest.mark.parametrize("text", [
    "请问投诉流程是怎样的？",              # 投诉 asked about, not threatened
    "能不能帮我催一下物流？谢谢",
    "我的快递还没到，麻烦帮我查一下",
    "请问有没有人工客服？",                # 有没有人 inside 有没有人工
    "我的订单号是1231500",                 # 12315 inside an order number
    "用工商银行的卡可以付款吗",
])
def test_calm_chinese_stays_below_the_threshold(text: str) -> None:
    assert frustration(text) < THRESHOLD


@pytest.mark.parametrize("text", [
    "我没有生气，只是问问什么时候发货",
    "我没生气",
    "我并不失望，只是想确认一下",
    "不是很生气啦",
    "我不觉得你们在敷衍我",
])
def test_a_negated_chinese_cue_does_not_count(text: str) -> None:
    assert frustration(text) == 0.0


def test_a_hedged_chinese_cue_counts_half() -> None:
    assert 0.0 < frustration("有点小失望") < THRESHOLD <= frustration("太失望了")


def test_english_negation_is_unchanged() -> None:
    assert frustration("I'm not angry, just asking") == 0.0
    assert frustration("this is ridiculous") >= THRESHOLD


def test_the_chinese_tuning_set_is_labelled_chinese() -> None:
    path = Path(__file__).resolve().parent.parent / "fixtures" / "frustration_zh_dev.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages = data["messages"]
    assert data["version"] == 1 and len(messages) >= 100
    assert {m["language"] for m in messages} == {"zh"}
    assert {m["label"] for m in messages} == {"frustrated", "calm"}
    assert len({m["text"] for m in messages}) == len(messages)
