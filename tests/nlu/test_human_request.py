"""The explicit request for a person inside a message of another intent (nlu/human_request.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.events import UserUttered
from core.message import IntentScore, Message
from nlu.human_request import asks_for_human

FIXTURES = Path(__file__).parent.parent / "fixtures"
REGRESSION = yaml.safe_load((FIXTURES / "human_requests.yml").read_text(encoding="utf-8"))["messages"]


@pytest.mark.parametrize("item", REGRESSION, ids=[m["text"] for m in REGRESSION])
def test_regression_set(item) -> None:
    assert asks_for_human(item["text"]) is item["asks"]


def test_held_out_set_precision_and_recall() -> None:
    path = FIXTURES / "human_requests_holdout.yml"
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    hits = [(asks_for_human(m["text"]), m["asks"]) for m in messages]
    tp = sum(p and t for p, t in hits)
    precision = tp / max(1, sum(p for p, _ in hits))
    recall = tp / max(1, sum(t for _, t in hits))
    # a person is expensive but a made-up answer is worse: precision first
    assert precision >= 0.9 and recall >= 0.6, (precision, recall)


def test_the_flag_survives_the_tracker_store() -> None:
    event = UserUttered(message=Message("太差了，转人工", IntentScore("complaint", 0.9), asks_for_human=True))
    assert UserUttered.from_dict(event.to_dict()).message.asks_for_human is True
